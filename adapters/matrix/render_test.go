package matrix

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/briefings"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var (
	krebsCitation = bot.Citation{
		Article: "004_496c433a0061d38d",
		Source:  "004_496c433a0061d38d.txt",
		Title:   "De Amerikaanse president Donald Trump heeft Chris Krebs ontslagen",
		Date:    briefings.Date{Year: 2020, Month: 11, Day: 18},
	}
	ratcliffeCitation = bot.Citation{
		Article: "000_84c18d6e44010aaa",
		Source:  "NOS",
		Title:   "Rusland & Iran <hebben> gegevens van \"kiezers\"",
		Date:    briefings.Date{Year: 2020, Month: 10},
	}
)

// TestRenderGolden renders typical replies to HTML and plain text and
// compares them with testdata/*.golden. Run with -update to rewrite them.
func TestRenderGolden(t *testing.T) {
	cases := []struct {
		name string
		r    bot.Reply
	}{
		{"answer", bot.Reply{
			Answer:    "Donald Trump",
			Quote:     "De Amerikaanse president Donald Trump heeft Chris Krebs, de hoogste cyberveiligheidsfunctionaris van het land, ontslagen via Twitter.",
			Citations: []bot.Citation{krebsCitation},
			SeeAlso:   []bot.Citation{ratcliffeCitation},
		}},
		{"answer_llm", bot.Reply{
			Answer:    "Trump",
			Quote:     "De Amerikaanse president Donald Trump heeft Chris Krebs, de hoogste cyberveiligheidsfunctionaris van het land, ontslagen via Twitter.",
			Citations: []bot.Citation{krebsCitation},
			Footer:    "Antwoord van een taalmodel; het citaat is gecontroleerd in het artikel.",
		}},
		{"escaping", bot.Reply{
			Title:     "<script>alert('x')</script> & co",
			Answer:    "Ja <b>niet vet</b> & \"zo\"",
			Quote:     "Regel één\nregel <twee>",
			Citations: []bot.Citation{ratcliffeCitation},
			Notice:    "@room dit mag niemand pingen <a href=\"https://matrix.to/#/@room\">link</a>",
		}},
		{"list", bot.Reply{
			Title: "Digest: verkiezingen, 1–7 nov, 2 verhalen",
			Items: []bot.Item{
				{Article: "a", Title: "Iran & Rusland", Date: briefings.Date{Year: 2020, Month: 10, Day: 22}, Source: "NOS", Text: "Inlichtingendiensten <waarschuwen>", Matched: []string{"iran", "kiezers"}},
				{Article: "b", Title: "Krebs ontslagen", Source: "NU.nl"},
			},
		}},
		{"unanswered", bot.Reply{
			Notice:  "De artikelen zeggen dit niet.",
			SeeAlso: []bot.Citation{krebsCitation, ratcliffeCitation},
		}},
		{"links", linksReply()},
		{"digest", bottest.DigestReply(3)},
		{"feeds", bottest.FeedsReply(t, false)},
		{"feeds_nl", bottest.FeedsReply(t, true)},
		{"digest_empty", bottest.DigestReply(0)},
		{"body", bot.Reply{
			Title: "Artikel",
			Body:  []string{"Eerste alinea.\nMet een regel.", "  ", "Tweede <alinea> & meer."},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parts := renderReply(c.r)
			var b strings.Builder
			var plains []string
			for i, p := range parts {
				fmt.Fprintf(&b, "== part %d body ==\n%s\n== part %d formatted_body ==\n%s\n", i+1, p.Plain, i+1, p.HTML)
				plains = append(plains, p.Plain)
			}
			if diff := cmp.Diff(strings.Join(plains, "\n\n"), bot.RenderText(c.r)); diff != "" {
				t.Errorf("plain bodies differ from bot.RenderText (-got +want):\n%s", diff)
			}
			golden := filepath.Join("testdata", c.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(b.String(), string(want)); diff != "" {
				t.Errorf("rendering of %s (-got +want):\n%s", c.name, diff)
			}
		})
	}
}

// TestRenderEscapesEverything: no text of a reply reaches the HTML
// unescaped.
func TestRenderEscapesEverything(t *testing.T) {
	evil := `<img src=x onerror="alert(1)">&`
	r := bot.Reply{
		Title: evil, Answer: evil, Quote: evil, Notice: evil, Body: []string{evil},
		Citations: []bot.Citation{{Title: evil, Source: evil, URL: `https://x.org/"><img src=x onerror="alert(1)">`}},
		SeeAlso:   []bot.Citation{{Title: evil, Source: evil, URL: "javascript:alert(1)"}},
		Items:     []bot.Item{{Title: evil, Source: evil, Text: evil, Matched: []string{evil}, URL: `http://x.org/?q="'<>&`}},
	}
	for _, p := range renderReply(r) {
		if strings.Contains(p.HTML, "<img") || strings.Contains(p.HTML, `"alert`) || strings.Contains(p.HTML, "&\"") ||
			strings.Contains(p.HTML, "javascript:") || strings.Contains(p.HTML, `"'`) {
			t.Errorf("unescaped text in HTML: %s", p.HTML)
		}
	}
}

// TestRenderSplitsLongReplies: replies beyond one event are split into
// parts within the limits, at word boundaries, losing and reordering
// nothing.
func TestRenderSplitsLongReplies(t *testing.T) {
	words := func(n int, w string) string { return strings.TrimSpace(strings.Repeat(w+" ", n)) }
	cases := []struct {
		name      string
		r         bot.Reply
		wantParts int
	}{
		{"short", bot.Reply{Answer: "kort"}, 1},
		{"one huge paragraph", bot.Reply{Answer: "Lang", Body: []string{words(12000, "desinformatie")}}, 9},
		// HTML is the tighter limit here: every <p></p> costs 25 JSON bytes.
		{"many paragraphs", bot.Reply{Body: strings.Split(words(3000, "alinea-met-tekst"), " ")}, 6},
		// "<&>" is 18 JSON bytes as text and 33 as HTML.
		{"escaping-heavy", bot.Reply{Body: []string{words(9000, "<&>")}}, 15},
		{"multibyte", bot.Reply{Body: []string{words(9000, "één–twee")}}, 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parts := renderReply(c.r)
			if len(parts) != c.wantParts {
				t.Errorf("%d parts, want %d", len(parts), c.wantParts)
			}
			var got []string
			for i, p := range parts {
				if n := jsonLen(p.Plain); n > maxBodyJSON {
					t.Errorf("part %d body is %d JSON bytes, limit %d", i, n, maxBodyJSON)
				}
				if n := jsonLen(p.HTML); n > maxHTMLJSON {
					t.Errorf("part %d formatted_body is %d JSON bytes, limit %d", i, n, maxHTMLJSON)
				}
				if len(p.Plain) > 30000 {
					t.Errorf("part %d body has %d bytes, want under 30,000", i, len(p.Plain))
				}
				got = append(got, strings.Fields(p.Plain)...)
			}
			if diff := cmp.Diff(got, strings.Fields(bot.RenderText(c.r))); diff != "" {
				t.Errorf("words across parts differ from the whole reply (-got +want):\n%s", diff)
			}
		})
	}
}
