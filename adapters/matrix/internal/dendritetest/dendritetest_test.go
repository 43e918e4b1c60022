package dendritetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// reportWithin bounds how long the watcher may take to report an exit.
// Reaping a killed process takes milliseconds; the margin is for a loaded
// 2-core machine.
const reportWithin = 10 * time.Second

// TestKillIsReported: a homeserver that dies (SIGKILL, as in a crash)
// cancels Context promptly, and Err gives the exit status and the end of
// its log.
func TestKillIsReported(t *testing.T) {
	s := Start(t)
	if err := s.Err(); err != nil {
		t.Fatalf("Err() = %v while running, want nil", err)
	}
	killed := time.Now()
	s.Kill()
	select {
	case <-s.Context().Done():
	case <-time.After(reportWithin):
		t.Fatalf("Context not cancelled within %v of the homeserver being killed", reportWithin)
	}
	t.Logf("exit reported %v after the kill", time.Since(killed).Round(time.Millisecond))
	err := s.Err()
	var ee *ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("Err() = %v (%T), want an *ExitError", err, err)
	}
	if !errors.Is(context.Cause(s.Context()), err) {
		t.Errorf("context.Cause = %v, want Err()'s %v", context.Cause(s.Context()), err)
	}
	if ee.Status != "signal: killed" {
		t.Errorf("Status = %q, want %q", ee.Status, "signal: killed")
	}
	if ee.LogTail == "" || strings.Count(ee.LogTail, "\n") >= logTailLines {
		t.Errorf("LogTail has %d lines, want 1 to %d:\n%s", strings.Count(ee.LogTail, "\n")+1, logTailLines, ee.LogTail)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "homeserver exited: signal: killed; the last lines of its log") || !strings.Contains(msg, ee.LogTail) {
		t.Errorf("Err().Error() = %q, want the status and the log's last lines", msg)
	}

	// a dead homeserver may be started again; Context keeps the first exit
	s.Start()
	if s.Err() != err {
		t.Errorf("Err() after Start = %v, want the earlier exit", s.Err())
	}
}

// TestStopIsNotAnExit: Stop, Start and Restart are not reported, and the
// accounts (the database) survive them.
func TestStopIsNotAnExit(t *testing.T) {
	s := Start(t)
	s.CreateAccount("alice", "alice-password")
	s.Restart()
	login(t, s, "alice", "alice-password")
	s.Stop()
	s.Start()
	login(t, s, "alice", "alice-password")
	if err := s.Context().Err(); err != nil {
		t.Errorf("Context().Err() = %v after Stop and Start, want nil", err)
	}
	if err := s.Err(); err != nil {
		t.Errorf("Err() = %v after Stop and Start, want nil", err)
	}
}

// TestPostgresDatabase: with BRIEFBOT_TEST_DATABASE_URL the homeserver
// keeps its data in its own database, which is dropped when the test ends.
func TestPostgresDatabase(t *testing.T) {
	base := os.Getenv(DatabaseURLEnv)
	if base == "" {
		t.Skipf("%s is not set", DatabaseURLEnv)
	}
	var database string
	t.Run("homeserver", func(t *testing.T) {
		s := Start(t)
		if s.database == "" {
			t.Fatal("no database configured")
		}
		database = s.database
		var tables int
		query(t, s.database, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", &tables)
		if tables < 10 {
			t.Errorf("the homeserver's database has %d tables, want Dendrite's", tables)
		}
	})
	if database == "" {
		return
	}
	name := databaseOf(t, database)
	var n int
	query(t, base, "SELECT count(*) FROM pg_database WHERE datname = '"+name+"'", &n)
	if n != 0 {
		t.Errorf("database %s still exists after the test", name)
	}
}

func TestDatabaseName(t *testing.T) {
	valid := regexp.MustCompile(`^[a-z0-9_]{1,63}$`)
	a := databaseName("dendrite", "TestDendriteEncryptedRoom/sub-test with spaces and a very long name indeed")
	b := databaseName("dendrite", "TestDendriteEncryptedRoom/sub-test with spaces and a very long name indeed")
	for _, n := range []string{a, b} {
		if !valid.MatchString(n) {
			t.Errorf("databaseName = %q, want 1-63 of [a-z0-9_]", n)
		}
	}
	if a == b || !strings.HasPrefix(a, "dendrite_testdendriteencryptedroom_sub_") {
		t.Errorf("databaseName = %q, %q; want distinct names showing the test", a, b)
	}
}

func TestDatabaseURL(t *testing.T) {
	got, err := databaseURL("postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "dendrite_x_1")
	if want := "postgres://postgres@127.0.0.1:5432/dendrite_x_1?sslmode=disable"; err != nil || got != want {
		t.Errorf("databaseURL = %q, %v; want %q", got, err, want)
	}
	if _, err := databaseURL("file:dendrite.db", "x"); err == nil {
		t.Errorf("databaseURL accepted a file: URL")
	}
}

// login logs user in with a password and fails the test unless the
// homeserver accepts it.
func login(t *testing.T, s *Server, user, password string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"type":       "m.login.password",
		"identifier": map[string]string{"type": "m.id.user", "user": user},
		"password":   password,
	})
	resp, err := http.Post(s.URL+"/_matrix/client/v3/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("log in %s: %v", user, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("log in %s: %s", user, resp.Status)
	}
}

// query runs a one-value query on the database at dsn.
func query(t *testing.T, dsn, sql string, dst any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, sql).Scan(dst); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func databaseOf(t *testing.T, dsn string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("parse %s: %v", dsn, err)
	}
	return cfg.Database
}
