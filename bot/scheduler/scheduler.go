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
)

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
	// another process may retry it; 0 means DefaultLease.
	Lease time.Duration
	// MaxAttempts bounds the claims of one slot (first try plus retries);
	// 0 means DefaultMaxAttempts.
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
}

// Scheduler posts subscriptions' digests. Its methods are safe for
// concurrent use.
type Scheduler struct {
	opts Options
	log  *slog.Logger
	cron *cron.Cron

	mu          sync.Mutex
	entries     map[int64]*entry
	configSaved bool
	jobCtx      context.Context // the context cron jobs run with, set by Run
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
	case opts.MaxAttempts < 0 || opts.Lease < 0 || opts.Limit < 0 || opts.ShutdownTimeout < 0:
		return nil, errors.New("scheduler: Lease, MaxAttempts, Limit and ShutdownTimeout must not be negative")
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
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	opts.Senders = maps.Clone(opts.Senders)
	opts.Subscriptions = slices.Clone(opts.Subscriptions)
	s := &Scheduler{opts: opts, log: opts.Logger, entries: map[int64]*entry{}}
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
// drops removed ones, and catches up missed slots (see the package comment).
// The bot core calls it after a subscribe or unsubscribe. It returns an
// error only when the subscriptions could not be loaded or saved; an invalid
// stored subscription (its adapter or topic gone) is logged and skipped, and
// a failed catch-up post is logged and retried by a later Refresh once its
// lease has passed.
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
	pending := make([]entry, 0, len(s.entries))
	for _, e := range s.entries {
		pending = append(pending, *e)
	}
	s.mu.Unlock()

	slices.SortFunc(pending, func(a, b entry) int { return cmp.Compare(a.sub.ID, b.sub.ID) })
	for _, e := range pending {
		if err := s.catchUp(ctx, e, now); err != nil {
			s.log.Error("missed digest not posted", "subscription", e.sub.ID, "error", err)
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
	return s.Fire(ctx, e.sub, prev)
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
	if err := s.runEntry(ctx, e, s.opts.Clock()); err != nil {
		s.log.Error("digest failed", "subscription", id, "error", err)
	}
}

// RunDue posts, for every registered subscription, each slot in (the last
// time RunDue or Refresh looked, now]. Slots older than the grace window
// are skipped and logged. cron calls it per subscription at each firing;
// tests call it with a fake clock.
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
// or has finished the slot.
func (s *Scheduler) Fire(ctx context.Context, sub bot.Subscription, slot time.Time) error {
	slot = slot.UTC().Truncate(time.Minute)
	log := s.log.With("subscription", sub.ID, "topic", sub.Topic, "slot", slot)
	sched, loc, err := s.check(sub)
	if err != nil {
		return err
	}
	now := s.opts.Clock()
	ok, err := s.opts.Store.ClaimDigest(ctx, sub.ID, slot, s.opts.Owner, now, s.opts.Lease, s.opts.MaxAttempts)
	if err != nil {
		return fmt.Errorf("digest of subscription %d for %s: %w", sub.ID, slot.Format(time.RFC3339), err)
	}
	if !ok {
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
		return fmt.Errorf("digest of subscription %d for %s: %w", sub.ID, slot.Format(time.RFC3339), err)
	}

	topic, _ := s.opts.Digester.Topic(sub.Topic)
	d, err := s.opts.Digester.Digest(ctx, briefings.DigestRequest{Topic: sub.Topic, Since: since, Until: slot, Limit: s.opts.Limit, ReceivedAfter: since})
	if err != nil {
		return fmt.Errorf("build digest of subscription %d for %s: %w", sub.ID, slot.Format(time.RFC3339), err)
	}
	if len(d.Items) == 0 && s.opts.SkipEmpty {
		log.Info("digest empty, nothing posted")
	} else {
		reply := bot.DigestReply(d, topic, loc, now)
		to := bot.Target{Conversation: sub.Conversation}
		if err := s.opts.Senders[sub.Platform].Send(ctx, to, reply); err != nil {
			return fmt.Errorf("post digest of subscription %d for %s: %w (it is retried after %s)", sub.ID, slot.Format(time.RFC3339), err, s.opts.Lease)
		}
		log.Info("digest posted", "items", len(d.Items), "since", since)
	}
	if err := s.opts.Store.MarkDigestSent(ctx, sub.ID, slot, s.opts.Clock()); err != nil {
		return fmt.Errorf("digest of subscription %d for %s was handled but not recorded, it may be posted again after %s: %w", sub.ID, slot.Format(time.RFC3339), s.opts.Lease, err)
	}
	return nil
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
// ctx ends. It then stops cron and waits up to ShutdownTimeout for digests
// being posted before cancelling them, and returns nil. A failing Refresh is
// logged, not fatal: the next Refresh retries.
func (s *Scheduler) Run(ctx context.Context) error {
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	s.mu.Lock()
	s.jobCtx = jobCtx
	s.mu.Unlock()
	if err := s.Refresh(ctx); err != nil {
		s.log.Error("digest schedule incomplete", "error", err)
	}
	s.cron.Start()
	<-ctx.Done()
	stopped := s.cron.Stop()
	timer := time.NewTimer(s.opts.ShutdownTimeout)
	defer timer.Stop()
	select {
	case <-stopped.Done():
	case <-timer.C:
		s.log.Warn("digests still running at shutdown, cancelled", "timeout", s.opts.ShutdownTimeout)
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
