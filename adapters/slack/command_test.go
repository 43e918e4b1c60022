package slack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
)

// responseReceiver is an httptest stand-in for a slash command's
// response_url: it records every JSON message posted to it.
type responseReceiver struct {
	srv  *httptest.Server
	mu   sync.Mutex
	got  []responseMessage
	auth []string // Authorization headers seen
}

// responseMessage is the part of a response_url message the tests read.
type responseMessage struct {
	ResponseType    string          `json:"response_type"`
	Text            string          `json:"text"`
	Mrkdwn          *bool           `json:"mrkdwn"`
	ReplaceOriginal bool            `json:"replace_original"`
	Blocks          json.RawMessage `json:"blocks"`
}

func newResponseReceiver(t *testing.T) *responseReceiver {
	t.Helper()
	r := &responseReceiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var m responseMessage
		if err := json.Unmarshal(b, &m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.got = append(r.got, m)
		r.auth = append(r.auth, req.Header.Get("Authorization"))
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true}`)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *responseReceiver) Got() ([]responseMessage, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]responseMessage(nil), r.got...), append([]string(nil), r.auth...)
}

// refusePosts makes chat.postMessage fail with Slack's error code.
func refusePosts(code string) func(int, http.ResponseWriter, *http.Request) bool {
	return func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		if code == "" {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":false,"error":%q}`, code)
		return true
	}
}

func commandForm(responseURL string) url.Values {
	return url.Values{
		"token": {"gIkuvaNzQIHg97ATvDxqgjtO"}, "team_id": {"T0NEWSROOM"}, "team_domain": {"redactie"},
		"channel_id": {"C0PRIVATE"}, "channel_name": {"privategroup"}, "user_id": {"U0REPORTER"}, "user_name": {"anne"},
		"command": {"/briefbot"}, "text": {"wanneer viel het kabinet?"}, "api_app_id": {"A0BRIEFBOT"},
		"response_url": {responseURL}, "trigger_id": {"13345224609.738474920.8088930838d88f008e0"},
	}
}

// TestSlashCommandFallsBackToResponseURL: when the bot cannot post in the
// channel where /briefbot was typed, the answer goes to the command's
// response_url as an ephemeral message that says why only the user sees it
// and how to fix that. Only Slack's own hooks host (or the test's allowed
// prefix) is ever contacted, and never with the bot token.
func TestSlashCommandFallsBackToResponseURL(t *testing.T) {
	tests := []struct {
		name        string
		channel     string // where the command was typed; "" is C0PRIVATE
		postErr     string // chat.postMessage's error; "" posts fine
		allowTest   bool   // the adapter allows the receiver's URL
		hostileURL  string // response_url instead of the receiver's
		wantPrivate bool
		wantHint    string
	}{
		{name: "not_in_channel", postErr: "not_in_channel", allowTest: true, wantPrivate: true, wantHint: "/invite <@" + testBotID + ">"},
		{name: "channel_not_found", postErr: "channel_not_found", allowTest: true, wantPrivate: true, wantHint: "/invite <@" + testBotID + ">"},
		{name: "direct conversation between people", channel: "D0TWOHUMANS", postErr: "channel_not_found", allowTest: true, wantPrivate: true, wantHint: "Ask me in a direct message"},
		{name: "restricted_action", postErr: "restricted_action", allowTest: true, wantPrivate: true, wantHint: "does not let me post"},
		{name: "other errors are no reason", postErr: "msg_too_long", allowTest: true},
		{name: "posted normally", allowTest: true},
		{name: "receiver not allowed by default", postErr: "not_in_channel"},
		{name: "lookalike host", postErr: "not_in_channel", allowTest: true, hostileURL: "https://hooks.slack.com.evil.example/commands/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t, refusePosts(tt.postErr))
			recv := newResponseReceiver(t)
			opts := Options{}
			if tt.allowTest {
				opts.ResponseURLPrefix = recv.srv.URL + "/"
			}
			h := newDedupeHandler()
			_, srv := httpAdapter(t, f, h, opts)
			responseURL := recv.srv.URL + "/commands/T0NEWSROOM/1/abc"
			if tt.hostileURL != "" {
				responseURL = tt.hostileURL
			}
			form := commandForm(responseURL)
			if tt.channel != "" {
				form.Set("channel_id", tt.channel)
			}
			if status, body := do(t, signed(t, srv, "/slack/commands", formType, []byte(form.Encode()), testSecret, testNow)); status != http.StatusOK || body != "" {
				t.Fatalf("status %d body %q, want 200 and an empty body", status, body)
			}
			receive(t, h.done, "the command to be handled") // Send has returned
			got, auth := recv.Got()
			errs := h.Errs()
			if !tt.wantPrivate {
				if len(got) != 0 {
					t.Errorf("response_url received %d messages, want none", len(got))
				}
				if wantErr := tt.postErr != ""; (len(errs) > 0) != wantErr {
					t.Errorf("Send errors %v, want an error: %v", errs, wantErr)
				}
				return
			}
			if len(errs) > 0 {
				t.Errorf("Send: %v (the answer was delivered privately)", errs)
			}
			if len(got) != 1 {
				t.Fatalf("response_url received %d messages, want 1", len(got))
			}
			m := got[0]
			if m.ResponseType != "ephemeral" || m.ReplaceOriginal {
				t.Errorf("response_type %q replace_original %v, want ephemeral and false", m.ResponseType, m.ReplaceOriginal)
			}
			if auth[0] != "" {
				t.Errorf("response_url was sent an Authorization header")
			}
			blocks := blockTexts(t, string(m.Blocks))
			for _, want := range []string{"Het kabinet viel op 7 juli.", tt.wantHint, "Only you can see this"} {
				if !strings.Contains(blocks, want) {
					t.Errorf("ephemeral blocks lack %q:\n%s", want, blocks)
				}
			}
			if !strings.Contains(m.Text, "Het kabinet viel op 7 juli.") {
				t.Errorf("ephemeral text %q lacks the answer", m.Text)
			}
		})
	}
}

// TestSocketModeSlashCommandFallsBack: over Socket Mode the slash command's
// response_url is used the same way.
func TestSocketModeSlashCommandFallsBack(t *testing.T) {
	recv := newResponseReceiver(t)
	command, err := json.Marshal(map[string]string{
		"token": "x", "team_id": "T0NEWSROOM", "channel_id": "C0PRIVATE", "user_id": "U0REPORTER",
		"command": "/briefbot", "text": "wanneer viel het kabinet?", "api_app_id": "A0BRIEFBOT",
		"response_url": recv.srv.URL + "/commands/1", "trigger_id": "42.42.abc",
	})
	if err != nil {
		t.Fatal(err)
	}
	var s *socketServer
	s = newSocketServer(t, func(c *websocket.Conn) error {
		if err := c.WriteMessage(websocket.TextMessage, []byte(hello())); err != nil {
			return err
		}
		if err := s.sendAndAwaitAck(c, envelope("slash_commands", "env-1", command, 0), "env-1"); err != nil {
			return err
		}
		return drain(c)
	})
	s.postErr = "not_in_channel"
	h := newDedupeHandler()
	a := newTestAdapter(t, socketConfig(s.srv.URL+"/"), Options{ResponseURLPrefix: recv.srv.URL + "/"})
	startRun(t, a, h)
	receive(t, h.done, "the command to be handled")
	if errs := h.Errs(); len(errs) > 0 {
		t.Errorf("Send: %v", errs)
	}
	got, _ := recv.Got()
	if len(got) != 1 || got[0].ResponseType != "ephemeral" || !strings.Contains(got[0].Text, "Het kabinet viel op 7 juli.") {
		t.Errorf("response_url received %+v, want one ephemeral answer", got)
	}
}

// TestResponseURLAllowed: only https://hooks.slack.com/… is followed in
// production.
func TestResponseURLAllowed(t *testing.T) {
	tests := []struct {
		url, prefix string
		want        bool
	}{
		{"https://hooks.slack.com/commands/T0/1/abc", "", true},
		{"https://hooks.slack.com:443/commands/T0/1/abc", "", true},
		{"http://hooks.slack.com/commands/T0/1/abc", "", false},
		{"https://hooks.slack.com.evil.example/commands/1", "", false},
		{"https://evil.example/?https://hooks.slack.com/", "", false},
		{"https://user@hooks.slack.com/commands/1", "", false},
		{"https://hooks.slack.com:8443/commands/1", "", false},
		{"https://slack.com/api/chat.postMessage", "", false},
		{"/commands/1", "", false},
		{"", "", false},
		{"http://127.0.0.1:4000/commands/1", "", false},
		{"http://127.0.0.1:4000/commands/1", "http://127.0.0.1:4000/", true},
		{"http://127.0.0.1:40000/commands/1", "http://127.0.0.1:4000/", false},
		{"http://127.0.0.1:4000@evil.example/commands/1", "http://127.0.0.1:4000/", false},
	}
	for _, tt := range tests {
		if got := responseURLAllowed(tt.url, tt.prefix); got != tt.want {
			t.Errorf("responseURLAllowed(%q, %q) = %v, want %v", tt.url, tt.prefix, got, tt.want)
		}
	}
}
