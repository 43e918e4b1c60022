package answer

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefings/article"
)

// FuzzAnswer feeds arbitrary article text and questions through the whole
// answer path (question analysis, annotation, every span finder, the
// ranker, the explanation): nothing may panic, and every candidate span
// lies inside its sentence. Articles come from outside; a sentence that
// ends in a name's joiner once read past its last word (qa19, 2026-12-03).
func FuzzAnswer(f *testing.F) {
	for _, seed := range []struct{ text, q string }{
		{"Dat zei Marieke van. De Raad van State oordeelde dinsdag 3 maart.", "Wie zei dat?"},
		{"Burgemeester Sharon Dijksma (PvdA) opende om 21.30 uur de Kanaalbrug in Utrecht-Oost.", "When did the mayor open the bridge?"},
		{"Het kostte 2.500 euro en werd ruim 9.600 keer gedeeld door 40 mensen, zegt woordvoerder Jan de Vries van het NCSC.", "Hoe vaak werd het bericht gedeeld?"},
		{"De criminele groep, die zich BlackVault noemt, eiste 1,8 miljoen euro.", "What does the gang call itself?"},
		{"\"Dit is een zwarte dag\", zegt zij. Van de zes gynaecologen zijn er nog drie over.", "How many gynaecologists are left?"},
		{"Het Streekziekenhuis Oost-Achterhoek in Winterswijk stopt per 1 januari.", "Waarom stopt het ziekenhuis?"},
	} {
		f.Add(seed.text, seed.q)
	}
	lib := newTestLibrarian(f)
	f.Fuzz(func(t *testing.T, text, q string) {
		if len(text) > 2000 || len(q) > 300 || !utf8.ValidString(text) || !utf8.ValidString(q) {
			t.Skip()
		}
		var sents []string
		for s := range strings.SplitSeq(text, ". ") {
			if strings.TrimSpace(s) != "" {
				sents = append(sents, s)
			}
		}
		if len(sents) == 0 {
			t.Skip()
		}
		a := sentenceArticle("fuzz.txt", "Fuzz", sents...)
		c := newTestCorpus(lib.an, []*article.Article{a})
		ctx := context.Background()
		if _, err := lib.Answer(ctx, c, q, AskOptions{}); err != nil && err != ErrEmptyQuery {
			t.Fatalf("answer %q: %v", q, err)
		}
		ex, err := lib.Explain(ctx, c, q, 50)
		if err != nil {
			return // an empty question
		}
		for _, cand := range ex.Candidates {
			if !utf8.ValidString(cand.Text) {
				t.Errorf("candidate %q is not valid UTF-8", cand.Text)
			}
		}
		for _, s := range sents {
			qa := lib.analyzeQuestion(q, c)
			toks := lib.annotate(&qa, s)
			for _, cand := range lib.allCandidates(&qa, toks, a) {
				if cand.start != -1 && (cand.start < 0 || cand.end > len(toks) || cand.start >= cand.end) {
					t.Errorf("%q: candidate [%d,%d) outside its %d words", s, cand.start, cand.end, len(toks))
				}
			}
		}
	})
}
