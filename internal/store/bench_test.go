package store

import (
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

var benchArticles = flag.Int("store.articles", 100_000, "articles per benchmark iteration")

// benchStore opens a fresh database that logs nothing.
func benchStore(b *testing.B) *SQLite {
	b.Helper()
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "state.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkSyncArticles measures a first load of -store.articles synthetic
// articles (about 1.5 KB of body and 10 sentences each) into an empty
// database: every iteration syncs into a fresh file.
// Run with: go test -run '^$' -bench SyncArticles -benchtime 1x ./internal/store/
func BenchmarkSyncArticles(b *testing.B) {
	arts := synthArticles(0, *benchArticles)
	b.ResetTimer()
	var (
		elapsed time.Duration
		size    int64
	)
	for range b.N {
		b.StopTimer()
		s := benchStore(b)
		b.StartTimer()
		start := time.Now()
		stats, err := s.SyncArticles(b.Context(), "bench", arts, testTime)
		elapsed += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if stats.Added != len(arts) {
			b.Fatalf("added %d, want %d", stats.Added, len(arts))
		}
		b.StopTimer()
		if err := s.Close(); err != nil { // checkpoints the WAL into the file
			b.Fatal(err)
		}
		fi, err := os.Stat(s.Path())
		if err != nil {
			b.Fatal(err)
		}
		size = fi.Size()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(arts)*b.N)/elapsed.Seconds(), "articles/s")
	b.ReportMetric(float64(size)/float64(len(arts)), "file-bytes/article")
}

// BenchmarkResyncUnchanged measures the sync at a restart: every article
// is already stored and unchanged.
func BenchmarkResyncUnchanged(b *testing.B) {
	arts := synthArticles(0, *benchArticles)
	s := benchStore(b)
	if _, err := s.SyncArticles(b.Context(), "bench", arts, testTime); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		stats, err := s.SyncArticles(b.Context(), "bench", arts, testTime)
		if err != nil {
			b.Fatal(err)
		}
		if stats.Unchanged != len(arts) {
			b.Fatalf("unchanged %d, want %d", stats.Unchanged, len(arts))
		}
	}
	b.ReportMetric(float64(len(arts)*b.N)/time.Since(start).Seconds(), "articles/s")
}

// BenchmarkArticles measures reading -store.articles articles back.
func BenchmarkArticles(b *testing.B) {
	arts := synthArticles(0, *benchArticles)
	s := benchStore(b)
	if _, err := s.SyncArticles(b.Context(), "bench", arts, testTime); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	var got []briefings.Article
	for range b.N {
		var err error
		if got, err = s.Articles(b.Context(), "bench"); err != nil {
			b.Fatal(err)
		}
		if len(got) != len(arts) {
			b.Fatalf("read %d, want %d", len(got), len(arts))
		}
	}
	b.ReportMetric(float64(len(arts)*b.N)/time.Since(start).Seconds(), "articles/s")
}
