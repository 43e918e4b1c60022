package briefings

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watch watches dir and its subdirectories (hidden ones excepted; new
// subdirectories are watched as they appear) and calls changed once per
// burst of changes: after a change, it waits until debounce has passed
// without another one, but never longer than maxWaitFactor × debounce after
// the burst's first change (a file arriving every few hundred milliseconds
// must not postpone reloads forever). Changes to hidden files (editor swap files, ".name")
// and attribute-only changes are ignored. A lost-events overflow counts as a
// change.
//
// changed is called from Watch's goroutine, never concurrently; changes
// during a call are gathered into the next burst. Watch blocks until ctx
// ends and then returns nil; it returns an error at once if dir cannot be
// watched.
func Watch(ctx context.Context, dir string, debounce time.Duration, logger *slog.Logger, changed func(ctx context.Context)) error {
	return watch(ctx, dir, debounce, logger, changed, nil)
}

// watch is Watch; ready, when not nil, is called once every directory is
// watched, before the first event is read.
func watch(ctx context.Context, dir string, debounce time.Duration, logger *slog.Logger, changed func(ctx context.Context), ready func()) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if debounce <= 0 {
		debounce = time.Millisecond
	}
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("watch article directory: %w", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("watch article directory: %s is not a directory", dir)
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch article directory %s: %w", dir, err)
	}
	defer w.Close()
	if err := addTree(w, dir, logger); err != nil {
		return fmt.Errorf("watch article directory %s: %w", dir, err)
	}

	if ready != nil {
		ready()
	}
	timer := time.NewTimer(debounce)
	if !timer.Stop() {
		<-timer.C
	}
	defer timer.Stop()
	pending := false
	burst := 0
	var first time.Time // the pending burst's first change
	maxWait := maxWaitFactor * debounce
	// arm restarts the quiet period, bounded by the burst's deadline
	arm := func() {
		now := time.Now()
		if !pending {
			first = now
		}
		pending = true
		burst++
		timer.Reset(max(0, min(debounce, first.Add(maxWait).Sub(now))))
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return errors.New("watch article directory: the watcher stopped")
			}
			if !relevant(dir, ev) {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
					if err := addTree(w, ev.Name, logger); err != nil {
						logger.Warn("cannot watch new directory", "dir", ev.Name, "error", err)
					}
				}
			}
			arm()
		case err, ok := <-w.Errors:
			if !ok {
				return errors.New("watch article directory: the watcher stopped")
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				logger.Warn("file change events were lost, reloading", "dir", dir)
				arm()
				continue
			}
			logger.Warn("watching article directory", "dir", dir, "error", err)
		case <-timer.C:
			if !pending {
				continue
			}
			logger.Debug("article files changed", "dir", dir, "events", burst)
			pending, burst = false, 0
			changed(ctx)
		}
	}
}

// maxWaitFactor bounds a burst's wait: at most this many debounce periods
// after its first change (5 s with the default 500 ms).
const maxWaitFactor = 10

// relevant reports whether an event may change the loaded articles.
func relevant(root string, ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod || ev.Op == 0 {
		return false
	}
	rel, err := filepath.Rel(root, ev.Name)
	if err != nil {
		return true
	}
	for part := range strings.SplitSeq(filepath.ToSlash(rel), "/") {
		if strings.HasPrefix(part, ".") && part != "." && part != ".." {
			return false
		}
	}
	return true
}

// addTree watches dir and every non-hidden directory below it.
func addTree(w *fsnotify.Watcher, dir string, logger *slog.Logger) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			logger.Warn("cannot watch directory", "dir", p, "error", err)
			return nil
		}
		if !d.IsDir() {
			return nil
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			return fs.SkipDir
		}
		if err := w.Add(p); err != nil {
			if p == dir {
				return err
			}
			logger.Warn("cannot watch directory", "dir", p, "error", err)
		}
		return nil
	})
}
