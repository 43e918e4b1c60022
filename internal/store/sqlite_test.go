package store

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testLogger sends the store's log to the test log.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tLogWriter struct{ t *testing.T }

func (w tLogWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// openStore opens the database at path and closes it when the test ends.
func openStore(t *testing.T, path string) *SQLite {
	t.Helper()
	s, err := Open(t.Context(), path, testLogger(t))
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// newStore opens a fresh database in a temporary directory.
func newStore(t *testing.T) *SQLite {
	t.Helper()
	return openStore(t, filepath.Join(t.TempDir(), "state.db"))
}

// testTime is a fixed instant; tests pass times explicitly.
var testTime = time.Date(2026, 11, 3, 7, 0, 0, 0, time.UTC)

func TestOpenMigratesOnceAndReopens(t *testing.T) {
	// The parent directories do not exist yet: Open makes them.
	path := filepath.Join(t.TempDir(), "data", "nested", "state.db")
	for round := range 3 {
		s, err := Open(t.Context(), path, testLogger(t))
		if err != nil {
			t.Fatalf("round %d: Open: %v", round, err)
		}
		got, err := s.SchemaVersion(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if want := len(migrations); got != want {
			t.Errorf("round %d: schema version %d, want %d", round, got, want)
		}
		var rows int
		if err := s.read.QueryRowContext(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != len(migrations) {
			t.Errorf("round %d: %d schema_migrations rows, want %d (each step once)", round, rows, len(migrations))
		}
		pragmas := map[string]string{"journal_mode": "", "foreign_keys": "", "synchronous": "", "busy_timeout": "", "page_size": ""}
		for name := range pragmas {
			var v string
			if err := s.write.QueryRowContext(t.Context(), "PRAGMA "+name).Scan(&v); err != nil {
				t.Fatalf("PRAGMA %s: %v", name, err)
			}
			pragmas[name] = v
		}
		want := map[string]string{"journal_mode": "wal", "foreign_keys": "1", "synchronous": "1", "busy_timeout": "5000", "page_size": "16384"}
		if diff := cmp.Diff(pragmas, want); diff != "" {
			t.Errorf("write connection PRAGMAs (-got +want):\n%s", diff)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("round %d: Close: %v", round, err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("round %d: second Close: %v", round, err)
		}
		if _, err := s.GetValue(t.Context(), "k"); err == nil {
			t.Errorf("round %d: GetValue after Close succeeded", round)
		}
	}
}

// TestOpenConcurrently opens one fresh file from several goroutines at once,
// as replicas starting together would: each step is applied once.
func TestOpenConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			s, err := Open(t.Context(), path, testLogger(t))
			if err != nil {
				t.Error(err)
				return
			}
			if err := s.Close(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	s := openStore(t, path)
	var rows int
	if err := s.read.QueryRowContext(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != len(migrations) {
		t.Errorf("%d schema_migrations rows, want %d", rows, len(migrations))
	}
}

func TestMigrationVersionsAreConsecutive(t *testing.T) {
	for i, m := range migrations {
		if m.version != i+1 {
			t.Errorf("migrations[%d] has version %d, want %d", i, m.version, i+1)
		}
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(t.Context(), path, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	future := len(migrations) + 5
	if _, err := s.write.ExecContext(t.Context(),
		`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', ?)`, future, formatTime(testTime)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	_, err = Open(t.Context(), path, testLogger(t))
	if err == nil {
		t.Fatal("Open of a database with a newer schema succeeded")
	}
	t.Logf("error: %v", err)
	for _, want := range []string{path, "newer than this briefbot knows", "schema version " + strconv.Itoa(future)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestOpenBadFile(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		setup   func(path string) error
		wantMsg string
	}{
		{"text file", func(p string) error {
			return os.WriteFile(p, []byte(strings.Repeat("these are not the pages you are looking for\n", 200)), 0o600)
		}, "not a SQLite database"},
		{"directory", func(p string) error { return os.Mkdir(p, 0o700) }, "is a directory"},
		{"parent is a file", func(p string) error {
			return os.WriteFile(filepath.Dir(p), []byte("x"), 0o600)
		}, "create its directory"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "case"+string(rune('a'+i)), "state.db")
			if tt.name != "parent is a file" {
				if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
					t.Fatal(err)
				}
			}
			if err := tt.setup(path); err != nil {
				t.Fatal(err)
			}
			var before []byte
			if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
				before, _ = os.ReadFile(path)
			}
			s, err := Open(t.Context(), path, testLogger(t))
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			t.Logf("error: %v", err)
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q, want one naming %s and saying %q", err, path, tt.wantMsg)
			}
			if before != nil {
				after, _ := os.ReadFile(path)
				if string(after) != string(before) {
					t.Error("Open changed the file it refused")
				}
			}
		})
	}
}

func TestOpenHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if s, err := Open(ctx, filepath.Join(t.TempDir(), "state.db"), nil); err == nil {
		s.Close()
		t.Fatal("Open with a cancelled context succeeded")
	}
}

func TestOpenOddPath(t *testing.T) {
	// Characters that mean something in a URI must reach the file system
	// as they are.
	path := filepath.Join(t.TempDir(), "news?room#1 %41", "state.db")
	s, err := Open(t.Context(), path, nil) // a nil logger is allowed
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetValue(t.Context(), "k", "v"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at %s: %v", path, err)
	}
}
