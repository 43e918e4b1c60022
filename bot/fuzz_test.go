package bot

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzChatText feeds arbitrary chat text to what reads a message before
// the engine sees it (parseCommand, questionText) and to what cuts a reply
// for a platform's size limit (SplitText): nothing panics, and SplitText
// keeps its promises: no empty chunk, none longer than the limit (a rune
// is never split), no text lost but the white space at a cut.
func FuzzChatText(f *testing.F) {
	for _, seed := range []string{
		"who fired Krebs?", "wie heeft Krebs ontslagen? cc @alice", "subscribe verkiezingen 0 7 * * * Europe/Amsterdam",
		"latest news on Iran?", "zoek  ", "article 004_496c433a0061d38d", "(zie #general) wat zei de AIVD?", "ٞ", "?",
		"een heel lang woord: " + strings.Repeat("x", 300) + "\n\nnieuwe alinea",
	} {
		f.Add(seed, 40)
	}
	f.Fuzz(func(t *testing.T, text string, limit int) {
		if len(text) > 4096 || !utf8.ValidString(text) {
			t.Skip()
		}
		_ = parseCommand(text)
		_ = questionText(text)
		limit = limit%200 + 1
		if limit < 1 {
			limit = -limit + 4
		}
		chunks := SplitText(text, limit)
		var kept strings.Builder
		for _, c := range chunks {
			if c == "" || strings.TrimSpace(c) != c {
				t.Errorf("chunk %q is empty or has white space at its ends", c)
			}
			if len(c) > limit && utf8.RuneCountInString(c) > 1 {
				t.Errorf("chunk %q is longer than %d bytes", c, limit)
			}
			kept.WriteString(c)
		}
		strip := func(s string) string {
			return strings.Map(func(r rune) rune {
				if unicode.IsSpace(r) {
					return -1
				}
				return r
			}, s)
		}
		if strip(kept.String()) != strip(text) {
			t.Errorf("SplitText(%q, %d) lost text: %q", text, limit, chunks)
		}
	})
}
