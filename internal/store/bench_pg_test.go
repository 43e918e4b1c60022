package store

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// The PostgreSQL benchmarks run against BRIEFBOT_TEST_DATABASE_URL (they
// skip without it), each round on a fresh database:
//
//	scripts/postgres.sh go test -run '^$' -bench PG -benchtime 2s ./internal/store/
//
// A replica is a *Postgres of its own (its own pool, default size); each
// runs pgBenchWorkers goroutines, and together they work through b.N
// operations.
const pgBenchWorkers = 4

var pgBenchReplicas = []int{1, 2, 4}

// benchReplicas opens n stores on one fresh database, logging nothing.
func benchReplicas(b *testing.B, n int) []*Postgres {
	b.Helper()
	dbURL := newPGDatabase(b, "")
	out := make([]*Postgres, n)
	for i := range out {
		p, err := OpenPostgres(b.Context(), dbURL, slog.New(slog.DiscardHandler))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { p.Close() })
		out[i] = p
	}
	return out
}

// runOnReplicas runs op(p, i) for i in [0, b.N), spread over the replicas'
// workers, and reports the operations per second as unit.
func runOnReplicas(b *testing.B, reps []*Postgres, unit string, op func(ctx context.Context, p *Postgres, i int) error) {
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		ctx  = b.Context()
	)
	b.ResetTimer()
	start := time.Now()
	for _, p := range reps {
		for range pgBenchWorkers {
			wg.Go(func() {
				for {
					i := int(next.Add(1) - 1)
					if i >= b.N {
						return
					}
					if err := op(ctx, p, i); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), unit)
}

// BenchmarkPGClaimEvent measures handling events as the bot does: each
// is claimed (ClaimEvent, one statement) and then finished (FinishEvent).
func BenchmarkPGClaimEvent(b *testing.B) {
	for _, n := range pgBenchReplicas {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			reps := benchReplicas(b, n)
			runOnReplicas(b, reps, "events/s", func(ctx context.Context, p *Postgres, i int) error {
				id := bot.EventID(fmt.Sprint("Ev", i))
				st, err := p.ClaimEvent(ctx, "slack", id, "bench", testTime, time.Minute)
				if err != nil {
					return err
				}
				if st != bot.EventClaimed {
					return fmt.Errorf("ClaimEvent(%s) = %v, want claimed", id, st)
				}
				return p.FinishEvent(ctx, "slack", id, testTime)
			})
		})
	}
}

// BenchmarkPGClaimDigest measures ClaimDigest (one statement that checks
// the schedule and claims) of distinct slots of one subscription.
func BenchmarkPGClaimDigest(b *testing.B) {
	for _, n := range pgBenchReplicas {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			reps := benchReplicas(b, n)
			s, err := reps[0].AddSubscription(b.Context(), sub("slack", "C1", "interference", "0 7 * * *", testTime))
			if err != nil {
				b.Fatal(err)
			}
			runOnReplicas(b, reps, "claims/s", func(ctx context.Context, p *Postgres, i int) error {
				slot := testTime.Add(time.Duration(i) * time.Minute)
				ok, err := p.ClaimDigest(ctx, s, slot, "bench", slot, time.Minute, 3)
				if err == nil && !ok {
					err = fmt.Errorf("ClaimDigest(%s) = false, want true", slot)
				}
				return err
			})
		})
	}
}

// BenchmarkPGSyncArticles measures a first load of -store.articles
// synthetic articles into an empty PostgreSQL database (COPY), and a
// re-sync of the same articles (nothing changed), as at a restart.
func BenchmarkPGSyncArticles(b *testing.B) {
	arts := synthArticles(0, *benchArticles)
	var first, again time.Duration
	for range b.N {
		b.StopTimer()
		p := benchReplicas(b, 1)[0]
		b.StartTimer()
		start := time.Now()
		stats, err := p.SyncArticles(b.Context(), "bench", arts, testTime)
		first += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if stats.Added != len(arts) {
			b.Fatalf("added %d, want %d", stats.Added, len(arts))
		}
		start = time.Now()
		if stats, err = p.SyncArticles(b.Context(), "bench", arts, testTime); err != nil || stats.Unchanged != len(arts) {
			b.Fatalf("re-sync: %+v, %v", stats, err)
		}
		again += time.Since(start)
	}
	b.ReportMetric(float64(len(arts)*b.N)/first.Seconds(), "articles/s")
	b.ReportMetric(float64(len(arts)*b.N)/again.Seconds(), "unchanged-articles/s")
}
