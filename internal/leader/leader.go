// Package leader elects one leader among the replicas of the bot that share
// a PostgreSQL database, with a session-level advisory lock, so that work
// that must run once per deployment (a chat account's sync loop) runs in
// exactly one replica at a time while the others stand by.
//
// An Elector holds its lock on a connection of its own. A standby waits for
// the lock inside PostgreSQL (pg_advisory_lock with a lock_timeout), so it
// takes over the moment the lock is freed: when the leader gives it up,
// when the leader's process dies, and when its connection is cut
// (pg_terminate_backend, a network failure the server notices).
//
// Taking over the lock is not yet leading: the new leader also takes a
// second advisory lock, the fence, which the previous leader holds on a
// second connection until its work has returned. A leader whose lock
// connection was cut learns of it at once (or, for a silent network
// failure, within CheckInterval+CheckTimeout), cancels its work and frees
// the fence only when the work has stopped; so the work of two replicas
// never overlaps, not even when only the lock connection is killed.
//
// What this does not cover: a leader process that freezes (SIGSTOP, a VM
// pause) for longer than the sessions' idle_session_timeout (at least 10
// seconds) loses both locks while it cannot notice, and resumes its work
// for up to a moment before it sees the closed connections. There is no
// fencing token; work that must never overlap has to guard its writes
// itself (the bot's event claims do).
//
// Connect directly to PostgreSQL or through a session-mode pooler: a
// transaction-mode pooler (PgBouncer pool_mode=transaction) does not keep
// session locks.
package leader

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Defaults of Options.
const (
	DefaultRetryInterval = 2 * time.Second
	DefaultCheckInterval = time.Second
	DefaultCheckTimeout  = 2 * time.Second
	DefaultMaxBackoff    = 30 * time.Second
)

const (
	// connectTimeout bounds connecting and setting up a session.
	connectTimeout = 10 * time.Second
	// releaseTimeout bounds giving up a lock and closing a connection.
	releaseTimeout = 2 * time.Second
	// minIdleSessionTimeout is the least idle_session_timeout of the
	// elector's sessions: how long the server keeps a session, and its
	// lock, after its client went silent.
	minIdleSessionTimeout = 10 * time.Second
)

// ErrLost is the cause (context.Cause) of the cancellation of the work's
// context when the leadership was lost: a connection holding a lock failed
// or no longer held it.
var ErrLost = errors.New("leader: the leadership was lost")

// errTermEnded cancels the work's context once it has returned.
var errTermEnded = errors.New("leader: the term ended")

// Options tune an Elector. Zero values mean the defaults.
type Options struct {
	// Logger receives the elector's logs; nil discards them. The database
	// URL is never logged.
	Logger *slog.Logger
	// RetryInterval is how long a standby waits for the lock inside the
	// database before it checks its connection and waits again, and how
	// long a replica whose work returned on its own waits before it
	// competes again, which lets another replica take over and keeps a
	// failing work from spinning. (A replica that lost the leadership
	// competes again at once: the others already wait for the lock, and
	// get it first.) Default 2 s. It also starts the back-off after a
	// database error.
	RetryInterval time.Duration
	// CheckInterval is how often the leader checks that its connections
	// still hold the locks. A connection the server closes is noticed at
	// once; the check finds the silent failures. Default 1 s.
	CheckInterval time.Duration
	// CheckTimeout bounds one check; a check that takes longer counts as a
	// lost leadership. Default 2 s.
	CheckTimeout time.Duration
	// MaxBackoff caps the doubling wait between attempts after database
	// errors (unreachable server, refused login). Default 30 s.
	MaxBackoff time.Duration
	// OnChange, when set, is called with true when this replica becomes
	// the leader (just before the work starts) and with false when it
	// stops being the leader (after the work has returned). It is called
	// from Run's goroutine and must not block.
	OnChange func(leader bool)
}

// Elector elects a leader among the replicas that create one with the same
// name on the same database. Create it with New; Run competes for the
// leadership and runs the work while it holds it. Leader is safe for
// concurrent use.
type Elector struct {
	cfg          *pgx.ConnConfig
	name         string
	key, fence   int64
	log          *slog.Logger
	retry        time.Duration
	checkEvery   time.Duration
	checkTimeout time.Duration
	maxBackoff   time.Duration
	idleTimeout  time.Duration
	onChange     func(bool)

	running atomic.Bool
	leader  atomic.Bool
	terms   atomic.Uint64
}

// Key returns the advisory lock key of the leadership called name: the
// FNV-1a 64-bit hash of "briefbot:" + name, as a bigint. It is stable
// across versions, so replicas of different versions elect one leader
// during a rolling upgrade, and operators can find the leader:
//
//	SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
//	  AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = KEY
func Key(name string) int64 { return hashKey("briefbot:" + name) }

// fenceKey is the key of the fence lock of the leadership called name.
func fenceKey(name string) int64 { return hashKey("briefbot-fence:" + name) }

func hashKey(s string) int64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return int64(h.Sum64())
}

// New returns an Elector for the leadership called name on the PostgreSQL
// database at url (a postgres:// URL or a key=value connection string). It
// does not connect; Run does. It fails when url cannot be parsed (the
// error never contains the password) or name is empty.
func New(url, name string, opts Options) (*Elector, error) {
	if name == "" {
		return nil, errors.New("leader: the leadership needs a name")
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("leader: the database URL is not valid: %s", redact(err.Error(), url))
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = truncate("briefbot leader "+name, 63)
	}
	for _, d := range []time.Duration{opts.RetryInterval, opts.CheckInterval, opts.CheckTimeout, opts.MaxBackoff} {
		if d < 0 {
			return nil, fmt.Errorf("leader: negative interval %v in Options", d)
		}
	}
	e := &Elector{
		cfg:          cfg,
		name:         name,
		key:          Key(name),
		fence:        fenceKey(name),
		log:          opts.Logger,
		retry:        or(opts.RetryInterval, DefaultRetryInterval),
		checkEvery:   or(opts.CheckInterval, DefaultCheckInterval),
		checkTimeout: or(opts.CheckTimeout, DefaultCheckTimeout),
		onChange:     opts.OnChange,
	}
	e.maxBackoff = max(or(opts.MaxBackoff, DefaultMaxBackoff), e.retry)
	e.idleTimeout = max(minIdleSessionTimeout, 3*e.retry, 3*(e.checkEvery+e.checkTimeout))
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	e.log = e.log.With("leadership", name)
	return e, nil
}

func or(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// redact removes the password of url from msg.
func redact(msg, raw string) string {
	var secrets []string
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			secrets = append(secrets, pw, url.QueryEscape(pw), url.PathEscape(pw))
		}
	}
	for _, field := range strings.Fields(raw) {
		if v, ok := strings.CutPrefix(field, "password="); ok && v != "" {
			secrets = append(secrets, v, strings.Trim(v, "'"))
		}
	}
	if i := strings.Index(raw, "://"); i >= 0 {
		// an unparsable URL: the userinfo's password by position
		rest := raw[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if _, pw, ok := strings.Cut(rest[:at], ":"); ok && pw != "" {
				secrets = append(secrets, pw)
			}
		}
	}
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
		}
	}
	return msg
}

// Name returns the leadership's name.
func (e *Elector) Name() string { return e.name }

// Leader reports whether this replica is the leader now: its work is
// running (or about to start, or just returned) under the lock.
func (e *Elector) Leader() bool { return e.leader.Load() }

// Terms counts the times this Elector became the leader.
func (e *Elector) Terms() uint64 { return e.terms.Load() }

// Run competes for the leadership until ctx ends and runs fn whenever this
// replica holds it. fn's context is cancelled when ctx ends and as soon as
// the leadership is lost (its cause is then ErrLost); fn must return
// promptly after that, since the next leader waits for it. When fn returns,
// for whatever reason, the locks are given up and Run competes again: at
// once after a lost leadership, after RetryInterval when fn returned on
// its own; fn's error is logged. Database errors are logged and
// retried with a doubling back-off; they never end Run. Run returns nil
// when ctx ends, after fn has returned and the locks are released; it
// returns an error only when fn is nil or Run is already running.
func (e *Elector) Run(ctx context.Context, fn func(ctx context.Context) error) error {
	if fn == nil {
		return errors.New("leader: Run needs the work to run")
	}
	if !e.running.CompareAndSwap(false, true) {
		return errors.New("leader: Run is already running on this Elector")
	}
	defer e.running.Store(false)

	var conn *pgx.Conn
	defer func() { e.discard(conn) }()
	backoff := e.retry
	failures := 0
	fail := func(what string, err error) bool {
		failures++
		e.log.Warn("leader election: "+what+" failed; retrying", "err", err, "retry_in", backoff, "failures", failures)
		if sleep(ctx, backoff) != nil {
			return false
		}
		backoff = min(2*backoff, e.maxBackoff)
		return true
	}
	for ctx.Err() == nil {
		if conn == nil {
			c, err := e.connect(ctx, e.retry)
			if err != nil {
				if ctx.Err() != nil || !fail("connecting to the database", err) {
					break
				}
				continue
			}
			if failures > 0 {
				e.log.Info("leader election: connected to the database again", "failures", failures)
			}
			conn, failures, backoff = c, 0, e.retry
			e.log.Debug("leader election: standing by")
		}
		got, err := e.acquire(ctx, conn, e.key)
		if err != nil {
			e.discard(conn)
			conn = nil
			if ctx.Err() != nil || !fail("waiting for the lock", err) {
				break
			}
			continue
		}
		if !got {
			continue // waited RetryInterval; the connection answered
		}
		returned, usable := e.lead(ctx, conn, fn)
		if !usable {
			e.discard(conn)
			conn = nil
		}
		// After the work returned on its own, another replica gets its
		// turn (and a failing work does not spin). After a lost
		// leadership, the other replicas wait for the lock already and
		// come first; competing again at once keeps a lone replica's
		// outage short.
		if returned && sleep(ctx, e.retry) != nil {
			break
		}
	}
	return nil
}

// lead runs one term: conn holds the lock. It takes the fence, runs fn,
// watches both connections, and gives up both locks when fn has returned.
// It reports whether fn returned on its own (neither the leadership was
// lost nor ctx ended), and whether conn is still usable.
func (e *Elector) lead(ctx context.Context, conn *pgx.Conn, fn func(context.Context) error) (returned, usable bool) {
	took := time.Now()
	fc, err := e.connect(ctx, e.checkEvery)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Warn("leader election: took the lock but cannot open the fence connection; giving the lock up", "err", err)
		}
		return true, e.release(conn, e.key)
	}
	if !e.awaitFence(ctx, conn, fc) {
		e.discard(fc)
		return false, e.release(conn, e.key)
	}
	waited := time.Since(took)

	e.terms.Add(1)
	e.setLeader(true)
	e.log.Info("leader election: this replica is the leader", "term", e.terms.Load(), "fence_wait", waited.Round(time.Millisecond))
	termCtx, stop := context.WithCancelCause(ctx)
	lost := make(chan error, 2)
	var wg sync.WaitGroup
	for _, w := range []struct {
		c    *pgx.Conn
		key  int64
		what string
	}{{conn, e.key, "the lock connection"}, {fc, e.fence, "the fence connection"}} {
		wg.Go(func() {
			if err := e.watch(termCtx, w.c, w.key); err != nil {
				lost <- fmt.Errorf("%s: %w", w.what, err)
			}
		})
	}
	done := make(chan error, 1)
	go func() { done <- fn(termCtx) }()

	var fnErr error
	why := "stopped"
	select {
	case err := <-lost:
		stop(ErrLost)
		why = "lost"
		e.log.Warn("leader election: the leadership was lost; stopping the work", "err", err)
		fnErr = <-done
	case fnErr = <-done:
		why = "returned"
	case <-ctx.Done():
		fnErr = <-done
	}
	stop(errTermEnded)
	wg.Wait()
	e.setLeader(false)
	switch {
	case fnErr != nil && ctx.Err() == nil:
		e.log.Error("leader election: the leader's work failed; giving up the leadership", "err", fnErr, "retry_in", e.retry)
	case why == "returned" && ctx.Err() == nil:
		e.log.Info("leader election: the leader's work returned; giving up the leadership", "retry_in", e.retry)
	default:
		e.log.Info("leader election: no longer the leader", "why", why)
	}
	// The fence last held means fn has returned: free it first.
	e.release(fc, e.fence)
	e.discard(fc)
	return why == "returned", e.release(conn, e.key)
}

// awaitFence takes the fence on fc, waiting for a previous leader that lost
// the lock to stop its work, while conn keeps holding the lock. It reports
// false when ctx ended or a connection failed.
func (e *Elector) awaitFence(ctx context.Context, conn, fc *pgx.Conn) bool {
	logged := false
	for {
		got, err := e.acquire(ctx, fc, e.fence)
		if err != nil {
			if ctx.Err() == nil {
				e.log.Warn("leader election: waiting for the fence failed; giving the lock up", "err", err)
			}
			return false
		}
		if got {
			return true
		}
		if !logged {
			logged = true
			e.log.Info("leader election: took the lock; waiting for the previous leader, which lost it, to stop its work")
		}
		if err := e.check(ctx, conn, e.key); err != nil {
			if ctx.Err() == nil {
				e.log.Warn("leader election: lost the lock while waiting for the fence", "err", err)
			}
			return false
		}
	}
}

// connect opens a session for the elector: lockTimeout bounds each wait
// for a lock, and the server drops the session (and its locks) after
// idleTimeout without a word from us.
func (e *Elector) connect(ctx context.Context, lockTimeout time.Duration) (*pgx.Conn, error) {
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	c, err := pgx.ConnectConfig(cctx, e.cfg)
	if err != nil {
		return nil, err
	}
	if _, err := c.Exec(cctx, fmt.Sprintf("SET lock_timeout = %d", max(lockTimeout.Milliseconds(), 1))); err != nil {
		e.discard(c)
		return nil, fmt.Errorf("set lock_timeout: %w", err)
	}
	if _, err := c.Exec(cctx, fmt.Sprintf("SET idle_session_timeout = %d", e.idleTimeout.Milliseconds())); err != nil {
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) {
			e.discard(c)
			return nil, fmt.Errorf("set idle_session_timeout: %w", err)
		}
		// PostgreSQL before 14: a dead client's session is dropped only
		// when TCP notices, which can take much longer.
		e.log.Debug("leader election: the server has no idle_session_timeout; a silent client failure may hold the lock longer", "err", err)
	}
	return c, nil
}

// acquire waits up to the session's lock_timeout for the advisory lock key
// and reports whether it got it.
func (e *Elector) acquire(ctx context.Context, c *pgx.Conn, key int64) (bool, error) {
	_, err := c.Exec(ctx, "SELECT pg_advisory_lock($1)", key)
	if err == nil {
		return true, nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "55P03" || pgErr.Code == "57014") {
		// lock_not_available (lock_timeout), query_canceled (a
		// statement_timeout shorter than lock_timeout)
		return false, nil
	}
	return false, err
}

// check verifies that c's session still holds the advisory lock key.
func (e *Elector) check(ctx context.Context, c *pgx.Conn, key int64) error {
	cctx, cancel := context.WithTimeout(ctx, e.checkTimeout)
	defer cancel()
	var held bool
	err := c.QueryRow(cctx, `SELECT EXISTS (SELECT 1 FROM pg_locks
		WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
		  AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1)`, key).Scan(&held)
	switch {
	case err != nil:
		return fmt.Errorf("check the lock: %w", err)
	case !held:
		return errors.New("the session no longer holds the lock")
	}
	return nil
}

// watch follows c, which holds the lock key, until ctx ends, and returns
// an error when the connection fails or no longer holds the lock. Between
// checks it waits for a message from the server, so a closed connection
// (pg_terminate_backend, a server restart) is noticed at once.
func (e *Elector) watch(ctx context.Context, c *pgx.Conn, key int64) error {
	for {
		wctx, cancel := context.WithTimeout(ctx, e.checkEvery)
		_, err := c.WaitForNotification(wctx)
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && !pgconn.Timeout(err) {
			return err
		}
		if err := e.check(ctx, c, key); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

// release gives up the advisory lock key held by c and reports whether c
// is still usable; a failed c is closed.
func (e *Elector) release(c *pgx.Conn, key int64) bool {
	if c.IsClosed() {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	var ok bool
	if err := c.QueryRow(ctx, "SELECT pg_advisory_unlock($1)", key).Scan(&ok); err != nil || !ok {
		if err != nil {
			e.log.Debug("leader election: giving up the lock failed; closing its connection", "err", err)
		}
		e.discard(c)
		return false
	}
	return true
}

// discard closes c. A query interrupted by a cancelled context (a wait for
// the lock) may still be running on the server, so it is cancelled first:
// the server would otherwise keep waiting, and may take the lock for a
// session nobody uses.
func (e *Elector) discard(c *pgx.Conn) {
	if c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	_ = c.PgConn().CancelRequest(ctx)
	_ = c.Close(ctx)
}

func (e *Elector) setLeader(v bool) {
	if e.leader.Swap(v) != v && e.onChange != nil {
		e.onChange(v)
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
