package matrix

import (
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
)

// linksReply has citations and items with web addresses good and bad.
func linksReply() bot.Reply {
	withURL := func(c bot.Citation, u string) bot.Citation { c.URL = u; return c }
	return bot.Reply{
		Answer: "Donald Trump",
		Citations: []bot.Citation{
			withURL(krebsCitation, "https://nos.nl/artikel/2356789-trump-ontslaat-krebs?utm=a&x=\"b\""),
		},
		Items: []bot.Item{
			{Article: "a", Title: "Iran & Rusland", Source: "NOS", Date: briefings.Date{Year: 2020, Month: 10, Day: 22}, URL: "http://nu.nl/a"},
			{Article: "b", Title: "Geen link", Source: "NU.nl", URL: "javascript:alert(1)"},
			{Article: "c", Title: "Ook geen link", URL: "ftp://example.org/x"},
			{Article: "d", Title: "Kapot", URL: "https://exa mple.org/\"><script>"},
		},
		SeeAlso: []bot.Citation{
			withURL(ratcliffeCitation, " HTTPS://www.trouw.nl/ratcliffe "),
			withURL(krebsCitation, "data:text/html,<b>x</b>"),
		},
	}
}

// TestRenderLinks: citations and items with an http(s) address link their
// title in the HTML, with the address attribute-escaped; other schemes and
// unparsable addresses are not linked; the plain body stays the plain
// rendering, without markup.
func TestRenderLinks(t *testing.T) {
	parts := renderReply(linksReply())
	if len(parts) != 1 {
		t.Fatalf("%d parts, want 1", len(parts))
	}
	htm, plain := parts[0].HTML, parts[0].Plain
	for _, want := range []string{
		`<a href="https://nos.nl/artikel/2356789-trump-ontslaat-krebs?utm=a&amp;x=&#34;b&#34;">De Amerikaanse president Donald Trump heeft Chris Krebs ontslagen</a>`,
		`<a href="http://nu.nl/a">Iran &amp; Rusland</a>`,
		`<a href="https://www.trouw.nl/ratcliffe">Rusland &amp; Iran &lt;hebben&gt; gegevens van &#34;kiezers&#34;</a>`,
	} {
		if !strings.Contains(htm, want) {
			t.Errorf("HTML lacks %s:\n%s", want, htm)
		}
	}
	if n := strings.Count(htm, "<a "); n != 3 {
		t.Errorf("%d links in the HTML, want 3:\n%s", n, htm)
	}
	for _, bad := range []string{"javascript:", "ftp:", "data:", "<script", "exa mple"} {
		if strings.Contains(htm, bad) {
			t.Errorf("HTML contains %q:\n%s", bad, htm)
		}
	}
	if strings.Contains(plain, "<a") || strings.Contains(plain, "href") {
		t.Errorf("plain body has markup:\n%s", plain)
	}
}
