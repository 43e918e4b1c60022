package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/corpus"
)

// stopWithin is how soon after SIGTERM a command must have exited.
const stopWithin = 2 * time.Second

// bigCorpus is a directory of generated articles that takes seconds to
// load, written once per test run (TestMain removes it).
var bigCorpus struct {
	once sync.Once
	dir  string
	err  error
}

func bigArticleDir(t *testing.T) string {
	t.Helper()
	bigCorpus.once.Do(func() {
		bigCorpus.dir, bigCorpus.err = os.MkdirTemp("", "briefbot-test-corpus")
		if bigCorpus.err == nil {
			bigCorpus.err = corpus.WriteDir(bigCorpus.dir, 20_000, 7)
		}
	})
	if bigCorpus.err != nil {
		t.Fatalf("writing the generated articles: %v", bigCorpus.err)
	}
	return bigCorpus.dir
}

// lineWatcher reads a process's output and tells when a line contains a
// string.
type lineWatcher struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines chan string
}

func watchLines(t *testing.T, cmd *exec.Cmd, stderr bool) *lineWatcher {
	t.Helper()
	var r interface{ Read([]byte) (int, error) }
	var err error
	if stderr {
		r, err = cmd.StderrPipe()
	} else {
		r, err = cmd.StdoutPipe()
	}
	if err != nil {
		t.Fatal(err)
	}
	w := &lineWatcher{lines: make(chan string, 1024)}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			w.mu.Lock()
			w.buf.WriteString(sc.Text() + "\n")
			w.mu.Unlock()
			select {
			case w.lines <- sc.Text():
			default: // nobody waits for more lines
			}
		}
		close(w.lines)
	}()
	return w
}

func (w *lineWatcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// wait returns once a line contains sub; it fails the test when the output
// ends first or after timeout.
func (w *lineWatcher) wait(t *testing.T, sub string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-w.lines:
			if !ok {
				t.Fatalf("output ended without a line containing %q:\n%s", sub, w)
			}
			if strings.Contains(l, sub) {
				return
			}
		case <-deadline:
			t.Fatalf("no line containing %q within %v:\n%s", sub, timeout, w)
		}
	}
}

// exited waits up to d for cmd to exit and returns its exit status (-1
// when a signal killed it).
func exited(t *testing.T, done <-chan error, d time.Duration, what string) int {
	t.Helper()
	select {
	case err := <-done:
		var ee *exec.ExitError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &ee):
			return ee.ExitCode()
		default:
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(d):
		t.Fatalf("%s: still running %v after the signal", what, d)
	}
	return 0
}

// `briefbot search` stops within seconds of SIGTERM while it loads a large
// article directory, saying so, with exit status 128+15 (issue 12, item 7).
func TestSearchStopsOnSIGTERMWhileLoading(t *testing.T) {
	bin := briefbotBinary(t)
	dir := bigArticleDir(t)
	cmd := exec.Command(bin, "search", "--articles", dir, "--data", t.TempDir(), "--log-level", "debug", "gemeente")
	cmd.Env = cleanEnv(t)
	errs := watchLines(t, cmd, true)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	errs.wait(t, "loading articles", 30*time.Second)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := exited(t, done, stopWithin, "briefbot search after SIGTERM"); code != 128+int(syscall.SIGTERM) {
		t.Errorf("exit status %d after SIGTERM, want %d; stderr:\n%s", code, 128+int(syscall.SIGTERM), errs)
	}
	if !strings.Contains(errs.String(), "briefbot: stopped by SIGTERM") {
		t.Errorf("stderr does not say why it stopped:\n%s", errs)
	}
}

// `briefbot serve` stopped by SIGTERM while it loads its articles exits
// promptly with status 0 and says it stopped before serving.
func TestServeStopsOnSIGTERMWhileLoading(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "briefbot.yaml", fmt.Sprintf(`
data_dir: %s
articles_dir: %s
console: true
log: {level: info, format: json}
`, dir+"/data", bigArticleDir(t)))
	p := startServe(t, cfg)
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond) // a real process: nothing to wait on
	defer tick.Stop()
	for !strings.Contains(p.logs(), `"msg":"loading articles"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no \"loading articles\" log line within 30s:\n%s", p.logs())
		}
		select {
		case err := <-p.done:
			t.Fatalf("briefbot serve exited before loading: %v", err)
		case <-tick.C:
		}
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := exited(t, p.done, stopWithin, "briefbot serve after SIGTERM while loading"); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	if logs := p.logs(); !strings.Contains(logs, "stop signal received while loading the articles") {
		t.Errorf("no log line saying the load was stopped:\n%s", logs)
	}
}

// signalChild is the process TestSecondSignalExitsAtOnce starts: main's
// signal handling around a command that takes long to stop.
func signalChild() {
	ctx, stop := stopOnSignal(context.Background(), os.Stderr)
	defer stop()
	fmt.Println("ready")
	<-ctx.Done()
	fmt.Println("stopping")
	time.Sleep(time.Minute) // a slow shutdown
	os.Exit(0)
}

// The first SIGINT or SIGTERM asks briefbot to stop; a second one exits at
// once, with status 128+signal, even when stopping takes long.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "BRIEFBOT_TEST_CHILD=signals")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out := watchLines(t, cmd, false)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			t.Cleanup(func() { _ = cmd.Process.Kill() })
			out.wait(t, "ready", 30*time.Second)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			out.wait(t, "stopping", 10*time.Second)
			select {
			case err := <-done:
				t.Fatalf("exited after the first signal: %v", err)
			default:
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := exited(t, done, stopWithin, "after the second signal"); code != 128+int(sig) {
				t.Errorf("exit status %d after a second %v, want %d; stderr:\n%s", code, sig, 128+int(sig), stderr.String())
			}
			if !strings.Contains(stderr.String(), "exiting at once") {
				t.Errorf("stderr does not say why it exited:\n%s", stderr.String())
			}
		})
	}
}
