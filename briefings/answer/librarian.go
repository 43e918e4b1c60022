package answer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/briefings/article"
)

// DefaultMinConfidence is the abstention threshold of the hand-written
// scores, used when no ranker is loaded: answers whose confidence is below it
// are withheld and the articles are said not to answer. With the learned
// ranker the threshold is the one stored in its model.
const DefaultMinConfidence = 0.4

// Citation points at the sentence of an article that supports an answer or
// a search hit.
type Citation struct {
	Article article.ID   `json:"article"`
	Source  string       `json:"source"`
	Title   string       `json:"title"`
	Date    article.Date `json:"date"`
	Quote   string       `json:"quote"`
	URL     string       `json:"url,omitempty"` // the article's web address, when known
}

// Answer is the outcome of Librarian.Answer. When Answered is false the
// articles do not answer the question: Text is empty and SeeAlso lists the
// closest articles. The engine never guesses.
type Answer struct {
	Question   string     `json:"question"`
	Text       string     `json:"answer"`
	Answered   bool       `json:"answered"`
	Confidence float64    `json:"confidence"` // 0..1, calibrated against AskOptions.MinConfidence
	Citations  []Citation `json:"citations"`
	SeeAlso    []Citation `json:"see_also,omitempty"`
	// Reader names what produced the answer (or the abstention):
	// ReaderBuiltin, or ReaderLLM for a language model's answer that was
	// verified against the cited article (see package llmreader).
	Reader string `json:"reader"`
}

// Readers that produce answers.
const (
	// ReaderBuiltin is the library's own extractor and ranker.
	ReaderBuiltin = "builtin"
	// ReaderLLM is a language model reading the passages the library
	// retrieved; its answers are verified before anyone sees them.
	ReaderLLM = "llm"
)

// AskOptions tune one question.
type AskOptions struct {
	// Article, when set, restricts the search to one article: follow-up
	// questions ("and when?") are asked against the previous answer's article.
	Article article.ID
	// MinConfidence overrides the library's abstention threshold when > 0.
	MinConfidence float64
	// Asker identifies who asks ("slack:U123"), for readers that limit
	// each user's requests (a language model's); the library ignores it.
	// Empty: unknown.
	Asker string
}

// Options configure a Librarian.
type Options struct {
	Logger *slog.Logger
	// Lexicon is the word knowledge questions and sentences are read
	// with (LoadLexicon); Stemmer the built-in analysis the index was
	// built with. Both are required.
	Lexicon *Lexicon
	Stemmer *analysis.Builtin
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
}

// A Librarian answers questions from the articles of a Corpus. It is safe
// for concurrent use; it holds no articles itself, so one Librarian serves
// every version of the article set.
type Librarian struct {
	log *slog.Logger
	an  *analysis.Builtin
	lex *Lexicon
	// ranker chooses answers and calibrates their confidence; nil means
	// the hand-written scores decide.
	ranker        *RankerModel
	minConfidence float64
	minFixed      bool // minConfidence was set, not the ranker's
	// analyzer and deepRanker: the linguistic analysis and the ranker
	// fitted with its features; nil without one.
	analyzer        analysis.Analyzer
	deepRanker      *RankerModel
	analysisTimeout time.Duration
	candPool        sync.Pool // *[]rankCand, see rankCands
}

// New returns a Librarian.
func New(opts Options) (*Librarian, error) {
	if opts.Lexicon == nil || opts.Stemmer == nil {
		return nil, errors.New("answer.New needs a lexicon and the built-in analysis")
	}
	if opts.MinConfidence > 1 {
		return nil, fmt.Errorf("minimum confidence %.2f is above 1: use a value between 0 and 1", opts.MinConfidence)
	}
	l := &Librarian{log: cmp.Or(opts.Logger, slog.New(slog.DiscardHandler)), an: opts.Stemmer, lex: opts.Lexicon}
	var err error
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
		l.minConfidence, l.minFixed = opts.MinConfidence, true
	case l.ranker != nil:
		l.minConfidence = l.ranker.Threshold
	default:
		l.minConfidence = DefaultMinConfidence
	}
	return l, nil
}

// Lexicon is the lexicon the Librarian reads with.
func (l *Librarian) Lexicon() *Lexicon { return l.lex }

// ErrEmptyQuery is returned for a question or query with no words.
var ErrEmptyQuery = errors.New("the question has no words to look for")

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

// Answer answers a question from c's articles, or says they do not answer it.
func (l *Librarian) Answer(ctx context.Context, c Corpus, questionText string, opts AskOptions) (Answer, error) {
	ans, dec, err := l.answer(ctx, c, questionText, opts)
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

func (l *Librarian) answer(ctx context.Context, s Corpus, questionText string, opts AskOptions) (Answer, decision, error) {
	if err := ctx.Err(); err != nil {
		return Answer{}, decision{best: -1}, err
	}
	questionText = strings.TrimSpace(questionText)
	ans := Answer{Question: questionText, Citations: []Citation{}, Reader: ReaderBuiltin}
	q := l.analyzeQuestion(questionText, s)
	if len(q.Groups) == 0 {
		return ans, decision{best: -1}, ErrEmptyQuery
	}
	var restrict []DocScore
	if opts.Article != "" {
		d, ok := s.Find(opts.Article)
		if !ok {
			return ans, decision{best: -1}, fmt.Errorf("no article has the ID %q", opts.Article)
		}
		restrict = []DocScore{{Doc: uint32(d), Score: 1}}
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
	if m := l.rankerFor(ex); m != nil && opts.MinConfidence <= 0 && !l.minFixed {
		minConf = m.Threshold
	}
	ans.Confidence = math.Round(dec.conf*1000) / 1000
	if dec.best >= 0 && dec.conf >= minConf {
		c := ex.cands[dec.best]
		art := s.Article(c.doc)
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
		a := s.Article(int(d.Doc))
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
func (l *Librarian) rankerFor(ex *examination) *RankerModel {
	if ex.analyzed && l.deepRanker != nil {
		return l.deepRanker
	}
	return l.ranker
}

// decide picks the answer among the examined candidates: with the learned
// ranker when one is loaded, else by the hand-written confidence.
func (l *Librarian) decide(ex *examination) decision {
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

func citation(a *article.Article, quote string) Citation {
	return Citation{Article: a.ID, Source: a.Source, Title: a.Title, Date: a.Date, Quote: quote, URL: a.URL}
}

// coverage is the weighted share of the question's groups that the sentence
// supports. Names may also be found in the previous sentence or the title
// (the sentence then often says "hij" or uses the surname), at a discount.
// anaphoricNext is the sentence after sent in art when it speaks of sent
// ("… 38 nepnieuwssites. Dat blijkt uit onderzoek van Viginum"): a
// demonstrative, then a verb. It is "" otherwise.
func anaphoricNext(art *article.Article, sent int) string {
	if sent+1 >= len(art.Sentences) {
		return ""
	}
	if next := art.Sentences[sent+1].Text; speaksOfPrevious(next) {
		return next
	}
	return ""
}

// speaksOfPrevious reports whether a sentence opens with a demonstrative
// and a verb that refer to the sentence before it ("Dat meldt de
// Washington Post", "Dit blijkt uit …").
func speaksOfPrevious(text string) bool {
	first, rest, ok := strings.Cut(text, " ")
	if !ok || (first != "Dat" && first != "Dit") {
		return false
	}
	verb, _, _ := strings.Cut(rest, " ")
	return anaphoricVerbs[strings.ToLower(verb)]
}

// anaphoricVerbs follow a sentence-initial "Dat"/"Dit" that refers to the
// sentence before: "Dat blijkt uit …", "Dat meldt de NOS", "Dit zegt …".
var anaphoricVerbs = map[string]bool{"blijkt": true, "bleek": true, "meldt": true, "meldde": true, "melden": true,
	"meldden": true, "schrijft": true, "schreef": true, "schrijven": true, "zegt": true, "zei": true, "zeggen": true,
	"zeiden": true, "stelt": true, "stelde": true, "maakt": true, "maakte": true, "maakten": true, "laat": true,
	"liet": true, "lieten": true, "bevestigt": true, "bevestigde": true, "staat": true, "stond": true,
	"concludeert": true, "concludeerde": true, "concluderen": true, "concludeerden": true, "gebeurde": true,
	"gebeurt": true, "verklaarde": true, "verklaart": true, "bericht": true, "berichtte": true, "berichten": true,
	"onthulde": true, "onthult": true, "ontdekte": true, "ontdekten": true, "zag": true, "zagen": true}

func (l *Librarian) coverage(q *question, toks []tok, weights []float64, total float64, art *article.Article, sent int) float64 {
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
	// "Dat meldt de Washington Post": the sentence before is what this one
	// says, and counts as its own words
	anaphoric := false
	if art == nil {
		// sentence only
	} else if sent > 0 {
		context = append(context, art.Sentences[sent-1].Text)
		anaphoric = speaksOfPrevious(art.Sentences[sent].Text)
	}
	if art != nil {
		if next := anaphoricNext(art, sent); next != "" {
			context = append(context, next)
		}
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
		for k, ts := range ctxToks {
			credit := 0.5
			switch {
			case k == 0 && anaphoric:
				credit = 0.9
			case g.Name:
				credit = 0.6
			}
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
	if anaphoric {
		return cov / total
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

// groupIn reports whether a word of the sentence supports group g.
func groupIn(toks []tok, g int) bool {
	for i := range toks {
		if toks[i].inGroup(g) {
			return true
		}
	}
	return false
}
