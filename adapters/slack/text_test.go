package slack

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gorilla/websocket"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/briefings"
)

// questionsWithMarkup are questions as Slack delivers them, with the text
// the core must receive: other people's mentions, channels, links, emoji
// codes and entities become plain words.
var questionsWithMarkup = []struct{ in, want string }{
	{"<@" + testBotID + "> who fired Krebs? cc <@U0123ABC>", "who fired Krebs? cc"},
	{"<@" + testBotID + "> wie won? (see <#C0123ABC|general>)", "wie won? (see #general)"},
	{"<@" + testBotID + "> wat staat er in <https://nos.nl/l/1|dit artikel>?", "wat staat er in dit artikel?"},
	{"<@" + testBotID + "> :wave: wie won? :pray:", "wie won?"},
	{"<@" + testBotID + "> R&amp;D &lt;2026&gt;?", "R&D <2026>?"},
}

// TestHTTPQuestionTextIsPlain: through the signed Events API path, the core
// receives the question as plain words.
func TestHTTPQuestionTextIsPlain(t *testing.T) {
	f := newFakeSlack(t, nil)
	rec := newRecorder()
	_, srv := httpAdapter(t, f, rec, Options{Workers: 1})
	for i, q := range questionsWithMarkup {
		ts := fmt.Sprintf("1764000000.%06d", 900+i)
		body := eventCallback(fmt.Sprintf("Ev0TEXT%d", i), appMention("U0REPORTER", q.in, ts))
		if status, _ := do(t, signed(t, srv, "/slack/events", jsonType, body, testSecret, testNow)); status != http.StatusOK {
			t.Fatalf("%q: status %d", q.in, status)
		}
		if got := receive(t, rec.got, "the question").Text; got != q.want {
			t.Errorf("core received %q for %q, want %q", got, q.in, q.want)
		}
	}
	// The slash command's text is translated the same way (when the command
	// is set to escape channels, users and links).
	form := url.Values{
		"command": {"/briefbot"}, "text": {"who fired Krebs? cc <@U0123ABC> :eyes:"}, "channel_id": {"C0POLITIEK"},
		"user_id": {"U0REPORTER"}, "trigger_id": {"1.2.3"}, "response_url": {"https://hooks.slack.com/commands/T0/1/x"},
	}
	if status, _ := do(t, signed(t, srv, "/slack/commands", formType, []byte(form.Encode()), testSecret, testNow)); status != http.StatusOK {
		t.Fatalf("command: status %d", status)
	}
	if got := receive(t, rec.got, "the command").Text; got != "who fired Krebs? cc" {
		t.Errorf("command text = %q, want %q", got, "who fired Krebs? cc")
	}
}

// TestSocketModeQuestionTextIsPlain: the same over Socket Mode.
func TestSocketModeQuestionTextIsPlain(t *testing.T) {
	var s *socketServer
	s = newSocketServer(t, func(c *websocket.Conn) error {
		if err := c.WriteMessage(websocket.TextMessage, []byte(hello())); err != nil {
			return err
		}
		for i, q := range questionsWithMarkup {
			ts := fmt.Sprintf("1764000000.%06d", 900+i)
			p := eventCallback(fmt.Sprintf("Ev0TEXT%d", i), appMention("U0REPORTER", q.in, ts))
			id := fmt.Sprintf("env-%d", i)
			if err := s.sendAndAwaitAck(c, envelope("events_api", id, p, 0), id); err != nil {
				return err
			}
		}
		return drain(c)
	})
	rec := newRecorder()
	a := newTestAdapter(t, socketConfig(s.srv.URL+"/"), Options{Workers: 1})
	startRun(t, a, rec)
	var got, want []string
	for _, q := range questionsWithMarkup {
		got = append(got, receive(t, rec.got, "a question").Text)
		want = append(want, q.want)
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("texts the core received (-got +want):\n%s", diff)
	}
}

// TestQuestionMentioningSomeoneElseIsAnswered: end to end, a mention that
// also copies in a colleague reaches the real bot core and the real
// article library (the embedded sample set) as a question it answers.
func TestQuestionMentioningSomeoneElseIsAnswered(t *testing.T) {
	ctx := context.Background()
	lib, err := briefings.NewLibrary(briefings.Options{FreeDictDir: "-"})
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := briefings.LoadFS(ctx, briefings.SampleFS(), briefings.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Replace(ctx, loaded.Articles); err != nil {
		t.Fatal(err)
	}
	st, _ := bottest.TempStore(t)
	core, err := bot.New(bot.Options{Briefings: lib, Store: st, Logger: testLogger(t), Unlimited: []string{"slack"}})
	if err != nil {
		t.Fatal(err)
	}
	f := newFakeSlack(t, nil)
	_, srv := httpAdapter(t, f, core, Options{})

	body := eventCallback("Ev0KREBS", appMention("U0REPORTER", "<@"+testBotID+"> wie heeft Krebs ontslagen? cc <@U999>", "1764000000.001000"))
	if status, _ := do(t, signed(t, srv, "/slack/events", jsonType, body, testSecret, testNow)); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	p := receive(t, f.postedCh, "the answer")
	text := blockTexts(t, p.Blocks)
	if !strings.Contains(text, "*Donald Trump*") {
		t.Errorf("the answer is not Donald Trump; the bot posted:\n%s", text)
	}
}
