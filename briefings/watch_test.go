package briefings_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
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
