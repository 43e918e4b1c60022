package bench

// Benchmarks of answering with Frog's analysis, as serve runs it: one Frog
// process with two connections, answers waiting at most 3 s (the default
// frog.answer_timeout) for the analysis. They need Frog (Debian frog and
// frogdata) and are skipped without it, unless BRIEFBOT_REQUIRE_FROG=1.
//
//	go test -run '^$' -bench AnswerAnalysis ./internal/bench/ -timeout 60m \
//	    -bench.frog.articles 100000 -benchtime 200x
//
// The default of 2,000 articles keeps a trial run short.

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/internal/corpus"
	"github.com/briefbot/briefbot/internal/frogtest"
	"github.com/briefbot/briefbot/internal/store"
)

var (
	frogArticles  = flag.Int("bench.frog.articles", 2_000, "generated articles for the Frog benchmarks (100000 for the documented figures)")
	frogQuestions = flag.Int("bench.frog.questions", 50, "distinct questions the Frog benchmarks cycle through")
)

// Serve's Frog set-up (cmd/briefbot): one process, two connections.
const (
	benchFrogConnections = 2
	benchCacheSentences  = 20_000
)

// countingAnalyzer counts the calls that returned an analysis (in time) and
// those that did not (the answer then went on with the built-in analysis).
type countingAnalyzer struct {
	analysis.Analyzer
	ok, failed atomic.Int64
}

func (c *countingAnalyzer) Analyze(ctx context.Context, sentences []string) ([]analysis.Sentence, error) {
	out, err := c.Analyzer.Analyze(ctx, sentences)
	if err != nil {
		c.failed.Add(1)
	} else {
		c.ok.Add(1)
	}
	return out, err
}

// BenchmarkAnswerAnalysis times answers at -bench.frog.articles articles:
//
//   - builtin: without Frog (frog.mode off, or not installed);
//   - frog-cached: with Frog, every examined sentence's annotations in the
//     in-memory cache (warmed first by answering every question);
//   - frog-store-cached: the same, read from the database only (a restart);
//   - frog-uncached: with Frog and no cache, so every answer waits for
//     Frog, up to the 3 s answer timeout;
//   - frog-throughput: Frog alone on corpus sentences, in words per second.
//
// Frog's resident memory (its server process; and the proportional share
// of it and its per-connection children) is reported with the Frog cases.
func BenchmarkAnswerAnalysis(b *testing.B) {
	ctx := context.Background()
	arts := corpus.Generate(*frogArticles, 1)
	qs := Questions(arts, *frogQuestions, 11)
	library := func(b *testing.B, opts briefings.Options) *briefings.Library {
		b.Helper()
		lib, err := briefings.NewLibrary(opts)
		if err != nil {
			b.Fatal(err)
		}
		if err := lib.Replace(ctx, arts); err != nil {
			b.Fatal(err)
		}
		return lib
	}

	var frog *analysis.Frog
	defer func() {
		if frog != nil {
			frog.Close()
		}
	}()
	startFrog := func(b *testing.B) *analysis.Frog {
		b.Helper()
		bin := frogtest.Binary(b)
		if frog != nil {
			return frog
		}
		f, err := analysis.NewFrog(ctx, analysis.FrogOptions{Binary: bin, Connections: benchFrogConnections})
		if err != nil {
			b.Fatal(err)
		}
		frog = f
		start := time.Now()
		wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		if err := f.WaitReady(wctx); err != nil {
			b.Fatal(err)
		}
		b.Logf("Frog ready after %v", time.Since(start).Round(100*time.Millisecond))
		return f
	}

	b.Run("builtin", func(b *testing.B) {
		answerLatencies(b, library(b, briefings.Options{}), qs, nil)
	})

	b.Run("frog-uncached", func(b *testing.B) {
		an := &countingAnalyzer{Analyzer: startFrog(b)}
		answerLatencies(b, library(b, briefings.Options{Analyzer: an}), qs, an)
		reportFrogMemory(b, frog)
	})

	var st *store.SQLite
	defer func() {
		if st != nil {
			st.Close()
		}
	}()
	b.Run("frog-cached", func(b *testing.B) {
		f := startFrog(b)
		var err error
		if st, err = store.Open(ctx, filepath.Join(b.TempDir(), "briefbot.db"), nil); err != nil {
			b.Fatal(err)
		}
		cache := analysis.Cached(f, st, benchCacheSentences)
		// Warm: answer every question once, waiting for every analysis.
		warm := library(b, briefings.Options{Analyzer: cache, AnalysisTimeout: 30 * time.Minute})
		start := time.Now()
		for _, q := range qs {
			if _, err := warm.Answer(ctx, q, briefings.AskOptions{}); err != nil && err != briefings.ErrEmptyQuery {
				b.Fatal(err)
			}
		}
		ws := cache.Stats()
		b.Logf("warmed the cache in %v: %d sentences analysed", time.Since(start).Round(time.Millisecond), ws.Misses)
		an := &countingAnalyzer{Analyzer: cache}
		answerLatencies(b, library(b, briefings.Options{Analyzer: an}), qs, an)
		if s := cache.Stats(); s.Misses != ws.Misses {
			b.Errorf("%d sentences missed the warm cache", s.Misses-ws.Misses)
		}
		reportFrogMemory(b, f)
	})

	b.Run("frog-store-cached", func(b *testing.B) {
		f := startFrog(b)
		if st == nil {
			b.Skip("needs frog-cached first, which fills the database")
		}
		cache := analysis.Cached(f, st, 0) // nothing in memory: every sentence from the database
		an := &countingAnalyzer{Analyzer: cache}
		answerLatencies(b, library(b, briefings.Options{Analyzer: an}), qs, an)
		if s := cache.Stats(); s.Misses > 0 {
			b.Errorf("%d sentences were not in the database", s.Misses)
		}
	})

	b.Run("frog-throughput", func(b *testing.B) {
		f := startFrog(b)
		var sents []string
		for _, a := range arts {
			for _, s := range a.Sentences {
				sents = append(sents, s.Text)
			}
		}
		const batch = 20 // about one answer's examined sentences
		words, i := 0, 0
		cpu0 := frogCPUSeconds(f)
		for b.Loop() {
			part := make([]string, batch)
			for j := range part {
				part[j] = sents[i%len(sents)]
				words += len(strings.Fields(part[j]))
				i++
			}
			if _, err := f.Analyze(ctx, part); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(words)/b.Elapsed().Seconds(), "words/s")
		b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "sentences/s")
		// per CPU second of Frog: what the machine's other load does not change
		if cpu := frogCPUSeconds(f) - cpu0; cpu > 0 {
			b.ReportMetric(float64(words)/cpu, "words/frog-CPU-s")
		}
		reportFrogMemory(b, f)
	})
}

// answerLatencies answers the questions in turn, b.N answers in all, and
// reports p50 and p99 in milliseconds and, with an analyser, the share of
// answers that had their analysis in time.
func answerLatencies(b *testing.B, lib *briefings.Library, qs []string, an *countingAnalyzer) {
	b.Helper()
	ctx := context.Background()
	var d []time.Duration
	i := 0
	for b.Loop() {
		t := time.Now()
		if _, err := lib.Answer(ctx, qs[i%len(qs)], briefings.AskOptions{}); err != nil && err != briefings.ErrEmptyQuery {
			b.Fatal(err)
		}
		d = append(d, time.Since(t))
		i++
	}
	l := summarize(d)
	b.ReportMetric(float64(l.P50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(l.P99.Microseconds())/1000, "p99-ms")
	if an != nil {
		if n := an.ok.Load() + an.failed.Load(); n > 0 {
			b.ReportMetric(100*float64(an.ok.Load())/float64(n), "analysed-%")
		}
	}
}

// reportFrogMemory reports the resident memory of f's server processes
// (VmRSS, which counts the loaded models) and the proportional set size of
// them and their per-connection children (Pss: shared pages divided among
// the processes that share them, so the sum is what they take together).
func reportFrogMemory(b *testing.B, f *analysis.Frog) {
	b.Helper()
	var rss, pss float64
	for _, pid := range f.Status().PIDs {
		rss += procKiB(pid, "status", "VmRSS:") / 1024
		pss += procKiB(pid, "smaps_rollup", "Pss:") / 1024
		for _, child := range childPIDs(pid) {
			pss += procKiB(child, "smaps_rollup", "Pss:") / 1024
		}
	}
	b.ReportMetric(rss, "frog-RSS-MiB")
	b.ReportMetric(pss, "frog-PSS-MiB")
}

// frogCPUSeconds is the CPU time used so far by f's server processes and
// their live per-connection children (user and system, /proc/PID/stat).
func frogCPUSeconds(f *analysis.Frog) float64 {
	const clockTicks = 100 // USER_HZ, 100 on Linux
	var ticks float64
	for _, pid := range f.Status().PIDs {
		for _, p := range append([]int{pid}, childPIDs(pid)...) {
			data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
			if err != nil {
				continue
			}
			// the fields after the command name, which is in parentheses
			rest := string(data)
			if i := strings.LastIndexByte(rest, ')'); i >= 0 {
				rest = rest[i+1:]
			}
			fs := strings.Fields(rest)
			if len(fs) > 12 { // utime and stime are fields 14 and 15 of the line
				u, _ := strconv.ParseFloat(fs[11], 64)
				st, _ := strconv.ParseFloat(fs[12], 64)
				ticks += u + st
			}
		}
	}
	return ticks / clockTicks
}

// procKiB reads a "Key: N kB" line of /proc/PID/file, or 0.
func procKiB(pid int, file, key string) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, file))
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				v, _ := strconv.ParseFloat(f[0], 64)
				return v
			}
		}
	}
	return 0
}

// childPIDs lists the children of pid (Linux).
func childPIDs(pid int) []int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		return nil
	}
	var out []int
	for _, f := range strings.Fields(string(data)) {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}
