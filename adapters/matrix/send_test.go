package matrix

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"maunium.net/go/mautrix"

	"github.com/briefbot/briefbot/bot"
)

// fakeSends is an httptest homeserver for the send endpoint only: it
// answers each PUT with the next scripted response and records what came
// in. Dendrite's own rate limiter is off in its CI config, so rate limits
// are tested here.
type fakeSends struct {
	mu       sync.Mutex
	script   []fakeResponse
	requests []sendRequest
	posted   map[string]bool // transaction IDs that produced an event
}

type fakeResponse struct {
	status int
	header map[string]string
	body   string
	// lost: the event is stored, then the connection drops before the
	// response, as when a proxy times out.
	lost bool
}

type sendRequest struct {
	Path string
	Txn  string
	Body map[string]any
}

func (f *fakeSends) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut || !strings.Contains(r.URL.Path, "/send/") {
		http.Error(w, `{"errcode":"M_UNRECOGNIZED"}`, http.StatusNotFound)
		return
	}
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	txn := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	f.mu.Lock()
	f.requests = append(f.requests, sendRequest{Path: r.URL.Path[:strings.LastIndex(r.URL.Path, "/")], Txn: txn, Body: body})
	resp := fakeResponse{status: http.StatusOK, body: `{"event_id":"$ok"}`}
	if len(f.script) > 0 {
		resp, f.script = f.script[0], f.script[1:]
	}
	if resp.status == http.StatusOK || resp.lost {
		if f.posted == nil {
			f.posted = map[string]bool{}
		}
		f.posted[txn] = true // a transaction ID posts one event, however often it is sent
	}
	f.mu.Unlock()
	if resp.lost {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
		return
	}
	for k, v := range resp.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.status)
	_, _ = io.WriteString(w, resp.body)
}

// newSendAdapter returns a logged-in adapter on srv whose waits are
// recorded instead of slept.
func newSendAdapter(t *testing.T, srv *httptest.Server) (*Adapter, *[]time.Duration) {
	t.Helper()
	off := false
	a, err := New(Config{Homeserver: srv.URL, UserID: "@briefbot:example.org", AccessToken: "syt_token", Encryption: &off},
		Options{State: newTestState(t), Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	a.cli.AccessToken = "syt_token"
	a.loggedIn.Store(true)
	var waits []time.Duration
	a.wait = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return ctx.Err()
	}
	return a, &waits
}

func TestSendRetriesRateLimitsWithTheSameTransaction(t *testing.T) {
	cases := []struct {
		name      string
		script    []fakeResponse
		wantWaits []time.Duration
	}{
		{"retry_after_ms in the body (Dendrite)", []fakeResponse{
			{status: 429, body: `{"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests","retry_after_ms":1500}`},
		}, []time.Duration{1500 * time.Millisecond}},
		{"Retry-After header", []fakeResponse{
			{status: 429, header: map[string]string{"Retry-After": "3"}, body: `{"errcode":"M_LIMIT_EXCEEDED"}`},
		}, []time.Duration{3 * time.Second}},
		{"the body wins over the header", []fakeResponse{
			{status: 429, header: map[string]string{"Retry-After": "9"}, body: `{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":250}`},
		}, []time.Duration{250 * time.Millisecond}},
		{"absurd waits are capped", []fakeResponse{
			{status: 429, body: `{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":86400000}`},
		}, []time.Duration{maxRetryAfter}},
		{"response lost after the event was stored", []fakeResponse{
			{lost: true},
		}, []time.Duration{time.Second}},
		{"twice limited, then a gateway error", []fakeResponse{
			{status: 429, body: `{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":100}`},
			{status: 429, body: `{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":200}`},
			{status: 502, body: `bad gateway`},
		}, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 4 * time.Second}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake := &fakeSends{script: c.script}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			a, waits := newSendAdapter(t, srv)
			a.threads.add("$root", "$question")
			err := a.Send(t.Context(), bot.Target{Conversation: "!room:example.org", Thread: "$root"}, bot.Reply{Answer: "Donald Trump"})
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if diff := cmp.Diff(*waits, c.wantWaits); diff != "" {
				t.Errorf("waits (-got +want):\n%s", diff)
			}
			if len(fake.requests) != len(c.script)+1 {
				t.Fatalf("%d requests, want %d", len(fake.requests), len(c.script)+1)
			}
			for _, r := range fake.requests {
				if r.Txn != fake.requests[0].Txn {
					t.Errorf("transaction IDs differ across retries: %q and %q", fake.requests[0].Txn, r.Txn)
				}
			}
			if len(fake.posted) != 1 {
				t.Errorf("%d events posted, want exactly 1", len(fake.posted))
			}
			wantBody := map[string]any{
				"msgtype":        "m.notice",
				"body":           "Donald Trump",
				"format":         "org.matrix.custom.html",
				"formatted_body": "<p><strong>Donald Trump</strong></p>",
				"m.mentions":     map[string]any{},
				"m.relates_to": map[string]any{
					"rel_type":        "m.thread",
					"event_id":        "$root",
					"is_falling_back": true,
					"m.in_reply_to":   map[string]any{"event_id": "$question"},
				},
			}
			if diff := cmp.Diff(fake.requests[0].Body, wantBody); diff != "" {
				t.Errorf("event content (-got +want):\n%s", diff)
			}
			if want := "/_matrix/client/v3/rooms/!room:example.org/send/m.room.message"; fake.requests[0].Path != want {
				t.Errorf("path %q, want %q", fake.requests[0].Path, want)
			}
		})
	}
}

func TestSendReplyWithoutThread(t *testing.T) {
	fake := &fakeSends{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	a, _ := newSendAdapter(t, srv)
	if err := a.Send(t.Context(), bot.Target{Conversation: "!room:example.org", Thread: "$question"}, bot.Reply{Notice: "Niets nieuws."}); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"m.in_reply_to": map[string]any{"event_id": "$question"}}
	if diff := cmp.Diff(fake.requests[0].Body["m.relates_to"], any(want)); diff != "" {
		t.Errorf("relates_to (-got +want):\n%s", diff)
	}
	if err := a.Send(t.Context(), bot.Target{Conversation: "!room:example.org"}, bot.Reply{Notice: "Digest"}); err != nil {
		t.Fatal(err)
	}
	if rel, ok := fake.requests[1].Body["m.relates_to"]; ok {
		t.Errorf("a post to the room has relates_to %v", rel)
	}
}

func TestSendErrors(t *testing.T) {
	cases := []struct {
		name      string
		script    []fakeResponse
		target    bot.Target
		reply     bot.Reply
		wantErr   string
		wantIs    error
		wantCalls int
	}{
		{"forbidden is not retried", []fakeResponse{{status: 403, body: `{"errcode":"M_FORBIDDEN","error":"not in room"}`}},
			bot.Target{Conversation: "!room:example.org"}, bot.Reply{Answer: "x"}, "M_FORBIDDEN", mautrix.MForbidden, 1},
		{"a rejected token says what to do", []fakeResponse{{status: 401, body: `{"errcode":"M_UNKNOWN_TOKEN","error":"Unknown token"}`}},
			bot.Target{Conversation: "!room:example.org"}, bot.Reply{Answer: "x"},
			"the Matrix access token for @briefbot:example.org was rejected by the homeserver", mautrix.MUnknownToken, 1},
		{"not a room ID", nil, bot.Target{Conversation: "#alias:example.org"}, bot.Reply{Answer: "x"}, "is not a Matrix room ID", nil, 0},
		{"empty reply", nil, bot.Target{Conversation: "!room:example.org"}, bot.Reply{}, "the reply is empty", nil, 0},
		{"server errors give up after the attempts", func() []fakeResponse {
			var s []fakeResponse
			for range maxSendAttempts {
				s = append(s, fakeResponse{status: 500, body: `{"errcode":"M_UNKNOWN","error":"boom"}`})
			}
			return s
		}(), bot.Target{Conversation: "!room:example.org"}, bot.Reply{Answer: "x"}, "boom", nil, maxSendAttempts},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake := &fakeSends{script: c.script}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			a, _ := newSendAdapter(t, srv)
			err := a.Send(t.Context(), c.target, c.reply)
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("Send = %v, want an error containing %q", err, c.wantErr)
			}
			if c.wantIs != nil && !errors.Is(err, c.wantIs) {
				t.Errorf("Send = %v, want it to wrap %v", err, c.wantIs)
			}
			if len(fake.requests) != c.wantCalls {
				t.Errorf("%d requests, want %d", len(fake.requests), c.wantCalls)
			}
		})
	}
}

func TestSendBeforeLogin(t *testing.T) {
	off := false
	a, err := New(Config{Homeserver: "http://127.0.0.1:9", UserID: "@b:example.org", AccessToken: "t", Encryption: &off}, Options{State: newTestState(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Send(t.Context(), bot.Target{Conversation: "!r:example.org"}, bot.Reply{Answer: "x"}); err == nil || !strings.Contains(err.Error(), "before Run has logged in") {
		t.Errorf("Send before Run = %v, want the not-logged-in error", err)
	}
}

func TestSendStopsWaitingWhenCtxEnds(t *testing.T) {
	fake := &fakeSends{script: []fakeResponse{{status: 429, body: `{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":60000}`}}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	a, _ := newSendAdapter(t, srv)
	a.wait = sleepCtx
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- a.Send(ctx, bot.Target{Conversation: "!room:example.org"}, bot.Reply{Answer: "x"}) }()
	// Cancel once the first attempt has been answered with the 429.
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		fake.mu.Lock()
		n := len(fake.requests)
		fake.mu.Unlock()
		if n > 0 {
			break
		}
		<-tick.C
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Send after cancel = %v, want context.Canceled", err)
	}
}
