package bench

import (
	"context"
	"flag"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/internal/corpus"
)

// go test -run '^$' -bench . ./internal/bench/ -bench.articles 100000
var benchArticles = flag.Int("bench.articles", 100_000, "generated articles for the benchmarks")

var (
	corpusOnce sync.Once
	corpusArts []briefings.Article
	libOnce    sync.Once
	benchLib   *briefings.Library
)

func benchCorpus(b *testing.B) []briefings.Article {
	b.Helper()
	corpusOnce.Do(func() { corpusArts = corpus.Generate(*benchArticles, 1) })
	return corpusArts
}

func benchLibrary(b *testing.B) *briefings.Library {
	b.Helper()
	arts := benchCorpus(b)
	libOnce.Do(func() {
		lib, err := briefings.NewLibrary(briefings.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := lib.Replace(context.Background(), arts); err != nil {
			b.Fatal(err)
		}
		benchLib = lib
	})
	return benchLib
}

// BenchmarkLoadDir parses a directory of generated .txt files and indexes
// them: the whole path from disk to answerable articles.
func BenchmarkLoadDir(b *testing.B) {
	n := *benchArticles
	dir := b.TempDir()
	if err := corpus.WriteDir(dir, n, 1); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		res, err := briefings.LoadDir(ctx, dir, briefings.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		lib, err := briefings.NewLibrary(briefings.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := lib.Replace(ctx, res.Articles); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "articles/s")
	b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
}

// BenchmarkIndex builds the index over the generated corpus.
func BenchmarkIndex(b *testing.B) {
	arts := benchCorpus(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		lib, err := briefings.NewLibrary(briefings.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := lib.Replace(ctx, arts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(arts))*float64(b.N)/b.Elapsed().Seconds(), "articles/s")
	b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
}

// latencies runs fn over the questions b.N times in all and reports p50 and
// p99 per call.
func latencies(b *testing.B, qs []string, fn func(q string)) {
	b.Helper()
	var d []time.Duration
	b.ResetTimer()
	i := 0
	for b.Loop() {
		t := time.Now()
		fn(qs[i%len(qs)])
		d = append(d, time.Since(t))
		i++
	}
	l := summarize(d)
	b.ReportMetric(float64(l.P50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(l.P99.Microseconds()), "p99-µs")
	b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
}

func BenchmarkAnswer(b *testing.B) {
	lib := benchLibrary(b)
	qs := Questions(benchCorpus(b), 1000, 7)
	ctx := context.Background()
	b.ReportAllocs()
	latencies(b, qs, func(q string) {
		if _, err := lib.Answer(ctx, q, briefings.AskOptions{}); err != nil && err != briefings.ErrEmptyQuery {
			b.Fatal(err)
		}
	})
}

func BenchmarkSearch(b *testing.B) {
	lib := benchLibrary(b)
	qs := Questions(benchCorpus(b), 1000, 7)
	ctx := context.Background()
	latencies(b, qs, func(q string) {
		if _, err := lib.Search(ctx, q, 10); err != nil && err != briefings.ErrEmptyQuery {
			b.Fatal(err)
		}
	})
}

// BenchmarkVersusBleve builds both indexes over the same articles and times
// the same questions on each, reporting the ratio of p50 latencies.
func BenchmarkVersusBleve(b *testing.B) {
	arts := benchCorpus(b)
	for b.Loop() {
		r, err := Run(context.Background(), Config{Articles: arts, Questions: 500, Seed: 7, Bleve: true, TempDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(r.Answer.P50.Microseconds()), "ours-answer-p50-µs")
		b.ReportMetric(float64(r.Search.P50.Microseconds()), "ours-search-p50-µs")
		b.ReportMetric(float64(r.BleveSearch.P50.Microseconds()), "bleve-search-p50-µs")
		b.ReportMetric(r.SearchRatio, "bleve/ours-search")
		b.ReportMetric(r.BuildPerSec, "ours-build-articles/s")
		b.ReportMetric(float64(len(arts))/r.BleveBuildSec, "bleve-build-articles/s")
	}
}

// TestRunSmall keeps the harness itself working in the ordinary test run.
func TestRunSmall(t *testing.T) {
	arts := corpus.Generate(300, 3)
	r, err := Run(context.Background(), Config{Articles: arts, Questions: 50, Seed: 3, Bleve: true, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if r.Articles != 300 || r.Answer.N != 50 || r.Search.N != 50 || r.BleveSearch.N != 50 {
		t.Errorf("report %+v: want 300 articles and 50 timings of each kind", r)
	}
	if r.Answered == 0 {
		t.Error("no generated question was answered: the questions no longer name their sentence's words")
	}
	if r.BuildPerSec <= 0 || r.PeakRSSMiB <= 0 {
		t.Errorf("build rate %.0f/s, peak RSS %.0f MiB: want both measured", r.BuildPerSec, r.PeakRSSMiB)
	}
}
