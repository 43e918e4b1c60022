package scheduler_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/bot/scheduler"
	"github.com/briefbot/briefbot/internal/pgtest"
	"github.com/briefbot/briefbot/internal/store"
)

// pgReplicas opens n connections pools (replicas) to one fresh database
// on the test PostgreSQL server.
func pgReplicas(t *testing.T, n int) []bot.Store {
	t.Helper()
	url := pgtest.Database(t)
	out := make([]bot.Store, n)
	for i := range out {
		st, err := store.OpenPostgres(bottest.Context(t), url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		out[i] = st
	}
	return out
}

// TestThreeReplicasOneDigest: three schedulers on three replicas of one
// PostgreSQL database fire the same slots at the same moment, day after
// day: each digest is posted once.
func TestThreeReplicasOneDigest(t *testing.T) {
	ctx := bottest.Context(t)
	sts := pgReplicas(t, 3)
	start := mustTime(t, "2026-11-09T06:30:00Z")
	subscribe(t, sts[0], "desk", "Europe/Amsterdam", start)
	lib := newLibrary(t)
	chat := bottest.NewAdapter("console")
	clock := bottest.NewClock(start)
	var scheds []*scheduler.Scheduler
	for i, st := range sts {
		s := newScheduler(t, setup{store: st, lib: lib, chat: chat, clock: clock, owner: string(rune('a' + i))})
		if err := s.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		scheds = append(scheds, s)
	}
	const days = 5
	for range days {
		clock.Advance(24 * time.Hour)
		now := clock.Now()
		var wg sync.WaitGroup
		for _, s := range scheds {
			wg.Go(func() {
				if err := s.RunDue(ctx, now); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	if n := len(chat.Sent()); n != days {
		t.Errorf("%d digests posted by three replicas over %d days, want %d", n, days, days)
	}
}

// TestReplicaKilledMidDigest: replica a claims a slot and dies before its
// post goes out; replicas b and c, firing while a's lease runs, leave the
// slot alone; after the lease one of them posts it, once.
func TestReplicaKilledMidDigest(t *testing.T) {
	ctx := bottest.Context(t)
	sts := pgReplicas(t, 3)
	slot := mustTime(t, "2026-11-20T06:00:00Z")
	sub := subscribe(t, sts[0], "desk", "Europe/Amsterdam", slot.AddDate(0, 0, -10))
	lib := newLibrary(t)
	chat := bottest.NewAdapter("console")

	dying := bottest.NewAdapter("console")
	dying.FailSends(errors.New("process killed"))
	a := newScheduler(t, setup{store: sts[0], lib: lib, chat: dying, clock: bottest.NewClock(slot.Add(time.Minute)), owner: "a"})
	if err := a.Fire(ctx, sub, slot); err == nil {
		t.Fatal("the dying replica's post succeeded")
	}
	for _, step := range []struct {
		at    time.Duration
		posts int
	}{
		{5 * time.Minute, 0},  // a's lease is live
		{12 * time.Minute, 1}, // a's lease ran out (DefaultLease 10 min): one of b and c posts
		{20 * time.Minute, 1}, // sent: nobody posts again
	} {
		var wg sync.WaitGroup
		for i, st := range sts[1:] {
			s := newScheduler(t, setup{store: st, lib: lib, chat: chat, clock: bottest.NewClock(slot.Add(step.at)), owner: string(rune('b' + i))})
			wg.Go(func() {
				if err := s.Fire(ctx, sub, slot); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := len(chat.Sent()); n != step.posts {
			t.Errorf("%v after the slot: %d digests posted, want %d", step.at, n, step.posts)
		}
	}
	if got := lastSlot(t, sts[2], sub.ID); !got.Equal(slot) {
		t.Errorf("last sent slot %s, want %s", got, slot)
	}
}
