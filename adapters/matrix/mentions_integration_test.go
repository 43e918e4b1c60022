package matrix

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/briefbot/briefbot/adapters/matrix/internal/dendritetest"
)

// TestDendriteQuestionsMentioningOthers: questions that also mention
// someone else (a user ID in the body, a pill), link a room or link an
// article reach the core as plain words, and the real core answers them.
func TestDendriteQuestionsMentioningOthers(t *testing.T) {
	skipIfShort(t)
	e := newEnv(t)
	alice := e.account("alice")
	alice.sync()
	carol := e.account("carol")
	r := e.start(e.config(), nil)

	// a group room: alice, carol and the bot
	room := alice.createRoom(&mautrix.ReqCreateRoom{Preset: "private_chat", Invite: []id.UserID{e.botUser, carol.cli.UserID}})
	alice.waitFor("bot join", joined(room, e.botUser))
	if _, err := carol.cli.JoinRoomByID(t.Context(), room); err != nil {
		e.fatalf("carol joins: %v", err)
	}
	aliceID := "@alice:" + dendritetest.ServerName
	pill := func(who id.UserID, name string) string {
		return `<a href="https://matrix.to/#/` + string(who) + `">` + name + `</a>`
	}

	cases := []struct {
		name    string
		content *event.MessageEventContent
		text    string // what the core reads
	}{
		{"a user ID in the body", &event.MessageEventContent{
			Body:     "briefbot: wie heeft Krebs ontslagen? cc " + aliceID,
			Mentions: &event.Mentions{UserIDs: []id.UserID{e.botUser, id.UserID(aliceID)}},
		}, "wie heeft Krebs ontslagen? cc"},
		{"a pill", &event.MessageEventContent{
			Body:          "briefbot: wie heeft Krebs ontslagen? cc Carol",
			Format:        event.FormatHTML,
			FormattedBody: pill(e.botUser, "briefbot") + ": wie heeft Krebs ontslagen? cc " + pill(carol.cli.UserID, "Carol"),
			Mentions:      &event.Mentions{UserIDs: []id.UserID{e.botUser, carol.cli.UserID}},
		}, "wie heeft Krebs ontslagen? cc"},
		{"a room link", &event.MessageEventContent{
			Body:   "briefbot: wie heeft Krebs ontslagen? (#general:" + dendritetest.ServerName + ")",
			Format: event.FormatHTML,
			FormattedBody: pill(e.botUser, "briefbot") + `: wie heeft Krebs ontslagen? (<a href="https://matrix.to/#/%23general:` +
				dendritetest.ServerName + `">#general:` + dendritetest.ServerName + `</a>)`,
			Mentions: &event.Mentions{UserIDs: []id.UserID{e.botUser}},
		}, "wie heeft Krebs ontslagen? (#general)"},
		{"a link to an article", &event.MessageEventContent{
			Body:          "briefbot: wie heeft Chris Krebs [ontslagen](https://nos.nl/artikel/1)?",
			Format:        event.FormatHTML,
			FormattedBody: pill(e.botUser, "briefbot") + `: wie heeft Chris Krebs <a href="https://nos.nl/artikel/1">ontslagen</a>?`,
			Mentions:      &event.Mentions{UserIDs: []id.UserID{e.botUser}},
		}, "wie heeft Chris Krebs ontslagen?"},
	}
	asked := map[id.EventID]string{}
	for _, c := range cases {
		q := alice.say(room, c.content)
		asked[q] = c.name
		got := notice(alice.waitFor("answer to "+c.name, replyTo(e.botUser, q)), e.botUser)
		answersKrebs(t, got)
		if !strings.HasPrefix(got.Body, "Donald Trump") || !strings.Contains(got.FormattedBody, "<strong>Donald Trump</strong>") {
			t.Errorf("%s: answer is not Donald Trump:\n%s", c.name, got.Body)
		}
	}
	var texts, want []string
	for _, m := range r.rec.messages() {
		if name, ok := asked[id.EventID(m.EventID)]; ok {
			texts = append(texts, name+": "+m.Text)
			if !m.Mentioned {
				t.Errorf("%s: not Mentioned", name)
			}
		}
	}
	for _, c := range cases {
		want = append(want, c.name+": "+c.text)
	}
	if diff := cmp.Diff(texts, want); diff != "" {
		t.Errorf("texts the core read (-got +want):\n%s", diff)
	}
}
