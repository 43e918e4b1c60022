// Package scheduler posts the scheduled digests of subscriptions, exactly
// once per scheduled time across restarts and replicas.
//
// Each subscription has a five-field cron spec read in its own time zone
// ("0 7 * * *" in Europe/Amsterdam is 07:00 local on both sides of a DST
// change). Every firing is a slot: the scheduled instant, truncated to the
// minute, in UTC. Before posting a slot's digest the scheduler claims it in
// the store; after posting it marks it sent. A process that dies between
// claim and send leaves a claim that another process (or a restart) takes
// over once the lease has passed, at most MaxAttempts times in all, so a
// crash gives one retry and never a double post. (A crash after the platform
// accepted the post but before it was marked sent can post twice; no store
// can close that window.)
//
// The digest of a slot covers (the last sent slot, the slot]; the first
// digest of a subscription covers the one schedule interval before its slot.
// A restart that missed a slot posts it once when it is less than Grace old,
// and logs and skips it otherwise; the next digest then covers the gap.
//
// A slot whose adapter is not ready (not yet logged in after a start, or
// reconnecting) is not claimed, so that a replica whose adapter is connected
// may post it; it waits and is posted once the adapter is ready, within the
// grace window. A post that fails is retried by the process that holds the
// slot, after RetryBackoff, doubling each time, within the grace window;
// these retries renew the claim and count no attempt.
//
// Every claim checks the subscription's schedule in the store: a process
// that has not yet seen another process's change of a schedule cannot post
// a slot of the old one. Run re-reads the subscriptions every
// ReloadInterval, and at once after such a refusal.
//
// cron (github.com/robfig/cron/v3) only triggers the work; what is due at a
// given time is decided by RunDue and Fire against the injected clock, which
// is what the tests drive.
package scheduler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
)

// Digester builds digests; briefings.Library implements it.
type Digester interface {
	Digest(ctx context.Context, req briefings.DigestRequest) (briefings.Digest, error)
	Topic(name string) (briefings.Topic, bool)
}

// Defaults for the zero Options fields.
const (
	DefaultLease           = 10 * time.Minute
	DefaultMaxAttempts     = 2
	DefaultGrace           = 6 * time.Hour
	DefaultLimit           = 10
	DefaultShutdownTimeout = 30 * time.Second
	DefaultRetryBackoff    = 30 * time.Second
	DefaultReloadInterval  = 30 * time.Second
)

// recordTimeout bounds recording a posted digest as sent, which happens
// even when the context of the post has ended.
const recordTimeout = 5 * time.Second

// Options configure a Scheduler. Store, Digester and Senders are required.
type Options struct {
	Store    bot.Store
	Digester Digester
	// Senders post replies, by adapter name (Subscription.Platform).
	Senders map[string]bot.Sender
	// Subscriptions come from configuration. The first Refresh saves them to
	// the Store (unless an identical one is there), after which they are
	// ordinary subscriptions: a chat "unsubscribe" removes one until the
	// next start. Their ID is ignored; a zero Created becomes now.
	Subscriptions []bot.Subscription
	Logger        *slog.Logger
	// Clock is the time source for slots, claims and catch-up; nil means
	// time.Now. cron's own timers always use real time.
	Clock func() time.Time
	// Owner names this process in digest claims; empty means host-pid.
	Owner string
	// Lease is how long a claim protects a digest being posted before
	// another process may take it over; the holder's own retries renew it.
	// 0 means DefaultLease.
	Lease time.Duration
	// MaxAttempts bounds the claims of one slot: the first plus takeovers
	// of claims whose holder died or gave up. A holder's own retries of a
	// failed post (RetryBackoff) do not count. 0 means DefaultMaxAttempts.
	MaxAttempts int
	// Grace is how old a missed slot may be and still be posted after a
	// restart; 0 means DefaultGrace, negative means never catch up.
	Grace time.Duration
	// SkipEmpty, when true, posts nothing for a period without stories
	// (the slot is still marked handled); otherwise a short "nothing new"
	// notice is posted.
	SkipEmpty bool
	// Limit caps the stories per digest; 0 means DefaultLimit.
	Limit int
	// Location is the time zone of subscriptions without one; nil is UTC.
	Location *time.Location
	// ShutdownTimeout bounds how long Run waits for running digests when
	// ctx ends; 0 means DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// Ready reports, by adapter name, whether that adapter can post now
	// (the Slack and Matrix adapters' Connected). A slot that falls due
	// while its adapter is not ready is not claimed; it is checked again on
	// every retry tick until the adapter is ready or the slot is older than
	// Grace. An adapter without an entry is always ready.
	Ready map[string]func() bool
	// RetryBackoff is the wait before retrying a failed post; it doubles
	// with each failure, up to the larger of RetryBackoff and Lease/2 (so
	// the retrying process keeps its claim). Retries stop when the slot
	// would be older than Grace; with a negative Grace, a failed post is not
	// retried. Run checks for due retries every RetryBackoff, at most every
	// second. 0 means DefaultRetryBackoff.
	RetryBackoff time.Duration
	// ReloadInterval is how often Run re-reads the subscriptions from the
	// store, to follow changes other processes on the same database make;
	// 0 means DefaultReloadInterval, negative means only on Refresh.
	ReloadInterval time.Duration
}

// Scheduler posts subscriptions' digests. Its methods are safe for
// concurrent use.
type Scheduler struct {
	opts Options
	log  *slog.Logger
	cron *cron.Cron

	mu          sync.Mutex
	entries     map[int64]*entry
	retries     map[retryKey]*retry
	configSaved bool
	jobCtx      context.Context // the context cron jobs run with, set by Run

	// reload asks Run to re-read the subscriptions (a claim found one
	// changed or removed in the store).
	reload chan struct{}
}

// retryKey identifies one slot of one subscription.
type retryKey struct {
	sub  int64
	slot int64 // Unix seconds
}

// retry is a slot waiting to be tried again.
type retry struct {
	sub      bot.Subscription
	slot     time.Time
	at       time.Time // when to try again, by Options.Clock
	failures int       // failed posts so far
	held     bool      // this scheduler holds the slot's claim
	waiting  bool      // for the adapter to be ready, rather than for at
}

// entry is one registered subscription.
type entry struct {
	sub       bot.Subscription
	key       string // cron spec and zone: a change re-registers
	sched     cron.Schedule
	loc       *time.Location
	cronID    cron.EntryID
	lastCheck time.Time // slots up to here were handled by RunDue or catch-up
}

// New checks opts and the configured subscriptions. It touches no store;
// Refresh (or Run) registers the subscriptions.
func New(opts Options) (*Scheduler, error) {
	switch {
	case opts.Store == nil:
		return nil, errors.New("scheduler: no store given")
	case opts.Digester == nil:
		return nil, errors.New("scheduler: no digester given")
	case len(opts.Senders) == 0:
		return nil, errors.New("scheduler: no senders given")
	case opts.MaxAttempts < 0 || opts.Lease < 0 || opts.Limit < 0 || opts.ShutdownTimeout < 0 || opts.RetryBackoff < 0:
		return nil, errors.New("scheduler: Lease, MaxAttempts, Limit, ShutdownTimeout and RetryBackoff must not be negative")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Owner == "" {
		host, _ := os.Hostname()
		opts.Owner = fmt.Sprintf("%s-%d", cmp.Or(host, "briefbot"), os.Getpid())
	}
	opts.Lease = cmp.Or(opts.Lease, DefaultLease)
	opts.MaxAttempts = cmp.Or(opts.MaxAttempts, DefaultMaxAttempts)
	opts.Grace = cmp.Or(opts.Grace, DefaultGrace)
	opts.Limit = cmp.Or(opts.Limit, DefaultLimit)
	opts.ShutdownTimeout = cmp.Or(opts.ShutdownTimeout, DefaultShutdownTimeout)
	opts.RetryBackoff = cmp.Or(opts.RetryBackoff, DefaultRetryBackoff)
	opts.ReloadInterval = cmp.Or(opts.ReloadInterval, DefaultReloadInterval)
	opts.Ready = maps.Clone(opts.Ready)
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	opts.Senders = maps.Clone(opts.Senders)
	opts.Subscriptions = slices.Clone(opts.Subscriptions)
	s := &Scheduler{opts: opts, log: opts.Logger, entries: map[int64]*entry{}, retries: map[retryKey]*retry{}, reload: make(chan struct{}, 1)}
	var errs []error
	for i, sub := range opts.Subscriptions {
		if _, _, err := s.check(sub); err != nil {
			errs = append(errs, fmt.Errorf("configured subscription %d: %w", i+1, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	cl := cronLogger{opts.Logger}
	s.cron = cron.New(
		cron.WithLocation(opts.Location),
		cron.WithLogger(cl),
		cron.WithChain(cron.Recover(cl), cron.SkipIfStillRunning(cl)),
	)
	return s, nil
}

// cronLogger adapts slog to cron.Logger. cron's chatty Info goes to Debug.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }

func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append([]any{"error", err}, kv...)...)
}

var specParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// check validates a subscription and returns its schedule and zone.
func (s *Scheduler) check(sub bot.Subscription) (cron.Schedule, *time.Location, error) {
	what := fmt.Sprintf("subscription to %q in %s/%s", sub.Topic, sub.Platform, sub.Conversation)
	if _, ok := s.opts.Senders[sub.Platform]; !ok {
		return nil, nil, fmt.Errorf("%s: no adapter %q is running (have %s)", what, sub.Platform, strings.Join(slices.Sorted(maps.Keys(s.opts.Senders)), ", "))
	}
	if _, ok := s.opts.Digester.Topic(sub.Topic); !ok {
		return nil, nil, fmt.Errorf("%s: unknown topic %q", what, sub.Topic)
	}
	spec := strings.TrimSpace(sub.Cron)
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return nil, nil, fmt.Errorf("%s: cron spec %q names a time zone: give it as the time zone, not in the spec", what, sub.Cron)
	}
	loc := s.opts.Location
	if sub.TimeZone != "" {
		l, err := time.LoadLocation(sub.TimeZone)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: unknown time zone %q (use an IANA name such as Europe/Amsterdam)", what, sub.TimeZone)
		}
		loc = l
	}
	sched, err := specParser.Parse("CRON_TZ=" + loc.String() + " " + spec)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: cron spec %q: %w (want five fields: minute hour day-of-month month day-of-week)", what, sub.Cron, err)
	}
	if _, ok := sched.(*cron.SpecSchedule); !ok {
		return nil, nil, fmt.Errorf("%s: cron spec %q is not a calendar schedule (@every is not supported)", what, sub.Cron)
	}
	return sched, loc, nil
}

// Refresh saves the configured subscriptions (first call only), reloads all
// subscriptions from the store, registers new and changed ones with cron,
// drops removed ones, and catches up the missed slots of the ones it
// registered (see the package comment). The bot core calls it after a
// subscribe or unsubscribe; Run calls it on start and every ReloadInterval.
// It returns an error only when the subscriptions could not be loaded or
// saved; an invalid stored subscription (its adapter or topic gone) is
// logged and skipped, and a failed catch-up post is logged and retried (see
// RetryDue).
func (s *Scheduler) Refresh(ctx context.Context) error {
	if err := s.saveConfigured(ctx); err != nil {
		return err
	}
	subs, err := s.opts.Store.Subscriptions(ctx)
	if err != nil {
		return fmt.Errorf("refresh digest schedule: %w", err)
	}
	now := s.opts.Clock()
	s.mu.Lock()
	seen := map[int64]bool{}
	var added []entry
	for _, sub := range subs {
		sched, loc, err := s.check(sub)
		if err != nil {
			s.log.Error("subscription skipped", "subscription", sub.ID, "error", err)
			continue
		}
		seen[sub.ID] = true
		key := loc.String() + " " + strings.TrimSpace(sub.Cron)
		if e, ok := s.entries[sub.ID]; ok {
			e.sub = sub
			if e.key == key {
				continue
			}
			s.cron.Remove(e.cronID)
			delete(s.entries, sub.ID)
		}
		e := &entry{sub: sub, key: key, sched: sched, loc: loc, lastCheck: now}
		id := sub.ID
		e.cronID = s.cron.Schedule(sched, cron.FuncJob(func() { s.fireEntry(id) }))
		s.entries[id] = e
		added = append(added, *e)
		s.log.Info("digest scheduled", "subscription", id, "topic", sub.Topic, "platform", sub.Platform,
			"cron", sub.Cron, "time_zone", loc.String(), "next", sched.Next(now).UTC())
	}
	for id, e := range s.entries {
		if !seen[id] {
			s.cron.Remove(e.cronID)
			delete(s.entries, id)
			s.log.Info("digest unscheduled", "subscription", id)
		}
	}
	s.mu.Unlock()

	slices.SortFunc(added, func(a, b entry) int { return cmp.Compare(a.sub.ID, b.sub.ID) })
	for _, e := range added {
		if err := s.catchUp(ctx, e, now); err != nil {
			s.logFailure(ctx, "missed digest not posted", err, "subscription", e.sub.ID)
		}
	}
	return nil
}

// saveConfigured saves the configured subscriptions once.
func (s *Scheduler) saveConfigured(ctx context.Context) error {
	s.mu.Lock()
	done := s.configSaved
	s.mu.Unlock()
	if done || len(s.opts.Subscriptions) == 0 {
		return nil
	}
	stored, err := s.opts.Store.Subscriptions(ctx)
	if err != nil {
		return fmt.Errorf("save configured subscriptions: %w", err)
	}
	for _, sub := range s.opts.Subscriptions {
		i := slices.IndexFunc(stored, func(o bot.Subscription) bool {
			return o.Platform == sub.Platform && o.Conversation == sub.Conversation && o.Topic == sub.Topic
		})
		if i >= 0 && stored[i].Cron == sub.Cron && stored[i].TimeZone == sub.TimeZone {
			continue
		}
		sub.ID = 0
		if sub.Created.IsZero() {
			sub.Created = s.opts.Clock()
		}
		if sub.CreatedBy == "" {
			sub.CreatedBy = "config"
		}
		if _, err := s.opts.Store.AddSubscription(ctx, sub); err != nil {
			return fmt.Errorf("save configured subscription: %w", err)
		}
	}
	s.mu.Lock()
	s.configSaved = true
	s.mu.Unlock()
	return nil
}

// catchUp posts the most recent slot before now if it was missed and is
// within the grace window.
func (s *Scheduler) catchUp(ctx context.Context, e entry, now time.Time) error {
	prev := prevSlot(e.sched, now)
	if prev.IsZero() || s.opts.Grace < 0 {
		return nil
	}
	base := e.sub.Created
	last, err := s.opts.Store.LastDigest(ctx, e.sub.ID)
	switch {
	case err == nil:
		base = last.Slot
	case !errors.Is(err, bot.ErrNotFound):
		return fmt.Errorf("catch up digest of subscription %d: %w", e.sub.ID, err)
	}
	if !prev.After(base) {
		return nil
	}
	if late := now.Sub(prev); late > s.opts.Grace {
		s.log.Warn("missed digest skipped: older than the grace window", "subscription", e.sub.ID,
			"topic", e.sub.Topic, "slot", prev, "late", late.Round(time.Minute), "grace", s.opts.Grace)
		return nil
	}
	s.log.Info("posting missed digest", "subscription", e.sub.ID, "slot", prev)
	_ = s.Fire(ctx, e.sub, prev) // logs its failures itself
	return nil
}

// fireEntry is the cron job of one subscription.
func (s *Scheduler) fireEntry(id int64) {
	s.mu.Lock()
	ctx := s.jobCtx
	e, ok := s.entries[id]
	s.mu.Unlock()
	if !ok || ctx == nil {
		return
	}
	_ = s.runEntry(ctx, e, s.opts.Clock()) // Fire logs its failures
}

// RunDue posts, for every registered subscription, each slot in (the last
// time RunDue or Refresh looked, now]. Slots older than the grace window
// are skipped and logged. cron calls it per subscription at each firing;
// tests call it with a fake clock. It returns the failures of Fire, which
// are logged already.
func (s *Scheduler) RunDue(ctx context.Context, now time.Time) error {
	s.mu.Lock()
	es := slices.Collect(maps.Values(s.entries))
	s.mu.Unlock()
	slices.SortFunc(es, func(a, b *entry) int { return cmp.Compare(a.sub.ID, b.sub.ID) })
	var errs []error
	for _, e := range es {
		if err := s.runEntry(ctx, e, now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Scheduler) runEntry(ctx context.Context, e *entry, now time.Time) error {
	s.mu.Lock()
	from := e.lastCheck
	if !now.After(from) {
		s.mu.Unlock()
		return nil
	}
	e.lastCheck = now
	sub, sched := e.sub, e.sched
	s.mu.Unlock()

	if s.opts.Grace >= 0 {
		if oldest := now.Add(-s.opts.Grace); from.Before(oldest) {
			if t := sched.Next(from); !t.IsZero() && !t.After(oldest) {
				s.log.Warn("missed digests skipped: older than the grace window", "subscription", sub.ID,
					"topic", sub.Topic, "first_slot", t, "grace", s.opts.Grace)
			}
			from = oldest
		}
	}
	var errs []error
	for t := sched.Next(from); !t.IsZero() && !t.After(now); t = sched.Next(t) {
		if err := s.Fire(ctx, sub, t); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Fire posts sub's digest for slot unless it was sent or is being sent:
// claim, build, post, mark sent. It returns nil when another process holds
// or has finished the slot, when sub's schedule changed or sub was removed
// in the store (Run then re-reads the subscriptions), and when sub's
// adapter is not ready (the slot then waits for it, see RetryDue). A
// failure is logged, and, unless ctx ended, the slot is queued for a retry,
// as the error says.
func (s *Scheduler) Fire(ctx context.Context, sub bot.Subscription, slot time.Time) error {
	return s.fire(ctx, sub, slot.UTC().Truncate(time.Minute), nil)
}

// fire is Fire; prev is the retry being made, nil for a first try.
func (s *Scheduler) fire(ctx context.Context, sub bot.Subscription, slot time.Time, prev *retry) (err error) {
	log := s.log.With("subscription", sub.ID, "topic", sub.Topic, "slot", slot)
	defer func() {
		if err != nil {
			s.logFailure(ctx, "digest not posted", err, "subscription", sub.ID, "topic", sub.Topic, "slot", slot)
		}
	}()
	what := fmt.Sprintf("digest of subscription %d for %s", sub.ID, slot.Format(time.RFC3339))
	sched, loc, err := s.check(sub)
	if err != nil {
		return err
	}
	now := s.opts.Clock()
	if !s.ready(sub.Platform) {
		s.await(sub, slot, prev, now)
		return nil
	}
	held := prev != nil && prev.held
	var ok bool
	if held {
		ok, err = s.opts.Store.RenewDigest(ctx, sub, slot, s.opts.Owner, now)
	} else {
		ok, err = s.opts.Store.ClaimDigest(ctx, sub, slot, s.opts.Owner, now, s.opts.Lease, s.opts.MaxAttempts)
	}
	switch {
	case errors.Is(err, bot.ErrScheduleChanged) || errors.Is(err, bot.ErrNotFound):
		log.Info("digest not posted: the subscription was changed or removed in the store; reloading subscriptions", "reason", err)
		s.requestReload()
		return nil
	case err != nil:
		// A failed renewal leaves the claim ours; a failed claim, nobody's.
		return s.failed(ctx, sub, slot, prev, held, fmt.Errorf("%s: %w", what, err))
	case !ok && held:
		log.Info("digest retry dropped: another process posted the slot or took it over")
		return nil
	case !ok:
		log.Debug("digest already sent or being sent elsewhere")
		return nil
	}

	since := prevSlot(sched, slot.Add(-time.Second))
	last, err := s.opts.Store.LastDigest(ctx, sub.ID)
	switch {
	case err == nil && !last.Slot.Before(slot):
		log.Info("digest skipped: a later one was already sent", "last_slot", last.Slot)
		return nil
	case err == nil:
		since = last.Slot
	case !errors.Is(err, bot.ErrNotFound):
		return s.failed(ctx, sub, slot, prev, true, fmt.Errorf("%s: %w", what, err))
	}

	topic, _ := s.opts.Digester.Topic(sub.Topic)
	d, err := s.opts.Digester.Digest(ctx, briefings.DigestRequest{Topic: sub.Topic, Since: since, Until: slot, Limit: s.opts.Limit, ReceivedAfter: since})
	if err != nil {
		return s.failed(ctx, sub, slot, prev, true, fmt.Errorf("build %s: %w", what, err))
	}
	if len(d.Items) == 0 && s.opts.SkipEmpty {
		log.Info("digest empty, nothing posted")
	} else {
		reply := bot.DigestReply(d, topic, loc, now)
		to := bot.Target{Conversation: sub.Conversation}
		if err := s.opts.Senders[sub.Platform].Send(ctx, to, reply); err != nil {
			return s.failed(ctx, sub, slot, prev, true, fmt.Errorf("post %s: %w", what, err))
		}
		log.Info("digest posted", "items", len(d.Items), "since", since, "retries", retries(prev))
	}
	// Once posted, it is recorded even when ctx has just ended.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if err := s.opts.Store.MarkDigestSent(rctx, sub.ID, slot, s.opts.Clock()); err != nil {
		return fmt.Errorf("%s was handled but not recorded, it may be posted again after %s: %w", what, s.opts.Lease, err)
	}
	return nil
}

// retries is the number of failed tries before r.
func retries(r *retry) int {
	if r == nil {
		return 0
	}
	return r.failures
}

// ready reports whether platform's adapter can post now.
func (s *Scheduler) ready(platform string) bool {
	f := s.opts.Ready[platform]
	return f == nil || f()
}

// lateOK reports whether slot may still be posted at t: within Grace.
func (s *Scheduler) lateOK(slot, t time.Time) bool {
	return s.opts.Grace >= 0 && t.Sub(slot) <= s.opts.Grace
}

// await queues slot until sub's adapter is ready, within the grace window.
func (s *Scheduler) await(sub bot.Subscription, slot time.Time, prev *retry, now time.Time) {
	if !s.lateOK(slot, now) {
		s.log.Warn("digest skipped: its adapter was not ready within the grace window", "subscription", sub.ID,
			"topic", sub.Topic, "platform", sub.Platform, "slot", slot, "grace", s.opts.Grace)
		return
	}
	r := retry{sub: sub, slot: slot, at: now, waiting: true}
	if prev != nil {
		r.failures, r.held = prev.failures, prev.held
	}
	if s.enqueue(r) && (prev == nil || !prev.waiting) {
		s.log.Info("digest waits for its adapter to be ready", "subscription", sub.ID, "topic", sub.Topic,
			"platform", sub.Platform, "slot", slot, "until", slot.Add(s.opts.Grace))
	}
}

// failed queues a retry of slot after a failure (unless ctx ended, or the
// retry would fall outside the grace window) and returns err saying when
// it is retried. held tells whether this scheduler holds the slot's claim.
func (s *Scheduler) failed(ctx context.Context, sub bot.Subscription, slot time.Time, prev *retry, held bool, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w (interrupted; once its claim expires after %s, a restart within the grace window can post it)", err, s.opts.Lease)
	}
	r := retry{sub: sub, slot: slot, failures: 1, held: held}
	if prev != nil {
		r.failures = prev.failures + 1
	}
	wait := s.backoff(r.failures)
	now := s.opts.Clock()
	r.at = now.Add(wait)
	if !s.lateOK(slot, r.at) {
		return fmt.Errorf("%w (not retried: a retry after %s would fall outside the %s grace window)", err, wait, s.opts.Grace)
	}
	s.enqueue(r)
	return fmt.Errorf("%w (it is retried after %s)", err, wait)
}

// backoff is the wait after the nth failed post: RetryBackoff doubled n-1
// times, at most the larger of RetryBackoff and Lease/2.
func (s *Scheduler) backoff(n int) time.Duration {
	limit := max(s.opts.RetryBackoff, s.opts.Lease/2)
	d := s.opts.RetryBackoff
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// enqueue adds r to the retries and reports whether it did: a slot already
// queued keeps its entry, unless r holds the claim and that entry does not.
func (s *Scheduler) enqueue(r retry) bool {
	k := retryKey{sub: r.sub.ID, slot: r.slot.Unix()}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.retries[k]; ok && (old.held || !r.held) {
		return false
	}
	s.retries[k] = &r
	return true
}

// RetryDue tries again every queued slot whose retry is due at now, and
// every slot waiting for an adapter that is now ready; a slot that has
// become older than the grace window is dropped and logged. Run calls it
// on a timer; tests call it with a fake clock. It returns the failures of
// the retries, which are logged and queued again already.
func (s *Scheduler) RetryDue(ctx context.Context, now time.Time) error {
	s.mu.Lock()
	queued := slices.Collect(maps.Values(s.retries))
	s.mu.Unlock()
	var due []*retry
	for _, r := range queued {
		late := !s.lateOK(r.slot, now)
		if !late && (r.waiting && !s.ready(r.sub.Platform) || !r.waiting && now.Before(r.at)) {
			continue
		}
		k := retryKey{sub: r.sub.ID, slot: r.slot.Unix()}
		s.mu.Lock()
		mine := s.retries[k] == r
		if mine {
			delete(s.retries, k)
		}
		s.mu.Unlock()
		switch {
		case !mine: // taken by a concurrent RetryDue
		case late:
			s.log.Warn("digest given up: it could not be posted within the grace window", "subscription", r.sub.ID,
				"topic", r.sub.Topic, "slot", r.slot, "grace", s.opts.Grace, "failures", r.failures)
		default:
			due = append(due, r)
		}
	}
	slices.SortFunc(due, func(a, b *retry) int {
		return cmp.Or(a.slot.Compare(b.slot), cmp.Compare(a.sub.ID, b.sub.ID))
	})
	var errs []error
	for _, r := range due {
		if err := s.fire(ctx, r.sub, r.slot, r); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// requestReload asks Run to re-read the subscriptions soon.
func (s *Scheduler) requestReload() {
	select {
	case s.reload <- struct{}{}:
	default:
	}
}

// logFailure logs err at ERROR, or at INFO when it is only ctx ending
// (shutdown): an interrupted digest or refresh is not a fault.
func (s *Scheduler) logFailure(ctx context.Context, msg string, err error, args ...any) {
	level := slog.LevelError
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		level = slog.LevelInfo
		msg += " (shutting down)"
	}
	s.log.Log(context.WithoutCancel(ctx), level, msg, append(args, "error", err)...)
}

// Next returns when subscription id's next digest after t is due, and false
// when the subscription is not registered.
func (s *Scheduler) Next(id int64, t time.Time) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[id]
	if !ok {
		return time.Time{}, false
	}
	return e.sched.Next(t).UTC(), true
}

// Run registers the subscriptions (Refresh), then lets cron fire them until
// ctx ends, re-reading the subscriptions every ReloadInterval and retrying
// failed and waiting slots (RetryDue) on a timer. When ctx ends it stops
// cron and waits up to ShutdownTimeout for digests being posted before
// cancelling them, and returns nil. A failing Refresh is logged, not fatal:
// the next one retries. The end of ctx is not logged as an error.
func (s *Scheduler) Run(ctx context.Context) error {
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	// Digests being posted when ctx ends get ShutdownTimeout to finish.
	stopJobsLater := context.AfterFunc(ctx, func() { time.AfterFunc(s.opts.ShutdownTimeout, cancelJobs) })
	defer stopJobsLater()
	s.mu.Lock()
	s.jobCtx = jobCtx
	s.mu.Unlock()
	if err := s.Refresh(ctx); err != nil {
		s.logFailure(ctx, "digest schedule incomplete", err)
	}
	s.cron.Start()

	var reload <-chan time.Time
	if s.opts.ReloadInterval > 0 {
		t := time.NewTicker(s.opts.ReloadInterval)
		defer t.Stop()
		reload = t.C
	}
	retry := time.NewTicker(min(s.opts.RetryBackoff, time.Second))
	defer retry.Stop()
	refresh := func() {
		if err := s.Refresh(ctx); err != nil {
			s.logFailure(ctx, "re-reading the subscriptions failed; keeping the current schedule", err)
		}
	}
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-reload:
			refresh()
		case <-s.reload:
			refresh()
		case <-retry.C:
			_ = s.RetryDue(jobCtx, s.opts.Clock()) // failures are logged
		}
	}

	stopped := s.cron.Stop()
	select {
	case <-stopped.Done():
	case <-jobCtx.Done():
		select {
		case <-stopped.Done():
		default:
			s.log.Warn("digests still running at shutdown, cancelled", "timeout", s.opts.ShutdownTimeout)
		}
	}
	return nil
}

// prevSlot returns the latest activation of sched at or before t, or zero
// when there is none in the last five years.
func prevSlot(sched cron.Schedule, t time.Time) time.Time {
	for _, back := range []time.Duration{time.Hour, 25 * time.Hour, 8 * 24 * time.Hour, 32 * 24 * time.Hour, 367 * 24 * time.Hour, 5 * 366 * 24 * time.Hour} {
		p := sched.Next(t.Add(-back))
		if p.IsZero() || p.After(t) {
			continue
		}
		for n := sched.Next(p); !n.IsZero() && !n.After(t); n = sched.Next(n) {
			p = n
		}
		return p.UTC()
	}
	return time.Time{}
}
