package slack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/briefings"
)

func nosDate(d int) briefings.Date { return briefings.Date{Year: 2026, Month: 11, Day: d} }

func answerReply() bot.Reply {
	return bot.Reply{
		Ref:    "ans-7f3a",
		Title:  "Stikstof: wat zei de minister?",
		Answer: "De minister wil de uitstoot vóór 2030 halveren.",
		Quote:  "\"We halveren de stikstofuitstoot vóór 2030,\" zei minister Van der Wal dinsdag in de Tweede Kamer.",
		Citations: []bot.Citation{
			{Article: "003_b80da3bb4248e633", Title: "Kabinet presenteert stikstofplan", Source: "NOS", Date: nosDate(3)},
			{Article: "004_496c433a0061d38d", Title: "Boeren reageren op plan", Source: "NU.nl", Date: briefings.Date{Year: 2026, Month: 10}},
		},
	}
}

// llmAnswerReply is an answer a language model gave: the footer says so.
func llmAnswerReply() bot.Reply {
	r := answerReply()
	r.Footer = "Answer by a language model; the quote was checked against the article."
	return r
}

func unansweredReply() bot.Reply {
	return bot.Reply{
		Notice: "De artikelen zeggen niet wie de opdracht gaf.",
		SeeAlso: []bot.Citation{
			{Title: "Onderzoek naar datalek bij gemeente", Source: "NOS", Date: nosDate(12)},
			{Title: "Raad eist opheldering over <datalek> & gevolgen", Source: "Omroep West", Date: nosDate(13)},
			{Title: "Zonder datum", Source: "Trouw"},
		},
	}
}

func listReply(n int) bot.Reply {
	r := bot.Reply{Title: fmt.Sprintf("Laatste nieuws over stikstof, %d artikelen", n)}
	for i := range n {
		r.Items = append(r.Items, bot.Item{
			Article: bot.ArticleID(fmt.Sprintf("%03d_art", i)),
			Title:   fmt.Sprintf("Artikel %d over stikstof en de boeren in Gelderland", i+1),
			Date:    nosDate(1 + i%28),
			Source:  []string{"NOS", "NU.nl", "Trouw"}[i%3],
			Text:    "De provincie wil de vergunningen herzien nadat de rechter oordeelde dat de berekeningen niet deugden, en boeren protesteren.",
			Matched: []string{"stikstof", "boeren"},
		})
	}
	return r
}

// longBody is 10,000 characters of Dutch-ish prose in paragraphs, with one
// paragraph far longer than a section.
func longBody() []string {
	words := strings.Fields("de minister zei dinsdag dat het kabinet de stikstofuitstoot wil halveren en dat boeren daarvoor " +
		"compensatie krijgen terwijl de provincie Gelderland & Overijssel <bezwaar> maakt tegen de plannen van Den Haag")
	var paras []string
	var b strings.Builder
	total, i, paraLen := 0, 0, 700
	for total < 10000 {
		w := words[i%len(words)]
		i++
		if b.Len() > 0 {
			b.WriteByte(' ')
			total++
		}
		b.WriteString(w)
		total += len(w)
		if len(paras) == 3 {
			paraLen = 5200 // one paragraph longer than a section
		} else {
			paraLen = 700
		}
		if b.Len() >= paraLen {
			paras = append(paras, b.String())
			b.Reset()
		}
	}
	if b.Len() > 0 {
		paras = append(paras, b.String())
	}
	return paras
}

// TestRenderGolden pins the Block Kit JSON of representative replies and
// checks every message against Slack's limits. Run with -update to rewrite
// testdata/*.golden after an intended change.
func TestRenderGolden(t *testing.T) {
	tests := []struct {
		name     string
		reply    bot.Reply
		feedback bool
		minMsgs  int
	}{
		{"answer", answerReply(), true, 1},
		{"answer_llm", llmAnswerReply(), true, 1},
		{"unanswered_see_also", unansweredReply(), true, 1},
		{"list_120", listReply(120), false, 3},
		{"body_10k", bot.Reply{Title: "Artikel", Body: longBody()}, false, 2},
		{"digest", bottest.DigestReply(3), false, 1},
		{"feeds", bottest.FeedsReply(t, false), false, 1},
		{"feeds_nl", bottest.FeedsReply(t, true), false, 1},
		{"digest_empty", bottest.DigestReply(0), false, 1},
		{"ids", idsReply(), false, 1},
		{"links", linksReply(), true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := render(tt.reply, tt.feedback)
			if len(msgs) < tt.minMsgs {
				t.Errorf("%d messages, want at least %d", len(msgs), tt.minMsgs)
			}
			checkLimits(t, msgs)
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(msgs); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			path := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(got), string(want)); diff != "" {
				t.Errorf("%s (-got +want):\n%s", path, diff)
			}
		})
	}
}

// checkLimits fails when a message breaks Slack's Block Kit limits.
func checkLimits(t *testing.T, msgs []message) {
	t.Helper()
	for i, m := range msgs {
		if len(m.Blocks) > maxBlocks {
			t.Errorf("message %d has %d blocks, limit %d", i, len(m.Blocks), maxBlocks)
		}
		if m.Text == "" || runeLen(m.Text) > maxFallbackText {
			t.Errorf("message %d fallback text has %d characters", i, runeLen(m.Text))
		}
		total := 0
		for j, b := range m.Blocks {
			switch b := b.(type) {
			case *slackapi.HeaderBlock:
				if n := runeLen(b.Text.Text); n > maxHeaderText {
					t.Errorf("message %d block %d: header of %d characters", i, j, n)
				}
				total += runeLen(b.Text.Text)
			case *slackapi.SectionBlock:
				if n := runeLen(b.Text.Text); n > maxSectionText {
					t.Errorf("message %d block %d: section of %d characters", i, j, n)
				}
				total += runeLen(b.Text.Text)
			case *slackapi.ContextBlock:
				for _, e := range b.ContextElements.Elements {
					if tx, ok := e.(*slackapi.TextBlockObject); ok {
						if n := runeLen(tx.Text); n > maxSectionText {
							t.Errorf("message %d block %d: context of %d characters", i, j, n)
						}
						total += runeLen(tx.Text)
					}
				}
			}
		}
		if total > maxMessageText {
			t.Errorf("message %d has %d characters of text, budget %d", i, total, maxMessageText)
		}
	}
}

// TestRenderKeepsEveryWord: splitting never loses, duplicates or cuts a
// word: the words of the 10,000-character body come out in order.
func TestRenderKeepsEveryWord(t *testing.T) {
	body := longBody()
	msgs := render(bot.Reply{Body: body}, false)
	var got []string
	for _, m := range msgs {
		for _, b := range m.Blocks {
			got = append(got, strings.Fields(b.(*slackapi.SectionBlock).Text.Text)...)
		}
	}
	want := strings.Fields(escape(strings.Join(body, " ")))
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("words (-got +want):\n%s", diff)
	}
}

// TestFitDecorated: decorated chunks (bold, quote markers) stay within the
// limit and keep every word.
func TestFitDecorated(t *testing.T) {
	in := strings.Repeat("een twee drie\nvier vijf zes\n", 40)
	for _, deco := range []struct {
		name string
		f    func(string) string
	}{{"bold", bold}, {"quote", quote}} {
		t.Run(deco.name, func(t *testing.T) {
			chunks := fitDecorated(in, 50, deco.f)
			var words []string
			for _, c := range chunks {
				if n := runeLen(c.decorated); n > 50 {
					t.Errorf("chunk of %d characters: %q", n, c.decorated)
				}
				if c.decorated != deco.f(c.raw) {
					t.Errorf("chunk %q decorated as %q", c.raw, c.decorated)
				}
				for _, w := range strings.Fields(c.decorated) {
					if w = strings.Trim(w, "*>"); w != "" {
						words = append(words, w)
					}
				}
			}
			if diff := cmp.Diff(words, strings.Fields(in)); diff != "" {
				t.Errorf("words (-got +want):\n%s", diff)
			}
		})
	}
}

func TestTruncateWords(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"kort", 10, "kort"},
		{"een twee drie vier vijf", 14, "een twee drie…"},
		{"een twee drie vier vijf", 13, "een twee…"},
		{"een   twee\n\ndrie", 20, "een twee drie"},
		{"R&amp;D is duur", 6, "R…"},
	}
	for _, tt := range tests {
		if got := truncateWords(tt.in, tt.limit); got != tt.want {
			t.Errorf("truncateWords(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
	}
}

func TestFeedbackButtonsOnlyWithRecorder(t *testing.T) {
	has := func(msgs []message) bool {
		last := msgs[len(msgs)-1].Blocks
		_, ok := last[len(last)-1].(*slackapi.ActionBlock)
		return ok
	}
	if has(render(answerReply(), false)) {
		t.Error("buttons rendered although no feedback recorder is configured")
	}
	if !has(render(answerReply(), true)) {
		t.Error("no buttons for a reply with a Ref")
	}
	r := answerReply()
	r.Ref = ""
	if has(render(r, true)) {
		t.Error("buttons rendered for a reply without a Ref")
	}
}

// TestRenderBlockLimit: many short entries split at 50 blocks per message.
func TestRenderBlockLimit(t *testing.T) {
	var r bot.Reply
	for i := range 120 {
		r.Items = append(r.Items, bot.Item{Title: fmt.Sprintf("Kort %d", i+1)})
	}
	msgs := render(r, false)
	var counts []int
	for _, m := range msgs {
		counts = append(counts, len(m.Blocks))
	}
	if diff := cmp.Diff(counts, []int{50, 50, 20}); diff != "" {
		t.Errorf("blocks per message (-got +want):\n%s", diff)
	}
	checkLimits(t, msgs)
}
