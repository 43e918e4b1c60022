package bot_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/briefings"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(got, string(want)); diff != "" {
		t.Errorf("%s mismatch (-got +want):\n%s", name, diff)
	}
}

// TestRenderText renders one reply of every kind; review the golden file
// when it changes.
func TestRenderText(t *testing.T) {
	f := newFixture(t, nil)
	var b strings.Builder
	for i, in := range []string{
		"Who is the head of the intelligence services?",
		"Wie won de verkiezingen in Hamburg?",
		"waar was de G20-top?",
		"search hackers",
		"artikel 001_3a4517b0ca95c208",
		"laatste interference",
		"digest interference since 2020-01",
		"digest since 2026-11-23",
		"subscribe interference",
		"subscriptions",
		"help",
	} {
		r := one(t, f.send(t, dm("r"+string(rune('a'+i)), in)))
		b.WriteString("### " + in + "\n" + bot.RenderText(r) + "\n\n")
	}
	golden(t, "render.golden", b.String())
}

func TestRenderTextEmpty(t *testing.T) {
	if got := bot.RenderText(bot.Reply{}); got != "" {
		t.Errorf("RenderText(empty) = %q, want empty", got)
	}
	if got, want := bot.RenderText(bot.Reply{Notice: "  Done.  "}), "Done."; got != want {
		t.Errorf("RenderText(notice) = %q, want %q", got, want)
	}
}

// TestSplitText checks SplitText's properties on many inputs and limits:
// chunks are non-empty, within the limit, valid UTF-8, without whitespace
// at their ends, and they hold the input's words in order; a word is cut
// only when it alone exceeds the limit.
func TestSplitText(t *testing.T) {
	lib := bottest.NewLibrary(start)
	var long bot.Reply
	for _, a := range lib.Articles {
		long.Body = append(long.Body, a.Title, a.Body())
		long.Items = append(long.Items, bot.Item{Article: a.ID, Title: a.Title, Date: a.Date, Source: a.Source, Text: a.Body()})
	}
	answer := bot.RenderText(long)
	inputs := []string{
		"",
		"   \n\n  ",
		"kort",
		"Een zin met een paar woorden.",
		"Eerste alinea met woorden.\n\nTweede alinea, iets langer dan de eerste.\n\nDerde.",
		"regel een\nregel twee\nregel drie\n\n\n\nna lege regels",
		strings.Repeat("woord ", 200),
		"supercalifragilisticexpialidocious kort " + strings.Repeat("x", 50),
		strings.Repeat("ë", 40) + " " + strings.Repeat("日本語", 10) + " 🇳🇱🇳🇱🇳🇱",
		"tab\tgescheiden\twoorden\r\nmet CRLF\r\nregels",
		"  leading and trailing  \n",
		answer,
	}
	for _, in := range inputs {
		for _, limit := range []int{4, 5, 7, 10, 16, 33, 80, 200, 5000} {
			chunks := bot.SplitText(in, limit)
			checkSplit(t, in, limit, chunks)
		}
	}
}

func checkSplit(t *testing.T, in string, limit int, chunks []string) {
	t.Helper()
	var pieces []string
	for i, c := range chunks {
		if c == "" || strings.TrimSpace(c) != c {
			t.Errorf("limit %d, %q: chunk %d %q is empty or has whitespace at an end", limit, short(in), i, c)
		}
		if len(c) > limit {
			t.Errorf("limit %d, %q: chunk %d is %d bytes", limit, short(in), i, len(c))
		}
		if !utf8.ValidString(c) {
			t.Errorf("limit %d, %q: chunk %d %q is not valid UTF-8", limit, short(in), i, c)
		}
		pieces = append(pieces, strings.Fields(c)...)
	}
	// The pieces rebuild the input's words in order; a word made of more
	// than one piece (cut between chunks) must be longer than limit.
	k := 0
	for _, w := range strings.Fields(in) {
		acc, n := "", 0
		for k < len(pieces) && len(acc) < len(w) {
			acc += pieces[k]
			k++
			n++
		}
		if acc != w {
			t.Errorf("limit %d, %q: word %q came out as %q", limit, short(in), w, acc)
			return
		}
		if n > 1 && len(w) <= limit {
			t.Errorf("limit %d, %q: word %q fits but was cut", limit, short(in), w)
		}
	}
	if k != len(pieces) {
		t.Errorf("limit %d, %q: %d extra pieces", limit, short(in), len(pieces)-k)
	}
	// Each chunk is a piece of the input, in order.
	rest := in
	for _, c := range chunks {
		i := strings.Index(rest, c)
		if i < 0 {
			t.Errorf("limit %d, %q: chunk %q is not in the input after the previous chunk", limit, short(in), c)
			return
		}
		rest = rest[i+len(c):]
	}
}

func short(s string) string {
	if len(s) > 30 {
		return s[:30] + "…"
	}
	return s
}

// TestSplitTextExamples pins where cuts fall.
func TestSplitTextExamples(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  []string
	}{
		{"aaa bbb\n\nccc ddd", 12, []string{"aaa bbb", "ccc ddd"}},
		{"aaa bbb\nccc ddd", 12, []string{"aaa bbb", "ccc ddd"}},
		{"aaa bbb ccc ddd", 12, []string{"aaa bbb ccc", "ddd"}},
		{"aaa bbb", 7, []string{"aaa bbb"}},
		{"abcdefghij kl", 4, []string{"abcd", "efgh", "ij", "kl"}},
		{"ëëëë", 3, []string{"ë", "ë", "ë", "ë"}},
		{"日本", 2, []string{"日", "本"}}, // a rune is never split, even past the limit
		{"one two", 0, []string{"one two"}},
		{"  ", 10, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(bot.SplitText(tt.in, tt.limit), tt.want); diff != "" {
			t.Errorf("SplitText(%q, %d) (-got +want):\n%s", tt.in, tt.limit, diff)
		}
	}
}

// TestDigestReply covers the title's period formats and the empty notice.
func TestDigestReply(t *testing.T) {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	item := briefings.DigestItem{Article: "a1", Source: "a1.txt", Title: "Titel", Date: briefings.Date{Year: 2026, Month: 11, Day: 20},
		Summary: "Een zin.", Matched: []string{"inmenging"}}
	now := time.Date(2026, 11, 24, 6, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		d     briefings.Digest
		topic briefings.Topic
		loc   *time.Location
		want  bot.Reply
	}{
		{"week", briefings.Digest{Topic: "interference", Since: now.AddDate(0, 0, -7), Until: now, Items: []briefings.DigestItem{item, item, item}},
			briefings.Topic{Name: "interference"}, ams, bot.Reply{
				Title: "Digest: interference · 17–24 Nov 2026 · 3 stories",
				Items: []bot.Item{{Article: "a1", Title: "Titel", Date: item.Date, Source: "a1.txt", Text: "Een zin.", Matched: []string{"inmenging"}},
					{Article: "a1", Title: "Titel", Date: item.Date, Source: "a1.txt", Text: "Een zin.", Matched: []string{"inmenging"}},
					{Article: "a1", Title: "Titel", Date: item.Date, Source: "a1.txt", Text: "Een zin.", Matched: []string{"inmenging"}}}}},
		{"empty, in loc", briefings.Digest{Topic: "interference", Since: time.Date(2026, 11, 16, 23, 30, 0, 0, time.UTC)},
			briefings.Topic{}, ams, bot.Reply{
				Title:  "Digest: interference · 17–24 Nov 2026 · 0 stories",
				Notice: "Nothing new on interference since 17 Nov 2026."}},
		{"across months", briefings.Digest{Since: time.Date(2026, 10, 28, 7, 0, 0, 0, time.UTC), Until: time.Date(2026, 11, 4, 7, 0, 0, 0, time.UTC), Items: []briefings.DigestItem{item}},
			briefings.Topic{Name: "x"}, nil, bot.Reply{
				Title: "Digest: x · 28 Oct – 4 Nov 2026 · 1 story",
				Items: []bot.Item{{Article: "a1", Title: "Titel", Date: item.Date, Source: "a1.txt", Text: "Een zin.", Matched: []string{"inmenging"}}}}},
		{"across years", briefings.Digest{Since: time.Date(2025, 12, 28, 7, 0, 0, 0, time.UTC), Until: time.Date(2026, 1, 4, 7, 0, 0, 0, time.UTC)},
			briefings.Topic{Name: "x"}, time.UTC, bot.Reply{
				Title: "Digest: x · 28 Dec 2025 – 4 Jan 2026 · 0 stories", Notice: "Nothing new on x since 28 Dec 2025."}},
		{"open start", briefings.Digest{}, briefings.Topic{Name: "x"}, time.UTC, bot.Reply{
			Title: "Digest: x · until 24 Nov 2026 · 0 stories", Notice: "Nothing on x yet."}},
		{"same day", briefings.Digest{Since: now.Add(-time.Hour)}, briefings.Topic{Name: "x"}, time.UTC, bot.Reply{
			Title: "Digest: x · 24 Nov 2026 · 0 stories", Notice: "Nothing new on x since 24 Nov 2026."}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(bot.DigestReply(tt.d, tt.topic, tt.loc, now), tt.want); diff != "" {
			t.Errorf("%s (-got +want):\n%s", tt.name, diff)
		}
	}
}

func TestRenderTextCapsMatchedTerms(t *testing.T) {
	r := bot.Reply{Items: []bot.Item{{Title: "T", Matched: []string{"a", "b", "c", "d", "e", "f", "g"}}}}
	if got, want := bot.RenderText(r), "1. T\n   matched: a, b, c, d, e, …"; got != want {
		t.Errorf("RenderText = %q, want %q", got, want)
	}
}
