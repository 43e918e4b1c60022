package briefings

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// AnalyzeDocTerms is analyzeDoc as it was before the termer, for the
// external benchmark and test (which need internal/corpus, and so cannot be
// in this package): title, heading and sentence terms by (*Analyzer).Terms.
func AnalyzeDocTerms(an *Analyzer, a *Article) (title, extra []string, sents [][]string) {
	title = an.Terms(a.Title)
	for _, p := range a.Paragraphs {
		if p.Heading {
			extra = append(extra, an.Terms(p.Text)...)
		}
	}
	sents = make([][]string, len(a.Sentences))
	for i, s := range a.Sentences {
		sents[i] = an.Terms(s.Text)
	}
	return title, extra, sents
}

// TestTermer is the termer, for the external benchmark and test.
type TestTermer = termer

// NewTestTermer is an.newTermer, for the external benchmark and test.
func NewTestTermer(an *Analyzer) *TestTermer { return an.newTermer() }

// TermsReference is termsReference, for the external test.
func TermsReference(an *Analyzer, text string) []string { return termsReference(an, text) }

// termsReference is (*Analyzer).Terms as it was before the termer, on the
// plain word splitter of TestAppendWordsIsWords (wordsReference): what both
// Terms and the termer must give.
func termsReference(an *Analyzer, text string) []string {
	var out []string
	for _, w := range wordsReference(text) {
		if IsStopword(w.Folded) {
			continue
		}
		out = append(out, an.Stem(w.Folded))
	}
	return out
}

// AnalyzeDocTermer is AnalyzeDocTerms with a termer: all terms of the
// article appended to one slice, which the title, the headings and the
// sentences then share.
func AnalyzeDocTermer(t *TestTermer, a *Article) (title, extra []string, sents [][]string) {
	n := len(a.Title)
	for _, s := range a.Sentences {
		n += len(s.Text)
	}
	all := make([]string, 0, 8+n/9) // news text has about one term in 10 bytes
	all = t.terms(all, a.Title)
	nTitle := len(all)
	for _, p := range a.Paragraphs {
		if p.Heading {
			all = t.terms(all, p.Text)
		}
	}
	nExtra := len(all)
	ends := make([]int, len(a.Sentences))
	for i, s := range a.Sentences {
		all = t.terms(all, s.Text)
		ends[i] = len(all)
	}
	sents = make([][]string, len(a.Sentences))
	from := nExtra
	for i, end := range ends {
		sents[i] = all[from:end:end]
		from = end
	}
	return all[:nTitle:nTitle], all[nTitle:nExtra:nExtra], sents
}

// TestTermerIsTerms checks the termer and (*Analyzer).Terms against Terms
// as it was (termsReference) on awkward
// text: diacritics, digits, hyphens, apostrophes, mixed case, stop words in
// capitals, very long words, invalid UTF-8, combining marks, empty text;
// and on random strings of such pieces, with one termer throughout (so its
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
	ref := NewAnalyzer()
	check := func(t *testing.T, tm *termer) {
		t.Helper()
		prefix := []string{"x"}
		for _, s := range texts {
			want := termsReference(ref, s)
			if got := ref.Terms(s); !slices.Equal(got, want) {
				t.Fatalf("Terms(%q) = %q, want %q", s, got, want)
			}
			got := tm.terms(nil, s)
			if !slices.Equal(got, want) {
				t.Fatalf("terms(%q) = %q, Terms = %q", s, got, want)
			}
			// appending keeps what dst held
			if got := tm.terms(prefix[:1:1], s); got[0] != "x" || !slices.Equal(got[1:], want) {
				t.Fatalf("terms([x], %q) = %q, Terms = %q", s, got, want)
			}
		}
	}
	t.Run("one termer", func(t *testing.T) {
		tm := NewAnalyzer().newTermer()
		check(t, tm)
		check(t, tm) // from the memo
		if len(tm.memo) > maxTermerMemo {
			t.Errorf("memo holds %d words, past its bound %d", len(tm.memo), maxTermerMemo)
		}
	})
	t.Run("shared analyzer", func(t *testing.T) {
		// a termer on the analyser Terms uses: its stem cache is shared
		check(t, ref.newTermer())
	})
	t.Run("memo overflow", func(t *testing.T) {
		// distinct words until the memo starts afresh, several times
		tm := NewAnalyzer().newTermer()
		for i := range 3*maxTermerMemo + 7 {
			w := "Woord" + strings.Repeat("x", i%5) + string(rune('a'+i%26)) + itoa(i)
			if got, want := tm.terms(nil, w), termsReference(ref, w); !slices.Equal(got, want) {
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

// TestTermerConcurrent runs termers of one Analyzer at once (for go test
// -race) and checks their terms.
func TestTermerConcurrent(t *testing.T) {
	an := NewAnalyzer()
	texts := []string{"De Beïnvloeding van de verkiezingen", "Huizen en huisjes in Noord-Holland", "In 2019 liepen 3,5 miljoen mensen"}
	want := make([][]string, len(texts))
	for i, s := range texts {
		want[i] = termsReference(NewAnalyzer(), s)
	}
	done := make(chan error, 4)
	for g := range 4 {
		go func() {
			tm := an.newTermer()
			for k := range 2000 {
				i := (g + k) % len(texts)
				if got := tm.terms(nil, texts[i]); !slices.Equal(got, want[i]) {
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
