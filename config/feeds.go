package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Feed is one RSS, Atom or JSON Feed polled for articles.
type Feed struct {
	// Name names the feed in logs, metrics and status, and is the
	// articles' publisher; one word, unique ("nos", "anp-binnenland").
	Name string `yaml:"name"`
	// URL is the feed's http or https address.
	URL string `yaml:"url"`
	// Interval is the time between polls (each one jittered by up to a
	// tenth); 0: 5m. After a failure the wait doubles up to an hour.
	Interval time.Duration `yaml:"interval"`
	// Timeout bounds one fetch, body included; 0: 30s.
	Timeout time.Duration `yaml:"timeout"`
	// MaxSize is the largest response read, in bytes; 0: 10 MiB.
	MaxSize int64 `yaml:"max_size"`
	// Topic is a digest topic the feed is about: its articles belong to
	// that topic on any evidence for it (the minimum score and the kind
	// rule are waived; an excluded title still excludes), and the status
	// shows it. Empty: none.
	Topic string `yaml:"topic"`
	// AuthHeader names a header sent with every request, such as
	// Authorization, with the value AuthValue (or the contents of
	// AuthValueFile): "Bearer …". It is never sent to another host a
	// redirect leads to.
	AuthHeader    string `yaml:"auth_header"`
	AuthValue     string `yaml:"auth_value" secret:"true"`
	AuthValueFile string `yaml:"auth_value_file"`
}

// Ingest configures POST /api/v1/articles on the HTTP listener.
type Ingest struct {
	// Tokens are the bearer tokens allowed to post and retract articles;
	// none: the API is off.
	Tokens []IngestToken `yaml:"tokens"`
	// MaxBody is the largest request body, in bytes; 0: 32 MiB.
	MaxBody int64 `yaml:"max_body"`
}

// IngestToken is one client of the ingest API.
type IngestToken struct {
	// Name names the client in logs and in its articles' origin ("cms").
	Name string `yaml:"name"`
	// Token is the secret (or TokenFile the file holding it): at least 16
	// characters, such as the output of openssl rand -hex 24.
	Token     string `yaml:"token" secret:"true"`
	TokenFile string `yaml:"token_file"`
	// Limit is how many requests the client may make per window; zero:
	// 60 per minute; events -1 turns the limit off.
	Limit RateLimit `yaml:"limit"`
}

// MinTokenLength is the shortest ingest token accepted.
const MinTokenLength = 16

var (
	feedName   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	headerName = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
)

// feedSecrets are the secrets of the feeds and ingest sections.
func (c *Config) feedSecrets() []secretField {
	var out []secretField
	for i := range c.Feeds {
		f := &c.Feeds[i]
		out = append(out, secretField{path: fmt.Sprintf("feeds[%d].auth_value", i), value: &f.AuthValue, file: &f.AuthValueFile})
	}
	for i := range c.Ingest.Tokens {
		tk := &c.Ingest.Tokens[i]
		out = append(out, secretField{path: fmt.Sprintf("ingest.tokens[%d].token", i), value: &tk.Token, file: &tk.TokenFile})
	}
	return out
}

// validateFeeds reports the problems of the feeds and ingest sections.
func (c *Config) validateFeeds() Problems {
	var ps Problems
	bad := func(key, format string, args ...any) {
		ps = append(ps, Problem{Key: key, Message: fmt.Sprintf(format, args...)})
	}
	names := map[string]bool{}
	for i, f := range c.Feeds {
		key := fmt.Sprintf("feeds[%d]", i)
		switch name := strings.ToLower(f.Name); {
		case f.Name == "":
			bad(key+".name", "is empty; give the feed a one-word name like nos")
		case !feedName.MatchString(f.Name):
			bad(key+".name", "%q must be one word of letters, digits, '.', '_' or '-', like nos-binnenland", f.Name)
		case names[name]:
			bad(key+".name", "%q is used twice; feed names must be unique", f.Name)
		default:
			names[name] = true
		}
		if u, err := url.Parse(f.URL); f.URL == "" {
			bad(key+".url", "is empty; give the feed's address, like https://feeds.nos.nl/nosnieuwsalgemeen")
		} else if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad(key+".url", "%q is not an http or https address", f.URL)
		}
		if f.Interval < 0 || (f.Interval > 0 && f.Interval < time.Second) {
			bad(key+".interval", "%v is too short; use a duration like 5m (0 for the default of 5m)", f.Interval)
		}
		if f.Timeout < 0 {
			bad(key+".timeout", "%v is negative; use 0 for the default of 30s", f.Timeout)
		}
		if f.MaxSize < 0 {
			bad(key+".max_size", "%d is negative; use 0 for the default of 10 MiB", f.MaxSize)
		}
		switch {
		case f.AuthHeader != "" && !headerName.MatchString(f.AuthHeader):
			bad(key+".auth_header", "%q is not a header name; use one like Authorization", f.AuthHeader)
		case f.AuthHeader != "" && f.AuthValue == "":
			bad(key+".auth_value", "is empty but auth_header is %s; set auth_value_file to the file holding the value", f.AuthHeader)
		case f.AuthHeader == "" && f.AuthValue != "":
			bad(key+".auth_header", "is empty but auth_value is set; name the header, like Authorization")
		}
		if strings.ContainsAny(f.AuthValue, "\r\n") {
			bad(key+".auth_value", "contains a line break; a header value is one line")
		}
	}
	in := c.Ingest
	if in.MaxBody < 0 {
		bad("ingest.max_body", "%d is negative; use 0 for the default of 32 MiB", in.MaxBody)
	}
	if len(in.Tokens) > 0 && c.HTTPAddr() == "" {
		bad("ingest.tokens", "are set but there is no HTTP listener for the API; set http.addr (like :8080)")
	}
	tokenNames := map[string]bool{}
	tokens := map[string]bool{}
	for i, tk := range in.Tokens {
		key := fmt.Sprintf("ingest.tokens[%d]", i)
		switch {
		case tk.Name == "":
			bad(key+".name", "is empty; name the client, like cms")
		case !feedName.MatchString(tk.Name):
			bad(key+".name", "%q must be one word of letters, digits, '.', '_' or '-'", tk.Name)
		case tokenNames[tk.Name]:
			bad(key+".name", "%q is used twice; client names must be unique", tk.Name)
		}
		tokenNames[tk.Name] = true
		switch {
		case tk.Token == "":
			bad(key+".token", "is empty; set token_file to a file holding a random token (openssl rand -hex 24)")
		case len(tk.Token) < MinTokenLength:
			bad(key+".token", "is %d characters; use at least %d random characters (openssl rand -hex 24)", len(tk.Token), MinTokenLength)
		case strings.ContainsAny(tk.Token, " \t\r\n"):
			bad(key+".token", "contains white space; a bearer token is one word")
		case tokens[tk.Token]:
			bad(key+".token", "is the same as another client's; give each client its own")
		}
		tokens[tk.Token] = true
		if tk.Limit.Events > 0 && tk.Limit.Window <= 0 {
			bad(key+".limit.window", "must be a positive duration like 1m when events is %d", tk.Limit.Events)
		}
		if tk.Limit.Window < 0 {
			bad(key+".limit.window", "%v is negative", tk.Limit.Window)
		}
	}
	return ps
}
