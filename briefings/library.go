package briefings

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/briefbot/briefbot/briefings/analysis"
	"io/fs"
	"log/slog"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
)

// DefaultMinConfidence is the abstention threshold of the hand-written
// scores, used when no ranker is loaded: answers whose confidence is below it
// are withheld and the articles are said not to answer. With the learned
// ranker the threshold is the one stored in its model.
const DefaultMinConfidence = 0.4

// Options configure a Library. The zero value is usable.
type Options struct {
	Logger *slog.Logger
	// MinConfidence is the abstention threshold (0: the ranker's own
	// threshold, or DefaultMinConfidence without a ranker).
	MinConfidence float64
	// Ranker chooses answers and calibrates confidence (nil: the model
	// shipped with briefbot). NoRanker uses the hand-written scores instead.
	Ranker   *RankerModel
	NoRanker bool
	// Analyzer, when set, analyses the sentences an answer examines (Frog);
	// DeepRanker is the ranker fitted with its features (nil: the model
	// shipped with briefbot). When the analyser fails or is slower than
	// AnalysisTimeout (0: 3 s), answers use Ranker without it.
	Analyzer        analysis.Analyzer
	DeepRanker      *RankerModel
	AnalysisTimeout time.Duration
	// Topics are the digest topics; nil means BuiltinTopics().
	Topics []Topic
	// Location is the time zone digests and dates are shown in (nil: UTC).
	Location *time.Location
	// ExtraLexicon, when set, adds lexicon files (same names and formats as
	// the embedded ones) to the built-in lexicon.
	ExtraLexicon fs.FS
	// Clock returns the current time (nil: time.Now).
	Clock func() time.Time
	// FreeDictDir is where Debian's FreeDict English-Dutch dictionaries
	// are read from, when installed, as a second source of translations
	// ("": DefaultFreeDictDir; "-": do not use them).
	FreeDictDir string
	// IndexDir, when set, is where the index is saved after each build
	// (IndexFile), for OpenIndex to serve at the next start; "" keeps it
	// in a temporary file that lives only as long as the library.
	IndexDir string
}

// Library answers questions, searches and builds digests over a set of
// articles. All methods are safe for concurrent use; Replace swaps the whole
// article set atomically, so readers always see one consistent snapshot.
type Library struct {
	log   *slog.Logger
	an    *analysis.Builtin
	lex   *Lexicon
	cls   *Classifier
	opts  Options
	state atomic.Pointer[snapshot]
	// ranker chooses answers and calibrates their confidence; nil means
	// the hand-written scores decide.
	ranker        *RankerModel
	minConfidence float64
	// analyzer and deepRanker: the linguistic analysis and the ranker
	// fitted with its features; nil without one.
	analyzer        analysis.Analyzer
	deepRanker      *RankerModel
	analysisTimeout time.Duration
	// deltaMin is the smallest index that Replace patches with a delta
	// rather than rebuilds (defaultDeltaMin; tests lower it).
	deltaMin int
	// damaged: the opened index failed its late checksum check; the next
	// Replace rebuilds it whole. lateChecked is closed when the check of
	// the last OpenIndex is over (for tests).
	damaged     atomic.Bool
	lateChecked chan struct{}
	candPool    sync.Pool // *[]rankCand, see rankCands
	// building serialises Replace, ReplaceFrom and OpenIndex: each works
	// from the snapshot before it and writes the saved index
	building sync.Mutex
}

// NewLibrary returns an empty Library; call Replace to give it articles.
func NewLibrary(opts Options) (*Library, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MinConfidence > 1 {
		return nil, fmt.Errorf("minimum confidence %.2f is above 1: use a value between 0 and 1", opts.MinConfidence)
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	lex, err := LoadLexicon(opts.ExtraLexicon)
	if err != nil {
		return nil, err
	}
	if opts.FreeDictDir != "-" {
		dir := cmp.Or(opts.FreeDictDir, DefaultFreeDictDir)
		if lex.dict, err = loadFreeDict(dir); err != nil {
			return nil, fmt.Errorf("FreeDict dictionaries in %s: %w", dir, err)
		}
		if len(lex.dict) > 0 {
			opts.Logger.Debug("FreeDict dictionaries loaded", "dir", dir, "english_words", len(lex.dict))
		}
	}
	an := analysis.NewBuiltin()
	topics := opts.Topics
	if topics == nil {
		topics = BuiltinTopics()
	}
	cls, err := newLexiconClassifier(topics, lex, an)
	if err != nil {
		return nil, fmt.Errorf("digest topics: %w", err)
	}
	l := &Library{log: opts.Logger, an: an, lex: lex, cls: cls, opts: opts, deltaMin: defaultDeltaMin}
	if !opts.NoRanker {
		l.ranker = opts.Ranker
		if l.ranker == nil {
			if l.ranker, err = DefaultRanker(); err != nil {
				return nil, fmt.Errorf("the built-in answer ranker: %w", err)
			}
		}
	}
	if opts.Analyzer != nil {
		l.analyzer = opts.Analyzer
		l.analysisTimeout = cmp.Or(opts.AnalysisTimeout, 3*time.Second)
		l.deepRanker = opts.DeepRanker
		if l.deepRanker == nil && !opts.NoRanker {
			if l.deepRanker, err = DefaultDeepRanker(); err != nil {
				return nil, fmt.Errorf("the built-in answer ranker for analysed text: %w", err)
			}
		}
	}
	switch {
	case opts.MinConfidence > 0:
		l.minConfidence = opts.MinConfidence
	case l.ranker != nil:
		l.minConfidence = l.ranker.Threshold
	default:
		l.minConfidence = DefaultMinConfidence
	}
	empty, err := l.build(context.Background(), "", IndexFile, func(func(*Article, error) bool) {}, segmentOptions{})
	if err != nil {
		return nil, fmt.Errorf("an empty index: %w", err)
	}
	l.state.Store(newSnapshot(empty, nil))
	return l, nil
}

// Len returns the number of articles.
func (l *Library) Len() int { return l.state.Load().len() }

// Article returns the article with the given ID.
func (l *Library) Article(id ArticleID) (Article, bool) {
	s := l.state.Load()
	defer runtime.KeepAlive(s)
	i, ok := s.find(id)
	if !ok {
		return Article{}, false
	}
	return *s.art(i), true
}

// Articles returns all articles, sorted by ID.
func (l *Library) Articles() []Article {
	s := l.state.Load()
	defer runtime.KeepAlive(s)
	out := make([]Article, 0, s.len())
	for d := range s.ordered() {
		g, i := s.segOf(d)
		a, err := decodeRecord(g.record(i))
		if err != nil {
			a = s.art(d)
		}
		out = append(out, *a)
	}
	return out
}

// Topic returns the digest topic with the given name.
func (l *Library) Topic(name string) (Topic, bool) { return l.cls.Topic(name) }

// Topics lists the digest topics.
func (l *Library) Topics() []Topic { return l.cls.Topics() }

// Latest lists the newest articles on topic ("" for all), newest first.
func (l *Library) Latest(ctx context.Context, topic string, limit int) ([]DigestItem, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := l.state.Load()
	defer runtime.KeepAlive(s)
	return latestItems(ctx, s, l.cls, topic, limit)
}

// Digest returns the topic's articles for the requested period.
func (l *Library) Digest(ctx context.Context, req DigestRequest) (Digest, error) {
	if err := ctx.Err(); err != nil {
		return Digest{}, err
	}
	s := l.state.Load()
	defer runtime.KeepAlive(s)
	return buildDigest(ctx, s, l.cls, req, l.opts.Location)
}

// ErrEmptyQuery is returned for a question or query with no words.
var ErrEmptyQuery = errors.New("the question has no words to look for")

// Search ranks articles for a free-text query (English or Dutch) and returns
// at most limit results with a snippet each.
func (l *Library) Search(ctx context.Context, query string, limit int) ([]SearchResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 10
	}
	s := l.state.Load()
	defer runtime.KeepAlive(s)
	words := analysis.Words(query)
	if len(words) == 0 {
		return nil, ErrEmptyQuery
	}
	q := question{Text: query, Lang: detectLang(words), counted: -1}
	q.Groups = l.buildGroups(words, make([]bool, len(words)), q.Lang, s.ix)
	if q.Lang == "nl" && len(q.Groups) > 0 {
		// a query may mix languages: add English translations of unmatched words
		en := l.buildGroups(words, make([]bool, len(words)), "en", s.ix)
		for i := range q.Groups {
			if len(q.Groups[i].terms) == 0 && i < len(en) {
				q.Groups[i] = en[i]
			}
		}
	}
	top := s.ix.topArticles(q.Groups, limit, nil)
	out := make([]SearchResult, 0, len(top))
	for _, d := range top {
		a := s.art(int(d.doc))
		// the snippet is the sentence matching the most query concepts
		// (by the index's term ids; earlier wins ties), marked up
		best, bestN := -1, -1
		lo, hi := s.ix.sentRange(int(d.doc))
		for g := lo; g < hi; g++ {
			terms, n := s.ix.sentenceTerms(g), 0
			for _, grp := range q.Groups {
				for _, id := range grp.terms {
					if slices.Contains(terms, id) {
						n++
						break
					}
				}
			}
			if n > bestN {
				best, bestN = g-lo, n
			}
		}
		snippet := ""
		if best >= 0 {
			text := a.Sentences[best].Text
			snippet = markMatches(text, l.annotate(&q, text))
		}
		out = append(out, SearchResult{Article: a.ID, Source: a.Source, Title: a.Title, Date: a.Date, URL: a.URL,
			Score: math.Round(d.score*1000) / 1000, Snippet: snippet})
	}
	return out, nil
}

// markMatches wraps the matched words of text in ** for display.
func markMatches(text string, toks []tok) string {
	var b strings.Builder
	last := 0
	for _, t := range toks {
		if t.group < 0 {
			continue
		}
		b.WriteString(text[last:t.Start])
		b.WriteString("**")
		b.WriteString(text[t.Start:t.End])
		b.WriteString("**")
		last = t.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// sentHit is a sentence considered as the support for an answer.
type sentHit struct {
	doc, sent int
	pre       float64 // cheap score from term ids
}

// Answer answers a question from the articles, or says they do not answer it.
func (l *Library) Answer(ctx context.Context, questionText string, opts AskOptions) (Answer, error) {
	ans, dec, err := l.answer(ctx, questionText, opts)
	l.recycle(dec.ex) // the answer holds none of it
	return ans, err
}

// decision is how the pipeline answered one question: the examination, the
// chosen candidate (-1 for none) and its calibrated confidence.
type decision struct {
	ex   *examination
	best int
	conf float64
}

func (l *Library) answer(ctx context.Context, questionText string, opts AskOptions) (Answer, decision, error) {
	if err := ctx.Err(); err != nil {
		return Answer{}, decision{best: -1}, err
	}
	questionText = strings.TrimSpace(questionText)
	ans := Answer{Question: questionText, Citations: []Citation{}, Reader: ReaderBuiltin}
	s := l.state.Load()
	defer runtime.KeepAlive(s)
	q := l.analyzeQuestion(questionText, s.ix)
	if len(q.Groups) == 0 {
		return ans, decision{best: -1}, ErrEmptyQuery
	}
	var restrict []docScore
	if opts.Article != "" {
		d, ok := s.find(opts.Article)
		if !ok {
			return ans, decision{best: -1}, fmt.Errorf("no article has the ID %q", opts.Article)
		}
		restrict = []docScore{{doc: uint32(d), score: 1}}
	}
	ex, err := l.examine(ctx, s, &q, restrict)
	if err != nil {
		return ans, decision{best: -1}, err
	}
	dec := l.decide(ex)
	minConf := l.minConfidence
	if opts.MinConfidence > 0 {
		minConf = opts.MinConfidence
	}
	if m := l.rankerFor(ex); m != nil && opts.MinConfidence <= 0 && l.opts.MinConfidence <= 0 {
		minConf = m.Threshold
	}
	ans.Confidence = math.Round(dec.conf*1000) / 1000
	if dec.best >= 0 && dec.conf >= minConf {
		c := ex.cands[dec.best]
		art := s.art(c.doc)
		ans.Answered = true
		ans.Text = c.text
		ans.Citations = append(ans.Citations, citation(art, art.Sentences[c.sent].Text))
		return ans, dec, nil
	}
	// abstain: point at the closest articles instead
	for i, d := range ex.docs {
		if i == 3 {
			break
		}
		a := s.art(int(d.doc))
		quote := ""
		if len(a.Sentences) > 0 {
			quote = a.Sentences[0].Text
		}
		ans.SeeAlso = append(ans.SeeAlso, citation(a, quote))
	}
	return ans, dec, nil
}

// rankerFor is the ranker for an examination: the one fitted with the
// analysis features when the sentences were analysed.
func (l *Library) rankerFor(ex *examination) *RankerModel {
	if ex.analyzed && l.deepRanker != nil {
		return l.deepRanker
	}
	return l.ranker
}

// decide picks the answer among the examined candidates: with the learned
// ranker when one is loaded, else by the hand-written confidence.
func (l *Library) decide(ex *examination) decision {
	d := decision{ex: ex, best: -1}
	if len(ex.cands) == 0 {
		return d
	}
	if m := l.rankerFor(ex); m != nil {
		d.best = m.rank(ex.cands)
		d.conf = m.confidence(ex.cands, d.best)
		return d
	}
	d.best = heuristicChoice(ex.cands)
	if d.best >= 0 {
		d.conf = ex.cands[d.best].feats[fOldConf]
	}
	return d
}

func citation(a *Article, quote string) Citation {
	return Citation{Article: a.ID, Source: a.Source, Title: a.Title, Date: a.Date, Quote: quote, URL: a.URL}
}

// coverage is the weighted share of the question's groups that the sentence
// supports. Names may also be found in the previous sentence or the title
// (the sentence then often says "hij" or uses the surname), at a discount.
func (l *Library) coverage(q *question, toks []tok, weights []float64, total float64, art *Article, sent int) float64 {
	got := make([]float64, len(q.Groups))
	for _, t := range toks {
		if t.group >= 0 && t.match > got[t.group] {
			got[t.group] = t.match
		}
		for _, gm := range t.also {
			got[gm.group] = max(got[gm.group], gm.match)
		}
	}
	var context []string
	if art == nil {
		// sentence only
	} else if sent > 0 {
		context = append(context, art.Sentences[sent-1].Text)
	}
	if art != nil {
		context = append(context, art.Title)
	}
	own := 0.0
	for gi := range q.Groups {
		own += weights[gi] * got[gi]
	}
	// context: names count 0.6, other words 0.5 ("the turnout of the
	// election" in an article about the election); it can at most double
	// what the sentence itself supports
	var ctxToks [][]tok
	for gi, g := range q.Groups {
		if got[gi] > 0 {
			continue
		}
		if ctxToks == nil {
			for _, c := range context {
				ctxToks = append(ctxToks, l.annotate(q, c))
			}
		}
		credit := 0.5
		if g.Name {
			credit = 0.6
		}
		for _, ts := range ctxToks {
			for _, t := range ts {
				if t.group == gi {
					got[gi] = max(got[gi], credit*t.match)
				}
			}
		}
	}
	cov := 0.0
	for gi := range q.Groups {
		cov += weights[gi] * got[gi]
	}
	if total == 0 {
		return 0
	}
	return min(cov, 2*own) / total
}

// yesNo answers a yes/no question from a supporting sentence: "no" when the
// sentence negates and the question does not.
func yesNo(q question, toks []tok) string {
	neg := false
	for _, t := range toks {
		if negations[t.Folded] {
			neg = true
		}
	}
	for _, w := range analysis.Words(q.Text) {
		if negations[w.Folded] {
			neg = !neg
			break
		}
	}
	switch {
	case q.Lang == "nl" && neg:
		return "Nee"
	case q.Lang == "nl":
		return "Ja"
	case neg:
		return "No"
	}
	return "Yes"
}

// nameSentences bounds how far into an article fullNameOf (rank.go) looks:
// news introduces a person's full name early, and an answer must not walk
// a multi-megabyte article.
const nameSentences = 300

// titleCase capitalises each word: "verenigde staten" -> "Verenigde Staten".
func titleCase(s string) string {
	f := strings.Fields(s)
	for i, w := range f {
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		f[i] = string(r)
	}
	return strings.Join(f, " ")
}

// groupIn reports whether a token of the sentence matches group g.
func groupIn(toks []tok, g int) bool {
	for _, t := range toks {
		if t.group == g {
			return true
		}
	}
	return false
}
