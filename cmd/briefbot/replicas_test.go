package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/pgtest"
	"github.com/briefbot/briefbot/internal/store"
)

// TestServeReplicasShareOneDatabase runs two serve processes on one real
// PostgreSQL database: an article posted to one replica's ingest API is
// answered by the other; a subscription made on one is scheduled by the
// other; both report the database in /readyz; and a replica restarted
// with its data directory gone finds all of it in the database.
func TestServeReplicasShareOneDatabase(t *testing.T) {
	dbURL := pgtest.Database(t)
	r := newReplicaSetup(t, dbURL, " date 2024-03-12 De rechtbank in Arnhem heeft dinsdag de burgemeester van Zevenaar veroordeeld.\n", "debug")
	a, b := r.start("a"), r.start("b")
	baseA, baseB := a.baseURL(), b.baseURL()
	waitLibrary(t, baseA, 1)
	waitLibrary(t, baseB, 1)

	// an article in through A is answered by B
	start := time.Now()
	code, body := postArticles(t, baseA, `{"id": "kiesraad-1", "title": "Kiesraad: stemmen per brief blijft mogelijk", "date": "2026-03-02",
		"body": "De Kiesraad zegt dat stemmen per brief voor kiezers in het buitenland gewoon mogelijk blijft. Berichten over een verbod kloppen niet.\n\nVolgens voorzitter Kummeling gaat het om desinformatie."}`)
	if code != 200 {
		t.Fatalf("POST to replica A: %d %s", code, body)
	}
	waitLibrary(t, baseB, 2)
	t.Logf("article posted to A is in B's library after %v", time.Since(start).Round(time.Millisecond))
	if _, err := io.WriteString(b.stdin, "Wie is voorzitter van de Kiesraad?\n"); err != nil {
		t.Fatal(err)
	}
	b.waitLine("Kummeling")

	// a subscription made on A is scheduled on B without waiting for B's
	// periodic re-read
	if _, err := io.WriteString(a.stdin, "subscribe interference\n"); err != nil {
		t.Fatal(err)
	}
	waitProcLog(t, b, "digest scheduled", 10*time.Second)

	// both report the shared database
	for name, base := range map[string]string{"A": baseA, "B": baseB} {
		var r struct {
			Database struct {
				Kind, State, Where string
				Listening          *bool
			}
		}
		if err := json.Unmarshal([]byte(waitReady(t, base)), &r); err != nil {
			t.Fatal(err)
		}
		d := r.Database
		if d.Kind != "postgres" || d.State != "ok" || d.Listening == nil || !*d.Listening || strings.Contains(d.Where, "postgres@") && strings.Contains(d.Where, ":@") {
			t.Errorf("replica %s /readyz database: %+v", name, d)
		}
	}

	// B's local data directory is not where its state is
	b.terminate()
	if err := os.RemoveAll(filepath.Join(r.dir, "b")); err != nil {
		t.Fatal(err)
	}
	b2 := r.start("b")
	waitLibrary(t, b2.baseURL(), 2)
	if _, err := io.WriteString(b2.stdin, "subscriptions\n"); err != nil {
		t.Fatal(err)
	}
	b2.waitLine("interference")
	a.terminate()
	b2.terminate()
}

// waitProcLog waits until p's log has a line containing want.
func waitProcLog(t *testing.T, p *proc, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(p.logs(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no log line %q within %v", want, timeout)
		}
		time.Sleep(20 * time.Millisecond) //nolint:forbidigo // polling another process's log
	}
}

// TestServeReplicasRideOutDatabaseOutage: the database goes away under two
// running replicas (every connection cut, new ones refused) and comes
// back. Meanwhile both say so in /readyz and keep answering from memory;
// afterwards both recover without a restart, and an article posted to one
// reaches the other through the re-established notifications.
func TestServeReplicasRideOutDatabaseOutage(t *testing.T) {
	dbURL := pgtest.Database(t)
	admin := pgtest.Server(t)
	dbName := strings.TrimPrefix(mustParseURL(t, dbURL).Path, "/")
	r := newReplicaSetup(t, dbURL, " date 2024-05-30 Meta heeft ruim achtduizend nepaccounts verwijderd die desinformatie verspreidden.\n", "info")
	a, b := r.start("a"), r.start("b")
	baseA, baseB := a.baseURL(), b.baseURL()
	waitLibrary(t, baseA, 1)
	waitLibrary(t, baseB, 1)

	type dbState struct {
		State     string
		Listening *bool
	}
	database := func(base string) dbState {
		var r struct{ Database dbState }
		if err := json.Unmarshal([]byte(waitReady(t, base)), &r); err != nil {
			t.Fatal(err)
		}
		return r.Database
	}
	waitDatabase := func(base, state string, listening bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			d := database(base)
			if d.State == state && d.Listening != nil && *d.Listening == listening {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: /readyz database %+v, want state %s, listening %v", base, d, state, listening)
			}
			time.Sleep(100 * time.Millisecond) //nolint:forbidigo // polling other processes
		}
	}

	// both listening before the outage: a listener still connecting when
	// the connections are cut could slip through
	waitDatabase(baseA, "ok", true)
	waitDatabase(baseB, "ok", true)

	// the outage
	outage := time.Now()
	if err := pgtest.Exec(admin, "ALTER DATABASE "+dbName+" WITH ALLOW_CONNECTIONS false"); err != nil {
		t.Fatal(err)
	}
	if err := pgtest.Exec(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", dbName); err != nil {
		t.Fatal(err)
	}
	waitDatabase(baseA, "unreachable", false)
	waitDatabase(baseB, "unreachable", false)
	t.Logf("both replicas report the outage after %v", time.Since(outage).Round(time.Millisecond))
	if _, err := io.WriteString(b.stdin, "Wie verwijderde de nepaccounts?\n"); err != nil {
		t.Fatal(err)
	}
	b.waitLine("Meta")
	if code, body := postArticles(t, baseA, `{"id": "x", "title": "Een artikel", "body": "Een zin over niets in het bijzonder."}`); code < 500 {
		t.Errorf("POST during the outage: %d %s; want a 5xx so the sender retries", code, body)
	}

	// back
	back := time.Now()
	if err := pgtest.Exec(admin, "ALTER DATABASE "+dbName+" WITH ALLOW_CONNECTIONS true"); err != nil {
		t.Fatal(err)
	}
	waitDatabase(baseA, "ok", true)
	waitDatabase(baseB, "ok", true)
	t.Logf("both replicas recovered %v after the database came back", time.Since(back).Round(time.Millisecond))
	code, body := postArticles(t, baseA, `{"id": "kiesraad-1", "title": "Kiesraad: stemmen per brief blijft mogelijk", "date": "2026-03-02",
		"body": "De Kiesraad zegt dat stemmen per brief voor kiezers in het buitenland gewoon mogelijk blijft.\n\nVolgens voorzitter Kummeling gaat het om desinformatie."}`)
	if code != 200 {
		t.Fatalf("POST after the outage: %d %s", code, body)
	}
	waitLibrary(t, baseB, 2)
	for _, p := range []*proc{a, b} {
		if !strings.Contains(p.logs(), "database unreachable") || !strings.Contains(p.logs(), "database reachable again") {
			t.Errorf("a replica's log does not tell of the outage and the recovery")
		}
	}
	a.terminate()
	b.terminate()
}

func mustParseURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// replicaSetup starts serve processes that share one database and one
// article directory (holding one article), each with a data directory of
// its own, the console and the ingest API.
type replicaSetup struct {
	t            *testing.T
	dir, news    string
	dbURL, level string
}

func newReplicaSetup(t *testing.T, dbURL, article, level string) *replicaSetup {
	t.Helper()
	r := &replicaSetup{t: t, dir: t.TempDir(), dbURL: dbURL, level: level}
	r.news = filepath.Join(r.dir, "news")
	if err := os.Mkdir(r.news, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, r.news, "a.txt", article)
	return r
}

// start starts the replica called name (its data directory is dir/name).
func (r *replicaSetup) start(name string) *proc {
	r.t.Helper()
	cfg := writeFile(r.t, r.dir, name+".yaml", `
data_dir: `+filepath.Join(r.dir, name)+`
articles_dir: `+r.news+`
console: true
log: {level: `+r.level+`, format: json}
http: {addr: "127.0.0.1:0"}
ingest:
  tokens: [{name: cms, token: `+testToken+`}]
`)
	return startServe(r.t, cfg, "BRIEFBOT_DATABASE_URL="+r.dbURL)
}

// TestIndexIntoSharedDatabase: briefbot index with BRIEFBOT_DATABASE_URL
// stores the articles in PostgreSQL, where replicas read them; a second
// run finds them unchanged.
func TestIndexIntoSharedDatabase(t *testing.T) {
	dbURL := pgtest.Database(t)
	t.Setenv("BRIEFBOT_DATABASE_URL", dbURL)
	var out bytes.Buffer
	for i, want := range []string{"5 added", "5 unchanged"} {
		out.Reset()
		if code := run(context.Background(), []string{"index", "--data", t.TempDir()}, strings.NewReader(""), &out, &out); code != 0 {
			t.Fatalf("run %d: exit %d: %s", i, code, out.String())
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("run %d: %q lacks %q", i, out.String(), want)
		}
	}
	st, err := store.OpenPostgres(t.Context(), dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	arts, err := st.Articles(t.Context(), "sample")
	if err != nil || len(arts) != 5 {
		t.Errorf("the shared database holds %d sample articles (%v), want 5", len(arts), err)
	}
	t.Setenv("BRIEFBOT_DATABASE_URL_FILE", filepath.Join(t.TempDir(), "url"))
	out.Reset()
	if code := run(context.Background(), []string{"index"}, strings.NewReader(""), &out, &out); code == 0 || !strings.Contains(out.String(), "keep one") {
		t.Errorf("both URL variables set: exit %d, %q; want a refusal naming them", code, out.String())
	}
}
