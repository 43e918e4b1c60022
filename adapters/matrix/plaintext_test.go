package matrix

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// TestQuestionText: what the core reads of a message. Mentions of other
// people, pills, room links and other links become plain words (or go),
// so that the engine is not asked to match a user ID; the bot's own
// mention is detected and removed as before.
func TestQuestionText(t *testing.T) {
	const (
		botPill   = `<a href="https://matrix.to/#/@briefbot:example.org">briefbot</a>`
		alicePill = `<a href="https://matrix.to/#/@alice:example.org">Alice</a>`
	)
	html := func(body, formatted string) event.MessageEventContent {
		return event.MessageEventContent{MsgType: event.MsgText, Body: body, Format: event.FormatHTML, FormattedBody: formatted}
	}
	plain := func(body string) event.MessageEventContent {
		return event.MessageEventContent{MsgType: event.MsgText, Body: body}
	}
	reply := func(c event.MessageEventContent) event.MessageEventContent {
		c.RelatesTo = &event.RelatesTo{InReplyTo: &event.InReplyTo{EventID: "$earlier"}}
		return c
	}
	cases := []struct {
		name      string
		content   event.MessageEventContent
		prefix    string
		text      string
		mentioned bool
	}{
		{"someone else's user ID in the body", plain("briefbot: wie heeft Krebs ontslagen? cc @alice:example.org"),
			"", "wie heeft Krebs ontslagen? cc", true},
		{"several user IDs, one with a port", plain("@alice:example.org en @bob:matrix.example.org:8448, wie heeft Krebs ontslagen? briefbot"),
			"", "en, wie heeft Krebs ontslagen? briefbot", false},
		{"someone else's pill", html("briefbot: wie heeft Krebs ontslagen? cc Alice",
			botPill+`: wie heeft Krebs ontslagen? cc `+alicePill),
			"", "wie heeft Krebs ontslagen? cc", true},
		{"percent-encoded pill", html("x", botPill+` wie heeft Krebs ontslagen? cc <a href="https://matrix.to/#/%40alice%3Aexample.org">Alice</a>.`),
			"", "wie heeft Krebs ontslagen? cc.", true},
		{"matrix: URI pill", html("x", botPill+` wie? cc <a href="matrix:u/alice:example.org?action=chat">Alice</a>`),
			"", "wie? cc", true},
		{"the bot's pill mid-sentence", html("x", `wat weet `+botPill+` over Krebs?`),
			"", "wat weet over Krebs?", true},
		{"room link in HTML", html("x", botPill+`: zie <a href="https://matrix.to/#/#general:example.org">#general:example.org</a>`),
			"", "zie #general", true},
		{"room link in the body", plain("briefbot: wie heeft Krebs ontslagen? (zie https://matrix.to/#/%23general:example.org)"),
			"", "wie heeft Krebs ontslagen? (zie #general)", true},
		{"room alias in the body", plain("briefbot: wie heeft Krebs ontslagen? zie #general:example.org."),
			"", "wie heeft Krebs ontslagen? zie #general.", true},
		{"user link in the body", plain("!bb wie heeft Krebs ontslagen? cc https://matrix.to/#/@alice:example.org"),
			"!bb", "wie heeft Krebs ontslagen? cc", true},
		{"permalink in the body", plain("briefbot: wie? zie https://matrix.to/#/!abc:example.org/$evt?via=example.org"),
			"", "wie? zie", true},
		{"permalink with a label", html("x", botPill+`: wie? zie <a href="https://matrix.to/#/!abc:example.org/$evt?via=example.org">dit bericht</a>`),
			"", "wie? zie dit bericht", true},
		{"other link: its text", html("x", botPill+`: wat staat in <a href="https://nos.nl/artikel/1">het artikel over Krebs</a>?`),
			"", "wat staat in het artikel over Krebs?", true},
		{"bare link in the body stays", plain("briefbot: wat zegt https://nos.nl/artikel/1?"),
			"", "wat zegt https://nos.nl/artikel/1?", true},
		{"formatting and entities", html("x", botPill+`: <strong>wie</strong> heeft <code>Krebs</code> ontslagen &amp; waarom &lt;nu&gt;?`),
			"", "wie heeft Krebs ontslagen & waarom <nu>?", true},
		{"block elements are lines", html("x", `<p>`+botPill+`:</p><ul><li>wie heeft   Krebs ontslagen?</li><li>en <em>waarom</em>?</li></ul>`),
			"", "wie heeft Krebs ontslagen?\n\nen waarom?", true},
		{"an HTML reply drops its fallback", reply(html("> <@alice:example.org> eerder\n\nbriefbot: en nu?",
			`<mx-reply><blockquote><a href="https://matrix.to/#/!r:example.org/$earlier">In reply to</a> `+alicePill+`<br>eerder</blockquote></mx-reply>`+botPill+`: en nu?`)),
			"", "en nu?", true},
		{"formatted_body without the HTML format is ignored", event.MessageEventContent{MsgType: event.MsgText, Body: "briefbot: wie?", FormattedBody: "<b>iets anders</b>"},
			"", "wie?", true},
		{"an e-mail address is no user ID", plain("briefbot: wie mailde bob@example.org:8080?"),
			"", "wie mailde bob@example.org:8080?", true},
		{"a long plain question is untouched", plain("briefbot: " + longQuestion),
			"", longQuestion, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text, mentioned := questionText(&c.content, testBot, "", c.prefix)
			if text != c.text {
				t.Errorf("text = %q, want %q", text, c.text)
			}
			if mentioned != c.mentioned {
				t.Errorf("mentioned = %v, want %v", mentioned, c.mentioned)
			}
		})
	}
}

const longQuestion = "Wat  zeiden de inlichtingendiensten\nover Iran, Rusland en de kiezers: e-mails, #hashtags en @namen?"

// TestRenderIdentifiers: the identifiers themselves.
func TestRenderIdentifiers(t *testing.T) {
	cases := map[string]string{
		"@alice:example.org":                       "",
		"hoi @alice:example.org!":                  "hoi!",
		"@briefbot:example.org wie?":               " wie?", // the bot's own too: questionText reports it
		"#general:example.org":                     "#general",
		"#x:localhost:8008 en #y:example.org":      "#x en #y",
		"https://matrix.to/#/#general:example.org": "#general",
		"matrix.to/#/#general:example.org":         "#general",
		"kanaal #general: wie?":                    "kanaal #general: wie?",
		"user@example.org":                         "user@example.org",
		"a@b:c":                                    "a@b:c",
	}
	for in, want := range cases {
		if got, _ := renderIdentifiers(in); got != want {
			t.Errorf("renderIdentifiers(%q) = %q, want %q", in, got, want)
		}
	}
	_, users := renderIdentifiers("@alice:example.org, https://matrix.to/#/%40bob%3Aexample.org en #x:example.org")
	if diff := cmp.Diff(users, []id.UserID{"@alice:example.org", "@bob:example.org"}); diff != "" {
		t.Errorf("users (-got +want):\n%s", diff)
	}
}
