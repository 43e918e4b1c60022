package briefings

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/briefbot/briefbot/briefings/analysis"
)

// The answer pipeline, stage by stage: retrieve articles (BM25), pick the
// sentences that cover the question best, find candidate spans in them,
// describe every candidate with explainable features, and let the learned
// ranker (ranker.go) choose one and say how likely it is to be right.

// Limits of the pipeline: how many articles are retrieved and how many of
// their sentences are examined for candidates.
const (
	retrieveArticles  = 12
	examineSentences  = 20
	maxCandidateWords = 8
)

// Feature indexes of a candidate. Every feature is explainable; names are
// what --explain and the model file print.
const (
	fHeur       = iota // the hand-written span score (kind fit, proximity, cues)
	fFit               // how well the candidate's kind fits the question type
	fProx              // closeness to the question's matched words
	fTyped             // found by the question type's own span finder
	fCov               // weighted share of the question the sentence covers
	fSentRank          // 1/(1+rank of the sentence among those examined)
	fArtRank           // 1/(1+rank of the article)
	fArtScore          // article score relative to the best article
	fLead              // the article's first sentence
	fOwn               // share of the candidate's words that are the question's words
	fLen               // log(1+words)
	fSingle            // one word
	fLong              // more than five words
	fRedund            // log(1+other examined sentences proposing the same answer)
	fRedundArts        // log(1+other articles proposing the same answer)
	fFocusIn           // the question's focus noun is in the sentence
	fFocusOut          // the question has a focus noun the sentence lacks
	fCap               // starts with a capital letter
	fDigit             // contains a digit
	fSpeech            // next to a verb of saying
	fNear              // 1/(1+tokens to the nearest matched question word)
	fVerbNear          // 1/(1+tokens to the matched predicate), 0 without one
	fHeurTop           // the best hand-scored candidate of its sentence
	fOldConf           // the hand-written confidence: coverage^1.2 × span score
	fArtDate           // the article's date standing in for a missing one
	fKindPerson
	fKindOrg
	fKindCountry
	fKindPlace
	fKindDate
	fKindNumber
	fKindRole
	fKindPhrase
	fKindCountryAdj
	// from a linguistic analysis (deep.go); zero without one
	fAnalyzed // the sentence has an analysis
	fNerPer   // named entity classes of the candidate
	fNerOrg
	fNerLoc
	fNerMisc
	fNerFit  // the entity class fits the question
	fHasNoun // holds a noun or proper name
	fHasVerb // holds a verb
	fChunk   // is a whole phrase chunk
	fDepArg  // depends on a matched question word
	fDepSubj // is the subject of the matched predicate
	// fNameMiss is the share of the question's names and numbers that
	// neither the sentence nor its context (previous sentence, title) has
	fNameMiss
	numFeatures
)

// FeatureNames lists the ranker's features in order.
func FeatureNames() []string {
	return []string{"heur", "fit", "prox", "typed", "cov", "sent_rank", "art_rank", "art_score", "lead", "own",
		"len", "single", "long", "redund", "redund_arts", "focus_in", "focus_out", "cap", "digit", "speech", "near",
		"verb_near", "heur_top", "old_conf", "art_date", "kind_person", "kind_org", "kind_country", "kind_place",
		"kind_date", "kind_number", "kind_role", "kind_phrase", "kind_country_adj",
		"analyzed", "ner_per", "ner_org", "ner_loc", "ner_misc", "ner_fit", "has_noun", "has_verb", "chunk", "dep_arg", "dep_subj", "name_miss"}
}

// rankCand is a candidate answer with its place and features.
type rankCand struct {
	cand  candidate
	doc   int // document number in the snapshot
	sent  int // sentence index in the article
	text  string
	feats [numFeatures]float64
	score float64 // the ranker's score (log-odds scale)
	prob  float64 // share of the question's probability mass (softmax)
}

// examined is a sentence the extractor looked at.
type examined struct {
	doc, sent int
	pre, cov  float64
}

// examination is everything the pipeline found for one question: the
// input to the ranker and the trace behind --explain.
type examination struct {
	q         question
	analyzed  bool // the examined sentences have a linguistic analysis
	docs      []docScore
	sentences []examined
	cands     []rankCand
	// fullNames caches Library.fullNames per examined article.
	fullNames map[*Article]map[string]string
}

// examine runs retrieval and candidate extraction for q on s.
func (l *Library) examine(ctx context.Context, s *snapshot, q *question, restrict []docScore) (*examination, error) {
	ex := &examination{q: *q}
	docs := restrict
	if docs == nil {
		docs = s.ix.topArticles(q.Groups, retrieveArticles, nil)
	}
	ex.docs = docs
	if len(docs) == 0 {
		return ex, nil
	}
	weights, total := l.groupWeights(s, q)
	topDoc := docs[0].score
	if topDoc <= 0 {
		topDoc = 1
	}
	artRank := map[int]int{}
	for r, d := range docs {
		artRank[int(d.doc)] = r
	}
	// doc → its retrieval score relative to the best
	artScore := map[int]float64{}
	for _, d := range docs {
		artScore[int(d.doc)] = d.score / topDoc
	}
	var hits []sentHit
	for _, d := range docs {
		lo, hi := int(s.ix.sentStart[d.doc]), int(s.ix.sentStart[d.doc+1])
		for g := lo; g < hi; g++ {
			terms := s.ix.sentenceTerms(g)
			cov := 0.0
			for gi, grp := range q.Groups {
				for _, id := range grp.terms {
					if slices.Contains(terms, id) {
						cov += weights[gi]
						break
					}
				}
			}
			if cov == 0 {
				continue
			}
			pre := cov/total + 0.15*d.score/topDoc
			if g == lo {
				pre += 0.03
			}
			hits = append(hits, sentHit{doc: int(d.doc), sent: g - lo, pre: pre})
		}
	}
	slices.SortStableFunc(hits, func(a, b sentHit) int { return cmp.Compare(b.pre, a.pre) })
	if len(hits) > examineSentences {
		hits = hits[:examineSentences]
	}
	deep := l.analyzeHits(ctx, s, hits)
	ex.analyzed = deep != nil
	for rank, h := range hits {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		art := s.arts[h.doc]
		text := art.Sentences[h.sent].Text
		toks := l.annotate(q, text)
		cov := l.coverage(q, toks, weights, total, art, h.sent)
		ex.sentences = append(ex.sentences, examined{doc: h.doc, sent: h.sent, pre: h.pre, cov: cov})
		cands := l.allCandidates(q, toks, art)
		focusIn := q.focus >= 0 && groupIn(toks, q.focus)
		nameMiss := l.namesMissing(q, toks, art, h.sent)
		var align []int
		if deep != nil && len(deep[rank].Tokens) > 0 {
			align = alignTokens(text, toks, deep[rank])
			cands = l.addAnalysisCandidates(q, toks, cands, deep[rank], align)
		}
		heurTop := -1
		for i, c := range cands {
			if c.score > 0 && (heurTop < 0 || c.score > cands[heurTop].score) {
				heurTop = i
			}
		}
		for i, c := range cands {
			text := l.finishCandidate(ex, toks, c, cands, art)
			if text == "" {
				continue
			}
			rc := rankCand{cand: c, doc: h.doc, sent: h.sent, text: text}
			f := &rc.feats
			f[fHeur] = c.score
			f[fFit] = c.fit
			f[fProx] = c.prox
			f[fTyped] = b2f(c.typed)
			f[fCov] = cov
			f[fSentRank] = 1 / float64(1+rank)
			f[fArtRank] = 1 / float64(1+artRank[h.doc])
			f[fArtScore] = artScore[h.doc]
			f[fLead] = b2f(h.sent == 0)
			f[fNameMiss] = nameMiss
			f[fFocusIn] = b2f(focusIn)
			f[fFocusOut] = b2f(q.focus >= 0 && !focusIn)
			f[fHeurTop] = b2f(i == heurTop)
			f[fOldConf] = math.Pow(cov, 1.2) * (0.3 + 0.7*c.score)
			if c.start < 0 {
				f[fArtDate] = 1
			} else {
				spanFeatures(q, toks, c, f)
			}
			if deep != nil && align != nil {
				deepFeatures(q, toks, c, deep[rank], align, f)
			}
			n := len(strings.Fields(text))
			f[fLen] = math.Log1p(float64(n))
			f[fSingle] = b2f(n == 1)
			f[fLong] = b2f(n > 5)
			f[fCap] = b2f(startsUpper(text))
			f[fDigit] = b2f(strings.ContainsFunc(text, unicode.IsDigit))
			if k := kindFeature(c.kind); k >= 0 {
				f[k] = 1
			}
			ex.cands = append(ex.cands, rc)
		}
	}
	redundancy(ex.cands)
	return ex, nil
}

// analyzeHits returns the linguistic analysis of the examined sentences,
// one per hit, or nil when no analyser is configured or it cannot serve
// (answers then go on without it).
func (l *Library) analyzeHits(ctx context.Context, s *snapshot, hits []sentHit) []analysis.Sentence {
	if l.analyzer == nil || len(hits) == 0 {
		return nil
	}
	texts := make([]string, len(hits))
	for i, h := range hits {
		texts[i] = s.arts[h.doc].Sentences[h.sent].Text
	}
	actx, cancel := context.WithTimeout(ctx, l.analysisTimeout)
	defer cancel()
	out, err := l.analyzer.Analyze(actx, texts)
	if err != nil || len(out) != len(texts) {
		l.log.Debug("sentence analysis unavailable; answering without it", "error", err)
		return nil
	}
	return out
}

// namesMissing is the share of the question's names and numbers found
// neither in the sentence nor in its context (the previous sentence and the
// title): "Who won the 2020 election?" is not answered by a sentence about
// another election.
func (l *Library) namesMissing(q *question, toks []tok, art *Article, sent int) float64 {
	var need []int
	for gi, g := range q.Groups {
		if g.Name || g.Number {
			need = append(need, gi)
		}
	}
	if len(need) == 0 {
		return 0
	}
	found := map[int]bool{}
	mark := func(ts []tok) {
		for _, t := range ts {
			if t.group >= 0 {
				found[t.group] = true
			}
			for _, gm := range t.also {
				found[gm.group] = true
			}
		}
	}
	mark(toks)
	missing := 0
	for _, gi := range need {
		if !found[gi] {
			missing++
		}
	}
	if missing > 0 && art != nil {
		if sent > 0 {
			mark(l.annotate(q, art.Sentences[sent-1].Text))
		}
		mark(l.annotate(q, art.Title))
		missing = 0
		for _, gi := range need {
			if !found[gi] {
				missing++
			}
		}
	}
	return float64(missing) / float64(len(need))
}

// groupWeights weighs the question's groups: idf times importance; words
// the index lacks count fully only when they are names, which must be
// matched.
func (l *Library) groupWeights(s *snapshot, q *question) ([]float64, float64) {
	weights := make([]float64, len(q.Groups))
	var resolved, nres float64
	for i, g := range q.Groups {
		if len(g.terms) > 0 {
			weights[i] = g.snIDF * g.Weight
			resolved += weights[i]
			nres++
		}
	}
	for i, g := range q.Groups {
		if len(g.terms) == 0 {
			switch {
			case g.Name || g.Number:
				weights[i] = idf(0, s.ix.sentences()) * g.Weight
			case nres == 0:
				weights[i] = g.Weight
			case g.Untranslated:
				weights[i] = 0.5 * g.Weight * resolved / nres
			default:
				// a word the articles lack: the concept is absent
				weights[i] = g.Weight * resolved / nres
			}
		}
	}
	var total float64
	for _, w := range weights {
		total += w
	}
	if total == 0 {
		total = 1
	}
	return weights, total
}

// allCandidates returns the spans of a sentence that could answer q: those
// the question type's own finder proposes (typed) and those of every other
// finder, all scored by the hand-written span score. The ranker weighs them.
func (l *Library) allCandidates(q *question, toks []tok, art *Article) []candidate {
	if q.Type == qYesNo {
		return []candidate{{start: -1, end: -1, kind: entPhrase, score: 0.8, text: yesNo(*q, toks), typed: true}}
	}
	typed := l.candidates(q, toks, art)
	seen := map[[2]int]bool{}
	out := make([]candidate, 0, len(typed)+16)
	for _, c := range typed {
		c.typed = true
		if c.start >= 0 {
			seen[[2]int{c.start, c.end}] = true
		}
		out = append(out, c)
	}
	var more []candidate
	more = append(more, l.entitySpans(toks)...)
	more = append(more, numberSpans(l.lex, toks)...)
	more = append(more, l.dateSpans(toks)...)
	more = append(more, nounRuns(toks)...)
	if c, ok := clauseAfter(toks, reasonMarkers, 14); ok {
		more = append(more, c)
	}
	if q.Type != qHow {
		more = append(more, l.mannerSpans(q, toks)...)
	}
	if q.Type != qWhat && q.Type != qOther {
		more = append(more, l.phraseSpans(q, toks)...)
	}
	for _, c := range more {
		key := [2]int{c.start, c.end}
		if c.start < 0 || seen[key] {
			continue
		}
		seen[key] = true
		c.text = spanText(toks, c.start, c.end)
		if strings.TrimSpace(c.text) == "" || (c.kind == entPhrase && !hasContent(toks[c.start:c.end])) {
			continue
		}
		c.score = 0
		l.scoreCandidate(q, toks, &c)
		out = append(out, c)
	}
	return out
}

// nounRuns proposes runs of content words (no stop words, no punctuation
// between them) as phrases: the builtin stand-in for noun phrases.
func nounRuns(toks []tok) []candidate {
	var out []candidate
	for i := 0; i < len(toks); i++ {
		if toks[i].stop || auxWords[toks[i].Folded] {
			continue
		}
		j := i + 1
		for j < len(toks) && j-i < 4 && !toks[j].gap && !toks[j].stop && !auxWords[toks[j].Folded] {
			j++
		}
		out = append(out, candidate{start: i, end: j, kind: entPhrase})
		i = j - 1
	}
	return out
}

// finishCandidate turns a candidate into the answer text a user would see:
// coordinated entities joined, a surname completed, a country adjective
// named as the country, at most maxCandidateWords words.
func (l *Library) finishCandidate(ex *examination, toks []tok, c candidate, all []candidate, art *Article) string {
	q := &ex.q
	if c.start >= 0 && (q.Plural || q.Type == qWhich || q.Type == qWho) && c.kind != entPhrase {
		c = coordinate(toks, c, all)
	}
	text := c.text
	if c.start >= 0 && c.text == "" {
		text = spanText(toks, c.start, c.end)
	}
	switch {
	case c.kind == entPerson && c.end-c.start == 1:
		names, ok := ex.fullNames[art]
		if !ok {
			names = l.fullNames(art)
			if ex.fullNames == nil {
				ex.fullNames = map[*Article]map[string]string{}
			}
			ex.fullNames[art] = names
		}
		if full, ok := names[text]; ok {
			text = full
		}
	case c.kind == entCountryAdj && c.end-c.start == 1 && (q.Focus == entCountry || q.Type == qWhere):
		// "Chinese" answers "which country" as "China"
		if name := l.lex.countries[toks[c.start].Folded]; name != "" {
			text = titleCase(name)
		}
	}
	return trimWords(strings.Trim(text, " ,.;:"), maxCandidateWords)
}

// spanFeatures sets the features that look at the words around a span.
func spanFeatures(q *question, toks []tok, c candidate, f *[numFeatures]float64) {
	own, n := 0, 0
	for i := c.start; i < c.end && i < len(toks); i++ {
		n++
		if toks[i].group >= 0 {
			own++
		}
	}
	if n > 0 {
		f[fOwn] = float64(own) / float64(n)
	}
	if (c.start > 0 && speechVerbs[toks[c.start-1].Folded]) || (c.end < len(toks) && speechVerbs[toks[c.end].Folded]) {
		f[fSpeech] = 1
	}
	near, verb := -1, -1
	for i, t := range toks {
		if t.group < 0 || (i >= c.start && i < c.end) {
			continue
		}
		d := c.start - i
		if i >= c.end {
			d = i - c.end + 1
		}
		if near < 0 || d < near {
			near = d
		}
		if q.Groups[t.group].Verb && (verb < 0 || d < verb) {
			verb = d
		}
	}
	if near >= 0 {
		f[fNear] = 1 / float64(1+near)
	}
	if verb >= 0 {
		f[fVerbNear] = 1 / float64(1+verb)
	}
}

// redundancy counts, for every candidate, the other sentences and articles
// that propose the same answer text.
func redundancy(cands []rankCand) {
	type place struct{ doc, sent int }
	sents := map[string]map[place]bool{}
	arts := map[string]map[int]bool{}
	for _, c := range cands {
		k := normaliseAnswer(c.text)
		if sents[k] == nil {
			sents[k], arts[k] = map[place]bool{}, map[int]bool{}
		}
		sents[k][place{c.doc, c.sent}] = true
		arts[k][c.doc] = true
	}
	for i := range cands {
		k := normaliseAnswer(cands[i].text)
		cands[i].feats[fRedund] = math.Log1p(float64(len(sents[k]) - 1))
		cands[i].feats[fRedundArts] = math.Log1p(float64(len(arts[k]) - 1))
	}
}

func kindFeature(k entityKind) int {
	switch k {
	case entPerson:
		return fKindPerson
	case entOrg:
		return fKindOrg
	case entCountry:
		return fKindCountry
	case entPlace:
		return fKindPlace
	case entDate:
		return fKindDate
	case entNumber:
		return fKindNumber
	case entRole:
		return fKindRole
	case entPhrase:
		return fKindPhrase
	case entCountryAdj:
		return fKindCountryAdj
	}
	return -1
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func startsUpper(s string) bool {
	for _, r := range s {
		return unicode.IsUpper(r)
	}
	return false
}
