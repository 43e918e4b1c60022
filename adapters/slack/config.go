package slack

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

// Connection modes.
const (
	// ModeSocket receives events over a Socket Mode WebSocket; needs no
	// public URL. The default.
	ModeSocket = "socket"
	// ModeHTTP receives events as signed HTTP requests on HTTPHandler.
	ModeHTTP = "http"
)

// DefaultAPIURL is Slack's Web API base URL.
const DefaultAPIURL = "https://slack.com/api/"

// Config is the adapter's section of the bot's configuration (keys under
// "slack."). The zero Mode means ModeSocket and the zero APIURL means
// DefaultAPIURL.
type Config struct {
	// Mode is "socket" (default) or "http".
	Mode string `yaml:"mode" json:"mode"`
	// BotToken is the bot user OAuth token ("xoxb-…"), always required.
	BotToken string `yaml:"bot_token" json:"bot_token"`
	// AppToken is the app-level token ("xapp-…") with connections:write,
	// required in socket mode.
	AppToken string `yaml:"app_token" json:"app_token"`
	// SigningSecret verifies HTTP requests from Slack, required in http mode.
	SigningSecret string `yaml:"signing_secret" json:"signing_secret"`
	// APIURL is the Web API base URL; set it for a proxy or a test server.
	APIURL string `yaml:"api_url" json:"api_url"`
	// BotUserID is the bot's own user ID ("U…"); empty: discovered with
	// auth.test when Run starts.
	BotUserID string `yaml:"bot_user_id" json:"bot_user_id"`
}

// withDefaults fills the zero Mode and APIURL and gives APIURL the trailing
// slash slack-go needs to join method names.
func (c Config) withDefaults() Config {
	c.Mode = strings.ToLower(strings.TrimSpace(c.Mode))
	if c.Mode == "" {
		c.Mode = ModeSocket
	}
	if strings.TrimSpace(c.APIURL) == "" {
		c.APIURL = DefaultAPIURL
	}
	if !strings.HasSuffix(c.APIURL, "/") {
		c.APIURL += "/"
	}
	return c
}

// Validate reports every problem in c at once, each naming its key and how
// to fix it. It returns nil when the adapter can start.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	add := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("slack.%s: %s", key, fmt.Sprintf(format, args...)))
	}

	switch c.Mode {
	case ModeSocket, ModeHTTP:
	default:
		add("mode", "%q is not a mode; use %q (default, no public URL needed) or %q (Slack posts to the bot's HTTP listener)", c.Mode, ModeSocket, ModeHTTP)
	}

	checkToken := func(key, value, prefix, where string) {
		switch {
		case value == "":
			add(key, "is empty; %s (it starts with %q)", where, prefix)
		case strings.TrimSpace(value) != value || strings.ContainsAny(value, " \t\r\n"):
			add(key, "contains whitespace; paste the token again without spaces or line breaks")
		case !strings.HasPrefix(value, prefix):
			add(key, "must start with %q, got %q…; %s", prefix, redactPrefix(value), where)
		}
	}
	checkToken("bot_token", c.BotToken, "xoxb-",
		"copy the Bot User OAuth Token from the app's OAuth & Permissions page")
	if c.Mode == ModeSocket {
		checkToken("app_token", c.AppToken, "xapp-",
			"socket mode needs an app-level token with the connections:write scope, created under Basic Information → App-Level Tokens")
	}
	if c.Mode == ModeHTTP {
		switch {
		case c.SigningSecret == "":
			add("signing_secret", "is empty; http mode verifies every request with it: copy the Signing Secret from the app's Basic Information page")
		case strings.TrimSpace(c.SigningSecret) != c.SigningSecret:
			add("signing_secret", "has leading or trailing whitespace; paste it again")
		}
	}

	u, err := url.Parse(c.APIURL)
	switch {
	case err != nil:
		add("api_url", "%q is not a URL (%v); leave it empty for %s", c.APIURL, err, DefaultAPIURL)
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
		add("api_url", "%q must be an absolute http(s) URL such as %s", c.APIURL, DefaultAPIURL)
	case u.RawQuery != "" || u.Fragment != "":
		add("api_url", "%q must not have a query or fragment; Slack method names are appended to it", c.APIURL)
	}

	if c.BotUserID != "" && !validUserID(c.BotUserID) {
		add("bot_user_id", "%q is not a Slack user ID (like U0123ABCD); leave it empty to discover it with auth.test", c.BotUserID)
	}
	return errors.Join(errs...)
}

// LogValue keeps tokens and the signing secret out of logs.
func (c Config) LogValue() slog.Value {
	c = c.withDefaults()
	return slog.GroupValue(
		slog.String("mode", c.Mode),
		slog.String("api_url", c.APIURL),
		slog.String("bot_user_id", c.BotUserID),
		slog.Bool("bot_token_set", c.BotToken != ""),
		slog.Bool("app_token_set", c.AppToken != ""),
		slog.Bool("signing_secret_set", c.SigningSecret != ""),
	)
}

// redactPrefix shows at most the first five characters of a secret, enough
// to recognise "xoxp-" or "xapp-" pasted into the wrong key.
func redactPrefix(s string) string {
	r := []rune(s)
	if len(r) > 5 {
		r = r[:5]
	}
	return string(r)
}

// validUserID reports whether s looks like a Slack user ID: U or W followed
// by upper-case letters and digits.
func validUserID(s string) bool {
	if len(s) < 3 || (s[0] != 'U' && s[0] != 'W') {
		return false
	}
	for _, r := range s[1:] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
