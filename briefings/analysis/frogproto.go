package analysis

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Frog's server protocol, as frog 0.20 speaks it with -S PORT -n (checked
// against the program, there is no other documentation):
//
//   - The client sends one line; with -n each line is one request (without
//     -n Frog collects lines up to a line "EOT" instead). An empty line is a
//     request too, answered by READY alone.
//   - Frog answers with one line per token, ten tab-separated columns:
//     number (from 1), word, lemma, morphemes "[kremlin][woord][voer][der]",
//     CGN tag, tagger confidence, NER IOB tag, chunk IOB tag, head number
//     (0 for the root) and dependency relation. Skipped modules leave their
//     columns empty (the line then has twelve columns, the last four empty).
//     Multi-word units are one line with the parts joined by "_" in every
//     column: "Donald_Trump", "SPEC(deeleigen)_SPEC(deeleigen)", "B-PER_I-PER".
//   - Frog's tokenizer still splits a line at sentence-final punctuation
//     ("Hij ging. Zij kwam." is two sentences even with -n); each sentence
//     ends with an empty line, and their token numbers restart at 1.
//   - After the tokens comes a line "READY" and an empty line.
//
// Frog forks one child process per connection, which holds the connection
// until it is closed.

const (
	// maxLineBytes bounds one line of Frog's answer.
	maxLineBytes = 64 << 10
	// maxResponseBytes and maxResponseRows bound one answer (one sentence
	// of at most MaxWords words needs a few kilobytes).
	maxResponseBytes = 1 << 20
	maxResponseRows  = 8192
	// maxWordBytes bounds one word sent to Frog; longer words (URLs, junk)
	// are cut at a character boundary.
	maxWordBytes = 128
	// maxChunks bounds the pieces one over-long sentence is split into;
	// words beyond maxChunks×MaxWords are dropped.
	maxChunks = 8
)

// frogRow is one line of Frog's answer.
type frogRow struct {
	word, lemma, morph, tag, ner, chunk, rel string
	head                                     int // Frog's 1-based head, 0 for the root, -1 when absent
}

// frogLines turns one input sentence into the lines sent to Frog: control
// characters, line breaks and other odd white space become spaces,
// invisible format characters (soft hyphens, zero-width spaces, direction
// marks) are dropped, invalid UTF-8 becomes a space, and runs of space
// collapse. Words longer than maxWordBytes are cut. A sentence of more than
// maxWords words is split into pieces of at most maxWords words, preferring
// a break after a comma, semicolon or colon, and words past maxChunks pieces
// are dropped. A sentence with no words gives no lines. No line is "EOT".
func frogLines(s string, maxWords int) []string {
	words := strings.Fields(cleanText(s))
	if len(words) == 0 {
		return nil
	}
	for i, w := range words {
		if len(w) > maxWordBytes {
			words[i] = cutUTF8(w, maxWordBytes)
		}
	}
	var lines []string
	for len(words) > 0 && len(lines) < maxChunks {
		n := min(len(words), maxWords)
		if n < len(words) {
			for j := n; j > maxWords/2; j-- {
				if strings.ContainsAny(words[j-1][len(words[j-1])-1:], ",;:") {
					n = j
					break
				}
			}
		}
		line := strings.Join(words[:n], " ")
		if line == "EOT" {
			// Only Frog servers started without -n give "EOT" a meaning,
			// but never send it bare: the trailing space changes nothing
			// for the tokenizer.
			line += " "
		}
		lines = append(lines, line)
		words = words[n:]
	}
	return lines
}

// cleanText maps the characters Frog's line protocol cannot carry, or its
// tokenizer trips over, to spaces, and drops invisible format characters.
func cleanText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError:
			b.WriteByte(' ')
		case r < utf8.RuneSelf && r > ' ' && r != 0x7f:
			b.WriteByte(byte(r))
		case unicode.IsControl(r), unicode.IsSpace(r), unicode.In(r, unicode.Zl, unicode.Zp):
			b.WriteByte(' ')
		case unicode.In(r, unicode.Cf, unicode.Noncharacter_Code_Point):
			// soft hyphen, zero-width space and joiners, direction marks, BOM
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cutUTF8 returns the longest prefix of s of at most n bytes that ends at a
// character boundary.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// responseReader reads Frog's answers, bounded in line length, size and
// rows. A read interrupted by a deadline keeps the part of the line it got,
// so reading can resume (see skip).
type responseReader struct {
	r       *bufio.Reader
	partial []byte // the start of a line whose end has not arrived yet
	bytes   int    // bytes of the current answer read so far
	rows    int    // token lines of the current answer read so far
}

func newResponseReader(r io.Reader) *responseReader {
	return &responseReader{r: bufio.NewReaderSize(r, maxLineBytes)}
}

// errProtocol marks an answer that is not Frog's: the connection cannot be
// trusted any more.
var errProtocol = errors.New("unexpected answer from Frog")

// line reads one line without its line break.
func (rr *responseReader) line() (string, error) {
	b, err := rr.r.ReadSlice('\n')
	for {
		rr.bytes += len(b)
		if rr.bytes > maxResponseBytes {
			return "", fmt.Errorf("%w: an answer of over %d bytes", errProtocol, maxResponseBytes)
		}
		if len(rr.partial)+len(b) > maxLineBytes {
			return "", fmt.Errorf("%w: a line of over %d bytes", errProtocol, maxLineBytes)
		}
		if err == nil {
			break
		}
		rr.partial = append(rr.partial, b...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return "", err
		}
		b, err = rr.r.ReadSlice('\n')
	}
	var s string
	if len(rr.partial) > 0 {
		s = string(append(rr.partial, b...))
		rr.partial = rr.partial[:0]
	} else {
		s = string(b)
	}
	return strings.TrimRight(s, "\r\n"), nil
}

// next reads one answer up to its READY line and returns its sentences
// (usually one).
func (rr *responseReader) next() ([][]frogRow, error) {
	var (
		blocks [][]frogRow
		cur    []frogRow
	)
	for {
		line, err := rr.line()
		if err != nil {
			return nil, err
		}
		switch line {
		case "READY":
			if len(cur) > 0 {
				blocks = append(blocks, cur)
			}
			rr.bytes, rr.rows = 0, 0
			return blocks, nil
		case "":
			if len(cur) > 0 {
				blocks = append(blocks, cur)
				cur = nil
			}
		default:
			rr.rows++
			if rr.rows > maxResponseRows {
				return nil, fmt.Errorf("%w: an answer of over %d tokens", errProtocol, maxResponseRows)
			}
			row, err := parseRow(line, len(cur)+1)
			if err != nil {
				return nil, err
			}
			cur = append(cur, row)
		}
	}
}

// skip reads and drops the rest of an answer whose reading was interrupted,
// up to its READY line.
func (rr *responseReader) skip() error {
	for {
		line, err := rr.line()
		if err != nil {
			return err
		}
		if line == "READY" {
			rr.bytes, rr.rows = 0, 0
			return nil
		}
	}
}

// parseRow parses one token line, which must have token number want.
func parseRow(line string, want int) (frogRow, error) {
	f := strings.Split(line, "\t")
	if len(f) < 8 {
		return frogRow{}, fmt.Errorf("%w: %q has %d tab-separated columns, want at least 8", errProtocol, clip(line), len(f))
	}
	if n, err := strconv.Atoi(f[0]); err != nil || n != want {
		return frogRow{}, fmt.Errorf("%w: %q starts with %q, want token number %d", errProtocol, clip(line), f[0], want)
	}
	row := frogRow{word: f[1], lemma: f[2], morph: f[3], tag: f[4], ner: f[6], chunk: f[7], head: -1}
	if len(f) >= 10 && f[8] != "" {
		if h, err := strconv.Atoi(f[8]); err == nil && h >= 0 {
			row.head = h
			if f[9] != "None" { // Frog's parser says "None" when it has no relation
				row.rel = f[9]
			}
		}
	}
	return row, nil
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 80 {
		return cutUTF8(s, 80) + "…"
	}
	return s
}

// assemble turns Frog's sentences for one line into tokens: multi-word
// units are split into their words, heads become indices into the result
// (-1 for roots and unknown heads), and the sentences are concatenated.
func assemble(blocks [][]frogRow) []Token {
	n := 0
	for _, b := range blocks {
		n += len(b)
	}
	out := make([]Token, 0, n)
	for _, b := range blocks {
		first := make([]int, len(b)+2) // Frog's token number -> index in out of its first word
		for i, r := range b {
			first[i+1] = len(out)
			out = appendRow(out, r)
		}
		first[len(b)+1] = len(out)
		for i, r := range b {
			k := first[i+1]
			out[k].Head = -1
			if r.head > 0 && r.head <= len(b) {
				out[k].Head = first[r.head]
			}
			out[k].Rel = r.rel
			for j := k + 1; j < first[i+2]; j++ {
				out[j].Head = k
				out[j].Rel = "mwp"
			}
		}
	}
	return out
}

// appendRow appends the tokens of one row: one, or one per word of a
// multi-word unit. A unit whose columns do not split into as many parts as
// its tag (a word that itself contains "_") stays one token, with the
// unit's first tag.
func appendRow(out []Token, r frogRow) []Token {
	tags := splitTags(r.tag)
	words := strings.Split(r.word, "_")
	if len(tags) < 2 || len(words) != len(tags) {
		parts := morphParts(r.morph)
		if len(tags) > 1 {
			if parts = slices.Concat(splitMorph(r.morph, len(tags))...); len(parts) == 0 {
				parts = nil
			}
		}
		return append(out, Token{
			Text:   r.word,
			Lemma:  r.lemma,
			POS:    CoarsePOS(tags[0]),
			Tag:    tags[0],
			Parts:  parts,
			Entity: firstPart(r.ner),
			Chunk:  firstPart(r.chunk),
		})
	}
	n := len(tags)
	lemmas := strings.Split(r.lemma, "_")
	if len(lemmas) != n {
		lemmas = words
	}
	ners := splitIOB(r.ner, n)
	chunks := splitIOB(r.chunk, n)
	morphs := splitMorph(r.morph, n)
	for i := range n {
		out = append(out, Token{
			Text:   words[i],
			Lemma:  lemmas[i],
			POS:    CoarsePOS(tags[i]),
			Tag:    tags[i],
			Parts:  morphs[i],
			Entity: ners[i],
			Chunk:  chunks[i],
		})
	}
	return out
}

// splitTags splits a multi-word unit's tag "SPEC(deeleigen)_SPEC(deeleigen)"
// at the underscores between tags.
func splitTags(tag string) []string {
	parts := strings.Split(tag, ")_")
	for i := range len(parts) - 1 {
		parts[i] += ")"
	}
	return parts
}

// splitIOB splits "B-PER_I-PER" into n IOB tags. A column without n parts
// gives its first part to the first word and continues it ("B-X" → "I-X")
// on the others.
func splitIOB(col string, n int) []string {
	parts := strings.Split(col, "_")
	if len(parts) == n {
		return parts
	}
	out := make([]string, n)
	out[0] = parts[0]
	cont := parts[0]
	if rest, ok := strings.CutPrefix(cont, "B-"); ok {
		cont = "I-" + rest
	}
	for i := 1; i < n; i++ {
		out[i] = cont
	}
	return out
}

// splitMorph splits a multi-word unit's morphemes "[Donald]_[Trump]" into n
// lists of parts; all nil when it does not split into n.
func splitMorph(col string, n int) [][]string {
	out := make([][]string, n)
	if col == "" {
		return out
	}
	parts := strings.Split(col, "]_[")
	if len(parts) != n {
		return out
	}
	for i, p := range parts {
		if i > 0 {
			p = "[" + p
		}
		if i < n-1 {
			p += "]"
		}
		out[i] = morphParts(p)
	}
	return out
}

// morphParts parses "[kremlin][woord][voer][der]" into its parts; nil for an
// empty column or one that is not a bracketed list.
func morphParts(col string) []string {
	if len(col) < 2 || col[0] != '[' || col[len(col)-1] != ']' {
		return nil
	}
	parts := slices.DeleteFunc(strings.Split(col[1:len(col)-1], "]["), func(p string) bool { return p == "" })
	if len(parts) == 0 {
		return nil
	}
	return parts
}

func firstPart(col string) string {
	first, _, _ := strings.Cut(col, "_")
	return first
}
