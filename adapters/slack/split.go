package slack

import (
	"strings"
	"unicode/utf8"

	"github.com/briefbot/briefbot/bot"
)

// runeLen is the length Slack's limits count: characters, not bytes.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// splitText splits s into chunks of at most limit bytes (so at most limit
// characters) between paragraphs, lines or words: bot.SplitText, shared
// with the other adapters. Only a single word longer than limit is cut;
// if that word holds an entity ("&amp;") the cut may split it, which
// shows the entity's letters but can never form markup.
func splitText(s string, limit int) []string { return bot.SplitText(s, limit) }

// chunk is a piece of text before and after decoration.
type chunk struct{ raw, decorated string }

// fitDecorated splits s so that decorate(chunk) is at most limit runes for
// every chunk, for decorations that add a few characters per line (bold,
// quote markers).
func fitDecorated(s string, limit int, decorate func(string) string) []chunk {
	budget := limit
	for {
		parts := splitText(s, budget)
		out := make([]chunk, 0, len(parts))
		over := 0
		for _, c := range parts {
			d := decorate(c)
			if n := runeLen(d); n > limit {
				over = max(over, n-limit)
			}
			out = append(out, chunk{raw: c, decorated: d})
		}
		if over == 0 || budget <= 1 {
			return out
		}
		budget = max(1, budget-over)
	}
}

// truncateWords shortens s to at most limit runes at a word boundary,
// marking the cut with "…".
func truncateWords(s string, limit int) string {
	s = strings.Join(strings.Fields(s), " ")
	if runeLen(s) <= limit {
		return s
	}
	r := []rune(s)[:limit]
	cut := len(r) - 1 // room for the ellipsis
	for i := cut; i > limit/2; i-- {
		if r[i] == ' ' {
			cut = i
			break
		}
	}
	// Never end inside an entity.
	for i := cut - 1; i >= 0 && i >= cut-8; i-- {
		if r[i] == ';' {
			break
		}
		if r[i] == '&' {
			cut = i
			break
		}
	}
	return strings.TrimSpace(string(r[:cut])) + "…"
}
