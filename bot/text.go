package bot

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// RenderText renders r as plain text: the console's output, and the
// fallback of adapters that cannot render richer markup. Sections are
// separated by blank lines, in this order: title, answer, quote, sources,
// items, body, notice, see also, footer (in parentheses). Text is not
// escaped.
func RenderText(r Reply) string {
	var sections []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			sections = append(sections, s)
		}
	}
	add(r.Title)
	add(r.Answer)
	if r.Quote != "" {
		add("“" + r.Quote + "”")
	}
	add(citationList("Sources:", r.Citations))
	if len(r.Items) > 0 {
		var b strings.Builder
		for i, it := range r.Items {
			if i > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "%d. %s", i+1, it.Title)
			if meta := CiteMeta(it.Date.String(), it.Source); meta != "" {
				b.WriteString(" (" + meta + ")")
			}
			if it.Text != "" {
				b.WriteString("\n   " + it.Text)
			}
			if len(it.Matched) > 0 {
				b.WriteString("\n   matched: " + joinCapped(it.Matched, maxMatched))
			}
			if len(it.AlsoIn) > 0 {
				b.WriteString("\n   also in: " + joinCapped(LinkNames(it.AlsoIn), MaxAlsoIn))
			}
		}
		add(b.String())
	}
	for _, p := range r.Body {
		add(p)
	}
	add(r.Notice)
	add(citationList("See also:", r.SeeAlso))
	if f := strings.TrimSpace(r.Footer); f != "" {
		add("(" + f + ")")
	}
	return strings.Join(sections, "\n\n")
}

// maxMatched is how many matched topic terms an item shows.
const maxMatched = 5

// MaxAlsoIn is how many other copies of a story an item names; adapters
// show the same number.
const MaxAlsoIn = 3

// LinkNames returns the links' names.
func LinkNames(ls []Link) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Name
	}
	return out
}

// joinCapped joins the first max strings with ", ", adding "…" when some
// were left out.
func joinCapped(ss []string, max int) string {
	if len(ss) <= max {
		return strings.Join(ss, ", ")
	}
	return strings.Join(ss[:max], ", ") + ", …"
}

// citationList renders a heading and one line per citation.
func citationList(heading string, cs []Citation) string {
	if len(cs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(heading)
	for _, c := range cs {
		b.WriteString("\n- " + c.Title)
		if meta := CiteMeta(c.Date.String(), c.Source); meta != "" {
			b.WriteString(" (" + meta + ")")
		}
	}
	return b.String()
}

// CiteMeta is the "date, source" text shown after a citation's title in
// plain renderings; either part may be empty. Adapters use it so that every
// platform cites alike.
func CiteMeta(date, source string) string {
	switch {
	case date != "" && source != "":
		return date + ", " + source
	case date != "":
		return date
	default:
		return source
	}
}

// SplitText splits s into chunks of at most limit bytes, for platforms that
// cap a message's length. It cuts at the last paragraph break (blank line)
// that fits, else the last line break, else the last space; it never cuts
// inside a word, except a word longer than limit, which is cut at rune
// boundaries. Whitespace at a cut is dropped, so a chunk never starts or
// ends with whitespace (an indented line loses its indentation when it
// starts a chunk); chunks are never empty. A limit below 1 means no limit. A
// chunk exceeds limit only when limit is smaller than one rune's encoding
// (2-4 bytes): a rune is never split. Text with no visible characters gives
// nil.
func SplitText(s string, limit int) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if limit < 1 {
		return []string{s}
	}
	var out []string
	for len(s) > limit {
		chunk, rest := cutAt(s, limit)
		out = append(out, strings.TrimRightFunc(chunk, unicode.IsSpace))
		s = strings.TrimLeftFunc(rest, unicode.IsSpace)
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// cutAt splits s, which is longer than limit and starts with a non-space,
// at the best boundary within its first limit bytes. The part before is
// never empty or only whitespace.
func cutAt(s string, limit int) (string, string) {
	head := s[:limit+1] // the byte at limit may be the boundary itself
	if i := strings.LastIndex(head, "\n\n"); i > 0 && strings.TrimSpace(s[:i]) != "" {
		return s[:i], s[i:]
	}
	if i := strings.LastIndexByte(head, '\n'); i > 0 && strings.TrimSpace(s[:i]) != "" {
		return s[:i], s[i:]
	}
	if i := strings.LastIndexFunc(head, unicode.IsSpace); i > 0 {
		return s[:i], s[i:]
	}
	// The first word is longer than limit: cut it at the last rune boundary
	// that fits, taking at least one rune.
	i := limit
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	if i == 0 {
		_, i = utf8.DecodeRuneInString(s)
	}
	return s[:i], s[i:]
}
