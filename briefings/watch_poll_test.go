package briefings

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Without a watch on the parent (it may not be readable), the poll notices
// a symbolic link switched to another release, which no event on the old
// release shows, and watches the new one (issue 12, item 15).
func TestWatchPollFollowsSwitchedLink(t *testing.T) {
	parent := t.TempDir()
	for _, d := range []string{"v1", "v2"} {
		if err := os.Mkdir(filepath.Join(parent, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(parent, "articles")
	if err := os.Symlink("v1", dir); err != nil {
		t.Skipf("symbolic links: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	changes := make(chan struct{}, 64)
	statuses := make(chan error, 64)
	done := make(chan error, 1)
	go func() {
		done <- WatchDir(ctx, dir, WatchOptions{Debounce: 20 * time.Millisecond, Poll: 50 * time.Millisecond, noParent: true,
			Status: func(err error) { statuses <- err }}, func(context.Context) { changes <- struct{}{} })
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("WatchDir: %v", err)
		}
	})
	wait := func(c <-chan struct{}, what string) {
		t.Helper()
		select {
		case <-c:
		case <-time.After(10 * time.Second):
			t.Fatalf("no change within 10s after %s", what)
		}
	}
	if err := <-statuses; err != nil {
		t.Fatalf("first status %v, want nil", err)
	}
	tmp := filepath.Join(parent, "articles.tmp")
	if err := os.Symlink("v2", tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		t.Fatal(err)
	}
	wait(changes, "the link was switched (the reload after watching the new release)")
	if err := os.WriteFile(filepath.Join(parent, "v2", "a.txt"), []byte("Nieuw."), 0o644); err != nil {
		t.Fatal(err)
	}
	wait(changes, "a file was written in the new release")
	select {
	case err := <-statuses:
		t.Errorf("status %v reported for a switch that left no moment without a directory", err)
	default:
	}
}
