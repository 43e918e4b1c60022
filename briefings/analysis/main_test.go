package analysis

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/frogtest"
)

// fakeFrogEnv makes the test binary act as a fake Frog server (see
// runFakeFrog) instead of running the tests.
const fakeFrogEnv = "BRIEFBOT_FAKE_FROG"

func TestMain(m *testing.M) {
	if os.Getenv(fakeFrogEnv) == "1" {
		os.Exit(runFakeFrog(os.Args[1:]))
	}
	code := m.Run()
	if shared.frog != nil {
		shared.frog.Close()
	}
	os.Exit(code)
}

// shared is the one real Frog pool of this test binary: Frog takes 10–30 s
// and 2 GB per process to start, so the tests share it (and TestMain closes
// it).
var shared struct {
	once sync.Once
	frog *Frog
	err  error
}

// sharedProcesses is the number of processes of the shared pool; the test
// machine has 2 cores.
const sharedProcesses = 2

// realFrog returns the shared pool of real Frog processes, every module on,
// with all its processes ready.
func realFrog(t testing.TB) *Frog {
	t.Helper()
	bin := frogtest.Binary(t)
	shared.once.Do(func() {
		level := slog.LevelError
		if testing.Verbose() {
			level = slog.LevelInfo
		}
		start := time.Now()
		f, err := NewFrog(context.Background(), FrogOptions{
			Binary:         bin,
			Processes:      sharedProcesses,
			RestartBackoff: 100 * time.Millisecond,
			// the whole test run shares 2 cores with the race detector
			// and Dendrite: a slow answer is load, not a hung Frog
			RequestTimeout: 2 * time.Minute,
			Logger:         slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
		})
		if err != nil {
			shared.err = err
			return
		}
		shared.frog = f
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		defer cancel()
		shared.err = waitStatus(ctx, f, func(s Status) bool { return s.ReadyProcesses == sharedProcesses })
		if testing.Verbose() {
			fmt.Fprintf(os.Stderr, "shared Frog pool: %d processes ready after %s\n", sharedProcesses, time.Since(start).Round(time.Millisecond))
		}
	})
	if shared.err != nil {
		t.Fatalf("start the shared Frog pool: %v", shared.err)
	}
	return shared.frog
}

// waitStatus waits until cond holds for f's status, woken by every change.
func waitStatus(ctx context.Context, f *Frog, cond func(Status) bool) error {
	for {
		f.mu.Lock()
		changed := f.changed
		f.mu.Unlock()
		st := f.Status()
		if cond(st) {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("%w; status %+v", ctx.Err(), st)
		}
	}
}

// mustWaitStatus is waitStatus with a test timeout.
func mustWaitStatus(t *testing.T, f *Frog, timeout time.Duration, what string, cond func(Status) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	if err := waitStatus(ctx, f, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// testLogger sends a log to the test's log.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tLogWriter struct{ t *testing.T }

func (w tLogWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// fakeFrogBinary writes a program that runs this test binary as a fake
// Frog server with the extra environment env ("NAME=value").
func fakeFrogBinary(t *testing.T, env ...string) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	var b strings.Builder
	b.WriteString("#!/bin/sh\nexec env " + fakeFrogEnv + "=1")
	for _, e := range env {
		b.WriteString(" " + quote(e))
	}
	b.WriteString(" " + quote(exe) + ` "$@"` + "\n")
	path := filepath.Join(t.TempDir(), "frog")
	if err := os.WriteFile(path, []byte(b.String()), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// runFakeFrog is a stand-in for "frog -S PORT -n" that loads nothing. It
// answers every line like Frog does, one token per word, each headed by the
// word before it; a line containing HANG is never answered, CRASH exits the
// process, SLOW is answered after 1.5 s, GARBAGE gets a non-Frog answer and
// FLOOD an endless one. FAKE_FROG_EXIT=message makes it fail at start-up,
// FAKE_FROG_DELAY=duration makes it load for that long. Like Frog, it
// ignores SIGTERM.
func runFakeFrog(args []string) int {
	signal.Ignore(syscall.SIGTERM)
	fmt.Fprintln(os.Stderr, "frog 0.20 (c) CLTS, ILK 1998 - 2020 (fake for tests)")
	port := ""
	for i, a := range args {
		if a == "-S" && i+1 < len(args) {
			port = args[i+1]
		}
	}
	if msg := os.Getenv("FAKE_FROG_EXIT"); msg != "" {
		fmt.Fprintln(os.Stderr, msg)
		return 1
	}
	if d, err := time.ParseDuration(os.Getenv("FAKE_FROG_DELAY")); err == nil {
		time.Sleep(d)
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "frog-:Listening on port "+port)
	for {
		c, err := l.Accept()
		if err != nil {
			return 1
		}
		go fakeServe(c, true)
	}
}

// fakeServe answers one connection like runFakeFrog describes; CRASH
// exits only if mayExit.
func fakeServe(c net.Conn, mayExit bool) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case strings.Contains(line, "HANG"):
			_, _ = io.Copy(io.Discard, r) // until the client gives up
			return
		case strings.Contains(line, "CRASH") && mayExit:
			os.Exit(3)
		case strings.Contains(line, "FLOOD"):
			junk := bytes.Repeat([]byte("x"), 4096)
			for {
				if _, err := c.Write(junk); err != nil {
					return
				}
			}
		case strings.Contains(line, "GARBAGE"):
			_, _ = io.WriteString(c, "hello world\nREADY\n\n")
			continue
		case strings.Contains(line, "SLOW"):
			time.Sleep(1500 * time.Millisecond)
		}
		if _, err := io.WriteString(c, fakeAnswer(line)); err != nil {
			return
		}
	}
}

// fakeAnswer is the fake Frog's answer to line.
func fakeAnswer(line string) string {
	var b strings.Builder
	words := strings.Fields(line)
	for i, w := range words {
		rel := "mod"
		if i == 0 {
			rel = "ROOT"
		}
		fmt.Fprintf(&b, "%d\t%s\t%s\t[%s]\tN(soort,ev,basis,zijd,stan)\t1.000000\tO\tB-NP\t%d\t%s\n",
			i+1, w, strings.ToLower(w), strings.ToLower(w), i, rel)
	}
	if len(words) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("READY\n\n")
	return b.String()
}

// fakeServer runs fakeServe on a loopback port until the test ends.
func fakeServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() { fakeServe(c, false) })
		}
	})
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return l.Addr().String()
}
