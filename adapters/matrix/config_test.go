package matrix

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"maunium.net/go/mautrix/id"
)

func TestConfigValidate(t *testing.T) {
	ok := Config{Homeserver: "https://matrix.example.org", UserID: "@briefbot:example.org", AccessToken: "syt_abc"}
	off := false
	cases := []struct {
		name string
		edit func(c *Config)
		want []string // one substring per reported problem, in order
	}{
		{"valid token login", func(*Config) {}, nil},
		{"valid password login with everything", func(c *Config) {
			c.AccessToken, c.Password, c.DeviceID, c.CommandPrefix = "", "hunter2", "BRIEFBOT", "!bb"
			c.AutoJoin = []string{"@ed:example.org", ":example.org", "example.com", "localhost:8448"}
			c.PickleKey = "k"
		}, nil},
		{"everything missing", func(c *Config) { *c = Config{} }, []string{
			"matrix.homeserver: is empty",
			"matrix.user_id: is empty",
			"matrix.access_token: and matrix.password are both empty",
		}},
		{"bad values", func(c *Config) {
			c.Homeserver = "matrix.example.org"
			c.UserID = "briefbot"
			c.Password = "pw"
			c.DeviceID = "A B"
			c.CommandPrefix = "! bb"
			c.AutoJoin = []string{"", "@nope", "exa mple.org"}
			c.Encryption, c.PickleKey = &off, "k"
		}, []string{
			`matrix.homeserver: "matrix.example.org" must be an absolute http(s) URL`,
			`matrix.user_id: "briefbot" is not a Matrix user ID`,
			"matrix.access_token: and matrix.password are both set",
			`matrix.device_id: "A B" contains whitespace`,
			`matrix.command_prefix: "! bb" must not contain spaces`,
			"matrix.auto_join[0]: is empty",
			`matrix.auto_join[1]: "@nope" is not a Matrix user ID`,
			`matrix.auto_join[2]: "exa mple.org" is neither a user`,
			"matrix.pickle_key: is set but encryption is off",
		}},
		{"token with a line break", func(c *Config) { c.AccessToken = "syt_abc\n" }, []string{"matrix.access_token: contains whitespace"}},
		{"homeserver with a query", func(c *Config) { c.Homeserver = "https://m.example.org/?x=1" }, []string{"must not have a query"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := ok
			c.edit(&cfg)
			err := cfg.Validate()
			var got []string
			if err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if len(got) != len(c.want) {
				t.Fatalf("Validate reported %d problems, want %d:\n%v", len(got), len(c.want), err)
			}
			for i := range got {
				if !strings.Contains(got[i], c.want[i]) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestConfigEncryptionDefaultsOn(t *testing.T) {
	on, off := true, false
	for _, c := range []struct {
		v    *bool
		want bool
	}{{nil, true}, {&on, true}, {&off, false}} {
		if got := (Config{Encryption: c.v}).EncryptionEnabled(); got != c.want {
			t.Errorf("EncryptionEnabled with %v = %v, want %v", c.v, got, c.want)
		}
	}
}

func TestConfigLogValueHidesSecrets(t *testing.T) {
	c := Config{Homeserver: "https://m.example.org", UserID: "@b:example.org", AccessToken: "syt_SECRET", Password: "PASSWORD", PickleKey: "PICKLE"}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("config", "matrix", c)
	for _, secret := range []string{"SECRET", "PASSWORD", "PICKLE"} {
		if strings.Contains(b.String(), secret) {
			t.Errorf("log line leaks %s: %s", secret, b.String())
		}
	}
}

func TestNewRequiresStateAndDataDir(t *testing.T) {
	cfg := Config{Homeserver: "https://m.example.org", UserID: "@b:example.org", AccessToken: "t"}
	_, err := New(cfg, Options{})
	if err == nil || !strings.Contains(err.Error(), "Options.State is required") {
		t.Errorf("New without State = %v, want the State error", err)
	}
	if cryptoSupported && (err == nil || !strings.Contains(err.Error(), "Options.DataDir is required")) {
		t.Errorf("New without DataDir = %v, want the DataDir error", err)
	}
	if !cryptoSupported && (err == nil || !strings.Contains(err.Error(), "-tags goolm")) {
		t.Errorf("New with encryption in a build without goolm = %v, want the build-tag error", err)
	}
	off := false
	cfg.Encryption = &off
	if _, err := New(cfg, Options{State: newTestState(t)}); err != nil {
		t.Errorf("New with encryption off and State = %v, want nil", err)
	}
}

func TestAllowList(t *testing.T) {
	l := newAllowList([]string{"@ed:example.org", ":newsroom.nl", "Partner.ORG", "localhost:8448"})
	cases := map[id.UserID]bool{
		"@ed:example.org":        true,
		"@eve:example.org":       false,
		"@anyone:newsroom.nl":    true,
		"@x:partner.org":         true,
		"@x:evil-newsroom.nl":    false,
		"@x:localhost:8448":      true,
		"@x:localhost":           false,
		"@ed:example.org.evil.c": false,
	}
	got := map[id.UserID]bool{}
	for u := range cases {
		got[u] = l.allows(u)
	}
	if diff := cmp.Diff(got, cases); diff != "" {
		t.Errorf("allows (-got +want):\n%s", diff)
	}
}

func TestStateKeysMissingIsEmpty(t *testing.T) {
	s := &syncStore{state: newTestState(t), keys: newStateKeys("@b:example.org")}
	got, err := s.LoadNextBatch(t.Context(), "")
	if err != nil || got != "" {
		t.Errorf("LoadNextBatch on an empty store = %q, %v; want \"\", nil", got, err)
	}
	if err := s.SaveNextBatch(t.Context(), "", "s1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.LoadNextBatch(t.Context(), ""); got != "s1" {
		t.Errorf("LoadNextBatch after save = %q, want s1", got)
	}
	broken := &syncStore{state: failingState{}, keys: s.keys}
	if _, err := broken.LoadNextBatch(t.Context(), ""); err == nil || !errors.Is(err, errDiskGone) {
		t.Errorf("LoadNextBatch on a failing store = %v, want it wrapped", err)
	}
}
