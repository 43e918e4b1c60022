package answer

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
)

// StageRow scores the pipeline stage by stage over a group of items.
type StageRow struct {
	Group      string `json:"group"` // "all", "type:who", "lang:en", …
	Items      int    `json:"items"`
	Answerable int    `json:"answerable"`
	// Retrieval: the gold article first, or among the first five.
	ArticleAt1 float64 `json:"article_recall_at_1"`
	ArticleAt5 float64 `json:"article_recall_at_5"`
	// SentenceRecall: a gold answer inside a sentence the extractor examined.
	SentenceRecall float64 `json:"sentence_recall"`
	// CandidateRecall: a gold answer among the candidates.
	CandidateRecall float64 `json:"candidate_recall"`
	// Extraction: the chosen candidate (before abstention) is right, among
	// the items whose answer was in an examined sentence.
	Extraction float64 `json:"extraction_given_sentence"`
	// Forced: the chosen candidate is right, over all answerable items.
	Forced float64 `json:"forced_accuracy"`
	// Accuracy: right answers plus right abstentions, over all items.
	Accuracy float64 `json:"accuracy"`
	Answered int     `json:"answered"`
	// AnsweredPrecision: right answers over answers given.
	AnsweredPrecision float64 `json:"answered_precision"`
	Unanswerable      int     `json:"unanswerable"`
	RightAbstentions  int     `json:"right_abstentions"`
}

// CalibrationBucket is the share of right answers among questions whose
// confidence fell in [Low, High).
type CalibrationBucket struct {
	Low   float64 `json:"low"`
	High  float64 `json:"high"`
	Items int     `json:"items"`
	Right float64 `json:"share_right"`
}

// StageReport is the evaluation by stage, overall and by type and language.
type StageReport struct {
	Rows        []StageRow          `json:"rows"`
	Calibration []CalibrationBucket `json:"calibration"`
}

// ScoreStages scores predictions stage by stage.
func ScoreStages(preds []Prediction) StageReport {
	groups := map[string][]Prediction{}
	var order []string
	add := func(k string, p Prediction) {
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], p)
	}
	for _, p := range preds {
		add("all", p)
	}
	for _, p := range preds {
		add("lang:"+p.Item.Item.Lang, p)
	}
	for _, p := range preds {
		add("type:"+p.Item.Item.Type, p)
	}
	slices.Sort(order[1:])
	var r StageReport
	for _, k := range order {
		r.Rows = append(r.Rows, stageRow(k, groups[k]))
	}
	for b := 0; b < 10; b++ {
		lo, hi := float64(b)/10, float64(b+1)/10
		cb := CalibrationBucket{Low: lo, High: hi}
		right := 0
		for _, p := range preds {
			if p.Confidence >= lo && (p.Confidence < hi || (b == 9 && p.Confidence <= 1)) {
				cb.Items++
				if p.Right && !p.Item.Unanswerable {
					right++
				}
			}
		}
		if cb.Items > 0 {
			cb.Right = float64(right) / float64(cb.Items)
		}
		r.Calibration = append(r.Calibration, cb)
	}
	return r
}

func stageRow(name string, ps []Prediction) StageRow {
	row := StageRow{Group: name, Items: len(ps)}
	var at1, at5, sent, cand, ext, forced, correct, answeredRight int
	for _, p := range ps {
		st := p.Item.stage
		if p.Item.Unanswerable {
			row.Unanswerable++
			if !p.Answered {
				row.RightAbstentions++
				correct++
			} else {
				row.Answered++
			}
			continue
		}
		row.Answerable++
		if st.artRank == 0 {
			at1++
		}
		if st.artRank >= 0 && st.artRank < 5 {
			at5++
		}
		if st.candRecall {
			cand++
		}
		if p.Right {
			forced++
		}
		if st.sentRecall {
			sent++
			if p.Right {
				ext++
			}
		}
		if p.Answered {
			row.Answered++
			if p.Right {
				answeredRight++
				correct++
			}
		}
	}
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	row.ArticleAt1 = ratio(at1, row.Answerable)
	row.ArticleAt5 = ratio(at5, row.Answerable)
	row.SentenceRecall = ratio(sent, row.Answerable)
	row.CandidateRecall = ratio(cand, row.Answerable)
	row.Extraction = ratio(ext, sent)
	row.Forced = ratio(forced, row.Answerable)
	row.Accuracy = ratio(correct, row.Items)
	row.AnsweredPrecision = ratio(answeredRight, row.Answered)
	return row
}

// WriteText prints the report as aligned tables.
func (r StageReport) WriteText(w io.Writer) {
	fmt.Fprintf(w, "%-16s %5s %6s %6s %6s %6s %6s %6s %6s %8s %7s %7s\n",
		"group", "items", "art@1", "art@5", "sent", "cand", "extr", "forced", "acc", "answered", "a-prec", "unans")
	for _, row := range r.Rows {
		fmt.Fprintf(w, "%-16s %5d %6.2f %6.2f %6.2f %6.2f %6.2f %6.2f %6.2f %8d %7.2f %4d/%-2d\n",
			row.Group, row.Items, row.ArticleAt1, row.ArticleAt5, row.SentenceRecall, row.CandidateRecall, row.Extraction,
			row.Forced, row.Accuracy, row.Answered, row.AnsweredPrecision, row.RightAbstentions, row.Unanswerable)
	}
	fmt.Fprintln(w, "calibration (confidence -> share right):")
	for _, b := range r.Calibration {
		if b.Items > 0 {
			fmt.Fprintf(w, "  %.1f-%.1f %4d  %.2f\n", b.Low, b.High, b.Items, b.Right)
		}
	}
}

// Explanation is the trace of one question through the pipeline.
type Explanation struct {
	Question   string                 `json:"question"`
	Lang       string                 `json:"lang"`
	Type       string                 `json:"type"`
	Focus      string                 `json:"focus,omitempty"`
	Groups     []ExplainGroup         `json:"groups"`
	Articles   []ExplainArticle       `json:"articles"`
	Sentences  []ExplainSentence      `json:"sentences"`
	Candidates []ExplainCandidate     `json:"candidates"`
	Answer     Answer                 `json:"answer"`
	Ranker     string                 `json:"ranker"`
	Threshold  float64                `json:"threshold"`
	Extra      map[string]interface{} `json:"extra,omitempty"`
}

// ExplainGroup is one concept of the question with the Dutch stems it
// stands for.
type ExplainGroup struct {
	Label  string   `json:"label"`
	Stems  []string `json:"stems"`
	Weight float64  `json:"weight"`
	Found  bool     `json:"in_index"`
	Role   string   `json:"role,omitempty"`
}

// ExplainArticle is a retrieved article.
type ExplainArticle struct {
	Rank   int     `json:"rank"`
	Source string  `json:"source"`
	Score  float64 `json:"score"`
}

// ExplainSentence is an examined sentence.
type ExplainSentence struct {
	Source   string  `json:"source"`
	Index    int     `json:"index"`
	Coverage float64 `json:"coverage"`
	Text     string  `json:"text"`
}

// ExplainCandidate is a candidate answer with its features and scores.
type ExplainCandidate struct {
	Text     string             `json:"text"`
	Kind     string             `json:"kind"`
	Source   string             `json:"source"`
	Sentence int                `json:"sentence"`
	Score    float64            `json:"score"`
	Prob     float64            `json:"prob"`
	Features map[string]float64 `json:"features"`
}

var kindNames = map[entityKind]string{entNone: "none", entPerson: "person", entName: "name", entOrg: "org", entCountry: "country",
	entPlace: "place", entDate: "date", entNumber: "number", entRole: "role", entPhrase: "phrase", entCountryAdj: "country-adj"}

// Explain answers a question and returns the trace behind the answer: its
// analysis, the retrieved articles, the examined sentences and the best
// candidates (at most topN) with their features and scores.
func (l *Librarian) Explain(ctx context.Context, c Corpus, question string, topN int) (Explanation, error) {
	ans, dec, err := l.answer(ctx, c, question, AskOptions{})
	if err != nil {
		return Explanation{}, err
	}
	ex := dec.ex
	m := l.rankerFor(ex)
	e := Explanation{Question: question, Answer: ans, Lang: ex.q.Lang, Type: ex.q.Type.String(), Focus: ex.q.focusWord,
		Ranker: "learned", Threshold: l.minConfidence}
	switch {
	case m == nil:
		e.Ranker = "hand-written"
	case ex.analyzed:
		e.Ranker = "learned, with sentence analysis"
	}
	if m != nil && !l.minFixed {
		e.Threshold = m.Threshold
	}
	s := ex.s
	for i, g := range ex.q.Groups {
		eg := ExplainGroup{Label: g.Label, Stems: g.Stems, Weight: g.Weight, Found: len(g.Terms) > 0}
		var roles []string
		if g.Name {
			roles = append(roles, "name")
		}
		if g.Verb {
			roles = append(roles, "predicate")
		}
		if i == ex.q.focus {
			roles = append(roles, "focus")
		}
		if i == ex.q.counted {
			roles = append(roles, "counted")
		}
		eg.Role = strings.Join(roles, ",")
		e.Groups = append(e.Groups, eg)
	}
	for r, d := range ex.docs {
		e.Articles = append(e.Articles, ExplainArticle{Rank: r + 1, Source: s.Article(int(d.Doc)).Source, Score: d.Score})
	}
	for _, x := range ex.sentences {
		e.Sentences = append(e.Sentences, ExplainSentence{Source: s.Article(x.doc).Source, Index: x.sent, Coverage: x.cov,
			Text: s.Article(x.doc).Sentences[x.sent].Text})
	}
	idx := make([]int, len(ex.cands))
	for i := range idx {
		idx[i] = i
	}
	key := func(c rankCand) float64 {
		if m != nil {
			return c.score
		}
		return c.feats[fOldConf]
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		ka, kb := key(ex.cands[a]), key(ex.cands[b])
		switch {
		case ka > kb:
			return -1
		case ka < kb:
			return 1
		}
		return 0
	})
	names := FeatureNames()
	for n, i := range idx {
		if n == topN {
			break
		}
		c := ex.cands[i]
		ec := ExplainCandidate{Text: c.text, Kind: kindNames[c.cand.kind], Source: s.Article(c.doc).Source, Sentence: c.sent,
			Score: c.score, Prob: c.prob, Features: map[string]float64{}}
		for f, v := range c.feats {
			if v != 0 {
				ec.Features[names[f]] = v
			}
		}
		e.Candidates = append(e.Candidates, ec)
	}
	return e, nil
}

// WriteText prints the explanation for a terminal.
func (e Explanation) WriteText(w io.Writer) {
	fmt.Fprintf(w, "question: %q\nlanguage %s, type %s", e.Question, e.Lang, e.Type)
	if e.Focus != "" {
		fmt.Fprintf(w, ", focus %q", e.Focus)
	}
	fmt.Fprintln(w)
	for _, g := range e.Groups {
		fmt.Fprintf(w, "  group %-24q stems %v weight %.2f in-index %v %s\n", g.Label, g.Stems, g.Weight, g.Found, g.Role)
	}
	fmt.Fprintln(w, "articles:")
	for _, a := range e.Articles {
		fmt.Fprintf(w, "  %2d %6.2f %s\n", a.Rank, a.Score, a.Source)
	}
	fmt.Fprintln(w, "sentences examined:")
	for _, s := range e.Sentences {
		fmt.Fprintf(w, "  %.2f %s#%d %q\n", s.Coverage, s.Source, s.Index, trimWords(s.Text, 30))
	}
	fmt.Fprintf(w, "candidates (%s ranker):\n", e.Ranker)
	names := FeatureNames()
	for _, c := range e.Candidates {
		fmt.Fprintf(w, "  %7.3f p=%.3f %-10s %q  %s#%d\n     ", c.Score, c.Prob, c.Kind, c.Text, c.Source, c.Sentence)
		for _, n := range names {
			if v, ok := c.Features[n]; ok {
				fmt.Fprintf(w, " %s=%.2f", n, v)
			}
		}
		fmt.Fprintln(w)
	}
	if e.Answer.Answered {
		fmt.Fprintf(w, "answer: %q confidence %.3f (threshold %.3f)\n", e.Answer.Text, e.Answer.Confidence, e.Threshold)
	} else {
		fmt.Fprintf(w, "abstained: confidence %.3f below threshold %.3f\n", e.Answer.Confidence, e.Threshold)
	}
}
