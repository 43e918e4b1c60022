package matrix

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"maunium.net/go/mautrix/id"
)

// Config is the adapter's section of the bot's configuration (keys under
// "matrix."). Exactly one of AccessToken and Password is set. The zero
// Encryption means on.
type Config struct {
	// Homeserver is the client-server API base URL, "https://matrix.example.org".
	Homeserver string `yaml:"homeserver" json:"homeserver"`
	// UserID is the bot's full Matrix ID, "@briefbot:example.org".
	UserID string `yaml:"user_id" json:"user_id"`
	// AccessToken logs in as an existing session (device). Mutually
	// exclusive with Password.
	AccessToken string `yaml:"access_token" json:"access_token"`
	// Password logs in with m.login.password on the first start; the
	// resulting access token and device ID are kept in the bot's state
	// store and reused on every later start.
	Password string `yaml:"password" json:"password"`
	// DeviceID is the device to log in as with Password, or the device of
	// AccessToken when the homeserver's whoami does not say. Optional.
	DeviceID string `yaml:"device_id" json:"device_id"`
	// CommandPrefix, when set, addresses the bot in a group room like a
	// mention: "!bb wie ontsloeg Krebs?". The core's own prefixes work too.
	CommandPrefix string `yaml:"command_prefix" json:"command_prefix"`
	// AutoJoin lists who may invite the bot: full user IDs ("@ed:example.org")
	// or servers (":example.org" or "example.org"). Invites from anyone else
	// are rejected. Empty: every invite is rejected.
	AutoJoin []string `yaml:"auto_join" json:"auto_join"`
	// Encryption enables end-to-end encryption (nil: on). Needs a binary
	// built with -tags goolm and Options.DataDir for the crypto store.
	Encryption *bool `yaml:"encryption" json:"encryption"`
	// PickleKey encrypts the crypto store's secret keys at rest. Empty: a
	// random key is generated once and kept in DataDir next to the store,
	// or, with the store in the shared database (Options.DatabaseURL), in
	// the bot's state store, where every replica finds it.
	PickleKey string `yaml:"pickle_key" json:"pickle_key"`
}

// EncryptionEnabled reports whether end-to-end encryption is on: true unless
// Encryption is set to false.
func (c Config) EncryptionEnabled() bool { return c.Encryption == nil || *c.Encryption }

// Validate reports every problem in c at once, each naming its key and how to
// fix it. It returns nil when the adapter can start.
func (c Config) Validate() error {
	var errs []error
	add := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("matrix.%s: %s", key, fmt.Sprintf(format, args...)))
	}

	hs := strings.TrimSpace(c.Homeserver)
	if hs == "" {
		add("homeserver", "is empty; set the client-server API URL of the bot's homeserver, like https://matrix.example.org")
	} else if u, err := url.Parse(hs); err != nil {
		add("homeserver", "%q is not a URL (%v); use one like https://matrix.example.org", c.Homeserver, err)
	} else if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		add("homeserver", "%q must be an absolute http(s) URL like https://matrix.example.org", c.Homeserver)
	} else if u.RawQuery != "" || u.Fragment != "" {
		add("homeserver", "%q must not have a query or fragment; API paths are appended to it", c.Homeserver)
	}

	if c.UserID == "" {
		add("user_id", "is empty; set the bot's full Matrix ID, like @briefbot:example.org")
	} else if _, _, err := id.UserID(c.UserID).ParseAndValidateRelaxed(); err != nil {
		add("user_id", "%q is not a Matrix user ID (%v); write it in full, like @briefbot:example.org", c.UserID, err)
	}

	switch {
	case c.AccessToken == "" && c.Password == "":
		add("access_token", "and matrix.password are both empty; set one: an access token of an existing session, or the bot account's password")
	case c.AccessToken != "" && c.Password != "":
		add("access_token", "and matrix.password are both set; keep only one (the password logs in once and then the stored access token is reused)")
	case c.AccessToken != "" && (strings.TrimSpace(c.AccessToken) != c.AccessToken || strings.ContainsAny(c.AccessToken, " \t\r\n")):
		add("access_token", "contains whitespace; paste the token again without spaces or line breaks")
	}

	if c.DeviceID != "" && strings.ContainsAny(c.DeviceID, " \t\r\n/") {
		add("device_id", "%q contains whitespace or '/'; leave it empty to let the homeserver choose one", c.DeviceID)
	}
	if c.CommandPrefix != "" && (strings.TrimSpace(c.CommandPrefix) != c.CommandPrefix || strings.ContainsAny(c.CommandPrefix, " \t\r\n")) {
		add("command_prefix", "%q must not contain spaces; use something like !bb", c.CommandPrefix)
	}
	for i, entry := range c.AutoJoin {
		if _, err := parseAllowEntry(entry); err != nil {
			add(fmt.Sprintf("auto_join[%d]", i), "%v", err)
		}
	}
	if !c.EncryptionEnabled() && c.PickleKey != "" {
		add("pickle_key", "is set but encryption is off; remove it or set matrix.encryption: true")
	}
	return errors.Join(errs...)
}

// LogValue keeps the access token, password and pickle key out of logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("homeserver", c.Homeserver),
		slog.String("user_id", c.UserID),
		slog.Bool("access_token_set", c.AccessToken != ""),
		slog.Bool("password_set", c.Password != ""),
		slog.String("device_id", c.DeviceID),
		slog.String("command_prefix", c.CommandPrefix),
		slog.Int("auto_join", len(c.AutoJoin)),
		slog.Bool("encryption", c.EncryptionEnabled()),
	)
}

// allowEntry is one parsed AutoJoin entry: a full user ID or a server name.
type allowEntry struct {
	user   id.UserID
	server string
}

// parseAllowEntry accepts "@user:server", ":server" and "server".
func parseAllowEntry(s string) (allowEntry, error) {
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		return allowEntry{}, errors.New("is empty; write a user like @ed:example.org or a server like :example.org")
	case strings.HasPrefix(t, "@"):
		if _, _, err := id.UserID(t).ParseAndValidateRelaxed(); err != nil {
			return allowEntry{}, fmt.Errorf("%q is not a Matrix user ID (%v); write it like @ed:example.org", s, err)
		}
		return allowEntry{user: id.UserID(t)}, nil
	default:
		server := strings.TrimPrefix(t, ":")
		if server == "" || strings.ContainsAny(server, " \t/@") || strings.Contains(server, ":") && !validHostPort(server) {
			return allowEntry{}, fmt.Errorf("%q is neither a user (@ed:example.org) nor a server (:example.org)", s)
		}
		return allowEntry{server: strings.ToLower(server)}, nil
	}
}

// validHostPort accepts "host:port" server names.
func validHostPort(s string) bool {
	host, port, ok := strings.Cut(s, ":")
	if !ok || host == "" || port == "" || strings.ContainsAny(host, " \t/@") {
		return false
	}
	for _, r := range port {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// allowList decides which inviters the bot follows.
type allowList []allowEntry

func newAllowList(entries []string) allowList {
	var l allowList
	for _, e := range entries {
		if a, err := parseAllowEntry(e); err == nil {
			l = append(l, a)
		}
	}
	return l
}

// allows reports whether u may invite the bot.
func (l allowList) allows(u id.UserID) bool {
	server := strings.ToLower(u.Homeserver())
	for _, a := range l {
		if a.user != "" && a.user == u || a.server != "" && a.server == server {
			return true
		}
	}
	return false
}
