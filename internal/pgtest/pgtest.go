// Package pgtest gives tests a fresh PostgreSQL database on the server
// scripts/postgres.sh starts (BRIEFBOT_TEST_DATABASE_URL, a superuser).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// URLEnv names the server's URL; RequireEnv=1 makes its absence a failure
// instead of a skip (CI sets it).
const (
	URLEnv     = "BRIEFBOT_TEST_DATABASE_URL"
	RequireEnv = "BRIEFBOT_REQUIRE_POSTGRES"
)

// Server returns the test server's URL, skipping the test when there is
// none (failing it when RequireEnv is 1).
func Server(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(URLEnv)
	if u == "" {
		if os.Getenv(RequireEnv) == "1" {
			tb.Fatalf("%s is not set and %s=1: run the tests through scripts/postgres.sh", URLEnv, RequireEnv)
		}
		tb.Skipf("no PostgreSQL: %s is not set (scripts/postgres.sh sets it)", URLEnv)
	}
	return u
}

// Database creates an empty database on the test server, drops it when
// the test ends, and returns its URL.
func Database(tb testing.TB) string {
	tb.Helper()
	base := Server(tb)
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatalf("%s: want a postgres:// URL (%v)", URLEnv, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "briefbot_t_" + hex.EncodeToString(b[:])
	if err := Exec(base, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" ENCODING 'UTF8' TEMPLATE template0"); err != nil {
		tb.Fatalf("create the test database: %v", err)
	}
	tb.Cleanup(func() {
		// FORCE: connections of a killed process may linger
		if err := Exec(base, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop the test database: %v", err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// Exec runs one statement on the database at dbURL.
func Exec(dbURL, stmt string, args ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, stmt, args...)
	return err
}
