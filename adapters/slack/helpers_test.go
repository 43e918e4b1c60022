package slack

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"github.com/briefbot/briefbot/bot"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

const (
	testSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	testBotID  = "U0BRIEFBOT"
	testWait   = 10 * time.Second
)

var testNow = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// post is one chat.postMessage request as the fake Slack received it.
type post struct {
	Channel   string
	ThreadTS  string
	Text      string
	Parse     string
	LinkNames string
	Mrkdwn    string
	Blocks    string
}

// fakeSlack is slacktest's server with chat.postMessage and
// chat.postEphemeral recorded. hook, when set, sees every postMessage call
// (1-based) first and may answer it itself (a 429, a 500) by returning true.
type fakeSlack struct {
	srv  *slacktest.Server
	hook func(n int, w http.ResponseWriter, r *http.Request) bool

	mu        sync.Mutex
	calls     int
	posts     []post
	ephemeral []url.Values
	postedCh  chan post
}

func newFakeSlack(t *testing.T, hook func(n int, w http.ResponseWriter, r *http.Request) bool) *fakeSlack {
	t.Helper()
	f := &fakeSlack{hook: hook, postedCh: make(chan post, 1000)}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", f.postMessage)
		c.Handle("/chat.postEphemeral", f.postEphemeral)
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

func (f *fakeSlack) URL() string { return f.srv.GetAPIURL() }

func (f *fakeSlack) postMessage(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	if f.hook != nil && f.hook(n, w, r) {
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p := post{
		Channel:   r.PostForm.Get("channel"),
		ThreadTS:  r.PostForm.Get("thread_ts"),
		Text:      r.PostForm.Get("text"),
		Parse:     r.PostForm.Get("parse"),
		LinkNames: r.PostForm.Get("link_names"),
		Mrkdwn:    r.PostForm.Get("mrkdwn"),
		Blocks:    r.PostForm.Get("blocks"),
	}
	f.mu.Lock()
	f.posts = append(f.posts, p)
	ts := fmt.Sprintf("1764000000.%06d", len(f.posts))
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, p.Channel, ts)
	f.postedCh <- p
}

func (f *fakeSlack) postEphemeral(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.ephemeral = append(f.ephemeral, r.PostForm)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"ok":true,"message_ts":"1764000000.000100"}`)
}

func (f *fakeSlack) Posts() []post {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]post(nil), f.posts...)
}

func (f *fakeSlack) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// testLogger writes the adapter's logs to the test log.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

func httpConfig(apiURL string) Config {
	return Config{Mode: ModeHTTP, BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: apiURL, BotUserID: testBotID}
}

func newTestAdapter(t *testing.T, cfg Config, opts Options) *Adapter {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	if opts.Clock == nil {
		opts.Clock = func() time.Time { return testNow }
	}
	a, err := New(cfg, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

// startRun runs a.Run(h) until the test ends and checks it returns nil
// then. It waits until Run accepts work.
func startRun(t *testing.T, a *Adapter, h bot.Handler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v after ctx ended, want nil", err)
			}
		case <-time.After(testWait):
			t.Errorf("Run did not return after ctx ended")
		}
	})
	eventually(t, "Run accepts work", func() bool { return a.current() != nil })
}

// eventually polls cond until it holds or the test deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		<-tick.C
	}
}

// receive waits for one value from ch.
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(testWait):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// recorder is a bot.Handler that records every message.
type recorder struct{ got chan bot.Message }

func newRecorder() *recorder { return &recorder{got: make(chan bot.Message, 100)} }

func (r *recorder) HandleMessage(_ context.Context, _ bot.Sender, m bot.Message) { r.got <- m }

// dedupeHandler answers each EventID once, as the core does with its
// store's MarkProcessed, and reports every message it saw.
type dedupeHandler struct {
	mu   sync.Mutex
	seen map[bot.EventID]bool
	errs []error
	done chan bot.Message
}

func newDedupeHandler() *dedupeHandler {
	return &dedupeHandler{seen: map[bot.EventID]bool{}, done: make(chan bot.Message, 100)}
}

func (h *dedupeHandler) HandleMessage(ctx context.Context, from bot.Sender, m bot.Message) {
	h.mu.Lock()
	first := !h.seen[m.EventID]
	h.seen[m.EventID] = true
	h.mu.Unlock()
	if first {
		if err := from.Send(ctx, bot.Target{Conversation: m.Conversation, Thread: m.Thread}, bot.Reply{Answer: "Het kabinet viel op 7 juli."}); err != nil {
			h.mu.Lock()
			h.errs = append(h.errs, err)
			h.mu.Unlock()
		}
	}
	h.done <- m
}

func (h *dedupeHandler) Errs() []error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]error(nil), h.errs...)
}

// eventCallback is an Events API event_callback body as Slack sends it.
func eventCallback(eventID string, inner map[string]any) []byte {
	b, err := json.Marshal(map[string]any{
		"token":         "XXYYZZ",
		"team_id":       "T0NEWSROOM",
		"api_app_id":    "A0BRIEFBOT",
		"event":         inner,
		"type":          "event_callback",
		"event_id":      eventID,
		"event_time":    1764000000,
		"event_context": "4-eyJldCI6ImFwcF9tZW50aW9uIn0",
		"authorizations": []map[string]any{{
			"enterprise_id": nil, "team_id": "T0NEWSROOM", "user_id": testBotID, "is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false,
	})
	if err != nil {
		panic(err)
	}
	return b
}

func appMention(user, text, ts string) map[string]any {
	return map[string]any{
		"type": "app_mention", "user": user, "text": text, "ts": ts,
		"channel": "C0POLITIEK", "event_ts": ts, "team": "T0NEWSROOM",
		"client_msg_id": "5a3a8d1e-0d6c-4a38-8c67-000000000001",
	}
}

func directMessage(user, text, ts string) map[string]any {
	return map[string]any{
		"type": "message", "user": user, "text": text, "ts": ts,
		"channel": "D0DIRECT1", "channel_type": "im", "event_ts": ts, "team": "T0NEWSROOM",
		"client_msg_id": "5a3a8d1e-0d6c-4a38-8c67-000000000002",
	}
}

// signed builds a request to the adapter's HTTP handler signed with secret
// at time ts, as Slack signs it.
func signed(t *testing.T, srvURL, path, contentType string, body []byte, secret string, ts time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srvURL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return req
}

// do sends req with a client that gives up after testWait and returns the
// status and body.
func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: testWait}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// httpAdapter starts an http-mode adapter with the given handler and
// options, served by an httptest server; it returns the server URL.
func httpAdapter(t *testing.T, f *fakeSlack, h bot.Handler, opts Options) (*Adapter, string) {
	t.Helper()
	a := newTestAdapter(t, httpConfig(f.URL()), opts)
	srv := newServer(t, a)
	if h != nil {
		startRun(t, a, h)
	}
	return a, srv
}
