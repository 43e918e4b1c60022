package slack

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot"
)

// idsReply is a reply whose text holds the characters mrkdwn uses for
// formatting: article IDs with underscores, an answer with asterisks.
func idsReply() bot.Reply {
	return bot.Reply{
		Title:  "Zoeken: cyber_security",
		Answer: "Donald Trump (004_496c433a0061d38d.txt; 2 * 3 bronnen)",
		Items: []bot.Item{
			{Article: "004_496c433a0061d38d", Source: "004_496c433a0061d38d.txt",
				Text: "Trump ontsloeg *Krebs* via Twitter.", Matched: []string{"krebs", "cyber_security"}},
			{Article: "003_b80da3bb4248e633", Title: "Plasterk_laat_onderzoeken", Date: nosDate(3), Source: "NOS"},
		},
	}
}

// TestFallbackTextKeepsCharacters: the notification text shows article IDs
// and the reply's own asterisks and underscores exactly.
func TestFallbackTextKeepsCharacters(t *testing.T) {
	msgs := render(idsReply(), false)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	text := msgs[0].Text
	for _, want := range []string{
		"Zoeken: cyber_security",
		"Donald Trump (004_496c433a0061d38d.txt; 2 * 3 bronnen)",
		"1. 004_496c433a0061d38d",
		"004_496c433a0061d38d.txt",
		"Trump ontsloeg *Krebs* via Twitter.",
		"krebs, cyber_security",
		"2. Plasterk_laat_onderzoeken",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("fallback text lacks %q:\n%s", want, text)
		}
	}
}

// TestSendFallbackWithoutMarkdown: the fallback text is posted with
// mrkdwn=false, so Slack shows its asterisks and underscores as typed; the
// blocks keep their own formatting.
func TestSendFallbackWithoutMarkdown(t *testing.T) {
	f := newFakeSlack(t, nil)
	a := newTestAdapter(t, httpConfig(f.URL()), Options{})
	if err := a.Send(context.Background(), bot.Target{Conversation: "C0POLITIEK"}, idsReply()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	posts := f.Posts()
	if len(posts) != 1 {
		t.Fatalf("posted %d messages, want 1", len(posts))
	}
	if posts[0].Mrkdwn != "false" {
		t.Errorf("mrkdwn = %q, want false", posts[0].Mrkdwn)
	}
	if !strings.Contains(posts[0].Text, "004_496c433a0061d38d.txt") {
		t.Errorf("fallback text %q lacks the article ID", posts[0].Text)
	}
	if !strings.Contains(posts[0].Blocks, `"type":"mrkdwn"`) {
		t.Errorf("blocks lost their mrkdwn formatting: %s", posts[0].Blocks)
	}
}

// linksReply is an answer whose citations, see-also entries and items have
// URLs: web links become Slack links, anything else stays plain text.
func linksReply() bot.Reply {
	return bot.Reply{
		Ref:    "ans-links",
		Answer: "Donald Trump",
		Quote:  "De Amerikaanse president Donald Trump heeft Chris Krebs ontslagen via Twitter.",
		Citations: []bot.Citation{
			{Article: "004_496c433a0061d38d", Title: "Trump ontslaat Krebs <via> Twitter | NOS & co", Source: "NOS",
				Date: nosDate(18), URL: "https://nos.nl/artikel/2357?utm=a|b&x=<y>"},
			{Article: "js", Title: "Klik hier", Source: "Onbekend", URL: "javascript:alert(1)"},
		},
		SeeAlso: []bot.Citation{
			{Title: "CISA-chef Krebs: verkiezingen veilig", Source: "NU.nl", Date: nosDate(13), URL: "http://nu.nl/a/1"},
			{Title: "Zonder link", Source: "Trouw", URL: "ftp://trouw.nl/x"},
		},
		Items: []bot.Item{
			{Article: "004_496c433a0061d38d", Title: "Trump ontslaat Krebs", Date: nosDate(18), Source: "NOS",
				Text: "Trump ontsloeg Krebs via Twitter.", URL: "https://nos.nl/artikel/2357"},
			{Article: "kiesraad", Title: "Kiesraad laat software testen", Source: "NU.nl", URL: "mailto:redactie@nu.nl"},
		},
	}
}

func TestSlackLink(t *testing.T) {
	tests := []struct{ url, label, want string }{
		{"https://nos.nl/artikel/1", "Kop", "<https://nos.nl/artikel/1|Kop>"},
		{"http://nu.nl/a", "Kop", "<http://nu.nl/a|Kop>"},
		{"HTTPS://NOS.nl/x", "Kop", "<https://NOS.nl/x|Kop>"},
		{"https://nos.nl/a?x=1&y=2|z", "A <b> & c | d", "<https://nos.nl/a?x=1&amp;y=2%7Cz|A &lt;b&gt; &amp; c ∣ d>"},
		{"https://nos.nl/a b", "Kop", "<https://nos.nl/a%20b|Kop>"},
		{"https://nos.nl/<script>", "Kop", "<https://nos.nl/%3Cscript%3E|Kop>"},
		{"https://nos.nl/x", "@here nu", "<https://nos.nl/x|@\u2060here nu>"},
		{"javascript:alert(1)", "Kop", "Kop"},
		{"ftp://nos.nl/x", "Kop", "Kop"},
		{"mailto:a@b.nl", "Kop", "Kop"},
		{"https://", "Kop", "Kop"},
		{"//nos.nl/x", "Kop", "Kop"},
		{"https://user:pw@nos.nl/x", "Kop", "Kop"},
		{"", "Kop & co", "Kop &amp; co"},
		{"https://nos.nl/" + strings.Repeat("a", 2000), "Kop", "Kop"},
	}
	for _, tt := range tests {
		if got := link(tt.url, tt.label); got != tt.want {
			t.Errorf("link(%q, %q) = %q, want %q", tt.url, tt.label, got, tt.want)
		}
	}
}

// TestRenderLinksOnlyForWebURLs: the rendered blocks hold Slack links for
// the http(s) URLs and none for the others; the fallback text holds no
// link markup.
func TestRenderLinksOnlyForWebURLs(t *testing.T) {
	msgs := render(linksReply(), false)
	var blocks []string
	for _, m := range msgs {
		b, err := json.Marshal(m.Blocks)
		if err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, blockTexts(t, string(b)))
	}
	all := strings.Join(blocks, "\n")
	for _, want := range []string{
		"<https://nos.nl/artikel/2357?utm=a%7Cb&amp;x=%3Cy%3E|Trump ontslaat Krebs &lt;via&gt; Twitter ∣ NOS &amp; co>",
		"<http://nu.nl/a/1|CISA-chef Krebs: verkiezingen veilig>",
		"*1. <https://nos.nl/artikel/2357|Trump ontslaat Krebs>*",
		"*2. Kiesraad laat software testen*",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("blocks lack %q:\n%s", want, all)
		}
	}
	for _, bad := range []string{"javascript:", "ftp:", "mailto:"} {
		if strings.Contains(all, bad) {
			t.Errorf("blocks link a %s URL:\n%s", bad, all)
		}
	}
	for _, m := range msgs {
		if strings.Contains(m.Text, "<") || strings.Contains(m.Text, "http") {
			t.Errorf("fallback text carries link markup: %q", m.Text)
		}
	}
}
