package answer

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// EvalItem is one question of an evaluation file (the format of
// shared/eval/seed-dev.yaml). An item with no answers and no article has no
// answer in the articles: the right reply is to abstain.
type EvalItem struct {
	ID       string   `yaml:"id" json:"id"`
	Question string   `yaml:"question" json:"question"`
	Lang     string   `yaml:"lang" json:"lang"`
	Answers  []string `yaml:"answers" json:"answers"`
	Article  *string  `yaml:"article" json:"article"`
	Type     string   `yaml:"type" json:"type"`
}

// ParseEvalItems reads an evaluation file.
func ParseEvalItems(data []byte) ([]EvalItem, error) {
	var items []EvalItem
	if err := yaml.Unmarshal(data, &items); err != nil {
		return nil, fmt.Errorf("evaluation file is not a YAML list of questions: %w", err)
	}
	for i, it := range items {
		if strings.TrimSpace(it.Question) == "" {
			return nil, fmt.Errorf("evaluation item %d (%q) has no question", i+1, it.ID)
		}
		if len(it.Answers) > 0 && it.Article == nil {
			return nil, fmt.Errorf("evaluation item %q has answers but no article", it.ID)
		}
	}
	return items, nil
}

// EvalResult is the outcome of one item.
type EvalResult struct {
	ID           string  `json:"id"`
	Question     string  `json:"question"`
	Type         string  `json:"type"`
	Answer       string  `json:"answer"`
	Answered     bool    `json:"answered"`
	Confidence   float64 `json:"confidence"`
	Cited        string  `json:"cited"`
	Correct      bool    `json:"correct"`      // answer contains a gold answer, or rightly abstained
	CitationOK   bool    `json:"citation_ok"`  // cited the gold article (answerable items)
	Unanswerable bool    `json:"unanswerable"` // the item has no answer in the articles
	// Forced is the best candidate whether or not it was given (the answer
	// at a threshold of 0), and ForcedRight whether it holds a gold answer.
	Forced      string `json:"forced,omitempty"`
	ForcedRight bool   `json:"forced_right,omitempty"`
	// Where the pipeline lost an answerable item: the gold article's rank
	// among those retrieved (-1: not retrieved), a gold answer inside an
	// examined sentence, and among the candidates.
	ArticleRank int  `json:"article_rank"`
	SentRecall  bool `json:"sentence_recall,omitempty"`
	CandRecall  bool `json:"candidate_recall,omitempty"`
	// AskedAs is the question type the analysis found (Type is the gold one).
	AskedAs string `json:"asked_as,omitempty"`
}

// EvalReport sums up an evaluation run.
type EvalReport struct {
	Items            int          `json:"items"`
	Correct          int          `json:"correct"`
	Accuracy         float64      `json:"accuracy"`
	Answerable       int          `json:"answerable"`
	CitationsCorrect int          `json:"citations_correct"`
	CitationAccuracy float64      `json:"citation_accuracy"`
	Unanswerable     int          `json:"unanswerable"`
	Abstained        int          `json:"abstained"`         // abstentions in total
	RightAbstentions int          `json:"right_abstentions"` // abstained on an unanswerable item
	WrongAbstentions int          `json:"wrong_abstentions"` // abstained on an answerable item
	Stages           StageReport  `json:"stages"`
	Results          []EvalResult `json:"results"`
}

// Evaluate asks every item's question and scores the answers: an answer is
// correct when it contains a gold answer (case-insensitively, punctuation
// and white space normalised), or when an unanswerable item is abstained on.
// The report also scores every stage of the pipeline (see StageReport).
func Evaluate(ctx context.Context, lib *Librarian, c Corpus, items []EvalItem) (EvalReport, error) {
	var r EvalReport
	var preds []Prediction
	for _, it := range items {
		ans, dec, err := lib.answer(ctx, c, it.Question, AskOptions{})
		if err != nil && err != ErrEmptyQuery {
			return r, fmt.Errorf("question %q: %w", it.ID, err)
		}
		res := EvalResult{ID: it.ID, Question: it.Question, Type: it.Type, Answer: ans.Text,
			Answered: ans.Answered, Confidence: ans.Confidence, Unanswerable: len(it.Answers) == 0}
		if len(ans.Citations) > 0 {
			res.Cited = ans.Citations[0].Source
		}
		ri := &RankerItem{Item: it, Unanswerable: res.Unanswerable}
		p := Prediction{Item: ri, Answered: ans.Answered, Confidence: dec.conf}
		if dec.ex != nil {
			ri.stage = lib.stageOf(dec.ex, it)
			res.ArticleRank, res.SentRecall, res.CandRecall = ri.stage.artRank, ri.stage.sentRecall, ri.stage.candRecall
			res.AskedAs = dec.ex.q.Type.String()
			if dec.best >= 0 {
				p.Answer = dec.ex.cands[dec.best].text
				p.Right = answerMatches(p.Answer, it.Answers)
				res.Forced, res.ForcedRight = p.Answer, p.Right
			}
		}
		preds = append(preds, p)
		r.score(res, it)
	}
	if r.Items > 0 {
		r.Accuracy = float64(r.Correct) / float64(r.Items)
	}
	if r.Answerable > 0 {
		r.CitationAccuracy = float64(r.CitationsCorrect) / float64(r.Answerable)
	}
	r.Stages = ScoreStages(preds)
	return r, nil
}

// normaliseAnswer lower-cases s, turns punctuation into spaces and folds runs
// of white space, for comparing answers.
func normaliseAnswer(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsPunct(r) || unicode.IsSymbol(r) {
			r = ' '
		}
		b.WriteRune(r)
	}
	return " " + strings.Join(strings.Fields(b.String()), " ") + " "
}

// score adds res, the result of asking item it, to the report: whether it
// is correct (a gold answer in the answer, or an abstention on an
// unanswerable item), its citation, and the counts.
func (r *EvalReport) score(res EvalResult, it EvalItem) {
	r.Items++
	if !res.Answered {
		r.Abstained++
	}
	if res.Unanswerable {
		r.Unanswerable++
		res.Correct = !res.Answered
		if !res.Answered {
			r.RightAbstentions++
		}
	} else {
		r.Answerable++
		if !res.Answered {
			r.WrongAbstentions++
		}
		res.Correct = res.Answered && answerMatches(res.Answer, it.Answers)
		res.CitationOK = res.Answered && it.Article != nil && res.Cited == *it.Article
		if res.CitationOK {
			r.CitationsCorrect++
		}
	}
	if res.Correct {
		r.Correct++
	}
	r.Results = append(r.Results, res)
}
