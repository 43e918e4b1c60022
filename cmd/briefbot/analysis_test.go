package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/internal/frogtest"
	"github.com/briefbot/briefbot/internal/metrics"
	"github.com/briefbot/briefbot/internal/ops"
)

// readyz is the part of the /readyz body these tests read.
type readyz struct {
	Ready    bool
	Analysis *ops.Analysis
}

func getReadyz(t *testing.T, base string) readyz {
	t.Helper()
	_, body := get(t, base+"/readyz")
	var r readyz
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("/readyz body %q: %v", body, err)
	}
	if r.Analysis == nil {
		t.Fatalf("/readyz = %s, want an analysis detail", body)
	}
	return r
}

// analysisConfig is a serve configuration with the console, JSON logs at
// info and a listener on a free port.
func analysisConfig(t *testing.T) string {
	dir := t.TempDir()
	return writeFile(t, dir, "briefbot.yaml", "data_dir: "+filepath.Join(dir, "data")+
		"\nconsole: true\nlog: {level: info, format: json}\nhttp: {addr: \"127.0.0.1:0\"}\n")
}

// TestServeAnalysisBuiltin: with Frog off, or on auto without its program,
// serve logs which analysis serves and why, /readyz says built-in (and
// stays ready), the metric says builtin, and questions are answered.
func TestServeAnalysisBuiltin(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-frog-here")
	tests := []struct {
		name    string
		env     []string
		logLine string
		state   string
	}{
		{"off", []string{"BRIEFBOT_FROG_MODE=off"}, "analysis: built-in (frog.mode: off)", "off"},
		{"auto without the program", []string{"BRIEFBOT_FROG_MODE=auto", "BRIEFBOT_FROG_BIN=" + missing},
			"analysis: built-in — install Debian packages frog and frogdata for better answers (see docs)", "not_installed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startServe(t, analysisConfig(t), tt.env...)
			base := p.baseURL()
			waitReady(t, base)
			r := getReadyz(t, base)
			if !r.Ready || r.Analysis.Serving != "builtin" || r.Analysis.State != tt.state || r.Analysis.Frog != nil {
				t.Errorf("/readyz = %+v, analysis %+v; want ready, serving builtin, state %s", r, *r.Analysis, tt.state)
			}
			if tt.state == "not_installed" && !strings.Contains(r.Analysis.Detail, "frog and frogdata") {
				t.Errorf("detail %q does not say what to install", r.Analysis.Detail)
			}
			_, m := get(t, base+"/metrics")
			for _, want := range []string{`briefbot_analysis_serving{analyzer="builtin"} 1`, `briefbot_analysis_serving{analyzer="frog"} 0`} {
				if !strings.Contains(m, want) {
					t.Errorf("/metrics lacks %q", want)
				}
			}
			if strings.Contains(m, "briefbot_frog_") || strings.Contains(m, "briefbot_analysis_cache_") {
				t.Errorf("/metrics has Frog's series without Frog:\n%s", analysisLines(m))
			}
			if _, err := p.stdin.Write([]byte("Who fired Krebs?\n")); err != nil {
				t.Fatal(err)
			}
			p.waitLine("Donald Trump")
			p.terminate()
			if n := countLogLines(p.logs(), tt.logLine); n != 1 {
				t.Errorf("%d log lines %q, want 1:\n%s", n, tt.logLine, p.logs())
			}
			if strings.Contains(p.logs(), "analysis: frog") {
				t.Errorf("a Frog line was logged without Frog:\n%s", p.logs())
			}
		})
	}
}

// analysisLines are the analysis's and Frog's series in a /metrics body.
func analysisLines(metrics string) string {
	return grepLines(metrics, "briefbot_analysis_") + "\n" + grepLines(metrics, "briefbot_frog_")
}

// countLogLines counts the JSON log records whose message is msg.
func countLogLines(logs, msg string) int {
	n := 0
	for line := range strings.SplitSeq(logs, "\n") {
		var rec struct{ Msg string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == msg {
			n++
		}
	}
	return n
}

// TestFrogRequiredMissing: a required Frog without its program is a
// configuration problem for config check and serve (exit 2, naming the key
// and the packages), whether asked for in the environment or with --frog;
// a --frog value that is no mode is a usage error too.
func TestFrogRequiredMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-frog-here")
	tests := []struct {
		name string
		args []string
		env  []string
		want []string
	}{
		{"config check", []string{"config", "check"}, []string{"BRIEFBOT_FROG_MODE=on", "BRIEFBOT_FROG_BIN=" + missing},
			[]string{"frog.bin: Frog is required", "frog and frogdata"}},
		{"serve, environment", []string{"serve"}, []string{"BRIEFBOT_FROG_MODE=on", "BRIEFBOT_FROG_BIN=" + missing},
			[]string{"frog.bin: Frog is required", "frog and frogdata"}},
		{"serve --frog on", []string{"serve", "--frog", "on"}, []string{"BRIEFBOT_FROG_BIN=" + missing},
			[]string{"--frog on: frog.bin: Frog is required"}},
		{"serve --frog maybe", []string{"serve", "--frog", "maybe"}, nil,
			[]string{`--frog maybe: frog.mode: "maybe" is not a mode; use auto`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("BRIEFBOT_DATA", t.TempDir())
			for _, kv := range tt.env {
				k, v, _ := strings.Cut(kv, "=")
				t.Setenv(k, v)
			}
			var out bytes.Buffer
			code := run(t.Context(), tt.args, strings.NewReader(""), &out, &out)
			if code != 2 {
				t.Errorf("exit code %d, want 2:\n%s", code, out.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

// fakeFrogServer speaks Frog's server protocol (frog -S PORT -n) on a
// loopback port: every word of a line becomes a noun. While broken it
// closes every connection at once, as a dead server would.
type fakeFrogServer struct {
	ln     net.Listener
	broken atomic.Bool
	mu     sync.Mutex
	conns  map[net.Conn]bool
	wg     sync.WaitGroup
}

func newFakeFrogServer(t *testing.T) *fakeFrogServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeFrogServer{ln: ln, conns: map[net.Conn]bool{}}
	s.wg.Go(s.accept)
	t.Cleanup(func() {
		ln.Close()
		s.setBroken(true)
		s.wg.Wait()
	})
	return s
}

func (s *fakeFrogServer) addr() string { return s.ln.Addr().String() }

func (s *fakeFrogServer) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		if s.broken.Load() {
			c.Close()
			continue
		}
		s.mu.Lock()
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Go(func() { s.serve(c) })
	}
}

func (s *fakeFrogServer) serve(c net.Conn) {
	defer func() {
		c.Close()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
	sc := bufio.NewScanner(c)
	for sc.Scan() {
		var b strings.Builder
		for i, w := range strings.Fields(sc.Text()) {
			fmt.Fprintf(&b, "%d\t%s\t%s\t[%s]\tN(soort,ev,basis,zijd,stan)\t0.9\tO\tB-NP\t0\tROOT\n", i+1, w, strings.ToLower(w), w)
		}
		b.WriteString("\nREADY\n\n")
		if _, err := c.Write([]byte(b.String())); err != nil {
			return
		}
	}
}

// setBroken breaks the server (closing its connections) or mends it.
func (s *fakeFrogServer) setBroken(broken bool) {
	s.broken.Store(broken)
	if !broken {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestServeAnalysisStates follows a Frog server given by address through
// failing, ready, failing again and working again: /readyz's detail, the
// metrics' snapshot and the log lines follow, at error level when Frog is
// required; answers analyse with Frog once it is ready, and the cache
// answers a sentence the second time.
func TestServeAnalysisStates(t *testing.T) {
	for _, mode := range []string{config.FrogAuto, config.FrogOn} {
		t.Run(mode, func(t *testing.T) {
			srv := newFakeFrogServer(t)
			srv.setBroken(true)
			var logs syncBuffer
			log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
			a := startAnalysisTuned(t.Context(), config.Frog{Mode: mode, Addresses: []string{srv.addr()}}, nil, log,
				analysisTuning{watchEvery: 5 * time.Millisecond, restartBackoff: 5 * time.Millisecond})
			defer a.Close()
			failLevel := map[string]string{config.FrogAuto: "level=WARN", config.FrogOn: "level=ERROR"}[mode]

			waitAnalysis(t, a, "failing")
			r := a.Report()
			if r.Serving != "builtin" || r.Frog == nil || r.Frog.Processes != 1 || r.Frog.LastError == "" || r.Frog.LastErrorAt == nil ||
				!strings.Contains(r.Detail, "answers use the built-in analysis until it works again") {
				t.Errorf("report while failing = %+v (frog %+v)", r, r.Frog)
			}
			if _, err := a.Analyzer().Analyze(t.Context(), []string{"Een zin."}); err == nil {
				t.Error("Analyze succeeded while Frog fails; want an error, so that the answer goes on without it")
			}
			waitLog(t, &logs, failLevel+` msg="analysis: frog failed — answers use the built-in analysis until it works again"`)

			srv.setBroken(false)
			waitAnalysis(t, a, "ready")
			waitLog(t, &logs, `level=INFO msg="analysis: frog ready — answers use it"`)
			if r := a.Report(); r.Serving != "frog" || r.Frog.ReadyProcesses != 1 {
				t.Errorf("report when ready = %+v (frog %+v)", r, r.Frog)
			}
			for range 2 {
				out, err := a.Analyzer().Analyze(t.Context(), []string{"De kat zit.", "Een hond."})
				if err != nil || len(out) != 2 || len(out[0].Tokens) != 3 || out[0].Tokens[1].Lemma != "kat" {
					t.Fatalf("Analyze when ready = %+v, %v", out, err)
				}
			}
			got := a.Stats()
			want := metrics.AnalysisStats{Serving: "frog", Frog: true, Analysed: 2, MemoryHits: 2, Misses: 3,
				CacheEntries: 2, Restarts: got.Restarts, ReadyProcesses: 1}
			if diff := cmp.Diff(got, want); diff != "" || got.Restarts < 1 {
				t.Errorf("Stats (-got +want):\n%s\nrestarts %d, want at least 1", diff, got.Restarts)
			}

			// A server that dies is noticed when a request finds it dead.
			srv.setBroken(true)
			if _, err := a.Analyzer().Analyze(t.Context(), []string{"Nog een zin."}); err == nil {
				t.Error("Analyze succeeded on a dead server")
			}
			waitAnalysis(t, a, "failing")
			srv.setBroken(false)
			waitAnalysis(t, a, "ready")
			waitLog(t, &logs, `level=INFO msg="analysis: frog works again — answers use it"`)
			if n := strings.Count(logs.String(), `msg="analysis: frog failed`); n != 2 {
				t.Errorf("%d failure lines, want 2 (one per failure, not one per restart):\n%s", n, logs.String())
			}

			a.Close()
			if r := a.Report(); r.Serving != "builtin" || r.State != "stopped" {
				t.Errorf("report after Close = %+v, want built-in, stopped", r)
			}
		})
	}
}

// waitAnalysis waits until the analysis's state is state.
func waitAnalysis(t *testing.T, a *serveAnalysis, state string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond) // the pool's state has no change notice outside its package
	defer tick.Stop()
	for a.Report().State != state {
		if time.Now().After(deadline) {
			t.Fatalf("analysis state %q after 20s, want %q; report %+v", a.Report().State, state, a.Report())
		}
		<-tick.C
	}
}

// waitLog waits until the log contains sub.
func waitLog(t *testing.T, logs *syncBuffer, sub string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !strings.Contains(logs.String(), sub) {
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q after 20s:\n%s", sub, logs.String())
		}
		<-tick.C
	}
}

// TestServeWithFrog runs serve with the real Frog required: it answers at
// once with the built-in analysis while Frog loads, /readyz says so (and is
// ready), then turns to frog ready and the metric flips; answers then
// analyse with Frog (counted, cached), and SIGTERM kills the Frog process.
func TestServeWithFrog(t *testing.T) {
	bin := frogtest.Binary(t)
	p := startServe(t, analysisConfig(t), "BRIEFBOT_FROG_MODE=on", "BRIEFBOT_FROG_BIN="+bin)
	base := p.baseURL()
	waitReady(t, base)
	r := getReadyz(t, base)
	if r.Analysis.State == "ready" {
		t.Log("Frog was ready before the first question (fine, but unexpected)")
	} else if !r.Ready || r.Analysis.Serving != "builtin" || r.Analysis.State != "starting" || r.Analysis.Frog == nil || len(r.Analysis.Frog.PIDs) != 1 {
		t.Errorf("/readyz while Frog loads = %+v, analysis %+v; want ready, serving builtin, starting, one pid", r, *r.Analysis)
	}
	asked := time.Now()
	if _, err := p.stdin.Write([]byte("Who fired Krebs?\n")); err != nil {
		t.Fatal(err)
	}
	p.waitLine("Donald Trump")
	if d := time.Since(asked); d > 10*time.Second && r.Analysis.State != "ready" {
		t.Errorf("the first answer took %v: it waited for Frog", d)
	}
	if n := countLogLines(p.logs(), "analysis: frog starting (processes=1) — answers use the built-in analysis until it is ready"); n != 1 {
		t.Errorf("%d start-up lines for Frog, want 1:\n%s", n, p.logs())
	}

	deadline := time.Now().Add(4 * time.Minute)
	tick := time.NewTicker(200 * time.Millisecond) // polling a real process
	defer tick.Stop()
	for r = getReadyz(t, base); r.Analysis.State != "ready"; r = getReadyz(t, base) {
		if time.Now().After(deadline) {
			t.Fatalf("Frog not ready after 4 minutes: %+v", *r.Analysis)
		}
		<-tick.C
	}
	if !r.Ready || r.Analysis.Serving != "frog" || r.Analysis.Frog.ReadyProcesses != 1 {
		t.Errorf("/readyz when Frog is ready = %+v, analysis %+v", r, *r.Analysis)
	}
	pid := r.Analysis.Frog.PIDs[0]
	_, m := get(t, base+"/metrics")
	for _, want := range []string{`briefbot_analysis_serving{analyzer="frog"} 1`, `briefbot_analysis_serving{analyzer="builtin"} 0`,
		"briefbot_frog_processes_ready 1"} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, analysisLines(m))
		}
	}

	// The question again, now with Frog: its sentences are analysed (in
	// the background if the answer stops waiting), and the next time they
	// come from the cache.
	if _, err := p.stdin.Write([]byte("Who fired Krebs?\n")); err != nil {
		t.Fatal(err)
	}
	waitMetric(t, base, "briefbot_analysis_cache_entries", 1)
	waitMetric(t, base, "briefbot_analysis_sentences_total", 1)
	if _, err := p.stdin.Write([]byte("Who fired Krebs?\n")); err != nil {
		t.Fatal(err)
	}
	waitMetric(t, base, `briefbot_questions_total{answered="true",platform="console"}`, 3)
	_, m = get(t, base+"/metrics")
	if metricValue(t, m, `briefbot_analysis_cache_hits_total{cache="memory"}`) == 0 {
		t.Errorf("no sentence answered from the cache:\n%s", analysisLines(m))
	}
	waitLogged(t, p, "analysis: frog ready — answers use it")

	p.terminate()
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("Frog process %d still runs after serve stopped", pid)
	}
}

// metricValue reads one series' value from a /metrics body.
func metricValue(t *testing.T, body, series string) float64 {
	t.Helper()
	for line := range strings.SplitSeq(body, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			var v float64
			if _, err := fmt.Sscan(rest, &v); err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return v
		}
	}
	t.Fatalf("/metrics has no %s", series)
	return 0
}

// waitMetric polls /metrics until series is at least min.
func waitMetric(t *testing.T, base, series string, min float64) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	tick := time.NewTicker(100 * time.Millisecond) // polling a real process
	defer tick.Stop()
	for {
		_, m := get(t, base+"/metrics")
		if strings.Contains(m, series+" ") && metricValue(t, m, series) >= min {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s below %v after 2 minutes:\n%s", series, min, analysisLines(m))
		}
		<-tick.C
	}
}

// waitLogged waits until serve has logged a record with message msg.
func waitLogged(t *testing.T, p *proc, msg string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for countLogLines(p.logs(), msg) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not log %q:\n%s", msg, p.logs())
		}
		<-tick.C
	}
}

// gatedAnalyzer analyses each word as a token once its gate opens.
type gatedAnalyzer struct {
	gate  chan struct{}
	calls atomic.Int32
}

func (g *gatedAnalyzer) Name() string { return "gated" }

func (g *gatedAnalyzer) Analyze(ctx context.Context, sentences []string) ([]analysis.Sentence, error) {
	g.calls.Add(1)
	select {
	case <-g.gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	out := make([]analysis.Sentence, len(sentences))
	for i, s := range sentences {
		out[i].Text = s
		for _, w := range strings.Fields(s) {
			out[i].Tokens = append(out[i].Tokens, analysis.Token{Text: w, Head: -1})
		}
	}
	return out, nil
}

// TestFinishing: an answer that stops waiting gets its error at once, the
// analysis goes on and fills the cache, so the next answer is served from
// it; with every background slot taken a call is the inner analyser's own.
func TestFinishing(t *testing.T) {
	slow := &gatedAnalyzer{gate: make(chan struct{})}
	f := &finishing{inner: analysis.Cached(slow, nil, 10), slots: make(chan struct{}, 1), timeout: time.Minute}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := f.Analyze(ctx, []string{"De kat zit."}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Analyze past its deadline = %v, want DeadlineExceeded", err)
	}

	// The one background slot is taken: this call waits in the caller.
	ctx2, cancel2 := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel2()
	if _, err := f.Analyze(ctx2, []string{"Een andere zin."}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Analyze = %v, want DeadlineExceeded", err)
	}

	close(slow.gate)
	f.wait()
	calls := slow.calls.Load()
	out, err := f.Analyze(t.Context(), []string{"De kat zit."})
	if err != nil || len(out) != 1 || len(out[0].Tokens) != 3 {
		t.Fatalf("Analyze after the background finished = %+v, %v", out, err)
	}
	if n := slow.calls.Load(); n != calls {
		t.Errorf("the sentence was analysed again (%d calls, want %d): the background result was not cached", n, calls)
	}
	if calls != 2 {
		t.Errorf("%d calls to the analyser, want 2 (one finished in the background, one given up)", calls)
	}
}
