package bot_test

import (
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/briefings"
)

// TestReaderFooter: an answer a language model gave carries a discreet
// footer in the question's language; the built-in reader's carries none.
func TestReaderFooter(t *testing.T) {
	f := newFixture(t, nil)
	quote := "De Amerikaanse president Donald Trump heeft Chris Krebs ontslagen via Twitter."
	llm := briefings.Answer{Text: "Trump", Answered: true, Reader: briefings.ReaderLLM,
		Citations: []briefings.Citation{{Article: bottest.KrebsFired, Quote: quote}}}
	builtin := llm
	builtin.Reader, builtin.Text = briefings.ReaderBuiltin, "Donald Trump"
	f.lib.Rules = append([]bottest.Rule{{Words: []string{"fired"}, Answer: llm}, {Words: []string{"ontslagen"}, Answer: llm},
		{Words: []string{"dismissed"}, Answer: builtin}}, f.lib.Rules...)
	for _, tt := range []struct{ in, answer, footer string }{
		{"Who fired Krebs?", "Trump", "Answer by a language model; the quote was checked against the article."},
		{"Wie heeft Krebs ontslagen?", "Trump", "Antwoord van een taalmodel; het citaat is gecontroleerd in het artikel."},
		{"Who dismissed Krebs?", "Donald Trump", ""},
	} {
		r := one(t, f.send(t, dm("e-"+tt.in, tt.in)))
		if r.Answer != tt.answer || r.Quote != quote || r.Footer != tt.footer {
			t.Errorf("%q: answer %q, quote %q, footer %q; want %q, the quote, footer %q", tt.in, r.Answer, r.Quote, r.Footer, tt.answer, tt.footer)
		}
		if tt.footer != "" && !strings.Contains(bot.RenderText(r), "("+tt.footer+")") {
			t.Errorf("%q: the plain text lacks the footer:\n%s", tt.in, bot.RenderText(r))
		}
	}
}
