package analysis

// Tests of the Frog pool's supervision against a fake Frog server (see
// runFakeFrog), which starts at once: crashes, hangs, foreign answers,
// cancellation, start-up failures and clean-up.

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// newFakeFrog starts a pool of fake Frog processes and closes it when the
// test ends. Unset timeouts are short.
func newFakeFrog(t *testing.T, opts FrogOptions, env ...string) *Frog {
	t.Helper()
	if opts.Binary == "" && len(opts.Addresses) == 0 {
		opts.Binary = fakeFrogBinary(t, env...)
	}
	if opts.RequestTimeout == 0 {
		opts.RequestTimeout = 5 * time.Second
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 20 * time.Second
	}
	if opts.RestartBackoff == 0 {
		opts.RestartBackoff = 10 * time.Millisecond
	}
	opts.Logger = testLogger(t)
	f, err := NewFrog(t.Context(), opts)
	if err != nil {
		t.Fatalf("NewFrog: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func waitReady(t *testing.T, f *Frog) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := f.WaitReady(ctx); err != nil {
		t.Fatalf("WaitReady: %v", err)
	}
}

// processGone reports whether pid no longer exists (it has been waited for).
func processGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

func TestFakeFrogAnalyze(t *testing.T) {
	f := newFakeFrog(t, FrogOptions{Connections: 2})
	if f.Ready() {
		t.Log("ready before WaitReady (fine, but unexpected)")
	}
	waitReady(t, f)
	long := strings.TrimSpace(strings.Repeat("woord ", 400))
	in := []string{"De kat zit.", "", "Nog een zin hier.", long, " \n\t "}
	got, err := f.Analyze(t.Context(), in)
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	if len(got) != len(in) {
		t.Fatalf("%d sentences out, %d in", len(got), len(in))
	}
	wantTokens := []int{3, 0, 4, 400, 0}
	for i, s := range got {
		if s.Text != in[i] {
			t.Errorf("sentence %d: Text %q, want %q", i, s.Text, in[i])
		}
		if len(s.Tokens) != wantTokens[i] {
			t.Errorf("sentence %d: %d tokens, want %d", i, len(s.Tokens), wantTokens[i])
		}
		checkHeads(t, s)
	}
	// The 400 words went as pieces of 150, 150 and 100, each with its root.
	var roots []int
	for i, tk := range got[3].Tokens {
		if tk.Head == -1 {
			roots = append(roots, i)
		}
	}
	if want := []int{0, 150, 300}; !equalInts(roots, want) {
		t.Errorf("roots of the long sentence at %v, want %v", roots, want)
	}
	if tk := got[3].Tokens[151]; tk.Head != 150 {
		t.Errorf("second piece's second word has head %d, want 150", tk.Head)
	}

	st := f.Status()
	if !st.Ready || st.ReadyProcesses != 1 || st.Connections != 2 || len(st.PIDs) != 1 || st.FrogVersion != "0.20" || st.Name != "frog" {
		t.Errorf("status %+v", st)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFakeFrogBrokenProcessIsRestarted(t *testing.T) {
	tests := []struct {
		name     string
		sentence string
		errText  string
	}{
		{"hang", "dit HANG", "no answer within"},
		{"crash", "dit CRASH", "frog process 1"},
		{"garbage", "dit GARBAGE", "unexpected answer from Frog"},
		{"flood", "dit FLOOD", "unexpected answer from Frog"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeFrog(t, FrogOptions{RequestTimeout: 500 * time.Millisecond})
			waitReady(t, f)
			pid := f.Status().PIDs[0]

			start := time.Now()
			_, err := f.Analyze(t.Context(), []string{"eerst dit", tt.sentence})
			if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), tt.errText) {
				t.Errorf("Analyze = %v; want ErrUnavailable mentioning %q", err, tt.errText)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("Analyze took %s", d)
			}
			mustWaitStatus(t, f, 30*time.Second, "a restarted process", func(s Status) bool {
				return s.Restarts >= 1 && s.ReadyProcesses == 1 && len(s.PIDs) == 1 && s.PIDs[0] != pid
			})
			if !processGone(pid) {
				t.Errorf("the old process %d still exists", pid)
			}
			if st := f.Status(); !strings.Contains(st.LastError, tt.errText) && tt.name != "crash" {
				t.Errorf("LastError %q does not mention %q", st.LastError, tt.errText)
			}
			got, err := f.Analyze(t.Context(), []string{"en nu weer gewoon"})
			if err != nil || len(got) != 1 || len(got[0].Tokens) != 4 {
				t.Errorf("after the restart: %v, %+v", err, got)
			}
		})
	}
}

func TestFakeFrogFailsFastWhileRestarting(t *testing.T) {
	f := newFakeFrog(t, FrogOptions{RestartBackoff: time.Hour})
	waitReady(t, f)
	if _, err := f.Analyze(t.Context(), []string{"CRASH"}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Analyze of CRASH = %v, want ErrUnavailable", err)
	}
	mustWaitStatus(t, f, 10*time.Second, "the failure noted", func(s Status) bool { return s.Restarts == 1 })
	if f.Ready() {
		t.Error("Ready while restarting")
	}
	start := time.Now()
	_, err := f.Analyze(t.Context(), []string{"een zin"})
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "restarting after") {
		t.Errorf("Analyze while restarting = %v, want ErrUnavailable saying it is restarting", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("Analyze while restarting took %s, want at once", d)
	}
	// Close does not wait for the hour of backoff.
	closed := make(chan struct{})
	go func() { f.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return during a restart backoff")
	}
}

func TestFakeFrogCancelDrainsConnection(t *testing.T) {
	f := newFakeFrog(t, FrogOptions{})
	waitReady(t, f)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.Analyze(ctx, []string{"een SLOW zin", "nog een"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Analyze = %v, want the context's deadline", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Analyze returned %s after it started, want soon after the 200 ms deadline", d)
	}
	// The one connection is busy until the slow answer has been read, then
	// serves again: nothing was restarted.
	got, err := f.Analyze(t.Context(), []string{"daarna gewoon"})
	if err != nil || len(got[0].Tokens) != 2 {
		t.Errorf("Analyze after the cancelled one = %v, %+v", err, got)
	}
	if st := f.Status(); st.Restarts != 0 {
		t.Errorf("%d restarts, want none: %s", st.Restarts, st.LastError)
	}

	// A context that has already ended sends nothing.
	done, cancel2 := context.WithCancel(t.Context())
	cancel2()
	if _, err := f.Analyze(done, []string{"zin"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Analyze with a cancelled context = %v", err)
	}
	if st := f.Status(); st.Restarts != 0 || st.Connections != 1 {
		t.Errorf("after a cancelled call: %+v", st)
	}
}

func TestFakeFrogStartFailures(t *testing.T) {
	tests := []struct {
		name    string
		opts    FrogOptions
		env     []string
		errText string
	}{
		{"exits", FrogOptions{}, []string{"FAKE_FROG_EXIT=fatal error: fake models missing"}, "fake models missing"},
		{"too slow", FrogOptions{StartTimeout: 300 * time.Millisecond}, []string{"FAKE_FROG_DELAY=1h"}, "did not start within 300ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeFrog(t, tt.opts, tt.env...)
			mustWaitStatus(t, f, 20*time.Second, "a failed start", func(s Status) bool { return s.Restarts >= 1 })
			st := f.Status()
			if st.Ready || !strings.Contains(st.LastError, tt.errText) {
				t.Errorf("status %+v; want not ready, LastError mentioning %q", st, tt.errText)
			}
			if _, err := f.Analyze(t.Context(), []string{"een zin"}); !errors.Is(err, ErrUnavailable) {
				t.Errorf("Analyze = %v, want ErrUnavailable", err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
			defer cancel()
			if err := f.WaitReady(ctx); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), tt.errText) {
				t.Errorf("WaitReady = %v", err)
			}
		})
	}
}

func TestFakeFrogAddresses(t *testing.T) {
	addr := fakeServer(t)
	f := newFakeFrog(t, FrogOptions{Addresses: []string{addr}, Connections: 2})
	waitReady(t, f)
	got, err := f.Analyze(t.Context(), []string{"een", "twee drie", "vier"})
	if err != nil || len(got) != 3 || len(got[1].Tokens) != 2 {
		t.Fatalf("Analyze = %v, %+v", err, got)
	}
	if st := f.Status(); st.PIDs != nil || st.Connections != 2 || !strings.Contains(st.Version, "remote") {
		t.Errorf("status %+v", st)
	}

	// Nothing listens on a port just released.
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	down := newFakeFrog(t, FrogOptions{Addresses: []string{"127.0.0.1:" + strconv.Itoa(port)}})
	mustWaitStatus(t, down, 10*time.Second, "a failed connection", func(s Status) bool { return s.Restarts >= 1 })
	if st := down.Status(); st.Ready || !strings.Contains(st.LastError, "connect to") {
		t.Errorf("status %+v", st)
	}
}

func TestNewFrogRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    FrogOptions
		errText string
	}{
		{"unknown module", FrogOptions{Binary: "/bin/true", Skip: "px"}, "is not a Frog module"},
		{"missing program", FrogOptions{Binary: "/nonexistent/frog"}, "install the Debian packages frog and frogdata"},
		{"bad address", FrogOptions{Addresses: []string{"localhost"}}, "not host:port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := NewFrog(t.Context(), tt.opts)
			if err == nil {
				f.Close()
				t.Fatal("NewFrog succeeded")
			}
			if !strings.Contains(err.Error(), tt.errText) {
				t.Errorf("error %q does not mention %q", err, tt.errText)
			}
		})
	}
	if got, err := normalizeSkip("PAmp"); err != nil || got != "amp" {
		t.Errorf(`normalizeSkip("PAmp") = %q, %v; want "amp"`, got, err)
	}
}

// frogDirs counts the pools' temporary working directories.
func frogDirs(t *testing.T) int {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(os.TempDir(), "briefbot-frog-*"))
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

func TestFakeFrogCloseLeavesNothing(t *testing.T) {
	goroutines := runtime.NumGoroutine()
	dirs := frogDirs(t)

	f := newFakeFrog(t, FrogOptions{Processes: 2, Connections: 2, RequestTimeout: 500 * time.Millisecond})
	mustWaitStatus(t, f, 30*time.Second, "two processes", func(s Status) bool { return s.ReadyProcesses == 2 })
	pids := f.Status().PIDs
	if _, err := f.Analyze(t.Context(), []string{"een", "twee", "drie", "vier", "vijf"}); err != nil {
		t.Fatal(err)
	}
	// A hung process, restarted; a cancelled request still being drained.
	if _, err := f.Analyze(t.Context(), []string{"HANG"}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Analyze of HANG = %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := f.Analyze(ctx, []string{"SLOW"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Analyze of SLOW = %v", err)
	}
	pids = append(pids, f.Status().PIDs...)

	start := time.Now()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Close took %s", d)
	}
	for _, pid := range pids {
		if !processGone(pid) {
			t.Errorf("process %d still exists after Close", pid)
		}
	}
	if n := frogDirs(t); n > dirs {
		t.Errorf("%d working directories left, %d before", n, dirs)
	}
	if _, err := f.Analyze(t.Context(), []string{"zin"}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Analyze after Close = %v, want ErrUnavailable", err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if st := f.Status(); !st.Closed || st.Ready || st.PIDs != nil {
		t.Errorf("status after Close %+v", st)
	}

	// Goroutines end asynchronously only in the runtime's own bookkeeping:
	// poll for them, with a deadline.
	deadline := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for runtime.NumGoroutine() > goroutines {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines after Close, %d before:\n%s", runtime.NumGoroutine(), goroutines, buf[:runtime.Stack(buf, true)])
		}
		<-tick.C
	}
}
