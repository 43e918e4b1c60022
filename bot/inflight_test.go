package bot_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
)

// crashingSender stands for a process killed while its reply is in flight:
// when asked to send, it loses the process's database (so nothing can be
// recorded any more, as after kill -9) and returns without sending.
type crashingSender struct {
	*bottest.Adapter
	db interface{ Close() error }
}

func (c crashingSender) Send(context.Context, bot.Target, bot.Reply) error {
	_ = c.db.Close()
	return nil
}

// TestFailedSendIsAnsweredOnRedelivery: a reply that could not be sent does
// not count as an answer: the platform's redelivery is answered, once.
func TestFailedSendIsAnsweredOnRedelivery(t *testing.T) {
	f := newFixture(t, nil)
	m := dm("Ev-fail", "search hackers")
	f.adapter.FailSends(errors.New("slack: posting to D1: connection reset"))
	if got := len(f.send(t, m)); got != 0 {
		t.Fatalf("failing send recorded %d replies", got)
	}
	f.adapter.FailSends(nil)
	if got := len(f.send(t, m)); got != 1 {
		t.Errorf("redelivery after a failed send: %d replies, want 1", got)
	}
	if got := len(f.send(t, m)); got != 0 {
		t.Errorf("second redelivery after the answer: %d replies, want 0", got)
	}
}

// TestCrashInFlightIsAnsweredAfterRestart: the process dies while sending
// its reply (nothing after the send is recorded); after a restart the
// adapter's replay is answered exactly once, whether it arrives after the
// dead process's claim expired or while it is still live (then it waits for
// the claim to expire).
func TestCrashInFlightIsAnsweredAfterRestart(t *testing.T) {
	for _, tt := range []struct {
		name  string
		after time.Duration // clock advance between crash and replay
	}{
		{"replay after the lease", 2 * time.Minute},
		{"replay while the dead claim is live", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(o *bot.Options) { o.EventPoll = 5 * time.Millisecond })
			m := dm("Ev-crash", "search hackers")
			dying := crashingSender{Adapter: bottest.NewAdapter("test"), db: f.store.(interface{ Close() error })}
			f.bot.HandleMessage(bottest.Context(t), dying, m)

			// restart: a new process on the same database
			st := bottest.OpenStore(t, f.path)
			opts := f.opts
			opts.Store = st
			b, err := bot.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			a := bottest.NewAdapter("test")
			f.clock.Advance(tt.after)
			done := make(chan struct{})
			go func() {
				defer close(done)
				b.HandleMessage(bottest.Context(t), a, m)
			}()
			if tt.after == 0 {
				// The replay waits; the dead process's lease runs out.
				f.clock.Advance(2 * time.Minute)
			}
			select {
			case <-done:
			case <-time.After(bottest.Timeout):
				t.Fatal("replay not handled within the timeout")
			}
			if got := len(a.Sent()); got != 1 {
				t.Errorf("replay after the crash: %d replies, want 1", got)
			}
			if got := len(a.Handle(t, b, m)); got != 0 {
				t.Errorf("another replay: %d replies, want 0", got)
			}
		})
	}
}

// holdingSender holds every Send until released, so a redelivery can
// arrive while the first reply is in flight.
type holdingSender struct {
	*bottest.Adapter
	entered chan struct{}
	release chan struct{}
	err     error // returned instead of sending, when set
}

func (h *holdingSender) Send(ctx context.Context, to bot.Target, r bot.Reply) error {
	h.entered <- struct{}{}
	select {
	case <-h.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	if h.err != nil {
		return h.err
	}
	return h.Adapter.Send(ctx, to, r)
}

// TestRedeliveryWhileInFlight: a redelivery that arrives while the first
// delivery's reply is being sent waits for its outcome, in the same process
// or another one on the same database: it is not answered a second time
// when the first reply went out, and answered when the first send failed.
func TestRedeliveryWhileInFlight(t *testing.T) {
	tests := []struct {
		name      string
		otherProc bool
		firstErr  error
	}{
		{"same process", false, nil},
		{"same process, first send fails", false, errors.New("slack: posting to D1: connection reset")},
		{"other process", true, nil},
		{"other process, first send fails", true, errors.New("matrix: connection reset")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(o *bot.Options) { o.EventPoll = 5 * time.Millisecond })
			rec := bottest.NewAdapter("test")
			first := &holdingSender{Adapter: rec, entered: make(chan struct{}, 2), release: make(chan struct{}), err: tt.firstErr}
			m := dm("Ev-dup", "search hackers")

			second := f.bot
			if tt.otherProc {
				opts := f.opts
				opts.Store = bottest.OpenStore(t, f.path)
				b, err := bot.New(opts)
				if err != nil {
					t.Fatal(err)
				}
				second = b
			}
			var wg sync.WaitGroup
			wg.Go(func() { f.bot.HandleMessage(bottest.Context(t), first, m) })
			select {
			case <-first.entered:
			case <-time.After(bottest.Timeout):
				t.Fatal("first delivery never sent")
			}
			redone := make(chan struct{})
			go func() {
				defer close(redone)
				second.HandleMessage(bottest.Context(t), rec, m)
			}()
			select {
			case <-redone:
				t.Fatal("the redelivery returned while the first delivery's reply was in flight")
			case <-time.After(20 * time.Millisecond): // some polls of the store
			}
			close(first.release)
			wg.Wait()
			select {
			case <-redone:
			case <-time.After(bottest.Timeout):
				t.Fatal("redelivery not handled within the timeout")
			}
			if got := len(rec.Sent()); got != 1 {
				t.Errorf("%d replies, want 1", got)
			}
		})
	}
}

// TestSlowReplyKeepsItsClaim: a reply that takes longer than the lease
// (a slow library) keeps its claim by renewing it, so a redelivery in
// another process waits instead of answering a second time.
func TestSlowReplyKeepsItsClaim(t *testing.T) {
	// renewed every lease/3: a renewal would have to be late by two thirds
	// of the lease (200 ms) to lose the claim, which a loaded CI machine
	// running -race did at 60 ms
	const lease = 300 * time.Millisecond
	f := newFixture(t, func(o *bot.Options) {
		o.Clock = nil // renewal runs on real timers
		o.EventLease = lease
		o.EventPoll = 5 * time.Millisecond
	})
	opts := f.opts
	opts.Store = bottest.OpenStore(t, f.path)
	other, err := bot.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	rec := bottest.NewAdapter("test")
	slow := &holdingSender{Adapter: rec, entered: make(chan struct{}, 1), release: make(chan struct{})}
	m := dm("Ev-slow", "search hackers")
	var wg sync.WaitGroup
	wg.Go(func() { f.bot.HandleMessage(bottest.Context(t), slow, m) })
	<-slow.entered
	redone := make(chan struct{})
	go func() {
		defer close(redone)
		other.HandleMessage(bottest.Context(t), rec, m)
	}()
	select {
	case <-redone:
		t.Error("the redelivery returned while the first reply was still being sent")
	case <-time.After(4 * lease): // several leases: the claim must have been renewed
	}
	close(slow.release)
	wg.Wait()
	<-redone
	if got := len(rec.Sent()); got != 1 {
		t.Errorf("%d replies, want 1", got)
	}
}
