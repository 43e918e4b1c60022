package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

// Database selects a shared PostgreSQL database for all state and
// articles instead of the embedded SQLite file in DataDir: several
// replicas of briefbot on one database share subscriptions, digest
// claims, handled events and articles (see docs/replicas.md).
type Database struct {
	// URL is a PostgreSQL connection URL,
	// postgres://briefbot:PASSWORD@db.internal:5432/briefbot?sslmode=verify-full,
	// or the contents of URLFile. Empty: the embedded SQLite file.
	URL     string `yaml:"url" secret:"true"`
	URLFile string `yaml:"url_file"`
}

// Shared reports whether a PostgreSQL database is configured.
func (d Database) Shared() bool { return strings.TrimSpace(d.URL) != "" }

// Redacted is the URL without its password, for logs and status pages.
func (d Database) Redacted() string {
	u, err := url.Parse(strings.TrimSpace(d.URL))
	if err != nil || u.Host == "" {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// LogValue shows where the database is, never its password.
func (d Database) LogValue() slog.Value {
	if !d.Shared() {
		return slog.StringValue("sqlite")
	}
	return slog.StringValue("postgres " + d.Redacted())
}

func (c *Config) databaseSecrets() []secretField {
	return []secretField{{path: "database.url", value: &c.Database.URL, file: &c.Database.URLFile}}
}

func (c *Config) validateDatabase() Problems {
	raw := strings.TrimSpace(c.Database.URL)
	if raw == "" {
		return nil
	}
	bad := func(format string, args ...any) Problems {
		return Problems{{Key: "database.url", Message: fmt.Sprintf(format, args...)}}
	}
	u, err := url.Parse(raw)
	if err != nil {
		// the error would quote the URL, password and all
		return bad("is not a URL; use postgres://USER:PASSWORD@HOST:5432/DATABASE")
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return bad("scheme %q is not postgres; use postgres://USER:PASSWORD@HOST:5432/DATABASE", u.Scheme)
	}
	if u.Host == "" && u.Query().Get("host") == "" {
		return bad("names no host; use postgres://USER:PASSWORD@HOST:5432/DATABASE")
	}
	return nil
}
