package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
)

// TestPGMethodSet: *Postgres has the exported methods of *SQLite, with the
// same signatures, but Path (a file's), and adds only what replicas of a
// shared database need: Ping, Listen, Listening and ArticlesStamp.
func TestPGMethodSet(t *testing.T) {
	sq, pg := reflect.TypeFor[*SQLite](), reflect.TypeFor[*Postgres]()
	signature := func(m reflect.Method) string {
		var in, out []string
		for i := 1; i < m.Type.NumIn(); i++ { // skip the receiver
			in = append(in, m.Type.In(i).String())
		}
		for i := range m.Type.NumOut() {
			out = append(out, m.Type.Out(i).String())
		}
		return fmt.Sprintf("(%s) (%s)", strings.Join(in, ", "), strings.Join(out, ", "))
	}
	for i := range sq.NumMethod() {
		m := sq.Method(i)
		if m.Name == "Path" {
			continue
		}
		pm, ok := pg.MethodByName(m.Name)
		if !ok {
			t.Errorf("*Postgres has no method %s", m.Name)
			continue
		}
		if a, b := signature(m), signature(pm); a != b {
			t.Errorf("%s: *SQLite%s, *Postgres%s", m.Name, a, b)
		}
	}
	for i := range pg.NumMethod() {
		name := pg.Method(i).Name
		if _, ok := sq.MethodByName(name); !ok && !slices.Contains([]string{"Ping", "Listen", "Listening", "ArticlesStamp"}, name) {
			t.Errorf("*Postgres has a method %s that *SQLite has not", name)
		}
	}
}

// TestPGMigrationsRace opens one fresh database from 3 replicas at once:
// each step is applied once, and all three work.
func TestPGMigrationsRace(t *testing.T) {
	dbURL := newPGDatabase(t, "")
	var (
		wg     sync.WaitGroup
		start  = make(chan struct{})
		stores = make([]*Postgres, 3)
		errs   = make([]error, 3)
	)
	for i := range stores {
		wg.Go(func() {
			<-start
			stores[i], errs[i] = OpenPostgres(t.Context(), dbURL, testLogger(t))
		})
	}
	close(start)
	wg.Wait()
	for i, p := range stores {
		if errs[i] != nil {
			t.Fatalf("replica %d: OpenPostgres: %v", i, errs[i])
		}
		t.Cleanup(func() { p.Close() })
	}
	for i, p := range stores {
		v, err := p.SchemaVersion(t.Context())
		if err != nil || v != len(pgMigrations) {
			t.Errorf("replica %d: SchemaVersion = %d, %v; want %d", i, v, err, len(pgMigrations))
		}
		if err := p.SetValue(t.Context(), fmt.Sprint("replica", i), "up"); err != nil {
			t.Errorf("replica %d: SetValue: %v", i, err)
		}
	}
	rows, err := stores[0].testQueryInt(t.Context(), `SELECT count(*) FROM schema_migrations`)
	if err != nil || rows != len(pgMigrations) {
		t.Errorf("%d schema_migrations rows (%v), want %d: each step once", rows, err, len(pgMigrations))
	}
	// and opening again applies nothing
	p := openPGStore(t, dbURL)
	if v, err := p.SchemaVersion(t.Context()); err != nil || v != len(pgMigrations) {
		t.Errorf("after reopening: SchemaVersion = %d, %v", v, err)
	}
}

func TestPGMigrationVersionsAreConsecutive(t *testing.T) {
	for i, m := range pgMigrations {
		if m.version != i+1 {
			t.Errorf("pgMigrations[%d] has version %d, want %d", i, m.version, i+1)
		}
	}
}

// TestPGMigrationStepFailsWhole: a failing step leaves the database as it
// was, with an error naming the step.
func TestPGMigrationStepFailsWhole(t *testing.T) {
	dbURL := newPGDatabase(t, "")
	orig := pgMigrations
	t.Cleanup(func() { pgMigrations = orig })
	pgMigrations = append(slices.Clip(orig), migration{len(orig) + 1, "broken", `CREATE TABLE broken_step (a int); SELECT 1/0;`})
	_, err := OpenPostgres(t.Context(), dbURL, testLogger(t))
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("apply schema step %d (broken)", len(orig)+1)) {
		t.Fatalf("OpenPostgres with a broken step = %v, want an error naming the step", err)
	}
	t.Logf("error: %v", err)
	pgMigrations = orig

	conn, err := pgx.Connect(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	var tables int
	if err := conn.QueryRow(t.Context(),
		`SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("%d tables after a failed migration of a new database, want none", tables)
	}
	p := openPGStore(t, dbURL)
	if v, err := p.SchemaVersion(t.Context()); err != nil || v != len(orig) {
		t.Errorf("SchemaVersion after a good open = %d, %v", v, err)
	}
}

func TestPGOpenRefusesNewerSchema(t *testing.T) {
	dbURL := newPGDatabase(t, "")
	p := openPGStore(t, dbURL)
	future := len(pgMigrations) + 5
	if err := p.testExec(t.Context(), `INSERT INTO schema_migrations (version, name) VALUES (?, 'future')`, future); err != nil {
		t.Fatal(err)
	}
	_, err := OpenPostgres(t.Context(), dbURL, testLogger(t))
	if err == nil {
		t.Fatal("OpenPostgres of a database with a newer schema succeeded")
	}
	t.Logf("error: %v", err)
	u, _ := url.Parse(dbURL)
	for _, want := range []string{strings.TrimPrefix(u.Path, "/"), "newer than this briefbot knows", "schema version " + strconv.Itoa(future)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

// syncBuffer is a bytes.Buffer for a logger used by several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestPGOpenErrors: failures to open are worded for the operator, name the
// server and database, and never show the URL's password, in errors or in
// the log.
func TestPGOpenErrors(t *testing.T) {
	const secret = "s3cret-Pw_9"
	base, err := url.Parse(pgServerURL(t))
	if err != nil {
		t.Fatal(err)
	}
	withPassword := func(u url.URL) string {
		u.User = url.UserPassword(u.User.Username(), secret)
		return u.String()
	}
	missingDB := *base
	missingDB.Path = "/briefbot_no_such_database"
	closedPort := *base
	closedPort.Host = net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
	closedPort.RawQuery = "sslmode=disable&connect_timeout=5"
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()

	tests := []struct {
		name string
		ctx  context.Context
		url  string
		want []string
		is   error
	}{
		{"empty", t.Context(), " ", []string{"no PostgreSQL URL"}, nil},
		{"not a URL", t.Context(), "postgres://briefbot:" + secret + "@db.example:port/briefbot", []string{"URL is not valid"}, nil},
		{"keyword form", t.Context(), "host=db.example port=notaport password=" + secret, []string{"URL is not valid"}, nil},
		{"no such database", t.Context(), withPassword(missingDB), []string{"briefbot_no_such_database", "does not exist"}, nil},
		{"nobody listens", t.Context(), withPassword(closedPort), []string{closedPort.Host, "cannot reach"}, nil},
		{"cancelled", cancelled, withPassword(*base), nil, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log syncBuffer
			p, err := OpenPostgres(tt.ctx, tt.url, slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})))
			if err == nil {
				p.Close()
				t.Fatal("OpenPostgres succeeded")
			}
			t.Logf("error: %v", err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(log.String(), secret) {
				t.Errorf("the password shows in the error or the log:\n%v\n%s", err, log.String())
			}
		})
	}
}

// freePort returns a loopback port nobody listens on (for a while).
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// TestPGLeastPrivilege: a user who may only read and write the bot's
// tables opens a database that is up to date, and is told what is missing
// when it is not.
func TestPGLeastPrivilege(t *testing.T) {
	base := pgServerURL(t)
	role := fmt.Sprintf("briefbot_app_%d_%d", pgDatabaseSeq.Add(1), time.Now().UnixNano()%1e6)
	if err := pgAdmin(base, "CREATE ROLE "+pgx.Identifier{role}.Sanitize()+" LOGIN"); err != nil {
		t.Fatal(err)
	}
	// registered before the database's cleanup, so it runs after it
	t.Cleanup(func() {
		if err := pgAdmin(base, "DROP ROLE IF EXISTS "+pgx.Identifier{role}.Sanitize()); err != nil {
			t.Errorf("drop the test role: %v", err)
		}
	})
	dbURL := newPGDatabase(t, "")
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	asApp := u.String()

	_, err = OpenPostgres(t.Context(), asApp, testLogger(t))
	var pe *pgconn.PgError
	if err == nil || !errors.As(err, &pe) || pe.Code != "42501" || !strings.Contains(err.Error(), "may not create") {
		t.Fatalf("OpenPostgres of a new database without CREATE = %v, want insufficient privilege", err)
	}
	t.Logf("error: %v", err)

	owner := openPGStore(t, dbURL) // migrates
	for _, grant := range []string{
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + pgx.Identifier{role}.Sanitize(),
		"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO " + pgx.Identifier{role}.Sanitize(),
	} {
		if err := owner.testExec(t.Context(), grant); err != nil {
			t.Fatal(err)
		}
	}
	app := openPGStore(t, asApp)
	if _, err := app.AddSubscription(t.Context(), sub("slack", "C1", "t", "0 7 * * *", testTime)); err != nil {
		t.Errorf("AddSubscription as the app user: %v", err)
	}
	if st, err := app.ClaimEvent(t.Context(), "slack", "Ev1", "a", testTime, time.Minute); err != nil || st != bot.EventClaimed {
		t.Errorf("ClaimEvent as the app user = %v, %v", st, err)
	}
}

// TestPGOrdersBytewise: IDs and users sort byte-wise, as in SQLite, in a
// database whose collation sorts otherwise (ICU en-US, when the server has
// ICU).
func TestPGOrdersBytewise(t *testing.T) {
	dbURL, err := createPGDatabase(t, "LOCALE_PROVIDER icu ICU_LOCALE 'en-US'")
	if err != nil {
		t.Logf("no ICU database (%v): using the server's default collation", err)
		dbURL = newPGDatabase(t, "")
	}
	s := openPGStore(t, dbURL)
	ctx := t.Context()
	ids := []string{"z", "B", "a-b", "ab", "Ä", "a"}
	var arts []briefings.Article
	for i, id := range ids {
		a := synthArticle(i)
		a.ID = briefings.ArticleID(id)
		arts = append(arts, a)
	}
	if _, err := s.SyncArticles(ctx, "c", arts, testTime); err != nil {
		t.Fatal(err)
	}
	got, err := s.Articles(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []string
	for _, a := range got {
		gotIDs = append(gotIDs, string(a.ID))
	}
	want := slices.Sorted(slices.Values(ids))
	if diff := cmp.Diff(gotIDs, want); diff != "" {
		t.Errorf("article order (-got +want):\n%s", diff)
	}
	users := []bot.UserID{"u1", "U2", "Ü", "a"}
	for _, u := range users {
		if err := s.RecordFeedback(ctx, "slack", "r1", u, true, testTime); err != nil {
			t.Fatal(err)
		}
	}
	fb, err := s.Feedback(ctx, "slack", "r1")
	if err != nil {
		t.Fatal(err)
	}
	var gotUsers []bot.UserID
	for _, f := range fb {
		gotUsers = append(gotUsers, f.User)
	}
	if diff := cmp.Diff(gotUsers, slices.Sorted(slices.Values(users))); diff != "" {
		t.Errorf("feedback order on equal times (-got +want):\n%s", diff)
	}
}

// notes records what Listen reports.
type notes struct {
	ch   chan string
	done chan error
}

// startListen runs p.Listen until the test ends.
func startListen(t *testing.T, p *Postgres) *notes {
	ctx, cancel := context.WithCancel(context.Background())
	n := &notes{ch: make(chan string, 1000), done: make(chan error, 1)}
	go func() { n.done <- p.Listen(ctx, func(channel string) { n.ch <- channel }) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-n.done:
			if err != nil {
				t.Errorf("Listen returned %v after its context ended, want nil", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Listen did not return within 10 s of its context ending")
		}
	})
	return n
}

// expect checks that the next reports are want, in order.
func (n *notes) expect(t *testing.T, what string, want ...string) {
	t.Helper()
	var got []string
	timeout := time.After(15 * time.Second)
	for len(got) < len(want) {
		select {
		case c := <-n.ch:
			got = append(got, c)
		case err := <-n.done:
			t.Fatalf("%s: Listen returned %v", what, err)
		case <-timeout:
			t.Fatalf("%s: reports %q after 15 s, want %q", what, got, want)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: reports %q, want %q", what, got, want)
	}
}

// TestPGListenNotifies: writes that change articles or subscriptions,
// from this replica or another, reach Listen; writes that change nothing,
// and writes rolled back, do not.
func TestPGListenNotifies(t *testing.T) {
	s := newPGStore(t)
	other := s.testReopen(t)
	ctx := t.Context()
	n := startListen(t, s)
	n.expect(t, "on connecting", ArticlesChannel, SubscriptionsChannel)

	// the payload names the collection
	raw, err := pgx.Connect(ctx, s.pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close(context.Background())
	if _, err := raw.Exec(ctx, "LISTEN "+ArticlesChannel); err != nil {
		t.Fatal(err)
	}

	arts := synthArticles(0, 3)
	subA := sub("slack", "C1", "interference", "0 7 * * *", testTime)
	steps := []struct {
		name string
		do   func() error
		want []string
	}{
		{"sync adds articles", func() error { _, err := other.SyncArticles(ctx, "/articles", arts, testTime); return err }, []string{ArticlesChannel}},
		// Each step that must not notify is followed by one on the other
		// channel: a stray notification would arrive first.
		{"sync changes nothing", func() error { _, err := other.SyncArticles(ctx, "/articles", arts, testTime); return err }, nil},
		{"subscription added", func() error { _, err := other.AddSubscription(ctx, subA); return err }, []string{SubscriptionsChannel}},
		{"removing a missing subscription", func() error {
			if err := s.RemoveSubscription(ctx, "slack", "C9", "x"); !errors.Is(err, bot.ErrNotFound) {
				return fmt.Errorf("RemoveSubscription = %v, want ErrNotFound", err)
			}
			return nil
		}, nil},
		{"live article created", func() error {
			_, err := s.PutLive(ctx, []LiveItem{liveItem(1, "feed:nos")}, PutOptions{Now: testTime})
			return err
		}, []string{ArticlesChannel}},
		{"live article unchanged", func() error {
			_, err := s.PutLive(ctx, []LiveItem{liveItem(1, "feed:nos")}, PutOptions{Now: testTime})
			return err
		}, nil},
		{"a failed put", func() error {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := s.PutLive(cctx, []LiveItem{liveItem(2, "feed:nos")}, PutOptions{Now: testTime}); err == nil {
				return errors.New("PutLive with a cancelled context succeeded")
			}
			return nil
		}, nil},
		{"subscription replaced", func() error { _, err := s.AddSubscription(ctx, subA); return err }, []string{SubscriptionsChannel}},
		{"live article retracted", func() error { _, err := other.DeleteLive(ctx, liveItem(1, "").Article.ID, testTime); return err }, []string{ArticlesChannel}},
		{"retracted again", func() error { _, err := other.DeleteLive(ctx, liveItem(1, "").Article.ID, testTime); return err }, nil},
		{"subscription removed", func() error { return other.RemoveSubscription(ctx, "slack", "C1", "interference") }, []string{SubscriptionsChannel}},
		{"sync removes articles", func() error { _, err := s.SyncArticles(ctx, "/articles", arts[:1], testTime); return err }, []string{ArticlesChannel}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if st.want != nil {
			n.expect(t, st.name, st.want...)
		}
	}
	var payloads []string
	for range 4 {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		note, err := raw.WaitForNotification(wctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		payloads = append(payloads, note.Payload)
	}
	if diff := cmp.Diff(payloads, []string{"/articles", LiveCollection, LiveCollection, "/articles"}); diff != "" {
		t.Errorf("payloads of %s (-got +want):\n%s", ArticlesChannel, diff)
	}
}

// TestPGListenReconnects kills Listen's connection (pg_terminate_backend),
// twice: it reconnects, reports both channels, and passes notifications on
// as before.
func TestPGListenReconnects(t *testing.T) {
	s := newPGStore(t)
	ctx := t.Context()
	n := startListen(t, s)
	n.expect(t, "on connecting", ArticlesChannel, SubscriptionsChannel)
	for round := range 2 {
		killed, err := s.testQueryInt(ctx, `SELECT count(*) FROM (
			SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = ?) AS k`, applicationName+listenApplicationSuffix)
		if err != nil || killed != 1 {
			t.Fatalf("round %d: killed %d listening connections (%v), want 1", round, killed, err)
		}
		n.expect(t, fmt.Sprintf("round %d: after reconnecting", round), ArticlesChannel, SubscriptionsChannel)
		if _, err := s.AddSubscription(ctx, sub("slack", fmt.Sprint("C", round), "t", "0 7 * * *", testTime)); err != nil {
			t.Fatal(err)
		}
		n.expect(t, fmt.Sprintf("round %d: a subscription added after reconnecting", round), SubscriptionsChannel)
	}
}

// countingHandler counts the log records of each level.
type countingHandler struct {
	slog.Handler
	warns atomic.Int64
}

func (h *countingHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelWarn {
		h.warns.Add(1)
	}
	return h.Handler.Handle(ctx, r)
}

// TestPGListenBacksOff: without a server Listen retries with growing
// pauses, reports nothing, and returns when its context ends.
func TestPGListenBacksOff(t *testing.T) {
	s := newPGStore(t)
	cfg := s.conn.Copy()
	cfg.Host, cfg.Port = "127.0.0.1", uint16(freePort(t))
	cfg.Fallbacks = nil
	h := &countingHandler{Handler: testLogger(t).Handler()}
	dead := &Postgres{logger: slog.New(h), conn: cfg, name: "dead"}
	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	var reports atomic.Int64
	start := time.Now()
	if err := dead.Listen(ctx, func(string) { reports.Add(1) }); err != nil {
		t.Errorf("Listen = %v, want nil", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Listen returned %v after its context ended", d-1500*time.Millisecond)
	}
	// 0, 0.1, 0.3, 0.7, 1.5 s: about 5 attempts; without back-off, hundreds
	if w := h.warns.Load(); w < 2 || w > 8 {
		t.Errorf("%d failed attempts logged in 1.5 s, want about 5", w)
	}
	if reports.Load() != 0 {
		t.Errorf("%d reports without a connection", reports.Load())
	}
}

// replicas opens n stores on one fresh database, as n replicas would.
func replicas(t *testing.T, n int) []*Postgres {
	dbURL := newPGDatabase(t, "")
	out := make([]*Postgres, n)
	for i := range out {
		out[i] = openPGStore(t, dbURL)
	}
	return out
}

// race runs calls goroutines at once, call(g) each, and counts the
// results.
func race[T comparable](t *testing.T, calls int, call func(g int) (T, error)) map[T]int {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		start = make(chan struct{})
		got   = map[T]int{}
	)
	for g := range calls {
		wg.Go(func() {
			<-start
			v, err := call(g)
			if err != nil {
				t.Errorf("goroutine %d: %v", g, err)
				return
			}
			mu.Lock()
			got[v]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return got
}

// TestPGClaimEventReplicas: 200 goroutines spread over 4 replicas claim
// one event at once: exactly one wins, the rest find it busy; in 5 rounds.
func TestPGClaimEventReplicas(t *testing.T) {
	reps := replicas(t, 4)
	for round := range 5 {
		id := bot.EventID(fmt.Sprint("Ev-race-", round))
		got := race(t, 200, func(g int) (bot.EventState, error) {
			return reps[g%len(reps)].ClaimEvent(t.Context(), "slack", id, fmt.Sprint("r", g%len(reps), "-g", g), testTime, time.Minute)
		})
		if want := map[bot.EventState]int{bot.EventClaimed: 1, bot.EventBusy: 199}; !sameCounts(got, want) {
			t.Errorf("round %d: outcomes %v, want %v", round, got, want)
		}
	}
}

func sameCounts[K comparable](a, b map[K]int) bool { return cmp.Equal(a, b) }

// TestPGClaimDigestReplicas: 3 replicas claim one slot at once: exactly
// one gets it; over 20 slots.
func TestPGClaimDigestReplicas(t *testing.T) {
	reps := replicas(t, 3)
	s, err := reps[0].AddSubscription(t.Context(), sub("slack", "C1", "interference", "0 7 * * *", testTime))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		slot := testTime.Add(time.Duration(i) * 24 * time.Hour)
		got := race(t, len(reps), func(g int) (bool, error) {
			return reps[g].ClaimDigest(t.Context(), s, slot, fmt.Sprint("replica", g), slot, time.Minute, 3)
		})
		if want := map[bool]int{true: 1, false: 2}; !sameCounts(got, want) {
			t.Errorf("slot %d: outcomes %v, want %v", i, got, want)
		}
	}
}

// TestPGExpiredClaimTakenOverOnce: a claim whose holder died is taken over
// by exactly one of the replicas that find it expired, for events and for
// digests.
func TestPGExpiredClaimTakenOverOnce(t *testing.T) {
	reps := replicas(t, 4)
	ctx := t.Context()
	const lease = time.Minute
	if st, err := reps[0].ClaimEvent(ctx, "slack", "Ev1", "dead", testTime, lease); err != nil || st != bot.EventClaimed {
		t.Fatalf("first claim = %v, %v", st, err)
	}
	later := testTime.Add(lease + time.Second)
	got := race(t, 100, func(g int) (bot.EventState, error) {
		return reps[g%len(reps)].ClaimEvent(ctx, "slack", "Ev1", fmt.Sprint("g", g), later, lease)
	})
	if want := map[bot.EventState]int{bot.EventClaimed: 1, bot.EventBusy: 99}; !sameCounts(got, want) {
		t.Errorf("event take-over: outcomes %v, want %v", got, want)
	}
	if err := reps[1].FinishEvent(ctx, "slack", "Ev1", later); err != nil {
		t.Fatal(err)
	}
	got = race(t, 20, func(g int) (bot.EventState, error) {
		return reps[g%len(reps)].ClaimEvent(ctx, "slack", "Ev1", "late", later.Add(time.Hour), lease)
	})
	if want := map[bot.EventState]int{bot.EventDone: 20}; !sameCounts(got, want) {
		t.Errorf("after finishing: outcomes %v, want %v", got, want)
	}

	s, err := reps[0].AddSubscription(ctx, sub("slack", "C1", "interference", "0 7 * * *", testTime))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := reps[0].ClaimDigest(ctx, s, testTime, "dead", testTime, lease, 3); err != nil || !ok {
		t.Fatalf("first digest claim = %v, %v", ok, err)
	}
	gotDigest := race(t, 40, func(g int) (bool, error) {
		return reps[g%len(reps)].ClaimDigest(ctx, s, testTime, fmt.Sprint("g", g), later, lease, 3)
	})
	if want := map[bool]int{true: 1, false: 39}; !sameCounts(gotDigest, want) {
		t.Errorf("digest take-over: outcomes %v, want %v", gotDigest, want)
	}
	attempts, err := reps[0].testQueryInt(ctx, `SELECT attempts FROM digest_claims WHERE subscription = ?`, s.ID)
	if err != nil || attempts != 2 {
		t.Errorf("attempts after one take-over = %d, %v; want 2", attempts, err)
	}
}

// TestPGArticlesStamp: the stamp replicas poll to catch up on a missed
// notification changes with every change of the stored articles, and
// only then.
func TestPGArticlesStamp(t *testing.T) {
	s := newPGStore(t)
	ctx := t.Context()
	stamp := func() string {
		t.Helper()
		v, err := s.ArticlesStamp(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	prev := stamp()
	item := liveItem(1, "feed:nos")
	changed := item
	changed.Article.Title += " (bijgewerkt)"
	steps := []struct {
		name    string
		do      func() error
		changes bool
	}{
		{"sync adds", func() error { _, err := s.SyncArticles(ctx, "/a", synthArticles(0, 3), testTime); return err }, true},
		{"sync changes nothing", func() error { _, err := s.SyncArticles(ctx, "/a", synthArticles(0, 3), testTime); return err }, false},
		{"sync removes one", func() error { _, err := s.SyncArticles(ctx, "/a", synthArticles(0, 2), testTime); return err }, true},
		{"live item created", func() error {
			_, err := s.PutLive(ctx, []LiveItem{item}, PutOptions{Now: testTime.Add(time.Minute)})
			return err
		}, true},
		{"live item unchanged", func() error {
			_, err := s.PutLive(ctx, []LiveItem{item}, PutOptions{Now: testTime.Add(2 * time.Minute)})
			return err
		}, false},
		{"live item updated", func() error {
			_, err := s.PutLive(ctx, []LiveItem{changed}, PutOptions{Now: testTime.Add(3 * time.Minute)})
			return err
		}, true},
		{"live item retracted", func() error { _, err := s.DeleteLive(ctx, item.Article.ID, testTime.Add(4*time.Minute)); return err }, true},
		{"subscription added", func() error {
			_, err := s.AddSubscription(ctx, sub("slack", "C1", "interference", "0 7 * * *", testTime))
			return err
		}, false},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		now := stamp()
		if (now != prev) != st.changes {
			t.Errorf("%s: stamp %q -> %q; want changed = %v", st.name, prev, now, st.changes)
		}
		prev = now
	}
}
