package feeds

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/briefings"
)

func TestCanonicalURL(t *testing.T) {
	base, _ := url.Parse("https://nos.nl/nieuws/")
	for _, tc := range []struct{ in, want string }{
		{"https://nos.nl/artikel/1?utm_source=rss&utm_medium=x", "https://nos.nl/artikel/1"},
		{"HTTPS://NOS.nl:443/artikel/1?b=2&a=1&fbclid=x&gclid=y#top", "https://nos.nl/artikel/1?a=1&b=2"},
		{"/artikel/2?mc_cid=1&page=3", "https://nos.nl/artikel/2?page=3"},
		{"artikel/3", "https://nos.nl/nieuws/artikel/3"},
		{"http://nos.nl:80", "http://nos.nl/"},
		{"http://nos.nl:8080/a?", "http://nos.nl:8080/a"},
		{"https://user:pw@nos.nl/a", "https://nos.nl/a"},
		{"mailto:redactie@nos.nl", ""},
		{"urn:uuid:1234", ""},
		{"", ""},
	} {
		if got := CanonicalURL(tc.in, base); got != tc.want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestIdentityKey(t *testing.T) {
	for _, tc := range []struct{ feed, guid, link, hash, want string }{
		{"nos", "nos-1", "https://nos.nl/a", "h", "guid:nos:nos-1"},
		{"nos", "https://nos.nl/a?utm_source=x", "", "h", "url:https://nos.nl/a"},
		{"nos", "", "https://nos.nl/a", "h", "url:https://nos.nl/a"},
		{"nos", "  ", "", "h", "hash:h"},
	} {
		if got := IdentityKey(tc.feed, tc.guid, tc.link, tc.hash); got != tc.want {
			t.Errorf("IdentityKey(%q, %q, %q) = %q, want %q", tc.feed, tc.guid, tc.link, got, tc.want)
		}
	}
	if IDFor("a") == IDFor("b") || !strings.HasPrefix(string(IDFor("a")), "live-") {
		t.Errorf("IDFor gives %q and %q", IDFor("a"), IDFor("b"))
	}
}

func TestHTMLParagraphs(t *testing.T) {
	type P = briefings.Paragraph
	for _, tc := range []struct {
		name, in string
		want     []P
	}{
		{"plain", "Eén alinea.\n\nTwee  alinea's.", []P{{Text: "Eén alinea."}, {Text: "Twee alinea's."}}},
		{"entities", "<p>AT&amp;T &amp; KPN &eacute;&eacute;n &#8220;x&#8221;</p>", []P{{Text: "AT&T & KPN één “x”"}}},
		{"bare entity", "Tom &amp; Jerry", []P{{Text: "Tom & Jerry"}}},
		{"headings", "<h2>Kop</h2><p>Tekst <b>vet</b>.</p><h3>Twee</h3>", []P{{Text: "Kop", Heading: true}, {Text: "Tekst vet."}, {Text: "Twee", Heading: true}}},
		{"br", "regel een<br/>regel twee", []P{{Text: "regel een"}, {Text: "regel twee"}}},
		{"no text", "<script>x()</script><style>p{}</style><iframe src=x></iframe><img src=y>", nil},
		{"unclosed", "<p>open <div>blok", []P{{Text: "open"}, {Text: "blok"}}},
		{"list", "<ul><li>een</li><li>twee</li></ul>", []P{{Text: "een"}, {Text: "twee"}}},
		{"table", "<table><tr><td>a</td><td>b</td></tr></table>", []P{{Text: "a b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(HTMLParagraphs(tc.in), tc.want); diff != "" {
				t.Errorf("HTMLParagraphs(%q) (-got +want):\n%s", tc.in, diff)
			}
		})
	}
}

func TestParseFeedDateKeepsZone(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // RFC 3339 in the parsed zone
	}{
		{"Mon, 02 Mar 2026 00:30:00 +0100", "2026-03-02T00:30:00+01:00"},
		{"Mon, 2 Mar 2026 00:30:00 CET", "2026-03-02T00:30:00+01:00"},
		{"Sun, 29 Mar 2026 01:30:00 CEST", "2026-03-29T01:30:00+02:00"},
		{"Mon, 02 Mar 2026 00:30:00 GMT", "2026-03-02T00:30:00Z"},
		{"2026-03-01T23:45:00+01:00", "2026-03-01T23:45:00+01:00"},
		{"2026-03-02", "2026-03-02T00:00:00Z"},
	} {
		got, ok := parseFeedDate(tc.in)
		if !ok || got.Format(time.RFC3339) != tc.want {
			t.Errorf("parseFeedDate(%q) = %v, %v; want %s", tc.in, got.Format(time.RFC3339), ok, tc.want)
		}
	}
	if _, ok := parseFeedDate("gisteren"); ok {
		t.Error("parseFeedDate(gisteren) parsed")
	}
}

// TestParseErrors: XML cut off mid-document and documents that are no
// feed are errors worded for the operator, naming the feed. (Mismatched
// tags and bare ampersands, which real feeds have, are read leniently:
// TestParseLenient.)
func TestParseErrors(t *testing.T) {
	for _, doc := range []string{
		`<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a</title><description>b`,
		`<html><body>Not a feed</body></html>`,
		`{"version": "https://jsonfeed.org/version/1.1", "items": [`,
		``,
	} {
		_, err := Parse([]byte(doc), Source{Name: "nos"})
		if err == nil || !strings.Contains(err.Error(), "feed nos is not a readable") {
			t.Errorf("Parse(%.40q) error = %v, want one naming feed nos", doc, err)
		}
	}
}

// TestChangedTitleKeepsIdentity: a feed that changes an item's title (and
// body) keeps its GUID, so the item stays the same article.
func TestChangedTitleKeepsIdentity(t *testing.T) {
	doc := func(title string) []byte {
		return []byte(`<rss version="2.0"><channel><title>t</title><link>https://nos.nl</link><item><title>` + title +
			`</title><guid isPermaLink="false">nos-9</guid><link>/a/9</link><description>Tekst over ` + title + `.</description></item></channel></rss>`)
	}
	a, err := Parse(doc("Eerste kop"), Source{Name: "nos"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse(doc("Nieuwe kop"), Source{Name: "nos"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Items[0].Article.ID != b.Items[0].Article.ID {
		t.Errorf("IDs differ after a title change: %s, %s", a.Items[0].Article.ID, b.Items[0].Article.ID)
	}
	if b.Items[0].Article.Title != "Nieuwe kop" || a.Items[0].Article.Hash == b.Items[0].Article.Hash {
		t.Errorf("second parse: title %q, hashes equal %v", b.Items[0].Article.Title, a.Items[0].Article.Hash == b.Items[0].Article.Hash)
	}
}

func TestParseLenient(t *testing.T) {
	for _, tc := range []struct{ doc, title string }{
		{`<rss version="2.0"><channel><item><title>NS & ProRail</title><description>x</description></item></channel></rss>`, "NS & ProRail"},
		{`<rss version="2.0"><channel><item><title>a &nbsp; b</title><description>x</description></item></channel></rss>`, "a b"},
	} {
		res, err := Parse([]byte(tc.doc), Source{Name: "nos"})
		if err != nil || len(res.Items) != 1 || res.Items[0].Article.Title != tc.title {
			t.Errorf("Parse(%q) = %+v, %v; want one item titled %q", tc.doc, res.Items, err, tc.title)
		}
	}
}

// TestItemDateInFeedZone: an item published shortly after midnight in
// Amsterdam is of that day in every format, not of the day before (UTC).
func TestItemDateInFeedZone(t *testing.T) {
	want := briefings.Date{Year: 2026, Month: 3, Day: 2}
	for _, doc := range []string{
		`<rss version="2.0"><channel><item><title>a</title><guid>1</guid><pubDate>Mon, 02 Mar 2026 00:30:00 +0100</pubDate><description>b</description></item></channel></rss>`,
		`<rss version="2.0"><channel><item><title>a</title><guid>1</guid><pubDate>Mon, 02 Mar 2026 00:30:00 CET</pubDate><description>b</description></item></channel></rss>`,
		`<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><item><title>a</title><guid>1</guid><dc:date>2026-03-02T00:30:00+01:00</dc:date><description>b</description></item></channel></rss>`,
		`<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>a</title><id>1</id><published>2026-03-02T00:30:00+01:00</published><content>b</content></entry></feed>`,
		`<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>a</title><id>1</id><updated>2026-03-02T00:30:00+01:00</updated><content>b</content></entry></feed>`,
		`{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [{"id": "1", "content_text": "b", "date_published": "2026-03-02T00:30:00+01:00"}]}`,
	} {
		res, err := Parse([]byte(doc), Source{Name: "nos"})
		if err != nil || len(res.Items) != 1 {
			t.Fatalf("Parse(%.60q) = %+v, %v", doc, res, err)
		}
		if got := res.Items[0].Article.Date; got != want {
			t.Errorf("Parse(%.90q): date %v, want %v", doc, got, want)
		}
	}
}
