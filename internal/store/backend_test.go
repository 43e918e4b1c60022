package store

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/internal/pgtest"
)

// backend is what the contract tests use of a store: the methods *SQLite
// and *Postgres share, and a few test hooks.
type backend interface {
	bot.Store
	PruneProcessed(ctx context.Context, before time.Time) (int64, error)
	Feedback(ctx context.Context, platform, ref string) ([]Feedback, error)
	SyncArticles(ctx context.Context, collection string, arts []briefings.Article, now time.Time) (SyncStats, error)
	Articles(ctx context.Context, collection string) ([]briefings.Article, error)
	PutLive(ctx context.Context, items []LiveItem, opts PutOptions) ([]Outcome, error)
	DeleteLive(ctx context.Context, id briefings.ArticleID, now time.Time) (Retraction, error)
	LiveArticles(ctx context.Context) ([]briefings.Article, error)
	FeedState(ctx context.Context, feed string) (FeedState, bool, error)
	SaveFeedState(ctx context.Context, st FeedState) error
	GetAnnotations(ctx context.Context, keys []string) (map[string][]byte, error)
	PutAnnotations(ctx context.Context, values map[string][]byte) error
	PruneAnnotations(ctx context.Context, before time.Time) (int64, error)
	SchemaVersion(ctx context.Context) (int, error)
	Close() error

	// testReopen opens another handle on the same database, closed when
	// the test ends: the store after a restart, or another replica.
	testReopen(t *testing.T) backend
	// testExec runs one statement written with ? placeholders.
	testExec(ctx context.Context, query string, args ...any) error
	// testQueryInt runs a query (? placeholders) that returns one integer.
	testQueryInt(ctx context.Context, query string, args ...any) (int, error)
	// testSetSyncRowHook sets (nil: clears) the hook SyncArticles and
	// PutLive call after each row they write.
	testSetSyncRowHook(hook func(n int))
}

var (
	_ backend             = (*SQLite)(nil)
	_ backend             = (*Postgres)(nil)
	_ analysis.CacheStore = (*SQLite)(nil)
	_ analysis.CacheStore = (*Postgres)(nil)
)

// forEachBackend runs fn on a fresh SQLite store and on a fresh PostgreSQL
// store, as subtests "sqlite" and "postgres". The PostgreSQL variant skips
// without BRIEFBOT_TEST_DATABASE_URL (see pgServerURL).
func forEachBackend(t *testing.T, fn func(t *testing.T, s backend)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, newStore(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, newPGStore(t)) })
}

func (s *SQLite) testReopen(t *testing.T) backend { return openStore(t, s.path) }

func (s *SQLite) testExec(ctx context.Context, query string, args ...any) error {
	_, err := s.write.ExecContext(ctx, query, args...)
	return err
}

func (s *SQLite) testQueryInt(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

func (s *SQLite) testSetSyncRowHook(hook func(n int)) { s.syncRowHook = hook }

func (p *Postgres) testReopen(t *testing.T) backend {
	return openPGStore(t, p.pool.Config().ConnString())
}

func (p *Postgres) testExec(ctx context.Context, query string, args ...any) error {
	_, err := p.pool.Exec(ctx, rebind(query), args...)
	return err
}

func (p *Postgres) testQueryInt(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	err := p.pool.QueryRow(ctx, rebind(query), args...).Scan(&n)
	return n, err
}

func (p *Postgres) testSetSyncRowHook(hook func(n int)) { p.syncRowHook = hook }

// rebind turns the ? placeholders of query (outside quotes) into $1, $2, ….
func rebind(query string) string {
	var (
		b      strings.Builder
		n      int
		quoted bool
	)
	for _, r := range query {
		switch {
		case r == '\'':
			quoted = !quoted
		case r == '?' && !quoted:
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// The PostgreSQL tests run against the server at pgtest.URLEnv, a
// superuser's URL (scripts/postgres.sh starts one and sets it): each test
// creates a database of its own and drops it when it ends. Without the
// variable they skip, unless pgtest.RequireEnv is 1.
const pgURLEnv = pgtest.URLEnv

// pgServerURL returns the test server's URL, or skips (fails, with
// BRIEFBOT_REQUIRE_POSTGRES=1) the test when there is none.
func pgServerURL(t testing.TB) string { return pgtest.Server(t) }

var pgDatabaseSeq atomic.Int64

// newPGDatabase creates a fresh database on the test server, drops it when
// the test ends, and returns its URL. options are appended to CREATE
// DATABASE.
func newPGDatabase(t testing.TB, options string) string {
	t.Helper()
	u, err := createPGDatabase(t, options)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// createPGDatabase is newPGDatabase, returning its error.
func createPGDatabase(t testing.TB, options string) (string, error) {
	t.Helper()
	base := pgServerURL(t)
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("%s: want a postgres:// URL (%v)", pgURLEnv, err)
	}
	name := pgDatabaseName(t.Name())
	if err := pgAdmin(base, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" ENCODING 'UTF8' TEMPLATE template0 "+options); err != nil {
		return "", fmt.Errorf("create the test database: %w", err)
	}
	t.Cleanup(func() {
		// FORCE: a connection killed by a test may not be gone yet
		if err := pgAdmin(base, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop the test database: %v", err)
		}
	})
	u.Path = "/" + name
	return u.String(), nil
}

// pgDatabaseName returns a new database name that shows which test made it.
func pgDatabaseName(testName string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(testName) {
		if b.Len() >= 30 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return fmt.Sprintf("briefbot_%s_%d_%d", b.String(), os.Getpid(), pgDatabaseSeq.Add(1))
}

// pgAdmin runs one statement on the server at baseURL.
func pgAdmin(baseURL, stmt string) error {
	if err := pgtest.Exec(baseURL, stmt); err != nil {
		return fmt.Errorf("%s: %w", stmt, err)
	}
	return nil
}

// openPGStore opens the database at url and closes it when the test ends.
func openPGStore(t *testing.T, url string) *Postgres {
	t.Helper()
	p, err := OpenPostgres(t.Context(), url, testLogger(t))
	if err != nil {
		t.Fatalf("OpenPostgres: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return p
}

// newPGStore opens a fresh database.
func newPGStore(t *testing.T) *Postgres {
	t.Helper()
	return openPGStore(t, newPGDatabase(t, ""))
}

func TestRebind(t *testing.T) {
	for in, want := range map[string]string{
		`SELECT 1`:                               `SELECT 1`,
		`UPDATE t SET a = ? WHERE b IN ('?', ?)`: `UPDATE t SET a = $1 WHERE b IN ('?', $2)`,
		`SELECT '' || ?`:                         `SELECT '' || $1`,
	} {
		if got := rebind(in); got != want {
			t.Errorf("rebind(%q) = %q, want %q", in, got, want)
		}
	}
}
