package config

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLoadFeedsAndIngest(t *testing.T) {
	auth := write(t, "nos-auth", "Bearer nos-geheim\n")
	token := write(t, "cms-token", "0123456789abcdef0123\n")
	cfgPath := write(t, "c.yaml", `
http:
  addr: 127.0.0.1:0
feeds:
  - name: nos
    url: https://feeds.nos.nl/nosnieuwsalgemeen
    interval: 2m
    topic: interference
    auth_header: Authorization
    auth_value_file: `+auth+`
  - name: rtl
    url: https://www.rtlnieuws.nl/feed.json
ingest:
  max_body: 1048576
  tokens:
    - name: cms
      token_file: `+token+`
      limit: {events: 10, window: 1s}
`)
	c, err := Load(cfgPath, nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := []Feed{
		{Name: "nos", URL: "https://feeds.nos.nl/nosnieuwsalgemeen", Interval: 2 * time.Minute, Topic: "interference",
			AuthHeader: "Authorization", AuthValue: "Bearer nos-geheim", AuthValueFile: auth},
		{Name: "rtl", URL: "https://www.rtlnieuws.nl/feed.json"},
	}
	if diff := cmp.Diff(c.Feeds, want); diff != "" {
		t.Errorf("Feeds (-got +want):\n%s", diff)
	}
	wantIn := Ingest{MaxBody: 1 << 20, Tokens: []IngestToken{{Name: "cms", Token: "0123456789abcdef0123", TokenFile: token,
		Limit: RateLimit{Events: 10, Window: time.Second}}}}
	if diff := cmp.Diff(c.Ingest, wantIn); diff != "" {
		t.Errorf("Ingest (-got +want):\n%s", diff)
	}
	// secrets never reach the log
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("starting", "config", c)
	if out := buf.String(); strings.Contains(out, "nos-geheim") || strings.Contains(out, "0123456789abcdef") || !strings.Contains(out, "feeds=2") {
		t.Errorf("log line: %s", out)
	}
}

func TestFeedsProblems(t *testing.T) {
	short := write(t, "short", "kort\n")
	open := write(t, "open", "0123456789abcdef0123\n")
	if err := os.Chmod(open, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, yaml string
		want       []string // problem keys
		warn       string
	}{
		{"no name, bad url", "feeds:\n  - url: ftp://x\n", []string{"feeds[0].name", "feeds[0].url"}, ""},
		{"twice", "feeds:\n  - {name: nos, url: https://a}\n  - {name: NOS, url: https://b}\n", []string{"feeds[1].name"}, ""},
		{"spaces", "feeds:\n  - {name: nos nieuws, url: https://a}\n", []string{"feeds[0].name"}, ""},
		{"durations", "feeds:\n  - {name: nos, url: https://a, interval: 1ms, timeout: -1s, max_size: -1}\n",
			[]string{"feeds[0].interval", "feeds[0].timeout", "feeds[0].max_size"}, ""},
		{"header without value", "feeds:\n  - {name: nos, url: https://a, auth_header: Authorization}\n", []string{"feeds[0].auth_value"}, ""},
		{"bad header", "feeds:\n  - {name: nos, url: https://a, auth_header: 'X Key', auth_value: v}\n", []string{"feeds[0].auth_header"}, ""},
		{"no listener", "ingest:\n  tokens:\n    - {name: cms, token: 0123456789abcdef0123}\n", []string{"ingest.tokens"}, ""},
		{"short token", "http: {addr: ':0'}\ningest:\n  tokens:\n    - {name: cms, token_file: " + short + "}\n", []string{"ingest.tokens[0].token"}, ""},
		{"same token", "http: {addr: ':0'}\ningest:\n  tokens:\n    - {name: a, token: 0123456789abcdef0123}\n    - {name: b, token: 0123456789abcdef0123}\n", []string{"ingest.tokens[1].token"}, ""},
		{"readable token file", "http: {addr: ':0'}\ningest:\n  tokens:\n    - {name: cms, token_file: " + open + "}\n", nil, "ingest.tokens[0].token_file"},
		{"limit", "http: {addr: ':0'}\ningest:\n  tokens:\n    - {name: cms, token: 0123456789abcdef0123, limit: {events: 5}}\n", []string{"ingest.tokens[0].limit.window"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(write(t, "c.yaml", tc.yaml), nil)
			var got []string
			if ps, ok := err.(Problems); ok {
				for _, p := range ps {
					got = append(got, p.Key)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, tc.want); diff != "" {
				t.Errorf("problem keys (-got +want):\n%s\n%v", diff, err)
			}
			if tc.warn != "" && (len(c.Warnings) != 1 || c.Warnings[0].Key != tc.warn) {
				t.Errorf("warnings = %v, want one for %s", c.Warnings, tc.warn)
			}
		})
	}
}
