package analysis

// The built-in analysis: words, folding, stop words and the Dutch Snowball
// stemmer. The index is built with it, and answers use it whether or not
// Frog (the Analyzer of this package) also serves.

import (
	"bufio"
	"bytes"
	"iter"
	"maps"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/nl"
	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/dutch"
	"golang.org/x/text/unicode/norm"
)

// Word is one word of a text, with its place in the text.
type Word struct {
	Text   string // as written, "Poetin"
	Folded string // lower case without diacritics, "poetin"
	Start  int    // byte offset of Text in the analysed string
	End    int
}

// Words splits s into words: runs of letters and digits, joined by inner
// hyphens, apostrophes and dots between digits ("G20-top", "CD-ROM", "3.5").
func Words(s string) []Word {
	return AppendWords(nil, s)
}

// IsWordRune reports whether r belongs in a word: a letter, a digit or a
// combining mark.
func IsWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// Fold lower-cases s and removes diacritics: "Beïnvloeding" -> "beinvloeding".
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') || c == '\'' {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == '\'' || r == '’':
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// stopwords holds Dutch and English stop words, folded. It is built once at
// start-up and never written after.
var stopwords = buildStopwords()

func buildStopwords() map[string]bool {
	m := map[string]bool{}
	for _, list := range [][]byte{nl.DutchStopWords, en.EnglishStopWords} {
		sc := bufio.NewScanner(bytes.NewReader(list))
		for sc.Scan() {
			line := sc.Text()
			if i := strings.IndexByte(line, '|'); i >= 0 {
				line = line[:i]
			}
			for _, w := range strings.Fields(line) {
				m[Fold(w)] = true
			}
		}
	}
	// English prepositions and light words the snowball list lacks
	for _, w := range []string{"behind", "beyond", "across", "along", "among", "amongst", "around", "beside", "besides",
		"beneath", "toward", "towards", "upon", "within", "without", "via", "per", "since", "ago", "also", "whether",
		"get", "gets", "got", "gotten", "getting"} {
		m[w] = true
	}
	// question words and auxiliaries that the snowball lists lack
	for _, w := range []string{"who", "whom", "whose", "what", "which", "when", "where", "why", "how",
		"wie", "wat", "welk", "welke", "wanneer", "waar", "waarom", "hoe", "hoeveel", "does", "did", "do",
		"has", "have", "had", "is", "are", "was", "were", "heeft", "hebben", "had", "werd", "werden", "zijn", "is"} {
		m[w] = true
	}
	return m
}

// IsStopword reports whether the folded word carries no content.
func IsStopword(folded string) bool { return stopwords[folded] }

// Stopwords lists the stop words, folded, in no order.
func Stopwords() iter.Seq[string] { return maps.Keys(stopwords) }

// Builtin is the built-in analysis: it stems words for indexing and matching. Stemming uses the Dutch
// Snowball stemmer (the articles are Dutch); English query words reach the
// index through the lexicon, not the stemmer. A Builtin caches stems and is
// safe for concurrent use.
type Builtin struct {
	mu    sync.RWMutex
	cache map[string]string
}

// NewBuiltin returns a Builtin with an empty stem cache.
func NewBuiltin() *Builtin {
	return &Builtin{cache: make(map[string]string, 1<<14)}
}

// maxCachedStems bounds the stem cache; past it, stems are computed afresh.
const maxCachedStems = 1 << 20

// Stem returns the Dutch stem of a folded word. Numbers stem to themselves.
func (a *Builtin) Stem(folded string) string {
	if folded == "" {
		return ""
	}
	a.mu.RLock()
	s, ok := a.cache[folded]
	a.mu.RUnlock()
	if ok {
		return s
	}
	s = folded
	if r, _ := utf8.DecodeRuneInString(folded); !unicode.IsDigit(r) && utf8.RuneCountInString(folded) > 3 {
		env := snowballstem.NewEnv(folded)
		dutch.Stem(env)
		s = env.Current()
	}
	a.mu.Lock()
	if len(a.cache) < maxCachedStems {
		a.cache[folded] = s
	}
	a.mu.Unlock()
	return s
}

// Terms returns the stems of the content words of text, in order, without
// stop words: the unit the index and the topic classifier match on.
//
// For many texts on one goroutine, a Termer (NewTermer) is faster.
func (a *Builtin) Terms(text string) []string {
	// the words as Words splits and folds them, without building them
	out := make([]string, 0, 2+len(text)/8)
	for i := 0; ; {
		start, end := nextWord(text, i)
		if start == end {
			return out
		}
		i = end
		folded := foldFast(text[start:end])
		if IsStopword(folded) {
			continue
		}
		out = append(out, a.Stem(folded))
	}
}

// AppendWords appends the words of s to dst (see Words), with a fast path
// for ASCII; dst lets the answer path reuse one slice. It must split and
// fold exactly as the plain implementation in TestAppendWordsIsWords.
func AppendWords(dst []Word, s string) []Word {
	for i := 0; ; {
		start, end := nextWord(s, i)
		if start == end {
			return dst
		}
		text := s[start:end]
		dst = append(dst, Word{Text: text, Folded: foldFast(text), Start: start, End: end})
		i = end
	}
}

// nextWord returns the byte range of the first word of s at or after byte
// i (see Words), or start == end == len(s) when there is none. It is the
// splitter of AppendWords and of the Termer, so both split alike.
func nextWord(s string, i int) (start, end int) {
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiWordByte(c) {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if IsWordRune(r) {
			break
		}
		i += n
	}
	if i >= len(s) {
		return len(s), len(s)
	}
	start = i
	_, n := utf8.DecodeRuneInString(s[i:])
	i += n
	for i < len(s) {
		r, n := rune(s[i]), 1
		if r < utf8.RuneSelf {
			if asciiWordByte(byte(r)) {
				i++
				continue
			}
		} else {
			r, n = utf8.DecodeRuneInString(s[i:])
			if IsWordRune(r) {
				i += n
				continue
			}
		}
		// an inner joiner followed by a word rune continues the word
		if (r == '-' || r == '\'' || r == '’' || r == '.' || r == ',') && i+n < len(s) {
			next, _ := utf8.DecodeRuneInString(s[i+n:])
			prev, _ := utf8.DecodeLastRuneInString(s[start:i])
			if (r == '.' || r == ',') && !(unicode.IsDigit(prev) && unicode.IsDigit(next)) {
				break
			}
			if isWordRuneFast(next) {
				i += n
				continue
			}
		}
		break
	}
	return start, i
}

// asciiWordByte reports whether the ASCII byte c is a word rune: a letter
// or a digit.
func asciiWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// isWordRuneFast is IsWordRune with ASCII answered without tables.
func isWordRuneFast(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return IsWordRune(r)
}

// foldFast is Fold with ASCII folded here: for ASCII, Fold's
// normalisation changes nothing, so it only lower-cases and drops '.
func foldFast(s string) string {
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return Fold(s)
		}
		if 'A' <= c && c <= 'Z' || c == '\'' {
			upper = true
		}
	}
	if !upper {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
		case 'A' <= c && c <= 'Z':
			b = append(b, c+'a'-'A')
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// A Termer computes terms as (*Builtin).Terms does, for one goroutine of
// the index build: it remembers, for the words it has met, whether each is
// a stop word and what its stem is, in a memo of its own, so that the
// common case (a word met before) costs one map look-up, with no folding,
// no lock on the Builtin's shared cache and no allocation. A word it has
// not met yet is folded, checked with IsStopword and stemmed with
// (*Builtin).Stem as Terms does it, so its terms are Terms' terms, byte
// for byte.
//
// A Termer is not safe for concurrent use: make one per goroutine with
// (*Builtin).NewTermer (one per index build goroutine, kept for all its
// articles). Termers of one Builtin may run concurrently (they
// share only the Builtin, which is safe for concurrent use). The memo is
// bounded (maxTermerMemo words); a Termer holds no references to the texts
// it has analysed.
type Termer struct {
	an   *Builtin
	memo map[string]termerWord // word as written -> its analysis
}

// termerWord is the analysis of one word as written.
type termerWord struct {
	stem string // its term; "" for a stop word
	stop bool
}

// maxTermerMemo bounds a Termer's memo. Past it the memo starts afresh: the
// words of news text that recur often come back into it at once. Some 6 MB
// at the bound on 64-bit platforms.
const maxTermerMemo = 1 << 16

// NewTermer returns a Termer for one goroutine (see Termer).
func (a *Builtin) NewTermer() *Termer {
	return &Termer{an: a, memo: make(map[string]termerWord, 1<<12)}
}

// Terms appends the terms of text to dst and returns the extended slice:
// exactly what append(dst, a.Terms(text)...) returns, for the Termer's
// Builtin a.
func (t *Termer) Terms(dst []string, text string) []string {
	for i := 0; ; {
		start, end := nextWord(text, i)
		if start == end {
			return dst
		}
		i = end
		w := text[start:end]
		if c := w[0]; '0' <= c && c <= '9' {
			// Stem leaves a word that starts with a digit as it is:
			// numbers and dates, too many to be worth remembering
			f := foldFast(w)
			if !IsStopword(f) {
				dst = append(dst, f)
			}
			continue
		}
		tw, ok := t.memo[w]
		if !ok {
			tw = t.learn(w)
		}
		if !tw.stop {
			dst = append(dst, tw.stem)
		}
	}
}

// learn analyses the word w, as written, as Terms does, and remembers it.
func (t *Termer) learn(w string) termerWord {
	// a copy, so that neither the memo nor the Builtin's cache holds on
	// to the text w is part of
	w = strings.Clone(w)
	f := foldFast(w)
	tw := termerWord{stop: IsStopword(f)}
	if !tw.stop {
		tw.stem = t.an.Stem(f)
	}
	if len(t.memo) >= maxTermerMemo {
		clear(t.memo)
	}
	t.memo[w] = tw
	return tw
}
