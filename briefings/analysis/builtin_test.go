package analysis

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestAppendWordsIsWords checks the word splitter (and its folding)
// against the plain implementation it replaced, wordsReference, and Fold on
// the lines and sentences of the test articles and on random strings of
// awkward characters.
func TestAppendWordsIsWords(t *testing.T) {
	var texts []string
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "qa*", "articles", "*"))
	samples, _ := filepath.Glob(filepath.Join("..", "sample", "*.txt"))
	for _, name := range append(files, samples...) {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			texts = append(texts, line)
			texts = append(texts, strings.Split(line, ". ")...)
		}
	}
	if len(texts) < 500 {
		t.Fatalf("only %d texts", len(texts))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "Z", "é", "É", "ï", "3", "0", "-", "'", "’", ".", ",", " ", "\t", "\u0301", "ß", "İ",
		"K", "ǅ", "\xff", "\xe2\x80", "ﬁ", "Ⅻ", "٣", "_", "\"", "(", "G20", "CD-ROM", "3.5", "o.a.", "dhr.", "\u00a0"}
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	var buf []Word
	for _, s := range texts {
		want := wordsReference(s)
		buf = AppendWords(buf[:0], s)
		if !slices.Equal(buf, want) && !(len(buf) == 0 && len(want) == 0) {
			t.Fatalf("AppendWords(%q) = %+v, Words = %+v", s, buf, want)
		}
		if got, want := foldFast(s), Fold(s); got != want {
			t.Fatalf("foldFast(%q) = %q, Fold = %q", s, got, want)
		}
	}
}

// wordsReference is the plain word splitter appendWords must agree with:
// Unicode tables for every rune and Fold for every word.
func wordsReference(s string) []Word {
	var out []Word
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !IsWordRune(r) {
			i += n
			continue
		}
		start := i
		i += n
		for i < len(s) {
			r, n = utf8.DecodeRuneInString(s[i:])
			if IsWordRune(r) {
				i += n
				continue
			}
			// an inner joiner followed by a word rune continues the word
			if (r == '-' || r == '\'' || r == '’' || r == '.' || r == ',') && i+n < len(s) {
				next, _ := utf8.DecodeRuneInString(s[i+n:])
				prev, _ := utf8.DecodeLastRuneInString(s[start:i])
				if (r == '.' || r == ',') && !(unicode.IsDigit(prev) && unicode.IsDigit(next)) {
					break
				}
				if IsWordRune(next) {
					i += n
					continue
				}
			}
			break
		}
		text := s[start:i]
		out = append(out, Word{Text: text, Folded: Fold(text), Start: start, End: i})
	}
	return out
}

// termsReference is (*Builtin).Terms as it was before the Termer, on the
// plain word splitter of TestAppendWordsIsWords (wordsReference): what both
// Terms and the Termer must give.
func termsReference(an *Builtin, text string) []string {
	var out []string
	for _, w := range wordsReference(text) {
		if IsStopword(w.Folded) {
			continue
		}
		out = append(out, an.Stem(w.Folded))
	}
	return out
}

// TestTermerIsTerms checks the Termer and (*Builtin).Terms against Terms
// as it was (termsReference) on awkward
// text: diacritics, digits, hyphens, apostrophes, mixed case, stop words in
// capitals, very long words, invalid UTF-8, combining marks, empty text;
// and on random strings of such pieces, with one Termer throughout (so its
// memo answers the words it has met) and with memos that overflow.
func TestTermerIsTerms(t *testing.T) {
	texts := []string{
		"", " ", "...", "-", "'", "’", "\xff", "\xe2\x80", "\u0301", "a\u0301", "\u0301abc",
		"De Beïnvloeding van de verkiezingen door Poetin", "BEÏNVLOEDING beinvloeding Beinvloeding beïnvloeding",
		"Café cafe CAFÉ café", "naïef NAÏEF Naïef", "De DE de dE", "HET Het het", "Zijn zijn ZIJN",
		"G20-top CD-ROM cd-rom Noord-Holland noord-holland", "zo'n Zo'n ZO'N zo’n 's-Hertogenbosch 't",
		"3.5 3,5 2019 2019-2020 1e 2e 10e 3.5-procent 12.000 1,2,3", "2019. 3, 4.", "3D 4K 2Ë 1’e 3\u0301",
		"ﬁets ß Straße STRASSE İstanbul ǅemal", "Ⅻ ٣ ٣٤ ١٢٣", "word_word a_b", "\u00a0tekst\u00a0 tekst",
		strings.Repeat("a", 5000), strings.Repeat("Verkiezingscampagne", 300), strings.Repeat("é", 1000),
		strings.Repeat("De regering heeft o.a. gezegd dat 3,5 procent van de burgers ", 50),
		"Wie, wat, waar, wanneer, waarom en hoe? Who did what, when and why?",
		"Mr. dhr. drs. prof. bijv. d.w.z. etc. enz.", "e-mail E-Mail e‑mail", "a-", "-a", "a--b", "a-'b",
		"MinisterPresident McDonald's O'Neill d'Artagnan", "aan, op; in: om? of!",
		"huizen huis huisje huisjes lopen loopt liep gelopen", "fietsen FIETSEN Fietsen fietsen.",
	}
	rng := rand.New(rand.NewPCG(8, 9))
	pieces := []string{"a", "Z", "é", "É", "ï", "3", "0", "-", "'", "’", ".", ",", " ", "\t", "\u0301", "ß", "İ",
		"K", "ǅ", "\xff", "\xe2\x80", "ﬁ", "Ⅻ", "٣", "_", "\"", "(", "G20", "CD-ROM", "3.5", "o.a.", "dhr.", "\u00a0",
		"de", "De", "HET", "huizen", "Huizen", "lopen", "loopt", "Beïnvloeding", "verkiezingen", "één", "Één", "zo'n"}
	for range 30000 {
		var b strings.Builder
		for range rng.IntN(16) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	ref := NewBuiltin()
	check := func(t *testing.T, tm *Termer) {
		t.Helper()
		prefix := []string{"x"}
		for _, s := range texts {
			want := termsReference(ref, s)
			if got := ref.Terms(s); !slices.Equal(got, want) {
				t.Fatalf("Terms(%q) = %q, want %q", s, got, want)
			}
			got := tm.Terms(nil, s)
			if !slices.Equal(got, want) {
				t.Fatalf("terms(%q) = %q, Terms = %q", s, got, want)
			}
			// appending keeps what dst held
			if got := tm.Terms(prefix[:1:1], s); got[0] != "x" || !slices.Equal(got[1:], want) {
				t.Fatalf("terms([x], %q) = %q, Terms = %q", s, got, want)
			}
		}
	}
	t.Run("one Termer", func(t *testing.T) {
		tm := NewBuiltin().NewTermer()
		check(t, tm)
		check(t, tm) // from the memo
		if len(tm.memo) > maxTermerMemo {
			t.Errorf("memo holds %d words, past its bound %d", len(tm.memo), maxTermerMemo)
		}
	})
	t.Run("shared analyzer", func(t *testing.T) {
		// a Termer on the analyser Terms uses: its stem cache is shared
		check(t, ref.NewTermer())
	})
	t.Run("memo overflow", func(t *testing.T) {
		// distinct words until the memo starts afresh, several times
		tm := NewBuiltin().NewTermer()
		for i := range 3*maxTermerMemo + 7 {
			w := "Woord" + strings.Repeat("x", i%5) + string(rune('a'+i%26)) + itoa(i)
			if got, want := tm.Terms(nil, w), termsReference(ref, w); !slices.Equal(got, want) {
				t.Fatalf("terms(%q) = %q, Terms = %q", w, got, want)
			}
			if len(tm.memo) > maxTermerMemo {
				t.Fatalf("memo holds %d words, past its bound %d", len(tm.memo), maxTermerMemo)
			}
		}
		check(t, tm)
	})
}

// itoa writes i in letters, so that the word is not a number.
func itoa(i int) string {
	var b []byte
	for {
		b = append(b, byte('a'+i%26))
		i /= 26
		if i == 0 {
			return string(b)
		}
	}
}

// TestTermerConcurrent runs Termers of one Builtin at once (for go test
// -race) and checks their terms.
func TestTermerConcurrent(t *testing.T) {
	an := NewBuiltin()
	texts := []string{"De Beïnvloeding van de verkiezingen", "Huizen en huisjes in Noord-Holland", "In 2019 liepen 3,5 miljoen mensen"}
	want := make([][]string, len(texts))
	for i, s := range texts {
		want[i] = termsReference(NewBuiltin(), s)
	}
	done := make(chan error, 4)
	for g := range 4 {
		go func() {
			tm := an.NewTermer()
			for k := range 2000 {
				i := (g + k) % len(texts)
				if got := tm.Terms(nil, texts[i]); !slices.Equal(got, want[i]) {
					done <- fmt.Errorf("terms(%q) = %q, want %q", texts[i], got, want[i])
					return
				}
				if k%3 == 0 {
					an.Terms(texts[i]) // the shared cache, used alongside
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
