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

// TestLoadWarnsReadableSecrets: a secret file (or a configuration file
// holding a secret) that every user can read loads, with a warning that
// names the key and says how to fix it (issue 12, item 4).
func TestLoadWarnsReadableSecrets(t *testing.T) {
	secret := func(mode os.FileMode) string {
		p := write(t, "token", "xoxb-from-file\n")
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		mode os.FileMode // of the secret file, or of the configuration file with an inline secret
		file bool        // the secret is in a file named by bot_token_file
		want []string    // in the one warning; none when empty
	}{
		{"secret file 0644", 0o644, true, []string{"slack.bot_token_file", "mode 0644", "chmod 600"}},
		{"Docker secret 0444", 0o444, true, []string{"slack.bot_token_file", "mode 0444", "chmod 600", "0400"}},
		{"secret file 0600", 0o600, true, nil},
		{"secret file 0400", 0o400, true, nil},
		{"group may read", 0o640, true, nil},
		{"inline secret, file 0644", 0o644, false, []string{"--config", "slack.bot_token", "mode 0644", "chmod 600"}},
		{"inline secret, file 0600", 0o600, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var path string
			if tt.file {
				s := secret(tt.mode)
				path = write(t, "briefbot.yaml", "slack: {bot_token_file: "+s+", app_token_file: "+secret(0o600)+"}\n")
			} else {
				path = write(t, "briefbot.yaml", "slack: {bot_token: xoxb-inline}\n")
				if err := os.Chmod(path, tt.mode); err != nil {
					t.Fatal(err)
				}
			}
			c, err := Load(path, nil)
			if err != nil {
				t.Fatalf("Load: %v (a readable secret is a warning, not a problem)", err)
			}
			if len(tt.want) == 0 {
				if len(c.Warnings) > 0 {
					t.Errorf("warnings %v, want none", c.Warnings)
				}
				return
			}
			if len(c.Warnings) != 1 {
				t.Fatalf("warnings %v, want one", c.Warnings)
			}
			for _, w := range tt.want {
				if !strings.Contains(c.Warnings[0].Error(), w) {
					t.Errorf("warning %q lacks %q", c.Warnings[0], w)
				}
			}
		})
	}
}
