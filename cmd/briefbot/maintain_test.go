package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/internal/store"
)

// serve prunes processed events after a week and cached annotations after
// 90 days; younger ones stay.
func TestPruneStore(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "state.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	if _, err := st.ClaimEvent(ctx, "slack", "ev1", "me", now, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishEvent(ctx, "slack", "ev1", now); err != nil {
		t.Fatal(err)
	}
	if err := st.PutAnnotations(ctx, map[string][]byte{"k": []byte("v")}); err != nil {
		t.Fatal(err)
	}
	state := func() (bot.EventState, int) {
		t.Helper()
		got, err := st.GetAnnotations(ctx, []string{"k"})
		if err != nil {
			t.Fatal(err)
		}
		// a new claim on a pruned event is granted; on a kept one it is done
		s, err := st.ClaimEvent(ctx, "slack", "ev1", "other", now, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return s, len(got)
	}

	pruneStore(ctx, st, log, now.Add(24*time.Hour))
	if s, n := state(); s != bot.EventDone || n != 1 {
		t.Fatalf("after a day: event %v, %d annotations; want done and 1", s, n)
	}
	pruneStore(ctx, st, log, now.Add(8*24*time.Hour))
	if s, n := state(); s != bot.EventClaimed || n != 1 {
		t.Fatalf("after 8 days: event %v, %d annotations; want pruned (claimable) and 1", s, n)
	}
	pruneStore(ctx, st, log, now.Add(91*24*time.Hour))
	if _, n := state(); n != 0 {
		t.Fatalf("after 91 days: %d annotations; want 0", n)
	}
}

// maintainStore prunes at once and then on its interval, until stopped.
func TestMaintainStoreRuns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := &countingPruner{calls: make(chan struct{}, 10)}
	done := make(chan struct{})
	go func() {
		maintainStore(ctx, p, slog.New(slog.NewTextHandler(io.Discard, nil)), 10*time.Millisecond, time.Now)
		close(done)
	}()
	for range 3 {
		select {
		case <-p.calls:
		case <-time.After(10 * time.Second):
			t.Fatal("maintainStore did not prune on its interval")
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("maintainStore did not stop with its context")
	}
}

type countingPruner struct{ calls chan struct{} }

func (p *countingPruner) PruneProcessed(context.Context, time.Time) (int64, error) {
	select {
	case p.calls <- struct{}{}:
	default:
	}
	return 0, nil
}

func (p *countingPruner) PruneAnnotations(context.Context, time.Time) (int64, error) { return 0, nil }
