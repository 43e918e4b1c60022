package slack

import (
	"bytes"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// keysIn lists the config keys an error names, in order.
func keysIn(err error) []string {
	if err == nil {
		return nil
	}
	var keys []string
	for _, m := range regexp.MustCompile(`(?m)^slack\.([a-z_]+):`).FindAllStringSubmatch(err.Error(), -1) {
		keys = append(keys, m[1])
	}
	return keys
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string // keys reported, in order
	}{
		{"socket mode, complete", Config{BotToken: "xoxb-1", AppToken: "xapp-1"}, nil},
		{"http mode, complete", Config{Mode: "http", BotToken: "xoxb-1", SigningSecret: "s3cr3t", APIURL: "http://127.0.0.1:8080/api"}, nil},
		{"nothing set: socket needs both tokens", Config{}, []string{"bot_token", "app_token"}},
		{"tokens swapped", Config{BotToken: "xapp-1", AppToken: "xoxb-1"}, []string{"bot_token", "app_token"}},
		{"user token instead of bot token", Config{BotToken: "xoxp-1", AppToken: "xapp-1"}, []string{"bot_token"}},
		{"token pasted with newline", Config{BotToken: "xoxb-1\n", AppToken: "xapp-1"}, []string{"bot_token"}},
		{"http mode without secret", Config{Mode: "http", BotToken: "xoxb-1"}, []string{"signing_secret"}},
		{"http mode does not need the app token", Config{Mode: "HTTP", BotToken: "xoxb-1", SigningSecret: "s"}, nil},
		{"unknown mode", Config{Mode: "rtm", BotToken: "xoxb-1"}, []string{"mode"}},
		{"relative API URL", Config{BotToken: "xoxb-1", AppToken: "xapp-1", APIURL: "slack.com/api"}, []string{"api_url"}},
		{"API URL with query", Config{BotToken: "xoxb-1", AppToken: "xapp-1", APIURL: "https://proxy/api?x=1"}, []string{"api_url"}},
		{"bad bot user ID", Config{BotToken: "xoxb-1", AppToken: "xapp-1", BotUserID: "@briefbot"}, []string{"bot_user_id"}},
		{"everything wrong at once", Config{Mode: "http", BotToken: "token", APIURL: "ftp://x", BotUserID: "x"},
			[]string{"bot_token", "signing_secret", "api_url", "bot_user_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if diff := cmp.Diff(keysIn(err), tt.want); diff != "" {
				t.Errorf("keys reported (-got +want):\n%s\nerror: %v", diff, err)
			}
		})
	}
}

// TestConfigErrorsSayHowToFix: messages name the key, what is wrong and
// where to get the right value, without echoing the secret.
func TestConfigErrorsSayHowToFix(t *testing.T) {
	err := Config{BotToken: "xoxp-1234-secretpart", Mode: "http"}.Validate()
	msg := err.Error()
	for _, want := range []string{`slack.bot_token: must start with "xoxb-"`, "OAuth & Permissions", "slack.signing_secret", "Basic Information"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "secretpart") {
		t.Errorf("error echoes the token:\n%s", msg)
	}
	if _, err := New(Config{}, Options{}); err == nil {
		t.Error("New accepted an empty configuration")
	}
}

func TestConfigLogValueRedacts(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	log.Info("config", "slack", Config{BotToken: "xoxb-secret-1", AppToken: "xapp-secret-2", SigningSecret: "secret-3"})
	for _, s := range []string{"secret-1", "secret-2", "secret-3"} {
		if strings.Contains(buf.String(), s) {
			t.Errorf("log contains %q: %s", s, buf.String())
		}
	}
	if !strings.Contains(buf.String(), "slack.mode=socket") {
		t.Errorf("log lacks the mode: %s", buf.String())
	}
}
