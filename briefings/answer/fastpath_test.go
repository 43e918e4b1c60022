package answer

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/briefings/article"
)

// TestAnswerKeyOfIsNormaliseAnswer checks the answer path's answer key
// against normaliseAnswer.
func TestAnswerKeyOfIsNormaliseAnswer(t *testing.T) {
	for c := 0; c < utf8.RuneSelf; c++ {
		r := rune(c)
		if got, want := asciiPunctOrSymbol(byte(c)), unicode.IsPunct(r) || unicode.IsSymbol(r); got != want {
			t.Errorf("asciiPunctOrSymbol(%q) = %v, want %v", r, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"a", "Z", "é", "3", "-", "'", ".", ",", " ", "  ", "\t", "\n", "\x00", "\x7f", "\x1f", "$", "+", "~",
		"^", "`", "|", "Donald", "Trump", "€", "\xff", "ß", "İ", "“", "”", "\u00a0", "\u2028", "(", ")", "!", "?"}
	var texts []string
	for range 50000 {
		var b strings.Builder
		for range rng.IntN(10) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	texts = append(texts, "", " ", strings.Repeat("Lange naam ", 30))
	for _, s := range texts {
		if got, want := answerKeyOf(s), normaliseAnswer(s); got != want {
			t.Fatalf("answerKeyOf(%q) = %q, normaliseAnswer = %q", s, got, want)
		}
	}
}

// TestFullNameOfIsFullNames checks the answer path's look-up of one full
// name against Library.fullNames, for every word of the test articles.
func TestFullNameOfIsFullNames(t *testing.T) {
	lib := newTestLibrarian(t)
	arts := testArticles(t)
	n := 0
	for i := range arts {
		a := arts[i]
		names := fullNamesReference(lib, a)
		words := map[string]bool{"": true, "Zzyzx": true}
		for _, s := range a.Sentences {
			for _, w := range analysis.Words(s.Text) {
				words[w.Text] = true
			}
		}
		for w := range words {
			want, wantOK := names[w]
			got, ok := lib.fullNameOf(a, w)
			if got != want || ok != wantOK {
				t.Fatalf("%s: fullNameOf(%q) = %q, %v; fullNames has %q, %v", a.Source, w, got, ok, want, wantOK)
			}
			if ok {
				n++
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d full names found: the test articles no longer exercise this", n)
	}
}

// TestLexiconLookupsAsBefore checks endsWithRole's and isNumeral's
// look-ups against walking the lexicon as they did, for every word of
// the test articles, every role and number word, and variations.
func TestLexiconLookupsAsBefore(t *testing.T) {
	lib := newTestLibrarian(t)
	lx := lib.lex
	endsWithRoleWalk := func(f string) bool {
		if len(f) < 6 {
			return false
		}
		for r := range lx.roles {
			if len(r) >= 5 && strings.HasSuffix(f, r) {
				return true
			}
		}
		return false
	}
	isNumeralWalk := func(f string) bool {
		if len(f) < 6 {
			return false
		}
		for len(f) > 0 {
			n := 0
			for l := min(len(f), maxNumberWord); l >= 3; l-- {
				if _, ok := lx.numbers[f[:l]]; ok {
					n = l
					break
				}
			}
			if n == 0 {
				if strings.HasPrefix(f, "en") && len(f) > 2 {
					n = 2
				} else {
					return false
				}
			}
			f = f[n:]
		}
		return true
	}
	words := map[string]bool{}
	for _, a := range testArticles(t) {
		for _, s := range a.Sentences {
			for _, w := range analysis.Words(s.Text) {
				words[w.Folded] = true
			}
		}
	}
	for r := range lx.roles {
		words[r], words["oud"+r], words["x"+r+"s"], words["vice-"+r] = true, true, true, true
	}
	for n := range lx.numbers {
		words[n], words[n+"en"+n], words[n+"duizend"], words["en"+n], words[n+"x"] = true, true, true, true, true
	}
	if len(words) < 2000 {
		t.Fatalf("only %d words", len(words))
	}
	roles, numerals := 0, 0
	for w := range words {
		if got, want := endsWithRole(lx, w), endsWithRoleWalk(w); got != want {
			t.Errorf("endsWithRole(%q) = %v, walking the roles gives %v", w, got, want)
		} else if got {
			roles++
		}
		if got, want := isNumeral(lx, w), isNumeralWalk(w); got != want {
			t.Errorf("isNumeral(%q) = %v, before %v", w, got, want)
		} else if got {
			numerals++
		}
	}
	if roles < 100 || numerals < 100 {
		t.Errorf("%d roles, %d numerals recognised: the test no longer exercises them", roles, numerals)
	}
}

// TestWordClassesAreTheLists checks Lexicon.classOf, built once from the
// word lists, against looking the word up in every list.
func TestWordClassesAreTheLists(t *testing.T) {
	lib := newTestLibrarian(t)
	lx := lib.lex
	words := map[string]bool{"": true}
	for w := range lx.words {
		words[w], words[w+"s"], words[strings.ToUpper(w)] = true, true, true
	}
	for _, a := range testArticles(t) {
		for _, s := range a.Sentences {
			for _, w := range analysis.Words(s.Text) {
				words[w.Folded] = true
			}
		}
	}
	classed := 0
	for w := range words {
		got, want := lx.classOf(w), lx.lookUpClass(w)
		if got != want {
			t.Errorf("classOf(%q) = %b, the lists say %b", w, got, want)
		}
		if got != 0 {
			classed++
		}
	}
	if classed < 1000 {
		t.Errorf("only %d words have a class", classed)
	}
}

// TestLexiconStemsAreTheAnalyzers checks the stems the lexicon keeps for
// its words against the library's analyser.
func TestLexiconStemsAreTheAnalyzers(t *testing.T) {
	lib := newTestLibrarian(t)
	if len(lib.lex.words) < 1000 {
		t.Fatalf("only %d words", len(lib.lex.words))
	}
	for w := range lib.lex.words {
		info, ok := lib.lex.word(w)
		if !ok || info.stem != lib.an.Stem(w) || info.class&wStop != 0 != analysis.IsStopword(w) {
			t.Errorf("word(%q) = %+v, %v; the analyser stems it %q, stop word %v", w, info, ok, lib.an.Stem(w), analysis.IsStopword(w))
		}
	}
}

// TestRedundancyAsBefore checks the redundancy features against counting
// with maps, as they were, on random candidates.
func TestRedundancyAsBefore(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	texts := []string{"Trump", "trump", "Donald Trump", "Rusland", "rusland.", "2 miljoen", "de krant", "Iran"}
	for range 500 {
		n := rng.IntN(60)
		cands := make([]rankCand, n)
		want := make([]rankCand, n)
		for i := range cands {
			cands[i] = rankCand{doc: rng.IntN(4), sent: rng.IntN(3), text: texts[rng.IntN(len(texts))]}
			if rng.IntN(2) == 0 {
				cands[i].key = answerKeyOf(cands[i].text)
			}
			want[i] = cands[i]
		}
		redundancy(cands)
		type place struct{ doc, sent int }
		sents := map[string]map[place]bool{}
		arts := map[string]map[int]bool{}
		for _, c := range want {
			k := normaliseAnswer(c.text)
			if sents[k] == nil {
				sents[k], arts[k] = map[place]bool{}, map[int]bool{}
			}
			sents[k][place{c.doc, c.sent}] = true
			arts[k][c.doc] = true
		}
		for i := range want {
			k := normaliseAnswer(want[i].text)
			if got, w := cands[i].feats[fRedund], math.Log1p(float64(len(sents[k])-1)); got != w {
				t.Fatalf("candidate %d %q: redund %v, want %v", i, want[i].text, got, w)
			}
			if got, w := cands[i].feats[fRedundArts], math.Log1p(float64(len(arts[k])-1)); got != w {
				t.Fatalf("candidate %d %q: redund_arts %v, want %v", i, want[i].text, got, w)
			}
		}
	}
}

// fullNamesReference maps each surname in the first nameSentences sentences of a to
// the first "First Surname" form the article uses there (a capitalised
// first name right before it): "Graham" -> "Lindsey Graham". It is the
// whole-article mapping fullNameOf replaced, kept as its reference.
func fullNamesReference(l *Librarian, a *article.Article) map[string]string {
	names := map[string]string{}
	for _, s := range a.Sentences[:min(len(a.Sentences), nameSentences)] {
		ws := analysis.Words(s.Text)
		for i := 1; i < len(ws); i++ {
			if _, seen := names[ws[i].Text]; seen || !isCapitalized(ws[i-1].Text) || !l.lex.firstNames[ws[i-1].Folded] {
				continue
			}
			if s.Text[ws[i-1].End:ws[i].Start] == " " {
				names[ws[i].Text] = ws[i-1].Text + " " + ws[i].Text
			}
		}
	}
	return names
}
