package briefings

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// WatchWithReady is Watch for the external tests, which wait until the
// watches are in place (ready is called then) instead of sleeping.
func WatchWithReady(ctx context.Context, dir string, debounce time.Duration, logger *slog.Logger, changed func(ctx context.Context), ready func()) error {
	var once sync.Once
	return WatchDir(ctx, dir, WatchOptions{Debounce: debounce, Logger: logger, Status: func(err error) {
		if err == nil {
			once.Do(ready)
		}
	}}, changed)
}
