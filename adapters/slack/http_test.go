package slack

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
)

const (
	jsonType = "application/json"
	formType = "application/x-www-form-urlencoded"
)

// TestHTTPSignature: only requests signed with the signing secret within
// five minutes of the adapter's clock reach the handler; everything else
// gets 401 and is dropped. The sentinel that follows each request proves
// the rejected one was never queued: with one worker, messages are handled
// in arrival order.
func TestHTTPSignature(t *testing.T) {
	f := newFakeSlack(t, nil)
	rec := newRecorder()
	_, srv := httpAdapter(t, f, rec, Options{Workers: 1})

	body := eventCallback("Ev0SIGNED", appMention("U0REPORTER", "<@"+testBotID+"> wie won de verkiezingen?", "1764000000.000100"))
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		passed bool
	}{
		{"valid", func() *http.Request {
			return signed(t, srv, "/slack/events", jsonType, body, testSecret, testNow)
		}, http.StatusOK, true},
		{"valid, clock 4m59s behind", func() *http.Request {
			return signed(t, srv, "/slack/events", jsonType, body, testSecret, testNow.Add(4*time.Minute+59*time.Second))
		}, http.StatusOK, true},
		{"wrong secret", func() *http.Request {
			return signed(t, srv, "/slack/events", jsonType, body, "not-the-secret", testNow)
		}, http.StatusUnauthorized, false},
		{"body altered after signing", func() *http.Request {
			r := signed(t, srv, "/slack/events", jsonType, body, testSecret, testNow)
			tampered := []byte(strings.Replace(string(body), "verkiezingen", "Eurovisie", 1))
			r2 := signed(t, srv, "/slack/events", jsonType, tampered, testSecret, testNow)
			r2.Header = r.Header
			return r2
		}, http.StatusUnauthorized, false},
		{"stale: signed 5m01s ago", func() *http.Request {
			return signed(t, srv, "/slack/events", jsonType, body, testSecret, testNow.Add(-5*time.Minute-time.Second))
		}, http.StatusUnauthorized, false},
		{"from the future: 6m ahead", func() *http.Request {
			return signed(t, srv, "/slack/events", jsonType, body, testSecret, testNow.Add(6*time.Minute))
		}, http.StatusUnauthorized, false},
		{"missing signature", func() *http.Request {
			r := signed(t, srv, "/slack/events", jsonType, body, testSecret, testNow)
			r.Header.Del("X-Slack-Signature")
			return r
		}, http.StatusUnauthorized, false},
		{"missing timestamp", func() *http.Request {
			r := signed(t, srv, "/slack/events", jsonType, body, testSecret, testNow)
			r.Header.Del("X-Slack-Request-Timestamp")
			return r
		}, http.StatusUnauthorized, false},
		{"signature without v0=", func() *http.Request {
			r := signed(t, srv, "/slack/events", jsonType, body, testSecret, testNow)
			r.Header.Set("X-Slack-Signature", strings.TrimPrefix(r.Header.Get("X-Slack-Signature"), "v0="))
			return r
		}, http.StatusUnauthorized, false},
		{"slash command, wrong secret", func() *http.Request {
			form := url.Values{"command": {"/briefbot"}, "text": {"stikstof"}, "channel_id": {"C0POLITIEK"}, "user_id": {"U0REPORTER"}, "trigger_id": {"13345224609.738474920.8088930838d88f008e0"}}
			return signed(t, srv, "/slack/commands", formType, []byte(form.Encode()), "wrong", testNow)
		}, http.StatusUnauthorized, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _ := do(t, tt.req())
			if status != tt.status {
				t.Fatalf("status = %d, want %d", status, tt.status)
			}
			sentinelID := bot.EventID("Ev0SENTINEL" + string(rune('A'+i)))
			// Each sentinel is a message of its own, with its own ts.
			sentinel := eventCallback(string(sentinelID), directMessage("U0REPORTER", "ping", fmt.Sprintf("1764000001.%06d", i)))
			if status, _ := do(t, signed(t, srv, "/slack/events", jsonType, sentinel, testSecret, testNow)); status != http.StatusOK {
				t.Fatalf("sentinel status = %d", status)
			}
			var got []bot.EventID
			for {
				m := receive(t, rec.got, "the sentinel")
				got = append(got, m.EventID)
				if m.EventID == sentinelID {
					break
				}
			}
			want := []bot.EventID{sentinelID}
			if tt.passed {
				want = []bot.EventID{"Ev0SIGNED", sentinelID}
			}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("handled events (-got +want):\n%s", diff)
			}
		})
	}
}

// TestURLVerification: the challenge is echoed only to a verified request,
// and even before Run starts (Slack checks the URL while the app is being
// set up).
func TestURLVerification(t *testing.T) {
	f := newFakeSlack(t, nil)
	_, srv := httpAdapter(t, f, nil, Options{})
	body := []byte(`{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)

	status, resp := do(t, signed(t, srv, "/slack/events", jsonType, body, "wrong-secret", testNow))
	if status != http.StatusUnauthorized || strings.Contains(resp, "3eZbrw1a") {
		t.Errorf("unverified: status %d body %q, want 401 without the challenge", status, resp)
	}
	status, resp = do(t, signed(t, srv, "/slack/events", jsonType, body, testSecret, testNow))
	if status != http.StatusOK || resp != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("verified: status %d body %q, want 200 and the challenge", status, resp)
	}
}

// blockingHandler blocks every message until release is closed.
type blockingHandler struct {
	started  chan bot.Message
	release  chan struct{}
	finished chan bot.Message
}

func (h *blockingHandler) HandleMessage(ctx context.Context, _ bot.Sender, m bot.Message) {
	h.started <- m
	select {
	case <-h.release:
	case <-ctx.Done():
	}
	h.finished <- m
}

// TestHTTPAcksBeforeHandlerFinishes: Slack gets its 200 while the handler
// is still blocked, so a slow answer never makes Slack redeliver.
func TestHTTPAcksBeforeHandlerFinishes(t *testing.T) {
	f := newFakeSlack(t, nil)
	h := &blockingHandler{started: make(chan bot.Message, 1), release: make(chan struct{}), finished: make(chan bot.Message, 1)}
	_, srv := httpAdapter(t, f, h, Options{})

	body := eventCallback("Ev0SLOW", appMention("U0REPORTER", "<@"+testBotID+"> trage vraag", "1764000000.000200"))
	status, _ := do(t, signed(t, srv, "/slack/events", jsonType, body, testSecret, testNow))
	if status != http.StatusOK {
		t.Fatalf("status = %d, want 200", status)
	}
	// The response is in; the handler has started and is still blocked.
	receive(t, h.started, "the handler to start")
	select {
	case <-h.finished:
		t.Fatal("handler finished before it was released")
	default:
	}
	close(h.release)
	if m := receive(t, h.finished, "the handler to finish"); m.EventID != "Ev0SLOW" {
		t.Errorf("EventID = %q, want Ev0SLOW", m.EventID)
	}
}

// TestHTTPRedeliveryAnsweredOnce: Slack's retry of the same event (same
// event_id, X-Slack-Retry-Num: 1) is acknowledged and passed on with the
// same EventID; a handler that deduplicates by EventID, as the core does,
// posts one answer.
func TestHTTPRedeliveryAnsweredOnce(t *testing.T) {
	f := newFakeSlack(t, nil)
	h := newDedupeHandler()
	_, srv := httpAdapter(t, f, h, Options{Workers: 1})

	body := eventCallback("Ev0TWICE", appMention("U0REPORTER", "<@"+testBotID+"> wanneer viel het kabinet?", "1764000000.000300"))
	first := signed(t, srv, "/slack/events", jsonType, body, testSecret, testNow)
	retry := signed(t, srv, "/slack/events", jsonType, body, testSecret, testNow.Add(3*time.Second))
	retry.Header.Set("X-Slack-Retry-Num", "1")
	retry.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	for _, r := range []*http.Request{first, retry} {
		if status, _ := do(t, r); status != http.StatusOK {
			t.Fatalf("status = %d, want 200", status)
		}
	}
	var ids []bot.EventID
	for range 2 {
		ids = append(ids, receive(t, h.done, "a delivery").EventID)
	}
	if diff := cmp.Diff(ids, []bot.EventID{"Ev0TWICE", "Ev0TWICE"}); diff != "" {
		t.Errorf("EventIDs passed on (-got +want):\n%s", diff)
	}
	if errs := h.Errs(); len(errs) > 0 {
		t.Fatalf("Send: %v", errs)
	}
	posts := f.Posts()
	if len(posts) != 1 {
		t.Fatalf("posted %d answers, want 1", len(posts))
	}
	if diff := cmp.Diff(posts[0].ThreadTS, "1764000000.000300"); diff != "" {
		t.Errorf("thread_ts (-got +want):\n%s", diff)
	}
}

// TestHTTPIgnoresBotsAndEdits: the bot's own messages, other bots',
// edits, deletions and channel chatter never reach the handler.
func TestHTTPIgnoresBotsAndEdits(t *testing.T) {
	f := newFakeSlack(t, nil)
	rec := newRecorder()
	_, srv := httpAdapter(t, f, rec, Options{Workers: 1})

	own := directMessage(testBotID, "Het kabinet viel op 7 juli.", "1764000000.000401")
	botMsg := directMessage("U0OTHERBOT", "deploy done", "1764000000.000402")
	botMsg["bot_id"] = "B0OTHERBOT"
	botSubtype := directMessage("", "RSS: nieuw artikel", "1764000000.000403")
	botSubtype["subtype"] = "bot_message"
	botSubtype["bot_id"] = "B0RSSFEED"
	delete(botSubtype, "user")
	changed := map[string]any{
		"type": "message", "subtype": "message_changed", "channel": "D0DIRECT1", "channel_type": "im", "hidden": true,
		"ts": "1764000000.000404", "event_ts": "1764000000.000404",
		"message": map[string]any{"type": "message", "user": "U0REPORTER", "text": "gewijzigd", "ts": "1764000000.000100"},
	}
	deleted := map[string]any{
		"type": "message", "subtype": "message_deleted", "channel": "D0DIRECT1", "channel_type": "im", "hidden": true,
		"ts": "1764000000.000405", "deleted_ts": "1764000000.000100", "event_ts": "1764000000.000405",
	}
	channelMsg := directMessage("U0REPORTER", "gewoon gepraat", "1764000000.000406")
	channelMsg["channel"], channelMsg["channel_type"] = "C0POLITIEK", "channel"
	mentionByBot := appMention("U0OTHERBOT", "<@"+testBotID+"> hoi", "1764000000.000407")
	mentionByBot["bot_id"] = "B0OTHERBOT"

	for i, ev := range []map[string]any{own, botMsg, botSubtype, changed, deleted, channelMsg, mentionByBot} {
		body := eventCallback("Ev0IGNORED"+string(rune('A'+i)), ev)
		if status, _ := do(t, signed(t, srv, "/slack/events", jsonType, body, testSecret, testNow)); status != http.StatusOK {
			t.Fatalf("event %d: status %d, want 200 (ignored events are still acknowledged)", i, status)
		}
	}
	sentinel := eventCallback("Ev0SENTINEL", directMessage("U0REPORTER", "wat is stikstof?", "1764000000.000499"))
	if status, _ := do(t, signed(t, srv, "/slack/events", jsonType, sentinel, testSecret, testNow)); status != http.StatusOK {
		t.Fatalf("sentinel status %d", status)
	}
	if m := receive(t, rec.got, "the sentinel"); m.EventID != "Ev0SENTINEL" {
		t.Errorf("first handled event is %q, want only the sentinel", m.EventID)
	}
}

// TestHTTPSlashCommand: /briefbot becomes a direct-like message in the
// channel it was typed in, keyed by its trigger_id.
func TestHTTPSlashCommand(t *testing.T) {
	f := newFakeSlack(t, nil)
	rec := newRecorder()
	_, srv := httpAdapter(t, f, rec, Options{})
	form := url.Values{
		"token": {"gIkuvaNzQIHg97ATvDxqgjtO"}, "team_id": {"T0NEWSROOM"}, "team_domain": {"redactie"},
		"channel_id": {"C0POLITIEK"}, "channel_name": {"politiek"}, "user_id": {"U0REPORTER"}, "user_name": {"anne"},
		"command": {"/briefbot"}, "text": {"wat zei de minister over stikstof &amp; boeren?"},
		"api_app_id": {"A0BRIEFBOT"}, "is_enterprise_install": {"false"},
		"response_url": {"https://hooks.slack.com/commands/T0NEWSROOM/1/abc"}, "trigger_id": {"13345224609.738474920.8088930838d88f008e0"},
	}
	status, body := do(t, signed(t, srv, "/slack/commands", formType, []byte(form.Encode()), testSecret, testNow))
	if status != http.StatusOK || body != "" {
		t.Fatalf("status %d body %q, want 200 and an empty body", status, body)
	}
	got := receive(t, rec.got, "the command")
	want := bot.Message{
		Conversation: "C0POLITIEK", User: "U0REPORTER", Text: "wat zei de minister over stikstof & boeren?",
		EventID: "command:13345224609.738474920.8088930838d88f008e0", Direct: true, Received: testNow,
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("message (-got +want):\n%s", diff)
	}
}

// TestHTTPFeedbackButton: a click on 👎 reaches Options.Feedback with the
// reply's Ref and the user, and the user is thanked ephemerally.
func TestHTTPFeedbackButton(t *testing.T) {
	f := newFakeSlack(t, nil)
	type verdict struct {
		ref     string
		user    bot.UserID
		helpful bool
	}
	got := make(chan verdict, 1)
	fb := func(_ context.Context, ref string, user bot.UserID, helpful bool) error {
		got <- verdict{ref, user, helpful}
		return nil
	}
	_, srv := httpAdapter(t, f, newRecorder(), Options{Feedback: fb})
	payload := `{"type":"block_actions","user":{"id":"U0REPORTER","username":"anne","team_id":"T0NEWSROOM"},` +
		`"api_app_id":"A0BRIEFBOT","token":"x","container":{"type":"message","message_ts":"1764000000.000900","channel_id":"C0POLITIEK","is_ephemeral":false},` +
		`"trigger_id":"1.2.3","team":{"id":"T0NEWSROOM","domain":"redactie"},"channel":{"id":"C0POLITIEK","name":"politiek"},` +
		`"response_url":"https://hooks.slack.com/actions/T0NEWSROOM/1/xyz",` +
		`"actions":[{"action_id":"briefbot_feedback_down:ans-42","block_id":"briefbot_feedback","text":{"type":"plain_text","text":"👎 Not helpful","emoji":true},"value":"ans-42","type":"button","action_ts":"1764000001.1"}]}`
	form := url.Values{"payload": {payload}}
	if status, _ := do(t, signed(t, srv, "/slack/interactive", formType, []byte(form.Encode()), testSecret, testNow)); status != http.StatusOK {
		t.Fatalf("status %d, want 200", status)
	}
	v := receive(t, got, "the feedback")
	if diff := cmp.Diff(v, verdict{"ans-42", "U0REPORTER", false}, cmp.AllowUnexported(verdict{})); diff != "" {
		t.Errorf("feedback (-got +want):\n%s", diff)
	}
	eventually(t, "the thank-you is posted", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.ephemeral) == 1 && f.ephemeral[0].Get("user") == "U0REPORTER" && f.ephemeral[0].Get("channel") == "C0POLITIEK"
	})
}

// TestHTTPLimitsAndReadiness: oversized bodies get 413, wrong methods 405,
// and events that arrive while Run is not running get 503 so that Slack
// delivers them again later instead of losing them.
func TestHTTPLimitsAndReadiness(t *testing.T) {
	f := newFakeSlack(t, nil)
	_, srv := httpAdapter(t, f, nil, Options{})

	big := make([]byte, maxBodyBytes+1)
	for i := range big {
		big[i] = ' '
	}
	if status, _ := do(t, signed(t, srv, "/slack/events", jsonType, big, testSecret, testNow)); status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: status %d, want 413", status)
	}
	get, _ := http.NewRequest(http.MethodGet, srv+"/slack/events", nil)
	if status, _ := do(t, get); status != http.StatusMethodNotAllowed {
		t.Errorf("GET: status %d, want 405", status)
	}
	body := eventCallback("Ev0EARLY", appMention("U0REPORTER", "<@"+testBotID+"> vroeg", "1764000000.000600"))
	if status, _ := do(t, signed(t, srv, "/slack/events", jsonType, body, testSecret, testNow)); status != http.StatusServiceUnavailable {
		t.Errorf("before Run: status %d, want 503", status)
	}
}

// TestRunDiscoversBotUserID: without slack.bot_user_id, Run asks auth.test
// (slacktest answers W012A3CDE) and mentions of that user are stripped.
func TestRunDiscoversBotUserID(t *testing.T) {
	f := newFakeSlack(t, nil)
	cfg := httpConfig(f.URL())
	cfg.BotUserID = ""
	a := newTestAdapter(t, cfg, Options{})
	srv := newServer(t, a)
	rec := newRecorder()
	startRun(t, a, rec)
	if got := a.BotUserID(); got != "W012A3CDE" {
		t.Fatalf("BotUserID = %q, want W012A3CDE from auth.test", got)
	}
	body := eventCallback("Ev0AUTH", appMention("U0REPORTER", "<@W012A3CDE> wie is de premier?", "1764000000.000700"))
	if status, _ := do(t, signed(t, srv, "/slack/events", jsonType, body, testSecret, testNow)); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	if m := receive(t, rec.got, "the mention"); m.Text != "wie is de premier?" {
		t.Errorf("Text = %q, want the mention stripped", m.Text)
	}
}

func newServer(t *testing.T, a *Adapter) string {
	t.Helper()
	srv := httptest.NewServer(a.HTTPHandler())
	t.Cleanup(srv.Close)
	return srv.URL
}
