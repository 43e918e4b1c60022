package config

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func ptr[T any](v T) *T { return &v }

// TestLoad: the file, the environment and secret files combine into one
// Config, the environment winning.
func TestLoad(t *testing.T) {
	token := write(t, "token", "xapp-from-file\n")
	tests := []struct {
		name string
		yaml string // "" = no file
		env  []string
		want Config
	}{
		{name: "nothing", want: Config{}},
		{name: "empty file", yaml: "\n", want: Config{}},
		{
			name: "file",
			yaml: "articles_dir: " + t.TempDir() + "\nlog: {level: debug, format: json}\nhttp: {addr: ':9090'}\ndigest: {grace: 2h, subscriptions: [{platform: console, conversation: console, topic: interference}]}\nbot: {user_limit: {events: 5, window: 30s}}\n",
			want: Config{Log: Log{Level: "debug", Format: "json"}, HTTP: HTTP{Addr: ":9090"},
				Digest: Digest{Grace: 2 * time.Hour, Subscriptions: []Subscription{{Platform: "console", Conversation: "console", Topic: "interference"}}},
				Bot:    Bot{UserLimit: RateLimit{Events: 5, Window: 30 * time.Second}}},
		},
		{
			name: "environment wins",
			yaml: "http: {addr: ':9090'}\nlog: {level: debug}\n",
			env: []string{"BRIEFBOT_HTTP_ADDR=127.0.0.1:8081", "BRIEFBOT_DIGEST_SKIP_EMPTY=true", "BRIEFBOT_DIGEST_GRACE=90m",
				"BRIEFBOT_ANSWER_MIN_CONFIDENCE=0.6", "BRIEFBOT_BOT_PREFIXES=!bb, briefbot", "BRIEFBOT_BOT_MAX_QUESTION_LENGTH=500",
				"BRIEFBOT_CONSOLE=true", "PATH=/bin", "BRIEFBOT_CACHE=/tmp/cache"},
			want: Config{Log: Log{Level: "debug"}, HTTP: HTTP{Addr: "127.0.0.1:8081"}, Console: ptr(true),
				Answer: Answer{MinConfidence: 0.6}, Digest: Digest{SkipEmpty: true, Grace: 90 * time.Minute},
				Bot: Bot{Prefixes: []string{"!bb", "briefbot"}, MaxQuestionLength: 500}},
		},
		{
			name: "environment turns a section on; secrets from variable and file",
			env:  []string{"BRIEFBOT_SLACK_BOT_TOKEN=xoxb-env", "BRIEFBOT_SLACK_APP_TOKEN_FILE=" + token},
			want: Config{Slack: &Slack{BotToken: "xoxb-env", AppToken: "xapp-from-file", AppTokenFile: token}},
		},
		{
			name: "secret file named in the file",
			yaml: "matrix: {homeserver: 'https://m.example.org', user_id: '@b:example.org', password_file: " + token + ", encryption: false, auto_join: [':example.org']}\n",
			env:  []string{"BRIEFBOT_MATRIX_AUTO_JOIN=:a.org,:b.org"},
			want: Config{Matrix: &Matrix{Homeserver: "https://m.example.org", UserID: "@b:example.org", Password: "xapp-from-file",
				PasswordFile: token, Encryption: ptr(false), AutoJoin: []string{":a.org", ":b.org"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.yaml != "" {
				path = write(t, "briefbot.yaml", tt.yaml)
			}
			got, err := Load(path, tt.env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			tt.want.ArticlesDir = got.ArticlesDir // a temporary directory
			if diff := cmp.Diff(*got, tt.want); diff != "" {
				t.Errorf("Load (-got +want):\n%s", diff)
			}
		})
	}
}

// TestLoadProblems: problems carry their key; unknown keys get the list of
// known ones; decoding goes on past a problem.
func TestLoadProblems(t *testing.T) {
	path := write(t, "bad.yaml", "log:\n  levle: info\nhttp:\n  addr: 8080\ndigest:\n  grace: soon\n  subscriptions:\n    - platform: console\n      conversation: console\n      topic: x\n      cron: nonsense\n")
	_, err := Load(path, []string{"BRIEFBOT_MATRIX_HOMESERVR=x"})
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Load: %v, want Problems", err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.Key)
	}
	want := []string{"log.levle", "digest.grace", "BRIEFBOT_MATRIX_HOMESERVR", "http.addr", "digest.subscriptions[0].cron"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("problem keys (-got +want):\n%s\n%v", diff, err)
	}
	if !strings.Contains(ps[0].Message, "use one of: format, level") {
		t.Errorf("unknown key message %q lacks the known keys", ps[0].Message)
	}
}

// TestLogValueRedacts: secrets never reach a log, whatever the handler.
func TestLogValueRedacts(t *testing.T) {
	c := &Config{
		Slack:  &Slack{Mode: "socket", BotToken: "xoxb-secret-1", AppToken: "xapp-secret-2", SigningSecret: "secret-3"},
		Matrix: &Matrix{Homeserver: "https://m.example.org", AccessToken: "secret-4", Password: "secret-5", PickleKey: "secret-6"},
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "config", c)
	out := buf.String()
	for _, s := range []string{"secret-1", "secret-2", "secret-3", "secret-4", "secret-5", "secret-6"} {
		if strings.Contains(out, s) {
			t.Errorf("log contains %q:\n%s", s, out)
		}
	}
	if !strings.Contains(out, `"bot_token_set":true`) || !strings.Contains(out, "https://m.example.org") {
		t.Errorf("log lacks the non-secret settings:\n%s", out)
	}
}

func TestEnvName(t *testing.T) {
	for path, want := range map[string]string{
		"http.addr":                "BRIEFBOT_HTTP_ADDR",
		"slack.bot_token":          "BRIEFBOT_SLACK_BOT_TOKEN",
		"slack.bot_token_file":     "BRIEFBOT_SLACK_BOT_TOKEN_FILE",
		"bot.user_limit.events":    "BRIEFBOT_BOT_USER_LIMIT_EVENTS",
		"articles_dir":             "BRIEFBOT_ARTICLES_DIR",
		"answer.min_confidence":    "BRIEFBOT_ANSWER_MIN_CONFIDENCE",
		"digest.some-dashed.thing": "BRIEFBOT_DIGEST_SOME_DASHED_THING",
	} {
		if got := EnvName(path); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestDerived(t *testing.T) {
	tests := []struct {
		name      string
		c         Config
		platforms []string
		addr      string
	}{
		{"default", Config{}, []string{"console"}, ""},
		{"slack socket", Config{Slack: &Slack{}}, []string{"slack"}, ""},
		{"slack http needs a listener", Config{Slack: &Slack{Mode: "HTTP"}}, []string{"slack"}, DefaultHTTPAddr},
		{"console on next to matrix", Config{Console: ptr(true), Matrix: &Matrix{}, HTTP: HTTP{Addr: ":1"}}, []string{"console", "matrix"}, ":1"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.c.EnabledPlatforms(), tt.platforms); diff != "" {
			t.Errorf("%s: EnabledPlatforms (-got +want):\n%s", tt.name, diff)
		}
		if got := tt.c.HTTPAddr(); got != tt.addr {
			t.Errorf("%s: HTTPAddr = %q, want %q", tt.name, got, tt.addr)
		}
	}
}
