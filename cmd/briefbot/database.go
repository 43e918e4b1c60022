package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/internal/ingest"
	"github.com/briefbot/briefbot/internal/metrics"
	"github.com/briefbot/briefbot/internal/ops"
	"github.com/briefbot/briefbot/internal/store"
)

// serveStore is what serve keeps in its database: *store.SQLite for one
// process, *store.Postgres for replicas sharing one database.
type serveStore interface {
	bot.Store
	ingest.ArticleSource
	ingest.APIStore
	ingest.FeedStore
	analysis.CacheStore
	pruner
	SyncArticles(ctx context.Context, collection string, arts []briefings.Article, now time.Time) (store.SyncStats, error)
	Close() error
}

// sharedStore is a database other replicas use too: it tells of their
// changes.
type sharedStore interface {
	Listen(ctx context.Context, onChange func(channel string)) error
}

// Database checks: how often, and how long one may take.
const (
	dbCheckEvery   = 5 * time.Second
	dbCheckTimeout = 3 * time.Second
)

// openServeStore opens the configured database: PostgreSQL when
// database.url is set, else the SQLite file in the data directory.
func openServeStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (serveStore, *dbMonitor, error) {
	if cfg.Database.Shared() {
		pg, err := store.OpenPostgres(ctx, cfg.Database.URL, log)
		if err != nil {
			return nil, nil, err
		}
		mon := newDBMonitor("postgres", cfg.Database.Redacted(), pg.Ping, log)
		mon.listening = pg.Listening
		return pg, mon, nil
	}
	path := filepath.Join(cfg.DataDir, "briefbot.db")
	st, err := store.Open(ctx, path, log)
	if err != nil {
		return nil, nil, err
	}
	return st, newDBMonitor("sqlite", path, func(ctx context.Context) error {
		// a read through the store: the file is there and readable
		if _, err := st.GetValue(ctx, "briefbot.ping"); err != nil && !errors.Is(err, bot.ErrNotFound) {
			return err
		}
		return nil
	}, log), nil
}

// dbMonitor checks the database every few seconds, for /readyz, the
// metrics and a log line when it goes away and when it is back.
type dbMonitor struct {
	kind, where string
	ping        func(ctx context.Context) error
	log         *slog.Logger

	// listening reports whether this replica hears the others' changes;
	// nil for a database of its own
	listening func() bool

	checks, failures, catchups atomic.Uint64
	// notified is set by each articles notification and cleared by the
	// catch-up check: a stamp that changed while it was clear is a missed
	// notification.
	notified atomic.Bool

	mu        sync.Mutex
	up        bool
	lastOK    time.Time
	lastErr   string
	lastErrAt time.Time
	downSince time.Time
}

func newDBMonitor(kind, where string, ping func(context.Context) error, log *slog.Logger) *dbMonitor {
	return &dbMonitor{kind: kind, where: where, ping: ping, log: log, up: true, lastOK: time.Now()}
}

// run checks the database until ctx ends.
func (d *dbMonitor) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		d.check(ctx)
	}
}

func (d *dbMonitor) check(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, dbCheckTimeout)
	err := d.ping(cctx)
	cancel()
	if ctx.Err() != nil {
		return
	}
	d.checks.Add(1)
	now := time.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil {
		d.failures.Add(1)
		if d.up {
			d.downSince = now
			d.log.Error("database unreachable: answers go on from memory, state writes are retried",
				"database", d.where, "err", err)
		}
		d.up, d.lastErr, d.lastErrAt = false, err.Error(), now
		return
	}
	if !d.up {
		d.log.Info("database reachable again", "database", d.where, "down_for", now.Sub(d.downSince).Round(time.Second))
	}
	d.up, d.lastOK = true, now
}

func (d *dbMonitor) report() ops.Database {
	d.mu.Lock()
	defer d.mu.Unlock()
	r := ops.Database{Kind: d.kind, Where: d.where, State: "ok"}
	if !d.up {
		r.State = "unreachable"
	}
	if !d.lastOK.IsZero() {
		t := d.lastOK
		r.LastOK = &t
	}
	if d.lastErr != "" {
		t := d.lastErrAt
		r.LastError, r.LastErrorAt = d.lastErr, &t
	}
	if d.listening != nil {
		l := d.listening()
		r.Listening = &l
	}
	return r
}

func (d *dbMonitor) stats() metrics.DatabaseStats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return metrics.DatabaseStats{Kind: d.kind, Up: d.up, LastOK: d.lastOK, Checks: d.checks.Load(),
		Failures: d.failures.Load(), Listening: d.listening != nil && d.listening(), Catchups: d.catchups.Load()}
}

// catchupEvery is how often a replica on a shared database compares the
// stored articles' version with the one its library was built from, in
// case a change notification was lost.
const catchupEvery = 30 * time.Second

// articlesStamper is a store that can tell cheaply whether its articles
// changed: the stamp changes with every write that changes them.
type articlesStamper interface {
	ArticlesStamp(ctx context.Context) (string, error)
}

// subscriptionRefresher re-reads the subscriptions; *scheduler.Scheduler
// is one.
type subscriptionRefresher interface {
	Refresh(ctx context.Context) error
}

// runDatabase checks the database in the background and, on a database
// shared with other replicas, follows their changes: new, changed and
// retracted articles rebuild the library, changed subscriptions reach
// the scheduler at once (it also re-reads them every 30 s).
func (s *server) runDatabase(ctx context.Context, grp interface{ Go(func() error) }, sched subscriptionRefresher) {
	grp.Go(func() error {
		s.db.run(ctx, dbCheckEvery)
		return nil
	})
	shared, ok := s.st.(sharedStore)
	if !ok {
		return
	}
	subsKick := make(chan struct{}, 1)
	kick := func(c chan struct{}) {
		select {
		case c <- struct{}{}:
		default:
		}
	}
	grp.Go(func() error {
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-subsKick:
			}
			if err := sched.Refresh(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("re-reading the subscriptions after another replica changed them failed; the scheduler retries on its own", "err", err)
			}
		}
	})
	grp.Go(func() error {
		return shared.Listen(ctx, func(channel string) {
			switch channel {
			case store.ArticlesChannel:
				s.db.notified.Store(true)
				s.live.refresher.Kick()
			case store.SubscriptionsChannel:
				kick(subsKick)
			}
		})
	})
	if st, ok := s.st.(articlesStamper); ok {
		grp.Go(func() error {
			s.catchUp(ctx, st, catchupEvery)
			return nil
		})
	}
}

// catchUp refreshes the library when the stored articles changed without
// a notification reaching this replica.
func (s *server) catchUp(ctx context.Context, st articlesStamper, every time.Duration) {
	last := ""
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// cleared before the read: a change notified after it shows in
		// the next stamp, and was heard
		notified := s.db.notified.Swap(false)
		stamp, err := st.ArticlesStamp(ctx)
		if err != nil {
			continue // the database check reports the outage
		}
		if last != "" && stamp != last && !notified {
			s.db.catchups.Add(1)
			s.log.Info("stored articles changed without a notification; refreshing the library")
			s.live.refresher.Kick()
		}
		last = stamp
	}
}

// indexStore is what briefbot index writes to.
type indexStore interface {
	SyncArticles(ctx context.Context, collection string, arts []briefings.Article, now time.Time) (store.SyncStats, error)
	Close() error
}

// openIndexStore opens the shared database named by BRIEFBOT_DATABASE_URL
// (or BRIEFBOT_DATABASE_URL_FILE), else the SQLite file in dataDir.
func openIndexStore(ctx context.Context, dataDir string, log *slog.Logger) (indexStore, error) {
	url := os.Getenv("BRIEFBOT_DATABASE_URL")
	if f := os.Getenv("BRIEFBOT_DATABASE_URL_FILE"); f != "" {
		if url != "" {
			return nil, errors.New("both BRIEFBOT_DATABASE_URL and BRIEFBOT_DATABASE_URL_FILE are set; keep one")
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("BRIEFBOT_DATABASE_URL_FILE: %w", err)
		}
		url = strings.TrimSpace(string(b))
	}
	if url != "" {
		return store.OpenPostgres(ctx, url, log)
	}
	return store.Open(ctx, filepath.Join(dataDir, "briefbot.db"), log)
}
