package briefings_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// watchTimeout bounds every wait for a change notification.
const watchTimeout = 10 * time.Second

// startWatch runs Watch on dir until the test ends and returns the channel
// that receives one value per changed call. It returns once the watches are
// in place.
func startWatch(t *testing.T, dir string, debounce time.Duration) <-chan struct{} {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	changes := make(chan struct{}, 64)
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- briefings.WatchWithReady(ctx, dir, debounce, nil, func(context.Context) { changes <- struct{}{} }, func() { close(ready) })
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Watch returned %v after ctx ended, want nil", err)
			}
		case <-time.After(watchTimeout):
			t.Error("Watch did not return after ctx ended")
		}
	})
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("Watch: %v", err)
	case <-time.After(watchTimeout):
		t.Fatal("Watch did not start")
	}
	return changes
}

func waitWatchChange(t *testing.T, changes <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-changes:
	case <-time.After(watchTimeout):
		t.Fatalf("no change reported within %v after %s", watchTimeout, what)
	}
}

// expectQuiet fails if a change is reported within d.
func expectNoWatchChange(t *testing.T, changes <-chan struct{}, d time.Duration, what string) {
	t.Helper()
	select {
	case <-changes:
		t.Fatalf("a change was reported after %s, want none", what)
	case <-time.After(d):
	}
}

func writeText(t *testing.T, p, text string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWatchReportsChanges(t *testing.T) {
	dir := t.TempDir()
	const debounce = 100 * time.Millisecond
	changes := startWatch(t, dir, debounce)
	a := filepath.Join(dir, "a.txt")
	sub := filepath.Join(dir, "sub")
	steps := []struct {
		name string
		do   func(t *testing.T)
	}{
		{"create", func(t *testing.T) { writeText(t, a, "Eerste versie.") }},
		{"modify", func(t *testing.T) { writeText(t, a, "Tweede versie.") }},
		{"rename", func(t *testing.T) {
			if err := os.Rename(a, filepath.Join(dir, "b.txt")); err != nil {
				t.Fatal(err)
			}
		}},
		{"delete", func(t *testing.T) {
			if err := os.Remove(filepath.Join(dir, "b.txt")); err != nil {
				t.Fatal(err)
			}
		}},
		{"new subdirectory", func(t *testing.T) {
			if err := os.Mkdir(sub, 0o755); err != nil {
				t.Fatal(err)
			}
		}},
		// only a watch added for the new subdirectory sees this
		{"create in new subdirectory", func(t *testing.T) { writeText(t, filepath.Join(sub, "c.txt"), "In de submap.") }},
		{"modify in new subdirectory", func(t *testing.T) { writeText(t, filepath.Join(sub, "c.txt"), "Gewijzigd.") }},
	}
	for _, st := range steps {
		st.do(t)
		waitWatchChange(t, changes, st.name)
	}
}

func TestWatchDebouncesBursts(t *testing.T) {
	dir := t.TempDir()
	const debounce = 300 * time.Millisecond
	changes := startWatch(t, dir, debounce)
	for i := range 20 {
		writeText(t, filepath.Join(dir, strconv.Itoa(i)+".txt"), "Tekst.")
	}
	waitWatchChange(t, changes, "a burst of 20 writes")
	expectNoWatchChange(t, changes, 3*debounce, "the burst was reported")
}

func TestWatchIgnoresHiddenFiles(t *testing.T) {
	dir := t.TempDir()
	const debounce = 50 * time.Millisecond
	changes := startWatch(t, dir, debounce)
	writeText(t, filepath.Join(dir, ".a.txt.swp"), "editor")
	if err := os.MkdirAll(filepath.Join(dir, ".git", "objects"), 0o755); err != nil {
		t.Fatal(err)
	}
	expectNoWatchChange(t, changes, 6*debounce, "hidden files changed")
	writeText(t, filepath.Join(dir, "a.txt"), "Zichtbaar.")
	waitWatchChange(t, changes, "a visible file was written")
}

func TestWatchMissingDir(t *testing.T) {
	err := briefings.Watch(t.Context(), filepath.Join(t.TempDir(), "nope"), time.Millisecond, nil, func(context.Context) {
		t.Error("changed called")
	})
	if err == nil {
		t.Fatal("Watch on a missing directory returned nil, want an error")
	}
}

// A file arriving more often than the debounce period does not postpone
// the reload forever (issue 12, item 16): it comes within 10 × debounce.
func TestWatchSteadyStreamStillReloads(t *testing.T) {
	dir := t.TempDir()
	const debounce = 100 * time.Millisecond
	changes := startWatch(t, dir, debounce)
	stop := time.After(4 * time.Second)
	tick := time.NewTicker(40 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-changes:
			return // reloaded while the stream went on
		case <-stop:
			t.Fatal("no reload in 4 s of a file every 40 ms; want one within 1 s")
		case <-tick.C:
			writeText(t, filepath.Join(dir, strconv.Itoa(i)+".txt"), "Tekst.")
		}
	}
}

// drainWatchChanges waits until no change has been reported for quiet,
// discarding those that were (at most for watchTimeout).
func drainWatchChanges(t *testing.T, changes <-chan struct{}, quiet time.Duration) {
	t.Helper()
	deadline := time.After(watchTimeout)
	for {
		select {
		case <-changes:
		case <-time.After(quiet):
			return
		case <-deadline:
			t.Fatalf("changes still reported after %v", watchTimeout)
		}
	}
}

// When the article directory is deleted and created again, replaced by
// renaming another directory to its name (how many deploy tools publish), or
// is a symbolic link that is switched to another release, the watch follows
// the new directory: a file written there afterwards is reported (issue 12,
// item 15).
func TestWatchDirectoryReplaced(t *testing.T) {
	mkdir := func(t *testing.T, dir string) {
		t.Helper()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	plain := func(t *testing.T, parent string) string {
		dir := filepath.Join(parent, "articles")
		mkdir(t, dir)
		return dir
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T, parent string) string // returns the directory to watch
		replace func(t *testing.T, dir string)
	}{
		{"deleted and created again", plain, func(t *testing.T, dir string) {
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			mkdir(t, dir)
		}},
		{"swapped by renames", plain, func(t *testing.T, dir string) {
			next := dir + ".new"
			mkdir(t, next)
			writeText(t, filepath.Join(next, "b.txt"), "Nieuwe versie.")
			if err := os.Rename(dir, dir+".old"); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(next, dir); err != nil {
				t.Fatal(err)
			}
		}},
		{"a symbolic link switched to another release", func(t *testing.T, parent string) string {
			mkdir(t, filepath.Join(parent, "releases", "v1"))
			dir := filepath.Join(parent, "articles")
			if err := os.Symlink(filepath.Join("releases", "v1"), dir); err != nil {
				t.Skipf("symbolic links: %v", err)
			}
			return dir
		}, func(t *testing.T, dir string) {
			parent := filepath.Dir(dir)
			mkdir(t, filepath.Join(parent, "releases", "v2"))
			tmp := filepath.Join(parent, "articles.tmp")
			if err := os.Symlink(filepath.Join("releases", "v2"), tmp); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, dir); err != nil { // ln -sfn, atomically
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.setup(t, t.TempDir())
			writeText(t, filepath.Join(dir, "a.txt"), "Eerste versie.")
			const debounce = 50 * time.Millisecond
			changes := startWatch(t, dir, debounce)
			writeText(t, filepath.Join(dir, "a.txt"), "Tweede versie.")
			waitWatchChange(t, changes, "a file was written in the directory")
			tt.replace(t, dir)
			drainWatchChanges(t, changes, 10*debounce)
			writeText(t, filepath.Join(dir, "new.txt"), "Een nieuw artikel.")
			waitWatchChange(t, changes, "a file was written in the new directory")
			// and a file in a new subdirectory of it
			mkdir(t, filepath.Join(dir, "sub"))
			drainWatchChanges(t, changes, 10*debounce)
			writeText(t, filepath.Join(dir, "sub", "c.txt"), "In de submap.")
			waitWatchChange(t, changes, "a file was written in a new subdirectory of the new directory")
		})
	}
}

// While the article directory is missing the watch is reported broken
// (after a moment: a quick swap is not), with a warning naming the
// directory, and reported working again once it is back, with a reload
// (issue 12, item 15).
func TestWatchReportsBrokenWatch(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "articles")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	warnings := make(chan string, 64)
	logger := slog.New(slog.NewTextHandler(chanWriter(warnings), &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithCancel(t.Context())
	changes := make(chan struct{}, 64)
	statuses := make(chan error, 64)
	done := make(chan error, 1)
	go func() {
		done <- briefings.WatchDir(ctx, dir, briefings.WatchOptions{Debounce: 20 * time.Millisecond, Poll: 50 * time.Millisecond, Logger: logger,
			Status: func(err error) { statuses <- err }}, func(context.Context) { changes <- struct{}{} })
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("WatchDir: %v", err)
		}
	}()
	nextStatus := func(what string) error {
		t.Helper()
		select {
		case err := <-statuses:
			return err
		case <-time.After(watchTimeout):
			t.Fatalf("no status within %v after %s", watchTimeout, what)
		}
		return nil
	}
	if err := nextStatus("start"); err != nil {
		t.Fatalf("status %v at the start, want nil", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	err := nextStatus("the directory was deleted")
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Fatalf("status %v after the directory was deleted, want an error naming it", err)
	}
	// the warning comes before the status
	if w := <-warnings; !strings.Contains(w, "article directory is not watched") || !strings.Contains(w, dir) {
		t.Errorf("warning %q, want one that the directory is not watched, naming it", w)
	}
	drainWatchChanges(t, changes, 200*time.Millisecond)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := nextStatus("the directory was created again"); err != nil {
		t.Fatalf("status %v after the directory came back, want nil", err)
	}
	waitWatchChange(t, changes, "the directory came back (the reload)")
}

// chanWriter sends each write (one log record) to a channel, dropping what
// nobody reads.
type chanWriter chan<- string

func (c chanWriter) Write(p []byte) (int, error) {
	select {
	case c <- string(p):
	default:
	}
	return len(p), nil
}
