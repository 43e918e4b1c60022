package briefings

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefings/analysis"

	"golang.org/x/text/unicode/norm"
)

// NormalizeText prepares raw article text for parsing: it strips a byte
// order mark, turns CR LF and CR into LF, applies Unicode NFC, drops control
// and zero-width (format) characters, turns other white space into plain
// spaces, collapses runs of spaces and trims every line. Line breaks are
// kept, so blank lines still separate paragraphs.
func NormalizeText(s string) string {
	s = strings.TrimPrefix(s, "\uFEFF")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	lineStart := true // nothing but spaces written since the last newline
	pendingSpace := false
	for _, r := range s {
		if r < utf8.RuneSelf && r > ' ' && r != 0x7f {
			// fast path: printable ASCII
			if pendingSpace {
				b.WriteByte(' ')
				pendingSpace = false
			}
			b.WriteByte(byte(r))
			lineStart = false
			continue
		}
		switch {
		case r == '\n' || r == '\u2028':
			b.WriteByte('\n')
			lineStart, pendingSpace = true, false
			continue
		case r == '\u2029': // paragraph separator
			b.WriteString("\n\n")
			lineStart, pendingSpace = true, false
			continue
		case r == utf8.RuneError:
			continue
		case r == '\t' || unicode.IsSpace(r) || unicode.Is(unicode.Zs, r):
			if !lineStart {
				pendingSpace = true
			}
			continue
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			// C0/C1 controls, zero-width space/joiners, soft hyphen, BOM,
			// directional marks
			continue
		}
		if pendingSpace {
			b.WriteByte(' ')
			pendingSpace = false
		}
		b.WriteRune(r)
		lineStart = false
	}
	return b.String()
}

// splitParagraphs splits normalised text at blank lines; the lines of one
// paragraph are joined with a space. In text that is not hard-wrapped, a
// subheading typed right above its paragraph, with no blank line between,
// stands apart too: a short heading-like line (see headingAbove) at the
// start of a block or after a line that ends a sentence.
func splitParagraphs(text string) []string {
	wrapped := hardWrapped(text)
	var out []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, " "))
			cur = cur[:0]
		}
	}
	prev := ""
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			flush()
			prev = ""
			continue
		}
		if !wrapped && prev != "" && headingAbove(prev, line) && (len(cur) == 1 || endsSentence(cur[len(cur)-2])) {
			// the previous line was a subheading: it stands alone
			cur = cur[:len(cur)-1]
			flush()
			out = append(out, prev)
		}
		cur = append(cur, line)
		prev = line
	}
	flush()
	return out
}

// hardWrapped reports whether text breaks its sentences over lines: a
// line that does not end a sentence is followed in its block by one that
// starts in lower case, or is longer than a subheading can be.
func hardWrapped(text string) bool {
	prev := ""
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && prev != "" && !endsSentence(prev) {
			if unicode.IsLower(firstRune(line)) || utf8.RuneCountInString(prev) > maxInlineHeading {
				return true
			}
		}
		prev = line
	}
	return false
}

// maxInlineHeading bounds a subheading typed right above its paragraph, in
// runes: a hard-wrapped line of body text is longer.
const maxInlineHeading = 60

// headingAbove reports whether line, followed by next in the same block,
// is a subheading: heading-like, short, and followed by a line that opens
// a sentence and ends one.
func headingAbove(line, next string) bool {
	if utf8.RuneCountInString(line) > maxInlineHeading || !isHeadingLike(line) {
		return false
	}
	r := firstRune(next)
	return (unicode.IsUpper(r) || unicode.IsDigit(r)) && strings.ContainsFunc(next, isTerminator)
}

// endsSentence reports whether a line ends with a sentence's end.
func endsSentence(line string) bool { return isTerminator(lastRune(line)) }

// firstRune is the first character of s past opening quotes and brackets.
func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(strings.TrimLeftFunc(s, isOpener))
	return r
}

// lastRune is the last character of s before closing quotes and brackets.
func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRightFunc(s, isCloser))
	return r
}

// collapseSpaces turns every run of white space into one space and trims.
func collapseSpaces(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// fixMissingSpaces inserts the space that is missing after a sentence end
// between a lower-case word and a capitalised one ("agenda.Volgens" ->
// "agenda. Volgens"). Initials ("G.W."), abbreviations in capitals
// ("CD-ROM"), web addresses and e-mail addresses are left alone.
func fixMissingSpaces(p string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		prev, _ := utf8.DecodeLastRuneInString(p[:i])
		if !unicode.IsLower(prev) {
			continue
		}
		next, n := utf8.DecodeRuneInString(p[i+1:])
		if !unicode.IsUpper(next) {
			continue
		}
		after, _ := utf8.DecodeRuneInString(p[i+1+n:])
		if !unicode.IsLower(after) {
			continue
		}
		// the previous word must be a real word of two letters or more
		ws := strings.LastIndexAny(p[:i], " \t") + 1
		word := p[ws:i]
		if utf8.RuneCountInString(word) < 2 {
			continue
		}
		// and the token must not be an address
		we := strings.IndexAny(p[i:], " \t")
		if we < 0 {
			we = len(p) - i
		}
		token := p[ws : i+we]
		if strings.Contains(token, "://") || strings.Contains(token, "www.") || strings.Contains(token, "@") || strings.Contains(token, "/") {
			continue
		}
		b.WriteString(p[last : i+1])
		b.WriteByte(' ')
		last = i + 1
	}
	if last == 0 {
		return p
	}
	b.WriteString(p[last:])
	return b.String()
}

// abbreviations do not end a sentence (except sentenceFinalAbbreviations,
// see there). Keys are lower case, without the final period.
var abbreviations = map[string]bool{
	"o.a": true, "dhr": true, "mr": true, "mevr": true, "mw": true, "drs": true, "dr": true,
	"ir": true, "ing": true, "prof": true, "bijv": true, "bv": true, "b.v": true, "d.w.z": true,
	"m.a.w": true, "i.p.v": true, "t.o.v": true, "z.g": true, "zgn": true, "z.g.n": true, "nr": true,
	"ca": true, "st": true, "jr": true, "sr": true, "blz": true, "m.b.t": true, "n.a.v": true,
	"i.v.m": true, "o.b.v": true, "a.d.h.v": true, "t.a.v": true, "m.i": true, "incl": true,
	"excl": true, "evt": true, "ong": true, "vgl": true, "th": true, "chr": true,
	"joh": true, "ph": true, "wd": true, "gen": true, "mln": true,
	"mld": true, "mrd": true, "v": true, "vz": true, "plv": true,
	"jan": true, "feb": true, "mrt": true, "apr": true, "jun": true, "jul": true, "aug": true,
	"sep": true, "sept": true, "okt": true, "nov": true, "dec": true,
	// these may also end a sentence: see sentenceFinalAbbreviations
	"enz": true, "etc": true, "e.a": true, "jl": true, "a.s": true, "e.d": true, "resp": true,
}

// sentenceFinalAbbreviations often close a sentence ("appels, peren enz.").
// After them a sentence ends only when the next word is a common sentence
// opener.
var sentenceFinalAbbreviations = map[string]bool{
	"enz": true, "etc": true, "e.a": true, "jl": true, "a.s": true, "e.d": true,
	"jan": true, "feb": true, "mrt": true, "apr": true, "jun": true, "jul": true, "aug": true,
	"sep": true, "sept": true, "okt": true, "nov": true, "dec": true,
}

// sentenceOpeners are words that typically start a Dutch sentence, folded.
var sentenceOpeners = map[string]bool{
	"de": true, "het": true, "een": true, "dat": true, "dit": true, "die": true, "deze": true,
	"er": true, "ook": true, "maar": true, "en": true, "volgens": true, "hij": true, "zij": true,
	"ze": true, "we": true, "wij": true, "ik": true, "in": true, "op": true, "daarna": true,
	"daarom": true, "toch": true, "zo": true, "nu": true, "bovendien": true, "ondertussen": true,
	"intussen": true, "wel": true, "niet": true, "als": true, "omdat": true, "hoewel": true,
}

func isTerminator(r rune) bool { return r == '.' || r == '!' || r == '?' || r == '…' }

// isCloser reports whether r closes a quotation or parenthesis.
func isCloser(r rune) bool {
	switch r {
	case '’', '”', '»', ')', ']', '\'', '"', '›':
		return true
	}
	return false
}

func isOpener(r rune) bool {
	switch r {
	case '‘', '“', '«', '(', '[', '\'', '"', '‹', '„', '‚':
		return true
	}
	return false
}

// startsSentence reports whether s (the text after a sentence end and a
// space) looks like the start of a new sentence: an upper-case letter or a
// digit, possibly after opening quotes, or Dutch "'s"/"'t".
func startsSentence(s string) bool {
	for _, pre := range []string{"'s ", "’s ", "'t ", "’t "} {
		if strings.HasPrefix(s, pre) {
			return true
		}
	}
	for _, r := range s {
		if isOpener(r) || r == '-' || r == '–' {
			continue
		}
		return unicode.IsUpper(r) || unicode.IsDigit(r)
	}
	return false
}

// isInitials reports whether tok is one or more single capital letters
// joined by periods: "J", "G.W".
func isInitials(tok string) bool {
	if tok == "" {
		return false
	}
	for part := range strings.SplitSeq(tok, ".") {
		r, n := utf8.DecodeRuneInString(part)
		if n != len(part) || !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// periodEndsSentence decides whether the period after before ends the
// sentence, given the text that follows it. before is the sentence so far.
func periodEndsSentence(before, after string) bool {
	ws := strings.LastIndexAny(before, " \t") + 1
	tok := strings.TrimLeftFunc(before[ws:], isOpener)
	low := strings.ToLower(tok)
	if isInitials(tok) {
		return false
	}
	if abbreviations[low] {
		if !sentenceFinalAbbreviations[low] {
			return false
		}
		next := after
		if i := strings.IndexFunc(next, func(r rune) bool { return !unicode.IsLetter(r) }); i >= 0 {
			next = next[:i]
		}
		return sentenceOpeners[analysis.Fold(next)]
	}
	// a list number opening the paragraph: "1. De eerste ..."
	if ws == 0 && tok != "" && strings.TrimFunc(tok, unicode.IsDigit) == "" && len(tok) <= 2 {
		return false
	}
	return true
}

// SplitSentences splits one paragraph of normalised text into sentences. It
// knows Dutch abbreviations (o.a., dhr., bijv., d.w.z. …), initials ("G.W.
// Bush"), decimals ("3.5") and quotations: a closing quote after the final
// period stays with its sentence, and a quotation that ends in a period or
// question mark followed by a lower-case word ("?' vroeg hij") does not end
// the sentence.
func SplitSentences(p string) []string {
	spans := sentenceSpans(p)
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = p[s[0]:s[1]]
	}
	return out
}

// maxSentenceBytes caps a sentence's length. Real news sentences stay far
// below it (the longest of 737 in the development articles is 399 bytes); a
// longer one is a list, a table or text without punctuation, and is cut at
// clause boundaries so that answering, quoting and snippets stay bounded.
const maxSentenceBytes = 1000

// sentenceCut returns where to end the first piece of the over-long sentence
// s: after the last clause mark (", ; : –") in the second half of the first
// limit bytes, else at the last space there, else at a rune boundary.
func sentenceCut(s string, limit int) int {
	w := s[:limit]
	if i := strings.LastIndexAny(w[limit/2:], ",;:–"); i >= 0 {
		i += limit / 2
		_, n := utf8.DecodeRuneInString(w[i:])
		return i + n
	}
	if i := strings.LastIndexByte(w[limit/2:], ' '); i >= 0 {
		return limit/2 + i
	}
	for limit > 0 && !utf8.RuneStart(s[limit]) {
		limit--
	}
	return limit
}

// sentenceSpans returns the byte ranges of the sentences of p, trimmed; none
// is longer than maxSentenceBytes.
func sentenceSpans(p string) [][2]int {
	var out [][2]int
	add := func(start, end int) {
		for start < end && p[start] == ' ' {
			start++
		}
		for end > start && p[end-1] == ' ' {
			end--
		}
		if start >= end {
			return
		}
		if strings.IndexFunc(p[start:end], analysis.IsWordRune) < 0 {
			// punctuation only: glue it to the previous sentence
			if len(out) > 0 {
				out[len(out)-1][1] = end
			}
			return
		}
		for end-start > maxSentenceBytes {
			cut := sentenceCut(p[start:end], maxSentenceBytes)
			out = append(out, [2]int{start, start + cut})
			start += cut
			for start < end && p[start] == ' ' {
				start++
			}
		}
		out = append(out, [2]int{start, end})
	}
	start := 0
	i := 0
	for i < len(p) {
		r, n := utf8.DecodeRuneInString(p[i:])
		if !isTerminator(r) {
			i += n
			continue
		}
		termStart := i
		j := i + n
		single := r == '.'
		for j < len(p) {
			r2, n2 := utf8.DecodeRuneInString(p[j:])
			if !isTerminator(r2) {
				break
			}
			single = false
			j += n2
		}
		for j < len(p) {
			r2, n2 := utf8.DecodeRuneInString(p[j:])
			if !isCloser(r2) {
				break
			}
			j += n2
		}
		if j >= len(p) {
			break
		}
		if p[j] != ' ' {
			i = j // "3.5", "nu.nl", "G.W."
			continue
		}
		k := j + 1
		if !startsSentence(p[k:]) {
			i = k
			continue
		}
		if single && !periodEndsSentence(p[start:termStart], p[k:]) {
			i = k
			continue
		}
		add(start, j)
		start = k
		i = k
	}
	add(start, len(p))
	return out
}

// isHeadingLike reports whether a paragraph looks like a subheading: a few
// words, no sentence-final punctuation, starting with a capital or digit.
func isHeadingLike(p string) bool {
	if utf8.RuneCountInString(p) > 80 || len(strings.Fields(p)) > 10 {
		return false
	}
	if r := firstRune(p); !unicode.IsUpper(r) && !unicode.IsDigit(r) {
		return false
	}
	if lr := lastRune(p); isTerminator(lr) || strings.ContainsRune(":;,", lr) {
		return false
	}
	return strings.IndexFunc(p, unicode.IsLetter) >= 0
}

// maxTitleWords bounds a derived title.
const maxTitleWords = 12

// deriveTitle makes a title from a sentence: at most maxTitleWords words,
// cut at a word boundary and marked with "…"; one final period dropped.
func deriveTitle(s string) string {
	words := strings.Fields(s)
	if len(words) > maxTitleWords {
		words = words[:maxTitleWords]
		last := strings.TrimRight(words[len(words)-1], ",;:–-")
		if last == "" {
			words = words[:len(words)-1]
		} else {
			words[len(words)-1] = last
		}
		return strings.Join(words, " ") + "…"
	}
	t := strings.Join(words, " ")
	if strings.HasSuffix(t, ".") && !strings.HasSuffix(t, "..") {
		t = strings.TrimSuffix(t, ".")
	}
	return t
}
