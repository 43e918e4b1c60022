package config

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestLoadDatabase(t *testing.T) {
	secret := write(t, "db-url", "postgres://briefbot:pw-geheim@db.internal:5432/briefbot?sslmode=require\n")
	tests := []struct {
		name    string
		yaml    string
		environ []string
		want    string // the URL loaded
		problem string // a problem's key and message start, when the load fails
	}{
		{name: "none", yaml: "console: true\n", want: ""},
		{name: "in the file", yaml: "database: {url: 'postgres://b:pw-geheim@db:5432/b'}\n", want: "postgres://b:pw-geheim@db:5432/b"},
		{name: "from a file", yaml: "database: {url_file: " + secret + "}\n", want: "postgres://briefbot:pw-geheim@db.internal:5432/briefbot?sslmode=require"},
		{name: "from the environment", yaml: "", environ: []string{"BRIEFBOT_DATABASE_URL=postgresql://b:pw-geheim@db/b"}, want: "postgresql://b:pw-geheim@db/b"},
		{name: "file from the environment", yaml: "", environ: []string{"BRIEFBOT_DATABASE_URL_FILE=" + secret}, want: "postgres://briefbot:pw-geheim@db.internal:5432/briefbot?sslmode=require"},
		{name: "unix socket host", yaml: "database: {url: 'postgres:///b?host=/run/postgresql'}\n", want: "postgres:///b?host=/run/postgresql"},
		{name: "wrong scheme", yaml: "database: {url: 'mysql://b:pw-geheim@db/b'}\n", problem: `database.url: scheme "mysql" is not postgres`},
		{name: "no host", yaml: "database: {url: 'postgres:///b'}\n", problem: "database.url: names no host"},
		{name: "not a URL", yaml: "database: {url: 'postgres://b:pw-geheim@db:port/b'}\n", problem: "database.url: is not a URL"},
		{name: "both", yaml: "database: {url: 'postgres://db/b', url_file: " + secret + "}\n", problem: "database.url_file: is set but database.url has a value too"},
		{name: "unknown variable", yaml: "", environ: []string{"BRIEFBOT_DATABASE_HOST=db"}, problem: "BRIEFBOT_DATABASE_HOST: is not a setting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(write(t, "c.yaml", tt.yaml), tt.environ)
			if tt.problem != "" {
				var ps Problems
				if !errors.As(err, &ps) || !strings.Contains(err.Error(), tt.problem) {
					t.Fatalf("Load: %v; want a problem %q", err, tt.problem)
				}
				if strings.Contains(err.Error(), "pw-geheim") {
					t.Errorf("the problem shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.Database.URL != tt.want || c.Database.Shared() != (tt.want != "") {
				t.Errorf("database URL %q (shared %v), want %q", c.Database.URL, c.Database.Shared(), tt.want)
			}
			var buf bytes.Buffer
			slog.New(slog.NewTextHandler(&buf, nil)).Info("starting", "config", c)
			if out := buf.String(); strings.Contains(out, "pw-geheim") {
				t.Errorf("the log shows the password: %s", out)
			} else if tt.want != "" && !strings.Contains(out, "database=\"postgres ") {
				t.Errorf("the log does not say which database: %s", out)
			}
		})
	}
}
