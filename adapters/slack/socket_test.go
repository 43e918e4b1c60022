package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gorilla/websocket"

	"github.com/briefbot/briefbot/bot"
)

// socketServer is a scripted Slack: apps.connections.open hands out a
// WebSocket URL, and each connection plays the next script. It also takes
// chat.postMessage and chat.postEphemeral.
type socketServer struct {
	srv     *httptest.Server
	scripts []func(c *websocket.Conn) error
	opens   atomic.Int32
	acks    chan string
	errs    chan error
	mu      sync.Mutex
	posts   []string // channel of every chat.postMessage
	thanks  int      // chat.postEphemeral calls
	postErr string   // when set, chat.postMessage fails with this error code
	// failOpens makes the first failOpens apps.connections.open calls fail
	// with a transient error.
	failOpens int32
	failed    atomic.Int32
}

func newSocketServer(t *testing.T, scripts ...func(c *websocket.Conn) error) *socketServer {
	t.Helper()
	s := &socketServer{scripts: scripts, acks: make(chan string, 20), errs: make(chan error, 20)}
	upgrader := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	mux := http.NewServeMux()
	mux.HandleFunc("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Bearer xapp-1-test" {
			fmt.Fprint(w, `{"ok":false,"error":"invalid_auth"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if s.failed.Add(1) <= s.failOpens {
			fmt.Fprint(w, `{"ok":false,"error":"internal_error"}`)
			return
		}
		n := s.opens.Add(1)
		fmt.Fprintf(w, `{"ok":true,"url":"ws://%s/link/?ticket=t%d&app_id=A0BRIEFBOT"}`, r.Host, n)
	})
	mux.HandleFunc("/link/", func(w http.ResponseWriter, r *http.Request) {
		n := int(s.opens.Load())
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			s.errs <- err
			return
		}
		defer conn.Close()
		if n > len(s.scripts) {
			s.errs <- fmt.Errorf("unexpected connection %d", n)
			return
		}
		if err := s.scripts[n-1](conn); err != nil {
			s.errs <- fmt.Errorf("connection %d: %w", n, err)
		}
	})
	mux.HandleFunc("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		s.mu.Lock()
		code := s.postErr
		if code == "" {
			s.posts = append(s.posts, r.PostForm.Get("channel"))
		}
		s.mu.Unlock()
		if code != "" {
			fmt.Fprintf(w, `{"ok":false,"error":%q}`, code)
			return
		}
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1764000000.009999"}`, r.PostForm.Get("channel"))
	})
	mux.HandleFunc("/chat.postEphemeral", func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		s.thanks++
		s.mu.Unlock()
		fmt.Fprint(w, `{"ok":true,"message_ts":"1764000000.009998"}`)
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

func socketConfig(apiURL string) Config {
	return Config{BotToken: "xoxb-1-test", AppToken: "xapp-1-test", APIURL: apiURL, BotUserID: testBotID}
}

// Wire-format Socket Mode frames.
func hello() string {
	return `{"type":"hello","num_connections":1,"debug_info":{"host":"applink-test-1","build_number":118,"approximate_connection_time":18060},"connection_info":{"app_id":"A0BRIEFBOT"}}`
}

func disconnect() string {
	return `{"type":"disconnect","reason":"refresh_requested","debug_info":{"host":"applink-test-1"}}`
}

func envelope(kind, id string, payload []byte, retry int) string {
	b, err := json.Marshal(map[string]any{
		"envelope_id": id, "type": kind, "payload": json.RawMessage(payload),
		"accepts_response_payload": kind != "events_api", "retry_attempt": retry,
		"retry_reason": map[bool]string{true: "timeout", false: ""}[retry > 0],
	})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// sendAndAwaitAck writes frame and reads the client's acknowledgement.
func (s *socketServer) sendAndAwaitAck(c *websocket.Conn, frame, envelopeID string) error {
	if err := c.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		return err
	}
	_ = c.SetReadDeadline(time.Now().Add(testWait))
	var ack struct {
		EnvelopeID string `json:"envelope_id"`
	}
	if err := c.ReadJSON(&ack); err != nil {
		return fmt.Errorf("reading ack of %s: %w", envelopeID, err)
	}
	if ack.EnvelopeID != envelopeID {
		return fmt.Errorf("ack for %q, want %q", ack.EnvelopeID, envelopeID)
	}
	s.acks <- ack.EnvelopeID
	return nil
}

// drain reads until the client closes the connection.
func drain(c *websocket.Conn) error {
	_ = c.SetReadDeadline(time.Now().Add(2 * testWait))
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			return nil
		}
	}
}

// TestSocketModeReconnectsAfterDisconnect: the first connection delivers an
// app mention and then asks the client to disconnect; the client opens a
// second connection that delivers a direct message, a redelivery of the
// first event, a slash command and a feedback click. Every envelope is
// acknowledged, the redelivery carries the first event's ID and is answered
// once, and Run returns nil when its context ends.
func TestSocketModeReconnectsAfterDisconnect(t *testing.T) {
	mention := eventCallback("Ev0SOCKET1", appMention("U0REPORTER", "<@"+testBotID+"> wie won?", "1764000000.000100"))
	dm := eventCallback("Ev0SOCKET2", directMessage("U0REPORTER", "en wanneer?", "1764000000.000200"))
	command := []byte(`{"token":"x","team_id":"T0NEWSROOM","team_domain":"redactie","channel_id":"C0POLITIEK","channel_name":"politiek",` +
		`"user_id":"U0REPORTER","user_name":"anne","command":"/briefbot","text":"stikstof","api_app_id":"A0BRIEFBOT",` +
		`"is_enterprise_install":"false","response_url":"https://hooks.slack.com/commands/1","trigger_id":"42.42.abc"}`)
	click := []byte(`{"type":"block_actions","user":{"id":"U0REPORTER"},"team":{"id":"T0NEWSROOM"},"api_app_id":"A0BRIEFBOT",` +
		`"container":{"type":"message","message_ts":"1764000000.009999","channel_id":"C0POLITIEK"},"channel":{"id":"C0POLITIEK"},` +
		`"trigger_id":"1.2.3","response_url":"https://hooks.slack.com/actions/1",` +
		`"actions":[{"action_id":"briefbot_feedback_up:ans-1","block_id":"briefbot_feedback","value":"ans-1","type":"button","action_ts":"1"}]}`)

	var s *socketServer
	s = newSocketServer(t,
		func(c *websocket.Conn) error {
			if err := c.WriteMessage(websocket.TextMessage, []byte(hello())); err != nil {
				return err
			}
			if err := s.sendAndAwaitAck(c, envelope("events_api", "env-1", mention, 0), "env-1"); err != nil {
				return err
			}
			if err := c.WriteMessage(websocket.TextMessage, []byte(disconnect())); err != nil {
				return err
			}
			return drain(c)
		},
		func(c *websocket.Conn) error {
			if err := c.WriteMessage(websocket.TextMessage, []byte(hello())); err != nil {
				return err
			}
			for _, e := range []struct {
				kind, id string
				payload  []byte
				retry    int
			}{
				{"events_api", "env-2", dm, 0},
				{"events_api", "env-3", mention, 1}, // Slack redelivers Ev0SOCKET1
				{"slash_commands", "env-4", command, 0},
				{"interactive", "env-5", click, 0},
			} {
				if err := s.sendAndAwaitAck(c, envelope(e.kind, e.id, e.payload, e.retry), e.id); err != nil {
					return err
				}
			}
			return drain(c)
		},
	)

	h := newDedupeHandler()
	feedback := make(chan string, 1)
	a := newTestAdapter(t, socketConfig(s.srv.URL+"/"), Options{
		Workers: 1,
		Feedback: func(_ context.Context, ref string, user bot.UserID, helpful bool) error {
			feedback <- fmt.Sprintf("%s %s %v", ref, user, helpful)
			return nil
		},
	})
	startRun(t, a, h)

	var acks []string
	for range 5 {
		select {
		case id := <-s.acks:
			acks = append(acks, id)
		case err := <-s.errs:
			t.Fatalf("script: %v", err)
		case <-time.After(testWait):
			t.Fatalf("timed out after acks %v", acks)
		}
	}
	if diff := cmp.Diff(acks, []string{"env-1", "env-2", "env-3", "env-4", "env-5"}); diff != "" {
		t.Errorf("acks (-got +want):\n%s", diff)
	}
	var got []string
	for range 4 {
		m := receive(t, h.done, "a message")
		got = append(got, fmt.Sprintf("%s %s %q direct=%v mentioned=%v", m.EventID, m.Conversation, m.Text, m.Direct, m.Mentioned))
	}
	want := []string{
		`Ev0SOCKET1 C0POLITIEK "wie won?" direct=false mentioned=true`,
		`Ev0SOCKET2 D0DIRECT1 "en wanneer?" direct=true mentioned=false`,
		`Ev0SOCKET1 C0POLITIEK "wie won?" direct=false mentioned=true`,
		`command:42.42.abc C0POLITIEK "stikstof" direct=true mentioned=false`,
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("messages handled (-got +want):\n%s", diff)
	}
	if fb := receive(t, feedback, "the feedback"); fb != "ans-1 U0REPORTER true" {
		t.Errorf("feedback = %q", fb)
	}
	if n := s.opens.Load(); n != 2 {
		t.Errorf("apps.connections.open called %d times, want 2", n)
	}
	if !a.Connected() || a.Reconnects() != 1 {
		t.Errorf("Connected() = %v, Reconnects() = %d; want true and 1 after the disconnect", a.Connected(), a.Reconnects())
	}
	if errs := h.Errs(); len(errs) > 0 {
		t.Fatalf("Send: %v", errs)
	}
	s.mu.Lock()
	posts := strings.Join(s.posts, ",")
	s.mu.Unlock()
	// Ev0SOCKET1 once (not for its redelivery), Ev0SOCKET2, the command.
	if posts != "C0POLITIEK,D0DIRECT1,C0POLITIEK" {
		t.Errorf("answers posted to %q, want one per event", posts)
	}
}

// TestSocketModeRefusedToken: when Slack refuses the app-level token, Run
// stops with an error naming the key to fix instead of retrying forever.
func TestSocketModeRefusedToken(t *testing.T) {
	s := newSocketServer(t)
	cfg := socketConfig(s.srv.URL + "/")
	cfg.AppToken = "xapp-1-revoked"
	a := newTestAdapter(t, cfg, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	err := a.Run(ctx, newRecorder())
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") || !strings.Contains(err.Error(), "slack.app_token") {
		t.Fatalf("Run = %v, want an invalid_auth error naming slack.app_token", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Run only returned because the test's deadline passed")
	}
}

// TestRunReturnsNilWhenContextEnds in both modes, and refuses a second
// concurrent Run.
func TestRunReturnsNilWhenContextEnds(t *testing.T) {
	s := newSocketServer(t, func(c *websocket.Conn) error {
		if err := c.WriteMessage(websocket.TextMessage, []byte(hello())); err != nil {
			return err
		}
		return drain(c)
	})
	for _, cfg := range []Config{socketConfig(s.srv.URL + "/"), httpConfig(s.srv.URL + "/")} {
		t.Run(cfg.withDefaults().Mode, func(t *testing.T) {
			a := newTestAdapter(t, cfg, Options{})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- a.Run(ctx, newRecorder()) }()
			eventually(t, "Run accepts work", func() bool { return a.current() != nil })
			if err := a.Run(ctx, newRecorder()); err == nil {
				t.Error("a second concurrent Run succeeded")
			}
			cancel()
			if err := receive(t, done, "Run to return"); err != nil {
				t.Errorf("Run = %v, want nil", err)
			}
		})
	}
}

// TestReconnectsCountOnlyReconnects: the first connection of a Run is not a
// reconnect, even after failed attempts or a stopped earlier Run, and HTTP
// mode never reconnects; a connection Slack closed and the client opened
// again is one.
func TestReconnectsCountOnlyReconnects(t *testing.T) {
	var s *socketServer
	// up says hello and has one envelope acknowledged: the adapter handles
	// slack-go's events in order, so by then it has seen the connection.
	up := func(id string) func(c *websocket.Conn) error {
		return func(c *websocket.Conn) error {
			if err := c.WriteMessage(websocket.TextMessage, []byte(hello())); err != nil {
				return err
			}
			ping := eventCallback("Ev0"+id, map[string]any{"type": "reaction_added", "user": "U0REPORTER", "reaction": "eyes"})
			if err := s.sendAndAwaitAck(c, envelope("events_api", id, ping, 0), id); err != nil {
				return err
			}
			return drain(c)
		}
	}
	upThenDisconnect := func(c *websocket.Conn) error {
		if err := c.WriteMessage(websocket.TextMessage, []byte(hello())); err != nil {
			return err
		}
		if err := c.WriteMessage(websocket.TextMessage, []byte(disconnect())); err != nil {
			return err
		}
		return drain(c)
	}
	s = newSocketServer(t, up("env-1"), upThenDisconnect, up("env-3"))
	s.failOpens = 1
	a := newTestAdapter(t, socketConfig(s.srv.URL+"/"), Options{})

	// run starts Run, waits for the acknowledgement of envelope id, checks
	// the count and stops Run.
	run := func(id string, want uint64) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- a.Run(ctx, newRecorder()) }()
		select {
		case got := <-s.acks:
			if got != id {
				t.Fatalf("ack %q, want %q", got, id)
			}
		case err := <-s.errs:
			t.Fatalf("script: %v", err)
		case <-time.After(testWait):
			t.Fatalf("timed out waiting for %s", id)
		}
		if !a.Connected() {
			t.Errorf("Connected() = false while connected")
		}
		if got := a.Reconnects(); got != want {
			t.Errorf("when %s arrived: Reconnects() = %d, want %d", id, got, want)
		}
		cancel()
		if err := receive(t, done, "Run to return"); err != nil {
			t.Errorf("Run = %v", err)
		}
		if a.Connected() {
			t.Error("Connected() after Run returned")
		}
	}
	run("env-1", 0) // the first connection, after a failed apps.connections.open
	run("env-3", 1) // a second Run: its first connection is no reconnect, the one after the disconnect is

	h := newTestAdapter(t, httpConfig(s.srv.URL+"/"), Options{})
	for range 2 {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- h.Run(ctx, newRecorder()) }()
		eventually(t, "HTTP mode is up", h.Connected)
		cancel()
		if err := receive(t, done, "Run to return"); err != nil {
			t.Errorf("Run = %v", err)
		}
	}
	if got := h.Reconnects(); got != 0 {
		t.Errorf("HTTP mode: Reconnects() = %d after two Runs, want 0", got)
	}
}
