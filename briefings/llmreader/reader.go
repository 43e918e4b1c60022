// Package llmreader is an optional reader that lets a language model answer
// questions from the passages the library retrieves, behind the same
// citations as the built-in reader, and never trusted blindly.
//
// Retrieval stays the library's: the model gets the question and the top
// passages (numbered, each with its article id, title and date) as one JSON
// object, under a system prompt that says the passages are data, not
// instructions. It speaks the OpenAI-compatible Chat Completions API (POST
// {base_url}/chat/completions, structured output through response_format
// json_schema) and parses the reply strictly anyway: one JSON object
// {answer, quote, article}, or {answer: null}.
//
// A reply that answers is verified before anyone sees it:
//   - the article must be one of the passages' articles;
//   - the quote must occur in that article (after folding case,
//     diacritics, white space, quotation marks and dashes; fragments around
//     an ellipsis in order; at least MinQuoteWords words), or else the
//     article's sentence most similar to it (QuoteSimilarity, over words)
//     replaces it; the citation shows the article's own sentence(s), at most
//     three;
//   - the quote must not address a model ("ignore previous instructions"),
//     and it, the sentence before it or the article's title must share a
//     word with the question (through the lexicon's translations): an
//     answer taken from a passage that only tells the model what to say is
//     refused;
//   - a who or where question must not get a bare number;
//   - the quote must support the short answer: its names and numbers all,
//     and at least AnswerSupport of its content words, directly, inflected,
//     translated by the lexicon or spelled the Dutch way (Putin, Poetin);
//     or else the built-in reader must have given the same answer. A yes or
//     no needs the built-in reader's agreement.
//
// A reply that fails verification is never shown: the built-in reader's
// answer, or its abstention, is, and the rejection is counted by reason. So
// is every failure to get a usable reply (connection refused, the
// question's deadline, 429 without a Retry-After that fits the deadline,
// 5xx, a malformed, empty, truncated or refused reply) and every question
// the reader's own rate limits or request slots turn away: the built-in
// reader's answer is computed first, so a failing model costs no more than
// the deadline. When the model says the passages do not answer, the
// built-in reader's outcome stands too: the model can add answers, never
// take a verified one away.
//
// Verified outcomes are cached by question and passages (LRU); token usage,
// requests, outcomes, rejections and fallbacks are counted (Stats).
package llmreader

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// Defaults of Options.
const (
	DefaultTimeout          = 10 * time.Second
	DefaultMaxConcurrency   = 4
	DefaultMaxPassages      = 8
	DefaultMaxPassageTokens = 2000
	DefaultMaxAnswerTokens  = 300
	DefaultCacheSize        = 1000
)

// Default rate limits: requests to the model, for everyone and per user.
var (
	DefaultRateLimit     = Limit{Events: 60, Window: time.Minute}
	DefaultUserRateLimit = Limit{Events: 10, Window: time.Minute}
)

// Options configure a Reader. Library, BaseURL and Model are required;
// every other zero value means the default.
type Options struct {
	// Library retrieves the passages, verifies quotes and answers when the
	// model does not.
	Library *briefings.Library
	// BaseURL is the API's base, such as https://api.openai.com/v1 or
	// http://127.0.0.1:8000/v1; requests go to BaseURL + /chat/completions.
	BaseURL string
	// Model is the model name the server knows.
	Model string
	// APIKey, when set, is sent as a bearer token.
	APIKey string
	// Timeout is the question's deadline for the model, counted from the
	// start of Answer (the built-in reader's work included); when it
	// passes, the built-in reader's answer is returned. 0: DefaultTimeout.
	Timeout time.Duration
	// MaxConcurrency bounds the requests to the model in flight; a
	// question that finds no free slot before its deadline gets the
	// built-in answer. 0: DefaultMaxConcurrency.
	MaxConcurrency int
	// MaxPassages bounds the passages sent; MaxPassageTokens bounds their
	// estimated tokens (about three characters a token). MaxAnswerTokens
	// is the reply's max_tokens. 0: the defaults.
	MaxPassages      int
	MaxPassageTokens int
	MaxAnswerTokens  int
	// RateLimit bounds the requests to the model overall, UserRateLimit
	// those for one AskOptions.Asker (an empty Asker is limited only
	// overall). A question over a limit gets the built-in answer. Zero:
	// DefaultRateLimit and DefaultUserRateLimit; Events < 0: no limit.
	RateLimit     Limit
	UserRateLimit Limit
	// CacheSize is how many verified outcomes are cached, by question and
	// passages. 0: DefaultCacheSize; negative: no cache.
	CacheSize int
	// HTTPClient sends the requests; nil: a client of its own. Deadlines
	// come from the question's context, not from the client.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Clock returns the current time for the rate limits (nil:
	// time.Now). Deadlines are the context's, in real time.
	Clock func() time.Time
}

// Reader answers questions with a language model, verified, and falls back
// to the built-in reader. It implements the bot's Briefings: everything but
// Answer is the library's. Safe for concurrent use.
type Reader struct {
	lib     *briefings.Library
	model   string
	c       *client
	log     *slog.Logger
	now     func() time.Time
	timeout time.Duration
	slots   chan struct{}

	maxPassages, maxPassageTokens, maxAnswerTokens int

	limits *limiter
	cache  *lru

	stats stats
}

// New validates opts and returns a Reader. It does not contact the server.
func New(opts Options) (*Reader, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if opts.Library == nil {
		bad("Library is required")
	}
	base := strings.TrimRight(strings.TrimSpace(opts.BaseURL), "/")
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		bad("BaseURL %q is not an http or https address", opts.BaseURL)
	}
	if strings.TrimSpace(opts.Model) == "" {
		bad("Model is required")
	}
	for _, v := range []struct {
		name string
		n    int
	}{{"MaxConcurrency", opts.MaxConcurrency}, {"MaxPassages", opts.MaxPassages},
		{"MaxPassageTokens", opts.MaxPassageTokens}, {"MaxAnswerTokens", opts.MaxAnswerTokens}} {
		if v.n < 0 {
			bad("%s %d is negative", v.name, v.n)
		}
	}
	if opts.Timeout < 0 {
		bad("Timeout %v is negative", opts.Timeout)
	}
	rate, userRate := opts.RateLimit, opts.UserRateLimit
	for _, l := range []struct {
		name string
		lim  *Limit
		def  Limit
	}{{"RateLimit", &rate, DefaultRateLimit}, {"UserRateLimit", &userRate, DefaultUserRateLimit}} {
		switch {
		case *l.lim == Limit{}:
			*l.lim = l.def
		case l.lim.Events > 0 && l.lim.Window <= 0:
			bad("%s allows %d requests per window but the window %v is not positive", l.name, l.lim.Events, l.lim.Window)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("language-model reader: %w", errors.Join(errs...))
	}
	r := &Reader{
		lib:              opts.Library,
		model:            strings.TrimSpace(opts.Model),
		log:              cmp.Or(opts.Logger, slog.New(slog.DiscardHandler)),
		now:              opts.Clock,
		timeout:          cmp.Or(opts.Timeout, DefaultTimeout),
		slots:            make(chan struct{}, cmp.Or(opts.MaxConcurrency, DefaultMaxConcurrency)),
		maxPassages:      cmp.Or(opts.MaxPassages, DefaultMaxPassages),
		maxPassageTokens: cmp.Or(opts.MaxPassageTokens, DefaultMaxPassageTokens),
		maxAnswerTokens:  cmp.Or(opts.MaxAnswerTokens, DefaultMaxAnswerTokens),
		cache:            newLRU(cmp.Or(opts.CacheSize, DefaultCacheSize)),
	}
	if r.now == nil {
		r.now = time.Now
	}
	r.limits = newLimiter(rate, userRate, r.now())
	r.stats.init()
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	r.c = &client{http: hc, url: base + "/chat/completions", apiKey: opts.APIKey,
		onUsage: func(u usage) {
			r.stats.promptTokens.Add(uint64(max(u.PromptTokens, 0)))
			r.stats.completionTokens.Add(uint64(max(u.CompletionTokens, 0)))
		},
		onAttempt: func(ok bool) {
			if ok {
				r.stats.requestsOK.Add(1)
			} else {
				r.stats.requestsFailed.Add(1)
			}
		}}
	return r, nil
}

// Search, Article, Latest, Digest, Topic and Topics are the library's.
func (r *Reader) Search(ctx context.Context, query string, limit int) ([]briefings.SearchResult, error) {
	return r.lib.Search(ctx, query, limit)
}

func (r *Reader) Article(id briefings.ArticleID) (briefings.Article, bool) { return r.lib.Article(id) }

func (r *Reader) Latest(ctx context.Context, topic string, limit int) ([]briefings.DigestItem, error) {
	return r.lib.Latest(ctx, topic, limit)
}

func (r *Reader) Digest(ctx context.Context, req briefings.DigestRequest) (briefings.Digest, error) {
	return r.lib.Digest(ctx, req)
}

func (r *Reader) Topic(name string) (briefings.Topic, bool) { return r.lib.Topic(name) }
func (r *Reader) Topics() []briefings.Topic                 { return r.lib.Topics() }

// Outcomes of a question for the model (briefbot_llm_outcomes_total).
const (
	OutcomeAccepted  = "accepted"  // a verified answer was shown
	OutcomeAbstained = "abstained" // the model said the passages do not answer
	OutcomeRejected  = "rejected"  // the reply failed verification
	OutcomeFailed    = "failed"    // no usable reply (see the fallback reasons)
)

var outcomes = []string{OutcomeAccepted, OutcomeAbstained, OutcomeRejected, OutcomeFailed}

// Answer answers the question: the model's answer when it is verified,
// else the built-in reader's answer or abstention. Answer.Reader says
// which. It returns within Options.Timeout of its start (plus the time the
// built-in reader itself takes beyond it) or when ctx ends. Errors are the
// library's (ErrEmptyQuery, an unknown opts.Article, ctx's); a model's
// failure is never an error.
func (r *Reader) Answer(ctx context.Context, question string, opts briefings.AskOptions) (briefings.Answer, error) {
	mctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	builtin, err := r.lib.Answer(ctx, question, opts)
	if err != nil {
		return builtin, err
	}
	builtin.Reader = briefings.ReaderBuiltin
	ans, outcome, reason := r.read(mctx, question, opts, builtin)
	r.stats.outcome(outcome, reason)
	r.stats.reader(ans.Reader)
	return ans, nil
}

// read asks the model; outcome and reason are for the stats ("" outcome:
// the model was not asked, reason says why).
func (r *Reader) read(ctx context.Context, question string, opts briefings.AskOptions, builtin briefings.Answer) (ans briefings.Answer, outcome, reason string) {
	log := r.log.With("asker", opts.Asker)
	ret, err := r.lib.Passages(ctx, question, opts, r.maxPassages)
	if err != nil || len(ret.Passages) == 0 {
		if err != nil && ctx.Err() != nil {
			return builtin, OutcomeFailed, FailTimeout
		}
		return builtin, OutcomeFailed, FailNoPassages
	}
	given := budget(ret.Passages, r.maxPassageTokens)
	key := cacheKey(r.model, question, opts.Article, given)
	if c, ok := r.cache.get(key); ok {
		r.stats.cacheHits.Add(1)
		if a, ok := r.fromCache(c, builtin); ok {
			log.Debug("language-model answer from the cache", "answered", c.answered)
			return a, "", ""
		}
	}
	r.stats.cacheMisses.Add(1)
	if !r.limits.take(opts.Asker, r.now()) {
		log.Info("language model not asked: rate limit")
		return builtin, OutcomeFailed, FailLimit
	}
	select {
	case r.slots <- struct{}{}:
		defer func() { <-r.slots }()
	case <-ctx.Done():
		log.Warn("language model not asked: no free request slot before the deadline", "max_concurrency", cap(r.slots))
		return builtin, OutcomeFailed, FailBusy
	}
	req, err := buildRequest(r.model, r.maxAnswerTokens, question, given)
	if err != nil {
		return builtin, OutcomeFailed, FailMalformed
	}
	rep, err := r.c.complete(ctx, req)
	if err != nil {
		reason := FailMalformed
		var f *failure
		if errors.As(err, &f) {
			reason = f.reason
		}
		log.Warn("language model failed; the built-in reader answers", "reason", reason, "err", err)
		return builtin, OutcomeFailed, reason
	}
	if rep.Answer == nil {
		r.cache.put(key, cached{})
		log.Debug("the language model says the passages do not answer")
		return builtin, OutcomeAbstained, ""
	}
	v := verify(r.lib, question, ret, given, rep, builtin)
	if v.reject != "" {
		log.Info("language-model answer rejected; the built-in reader answers", "reason", v.reject)
		log.Debug("rejected language-model answer", "reason", v.reject, "detail", v.detail,
			"question", question, "answer", deref(rep.Answer), "quote", deref(rep.Quote), "article", deref(rep.Article))
		return builtin, OutcomeRejected, v.reject
	}
	r.cache.put(key, cached{answered: true, text: v.answer, article: string(v.art.ID), quote: v.quote})
	return llmAnswer(builtin, v.answer, v.art, v.quote), OutcomeAccepted, ""
}

// fromCache rebuilds the answer of a cached outcome; false when its
// article is gone.
func (r *Reader) fromCache(c cached, builtin briefings.Answer) (briefings.Answer, bool) {
	if !c.answered {
		return builtin, true
	}
	art, ok := r.lib.Article(briefings.ArticleID(c.article))
	if !ok {
		return briefings.Answer{}, false
	}
	return llmAnswer(builtin, c.text, art, c.quote), true
}

// llmAnswer is the verified answer, cited like the built-in reader's. Its
// confidence is the built-in reader's when that gave the same answer, else
// 0: the model's answers have no calibrated confidence.
func llmAnswer(builtin briefings.Answer, text string, art briefings.Article, quote string) briefings.Answer {
	a := briefings.Answer{Question: builtin.Question, Text: text, Answered: true, Reader: briefings.ReaderLLM,
		Citations: []briefings.Citation{{Article: art.ID, Source: art.Source, Title: art.Title, Date: art.Date, Quote: quote, URL: art.URL}}}
	if builtin.Answered && agree(builtin.Text, text) {
		a.Confidence = builtin.Confidence
	}
	return a
}

// cacheKey identifies a question asked over the same passages of the same
// model.
func cacheKey(model, question string, article briefings.ArticleID, ps []briefings.Passage) string {
	h := sha256.New()
	for _, s := range []string{model, strings.Join(strings.Fields(question), " "), string(article)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	for _, p := range ps {
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00%s\x00", p.Article, p.First, p.Last, p.Text)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func deref(s *string) string {
	if s == nil {
		return "(null)"
	}
	return *s
}

// Stats is a snapshot of the reader's counters, from its start.
type Stats struct {
	// RequestsOK and RequestsFailed count HTTP requests to the model that
	// got a 200 reply, and those that did not.
	RequestsOK, RequestsFailed uint64
	// Outcomes counts the questions by what the model contributed:
	// accepted, abstained, rejected, or failed (not asked, or no usable
	// reply). A question answered from the cache counts in CacheHits only.
	Outcomes map[string]uint64
	// Rejections counts verification failures by reason; Fallbacks the
	// questions answered by the built-in reader because the model could
	// not be asked or failed, by reason.
	Rejections map[string]uint64
	Fallbacks  map[string]uint64
	// Readers counts answers (and abstentions) by the reader shown.
	Readers map[string]uint64
	// PromptTokens and CompletionTokens are the usage the server reported.
	PromptTokens, CompletionTokens uint64
	CacheHits, CacheMisses         uint64
	CacheEntries                   int
}

// RejectionReasons, FallbackReasons and Outcomes list the label values
// Stats uses, so that every series can be exported from the start.
func RejectionReasons() []string { return append([]string(nil), rejectReasons...) }
func FallbackReasons() []string  { return append([]string(nil), failReasons...) }
func Outcomes() []string         { return append([]string(nil), outcomes...) }

type stats struct {
	requestsOK, requestsFailed     atomic.Uint64
	promptTokens, completionTokens atomic.Uint64
	cacheHits, cacheMisses         atomic.Uint64
	mu                             sync.Mutex
	outcomes, rejections, fallback map[string]uint64
	readers                        map[string]uint64
}

func (s *stats) init() {
	s.outcomes, s.rejections, s.fallback, s.readers = map[string]uint64{}, map[string]uint64{}, map[string]uint64{}, map[string]uint64{}
}

func (s *stats) outcome(outcome, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if outcome != "" {
		s.outcomes[outcome]++
	}
	switch outcome {
	case OutcomeRejected:
		s.rejections[reason]++
	case OutcomeFailed:
		s.fallback[reason]++
	}
}

func (s *stats) reader(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readers[name]++
}

// Stats returns a snapshot of the counters. Safe for concurrent use; it
// does not block on requests in flight.
func (r *Reader) Stats() Stats {
	st := Stats{
		RequestsOK: r.stats.requestsOK.Load(), RequestsFailed: r.stats.requestsFailed.Load(),
		PromptTokens: r.stats.promptTokens.Load(), CompletionTokens: r.stats.completionTokens.Load(),
		CacheHits: r.stats.cacheHits.Load(), CacheMisses: r.stats.cacheMisses.Load(), CacheEntries: r.cache.len(),
	}
	r.stats.mu.Lock()
	defer r.stats.mu.Unlock()
	clone := func(m map[string]uint64) map[string]uint64 {
		out := make(map[string]uint64, len(m))
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	st.Outcomes, st.Rejections, st.Fallbacks, st.Readers = clone(r.stats.outcomes), clone(r.stats.rejections), clone(r.stats.fallback), clone(r.stats.readers)
	return st
}
