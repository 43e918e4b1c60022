package briefings

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/briefings/answer"
)

// Options configure a Library. The zero value is usable.
type Options struct {
	Logger *slog.Logger
	// MinConfidence is the abstention threshold (0: the ranker's own
	// threshold, or DefaultMinConfidence without a ranker).
	MinConfidence float64
	// Ranker chooses answers and calibrates confidence (nil: the model
	// shipped with briefbot). NoRanker uses the hand-written scores instead.
	Ranker   *answer.RankerModel
	NoRanker bool
	// Analyzer, when set, analyses the sentences an answer examines (Frog);
	// DeepRanker is the ranker fitted with its features (nil: the model
	// shipped with briefbot). When the analyser fails or is slower than
	// AnalysisTimeout (0: 3 s), answers use Ranker without it.
	Analyzer        analysis.Analyzer
	DeepRanker      *answer.RankerModel
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
	lex   *answer.Lexicon
	cls   *Classifier
	opts  Options
	state atomic.Pointer[snapshot]
	// librarian answers questions from the snapshots.
	librarian *answer.Librarian
	// deltaMin is the smallest index that Replace patches with a delta
	// rather than rebuilds (defaultDeltaMin; tests lower it).
	deltaMin int
	// damaged: the opened index failed its late checksum check; the next
	// Replace rebuilds it whole. lateChecked is closed when the check of
	// the last OpenIndex is over (for tests).
	damaged     atomic.Bool
	lateChecked chan struct{}
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
	lex, err := answer.LoadLexicon(opts.ExtraLexicon)
	if err != nil {
		return nil, err
	}
	if opts.FreeDictDir != "-" {
		dir := cmp.Or(opts.FreeDictDir, answer.DefaultFreeDictDir)
		n, err := lex.AddFreeDict(dir)
		if err != nil {
			return nil, fmt.Errorf("FreeDict dictionaries in %s: %w", dir, err)
		}
		if n > 0 {
			opts.Logger.Debug("FreeDict dictionaries loaded", "dir", dir, "english_words", n)
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
	librarian, err := answer.New(answer.Options{Logger: opts.Logger, Lexicon: lex, Stemmer: an,
		MinConfidence: opts.MinConfidence, Ranker: opts.Ranker, NoRanker: opts.NoRanker,
		Analyzer: opts.Analyzer, DeepRanker: opts.DeepRanker, AnalysisTimeout: opts.AnalysisTimeout})
	if err != nil {
		return nil, err
	}
	l := &Library{log: opts.Logger, an: an, lex: lex, cls: cls, opts: opts, librarian: librarian, deltaMin: defaultDeltaMin}
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
var ErrEmptyQuery = answer.ErrEmptyQuery

// Search ranks articles for a free-text query (English or Dutch) and returns
// at most limit results with a snippet each.
func (l *Library) Search(ctx context.Context, query string, limit int) ([]SearchResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := l.state.Load()
	defer runtime.KeepAlive(s)
	hits, err := l.librarian.Search(corpus{s}, query, limit)
	if err != nil {
		return nil, err
	}
	out := make([]SearchResult, 0, len(hits))
	for _, h := range hits {
		a := s.art(h.Doc)
		out = append(out, SearchResult{Article: a.ID, Source: a.Source, Title: a.Title, Date: a.Date, URL: a.URL,
			Score: math.Round(h.Score*1000) / 1000, Snippet: h.Snippet})
	}
	return out, nil
}
