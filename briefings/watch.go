package briefings

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultWatchPoll is how often Watch checks that the directory it watches
// is still the one at its path, and retries a broken watch, when
// WatchOptions.Poll is 0.
const DefaultWatchPoll = 2 * time.Second

// brokenWarnEvery is how often a watch that stays broken is warned about
// again.
const brokenWarnEvery = time.Minute

// WatchOptions tune WatchDir. The zero value is ready to use.
type WatchOptions struct {
	// Debounce is the quiet period after a change before changed is
	// called; 0 means 1ms.
	Debounce time.Duration
	// Logger receives the warnings (a broken watch, lost events); nil
	// discards them.
	Logger *slog.Logger
	// Poll is how often the directory's identity is checked and a broken
	// watch retried; 0 means DefaultWatchPoll.
	Poll time.Duration
	// Status, when not nil, is called with nil once the directory is
	// watched, with the reason when the watch breaks (the directory was
	// deleted, or cannot be watched again), and with nil when it works
	// again. It is called from WatchDir's goroutine, only on changes.
	Status func(err error)
	// noParent leaves the parent unwatched: the tests of the polling
	// fallback set it.
	noParent bool
}

// Watch is WatchDir with a debounce and a logger and the other options
// zero.
func Watch(ctx context.Context, dir string, debounce time.Duration, logger *slog.Logger, changed func(ctx context.Context)) error {
	return WatchDir(ctx, dir, WatchOptions{Debounce: debounce, Logger: logger}, changed)
}

// WatchDir watches dir and its subdirectories (hidden ones excepted; new
// subdirectories are watched as they appear) and calls changed once per
// burst of changes: after a change, it waits until opts.Debounce has passed
// without another one, but never longer than maxWaitFactor × Debounce after
// the burst's first change (a file arriving every few hundred milliseconds
// must not postpone reloads forever). Changes to hidden files (editor swap
// files, ".name") and attribute-only changes are ignored. A lost-events
// overflow counts as a change.
//
// The watch follows the directory's path, not the directory: when dir is
// deleted and created again, replaced by a rename ("mv new articles"), or is
// a symbolic link switched to another directory, WatchDir watches the new
// directory and reports a change, so that it is loaded. It notices through
// a watch on dir's parent, and by checking every opts.Poll that dir is
// still the directory watched. While dir is missing or cannot be watched,
// it warns (at once and every minute), reports the reason to opts.Status,
// and retries every opts.Poll.
//
// changed is called from WatchDir's goroutine, never concurrently; changes
// during a call are gathered into the next burst. WatchDir blocks until ctx
// ends and then returns nil; it returns an error at once if dir cannot be
// watched when it starts.
func WatchDir(ctx context.Context, dir string, opts WatchOptions, changed func(ctx context.Context)) error {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	debounce := opts.Debounce
	if debounce <= 0 {
		debounce = time.Millisecond
	}
	poll := opts.Poll
	if poll <= 0 {
		poll = DefaultWatchPoll
	}
	status := opts.Status
	if status == nil {
		status = func(error) {}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("watch article directory: %w", err)
	}
	dw, err := openDirWatch(abs, !opts.noParent, logger)
	if err != nil {
		return fmt.Errorf("watch article directory: %w", err)
	}
	defer func() { dw.close() }()
	status(nil)

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

	var broken error     // why dir is not watched; nil while it is
	var warned time.Time // the last warning about broken
	// missing is when dir was first found missing: a rename swap or a
	// quick delete and create ("rm -r articles && mv new articles") leaves
	// no directory for a moment, which is not worth a warning.
	var missing time.Time
	grace := min(poll, time.Second)
	fail := func(err error) {
		if broken == nil || time.Since(warned) >= brokenWarnEvery {
			logger.Warn("article directory is not watched: new and changed articles are not loaded until it is back",
				"dir", dir, "err", err, "retry_every", poll)
			warned = time.Now()
		}
		if broken == nil || broken.Error() != err.Error() {
			status(err)
		}
		broken = err
	}
	// check makes sure the directory at abs is the one watched: it
	// watches a new one (and reports a change, so it is loaded), or
	// records that there is none.
	check := func(why string) {
		fi, err := os.Stat(abs)
		if err != nil {
			now := time.Now()
			if missing.IsZero() {
				missing = now
			}
			if broken != nil || now.Sub(missing) >= grace {
				fail(fmt.Errorf("article directory %s: %w", dir, unwrapPath(err)))
			}
			return
		}
		missing = time.Time{}
		switch {
		case !fi.IsDir():
			fail(fmt.Errorf("article directory %s is not a directory", dir))
			return
		case broken == nil && dw.current(fi):
			return
		}
		next, err := openDirWatch(abs, !opts.noParent, logger)
		if err != nil {
			fail(err)
			return
		}
		dw.close()
		dw = next
		if broken != nil {
			logger.Warn("article directory is watched again; reloading", "dir", dir, "reason", why)
			broken = nil
			status(nil)
		} else {
			logger.Info("article directory was replaced; watching the new one and reloading", "dir", dir, "reason", why)
		}
		arm()
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-dw.w.Events:
			if !ok {
				return errors.New("watch article directory: the watcher stopped")
			}
			if ev.Name == abs || ev.Name == dw.root {
				// from the parent's watch, or the directory's own
				// deletion or move
				if ev.Has(fsnotify.Create) || ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
					check(ev.Op.String())
				}
				continue
			}
			if !relevant(dw.root, ev) {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
					if err := addTree(dw.w, ev.Name, logger); err != nil {
						logger.Warn("cannot watch new directory", "dir", ev.Name, "error", err)
					}
				}
			}
			arm()
		case err, ok := <-dw.w.Errors:
			if !ok {
				return errors.New("watch article directory: the watcher stopped")
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				logger.Warn("file change events were lost, reloading", "dir", dir)
				arm()
				continue
			}
			logger.Warn("watching article directory", "dir", dir, "error", err)
		case <-tick.C:
			check("poll")
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

// dirWatch is one fsnotify watcher on an article directory's tree (and its
// parent), and the directory it was set up for.
type dirWatch struct {
	w     *fsnotify.Watcher
	path  string      // the watched path, absolute
	root  string      // the directory the tree's watches are on (path after links)
	ident os.FileInfo // the directory at path when it was watched
}

// openDirWatch watches the tree at abs (after symbolic links) and, with
// parent, abs's parent directory, where a deletion, rename or new link of
// abs shows. A parent that cannot be watched leaves the polling.
func openDirWatch(abs string, parent bool, logger *slog.Logger) (*dirWatch, error) {
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("article directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("article directory %s is not a directory", abs)
	}
	root, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("article directory: %w", err)
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch article directory %s: %w", abs, err)
	}
	if err := addTree(w, root, logger); err != nil {
		w.Close()
		return nil, fmt.Errorf("watch article directory %s: %w", abs, err)
	}
	if up := filepath.Dir(abs); parent && up != abs {
		if err := w.Add(up); err != nil {
			logger.Debug("cannot watch the article directory's parent; checking it every poll interval instead", "dir", up, "error", err)
		}
	}
	return &dirWatch{w: w, path: abs, root: root, ident: fi}, nil
}

// current reports whether fi, the directory now at the watched path, is the
// one watched, and its watch is still in place.
func (d *dirWatch) current(fi os.FileInfo) bool {
	return os.SameFile(fi, d.ident) && slices.Contains(d.w.WatchList(), d.root)
}

func (d *dirWatch) close() { d.w.Close() }

// maxWaitFactor bounds a burst's wait: at most this many debounce periods
// after its first change (5 s with the default 500 ms).
const maxWaitFactor = 10

// relevant reports whether an event may change the loaded articles: a
// change other than of attributes, inside root, to nothing hidden.
func relevant(root string, ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod || ev.Op == 0 {
		return false
	}
	rel, err := filepath.Rel(root, ev.Name)
	if err != nil {
		return true
	}
	rel = filepath.ToSlash(rel)
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return false // the parent's other entries
	}
	for part := range strings.SplitSeq(rel, "/") {
		if strings.HasPrefix(part, ".") && part != "." {
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
