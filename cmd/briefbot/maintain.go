package main

import (
	"context"
	"log/slog"
	"time"
)

// How long serve keeps what its store only needs for a while.
const (
	// keepProcessed covers every redelivery: Slack retries within an hour,
	// a Matrix sync replays at most what came since the saved position.
	keepProcessed = 7 * 24 * time.Hour
	// keepAnnotations bounds the analysis cache; an entry pruned while
	// still useful is analysed again on demand.
	keepAnnotations = 90 * 24 * time.Hour
	// maintainEvery is how often serve prunes.
	maintainEvery = time.Hour
)

// pruner is the part of the store that maintenance prunes.
type pruner interface {
	PruneProcessed(ctx context.Context, before time.Time) (int64, error)
	PruneAnnotations(ctx context.Context, before time.Time) (int64, error)
}

// maintainStore prunes old processed events and cached annotations now and
// then every interval until ctx ends, so the database does not grow without
// bound. Failures are logged and retried at the next round.
func maintainStore(ctx context.Context, st pruner, log *slog.Logger, every time.Duration, now func() time.Time) {
	for {
		pruneStore(ctx, st, log, now())
		t := time.NewTimer(every)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func pruneStore(ctx context.Context, st pruner, log *slog.Logger, now time.Time) {
	if n, err := st.PruneProcessed(ctx, now.Add(-keepProcessed)); err != nil {
		if ctx.Err() == nil {
			log.Warn("pruning old processed events failed; retrying later", "err", err)
		}
	} else if n > 0 {
		log.Info("pruned old processed events", "count", n, "older_than", keepProcessed)
	}
	if n, err := st.PruneAnnotations(ctx, now.Add(-keepAnnotations)); err != nil {
		if ctx.Err() == nil {
			log.Warn("pruning old cached annotations failed; retrying later", "err", err)
		}
	} else if n > 0 {
		log.Info("pruned old cached annotations", "count", n, "older_than", keepAnnotations)
	}
}
