package ingest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/briefbot/briefbot/briefings/feeds"
	"github.com/briefbot/briefbot/internal/store"
)

// Defaults of a feed's polling.
const (
	DefaultInterval = 5 * time.Minute
	// MaxBackoff is the longest wait after failures (or the interval, when
	// that is longer).
	MaxBackoff = time.Hour
	// jitterFraction spreads each wait by up to ± this share, so feeds
	// started together do not poll together.
	jitterFraction = 0.1
)

// Feed is one feed to poll.
type Feed struct {
	Name     string
	URL      string
	Interval time.Duration // 0: DefaultInterval
	Timeout  time.Duration // 0: feeds.DefaultTimeout
	MaxSize  int64         // 0: feeds.DefaultMaxSize
	Topic    string        // a hint shown in the status
	// AuthHeader and AuthValue are sent with each request when both set.
	AuthHeader, AuthValue string
}

// FeedStore keeps the items and the feeds' validators; *store.SQLite is
// one.
type FeedStore interface {
	FeedState(ctx context.Context, feed string) (store.FeedState, bool, error)
	SaveFeedState(ctx context.Context, st store.FeedState) error
	PutLive(ctx context.Context, items []store.LiveItem, opts store.PutOptions) ([]store.Outcome, error)
}

// PollerOptions configure a Poller.
type PollerOptions struct {
	Feeds []Feed
	Store FeedStore
	// Fetcher fetches the feeds (nil: a zero feeds.Fetcher).
	Fetcher *feeds.Fetcher
	Logger  *slog.Logger
	// Changed is called after a poll stored new or changed articles (the
	// Refresher's Kick); nil: nothing.
	Changed func()
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Status is a feed's state, for /metrics, /readyz and the feeds command.
type Status struct {
	Name        string    `json:"name"`
	URL         string    `json:"url"`
	Topic       string    `json:"topic,omitempty"`
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	Failures    int       `json:"failures"`   // consecutive
	ItemsSeen   int       `json:"items_seen"` // articles created from the feed
	LastItems   int       `json:"last_items"` // entries in the last document
	NextPoll    time.Time `json:"next_poll,omitzero"`
	Polls       uint64    `json:"polls"`
	PollErrors  uint64    `json:"poll_errors"`
}

// Poller polls feeds. Its methods are safe for concurrent use.
type Poller struct {
	feeds   []Feed
	store   FeedStore
	fetcher *feeds.Fetcher
	log     *slog.Logger
	changed func()
	now     func() time.Time

	mu     sync.Mutex
	status map[string]*Status
	state  map[string]store.FeedState // loaded from the store on first use
}

// NewPoller checks opts and returns a Poller; Run polls.
func NewPoller(opts PollerOptions) (*Poller, error) {
	if opts.Store == nil {
		return nil, errors.New("feed poller: no store given")
	}
	p := &Poller{
		feeds: opts.Feeds, store: opts.Store, fetcher: opts.Fetcher, log: opts.Logger, changed: opts.Changed, now: opts.Now,
		status: map[string]*Status{}, state: map[string]store.FeedState{},
	}
	if p.fetcher == nil {
		p.fetcher = &feeds.Fetcher{}
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.changed == nil {
		p.changed = func() {}
	}
	if p.now == nil {
		p.now = time.Now
	}
	for _, f := range opts.Feeds {
		if f.Name == "" || f.URL == "" {
			return nil, fmt.Errorf("feed poller: feed %q has no name or URL", f.Name)
		}
		if _, dup := p.status[f.Name]; dup {
			return nil, fmt.Errorf("feed poller: two feeds are named %q", f.Name)
		}
		p.status[f.Name] = &Status{Name: f.Name, URL: f.URL, Topic: f.Topic}
	}
	return p, nil
}

// Run polls every feed until ctx ends, each on its own goroutine: the
// first poll soon after the start (within a tenth of the interval, at
// most 5s), then every interval, jittered; after failures the wait
// doubles up to MaxBackoff. A failed poll is logged and recorded, never
// fatal. Run returns nil when ctx ends.
func (p *Poller) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, f := range p.feeds {
		g.Go(func() error {
			p.loop(ctx, f)
			return nil
		})
	}
	return g.Wait()
}

func (p *Poller) loop(ctx context.Context, f Feed) {
	interval := cmp.Or(f.Interval, DefaultInterval)
	first := min(time.Duration(rand.Int64N(int64(interval)/10+1)), 5*time.Second)
	timer := time.NewTimer(first)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		_, err := p.Poll(ctx, f.Name)
		if ctx.Err() != nil {
			return
		}
		wait := NextWait(interval, p.failures(f.Name), rand.Float64())
		if err != nil {
			p.log.Warn("feed poll failed", "feed", f.Name, "err", err, "retry_in", wait.Round(time.Second))
		}
		p.mu.Lock()
		p.status[f.Name].NextPoll = p.now().Add(wait)
		p.mu.Unlock()
		timer.Reset(wait)
	}
}

// NextWait is the wait before the next poll: interval after a success,
// interval doubled per consecutive failure after failures (at most
// MaxBackoff, or interval when that is longer), spread by ±10% with u,
// a uniform number in [0, 1).
func NextWait(interval time.Duration, failures int, u float64) time.Duration {
	d := interval
	limit := max(MaxBackoff, interval)
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return time.Duration(float64(d) * (1 + jitterFraction*(2*u-1)))
}

func (p *Poller) failures(name string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status[name].Failures
}

// PollReport is what one poll did.
type PollReport struct {
	NotModified bool
	Items       int // entries converted to articles
	Skipped     []feeds.Skipped
	Created     int
	Updated     int
	Unchanged   int
}

// Poll fetches the named feed once, with the stored validators, stores
// its items and then its new validators in one transaction, and calls
// Changed when articles were created or updated. A fetch, parse or store
// failure is returned and recorded in the feed's status; the validators
// stay as they were, so the next poll reads the whole document again.
func (p *Poller) Poll(ctx context.Context, name string) (PollReport, error) {
	i := slices.IndexFunc(p.feeds, func(f Feed) bool { return f.Name == name })
	if i < 0 {
		return PollReport{}, fmt.Errorf("no feed is named %q", name)
	}
	f := p.feeds[i]
	st, err := p.feedState(ctx, f)
	if err != nil {
		return PollReport{}, err
	}
	st.LastAttempt = p.now()
	resp, err := p.fetcher.Fetch(ctx, feeds.Request{URL: f.URL, ETag: st.ETag, LastModified: st.LastModified,
		AuthHeader: f.AuthHeader, AuthValue: f.AuthValue, Timeout: f.Timeout, MaxSize: f.MaxSize})
	if err != nil {
		return PollReport{}, p.failed(ctx, st, err)
	}
	var rep PollReport
	if resp.NotModified {
		rep.NotModified = true
		st = succeeded(st, p.now())
		if err := p.store.SaveFeedState(ctx, st); err != nil {
			return rep, p.failed(ctx, st, err)
		}
		p.record(st, true, nil)
		return rep, nil
	}
	res, err := feeds.Parse(resp.Body, feeds.Source{Name: f.Name, Base: resp.URL})
	if err != nil {
		return PollReport{}, p.failed(ctx, st, err)
	}
	rep.Items, rep.Skipped = len(res.Items), res.Skipped
	items := make([]store.LiveItem, len(res.Items))
	for i, it := range res.Items {
		items[i] = store.LiveItem{Article: it.Article, Key: it.Key, Origin: "feed:" + f.Name}
	}
	next := succeeded(st, p.now())
	next.ETag, next.LastModified, next.LastItems = resp.ETag, resp.LastModified, len(res.Items)
	outcomes, err := p.store.PutLive(ctx, items, store.PutOptions{Now: p.now(), Feed: &next})
	if err != nil {
		return PollReport{}, p.failed(ctx, st, err)
	}
	for _, o := range outcomes {
		switch o {
		case store.Created:
			rep.Created++
		case store.Updated:
			rep.Updated++
		default:
			rep.Unchanged++
		}
	}
	next.ItemsSeen += rep.Created // as PutLive stored it
	p.record(next, true, nil)
	for _, s := range res.Skipped {
		p.log.Debug("feed entry skipped", "feed", f.Name, "entry", s.Index+1, "title", s.Title, "reason", s.Reason)
	}
	p.log.Info("feed polled", "feed", f.Name, "items", rep.Items, "created", rep.Created, "updated", rep.Updated, "skipped", len(rep.Skipped))
	if rep.Created+rep.Updated > 0 {
		p.changed()
	}
	return rep, nil
}

// feedState is f's state, read from the store on first use. Validators of
// another URL (the configuration changed) are not sent.
func (p *Poller) feedState(ctx context.Context, f Feed) (store.FeedState, error) {
	p.mu.Lock()
	st, ok := p.state[f.Name]
	p.mu.Unlock()
	if !ok {
		var err error
		if st, _, err = p.store.FeedState(ctx, f.Name); err != nil {
			return st, err
		}
		p.record(st, false, nil)
	}
	if st.URL != f.URL {
		st.URL, st.ETag, st.LastModified = f.URL, "", ""
	}
	st.Feed = f.Name
	return st, nil
}

func succeeded(st store.FeedState, now time.Time) store.FeedState {
	st.LastSuccess, st.LastError, st.LastErrorAt, st.Failures = now, "", time.Time{}, 0
	return st
}

// failed records a failed poll, in memory and (best effort) in the store,
// and returns err.
func (p *Poller) failed(ctx context.Context, st store.FeedState, err error) error {
	if ctx.Err() != nil {
		return err // stopping: not the feed's fault
	}
	st.LastError, st.LastErrorAt = err.Error(), p.now()
	st.Failures++
	p.record(st, true, err)
	if serr := p.store.SaveFeedState(ctx, st); serr != nil {
		p.log.Warn("cannot record a feed's failure", "feed", st.Feed, "err", serr)
	}
	return err
}

// record makes st the feed's current state and status; polled counts a
// poll (failed with pollErr, when not nil).
func (p *Poller) record(st store.FeedState, polled bool, pollErr error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state[st.Feed] = st
	s := p.status[st.Feed]
	if s == nil {
		return
	}
	s.LastAttempt, s.LastSuccess, s.LastError, s.LastErrorAt = st.LastAttempt, st.LastSuccess, st.LastError, st.LastErrorAt
	s.Failures, s.ItemsSeen, s.LastItems = st.Failures, st.ItemsSeen, st.LastItems
	if polled {
		s.Polls++
		if pollErr != nil {
			s.PollErrors++
		}
	}
}

// Status returns every feed's status, in configuration order.
func (p *Poller) Status() []Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Status, 0, len(p.feeds))
	for _, f := range p.feeds {
		out = append(out, *p.status[f.Name])
	}
	return out
}
