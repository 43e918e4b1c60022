package scheduler_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/bot/scheduler"
	"github.com/briefbot/briefbot/briefings"
)

// platform is a chat adapter that refuses to post until it has logged in,
// as the Matrix adapter does, and counts the posts it was asked for.
type platform struct {
	*bottest.Adapter
	connected atomic.Bool
	mu        sync.Mutex
	calls     int
	fail      []error // returned by the next calls, in turn, once connected
}

func newPlatform() *platform { return &platform{Adapter: bottest.NewAdapter("console")} }

func (p *platform) Send(ctx context.Context, to bot.Target, r bot.Reply) error {
	p.mu.Lock()
	p.calls++
	var err error
	if len(p.fail) > 0 && p.connected.Load() {
		err, p.fail = p.fail[0], p.fail[1:]
	}
	p.mu.Unlock()
	if !p.connected.Load() {
		return errors.New("matrix: cannot send before Run has logged in to the homeserver")
	}
	if err != nil {
		return err
	}
	return p.Adapter.Send(ctx, to, r)
}

func (p *platform) sendCalls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

// noErrors fails the test when the logs hold an ERROR record.
func noErrors(t *testing.T, logs *syncBuffer) {
	t.Helper()
	for line := range strings.Lines(logs.String()) {
		if strings.Contains(line, "level=ERROR") {
			t.Errorf("ERROR logged: %s", line)
		}
	}
}

// TestMissedDigestWaitsForTheAdapter: a slot missed while the bot was down
// is posted once the adapter has logged in, not lost because catch-up ran
// before it: the scheduler does not claim a slot for an adapter that is not
// ready, and checks again on its retry timer.
func TestMissedDigestWaitsForTheAdapter(t *testing.T) {
	ctx := bottest.Context(t)
	st, path := bottest.TempStore(t)
	slot := mustTime(t, "2026-11-20T06:00:00Z") // 07:00 in Amsterdam
	sub := subscribe(t, st, "desk", "Europe/Amsterdam", slot.AddDate(0, 0, -10))
	chat := newPlatform()
	clock := bottest.NewClock(slot.Add(2 * time.Hour)) // the restart
	logs := &syncBuffer{}
	s := newScheduler(t, setup{store: st, lib: newLibrary(t), chat: chat.Adapter, clock: clock, owner: "a", logs: logs,
		opts: func(o *scheduler.Options) {
			o.Senders = map[string]bot.Sender{"console": chat}
			o.Ready = map[string]func() bool{"console": chat.connected.Load}
		}})
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if err := s.RetryDue(ctx, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if n := len(chat.Sent()); n != 0 {
		t.Fatalf("%d digests posted before the adapter logged in", n)
	}

	chat.connected.Store(true) // logged in, 4 minutes after the restart
	clock.Advance(3 * time.Minute)
	if err := s.RetryDue(ctx, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if n := len(chat.Sent()); n != 1 {
		t.Fatalf("%d digests posted once the adapter logged in, want 1", n)
	}
	if got := lastSlot(t, st, sub.ID); !got.Equal(slot) {
		t.Errorf("last sent slot %s, want %s", got, slot)
	}
	// Nothing more: not on the next retry tick, not after another restart.
	clock.Advance(time.Minute)
	if err := s.RetryDue(ctx, clock.Now()); err != nil {
		t.Fatal(err)
	}
	again := newScheduler(t, setup{store: bottest.OpenStore(t, path), lib: newLibrary(t), chat: chat.Adapter, clock: clock, owner: "b"})
	if err := again.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(chat.Sent()); n != 1 {
		t.Errorf("%d digests posted in all, want 1", n)
	}
	noErrors(t, logs)
}

// TestFailedPostIsRetriedWithBackoff: a post that fails is retried by the
// process holding the slot, after the delay its log announces, doubling
// each time, without spending the slot's claim attempts; retries stop at
// the end of the grace window.
func TestFailedPostIsRetriedWithBackoff(t *testing.T) {
	ctx := bottest.Context(t)
	st, _ := bottest.TempStore(t)
	slot := mustTime(t, "2026-11-20T06:00:00Z")
	sub := subscribe(t, st, "desk", "Europe/Amsterdam", slot.AddDate(0, 0, -10))
	chat := newPlatform()
	chat.connected.Store(true)
	platformDown := errors.New("slack: posting to C1: 503 Service Unavailable")
	chat.fail = []error{platformDown, platformDown, platformDown}
	clock := bottest.NewClock(slot.Add(-time.Minute))
	logs := &syncBuffer{}
	s := newScheduler(t, setup{store: st, lib: newLibrary(t), chat: chat.Adapter, clock: clock, owner: "a", logs: logs,
		opts: func(o *scheduler.Options) {
			o.Senders = map[string]bot.Sender{"console": chat}
			o.RetryBackoff = time.Minute
		}})
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		advance time.Duration
		calls   int    // Send calls so far
		logged  string // the announced retry, when a post failed
	}{
		{time.Minute, 1, "it is retried after 1m0s"}, // the slot is due: post 1 fails
		{30 * time.Second, 1, ""},                    // too early for the retry
		{30 * time.Second, 2, "it is retried after 2m0s"},
		{time.Minute + 59*time.Second, 2, ""},
		{time.Second, 3, "it is retried after 4m0s"},
		{4 * time.Minute, 4, ""}, // the fourth post goes through
		{time.Hour, 4, ""},
	}
	for i, step := range steps {
		clock.Advance(step.advance)
		before := len(logs.String())
		if err := s.RunDue(ctx, clock.Now()); err != nil && step.logged == "" {
			t.Errorf("step %d: RunDue: %v", i, err)
		}
		if err := s.RetryDue(ctx, clock.Now()); err != nil && step.logged == "" {
			t.Errorf("step %d: RetryDue: %v", i, err)
		}
		if got := chat.sendCalls(); got != step.calls {
			t.Fatalf("step %d (%s after the slot): %d posts tried, want %d", i, clock.Now().Sub(slot), got, step.calls)
		}
		if step.logged != "" && !strings.Contains(logs.String()[before:], step.logged) {
			t.Errorf("step %d: logs lack %q:\n%s", i, step.logged, logs.String()[before:])
		}
	}
	if n := len(chat.Sent()); n != 1 {
		t.Errorf("%d digests posted, want 1", n)
	}
	c, err := st.LastDigest(ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Slot.Equal(slot) || c.Attempts != 1 {
		t.Errorf("sent claim = %+v; want slot %s after 1 claim attempt", c, slot)
	}
}

// TestRetriesStopAtTheGraceWindow: a retry that would come after the slot's
// grace window is not announced and not made.
func TestRetriesStopAtTheGraceWindow(t *testing.T) {
	ctx := bottest.Context(t)
	st, _ := bottest.TempStore(t)
	slot := mustTime(t, "2026-11-20T06:00:00Z")
	subscribe(t, st, "desk", "Europe/Amsterdam", slot.AddDate(0, 0, -10))
	chat := newPlatform()
	chat.connected.Store(true)
	down := errors.New("platform down")
	chat.fail = []error{down, down, down, down}
	clock := bottest.NewClock(slot.Add(time.Minute))
	logs := &syncBuffer{}
	s := newScheduler(t, setup{store: st, lib: newLibrary(t), chat: chat.Adapter, clock: clock, owner: "a", logs: logs,
		opts: func(o *scheduler.Options) {
			o.Senders = map[string]bot.Sender{"console": chat}
			o.RetryBackoff = 4 * time.Minute
			o.Grace = 8 * time.Minute
		}})
	if err := s.Refresh(ctx); err != nil { // post 1 fails at +1m: retried at +5m
		t.Log(err)
	}
	for range 10 {
		clock.Advance(2 * time.Minute)
		_ = s.RetryDue(ctx, clock.Now())
	}
	if got := chat.sendCalls(); got != 2 {
		t.Errorf("%d posts tried, want 2 (at +1m and +5m; +10m is past the 8m grace)", got)
	}
	if !strings.Contains(logs.String(), "not retried") {
		t.Errorf("logs do not say the slot is not retried:\n%s", logs.String())
	}
}

// TestRunRetriesOnItsTimer: Run itself retries, on a timer: a catch-up
// that found the adapter not logged in posts once it is.
func TestRunRetriesOnItsTimer(t *testing.T) {
	st, _ := bottest.TempStore(t)
	now := time.Now()
	sub, err := st.AddSubscription(bottest.Context(t), bot.Subscription{
		Platform: "console", Conversation: "desk", Topic: "interference",
		Cron: "0 * * * *", CreatedBy: "U1", Created: now.Add(-3 * time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	chat := newPlatform()
	asked := make(chan struct{})
	var once sync.Once
	ready := func() bool {
		once.Do(func() { close(asked) })
		return chat.connected.Load()
	}
	logs := &syncBuffer{}
	s := newScheduler(t, setup{store: st, lib: newLibrary(t), chat: chat.Adapter, clock: bottest.NewClock(now), owner: "a", logs: logs,
		opts: func(o *scheduler.Options) {
			o.Clock = time.Now
			o.Senders = map[string]bot.Sender{"console": chat}
			o.Ready = map[string]func() bool{"console": ready}
			o.RetryBackoff = 10 * time.Millisecond
		}})
	ctx, cancel := context.WithCancel(bottest.Context(t))
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case <-asked: // the catch-up found the adapter not logged in
	case <-time.After(bottest.Timeout):
		t.Fatal("the catch-up never asked whether the adapter is ready")
	}
	chat.connected.Store(true)
	chat.WaitSent(t, 1)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	if got := lastSlot(t, st, sub.ID); got.IsZero() {
		t.Error("no digest recorded as sent")
	}
	noErrors(t, logs)
}

// TestScheduleChangedInAnotherProcess: two processes on one database; one
// changes a subscription's schedule. The other re-reads subscriptions on
// its own, and until it has, its claims of the old schedule's slots are
// refused, so the old schedule never fires.
func TestScheduleChangedInAnotherProcess(t *testing.T) {
	ctx := bottest.Context(t)
	st1, path := bottest.TempStore(t)
	st2 := bottest.OpenStore(t, path)
	start := mustTime(t, "2026-11-20T05:00:00Z") // 06:00 in Amsterdam
	sub := subscribe(t, st1, "desk", "Europe/Amsterdam", start.Add(-time.Hour))
	lib := newLibrary(t)
	chat := bottest.NewAdapter("console")
	clock := bottest.NewClock(start)
	a := newScheduler(t, setup{store: st1, lib: lib, chat: chat, clock: clock, owner: "a"})
	reloading := newScheduler(t, setup{store: st2, lib: lib, chat: chat, clock: clock, owner: "b",
		opts: func(o *scheduler.Options) { o.ReloadInterval = 10 * time.Millisecond }})
	stale := newScheduler(t, setup{store: st2, lib: lib, chat: chat, clock: clock, owner: "c",
		opts: func(o *scheduler.Options) { o.ReloadInterval = -1 }})
	for _, s := range []*scheduler.Scheduler{a, stale} {
		if err := s.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- reloading.Run(runCtx) }()
	defer func() {
		stop()
		<-done
	}()
	seven, nine := mustTime(t, "2026-11-20T06:00:00Z"), mustTime(t, "2026-11-20T08:00:00Z")
	waitNext := func(s *scheduler.Scheduler, want time.Time) {
		t.Helper()
		deadline := time.After(bottest.Timeout)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			if next, ok := s.Next(sub.ID, start); ok && next.Equal(want) {
				return
			}
			select {
			case <-tick.C:
			case <-deadline:
				next, _ := s.Next(sub.ID, start)
				t.Fatalf("next digest %s, want %s", next, want)
			}
		}
	}
	waitNext(reloading, seven)

	// Process a: "subscribe interference 0 9 * * * Europe/Amsterdam".
	moved := sub
	moved.Cron = "0 9 * * *"
	if _, err := st1.AddSubscription(ctx, moved); err != nil {
		t.Fatal(err)
	}
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	waitNext(reloading, nine) // re-read without being told

	// 07:01: only the stale process still has 07:00 on its schedule.
	clock.Advance(time.Hour + time.Minute)
	for _, s := range []*scheduler.Scheduler{a, reloading, stale} {
		if err := s.RunDue(ctx, clock.Now()); err != nil {
			t.Errorf("RunDue at 07:01: %v", err)
		}
	}
	if n := len(chat.Sent()); n != 0 {
		t.Fatalf("%d digests posted for 07:00, a slot of the old schedule", n)
	}
	// 09:01: the new schedule's slot, once.
	clock.Advance(2 * time.Hour)
	for _, s := range []*scheduler.Scheduler{a, reloading, stale} {
		if err := s.RunDue(ctx, clock.Now()); err != nil {
			t.Errorf("RunDue at 09:01: %v", err)
		}
	}
	if n := len(chat.Sent()); n != 1 {
		t.Errorf("%d digests posted for 09:00, want 1", n)
	}
	if got := lastSlot(t, st1, sub.ID); !got.Equal(nine) {
		t.Errorf("last sent slot %s, want %s", got, nine)
	}
}

// blockingDigester blocks every digest until its ctx ends, like a library
// busy when the process is told to stop.
type blockingDigester struct {
	scheduler.Digester
	entered chan struct{}
}

func (b blockingDigester) Digest(ctx context.Context, _ briefings.DigestRequest) (briefings.Digest, error) {
	b.entered <- struct{}{}
	<-ctx.Done()
	return briefings.Digest{}, ctx.Err()
}

// TestCancelledRunLogsNoError: a Run whose context ends early (serve
// </dev/null: the console's input ends at once) logs no ERROR, whether the
// end comes before the subscriptions are read or during a catch-up post.
func TestCancelledRunLogsNoError(t *testing.T) {
	for _, tt := range []struct {
		name         string
		cancelBefore bool
	}{
		{"cancelled before Run", true},
		{"cancelled during catch-up", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := bottest.TempStore(t)
			slot := mustTime(t, "2026-11-20T06:00:00Z")
			subscribe(t, st, "desk", "Europe/Amsterdam", slot.AddDate(0, 0, -1))
			lib := blockingDigester{Digester: newLibrary(t), entered: make(chan struct{}, 1)}
			logs := &syncBuffer{}
			s := newScheduler(t, setup{store: st, lib: lib, chat: bottest.NewAdapter("console"),
				clock: bottest.NewClock(slot.Add(time.Hour)), owner: "a", logs: logs,
				opts: func(o *scheduler.Options) { o.ShutdownTimeout = time.Second }})
			ctx, cancel := context.WithCancel(bottest.Context(t))
			defer cancel()
			if tt.cancelBefore {
				cancel()
			}
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx) }()
			if !tt.cancelBefore {
				select {
				case <-lib.entered:
				case <-time.After(bottest.Timeout):
					t.Fatal("catch-up never started")
				}
				cancel()
			}
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run = %v, want nil", err)
				}
			case <-time.After(bottest.Timeout):
				t.Fatal("Run did not return after its context ended")
			}
			noErrors(t, logs)
		})
	}
}

// flakyStore fails the next RenewDigest calls with err.
type flakyStore struct {
	bot.Store
	mu    sync.Mutex
	fails int
}

func (f *flakyStore) RenewDigest(ctx context.Context, sub bot.Subscription, slot time.Time, owner string, now time.Time) (bool, error) {
	f.mu.Lock()
	fail := f.fails > 0
	f.fails--
	f.mu.Unlock()
	if fail {
		return false, errors.New("database is locked")
	}
	return f.Store.RenewDigest(ctx, sub, slot, owner, now)
}

// TestRetryKeepsItsClaimThroughStoreErrors: a retry whose claim renewal
// fails keeps the claim, so the next retry still posts (instead of finding
// its own claim and taking it for another process's).
func TestRetryKeepsItsClaimThroughStoreErrors(t *testing.T) {
	ctx := bottest.Context(t)
	st, _ := bottest.TempStore(t)
	slot := mustTime(t, "2026-11-20T06:00:00Z")
	subscribe(t, st, "desk", "Europe/Amsterdam", slot.AddDate(0, 0, -10))
	chat := newPlatform()
	chat.connected.Store(true)
	chat.fail = []error{errors.New("platform down")}
	flaky := &flakyStore{Store: st, fails: 1}
	clock := bottest.NewClock(slot.Add(time.Minute))
	s := newScheduler(t, setup{store: flaky, lib: newLibrary(t), chat: chat.Adapter, clock: clock, owner: "a",
		opts: func(o *scheduler.Options) {
			o.Senders = map[string]bot.Sender{"console": chat}
			o.RetryBackoff = time.Minute
		}})
	_ = s.Refresh(ctx) // post 1 fails
	for range 3 {      // renewal fails, then the retry posts
		clock.Advance(2 * time.Minute)
		_ = s.RetryDue(ctx, clock.Now())
	}
	if n := len(chat.Sent()); n != 1 {
		t.Errorf("%d digests posted, want 1", n)
	}
}
