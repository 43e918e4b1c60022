package leader

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Test timings: short, so that the tests run in seconds.
const (
	testRetry      = 200 * time.Millisecond
	testCheckEvery = 100 * time.Millisecond
	testCheckLimit = 500 * time.Millisecond
	// linger is how long the work takes to stop after its context ends:
	// the next leader must wait for it.
	linger = 300 * time.Millisecond
	// waitLimit bounds every wait for something that should happen soon.
	waitLimit = 15 * time.Second
)

// databaseURL returns the test server's URL (a superuser), skipping the
// test when there is none unless BRIEFBOT_REQUIRE_POSTGRES=1.
func databaseURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("BRIEFBOT_TEST_DATABASE_URL")
	if u == "" {
		if os.Getenv("BRIEFBOT_REQUIRE_POSTGRES") == "1" {
			t.Fatal("BRIEFBOT_REQUIRE_POSTGRES=1 but BRIEFBOT_TEST_DATABASE_URL is not set (run the tests through scripts/postgres.sh)")
		}
		t.Skip("BRIEFBOT_TEST_DATABASE_URL is not set: skipping the PostgreSQL test (scripts/postgres.sh starts a server)")
	}
	return u
}

// uniqueName returns a leadership name no other test (or test run on the
// same server) uses.
func uniqueName(t testing.TB) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return t.Name() + "-" + hex.EncodeToString(b[:])
}

// testWriter sends log lines to the test's output.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func testLogger(t testing.TB, who string) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug})).With("replica", who)
}

// term is one run of the work.
type term struct {
	who   string
	ctx   context.Context
	start time.Time
}

// work is the work every replica of a test runs: it counts how many run at
// once, and reports each start and end.
type work struct {
	active   atomic.Int32
	overlaps atomic.Int32
	starts   chan term
	mu       sync.Mutex
	ended    map[string]time.Time // who -> when its latest run returned
}

func newWork() *work {
	return &work{starts: make(chan term, 100), ended: map[string]time.Time{}}
}

// fn is who's work: it runs until its context ends, then takes linger to
// stop.
func (w *work) fn(who string) func(context.Context) error {
	return func(ctx context.Context) error {
		if w.active.Add(1) > 1 {
			w.overlaps.Add(1)
		}
		w.starts <- term{who: who, ctx: ctx, start: time.Now()}
		<-ctx.Done()
		time.Sleep(linger)
		w.mu.Lock()
		w.ended[who] = time.Now()
		w.mu.Unlock()
		w.active.Add(-1)
		return nil
	}
}

func (w *work) endedAt(who string) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ended[who]
}

// next waits for the next start of the work.
func (w *work) next(t testing.TB) term {
	t.Helper()
	select {
	case tm := <-w.starts:
		return tm
	case <-time.After(waitLimit):
		t.Fatalf("no replica became the leader within %v", waitLimit)
		return term{}
	}
}

// none checks that the work does not start again within d.
func (w *work) none(t testing.TB, d time.Duration) {
	t.Helper()
	select {
	case tm := <-w.starts:
		t.Fatalf("%s became the leader too (%v)", tm.who, tm.start)
	case <-time.After(d):
	}
}

// replica is one Elector running the shared work.
type replica struct {
	who    string
	e      *Elector
	cancel context.CancelFunc
	done   chan error
}

func startReplica(t testing.TB, url, name, who string, w *work, opts Options) *replica {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger(t, who)
	}
	opts.RetryInterval = or(opts.RetryInterval, testRetry)
	opts.CheckInterval = or(opts.CheckInterval, testCheckEvery)
	opts.CheckTimeout = or(opts.CheckTimeout, testCheckLimit)
	e, err := New(url, name, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{who: who, e: e, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- e.Run(ctx, w.fn(who)) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop cancels the replica's Run and requires it to return nil.
func (r *replica) stop(t testing.TB) {
	t.Helper()
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("%s: Run = %v after its context ended, want nil", r.who, err)
		}
	case <-time.After(waitLimit):
		t.Errorf("%s: Run did not return within %v of its context ending", r.who, waitLimit)
	}
	if r.e.Leader() {
		t.Errorf("%s: Leader() still true after Run returned", r.who)
	}
}

// holder returns the backend PID holding the advisory lock key.
func holder(t testing.TB, url string, key int64) uint32 {
	t.Helper()
	var pid uint32
	err := withConn(t, url, func(ctx context.Context, c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1`, key).Scan(&pid)
	})
	if err != nil {
		t.Fatalf("find the holder of lock %d: %v", key, err)
	}
	return pid
}

// terminate ends the backend pid as an administrator would.
func terminate(t testing.TB, url string, pid uint32) {
	t.Helper()
	err := withConn(t, url, func(ctx context.Context, c *pgx.Conn) error {
		var ok bool
		if err := c.QueryRow(ctx, "SELECT pg_terminate_backend($1)", int32(pid)).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("pg_terminate_backend(%d) = false", pid)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("terminate backend %d: %v", pid, err)
	}
}

func withConn(t testing.TB, url string, fn func(context.Context, *pgx.Conn) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	return fn(ctx, c)
}

func byName(rs ...*replica) map[string]*replica {
	m := map[string]*replica{}
	for _, r := range rs {
		m[r.who] = r
	}
	return m
}

// TestOneLeaderAtATime: of two replicas exactly one leads, the other never
// runs the work while the first holds the lock, and Leader says which.
func TestOneLeaderAtATime(t *testing.T) {
	url := databaseURL(t)
	name := uniqueName(t)
	w := newWork()
	a := startReplica(t, url, name, "a", w, Options{})
	b := startReplica(t, url, name, "b", w, Options{})
	first := w.next(t)
	rs := byName(a, b)
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		if a.e.Leader() && b.e.Leader() {
			t.Fatal("both replicas report Leader() = true")
		}
		if !rs[first.who].e.Leader() {
			t.Fatalf("%s runs the work but Leader() = false", first.who)
		}
		time.Sleep(10 * time.Millisecond)
	}
	w.none(t, 0)
	if n := w.overlaps.Load(); n != 0 {
		t.Errorf("the work ran %d times alongside another run", n)
	}
	if got := rs[first.who].e.Terms(); got != 1 {
		t.Errorf("%s Terms() = %d, want 1", first.who, got)
	}
}

// TestTakeoverOnCancel: when the leader's context ends, the standby takes
// over once the leader's work has stopped, well within RetryInterval.
func TestTakeoverOnCancel(t *testing.T) {
	url := databaseURL(t)
	name := uniqueName(t)
	w := newWork()
	rs := byName(startReplica(t, url, name, "a", w, Options{}), startReplica(t, url, name, "b", w, Options{}))
	cur := w.next(t)
	for round := range 3 {
		stopped := time.Now()
		rs[cur.who].stop(t)
		next := w.next(t)
		took := next.start.Sub(stopped)
		t.Logf("round %d: %s stopped, %s took over %v later (the work takes %v to stop)", round, cur.who, next.who, took.Round(time.Millisecond), linger)
		if next.who == cur.who {
			t.Fatalf("the stopped replica %s led again", cur.who)
		}
		if ended := w.endedAt(cur.who); ended.IsZero() || next.start.Before(ended) {
			t.Errorf("%s started at %v, before %s's work ended (%v)", next.who, next.start, cur.who, ended)
		}
		if limit := linger + testRetry + 500*time.Millisecond; took > limit {
			t.Errorf("takeover took %v, want under %v (the work's stop, RetryInterval and slack)", took, limit)
		}
		// the stopped replica comes back as a standby
		rs[cur.who] = startReplica(t, url, name, cur.who, w, Options{})
		w.none(t, 2*testRetry)
		cur = next
	}
	if n := w.overlaps.Load(); n != 0 {
		t.Errorf("the work ran %d times alongside another run", n)
	}
}

// TestTakeoverOnTerminate: when the leader's lock connection is killed
// (pg_terminate_backend), its work is cancelled with ErrLost at once, the
// standby takes over only after that work has stopped, and the old leader
// becomes a standby that can lead again.
func TestTakeoverOnTerminate(t *testing.T) {
	url := databaseURL(t)
	name := uniqueName(t)
	w := newWork()
	rs := byName(startReplica(t, url, name, "a", w, Options{}), startReplica(t, url, name, "b", w, Options{}))
	first := w.next(t)
	killed := time.Now()
	terminate(t, url, holder(t, url, Key(name)))
	select {
	case <-first.ctx.Done():
	case <-time.After(waitLimit):
		t.Fatal("the leader's work was not cancelled after its lock connection was killed")
	}
	noticed := time.Since(killed)
	if cause := context.Cause(first.ctx); !errors.Is(cause, ErrLost) {
		t.Errorf("the work's context ended with %v, want ErrLost", cause)
	}
	second := w.next(t)
	took := second.start.Sub(killed)
	t.Logf("%s's lock connection killed: its work cancelled after %v, %s took over after %v (the work takes %v to stop)",
		first.who, noticed.Round(time.Millisecond), second.who, took.Round(time.Millisecond), linger)
	if second.who == first.who {
		t.Fatalf("%s led again at once; want the standby", first.who)
	}
	if ended := w.endedAt(first.who); ended.IsZero() || second.start.Before(ended) {
		t.Errorf("%s started at %v, before %s's work ended (%v): the fence did not hold", second.who, second.start, first.who, ended)
	}
	if noticed > testCheckEvery+testCheckLimit+500*time.Millisecond {
		t.Errorf("the loss was noticed after %v, want at once", noticed)
	}
	// the old leader is a standby again: it takes over when the new one
	// is killed in turn, here through its fence connection
	terminate(t, url, holder(t, url, fenceKey(name)))
	select {
	case <-second.ctx.Done():
	case <-time.After(waitLimit):
		t.Fatal("the leader's work was not cancelled after its fence connection was killed")
	}
	if cause := context.Cause(second.ctx); !errors.Is(cause, ErrLost) {
		t.Errorf("the work's context ended with %v, want ErrLost", cause)
	}
	third := w.next(t)
	if third.who != first.who {
		t.Errorf("after %s lost its fence, %s led; want %s", second.who, third.who, first.who)
	}
	if n := w.overlaps.Load(); n != 0 {
		t.Errorf("the work ran %d times alongside another run", n)
	}
	if got := rs[first.who].e.Terms(); got != 2 {
		t.Errorf("%s Terms() = %d, want 2", first.who, got)
	}
}

// TestNoOverlapUnderChurn: three replicas; leaders are repeatedly stopped,
// restarted and killed through either connection; the work never runs
// twice at once.
func TestNoOverlapUnderChurn(t *testing.T) {
	url := databaseURL(t)
	name := uniqueName(t)
	w := newWork()
	rs := byName(
		startReplica(t, url, name, "a", w, Options{}),
		startReplica(t, url, name, "b", w, Options{}),
		startReplica(t, url, name, "c", w, Options{}),
	)
	for round := range 6 {
		cur := w.next(t)
		switch round % 3 {
		case 0:
			terminate(t, url, holder(t, url, Key(name)))
		case 1:
			terminate(t, url, holder(t, url, fenceKey(name)))
		case 2:
			rs[cur.who].stop(t)
			rs[cur.who] = startReplica(t, url, name, cur.who, w, Options{})
		}
	}
	w.next(t)
	if n := w.overlaps.Load(); n != 0 {
		t.Errorf("the work ran %d times alongside another run", n)
	}
}

// TestWorkReturns: when the work returns (with an error or without), the
// leadership is given up and taken again after RetryInterval; OnChange
// reports every change.
func TestWorkReturns(t *testing.T) {
	url := databaseURL(t)
	var mu sync.Mutex
	var changes []bool
	var runs atomic.Int32
	starts := make(chan time.Time, 10)
	e, err := New(url, uniqueName(t), Options{
		Logger: testLogger(t, "a"), RetryInterval: testRetry, CheckInterval: testCheckEvery, CheckTimeout: testCheckLimit,
		OnChange: func(v bool) {
			mu.Lock()
			changes = append(changes, v)
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- e.Run(ctx, func(ctx context.Context) error {
			starts <- time.Now()
			switch runs.Add(1) {
			case 1:
				return errors.New("the work failed")
			case 2:
				return nil
			}
			<-ctx.Done()
			return nil
		})
	}()
	var at []time.Time
	for range 3 {
		select {
		case s := <-starts:
			at = append(at, s)
		case <-time.After(waitLimit):
			t.Fatalf("the work ran %d times, want 3", len(at))
		}
	}
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < testRetry {
			t.Errorf("run %d started %v after run %d, want at least RetryInterval (%v)", i+1, gap, i, testRetry)
		}
	}
	if !e.Leader() {
		t.Error("Leader() = false while the work runs")
	}
	if err := e.Run(ctx, func(context.Context) error { return nil }); err == nil {
		t.Error("a second Run on the same Elector succeeded")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []bool{true, false, true, false, true, false}
	if fmt.Sprint(changes) != fmt.Sprint(want) {
		t.Errorf("OnChange calls = %v, want %v", changes, want)
	}
	if e.Terms() != 3 {
		t.Errorf("Terms() = %d, want 3", e.Terms())
	}
}

// TestUnreachableDatabase: connection failures are retried with back-off
// and logged without the password; Run returns nil when its context ends;
// a URL that cannot be parsed is refused by New without showing the
// password.
func TestUnreachableDatabase(t *testing.T) {
	const secret = "s3cr3t-pa55"
	var buf syncBuffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// port 1 on loopback: nothing listens there
	e, err := New("postgres://bot:"+secret+"@127.0.0.1:1/briefbot?sslmode=disable&connect_timeout=1", "unreachable",
		Options{Logger: log, RetryInterval: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	ran := false
	if err := e.Run(ctx, func(context.Context) error { ran = true; return nil }); err != nil {
		t.Errorf("Run = %v, want nil after its context ended", err)
	}
	if ran || e.Leader() {
		t.Error("the work ran without a database")
	}
	out := buf.String()
	if n := strings.Count(out, "connecting to the database failed; retrying"); n < 3 {
		t.Errorf("logged %d connection failures in a second, want several:\n%s", n, out)
	}
	if strings.Contains(out, secret) {
		t.Errorf("the log contains the password:\n%s", out)
	}
	for _, bad := range []string{
		"postgres://bot:" + secret + "@127.0.0.1:99999999/x",
		"postgres://bot:" + secret + "@[::1/x",
		"host=127.0.0.1 password=" + secret + " port=notaport",
	} {
		_, err := New(bad, "x", Options{})
		if err == nil {
			t.Errorf("New(%q) succeeded, want an error", strings.ReplaceAll(bad, secret, "…"))
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("New's error shows the password: %v", err)
		}
	}
	if _, err := New("postgres://127.0.0.1/x", "", Options{}); err == nil {
		t.Error("New with an empty name succeeded")
	}
}

// TestKeyStable: the lock key must never change between versions, or
// replicas of two versions would both lead during a rolling upgrade.
func TestKeyStable(t *testing.T) {
	// FNV-1a 64 of "briefbot:x", fixed here
	if got := uint64(Key("x")); got != 0x44080a2f07f6b726 {
		t.Errorf("Key(\"x\") = %#x; the key derivation changed", got)
	}
	if Key("x") == fenceKey("x") {
		t.Error("the lock and the fence share a key")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// BenchmarkHandover measures how long the leadership takes to move when
// the leader's work returns: from its return to the standby's work start
// (ms/handover; the work stops at once here, and ns/op includes a pause
// of 2×RetryInterval per handover).
func BenchmarkHandover(b *testing.B) {
	url := databaseURL(b)
	name := uniqueName(b)
	type run struct {
		who   string
		start time.Time
		stop  chan struct{}
	}
	runs := make(chan run, 4)
	fn := func(who string) func(context.Context) error {
		return func(ctx context.Context) error {
			r := run{who: who, start: time.Now(), stop: make(chan struct{})}
			runs <- r
			select {
			case <-r.stop:
			case <-ctx.Done():
			}
			return nil
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	for _, who := range []string{"a", "b"} {
		e, err := New(url, name, Options{RetryInterval: testRetry, CheckInterval: testCheckEvery})
		if err != nil {
			b.Fatal(err)
		}
		wg.Go(func() { _ = e.Run(ctx, fn(who)) })
	}
	cur := <-runs
	var total time.Duration
	for b.Loop() {
		// the replica that led last time competes again after
		// RetryInterval: wait until it does
		time.Sleep(2 * testRetry)
		returned := time.Now()
		close(cur.stop)
		next := <-runs
		if next.who == cur.who {
			b.Fatalf("%s led again; want the standby", cur.who)
		}
		total += next.start.Sub(returned)
		cur = next
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/handover")
}
