package briefings_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefings"
)

// FuzzParseFile feeds arbitrary bytes to every article format: parsing
// never panics, and an article it returns holds sentences that stand in
// its body paragraphs, in order, as valid text.
func FuzzParseFile(f *testing.F) {
	for _, seed := range []string{
		" date 2026-03 Eerste zin van het stuk. Tweede zin.\n\nTussenkop\nDe groep publiceerde de buit.\n",
		"midden in een zin begonnen. Daarna volgt een zin.\n\nKop\n\nTekst met een punt.",
		"---\ntitle: Krebs\ndate: 2020-11-18\n---\n# Kop\n\nDe president ontsloeg **Krebs**.\n",
		`{"id":"a","title":"T","date":"2020-11","body":"Zin een. Zin twee."}`,
		"Volgens minister Hanke\nBruins Slot is het zo.\n",
	} {
		for _, name := range []string{"a.txt", "a.md", "a.jsonl", "a.json"} {
			f.Add(name, []byte(seed))
		}
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		if len(data) > 1<<14 {
			t.Skip()
		}
		switch {
		case strings.HasSuffix(name, ".txt"), strings.HasSuffix(name, ".md"), strings.HasSuffix(name, ".json"), strings.HasSuffix(name, ".jsonl"):
		default:
			name = "a.txt"
		}
		arts, err := briefings.ParseFile(name, data)
		if err != nil {
			return
		}
		for _, a := range arts {
			for i, s := range a.Sentences {
				if s.Paragraph < 0 || s.Paragraph >= len(a.Paragraphs) {
					t.Fatalf("%s: sentence %d names paragraph %d of %d", name, i, s.Paragraph, len(a.Paragraphs))
				}
				if i > 0 && s.Paragraph < a.Sentences[i-1].Paragraph {
					t.Errorf("%s: sentence %d goes back to paragraph %d", name, i, s.Paragraph)
				}
				if !utf8.ValidString(s.Text) || strings.TrimSpace(s.Text) == "" {
					t.Errorf("%s: sentence %d is %q", name, i, s.Text)
				}
				if p := a.Paragraphs[s.Paragraph]; p.Heading || !strings.Contains(p.Text, s.Text) {
					t.Errorf("%s: sentence %q does not stand in its paragraph %q (heading %v)", name, s.Text, p.Text, p.Heading)
				}
			}
		}
	})
}
