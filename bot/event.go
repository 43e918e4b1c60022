package bot

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Defaults of the event claim options.
const (
	defaultEventLease = 30 * time.Second
	defaultEventPoll  = time.Second
	// storeWriteTimeout bounds recording an event's outcome, which runs
	// even when the message's ctx has ended.
	storeWriteTimeout = 5 * time.Second
)

// defaultOwner names this process in event claims: host, process ID and a
// random suffix, so a restarted process (in a container, often with the
// same host name and PID) never passes for its predecessor.
func defaultOwner() string {
	host, _ := os.Hostname()
	var r [4]byte
	_, _ = rand.Read(r[:]) // never fails (crypto/rand)
	return fmt.Sprintf("%s-%d-%s", cmp.Or(host, "briefbot"), os.Getpid(), hex.EncodeToString(r[:]))
}

// inflight is the set of events this Bot is handling right now, each with a
// channel closed when its handling ends. It is safe for concurrent use.
type inflight struct {
	mu sync.Mutex
	m  map[string]chan struct{}
}

// add adds key and returns true, or, when key is in the set already,
// returns the channel closed when it leaves it, and false.
func (f *inflight) add(key string) (<-chan struct{}, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if done, ok := f.m[key]; ok {
		return done, false
	}
	f.m[key] = make(chan struct{})
	return nil, true
}

func (f *inflight) remove(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if done, ok := f.m[key]; ok {
		close(done)
		delete(f.m, key)
	}
}

// eventClaim is this process's hold on one event while it is answered. A
// nil *eventClaim (a message without EventID) does nothing.
type eventClaim struct {
	b        *Bot
	platform string
	id       EventID
	key      string
	log      *slog.Logger
	held     bool // the store recorded our claim; false when the store failed

	mu       sync.Mutex
	renew    *time.Timer
	stopped  bool
	finished bool
}

// claimEvent claims req's event for this process; false means: do not
// answer (handled before, or ctx ended while waiting for the outcome of
// another delivery of the event, in this process or another one).
func (b *Bot) claimEvent(ctx context.Context, req request) (*eventClaim, bool) {
	c := &eventClaim{b: b, platform: req.platform, id: req.msg.EventID, log: req.log}
	c.key = c.platform + "\x00" + string(c.id)
	for {
		done, ok := b.inflight.add(c.key)
		if ok {
			break
		}
		// Being answered here: wait for the outcome, then ask the store.
		req.log.Debug("redelivered event waits for its first delivery to be answered")
		select {
		case <-done:
		case <-ctx.Done():
			return nil, false
		}
	}
	waiting := false
	for {
		state, err := b.store.ClaimEvent(ctx, c.platform, c.id, b.owner, b.now(), b.eventLease)
		switch {
		case err != nil:
			// Answering twice after a redelivery beats not answering.
			req.log.Warn("cannot claim the event; answering anyway", "err", err)
			return c, true
		case state == EventClaimed:
			c.held = true
			if waiting {
				req.log.Info("redelivered event answered: the earlier claim was released or expired")
			}
			c.startRenewal(ctx)
			return c, true
		case state == EventDone:
			req.log.Debug("redelivered event ignored")
			b.inflight.remove(c.key)
			return nil, false
		}
		if !waiting {
			req.log.Debug("event claimed by another process; waiting for it to answer, release or expire", "lease", b.eventLease)
			waiting = true
		}
		t := time.NewTimer(b.eventPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			req.log.Info("stopped waiting for another process to answer the event", "err", ctx.Err())
			b.inflight.remove(c.key)
			return nil, false
		case <-t.C:
		}
	}
}

// startRenewal renews the claim every lease/3 until end.
func (c *eventClaim) startRenewal(ctx context.Context) {
	every := max(c.b.eventLease/3, time.Millisecond)
	tick := func() {
		held, err := c.b.store.RenewEvent(ctx, c.platform, c.id, c.b.owner, c.b.now(), c.b.eventLease)
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.stopped || c.finished {
			return // the outcome is recorded or being recorded
		}
		switch {
		case err != nil:
			c.log.Warn("cannot renew the claim on the event; another process may answer it too once it expires", "err", err)
		case !held:
			c.log.Warn("the claim on the event was lost (it expired and was taken over); another process may answer it too")
		}
		c.renew.Reset(every)
	}
	c.mu.Lock()
	c.renew = time.AfterFunc(every, tick)
	c.mu.Unlock()
}

// finish records the event as handled: its reply was sent (or, for a
// rate-limited message, deliberately not).
func (c *eventClaim) finish(ctx context.Context) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.finished = true
	c.mu.Unlock()
	if !c.held {
		return
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeWriteTimeout)
	defer cancel()
	if err := c.b.store.FinishEvent(wctx, c.platform, c.id, c.b.now()); err != nil {
		c.log.Warn("reply sent but not recorded; a redelivery after the claim expires may be answered again", "err", err, "lease", c.b.eventLease)
	}
}

// end stops renewing the claim and, unless the event was finished,
// releases it so that a redelivery is answered.
func (c *eventClaim) end(ctx context.Context) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.stopped = true
	if c.renew != nil {
		c.renew.Stop()
	}
	finished := c.finished
	c.mu.Unlock()
	defer c.b.inflight.remove(c.key)
	if finished || !c.held {
		return
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeWriteTimeout)
	defer cancel()
	if err := c.b.store.ReleaseEvent(wctx, c.platform, c.id, c.b.owner); err != nil {
		c.log.Warn("cannot release the claim on the unanswered event; a redelivery is answered only after it expires", "err", err, "lease", c.b.eventLease)
		return
	}
	c.log.Debug("claim on the unanswered event released; a redelivery will be answered")
}
