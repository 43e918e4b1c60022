package slack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
)

// fakeTimer replaces time.After: every wait is reported on asked and ends
// when the test sends on fire.
type fakeTimer struct {
	asked chan time.Duration
	fire  chan time.Time
}

func newFakeTimer() *fakeTimer {
	return &fakeTimer{asked: make(chan time.Duration, 10), fire: make(chan time.Time)}
}

func (f *fakeTimer) After(d time.Duration) <-chan time.Time {
	f.asked <- d
	return f.fire
}

// TestSendEscapesMentions: reply text cannot ping anyone: <!channel>,
// <@U…>, @here and & < > arrive as entities (or with a word joiner) in the
// posted blocks and fallback text, and link_names is never set.
func TestSendEscapesMentions(t *testing.T) {
	f := newFakeSlack(t, nil)
	a := newTestAdapter(t, httpConfig(f.URL()), Options{})
	hostile := "Let op <!channel> en <!here|here> en @here @everyone <@U0BOSS>: R&D < 5 > 3"
	r := bot.Reply{
		Title:     "Alarm <!channel>",
		Answer:    hostile,
		Quote:     "Hij zei: <!everyone> kom & kijk",
		Citations: []bot.Citation{{Title: "Kop <@U0BOSS>", Source: "NOS & co", Date: briefings.Date{Year: 2026, Month: 11, Day: 3}}},
		Notice:    "@channel let op",
	}
	if err := a.Send(context.Background(), bot.Target{Conversation: "C0POLITIEK", Thread: "1764000000.000100"}, r); err != nil {
		t.Fatalf("Send: %v", err)
	}
	posts := f.Posts()
	if len(posts) != 1 {
		t.Fatalf("posted %d messages, want 1", len(posts))
	}
	p := posts[0]
	blockText := blockTexts(t, p.Blocks)
	for _, field := range []struct{ name, s string }{{"blocks", blockText}, {"text", p.Text}} {
		for _, bad := range []string{"<!", "<@", "@here", "@channel", "@everyone", "R&D", "< 5", "> 3"} {
			if strings.Contains(field.s, bad) {
				t.Errorf("%s contains %q unescaped:\n%s", field.name, bad, field.s)
			}
		}
	}
	for _, want := range []string{`&lt;!channel&gt;`, `&lt;@U0BOSS&gt;`, `R&amp;D &lt; 5 &gt; 3`, "@\u2060here", "@\u2060everyone", `NOS &amp; co`} {
		if !strings.Contains(blockText, want) {
			t.Errorf("blocks lack %q:\n%s", want, blockText)
		}
	}
	got := struct{ Parse, LinkNames, ThreadTS string }{p.Parse, p.LinkNames, p.ThreadTS}
	want := struct{ Parse, LinkNames, ThreadTS string }{"none", "", "1764000000.000100"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("post parameters (-got +want):\n%s", diff)
	}
}

// TestSendRateLimited: a 429 with Retry-After: 7 is waited out on the
// (fake) timer, and the message is posted exactly once, after the wait.
func TestSendRateLimited(t *testing.T) {
	f := newFakeSlack(t, func(n int, w http.ResponseWriter, _ *http.Request) bool {
		if n == 1 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
		return false
	})
	timer := newFakeTimer()
	a := newTestAdapter(t, httpConfig(f.URL()), Options{After: timer.After})
	done := make(chan error, 1)
	go func() {
		done <- a.Send(context.Background(), bot.Target{Conversation: "C0POLITIEK"}, bot.Reply{Answer: "Op 7 juli."})
	}()
	if d := receive(t, timer.asked, "the Retry-After wait"); d != 7*time.Second {
		t.Errorf("waited %v, want the Retry-After of 7s", d)
	}
	if n := f.Calls(); n != 1 || len(f.Posts()) != 0 {
		t.Fatalf("before the wait ended: %d calls, %d posts; want 1 call, 0 posts", n, len(f.Posts()))
	}
	timer.fire <- testNow
	if err := receive(t, done, "Send to return"); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if n, posts := f.Calls(), len(f.Posts()); n != 2 || posts != 1 {
		t.Errorf("%d calls, %d posts; want 2 calls and exactly 1 post", n, posts)
	}
}

// TestSendRateLimitHonoursContext: a Send waiting out Retry-After returns
// when its context ends, without posting.
func TestSendRateLimitHonoursContext(t *testing.T) {
	f := newFakeSlack(t, func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
		return true
	})
	timer := newFakeTimer()
	a := newTestAdapter(t, httpConfig(f.URL()), Options{After: timer.After})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Send(ctx, bot.Target{Conversation: "C0POLITIEK"}, bot.Reply{Answer: "x"}) }()
	receive(t, timer.asked, "the wait")
	cancel()
	if err := receive(t, done, "Send to return"); !errors.Is(err, context.Canceled) {
		t.Errorf("Send = %v, want context.Canceled", err)
	}
	if n := f.Calls(); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

// TestSendNoRetryWhenAmbiguous: a 5xx or a timeout after the request was
// sent may have posted, so Send reports the error and does not try again.
func TestSendNoRetryWhenAmbiguous(t *testing.T) {
	tests := []struct {
		name string
		hook func(n int, w http.ResponseWriter, r *http.Request) bool
	}{
		{"500", func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			http.Error(w, "<html>oops</html>", http.StatusInternalServerError)
			return true
		}},
		{"503", func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return true
		}},
		{"timeout after send", func(_ int, _ http.ResponseWriter, r *http.Request) bool {
			// Read the request (so the server notices the client leave),
			// then never answer: the client times out after sending.
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(testWait):
			}
			return true
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t, tt.hook)
			timer := newFakeTimer()
			a := newTestAdapter(t, httpConfig(f.URL()), Options{After: timer.After, HTTPClient: &http.Client{Timeout: 200 * time.Millisecond}})
			err := a.Send(context.Background(), bot.Target{Conversation: "C0POLITIEK"}, bot.Reply{Answer: "x"})
			if err == nil {
				t.Fatal("Send succeeded, want an error")
			}
			if n := f.Calls(); n != 1 {
				t.Errorf("%d calls, want 1 (no retry)", n)
			}
			if len(timer.asked) != 0 {
				t.Errorf("Send waited to retry")
			}
		})
	}
}

// TestSendRetriesRefusedConnection: when the connection is refused the
// request never left, so Send backs off and tries again; one post results.
func TestSendRetriesRefusedConnection(t *testing.T) {
	f := newFakeSlack(t, nil)
	// A port nothing listens on: grab one and release it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	var dials atomic.Int32
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		if dials.Add(1) == 1 {
			return d.DialContext(ctx, network, closed) // connection refused
		}
		return d.DialContext(ctx, network, addr)
	}
	timer := newFakeTimer()
	a := newTestAdapter(t, httpConfig(f.URL()), Options{After: timer.After, HTTPClient: &http.Client{Transport: transport, Timeout: testWait}})
	done := make(chan error, 1)
	go func() {
		done <- a.Send(context.Background(), bot.Target{Conversation: "C0POLITIEK"}, bot.Reply{Answer: "x"})
	}()
	receive(t, timer.asked, "the backoff")
	timer.fire <- testNow
	if err := receive(t, done, "Send"); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if n, p := f.Calls(), len(f.Posts()); n != 1 || p != 1 {
		t.Errorf("server saw %d calls and %d posts, want 1 and 1", n, p)
	}
}

// TestSendSplitsLongReplies: a 120-item list goes out as several messages,
// in order, all in the thread, each within Slack's limits.
func TestSendSplitsLongReplies(t *testing.T) {
	f := newFakeSlack(t, nil)
	a := newTestAdapter(t, httpConfig(f.URL()), Options{})
	r := listReply(120)
	if err := a.Send(context.Background(), bot.Target{Conversation: "C0POLITIEK", Thread: "1764000000.000100"}, r); err != nil {
		t.Fatalf("Send: %v", err)
	}
	posts := f.Posts()
	want := render(r, false)
	if len(posts) != len(want) || len(posts) < 3 {
		t.Fatalf("posted %d messages, want %d (at least 3)", len(posts), len(want))
	}
	for i, p := range posts {
		if p.ThreadTS != "1764000000.000100" {
			t.Errorf("message %d thread_ts = %q", i, p.ThreadTS)
		}
		first := map[bool]string{true: "*1. ", false: "*"}[i == 0]
		if !strings.Contains(p.Blocks, first) {
			t.Errorf("message %d does not start a list entry", i)
		}
	}
	if !strings.Contains(posts[len(posts)-1].Blocks, "120. ") {
		t.Errorf("last message lacks item 120")
	}
}

// TestSendRejectsBadInput: an empty reply or target is an error, not a
// silent no-op.
func TestSendRejectsBadInput(t *testing.T) {
	f := newFakeSlack(t, nil)
	a := newTestAdapter(t, httpConfig(f.URL()), Options{})
	if err := a.Send(context.Background(), bot.Target{Conversation: "C0POLITIEK"}, bot.Reply{}); err == nil {
		t.Error("empty reply: no error")
	}
	if err := a.Send(context.Background(), bot.Target{}, bot.Reply{Answer: "x"}); err == nil {
		t.Error("empty target: no error")
	}
	if n := f.Calls(); n != 0 {
		t.Errorf("%d posts, want 0", n)
	}
}

// blockTexts decodes posted blocks JSON and returns every "text" string in
// it, one per line, as Slack reads them.
func blockTexts(t *testing.T, blocksJSON string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(blocksJSON), &v); err != nil {
		t.Fatalf("blocks are not JSON: %v", err)
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "text" {
					out = append(out, s)
				} else {
					walk(x)
				}
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return strings.Join(out, "\n")
}
