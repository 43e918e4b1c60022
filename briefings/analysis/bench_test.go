package analysis

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/frogtest"
)

// BenchmarkFrog starts one Frog process for each module selection (every
// module, no parser, no parser/morphology/multi-word units) and measures
// its start-up, its throughput on testdata/sentences.txt (words a second of
// wall time, and of the CPU time of Frog's connection process, which other
// load on the machine does not change), the latency of a batch of 10
// sentences, and resident memory: the server's, and what each connection's
// forked child has of its own. It needs frog; run it alone, it loads about
// 2 GB per process:
//
//	go test -run '^$' -bench Frog -benchtime 3x ./briefings/analysis/
func BenchmarkFrog(b *testing.B) {
	bin := frogtest.Binary(b)
	sents := fixtureSentences(b)
	words := 0
	for _, s := range sents {
		words += len(strings.Fields(s))
	}
	configs := []struct {
		name  string
		skip  string
		conns int
	}{
		{"skip=none", "", 1},
		{"skip=none/conns=2", "", 2},
		{"skip=p", "p", 1},
		{"skip=pam", "pam", 1},
	}
	for _, cfg := range configs {
		b.Run(cfg.name, func(b *testing.B) {
			start := time.Now()
			f, err := NewFrog(context.Background(), FrogOptions{Binary: bin, Skip: cfg.skip, Connections: cfg.conns})
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			if err := f.WaitReady(ctx); err != nil {
				b.Fatal(err)
			}
			startup := time.Since(start)
			pid := f.Status().PIDs[0]
			if _, err := f.Analyze(ctx, sents[:2]); err != nil { // warm up
				b.Fatal(err)
			}

			b.Run("throughput", func(b *testing.B) {
				cpu0 := childrenCPU(b, pid)
				for b.Loop() {
					if _, err := f.Analyze(ctx, sents); err != nil {
						b.Fatal(err)
					}
				}
				n := float64(words * b.N)
				b.ReportMetric(n/b.Elapsed().Seconds(), "words/s")
				if cpu := childrenCPU(b, pid) - cpu0; cpu > 0 {
					b.ReportMetric(n/cpu.Seconds(), "words/cpu-s")
				}
				b.ReportMetric(startup.Seconds(), "startup-s")
				server, conn := memory(b, pid)
				b.ReportMetric(server, "server-RSS-MB")
				b.ReportMetric(conn, "conn-private-MB")
			})
			b.Run("batch10", func(b *testing.B) {
				i := 0
				for b.Loop() {
					lo := (i * 10) % (len(sents) - 10)
					if _, err := f.Analyze(ctx, sents[lo:lo+10]); err != nil {
						b.Fatal(err)
					}
					i++
				}
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/batch")
			})
		})
	}
}

// children lists the processes Frog's server pid forked (one per
// connection).
func children(tb testing.TB, pid int) []int {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		tb.Fatalf("list Frog's children: %v", err)
	}
	var out []int
	for _, f := range strings.Fields(string(b)) {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// childrenCPU is the CPU time (user and system) of pid's children.
func childrenCPU(tb testing.TB, pid int) time.Duration {
	tb.Helper()
	var total time.Duration
	for _, c := range children(tb, pid) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c))
		if err != nil {
			continue // it ended
		}
		// Fields after the command, which is in parentheses: state is the
		// first, utime the 12th and stime the 13th; in clock ticks of 1/100 s.
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		total += time.Duration(ut+st) * 10 * time.Millisecond
	}
	return total
}

// memory reports the server's resident memory (VmRSS) and the average
// memory of its connection children that is their own (private pages; the
// rest they share with the server).
func memory(tb testing.TB, pid int) (serverMB, connPrivateMB float64) {
	tb.Helper()
	serverMB = procKB(tb, fmt.Sprintf("/proc/%d/status", pid), "VmRSS:") / 1024
	kids := children(tb, pid)
	for _, c := range kids {
		path := fmt.Sprintf("/proc/%d/smaps_rollup", c)
		connPrivateMB += (procKB(tb, path, "Private_Clean:") + procKB(tb, path, "Private_Dirty:")) / 1024
	}
	if len(kids) > 0 {
		connPrivateMB /= float64(len(kids))
	}
	return serverMB, connPrivateMB
}

// procKB reads a "Name:   123 kB" line of a /proc file.
func procKB(tb testing.TB, path, name string) float64 {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, name); ok {
			v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				tb.Fatalf("%s: %q: %v", path, line, err)
			}
			return v
		}
	}
	tb.Fatalf("%s has no %s", path, name)
	return 0
}
