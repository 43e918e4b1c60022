// Package bottest helps test the bot core and adapters: a recording fake
// adapter, a fake clock, a fake article library with realistic canned
// results, and the real SQLite store opened in a test's temporary directory.
// Every helper takes a testing.TB, marks itself with t.Helper, cleans up
// with t.Cleanup and waits with deadlines instead of sleeping.
package bottest

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/internal/store"
)

// Timeout bounds every wait in this package.
const Timeout = 10 * time.Second

// Context returns a context that ends after Timeout or when the test ends.
func Context(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), Timeout)
	t.Cleanup(cancel)
	return ctx
}

// Sent is one reply an Adapter was asked to send.
type Sent struct {
	To    bot.Target
	Reply bot.Reply
}

// Adapter is a fake bot.Adapter that records what it is asked to send.
// Messages given to Deliver are handed to the Handler passed to Run; Handle
// bypasses Run and calls a Handler directly. It is safe for concurrent use.
type Adapter struct {
	name  string
	inbox chan bot.Message

	mu      sync.Mutex
	sent    []Sent
	changed chan struct{} // closed and replaced on every Send
	sendErr error
}

var _ bot.Adapter = (*Adapter)(nil)

// NewAdapter returns an Adapter whose Name is name.
func NewAdapter(name string) *Adapter {
	return &Adapter{name: name, inbox: make(chan bot.Message), changed: make(chan struct{})}
}

// Name implements bot.Adapter.
func (a *Adapter) Name() string { return a.name }

// FailSends makes every later Send fail with err (nil: succeed again).
// Failed sends are not recorded.
func (a *Adapter) FailSends(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sendErr = err
}

// Send implements bot.Sender: it records the reply.
func (a *Adapter) Send(ctx context.Context, to bot.Target, r bot.Reply) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.sendErr != nil {
		return a.sendErr
	}
	a.sent = append(a.sent, Sent{To: to, Reply: r})
	close(a.changed)
	a.changed = make(chan struct{})
	return nil
}

// Run implements bot.Adapter: it hands each delivered message to h, one at a
// time, until ctx ends, and then returns nil.
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case m := <-a.inbox:
			h.HandleMessage(ctx, a, m)
		}
	}
}

// Deliver queues m for Run; it fails the test if Run does not take it
// within Timeout.
func (a *Adapter) Deliver(t testing.TB, m bot.Message) {
	t.Helper()
	select {
	case a.inbox <- m:
	case <-time.After(Timeout):
		t.Fatalf("Deliver: Run did not take the message within %v", Timeout)
	}
}

// Handle calls h.HandleMessage synchronously with this adapter as the
// Sender and returns the replies sent meanwhile.
func (a *Adapter) Handle(t testing.TB, h bot.Handler, m bot.Message) []Sent {
	t.Helper()
	before := len(a.Sent())
	h.HandleMessage(Context(t), a, m)
	return a.Sent()[before:]
}

// Sent returns a copy of every reply sent so far.
func (a *Adapter) Sent() []Sent {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Sent(nil), a.sent...)
}

// WaitSent waits until at least n replies were sent and returns them all;
// it fails the test after Timeout.
func (a *Adapter) WaitSent(t testing.TB, n int) []Sent {
	t.Helper()
	deadline := time.NewTimer(Timeout)
	defer deadline.Stop()
	for {
		a.mu.Lock()
		if len(a.sent) >= n {
			out := append([]Sent(nil), a.sent...)
			a.mu.Unlock()
			return out
		}
		changed := a.changed
		a.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("WaitSent: %d replies after %v, want %d", len(a.Sent()), Timeout, n)
		}
	}
}

// Clock is a settable clock for Options.Clock. It is safe for concurrent
// use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock standing at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// OpenStore opens the real SQLite store at path (use a file in t.TempDir())
// and closes it when the test ends. Closing it earlier, to test a restart,
// is allowed.
func OpenStore(t testing.TB, path string) *store.SQLite {
	t.Helper()
	s, err := store.Open(Context(t), path, nil)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TempStore opens the real SQLite store in a fresh temporary directory and
// returns it with its path.
func TempStore(t testing.TB) (*store.SQLite, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	return OpenStore(t, path), path
}
