package briefings

import (
	"bufio"
	"bytes"
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
	return appendWords(nil, s)
}

func isWordRune(r rune) bool {
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

// Analyzer stems words for indexing and matching. Stemming uses the Dutch
// Snowball stemmer (the articles are Dutch); English query words reach the
// index through the lexicon, not the stemmer. An Analyzer caches stems and is
// safe for concurrent use.
type Analyzer struct {
	mu    sync.RWMutex
	cache map[string]string
}

// NewAnalyzer returns an Analyzer with an empty stem cache.
func NewAnalyzer() *Analyzer {
	return &Analyzer{cache: make(map[string]string, 1<<14)}
}

// maxCachedStems bounds the stem cache; past it, stems are computed afresh.
const maxCachedStems = 1 << 20

// Stem returns the Dutch stem of a folded word. Numbers stem to themselves.
func (a *Analyzer) Stem(folded string) string {
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
// For many texts on one goroutine, a termer (newTermer) is faster.
func (a *Analyzer) Terms(text string) []string {
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
