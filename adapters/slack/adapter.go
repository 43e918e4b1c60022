// Package slack connects briefbot to Slack. It receives app mentions,
// direct messages, the /briefbot slash command and feedback button clicks
// over Socket Mode (default) or the Events API over HTTP, passes them to
// the bot core as bot.Messages, and renders bot.Replies as Block Kit
// messages within Slack's limits.
//
// Delivery: every Socket Mode envelope is acknowledged and every HTTP
// request answered before the handler runs, so Slack never redelivers
// because the bot is slow. A redelivery (reconnect, X-Slack-Retry-Num)
// carries the same event_id, which the adapter passes on unchanged as
// Message.EventID; the core answers each event ID once. One message
// delivered by two events with different event_ids (a direct message that
// mentions the bot comes as message.im and as app_mention) is passed on
// once: the adapter remembers, for an hour and up to 10,000 messages, which
// event first delivered each channel and ts.
//
// Text: Slack's markup in questions (mentions, channels, links, emoji
// codes, entities) becomes plain words before it reaches the core; replies
// are escaped, links to articles are added for http(s) URLs only, and the
// notification text is sent without mrkdwn so it shows as written.
//
// Slash commands are answered in the channel; where the bot may not post,
// the answer goes privately to the command's response_url (only
// https://hooks.slack.com/…) with a note on how to fix it.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/briefbot/briefbot/bot"
)

// Defaults for Options' zero values.
const (
	defaultWorkers    = 16
	defaultQueue      = 256
	defaultMaxRetries = 3
	defaultTimeout    = 30 * time.Second
)

// Options are the adapter's dependencies. Every field may be zero.
type Options struct {
	// Logger receives the adapter's logs; nil discards them. Message text
	// and tokens are never logged.
	Logger *slog.Logger
	// Clock is the current time, used for signature windows and
	// Message.Received; nil means time.Now.
	Clock func() time.Time
	// After waits like time.After; retries, Retry-After and reconnect
	// backoff wait on it. nil means time.After. Tests inject a fake.
	After func(time.Duration) <-chan time.Time
	// HTTPClient makes Web API calls; nil means a client with a 30 s
	// timeout.
	HTTPClient *http.Client
	// Feedback records a click on a reply's 👍/👎 button. nil: replies get
	// no feedback buttons.
	Feedback func(ctx context.Context, ref string, user bot.UserID, helpful bool) error
	// MaxRetries bounds the extra attempts of one post after a rate limit
	// or a connection that failed before the request was sent; 0 means 3,
	// negative means none.
	MaxRetries int
	// Workers bounds how many messages are handled at once; 0 means 16.
	Workers int
	// ResponseURLPrefix is for tests only: one more prefix a slash
	// command's response_url may start with (an httptest server's URL and
	// "/"). Empty, as in production: only https://hooks.slack.com/… is
	// followed; the URL arrives with the command and is never trusted
	// further.
	ResponseURLPrefix string
	// SharedState is set when several replicas of the bot share one
	// store (PostgreSQL): a message's EventID is then its channel and ts
	// ("ts:C…:1764….000100") instead of the event's event_id, so that the
	// two events of a direct message that mentions the bot (message.im
	// and app_mention, with different event_ids), delivered to two
	// replicas, are one event for the core's claims in the shared store.
	// One process needs no such thing: its adapter drops the twin itself.
	SharedState bool
}

// Adapter is the Slack adapter. Create it with New; it implements
// bot.Adapter. Send is safe for concurrent use and may be called before
// and after Run.
type Adapter struct {
	cfg        Config
	log        *slog.Logger
	now        func() time.Time
	after      func(time.Duration) <-chan time.Time
	api        *slackapi.Client
	hc         *http.Client // the Web API's client, also used for response_url
	feedback   func(ctx context.Context, ref string, user bot.UserID, helpful bool) error
	maxRetries int
	workers    int
	// responseURLPrefix: Options.ResponseURLPrefix, ending in "/".
	responseURLPrefix string

	once *messageOnce // Slack messages already handed to the core
	// shared: replicas share the store; messages are identified by
	// channel and ts (Options.SharedState)
	shared bool

	mu        sync.Mutex
	running   bool      // Run is active
	run       *runState // non-nil while Run accepts work
	botUserID string

	// connected and reconnects report the link to Slack to operators
	// (readiness, metrics): Socket Mode's websocket, or in HTTP mode a Run
	// that accepts requests. upThisRun is set by the first connection of
	// each Run; only connections after it count as reconnects.
	connected  atomic.Bool
	upThisRun  atomic.Bool
	reconnects atomic.Uint64
}

// Connected reports whether the adapter can receive Slack's events now: the
// Socket Mode connection is up, or in HTTP mode Run is accepting requests.
func (a *Adapter) Connected() bool { return a.connected.Load() }

// Reconnects counts the Socket Mode connections made after the first one
// of each Run: the reconnections after Slack asked for one, the
// connection died or failed. The first connection of a Run, even after
// failed attempts, is not one (Run's starts are counted outside the
// adapter); HTTP mode never reconnects. The count only grows.
func (a *Adapter) Reconnects() uint64 { return a.reconnects.Load() }

// markConnected records a connection (up) or its loss.
func (a *Adapter) markConnected(up bool) {
	if up && !a.connected.Load() && a.upThisRun.Swap(true) {
		a.reconnects.Add(1)
	}
	a.connected.Store(up)
}

var _ bot.Adapter = (*Adapter)(nil)

// runState is what one Run hands its workers and the HTTP handler.
type runState struct {
	ctx   context.Context
	h     bot.Handler
	queue chan job
}

// job is one unit of work for a worker: a message or a feedback click.
type job struct {
	msg *bot.Message
	// responseURL is a slash command's response_url, where the answer goes
	// privately when the bot cannot post in the channel; "" otherwise.
	responseURL string
	// key identifies the Slack message (channel and ts) across the events
	// that deliver it; "" for slash commands.
	key      string
	feedback *feedbackJob
}

// New checks cfg and returns an adapter; it makes no network calls.
func New(cfg Config, opts Options) (*Adapter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("slack adapter configuration: %w", err)
	}
	cfg = cfg.withDefaults()
	a := &Adapter{
		cfg:        cfg,
		log:        opts.Logger,
		now:        opts.Clock,
		after:      opts.After,
		feedback:   opts.Feedback,
		maxRetries: opts.MaxRetries,
		workers:    opts.Workers,
		botUserID:  cfg.BotUserID,
		once:       newMessageOnce(onceTTL, onceMax),
		shared:     opts.SharedState,
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.log = a.log.With("adapter", "slack")
	if a.now == nil {
		a.now = time.Now
	}
	if a.after == nil {
		a.after = time.After
	}
	switch {
	case a.maxRetries == 0:
		a.maxRetries = defaultMaxRetries
	case a.maxRetries < 0:
		a.maxRetries = 0
	}
	if a.workers <= 0 {
		a.workers = defaultWorkers
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	a.hc = hc
	if p := opts.ResponseURLPrefix; p != "" {
		if !strings.HasSuffix(p, "/") {
			p += "/"
		}
		a.responseURLPrefix = p
	}
	apiOpts := []slackapi.Option{
		slackapi.OptionAPIURL(cfg.APIURL),
		slackapi.OptionHTTPClient(hc),
	}
	if cfg.AppToken != "" {
		apiOpts = append(apiOpts, slackapi.OptionAppLevelToken(cfg.AppToken))
	}
	a.api = slackapi.New(cfg.BotToken, apiOpts...)
	return a, nil
}

// Name returns "slack".
func (a *Adapter) Name() string { return "slack" }

// BotUserID returns the bot's user ID: the configured one, or the one
// auth.test reported once Run has started; "" before that.
func (a *Adapter) BotUserID() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.botUserID
}

// Run receives events and passes them to h until ctx ends, then returns
// nil. It first learns the bot's user ID with auth.test unless configured.
// In socket mode it holds the Socket Mode connection, reconnecting on
// Slack's disconnect requests, dead connections and errors with capped
// exponential backoff; in http mode it serves HTTPHandler's requests and
// blocks. It returns an error only when Slack refuses the credentials or
// Run is already running. Up to Options.Workers messages are handled at
// once, each with a context that ends with ctx.
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	if h == nil {
		return errors.New("slack: Run needs a handler")
	}
	a.mu.Lock()
	if a.running {
		a.mu.Unlock()
		return errors.New("slack: Run is already running")
	}
	a.running = true
	a.upThisRun.Store(false)
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.running, a.run = false, nil
		a.mu.Unlock()
	}()

	if err := a.discoverIdentity(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	rs := &runState{ctx: runCtx, h: h, queue: make(chan job, defaultQueue)}
	var wg sync.WaitGroup
	for range a.workers {
		wg.Go(func() { a.work(rs) })
	}
	a.mu.Lock()
	a.run = rs
	a.mu.Unlock()
	defer a.markConnected(false)

	var err error
	switch a.cfg.Mode {
	case ModeHTTP:
		a.log.Info("slack adapter receiving events over HTTP", "bot_user_id", a.BotUserID())
		a.markConnected(true)
		<-ctx.Done()
	default:
		err = a.runSocket(runCtx, rs)
	}

	a.mu.Lock()
	a.run = nil
	a.mu.Unlock()
	cancel()
	wg.Wait()
	if n := len(rs.queue); n > 0 {
		a.log.Warn("slack events acknowledged but not handled before shutdown", "count", n)
	}
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// current returns the running Run's state, or nil when no Run accepts work.
func (a *Adapter) current() *runState {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.run
}

// enqueue hands j to the workers without blocking; false when Run is not
// accepting work or the queue is full.
func (rs *runState) enqueue(j job) bool {
	if rs == nil || rs.ctx.Err() != nil {
		return false
	}
	select {
	case rs.queue <- j:
		return true
	default:
		return false
	}
}

// enqueueWait hands j to the workers, waiting for room; false when ctx ends
// first.
func (rs *runState) enqueueWait(ctx context.Context, j job) bool {
	select {
	case rs.queue <- j:
		return true
	case <-ctx.Done():
		return false
	}
}

// submit hands the message job j to the workers with enqueue, unless j is a
// second event for a Slack message already handed over (a direct message
// that mentions the bot arrives as message.im and as app_mention, with
// different event IDs); such a j is dropped. It returns false only when
// enqueue refused j, which is then not remembered, so that Slack's
// redelivery gets through.
func (a *Adapter) submit(j job, enqueue func(job) bool) bool {
	if j.key == "" || j.msg == nil {
		return enqueue(j)
	}
	if !a.once.claim(j.key, j.msg.EventID, a.now()) {
		a.log.Debug("slack event ignored", "reason", "another event delivered the same message",
			"event_id", j.msg.EventID, "conversation", j.msg.Conversation)
		return true
	}
	if !enqueue(j) {
		a.once.release(j.key, j.msg.EventID)
		return false
	}
	return true
}

// work runs jobs until rs.ctx ends.
func (a *Adapter) work(rs *runState) {
	for {
		select {
		case <-rs.ctx.Done():
			return
		case j := <-rs.queue:
			a.do(rs, j)
		}
	}
}

// do runs one job, containing a panic in the handler to that job.
func (a *Adapter) do(rs *runState, j job) {
	defer func() {
		if p := recover(); p != nil {
			a.log.Error("slack: handler panicked", "panic", fmt.Sprint(p))
		}
	}()
	switch {
	case j.msg != nil:
		a.log.Debug("slack message received", "event_id", j.msg.EventID,
			"conversation", j.msg.Conversation, "user", j.msg.User,
			"direct", j.msg.Direct, "mentioned", j.msg.Mentioned)
		var from bot.Sender = a
		if j.responseURL != "" {
			from = commandReplier{a: a, responseURL: j.responseURL}
		}
		rs.h.HandleMessage(rs.ctx, from, *j.msg)
	case j.feedback != nil:
		a.recordFeedback(rs.ctx, *j.feedback)
	}
}

// recordFeedback passes a button click to Options.Feedback and thanks the
// user with a message only they see.
func (a *Adapter) recordFeedback(ctx context.Context, f feedbackJob) {
	if a.feedback == nil {
		a.log.Debug("slack feedback click ignored: no feedback recorder configured")
		return
	}
	if err := a.feedback(ctx, f.ref, f.user, f.helpful); err != nil {
		a.log.Error("slack: recording feedback failed", "ref", f.ref, "user", f.user, "error", err)
		return
	}
	if f.channel == "" {
		return
	}
	if _, err := a.api.PostEphemeralContext(ctx, f.channel, string(f.user),
		slackapi.MsgOptionText("Thanks, your feedback was recorded.", false)); err != nil {
		a.log.Warn("slack: thanking for feedback failed", "channel", f.channel, "error", err)
	}
}

// accept turns a translated message into a job, logging why it is ignored.
func (a *Adapter) accept(m bot.Message, ignored, source string) (job, bool) {
	if ignored != "" {
		a.log.Debug("slack event ignored", "source", source, "reason", ignored)
		return job{}, false
	}
	m.Received = a.now()
	return job{msg: &m}, true
}

// messageJob is accept for a message event of Slack message ts: its job
// with the dedupe key, and with the message's own identity as EventID
// when replicas share the store.
func (a *Adapter) messageJob(m bot.Message, ts, ignored, source string) (job, bool) {
	if a.shared && ts != "" && m.Conversation != "" {
		m.EventID = bot.EventID("ts:" + string(m.Conversation) + ":" + ts)
	}
	j, ok := a.accept(m, ignored, source)
	if ok {
		j.key = messageKey(m.Conversation, ts)
	}
	return j, ok
}

// discoverIdentity sets the bot's user ID from auth.test unless configured,
// retrying transient failures until ctx ends.
func (a *Adapter) discoverIdentity(ctx context.Context) error {
	if a.BotUserID() != "" {
		return nil
	}
	for attempt := 0; ; attempt++ {
		resp, err := a.api.AuthTestContext(ctx)
		if err == nil {
			a.mu.Lock()
			a.botUserID = resp.UserID
			a.mu.Unlock()
			a.log.Info("slack bot identity", "bot_user_id", resp.UserID, "team_id", resp.TeamID)
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if permanent(err) {
			return fmt.Errorf("slack: auth.test refused the bot token: %w; check slack.bot_token (the Bot User OAuth Token, xoxb-…) and that the app is installed", err)
		}
		d := backoff(attempt, time.Second, time.Minute)
		a.log.Warn("slack: auth.test failed; retrying", "error", err, "backoff", d)
		if err := a.wait(ctx, d); err != nil {
			return err
		}
	}
}

// wait blocks for d on the injected timer or until ctx ends.
func (a *Adapter) wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-a.after(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// backoff is base·2^attempt capped at limit, with up to 20% jitter off.
func backoff(attempt int, base, limit time.Duration) time.Duration {
	d := base
	for range min(attempt, 30) {
		d *= 2
		if d >= limit {
			d = limit
			break
		}
	}
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}

// transientSlackError reports whether a Slack API error code may succeed
// later.
func transientSlackError(code string) bool {
	switch code {
	case "ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout":
		return true
	}
	return false
}

// permanent reports whether err is Slack refusing the request itself
// (bad token, missing scope), which retrying cannot fix.
func permanent(err error) bool {
	var se slackapi.SlackErrorResponse
	if errors.As(err, &se) {
		return !transientSlackError(se.Err)
	}
	var sc slackapi.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code == http.StatusUnauthorized || sc.Code == http.StatusForbidden || sc.Code == http.StatusNotFound
	}
	return false
}
