package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/briefbot/briefbot/bot"
)

// Postgres is the Store on a PostgreSQL database that several replicas of
// the bot share. It has the methods of *SQLite, with the same meaning, and
// adds Ping and Listen. Create it with OpenPostgres and release it with
// Close; one *Postgres is safe for concurrent use by many goroutines.
//
// Every write is one statement or one transaction. Claims (ClaimEvent,
// ClaimDigest) are single statements on a unique key, so exactly one of
// any number of racing replicas wins. Writes to one article collection
// (SyncArticles, PutLive, DeleteLive) serialise on a transaction-level
// advisory lock of that collection, as SQLite's writers do on its write
// lock; other writes run side by side.
//
// Times are stored as timestamptz, with PostgreSQL's microsecond precision
// (SQLite keeps nanoseconds), and read back in UTC.
type Postgres struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
	// conn is the pool's connection configuration; Listen dials its own
	// connections with copies of it.
	conn *pgx.ConnConfig
	// name describes the database for messages and logs: user, host, port
	// and database, never the password.
	name string
	// secrets are the passwords of the URL, masked in logged errors.
	secrets []string

	closeOnce sync.Once
	// listening is true while Listen holds a listening connection.
	listening atomic.Bool

	// syncRowHook, when set (by tests), runs after each row SyncArticles
	// and PutLive write, with the number written so far. It may run on
	// another goroutine than the caller's, but before the method returns.
	syncRowHook func(n int)
}

var _ bot.Store = (*Postgres)(nil)

// Notification channels: writes that change articles notify
// ArticlesChannel with the collection as payload, writes that change
// subscriptions notify SubscriptionsChannel, both when their transaction
// commits.
const (
	ArticlesChannel      = "briefbot_articles"
	SubscriptionsChannel = "briefbot_subscriptions"
)

// defaultConnectTimeout bounds dialling the server when the URL sets no
// connect_timeout.
const defaultConnectTimeout = 5 * time.Second

// applicationName is what the bot's connections report to the server
// (pg_stat_activity) unless the URL names one.
const applicationName = "briefbot"

// OpenPostgres connects to the PostgreSQL database at url (a postgres://
// URL or a keyword/value connection string, as libpq takes them) and brings
// its schema up to date. Several replicas may open the same database at
// once: migrations run under an advisory lock. It fails with an error that
// names the server and database (never the password) when the URL is not
// valid, the server cannot be reached or refuses the login, the database
// does not exist, or its schema is newer than this binary knows. logger may
// be nil.
//
// The URL may also tune the pool (pool_max_conns, default the greater of 4
// and the number of CPUs; pool_max_conn_lifetime, …) and the session
// (search_path=briefbot keeps the bot's tables in a schema of their own;
// application_name, default "briefbot").
func OpenPostgres(ctx context.Context, url string, logger *slog.Logger) (*Postgres, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if strings.TrimSpace(url) == "" {
		return nil, errors.New("open store: no PostgreSQL URL given")
	}
	secrets := urlSecrets(url)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx hides the password on a best-effort basis; make sure
		return nil, redact(fmt.Errorf("open store: the PostgreSQL URL is not valid: %w", err), secrets)
	}
	if cfg.ConnConfig.Password != "" {
		secrets = append(secrets, cfg.ConnConfig.Password)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// a server that is gone must not hold a request for the OS's TCP
		// timeout (minutes): the bot answers without its state meanwhile
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = applicationName
	}
	p := &Postgres{logger: logger, conn: cfg.ConnConfig.Copy(), name: describeConfig(cfg.ConnConfig), secrets: secrets}
	fail := func(err error) (*Postgres, error) {
		return nil, redact(p.openError(err), secrets)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fail(err)
	}
	// NewWithConfig connects lazily: connect now, so that a wrong URL fails
	// here rather than at the first message.
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return fail(err)
	}
	p.pool = pool
	if err := p.migrate(ctx); err != nil {
		pool.Close()
		return fail(err)
	}
	logger.Debug("store opened", "database", p.name)
	return p, nil
}

// describeConfig names the server and database of c for messages.
func describeConfig(c *pgx.ConnConfig) string {
	u := url.URL{Scheme: "postgres", Host: net.JoinHostPort(c.Host, fmt.Sprint(c.Port)), Path: "/" + c.Database}
	if strings.HasPrefix(c.Host, "/") { // a unix socket directory
		u.Host = ""
		u.RawQuery = url.Values{"host": {c.Host}, "port": {fmt.Sprint(c.Port)}}.Encode()
	}
	if c.User != "" {
		u.User = url.User(c.User)
	}
	return u.String()
}

// urlSecrets returns the passwords a connection URL spells out, so that
// messages can be scrubbed of them even when it does not parse.
func urlSecrets(raw string) []string {
	var out []string
	if u, err := url.Parse(raw); err == nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			out = append(out, pw)
		}
		for _, k := range []string{"password", "sslpassword"} {
			if v := u.Query().Get(k); v != "" {
				out = append(out, v)
			}
		}
	}
	// keyword/value form: password=secret or password='sec ret'
	for _, f := range strings.Fields(raw) {
		if v, ok := strings.CutPrefix(f, "password="); ok && strings.Trim(v, "'") != "" {
			out = append(out, strings.Trim(v, "'"))
		}
	}
	return out
}

// redactedError hides secrets in the message of the error it wraps; Is and
// As still see the wrapped error.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact returns err with every secret in its message masked.
func redact(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

// openError words a failure to connect to or migrate the database for the
// operator who configured its URL.
func (p *Postgres) openError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "28P01", "28000": // invalid_password, invalid_authorization_specification
			return fmt.Errorf("open store %s: the server refused the login (check the user and password in the URL): %w", p.name, err)
		case "3D000": // invalid_catalog_name
			return fmt.Errorf("open store %s: the database does not exist (create it first, or fix the URL): %w", p.name, err)
		case "42501": // insufficient_privilege
			return fmt.Errorf("open store %s: the user may not create or change the bot's tables (grant it CREATE on the database, or run the first start as the owner): %w", p.name, err)
		case "53300": // too_many_connections
			return fmt.Errorf("open store %s: the server has no connections left (raise max_connections, or lower pool_max_conns in the URL): %w", p.name, err)
		}
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) && pe == nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("open store %s: cannot reach the PostgreSQL server (is it running, and are host and port right?): %w", p.name, err)
	}
	return fmt.Errorf("open store %s: %w", p.name, err)
}

// Ping checks that the database answers.
func (p *Postgres) Ping(ctx context.Context) error {
	if err := p.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping store %s: %w", p.name, err)
	}
	return nil
}

// Close closes the pool's connections once the calls in progress have
// finished. Calls made after Close fail; Close itself may be called again.
// It does not stop Listen, which ends with its context.
func (p *Postgres) Close() error {
	p.closeOnce.Do(p.pool.Close)
	return nil
}

// inTx runs fn in a transaction and commits when fn returns nil. Any
// error, ctx's included, rolls everything back.
func (p *Postgres) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, p.pool, fn)
}

// lockKey turns a name into a key for pg_advisory_xact_lock. Keys are per
// database, so other applications on the same server do not collide with
// the bot's.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("briefbot/"))
	h.Write([]byte(name))
	return int64(h.Sum64())
}

// lockCollection takes collection's write lock until tx ends, so that the
// writes of one collection serialise across replicas (a sync reads what is
// stored and then writes the difference).
func lockCollection(ctx context.Context, tx pgx.Tx, collection string) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey("articles/"+collection)); err != nil {
		return fmt.Errorf("wait for the lock of collection %s: %w", collection, err)
	}
	return nil
}

// notify queues a notification on channel, sent when tx commits.
func notify(ctx context.Context, tx pgx.Tx, channel, payload string) error {
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, channel, payload); err != nil {
		return fmt.Errorf("notify %s: %w", channel, err)
	}
	return nil
}

// pgTime is t for a nullable timestamptz column: nil for the zero time.
func pgTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// utc is *t in UTC, or the zero time for NULL.
func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
