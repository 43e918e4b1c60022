package slack

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gorilla/websocket"

	"github.com/briefbot/briefbot/bot"
)

// directMention is one direct message that mentions the bot as Slack
// delivers it twice: as message.im and as app_mention, with different
// event IDs but the same channel and ts.
func directMention(ts string) (im, mention []byte) {
	text := "<@" + testBotID + "> wie heeft Krebs ontslagen?"
	dm := directMessage("U0REPORTER", text, ts)
	am := appMention("U0REPORTER", text, ts)
	am["channel"] = "D0DIRECT1"
	return eventCallback("Ev0AS_IM", dm), eventCallback("Ev0AS_MENTION", am)
}

// TestHTTPDirectMentionAnsweredOnce: over the Events API, whichever of the
// two deliveries of a direct message that mentions the bot arrives first is
// handled and the other is acknowledged and dropped, so the core answers
// once even though the event IDs differ.
func TestHTTPDirectMentionAnsweredOnce(t *testing.T) {
	im, mention := directMention("1764000000.000800")
	tests := []struct {
		name  string
		order [][]byte
		want  bot.EventID
	}{
		{"message.im first", [][]byte{im, mention}, "Ev0AS_IM"},
		{"app_mention first", [][]byte{mention, im}, "Ev0AS_MENTION"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t, nil)
			h := newDedupeHandler()
			_, srv := httpAdapter(t, f, h, Options{Workers: 1})
			sentinel := eventCallback("Ev0SENTINEL", directMessage("U0REPORTER", "ping", "1764000000.000899"))
			for i, body := range append(tt.order, sentinel) {
				if status, _ := do(t, signed(t, srv, "/slack/events", jsonType, body, testSecret, testNow)); status != http.StatusOK {
					t.Fatalf("delivery %d: status %d, want 200", i, status)
				}
			}
			var got []string
			for {
				m := receive(t, h.done, "the sentinel")
				got = append(got, fmt.Sprintf("%s direct=%v mentioned=%v %q", m.EventID, m.Direct, m.Mentioned, m.Text))
				if m.EventID == "Ev0SENTINEL" {
					break
				}
			}
			want := []string{
				fmt.Sprintf("%s direct=true mentioned=true %q", tt.want, "wie heeft Krebs ontslagen?"),
				`Ev0SENTINEL direct=true mentioned=false "ping"`,
			}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("messages handled (-got +want):\n%s", diff)
			}
			if n := len(f.Posts()); n != 2 {
				t.Errorf("posted %d answers, want 2 (the question once, the sentinel)", n)
			}
		})
	}
}

// TestSocketModeDirectMentionAnsweredOnce: the same over Socket Mode; both
// envelopes are acknowledged, one message reaches the core.
func TestSocketModeDirectMentionAnsweredOnce(t *testing.T) {
	im, mention := directMention("1764000000.000800")
	sentinel := eventCallback("Ev0SENTINEL", directMessage("U0REPORTER", "ping", "1764000000.000899"))
	var s *socketServer
	s = newSocketServer(t, func(c *websocket.Conn) error {
		if err := c.WriteMessage(websocket.TextMessage, []byte(hello())); err != nil {
			return err
		}
		for i, p := range [][]byte{mention, im, sentinel} {
			id := fmt.Sprintf("env-%d", i+1)
			if err := s.sendAndAwaitAck(c, envelope("events_api", id, p, 0), id); err != nil {
				return err
			}
		}
		return drain(c)
	})
	h := newDedupeHandler()
	a := newTestAdapter(t, socketConfig(s.srv.URL+"/"), Options{Workers: 1})
	startRun(t, a, h)
	var got []bot.EventID
	for {
		m := receive(t, h.done, "the sentinel")
		got = append(got, m.EventID)
		if m.EventID == "Ev0SENTINEL" {
			break
		}
	}
	if diff := cmp.Diff(got, []bot.EventID{"Ev0AS_MENTION", "Ev0SENTINEL"}); diff != "" {
		t.Errorf("messages handled (-got +want):\n%s", diff)
	}
	s.mu.Lock()
	n := len(s.posts)
	s.mu.Unlock()
	if n != 2 {
		t.Errorf("posted %d answers, want 2", n)
	}
}

// TestMessageOnce: the set remembers which event first delivered a message
// for a while, within a bounded size.
func TestMessageOnce(t *testing.T) {
	t0 := testNow
	type step struct {
		key  string
		id   bot.EventID
		at   time.Duration // after t0
		want bool          // the event may be handled
		drop bool          // release the claim afterwards (its hand-over failed)
	}
	tests := []struct {
		name  string
		ttl   time.Duration
		max   int
		steps []step
	}{
		{"second event for the same message is refused", time.Hour, 10, []step{
			{key: "D1/1.1", id: "EvA", want: true},
			{key: "D1/1.1", id: "EvB", at: time.Minute, want: false},
		}},
		{"a redelivery of the first event passes", time.Hour, 10, []step{
			{key: "D1/1.1", id: "EvA", want: true},
			{key: "D1/1.1", id: "EvA", at: time.Minute, want: true},
			{key: "D1/1.1", id: "EvB", at: 2 * time.Minute, want: false},
		}},
		{"other messages are independent", time.Hour, 10, []step{
			{key: "D1/1.1", id: "EvA", want: true},
			{key: "D1/1.2", id: "EvB", want: true},
			{key: "C1/1.1", id: "EvC", want: true},
		}},
		{"forgotten after the TTL", time.Hour, 10, []step{
			{key: "D1/1.1", id: "EvA", want: true},
			{key: "D1/1.1", id: "EvB", at: time.Hour + time.Second, want: true},
		}},
		{"a released claim lets the other event through", time.Hour, 10, []step{
			{key: "D1/1.1", id: "EvA", want: true, drop: true},
			{key: "D1/1.1", id: "EvB", want: true},
		}},
		{"the oldest is forgotten beyond the size cap", time.Hour, 2, []step{
			{key: "D1/1.1", id: "EvA", want: true},
			{key: "D1/1.2", id: "EvB", want: true},
			{key: "D1/1.3", id: "EvC", want: true},
			{key: "D1/1.1", id: "EvD", want: true},
			{key: "D1/1.3", id: "EvE", want: false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newMessageOnce(tt.ttl, tt.max)
			for i, s := range tt.steps {
				if got := o.claim(s.key, s.id, t0.Add(s.at)); got != s.want {
					t.Errorf("step %d: claim(%q, %q) = %v, want %v", i, s.key, s.id, got, s.want)
				}
				if s.drop {
					o.release(s.key, s.id)
				}
				if n := o.len(); n > tt.max {
					t.Errorf("step %d: %d entries, cap %d", i, n, tt.max)
				}
			}
		})
	}
}
