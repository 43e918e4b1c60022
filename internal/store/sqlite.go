// Package store keeps briefbot's embedded state in one SQLite file inside the
// data directory: processed event IDs, subscriptions, digest claims, feedback,
// adapter key-values and the library's articles. It uses modernc.org/sqlite
// (pure Go, no cgo).
//
// One *SQLite is safe for concurrent use by many goroutines, and several
// processes may open the same file: every write runs in a transaction that
// begins IMMEDIATE, so writers serialise on SQLite's write lock (waiting up to
// BusyTimeout for another process), while readers see committed snapshots
// (WAL journal).
//
// Postgres keeps the same state in a PostgreSQL database that several
// replicas of the bot share, with the same methods and meaning, and
// notifies the replicas of changed articles and subscriptions (Listen).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/briefbot/briefbot/bot"
)

// BusyTimeout is how long a statement waits for another process's write
// lock before it fails with "database is locked". Within one process writes
// queue for the single write connection instead, for as long as their ctx
// allows.
const BusyTimeout = 5 * time.Second

// maxReaders bounds the read connections of one *SQLite.
const maxReaders = 4

// SQLite is the embedded Store. Create it with Open and release it with
// Close.
type SQLite struct {
	path   string
	logger *slog.Logger
	// write holds one connection whose transactions begin IMMEDIATE: every
	// write of this process goes through it, in turn.
	write *sql.DB
	// read holds query-only connections for reads, which in WAL mode run
	// beside the writer.
	read *sql.DB

	closeOnce sync.Once
	closeErr  error

	// syncRowHook, when set (by tests), runs after each row SyncArticles
	// writes, with the number written so far.
	syncRowHook func(n int)
}

var _ bot.Store = (*SQLite)(nil)

// Open opens (creating it and its parent directory when missing) the SQLite
// database at path and brings its schema up to date. It fails with an error
// naming path when the file is not a SQLite database, cannot be opened, or
// has a schema newer than this binary knows. logger may be nil.
func Open(ctx context.Context, path string, logger *slog.Logger) (*SQLite, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if path == "" {
		return nil, errors.New("open store: no database path given")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("open store %s: create its directory: %w", abs, err)
	}
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("open store %s: it is a directory, not a database file", abs)
	}

	busy := strconv.FormatInt(BusyTimeout.Milliseconds(), 10)
	write, err := sql.Open("sqlite", dsn(abs, url.Values{
		"_txlock":       {"immediate"},
		"_busy_timeout": {busy},
		"_journal_mode": {"WAL"},
		"_synchronous":  {"NORMAL"},
		"_foreign_keys": {"1"},
		// page_size takes effect on a new file only, where it runs before
		// the switch to WAL: 16 KiB pages pack rows of a few KB (articles)
		// with less waste than the default 4 KiB, which measured 40% smaller
		// and faster. journal_size_limit keeps the WAL from staying at the
		// size of the largest transaction (a first SyncArticles of many
		// articles) after a checkpoint.
		"_pragma": {"page_size(16384)", "journal_size_limit(67108864)"},
	}))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)

	s := &SQLite{path: abs, logger: logger, write: write}
	if err := s.migrateWhenFree(ctx); err != nil {
		write.Close()
		return nil, openError(abs, err)
	}

	// The read connections are opened after the writer has switched the file
	// to WAL, so they never see it in another journal mode.
	read, err := sql.Open("sqlite", dsn(abs, url.Values{
		"_busy_timeout": {busy},
		"_foreign_keys": {"1"},
		"_query_only":   {"1"},
	}))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	read.SetMaxOpenConns(maxReaders)
	read.SetMaxIdleConns(maxReaders)
	if err := read.PingContext(ctx); err != nil {
		read.Close()
		write.Close()
		return nil, openError(abs, err)
	}
	s.read = read
	return s, nil
}

// migrateWhenFree migrates, trying again for up to BusyTimeout while the
// file is locked. Several processes opening one new file at once (replicas
// starting together) meet while it is still in rollback-journal mode, where
// SQLite refuses a lock upgrade that could deadlock with SQLITE_BUSY at once,
// without waiting in the busy handler. Every step checks the schema version
// inside its transaction, so trying again applies nothing twice.
func (s *SQLite) migrateWhenFree(ctx context.Context) error {
	deadline := time.Now().Add(BusyTimeout)
	wait := 5 * time.Millisecond
	for {
		err := s.migrate(ctx)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().Add(wait).After(deadline) {
			return err
		}
		s.logger.Debug("store locked while migrating; trying again", "path", s.path, "wait", wait)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (gave up: %w)", err, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// dsn builds a SQLite URI for path. Going through url.URL escapes '?', '#'
// and '%' in the path, which would otherwise be read as the query.
func dsn(path string, q url.Values) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	return u.String()
}

// openError words a failure to open or migrate the database for the person
// who configured its path.
func openError(path string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("open store %s: the file is not a SQLite database (wrong data directory, or a damaged file?): %w", path, err)
		case sqlite3.SQLITE_CANTOPEN:
			return fmt.Errorf("open store %s: cannot open the file (check that the directory exists and is writable): %w", path, err)
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM:
			return fmt.Errorf("open store %s: the file is not writable: %w", path, err)
		case sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("open store %s: the database is damaged: %w", path, err)
		}
	}
	return fmt.Errorf("open store %s: %w", path, err)
}

// Path is the absolute path of the database file.
func (s *SQLite) Path() string { return s.path }

// Close runs SQLite's recommended PRAGMA optimize (for at most a second)
// and closes the database once the calls in progress have finished. Calls
// made after Close fail; Close itself may be called again and returns the
// first call's result.
func (s *SQLite) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if _, err := s.write.ExecContext(ctx, "PRAGMA optimize"); err != nil {
			s.logger.Debug("store optimize failed", "path", s.path, "error", err)
		}
		errRead := s.read.Close()
		errWrite := s.write.Close()
		if err := errors.Join(errRead, errWrite); err != nil {
			s.closeErr = fmt.Errorf("close store %s: %w", s.path, err)
		}
	})
	return s.closeErr
}

// inWriteTx runs fn in a transaction on the write connection, which begins
// IMMEDIATE (taking the database's write lock at once), and commits when fn
// returns nil. Any error, ctx's included, rolls everything back.
func (s *SQLite) inWriteTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// timeLayout stores instants as fixed-width UTC text, which sorts in time
// order and reads well in the sqlite3 shell.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// parseNullTime parses a nullable time column: NULL is the zero time.
func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}
