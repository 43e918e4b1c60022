package answer

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/briefings/article"
)

// The answer pipeline, stage by stage: retrieve articles (BM25), pick the
// sentences that cover the question best, find candidate spans in them,
// describe every candidate with explainable features, and let the learned
// ranker (ranker.go) choose one and say how likely it is to be right.

// Limits of the pipeline: how many articles are retrieved and how many of
// their sentences are examined for candidates.
const (
	retrieveArticles = 12
	examineSentences = 20
	// analyzeSentences bounds the examined sentences that go to the
	// linguistic analysis, the best by the cheap score first: Frog reads
	// some 200 words a second, and an answer waits for it when nothing is
	// cached. The others are read with the built-in analysis alone (their
	// candidates' "analyzed" feature is 0).
	analyzeSentences = 12
	// followCredit is the share of a sentence's coverage the sentence
	// after it inherits
	followCredit      = 0.5
	maxCandidateWords = 8
	// maxPartChecks bounds the substring searches for compound parts in
	// the retrieved articles' sentences per question (a usual question
	// needs a few thousand)
	maxPartChecks = 20000
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
	// fCounted: a how-many answer is followed (within three words) by the
	// noun the question counts ("hoeveel kandidaten" … "vier kandidaten")
	fCounted
	fKindName // a name of unknown kind (entName)
	// fFocusNext: the question's focus noun stands right beside the
	// candidate ("woordvoerder Dmitri Peskov", "de krant Washington Post")
	// or is the head of a longer name ("Frans Hals Museum")
	fFocusNext
	// fOtherUnit: a how-many answer measured in a unit (days, percent,
	// metres) the question does not ask for ("how many people" … "vier
	// dagen")
	fOtherUnit
	// fInitial: the candidate opens the sentence (after an article): in a
	// Dutch main clause mostly the subject ("Meta heeft … verwijderd")
	fInitial
	// fUnindexed: the share of the question's names that no article has
	// (the same for every candidate of a question: it tells calibration,
	// not the ranking)
	fUnindexed
	// fSlotLeft, fSlotRight: the question's content word right before
	// (after) the question phrase stands within three words before (after)
	// the candidate: the answer takes the question word's place ("the
	// first test of what" ~ "de eerste test van een nieuwe EU-wet")
	fSlotLeft
	fSlotRight
	// fEndStop: the span ends in a stop word, a quantity modifier or a
	// pronominal adverb ("waarin"), a boundary in the wrong place ("video waarin", "door de spelfouten
	// met"); fNoContent: it holds nothing but such words ("ongeveer")
	fEndStop
	fNoContent
	// fBareDay: a date that is only a weekday or a relative day
	// ("maandagochtend", "gisteren"), no day number, month or year
	fBareDay
	// fClockAsked: a time of day ("9.30 uur") for a question that asks
	// one ("hoe laat"); fClockOther: one for a question that does not
	fClockAsked
	fClockOther
	// the candidate's kind and length for a question that asks for a
	// thing, a manner or a reason (what, how, why): the other features
	// are shared with who/when/how-many questions, where a single name
	// is the right shape. fPhraseAsked: a phrase; fNameAsked: a name;
	// fSingleAsked: one word for how or why.
	fPhraseAsked
	fNameAsked
	fSingleAsked
	// fClauseCov: the weighted share of the question groups the sentence
	// matches that stand in the candidate's own clause (clauses split at
	// punctuation and subordinators: "Hackers versleutelden de servers,
	// waardoor artsen …"); fVerbClause: the predicate is among them
	fClauseCov
	fVerbClause
	// fSlotPrep: the preposition that governs the question word stands
	// before the candidate ("From what date" ~ "vanaf maandag 3
	// februari", "Bij welke club" ~ "bij VfL Wolfsburg"), a weekday or an
	// article between them at most
	fSlotPrep
	// fCtxCov: the best coverage among the (examined) three sentences
	// before the candidate's, less a fifth for each sentence between: a
	// reason or a number often follows the sentence that matches the
	// question ("… gaat 's nachts dicht. … De ZOG neemt het besluit
	// doordat …")
	fCtxCov
	numFeatures
)

// FeatureNames lists the ranker's features in order.
func FeatureNames() []string {
	return []string{"heur", "fit", "prox", "typed", "cov", "sent_rank", "art_rank", "art_score", "lead", "own",
		"len", "single", "long", "redund", "redund_arts", "focus_in", "focus_out", "cap", "digit", "speech", "near",
		"verb_near", "heur_top", "old_conf", "art_date", "kind_person", "kind_org", "kind_country", "kind_place",
		"kind_date", "kind_number", "kind_role", "kind_phrase", "kind_country_adj",
		"analyzed", "ner_per", "ner_org", "ner_loc", "ner_misc", "ner_fit", "has_noun", "has_verb", "chunk", "dep_arg", "dep_subj", "name_miss", "counted", "kind_name", "focus_next", "other_unit", "initial", "unindexed", "slot_left", "slot_right", "end_stop", "no_content", "bare_day", "clock_asked", "clock_other", "phrase_asked", "name_asked", "single_asked", "clause_cov", "verb_clause", "slot_prep", "ctx_cov"}
}

// rankCand is a candidate answer with its place and features.
type rankCand struct {
	cand  candidate
	doc   int // document number in the snapshot
	sent  int // sentence index in the article
	text  string
	key   string // normaliseAnswer(text), set by examine ("": not set)
	feats [numFeatures]float64
	score float64 // the ranker's score (log-odds scale)
	prob  float64 // share of the question's probability mass (softmax)
}

// answerKey is the candidate's answer text normalised for comparison.
func (c *rankCand) answerKey() string {
	if c.key == "" {
		return normaliseAnswer(c.text)
	}
	return c.key
}

// examined is a sentence the extractor looked at.
type examined struct {
	doc, sent int
	pre, cov  float64
}

// examination is everything the pipeline found for one question: the
// input to the ranker and the trace behind --explain.
type examination struct {
	s         Corpus // the article set examined
	q         question
	analyzed  bool // the examined sentences have a linguistic analysis
	docs      []DocScore
	sentences []examined
	cands     []rankCand
	// fullNames caches fullNameOf by article and name.
	fullNames map[nameIn]fullName
}

// nameIn is a name in an article; fullName is its full form, if any.
type (
	nameIn struct {
		art  *article.Article
		name string
	}
	fullName struct {
		full string
		ok   bool
	}
)

// examine runs retrieval and candidate extraction for q on s.
func (l *Librarian) examine(ctx context.Context, s Corpus, q *question, restrict []DocScore) (*examination, error) {
	// annotate each text (examined sentence, previous sentence, title)
	// once for this question, and reuse buffers from sentence to sentence
	qa := *q
	qa.memo = newAnswerMemo()
	q = &qa
	ex := &examination{s: s, q: *q}
	docs := restrict
	if docs == nil {
		docs = s.TopArticles(q.Groups, retrieveArticles)
	}
	ex.docs = docs
	if len(docs) == 0 {
		return ex, nil
	}
	l.linkAcronyms(s, q, docs)
	useSynonyms(s, q, docs[0])
	ex.q.Groups = q.Groups
	weights, total := l.groupWeights(s, q)
	topDoc := docs[0].Score
	if topDoc <= 0 {
		topDoc = 1
	}
	// a doc's rank and its retrieval score relative to the best: of its
	// last place in docs, should it have more than one
	artOf := func(doc int) (rank int, score float64) {
		for r := len(docs) - 1; r >= 0; r-- {
			if int(docs[r].Doc) == doc {
				return r, docs[r].Score / topDoc
			}
		}
		return 0, 0
	}
	var hits []sentHit
	// compound parts are looked for in the sentence text, within a budget
	// of substring searches per question: a long hostile question over
	// long articles stays bounded
	partChecks := maxPartChecks
	for _, d := range docs {
		lo, hi := s.SentRange(int(d.Doc))
		art := s.Article(int(d.Doc))
		prevCov := 0.0 // the previous sentence's, for one that speaks of it
		for g := lo; g < hi; g++ {
			terms := s.SentenceTerms(g)
			cov := 0.0
			before := prevCov
			prevCov = 0
			var text string   // the sentence, read only for compound parts
			var folded string // text folded, for names in hyphenated words
			for gi, grp := range q.Groups {
				found := sharesTerm(terms, grp.Terms)
				if found {
					cov += weights[gi]
				}
				if found || grp.Number {
					continue
				}
				if grp.Name {
					// a name as the first or a later part of a hyphenated
					// word the index holds whole: "NCSC-directeur"
					if text == "" {
						text = art.Sentences[g-lo].Text
					}
					if strings.IndexByte(text, '-') < 0 {
						continue
					}
					if folded == "" {
						folded = analysis.Fold(text)
					}
					for _, st := range grp.Stems {
						if len(st) < 2 || partChecks <= 0 {
							continue
						}
						partChecks--
						if i := strings.Index(folded, st); i >= 0 && (strings.HasPrefix(folded[i+len(st):], "-") || (i > 0 && folded[i-1] == '-')) {
							cov += weights[gi]
							break
						}
					}
					continue
				}
				// a part of a compound the index holds as one word:
				// "nepnieuwssites" for "bogus news websites" (half
				// credit: it only decides what is examined, where the
				// compound match is scored as such)
				if text == "" {
					text = art.Sentences[g-lo].Text
				}
				for _, st := range grp.Stems {
					if len(st) < 5 || partChecks <= 0 {
						continue
					}
					partChecks--
					if strings.Contains(text, st) {
						cov += 0.5 * weights[gi]
						break
					}
				}
			}
			prevCov = cov
			// "Dat meldt de Washington Post": what the sentence before says
			// is this one's content
			if before > 0 && g > lo && speaksOfPrevious(art.Sentences[g-lo].Text) {
				cov += 0.9 * before
			}
			// the sentence after a well-covered one often holds what the
			// question asks ("… is aangesteld als informateur. Hij gaat
			// …"): half the coverage of the one before, for selection
			cov = max(cov, followCredit*before)
			if cov == 0 {
				continue
			}
			pre := cov/total + 0.15*d.Score/topDoc
			if g == lo {
				pre += 0.03
			}
			hits = append(hits, sentHit{doc: int(d.Doc), sent: g - lo, pre: pre})
		}
	}
	slices.SortStableFunc(hits, func(a, b sentHit) int { return cmp.Compare(b.pre, a.pre) })
	if len(hits) > examineSentences {
		hits = hits[:examineSentences]
	}
	deep := l.analyzeHits(ctx, s, hits)
	ex.analyzed = deep != nil
	// every sentence's candidates first, then the ranker's view of them:
	// the (large) rankCands are then allocated once, as many as needed
	type sentWork struct {
		art           *article.Article
		toks          []tok
		cov, nameMiss float64
		focusIn       bool
		align         []int
		lo, hi        int // its candidates: all[lo:hi]
	}
	work := make([]sentWork, 0, len(hits))
	all := make([]candidate, 0, 8*len(hits))
	annotated := make([][]tok, len(hits))
	for rank, h := range hits {
		annotated[rank] = l.annotate(q, s.Article(h.doc).Sentences[h.sent].Text)
	}
	if q.Type == qWhich && q.Focus == entPhrase && q.focus >= 0 && slices.ContainsFunc(annotated, func(toks []tok) bool { return personInApposition(q, toks) }) {
		// "which volunteer", "which runner": a noun no list knows, which
		// the articles put beside a person ("hardloper Noor van Dijk",
		// "Lotte Hazenberg, die als vrijwilliger …"): it asks for one
		q.Focus, ex.q.Focus = entPerson, entPerson
	}
	for rank, h := range hits {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		art := s.Article(h.doc)
		text := art.Sentences[h.sent].Text
		toks := annotated[rank]
		cov := l.coverage(q, toks, weights, total, art, h.sent)
		ex.sentences = append(ex.sentences, examined{doc: h.doc, sent: h.sent, pre: h.pre, cov: cov})
		cands := l.allCandidates(q, toks, art)
		cands = append(cands, l.pronounCandidates(q, toks, art, h.sent)...)
		focusIn := q.focus >= 0 && groupIn(toks, q.focus)
		nameMiss := l.namesMissing(q, toks, art, h.sent)
		var align []int
		if deep != nil && len(deep[rank].Tokens) > 0 {
			align = alignTokens(text, toks, deep[rank])
			cands = l.addAnalysisCandidates(q, toks, cands, deep[rank], align)
		}
		lo := len(all)
		all = append(all, cands...)
		work = append(work, sentWork{art: art, toks: toks, cov: cov, nameMiss: nameMiss, focusIn: focusIn, align: align, lo: lo, hi: len(all)})
	}
	// fCtxCov: each sentence's best examined predecessor within three
	// sentences, by its own coverage (before the follow credit below)
	ctxCov := make([]float64, len(hits))
	for i, h := range hits {
		for k, o := range hits {
			if d := h.sent - o.sent; o.doc == h.doc && d >= 1 && d <= 3 {
				ctxCov[i] = max(ctxCov[i], work[k].cov*(1-0.2*float64(d-1)))
			}
		}
	}
	// a sentence right after an examined one shares its coverage, discounted
	for i, h := range hits {
		for k, o := range hits {
			if o.doc == h.doc && o.sent == h.sent-1 {
				work[i].cov = max(work[i].cov, followCredit*work[k].cov)
			}
		}
	}
	for i := range work {
		ex.sentences[i].cov = work[i].cov
	}
	ex.cands = l.rankCands(len(all))
	unindexed, names := 0.0, 0.0
	for _, g := range q.Groups {
		if g.Name {
			names++
			if len(g.Terms) == 0 {
				unindexed++
			}
		}
	}
	if names > 0 {
		unindexed /= names
	}
	for rank, h := range hits {
		w := &work[rank]
		art, toks, cov, cands := w.art, w.toks, w.cov, all[w.lo:w.hi]
		heurTop := -1
		for i, c := range cands {
			if c.score > 0 && (heurTop < 0 || c.score > cands[heurTop].score) {
				heurTop = i
			}
		}
		artRank, artScore := artOf(h.doc)
		covPow := math.Pow(cov, 1.2)
		for i, c := range cands {
			if q.Type != qWhoIs && onlyQuestionWords(q, toks, c) {
				continue // "Wie heeft Veltman Components opgericht?" is not "Veltman Components"
			}
			if q.Type == qWhat && c.kind == entPerson {
				continue // a what-question asks for a thing (see kindFit)
			}
			text := l.finishCandidate(ex, toks, c, cands, art)
			if text == "" {
				continue
			}
			// filled in place: a rankCand is large
			ex.cands = append(ex.cands, rankCand{cand: c, doc: h.doc, sent: h.sent, text: text, key: answerKeyOf(text)})
			f := &ex.cands[len(ex.cands)-1].feats
			f[fHeur] = c.score
			f[fFit] = c.fit
			f[fProx] = c.prox
			f[fTyped] = b2f(c.typed)
			f[fCov] = cov
			f[fCtxCov] = ctxCov[rank]
			f[fSentRank] = 1 / float64(1+rank)
			f[fArtRank] = 1 / float64(1+artRank)
			f[fArtScore] = artScore
			f[fLead] = b2f(h.sent == 0)
			f[fNameMiss] = w.nameMiss
			f[fUnindexed] = unindexed
			f[fFocusIn] = b2f(w.focusIn)
			f[fFocusOut] = b2f(q.focus >= 0 && !w.focusIn)
			f[fHeurTop] = b2f(i == heurTop)
			f[fOldConf] = covPow * (0.3 + 0.7*c.score)
			if c.start < 0 {
				f[fArtDate] = 1
			} else {
				spanFeatures(q, toks, c, f)
			}
			if deep != nil && w.align != nil {
				deepFeatures(q, toks, c, deep[rank], w.align, f)
			}
			n := countFields(text)
			f[fLen] = math.Log1p(float64(n))
			f[fSingle] = b2f(n == 1)
			f[fLong] = b2f(n > 5)
			f[fCap] = b2f(startsUpper(text))
			f[fDigit] = b2f(strings.ContainsFunc(text, unicode.IsDigit))
			if k := kindFeature(c.kind); k >= 0 {
				f[k] = 1
			}
			// which-questions about a thing ("welke voorziening", "via
			// welke app") ask the same
			if (q.Type == qWhich && q.Focus == entPhrase) || q.Type == qWhat || q.Type == qHow || q.Type == qWhy || q.Type == qOther {
				switch c.kind {
				case entPhrase:
					f[fPhraseAsked] = 1
				case entPerson, entOrg, entPlace, entCountry, entName:
					f[fNameAsked] = 1
				}
				f[fSingleAsked] = b2f(n == 1 && (q.Type == qHow || q.Type == qWhy))
			}
		}
	}
	redundancy(ex.cands)
	ex.q.memo = nil // the memo serves this examination only
	return ex, nil
}

// personInApposition reports whether the sentence puts the question's
// focus noun beside a person's name: right before it ("hardloper Noor van
// Dijk") or after it, its comma and words like "die als" ("Lotte
// Hazenberg, die als vrijwilliger"). A name is a person's when it opens
// with a given name.
func personInApposition(q *question, toks []tok) bool {
	for i := range toks {
		if !toks[i].inGroup(q.focus) {
			continue
		}
		if i+1 < len(toks) && !toks[i+1].gap && toks[i+1].cap && toks[i+1].class&wFirstName != 0 {
			return true
		}
		j := i - 1
		for j >= 0 && j > i-4 && !toks[j+1].gap && toks[j].class&wApposLink != 0 {
			j--
		}
		// toks[j+1] opens the apposition after a comma; the name ends at j
		if j < 0 || j == i-1 || !strings.Contains(toks[j+1].pre, ",") || !toks[j].cap {
			continue
		}
		for k := j; k >= 0 && k > j-4 && toks[k].cap; k-- {
			if toks[k].class&wFirstName != 0 {
				return true
			}
		}
	}
	return false
}

// onlyQuestionWords reports whether candidate c is made of nothing but the
// question's own words (and stop words): it repeats the question.
func onlyQuestionWords(q *question, toks []tok, c candidate) bool {
	if c.start < 0 || c.end > len(toks) {
		return false
	}
	own := 0
	for _, t := range toks[c.start:c.end] {
		switch {
		case t.group >= 0 && t.match >= 1:
			own++
		case c.end-c.start == 1 && t.group >= 0 && t.group != q.focus && t.match >= 0.7 && !q.Groups[t.group].Name:
			// one word that holds a question word as a compound part:
			// "Russischgezinde" for "pro-Russian"
			own++
		case !t.stop:
			return false
		}
	}
	return own > 0
}

// analyzeHits returns the linguistic analysis of the examined sentences,
// one per hit (the first analyzeSentences analysed, the others without
// tokens), or nil when no analyser is configured or it cannot serve
// (answers then go on without it).
func (l *Librarian) analyzeHits(ctx context.Context, s Corpus, hits []sentHit) []analysis.Sentence {
	if l.analyzer == nil || len(hits) == 0 {
		return nil
	}
	texts := make([]string, min(len(hits), analyzeSentences))
	for i, h := range hits[:len(texts)] {
		texts[i] = s.Article(h.doc).Sentences[h.sent].Text
	}
	actx, cancel := context.WithTimeout(ctx, l.analysisTimeout)
	defer cancel()
	out, err := l.analyzer.Analyze(actx, texts)
	if err != nil || len(out) != len(texts) {
		l.log.Debug("sentence analysis unavailable; answering without it", "error", err)
		return nil
	}
	// one per hit; the ones not analysed have no tokens
	return append(out, make([]analysis.Sentence, len(hits)-len(out))...)
}

// namesMissing is the share of the question's names and numbers found
// neither in the sentence nor in its context (the previous sentence and the
// title): "Who won the 2020 election?" is not answered by a sentence about
// another election.
func (l *Librarian) namesMissing(q *question, toks []tok, art *article.Article, sent int) float64 {
	var need []int
	for gi, g := range q.Groups {
		if g.Name || g.Number {
			need = append(need, gi)
		}
	}
	if len(need) == 0 {
		return 0
	}
	found := make([]bool, len(q.Groups))
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
	if missing == 0 || art == nil {
		return float64(missing) / float64(len(need))
	}
	if sent > 0 {
		mark(l.annotate(q, art.Sentences[sent-1].Text))
	}
	if next := anaphoricNext(art, sent); next != "" {
		mark(l.annotate(q, next)) // "Dat blijkt uit onderzoek van Viginum"
	}
	// a name only the title has counts half: the title speaks for the whole
	// article, the previous sentence for this one ("De PVV …" / "De partij
	// behaalde 37 zetels" against "GroenLinks-PvdA … 25 zetels")
	local := slices.Clone(found)
	mark(l.annotate(q, art.Title))
	miss := 0.0
	for _, gi := range need {
		switch {
		case !found[gi]:
			miss++
		case !local[gi]:
			miss += 0.5
		}
	}
	return miss / float64(len(need))
}

// groupWeights weighs the question's groups: idf times importance; words
// the index lacks count fully only when they are names, which must be
// matched.
func (l *Librarian) groupWeights(s Corpus, q *question) ([]float64, float64) {
	weights := make([]float64, len(q.Groups))
	var resolved, nres float64
	for i, g := range q.Groups {
		if len(g.Terms) > 0 {
			weights[i] = g.SentIDF * g.Weight
			resolved += weights[i]
			nres++
		}
	}
	for i, g := range q.Groups {
		if len(g.Terms) == 0 {
			switch {
			case g.Name || g.Number:
				weights[i] = s.SentenceIDF(0) * g.Weight
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
func (l *Librarian) allCandidates(q *question, toks []tok, art *article.Article) []candidate {
	if q.Type == qYesNo {
		return []candidate{{start: -1, end: -1, kind: entPhrase, score: 0.8, text: yesNo(*q, toks), typed: true}}
	}
	sp := &spanFinds{l: l, toks: toks}
	typed := l.candidates(q, toks, art, sp)
	var out, more []candidate
	if m := q.memo; m != nil {
		// the previous sentence's candidates are done with
		out, more = m.cands[:0], m.more[:0]
		defer func() { m.cands, m.more = out[:0], more[:0] }()
	}
	out = slices.Grow(out, len(typed)+16)
	// spans already proposed: few, so a list beats a map
	var seen [][2]int
	for _, c := range typed {
		c.typed = true
		if c.start >= 0 {
			seen = append(seen, [2]int{c.start, c.end})
		}
		out = append(out, c)
	}
	more = append(more, sp.entities()...)
	more = append(more, sp.numbers()...)
	more = append(more, sp.dates()...)
	more = appendNounRuns(more, toks)
	more = append(more, reasonClauses(toks)...)
	if q.Type != qHow {
		more = append(more, l.mannerSpans(q, toks)...)
	}
	if q.Type != qWhat && q.Type != qOther {
		more = append(more, l.phraseSpans(q, toks)...)
	}
	for _, c := range more {
		key := [2]int{c.start, c.end}
		if c.start < 0 || slices.Contains(seen, key) {
			continue
		}
		seen = append(seen, key)
		c.text = spanText(toks, c.start, c.end)
		if strings.TrimSpace(c.text) == "" || (c.kind == entPhrase && !hasContent(toks[c.start:c.end])) {
			continue
		}
		c.score = 0
		l.scoreCandidate(q, toks, &c)
		if q.Type == qWhy {
			// a reason is what the type's own finder proposes (a clause
			// after "omdat", "doordat", "om … te"); a noun run, a name or
			// a number fits a why question a third as well as its kind
			// alone suggests ("maart 426.000 euro" for "waarom …"). Not
			// for how: manner spans miss too many answers ("in drie
			// termijnen"), and the discount cost how questions more than
			// it gained.
			c.fit *= 0.3
			c.score *= 0.3
		}
		out = append(out, c)
	}
	return out
}

// useSynonyms gives the question groups whose own word the best article
// lacks their synonyms (TermGroup.Synonyms), as soft stems.
func useSynonyms(s Corpus, q *question, best DocScore) {
	var groups []TermGroup
	lo, hi := s.SentRange(int(best.Doc))
	for gi, g := range q.Groups {
		// (the focus noun names the answer's kind: "in welke stad" needs
		// no "gemeente" from the article)
		if len(g.Synonyms) == 0 || g.Name || g.Number || gi == q.focus {
			continue
		}
		used := false
		for sent := lo; sent < hi && !used; sent++ {
			used = sharesTerm(s.SentenceTerms(sent), g.Terms)
		}
		if used {
			continue
		}
		if groups == nil {
			groups = slices.Clone(q.Groups)
		}
		ng := &groups[gi]
		ng.Stems = slices.Clone(ng.Stems)
		ng.Soft = make(map[string]bool, len(ng.Synonyms))
		for _, st := range ng.Synonyms {
			if !slices.Contains(ng.Stems, st) {
				ng.Stems = append(ng.Stems, st)
				ng.Soft[st] = true
			}
		}
		ng.Terms = nil
		s.Resolve(ng)
	}
	if groups != nil {
		q.Groups = groups
	}
}

// sharesTerm reports whether a sentence's terms hold one of ids.
func sharesTerm(terms, ids []uint32) bool {
	for _, id := range ids {
		if slices.Contains(terms, id) {
			return true
		}
	}
	return false
}

// appendNounRuns proposes runs of content words (no stop words, no
// punctuation between them) as phrases: the builtin stand-in for noun
// phrases.
func appendNounRuns(out []candidate, toks []tok) []candidate {
	for i := 0; i < len(toks); i++ {
		if !inNounRun(toks[i]) {
			continue
		}
		j := i + 1
		for j < len(toks) && j-i < 4 && !toks[j].gap && inNounRun(toks[j]) {
			j++
		}
		// with its article or possessive: "de servers", "hun
		// rittenplanning" (an answer that holds the question's wording
		// of it is no worse without)
		s := i
		if i > 0 && !toks[i].gap && toks[i-1].class&wPhraseOpener != 0 {
			s = i - 1
		}
		out = append(out, candidate{start: s, end: j, kind: entPhrase})
		// with its complement: "de kruisiging van Christus", "het Schotse
		// referendum over onafhankelijkheid", "de servers met het
		// elektronisch patiëntendossier", and a second "van" after it
		// ("scheuren in de betonnen liggers van de brug")
		if k := nounComplementEnd(toks, j, wComplementPrep); k > j {
			out = append(out, candidate{start: s, end: k, kind: entPhrase})
			if m := nounComplementEnd(toks, k, wChainedPrep); m > k && m-s <= maxCandidateWords {
				out = append(out, candidate{start: s, end: m, kind: entPhrase})
			}
		}
		i = j - 1
	}
	return out
}

// inNounRun reports whether t can stand in a run of content words: no
// stop word, auxiliary or verb of saying, no breaker (boundaries.txt).
func inNounRun(t tok) bool {
	return !t.stop && t.class&(wAux|wSpeech|wRunBreaker) == 0
}

// nounComplementEnd returns the end of a phrase opened by a word of class
// preps that starts at toks[j] and complements the noun before it ("van
// de Nicaraguaanse postdienst"), or j when there is none.
func nounComplementEnd(toks []tok, j int, preps wordClass) int {
	if j >= len(toks) || toks[j].gap || toks[j].class&preps == 0 {
		return j
	}
	k := j + 1
	if k < len(toks) && !toks[k].gap && toks[k].class&wPhraseOpener != 0 {
		k++
	}
	m := k
	for m < len(toks) && m-k < 3 && !toks[m].gap && inNounRun(toks[m]) {
		m++
	}
	if m == k {
		return j
	}
	return m
}

// finishCandidate turns a candidate into the answer text a user would see:
// coordinated entities joined, a surname completed, a country adjective
// named as the country, at most maxCandidateWords words.
func (l *Librarian) finishCandidate(ex *examination, toks []tok, c candidate, all []candidate, art *article.Article) string {
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
		key := nameIn{art, text}
		fn, ok := ex.fullNames[key]
		if !ok {
			fn.full, fn.ok = l.fullNameOf(art, text)
			if ex.fullNames == nil {
				ex.fullNames = map[nameIn]fullName{}
			}
			ex.fullNames[key] = fn
		}
		if fn.ok {
			text = fn.full
		}
	case c.kind == entCountryAdj && c.end-c.start == 1 && (q.Focus == entCountry || q.Type == qWhere):
		// "Chinese" answers "which country" as "China"
		if name := l.lex.countries[toks[c.start].Folded]; name != "" {
			text = titleCase(name)
		}
	}
	limit := maxCandidateWords
	if c.kind == entPhrase && (q.Type == qWhy || q.Type == qHow) {
		limit = maxClauseWords // a reason or manner is a clause
	}
	return trimWords(strings.Trim(text, " ,.;:"), limit)
}

// fullNameOf is fullNamesReference(l, a)[name] (the tests) without mapping every
// name of the article: the first "First Name" in a's first nameSentences
// sentences, a capitalised first name and then name, one space apart.
// Only sentences that contain name are split into words.
func (l *Librarian) fullNameOf(a *article.Article, name string) (string, bool) {
	var buf []analysis.Word
	for _, s := range a.Sentences[:min(len(a.Sentences), nameSentences)] {
		if !strings.Contains(s.Text, name) {
			continue
		}
		buf = analysis.AppendWords(buf[:0], s.Text)
		for i := 1; i < len(buf); i++ {
			prev := buf[i-1]
			if buf[i].Text != name || !isCapitalized(prev.Text) || !l.lex.firstNames[prev.Folded] {
				continue
			}
			if s.Text[prev.End:buf[i].Start] == " " {
				return prev.Text + " " + buf[i].Text, true
			}
		}
	}
	return "", false
}

// slotPrepBefore reports whether one of the question's slot prepositions
// stands right before candidate c, or before a weekday or an article that
// opens it.
func slotPrepBefore(q *question, toks []tok, c candidate) bool {
	for i := c.start - 1; i >= 0 && i >= c.start-2; i-- {
		if slices.Contains(q.slotPreps, toks[i].Folded) {
			return true
		}
		if toks[i+1].gap || (toks[i].class&wWeekday == 0 && toks[i].Folded != "de" && toks[i].Folded != "het" && toks[i].Folded != "een") {
			return false
		}
	}
	return false
}

// unitOf is the word that says what number candidate c counts: its last
// word, or the word right after a one-word number ("vier dagen").
func unitOf(toks []tok, c candidate) tok {
	if c.end < len(toks) && !toks[c.end].gap && c.end-c.start == 1 {
		return toks[c.end]
	}
	return toks[c.end-1]
}

// focusComplementBefore reports whether the focus noun and its complement
// stand right before position start: "Woordvoerder van het Kremlin Dmitri
// Peskov", "de directeur van de FBI, Christopher Wray" (a complement of
// four words at most, names and articles and one noun at most, no
// punctuation inside it; not a role right before the name).
func focusComplementBefore(q *question, toks []tok, start int) bool {
	if start < 3 || toks[start-1].gap || toks[start-1].class&wRole != 0 {
		// a role right before the name makes it the complement itself:
		// "de partij van lijsttrekker Tom Bosman" names no party
		return false
	}
	plain := 0 // lowercase words in the complement other than articles
	for p := start - 1; p >= 1 && p >= start-5; p-- {
		t := toks[p]
		if p < start-1 && t.class&wComplementPrep != 0 && toks[p-1].inGroup(q.focus) {
			return true
		}
		if t.gap || t.inGroup(q.focus) {
			return false
		}
		if !t.cap && t.class&wPhraseOpener == 0 {
			// one noun at most ("van het ministerie"), no verb or
			// preposition of another clause
			if plain++; plain > 1 || t.stop || t.class&wRunBreaker != 0 {
				return false
			}
		}
	}
	return false
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
	if expandsAcronym(q, toks, c) {
		// "Algemene Dienst Inlichtingen en Veiligheid" for "the ADIV":
		// the question's own words, spelled out
		f[fOwn] = 1
	}
	if (c.start > 0 && toks[c.start-1].class&wSpeech != 0) || (c.end < len(toks) && toks[c.end].class&wSpeech != 0) {
		f[fSpeech] = 1
	}
	if c.start == 0 || (c.start == 1 && (toks[0].Folded == "de" || toks[0].Folded == "het")) {
		f[fInitial] = 1
	}
	if q.focus >= 0 {
		for i := max(0, c.start-2); i < min(len(toks), c.end+2); i++ {
			// beside it, or the head of a longer name: "Frans Hals Museum"
			// a kind of it: "levensbedreigende klachten", "restzetel" for
			// "what kind of complaints/seat"
			head := i == c.end-1 && ((c.end-c.start > 1 && (c.kind != entPhrase || q.Kind)) ||
				(q.Kind && toks[i].group == q.focus && toks[i].match < 1))
			// or opens it, whole, before a name: "rechtbank Gelderland"
			// for "which court" (not a compound of it: "sterrenbeeld
			// Draak" for "what kind of star"; and a person's role,
			// "wethouder Ilse Nijenhuis", already stands beside the
			// name alone)
			lead := i == c.start && c.end-c.start > 1 && i+1 < len(toks) && toks[i+1].cap && toks[i].group == q.focus && toks[i].match >= 1 &&
				q.Focus != entPerson && c.kind != entPerson
			if (i < c.start || i >= c.end || head || lead) && toks[i].inGroup(q.focus) {
				f[fFocusNext] = 1
				break
			}
		}
		if f[fFocusNext] == 0 && focusComplementBefore(q, toks, c.start) {
			f[fFocusNext] = 1
		}
	}
	if q.Naming && c.start > 0 && namingCues[toks[c.start-1].Folded] {
		f[fFocusNext] = 1 // "de tentoonstelling heet Alle Rembrandts"
	}
	if q.counted >= 0 && c.kind == entNumber {
		last := c.end + 3
		if u := toks[c.end-1]; c.end-c.start > 1 && timeUnits[u.Folded] && u.group != q.counted {
			last = c.end - 1 // "acht uur 's ochtends moeten patiënten": hours, not patients
		}
		for i := max(c.start, c.end-1); i < len(toks) && i <= last; i++ {
			if toks[i].group == q.counted {
				f[fCounted] = 1
				break
			}
		}
		if unit := unitOf(toks, c); f[fCounted] == 0 && measureUnits[unit.Folded] && unit.group < 0 {
			f[fOtherUnit] = 1
		}
	}
	if q.Percent && c.kind == entNumber {
		// "32,28%" or "48,6 procent" for "what was the turnout", "welk
		// percentage": the share asked for
		f[fCounted] = max(f[fCounted], b2f(isPercent(toks, c)))
	}
	if q.Times && c.kind == entNumber {
		// "hoe vaak": a number of times, not of people or euros
		unit := unitOf(toks, c)
		f[fCounted] = max(f[fCounted], b2f(timesWords[unit.Folded]))
		f[fOtherUnit] = b2f(f[fCounted] == 0 && (measureUnits[unit.Folded] || unit.class&wCurrency != 0))
	}
	if q.Duration && c.kind == entNumber {
		// "hoe lang": any time unit is the one asked for
		unit := unitOf(toks, c)
		f[fCounted], f[fOtherUnit] = b2f(timeUnits[unit.Folded]), b2f(!timeUnits[unit.Folded] && measureUnits[unit.Folded])
	}
	if c.end > c.start && c.end <= len(toks) {
		function := func(t tok) bool { return t.class&(wStop|wNumMod|wRunBreaker) != 0 || pronominalAdverb(t.Folded) }
		f[fEndStop] = b2f(function(toks[c.end-1]))
		f[fNoContent] = b2f(!slices.ContainsFunc(toks[c.start:c.end], func(t tok) bool {
			return !function(t) || strings.ContainsFunc(t.Text, unicode.IsDigit)
		}))
		if c.kind == entDate {
			f[fBareDay] = b2f(!slices.ContainsFunc(toks[c.start:c.end], func(t tok) bool {
				return t.class&wMonth != 0 || strings.ContainsFunc(t.Text, unicode.IsDigit)
			}))
		}
		if isClock(toks, c.start, c.end) {
			f[fClockAsked], f[fClockOther] = b2f(q.Clock), b2f(!q.Clock)
		}
	}
	if q.slotLeft >= 0 && c.start > 0 && c.start <= len(toks) {
		f[fSlotLeft] = b2f(groupIn(toks[max(0, c.start-3):min(c.start, len(toks))], q.slotLeft))
	}
	if len(q.slotPreps) > 0 && c.start > 0 && c.start <= len(toks) {
		f[fSlotPrep] = b2f(slotPrepBefore(q, toks, c))
	}
	if q.slotRight >= 0 && c.end < len(toks) {
		f[fSlotRight] = b2f(groupIn(toks[max(0, c.end):min(c.end+3, len(toks))], q.slotRight))
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
	f[fClauseCov], f[fVerbClause] = clauseFeatures(q, toks, c)
	if near >= 0 {
		f[fNear] = 1 / float64(1+near)
	}
	if verb >= 0 {
		f[fVerbNear] = 1 / float64(1+verb)
	}
}

// clauseFeatures returns the weighted share of the question groups the
// sentence matches that also stand in the clause(s) candidate c touches,
// and whether the predicate does.
func clauseFeatures(q *question, toks []tok, c candidate) (cov, verb float64) {
	if c.start < 0 || c.end > len(toks) || c.start >= c.end {
		return 0, 0
	}
	first, last := toks[c.start].clause, toks[c.end-1].clause
	var in, all uint64 // groups as bits (the first 64)
	mark := func(g int, here bool) {
		if g < 64 {
			all |= 1 << g
			if here {
				in |= 1 << g
			}
		}
	}
	for _, t := range toks {
		if t.group < 0 {
			continue
		}
		here := t.clause >= first && t.clause <= last
		mark(t.group, here)
		for _, m := range t.also {
			mark(m.group, here)
		}
	}
	wAll, wIn := 0.0, 0.0
	for g := range q.Groups {
		if g >= 64 || all&(1<<g) == 0 {
			continue
		}
		wAll += q.Groups[g].Weight
		if in&(1<<g) != 0 {
			wIn += q.Groups[g].Weight
			if q.Groups[g].Verb {
				verb = 1
			}
		}
	}
	if wAll > 0 {
		cov = wIn / wAll
	}
	return cov, verb
}

// clauseBreak reports whether a new clause starts at word t: after a
// comma, semicolon, colon, bracket or dash, or at a subordinator or
// relative pronoun ("waardoor", "omdat", "die"; boundaries.txt).
func clauseBreak(t tok) bool {
	return strings.ContainsAny(t.pre, ",;:()–—") || t.class&wClauseOpener != 0
}

// expandsAcronym reports whether the candidate c is part of the expansion
// of one of the question's acronyms: the initials of the capitalised words
// of the run of names it stands in ("Algemene Dienst Inlichtingen en
// Veiligheid") spell the acronym.
func expandsAcronym(q *question, toks []tok, c candidate) bool {
	if len(q.acronyms) == 0 || c.start < 0 || c.end > len(toks) {
		return false
	}
	joiner := func(t tok) bool {
		return !t.cap && (t.class&wJoiner != 0 || t.Folded == "en" || t.Folded == "and" || t.Folded == "voor" || t.Folded == "for" || t.Folded == "of")
	}
	start := c.start
	for start > 0 && !toks[start].gap && ((toks[start-1].cap && !toks[start-1].stop) || joiner(toks[start-1])) && c.start-start < 8 {
		start--
	}
	for start < c.start && !toks[start].cap {
		start++
	}
	var buf [16]byte
	ini := buf[:0]
	end := start
	for i := start; i < len(toks) && len(ini) < len(buf); i++ {
		t := toks[i]
		if i > start && t.gap {
			break
		}
		if t.cap && t.Folded != "" {
			ini = append(ini, t.Folded[0])
		} else if !joiner(t) {
			break
		}
		end = i + 1
	}
	if len(ini) < 2 || end < c.end {
		return false
	}
	for _, a := range q.acronyms {
		if fa := analysis.Fold(a); string(ini) == fa {
			return true
		}
	}
	return false
}

// redundancy counts, for every candidate, the other sentences and articles
// that propose the same answer text.
func redundancy(cands []rankCand) {
	// number the answers (by normalised text) and list each one's
	// candidates (few, mostly one): members[start[a]:start[a+1]]
	answer := make(map[string]int, len(cands))
	of := make([]int, len(cands))
	var start []int
	for i := range cands {
		a, ok := answer[cands[i].answerKey()]
		if !ok {
			a = len(start)
			answer[cands[i].answerKey()] = a
			start = append(start, 0)
		}
		of[i] = a
		start[a]++
	}
	start = append(start, 0)
	for a, sum := 0, 0; a < len(start); a++ {
		start[a], sum = sum, sum+start[a]
	}
	members := make([]int, len(cands))
	next := slices.Clone(start)
	for i, a := range of {
		members[next[a]] = i
		next[a]++
	}
	// per answer, its distinct sentences and articles
	sents, arts := make([]int, len(start)-1), make([]int, len(start)-1)
	for a := range sents {
		m := members[start[a]:start[a+1]]
		for j, i := range m {
			newSent, newArt := true, true
			for _, e := range m[:j] {
				if cands[e].doc == cands[i].doc {
					newArt = false
					if cands[e].sent == cands[i].sent {
						newSent = false
						break
					}
				}
			}
			if newSent {
				sents[a]++
			}
			if newArt {
				arts[a]++
			}
		}
	}
	for i := range cands {
		cands[i].feats[fRedund] = math.Log1p(float64(sents[of[i]] - 1))
		cands[i].feats[fRedundArts] = math.Log1p(float64(arts[of[i]] - 1))
	}
}

// answerKeyOf is normaliseAnswer(s); ASCII is done here in one pass.
func answerKeyOf(s string) string {
	var buf [96]byte
	b := append(buf[:0], ' ')
	fields, in := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			return normaliseAnswer(s)
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case asciiPunctOrSymbol(c):
			c = ' '
		}
		if asciiSpace[c] {
			in = false
			continue
		}
		if !in {
			if fields > 0 {
				b = append(b, ' ')
			}
			fields++
			in = true
		}
		b = append(b, c)
	}
	return string(append(b, ' '))
}

// asciiPunctOrSymbol reports the ASCII characters unicode.IsPunct or
// unicode.IsSymbol accepts: the printable ones other than letters, digits
// and space.
func asciiPunctOrSymbol(c byte) bool {
	return '!' <= c && c <= '/' || ':' <= c && c <= '@' || '[' <= c && c <= '`' || '{' <= c && c <= '~'
}

// countFields is len(strings.Fields(s)), without building the fields.
func countFields(s string) int {
	n, inField := 0, false
	for i := 0; i < len(s); {
		c := s[i]
		var space bool
		if c < utf8.RuneSelf {
			space = asciiSpace[c]
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
			i += size
		}
		if !space && !inField {
			n++
		}
		inField = !space
	}
	return n
}

// asciiSpace are the ASCII bytes strings.Fields splits at.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

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
	case entName:
		return fKindName
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

// rankCands returns an empty slice for n candidates, reusing one that
// Answer gave back (the candidates are the bulk of what an answer
// allocates, and with the index outside the heap the collector runs every
// few answers).
func (l *Librarian) rankCands(n int) []rankCand {
	if p, ok := l.candPool.Get().(*[]rankCand); ok && cap(*p) >= n {
		return (*p)[:0]
	}
	return make([]rankCand, 0, n)
}

// recycle gives an examination's candidates back once nothing refers to
// them.
func (l *Librarian) recycle(ex *examination) {
	if ex == nil || cap(ex.cands) == 0 || cap(ex.cands) > 4096 {
		return
	}
	c := ex.cands[:cap(ex.cands)]
	clear(c)
	c = c[:0]
	ex.cands = nil
	l.candPool.Put(&c)
}
