package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/adapters/matrix"
	"github.com/briefbot/briefbot/adapters/slack"
	"github.com/briefbot/briefbot/config"
)

// checkConfig runs `briefbot config check` in-process on a file holding
// yaml (none when yaml is "-") and returns the exit code and the output.
func checkConfig(t *testing.T, yaml string) (int, string) {
	t.Helper()
	args := []string{"config", "check"}
	if yaml != "-" {
		args = append(args, "--config", writeFile(t, t.TempDir(), "briefbot.yaml", yaml))
	}
	var out bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &out)
	return code, out.String()
}

// TestConfigCheckProblems: every kind of mistake is reported with its key
// and a fix, with exit code 2.
func TestConfigCheckProblems(t *testing.T) {
	secretDir := t.TempDir()
	emptySecret := writeFile(t, secretDir, "empty", "")
	tests := []struct {
		name string
		yaml string
		env  []string // KEY=value
		key  string   // must appear in the output
	}{
		{name: "unknown top-level key", yaml: "colour: red\n", key: `colour: unknown key "colour"`},
		{name: "unknown nested key", yaml: "log:\n  formt: json\n", key: "log.formt: unknown key"},
		{name: "unknown slack key", yaml: "slack:\n  bot_tokn: xoxb-1\n", key: "slack.bot_tokn: unknown key"},
		{name: "not YAML", yaml: "log: [\n", key: "--config: not valid YAML"},
		{name: "not a mapping", yaml: "- a\n- b\n", key: "--config: line 1: the file must be a mapping"},
		{name: "missing file", yaml: "-", env: []string{"BRIEFBOT_CONFIG=/nonexistent/briefbot.yaml"}, key: "--config: cannot read"},
		{name: "wrong type", yaml: "bot:\n  max_question_length: many\n", key: "bot.max_question_length: cannot unmarshal"},
		{name: "bad duration", yaml: "digest:\n  grace: 10 minutes\n", key: `digest.grace: "10 minutes" is not a duration`},
		{name: "articles_dir missing", yaml: "articles_dir: /nonexistent/articles\n", key: "articles_dir:"},
		{name: "negative watch_debounce", yaml: "watch_debounce: -1s\n", key: "watch_debounce:"},
		{name: "negative shutdown_timeout", yaml: "shutdown_timeout: -1s\n", key: "shutdown_timeout:"},
		{name: "log level", yaml: "log: {level: loud}\n", key: "log.level:"},
		{name: "log format", yaml: "log: {format: xml}\n", key: "log.format:"},
		{name: "http addr without port", yaml: "http: {addr: localhost}\n", key: "http.addr:"},
		{name: "http addr bad port", yaml: "http: {addr: \":http-alt\"}\n", key: "http.addr:"},
		{name: "min_confidence above 1", yaml: "answer: {min_confidence: 1.5}\n", key: "answer.min_confidence:"},
		{name: "min_confidence NaN", yaml: "answer: {min_confidence: .nan}\n", key: "answer.min_confidence:"},
		{name: "min_confidence NaN from the environment", yaml: "", env: []string{"BRIEFBOT_ANSWER_MIN_CONFIDENCE=NaN"}, key: "answer.min_confidence:"},
		{name: "topic min_score NaN", yaml: "digest:\n  topics:\n    - {name: a, terms: [x1], min_score: .nan}\n", key: "digest.topics[0].min_score:"},
		{name: "nothing to serve", yaml: "console: false\n", key: "console: is false"},
		{name: "digest time zone", yaml: "digest: {time_zone: Mars/Olympus}\n", key: "digest.time_zone:"},
		{name: "digest default cron", yaml: "digest: {default_cron: daily}\n", key: "digest.default_cron:"},
		{name: "digest limit", yaml: "digest: {limit: -1}\n", key: "digest.limit:"},
		{name: "digest min_interval", yaml: "digest: {min_interval: -1h}\n", key: "digest.min_interval:"},
		{name: "digest period", yaml: "digest: {period: -1h}\n", key: "digest.period:"},
		{name: "no topics at all", yaml: "digest: {builtin_topics: false}\n", key: "digest.builtin_topics:"},
		{name: "topic without name", yaml: "digest:\n  topics:\n    - terms: [verkiezing]\n", key: "digest.topics[0].name:"},
		{name: "topic name with space", yaml: "digest:\n  topics:\n    - {name: my topic, terms: [verkiezing]}\n", key: "digest.topics[0].name:"},
		{name: "duplicate topic", yaml: "digest:\n  topics:\n    - {name: a, terms: [x1]}\n    - {name: A, terms: [x2]}\n", key: "digest.topics[1].name:"},
		{name: "topic without terms", yaml: "digest:\n  topics:\n    - {name: a}\n", key: "digest.topics[0].terms:"},
		{name: "topic bad term", yaml: "digest:\n  topics:\n    - {name: a, terms: [\"bogus:verkiezing\"]}\n", key: "digest.topics: "},
		{name: "topic negative min_score", yaml: "digest:\n  topics:\n    - {name: a, terms: [x1], min_score: -1}\n", key: "digest.topics[0].min_score:"},
		{name: "subscription platform unknown", yaml: sub("platform: irc"), key: "digest.subscriptions[0].platform:"},
		{name: "subscription platform empty", yaml: sub("platform: ''"), key: "digest.subscriptions[0].platform: is empty"},
		{name: "subscription platform off", yaml: sub("platform: slack"), key: "digest.subscriptions[0].platform: slack is not enabled"},
		{name: "subscription conversation", yaml: sub("conversation: ''"), key: "digest.subscriptions[0].conversation:"},
		{name: "subscription topic empty", yaml: sub("topic: ''"), key: "digest.subscriptions[0].topic: is empty"},
		{name: "subscription topic unknown", yaml: sub("topic: sport"), key: "digest.subscriptions[0].topic: \"sport\" is not a topic"},
		{name: "feed topic unknown", yaml: "feeds:\n  - {name: nos, url: 'https://feeds.nos.nl/x', topic: sport}\n", key: "feeds[0].topic: \"sport\" is not a topic"},
		{name: "subscription cron", yaml: sub("cron: every day"), key: "digest.subscriptions[0].cron:"},
		{name: "subscription time zone", yaml: sub("time_zone: Nowhere/Town"), key: "digest.subscriptions[0].time_zone:"},
		{name: "prefix with space", yaml: "bot: {prefixes: [\"hey bot\"]}\n", key: "bot.prefixes[0]:"},
		{name: "admins platform", yaml: "bot: {admins: {irc: [ed]}}\n", key: "bot.admins.irc:"},
		{name: "admins empty user", yaml: "bot: {admins: {slack: ['']}}\n", key: "bot.admins.slack[0]:"},
		{name: "rate limit without window", yaml: "bot: {user_limit: {events: 5}}\n", key: "bot.user_limit.window:"},
		{name: "negative rate window", yaml: "bot: {conversation_limit: {events: -1, window: -1m}}\n", key: "bot.conversation_limit.window:"},
		{name: "unlimited platform", yaml: "bot: {unlimited: [irc]}\n", key: "bot.unlimited[0]:"},
		{name: "max question length", yaml: "bot: {max_question_length: -1}\n", key: "bot.max_question_length:"},
		{name: "search limit", yaml: "bot: {search_limit: -1}\n", key: "bot.search_limit:"},
		{name: "latest limit", yaml: "bot: {latest_limit: -1}\n", key: "bot.latest_limit:"},
		{name: "slack mode", yaml: "slack: {mode: rtm, bot_token: xoxb-1, app_token: xapp-1}\n", key: "slack.mode:"},
		{name: "slack bot token prefix", yaml: "slack: {bot_token: xoxp-1, app_token: xapp-1}\n", key: "slack.bot_token: must start with \"xoxb-\""},
		{name: "slack app token missing", yaml: "slack: {bot_token: xoxb-1}\n", key: "slack.app_token: is empty"},
		{name: "slack signing secret missing", yaml: "slack: {mode: http, bot_token: xoxb-1}\n", key: "slack.signing_secret: is empty"},
		{name: "slack api url", yaml: "slack: {bot_token: xoxb-1, app_token: xapp-1, api_url: 'ftp://x'}\n", key: "slack.api_url:"},
		{name: "slack bot user id", yaml: "slack: {bot_token: xoxb-1, app_token: xapp-1, bot_user_id: bob}\n", key: "slack.bot_user_id:"},
		{name: "slack secret file missing", yaml: "slack: {bot_token_file: /nonexistent/token, app_token: xapp-1}\n", key: "slack.bot_token_file: cannot read"},
		{name: "slack secret file empty", yaml: "slack: {bot_token_file: " + emptySecret + ", app_token: xapp-1}\n", key: "slack.bot_token_file: " + emptySecret + " is empty"},
		{name: "slack secret twice", yaml: "slack: {bot_token: xoxb-1, bot_token_file: " + emptySecret + ", app_token: xapp-1}\n", key: "slack.bot_token_file: is set but slack.bot_token has a value"},
		{name: "matrix homeserver", yaml: "matrix: {homeserver: matrix.example.org, user_id: '@b:example.org', access_token: t, encryption: false}\n", key: "matrix.homeserver:"},
		{name: "matrix user id", yaml: "matrix: {homeserver: 'https://m.example.org', user_id: bot, access_token: t, encryption: false}\n", key: "matrix.user_id:"},
		{name: "matrix no credentials", yaml: "matrix: {homeserver: 'https://m.example.org', user_id: '@b:example.org', encryption: false}\n", key: "matrix.access_token:"},
		{name: "matrix auto_join", yaml: "matrix: {homeserver: 'https://m.example.org', user_id: '@b:example.org', access_token: t, encryption: false, auto_join: ['@']}\n", key: "matrix.auto_join[0]:"},
		{name: "matrix password file missing", yaml: "matrix: {homeserver: 'https://m.example.org', user_id: '@b:example.org', password_file: /nonexistent/pw, encryption: false}\n", key: "matrix.password_file: cannot read"},
		{name: "env unknown variable", yaml: "", env: []string{"BRIEFBOT_SLACK_BOT_TOKN=xoxb-1"}, key: "BRIEFBOT_SLACK_BOT_TOKN: is not a setting"},
		{name: "env bad number", yaml: "", env: []string{"BRIEFBOT_DIGEST_LIMIT=ten"}, key: "BRIEFBOT_DIGEST_LIMIT: \"ten\" is not a whole number (it sets digest.limit)"},
		{name: "env bad bool", yaml: "", env: []string{"BRIEFBOT_DIGEST_SKIP_EMPTY=maybe"}, key: "BRIEFBOT_DIGEST_SKIP_EMPTY:"},
		{name: "env bad duration", yaml: "", env: []string{"BRIEFBOT_DIGEST_GRACE=soon"}, key: "BRIEFBOT_DIGEST_GRACE:"},
		{name: "env value checked", yaml: "", env: []string{"BRIEFBOT_HTTP_ADDR=nowhere"}, key: "http.addr:"},
		{name: "env turns slack on", yaml: "", env: []string{"BRIEFBOT_SLACK_BOT_TOKEN=xoxb-1"}, key: "slack.app_token: is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, kv := range tt.env {
				k, v, _ := strings.Cut(kv, "=")
				t.Setenv(k, v)
			}
			code, out := checkConfig(t, tt.yaml)
			if code != 2 {
				t.Errorf("exit code %d, want 2; output:\n%s", code, out)
			}
			if !strings.Contains(out, tt.key) {
				t.Errorf("output does not contain %q:\n%s", tt.key, out)
			}
		})
	}
}

// sub is a digest section with one valid console subscription, with one
// line replaced.
func sub(change string) string {
	fields := map[string]string{"platform": "console", "conversation": "console", "topic": "interference", "cron": "'0 7 * * *'"}
	k, v, _ := strings.Cut(change, ": ")
	fields[k] = v
	var b strings.Builder
	b.WriteString("digest:\n  subscriptions:\n    - platform: " + fields["platform"] + "\n")
	for _, k := range []string{"conversation", "topic", "cron", "time_zone"} {
		if v, ok := fields[k]; ok {
			b.WriteString("      " + k + ": " + v + "\n")
		}
	}
	return b.String()
}

// TestConfigCheckReportsAll: several mistakes are reported together, in
// one run.
func TestConfigCheckReportsAll(t *testing.T) {
	code, out := checkConfig(t, "colour: red\nlog: {level: loud, format: xml}\nhttp: {addr: x}\nslack: {bot_token: xoxp-1}\n")
	if code != 2 {
		t.Fatalf("exit code %d, want 2:\n%s", code, out)
	}
	var keys []string
	for _, m := range regexp.MustCompile(`(?m)^  ([^ :]+):`).FindAllStringSubmatch(out, -1) {
		keys = append(keys, m[1])
	}
	want := []string{"colour", "log.level", "log.format", "http.addr", "slack.bot_token", "slack.app_token"}
	if diff := cmp.Diff(keys, want); diff != "" {
		t.Errorf("reported keys (-got +want):\n%s\noutput:\n%s", diff, out)
	}
}

// TestConfigCheckExample: the documented example is valid, and it mentions
// every key the configuration has.
func TestConfigCheckExample(t *testing.T) {
	example := filepath.Join("..", "..", "config", "example.yaml")
	data, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	code, out := checkConfig(t, string(data))
	if code != 0 || !strings.HasPrefix(out, "configuration OK") {
		t.Fatalf("config check of example.yaml: exit %d, want 0:\n%s", code, out)
	}
	for _, key := range yamlKeys(reflect.TypeFor[config.Config]()) {
		if !regexp.MustCompile(`(?m)^[ #]*(- )?` + regexp.QuoteMeta(key) + `:`).Match(data) {
			t.Errorf("example.yaml does not document the key %q", key)
		}
	}
}

// TestConfigCheckWarnsReadableSecret: a secret file every user can read
// passes the check (exit 0) with a warning naming the key and the fix
// (issue 12, item 4); serve logs the same warning.
func TestConfigCheckWarnsReadableSecret(t *testing.T) {
	dir := t.TempDir()
	token := writeFile(t, dir, "bot_token", "xoxb-from-file\n")
	if err := os.Chmod(token, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out := checkConfig(t, "slack: {bot_token_file: "+token+", app_token: xapp-1}\n")
	if code != 0 || !strings.HasPrefix(out, "configuration OK") {
		t.Fatalf("config check: exit %d, want 0:\n%s", code, out)
	}
	for _, want := range []string{"warning: slack.bot_token_file: ", token, "mode 0644", "chmod 600 " + token} {
		if !strings.Contains(out, want) {
			t.Errorf("config check output lacks %q:\n%s", want, out)
		}
	}
}

// TestConfigCheckNoFile: no configuration is valid (the console bot).
func TestConfigCheckNoFile(t *testing.T) {
	code, out := checkConfig(t, "-")
	if code != 0 || !strings.Contains(out, "platforms:     console") {
		t.Errorf("config check without a file: exit %d, want 0 and the console:\n%s", code, out)
	}
}

// TestAdapterSectionsMirrorAdapters: config's slack and matrix sections
// have every key of the adapters' own Config types, so no setting of an
// adapter is unreachable from the file.
func TestAdapterSectionsMirrorAdapters(t *testing.T) {
	for _, tt := range []struct {
		name          string
		adapter, ours reflect.Type
	}{
		{"slack", reflect.TypeFor[slack.Config](), reflect.TypeFor[config.Slack]()},
		{"matrix", reflect.TypeFor[matrix.Config](), reflect.TypeFor[config.Matrix]()},
	} {
		ours := yamlKeys(tt.ours)
		for _, k := range yamlKeys(tt.adapter) {
			if !slices.Contains(ours, k) {
				t.Errorf("config.%s lacks the adapter's key %s.%s", tt.ours.Name(), tt.name, k)
			}
		}
	}
}

// yamlKeys lists the yaml keys of t's fields, recursively, as written in a
// file (leaf names, without paths).
func yamlKeys(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		out = append(out, name)
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft.PkgPath() == t.PkgPath() {
			out = append(out, yamlKeys(ft)...)
		}
	}
	return out
}

// TestConfigCheckFlags: command-line flags override the file and are
// validated like it.
func TestConfigCheckFlags(t *testing.T) {
	cfg := writeFile(t, t.TempDir(), "briefbot.yaml", "http: {addr: ':8080'}\n")
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--http", "nowhere"}, 2, "http.addr: \"nowhere\" is not host:port"},
		{[]string{"--articles", "/nonexistent/articles"}, 2, "articles_dir: stat /nonexistent/articles"},
		{[]string{"--log-level", "loud"}, 2, "--log-level \"loud\""},
		{[]string{"--http", "127.0.0.1:9999", "--articles", t.TempDir()}, 0, "http:          127.0.0.1:9999"},
	} {
		var out bytes.Buffer
		code := run(context.Background(), append([]string{"config", "check", "--config", cfg}, tt.args...), strings.NewReader(""), &out, &out)
		if code != tt.code || !strings.Contains(out.String(), tt.want) {
			t.Errorf("config check %v: exit %d, want %d and %q in:\n%s", tt.args, code, tt.code, tt.want, out.String())
		}
	}
}
