package answer

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/briefings/article"
)

func TestArticleAcronyms(t *testing.T) {
	tests := []struct {
		text string
		want []acronymDef
	}{
		{"Dat meldt het Nationaal Cyber Security Centrum (NCSC) donderdag.",
			[]acronymDef{{"ncsc", []string{"nationaal", "cyber", "security", "centrum"}}}},
		{"De munten gingen naar de Rijksdienst voor het Cultureel Erfgoed (RCE).",
			[]acronymDef{{"rce", []string{"rijksdienst", "cultureel", "erfgoed"}}}},
		// a lower-case word the acronym skips, and one it spells
		{"Het Centraal Orgaan opvang asielzoekers (COA) zoekt plekken.",
			[]acronymDef{{"coa", []string{"centraal", "orgaan", "asielzoekers"}}}},
		{"Het Openbaar Ministerie (OM) en de Vereniging van Nederlandse Gemeenten (VNG) reageren.",
			[]acronymDef{{"om", []string{"openbaar", "ministerie"}}, {"vng", []string{"vereniging", "nederlandse", "gemeenten"}}}},
		// no definitions: a capitalised word the acronym does not spell,
		// a comma inside the name, letters left over, no name at all
		{"Volgens Jan de Vries (VVD) is dat onzin.", nil},
		{"Hij sprak met Nationaal, Cyber Security Centrum (NCSC).", nil},
		{"De Kiesraad (KR) zwijgt.", nil},
		{"(NOS) Het kabinet valt.", nil},
		{"De partij (CDA) won.", nil},
		{"Een bedrag (EUR 100) werd betaald.", nil},
	}
	for _, tt := range tests {
		steps := maxAcronymSteps
		if diff := cmp.Diff(tt.want, articleAcronyms(nil, tt.text, &steps), cmp.AllowUnexported(acronymDef{})); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.text, diff)
		}
	}
}

func TestArticleAcronymsStayBounded(t *testing.T) {
	// hostile sentences of nothing but parenthesised acronyms: spelled
	// ones stop at maxAcronymDefs definitions, almost spelled ones (every
	// lower-case word may or may not give its initial) at the step budget
	for _, text := range []string{
		strings.Repeat("a a a a a a a a a a (AAAAAA) ", 5000),
		strings.Repeat("a b a b a b a b a b (ABABAC) ", 5000),
	} {
		steps := maxAcronymSteps
		defs := articleAcronyms(nil, text, &steps)
		if len(defs) > maxAcronymDefs || steps < 0 {
			t.Fatalf("%d definitions, %d steps left; want at most %d and no overdraft", len(defs), steps, maxAcronymDefs)
		}
	}
}

func TestLexiconAcronyms(t *testing.T) {
	got := lexiconAcronyms("Ministerie van Binnenlandse Zaken,Binnenlandse Zaken,BZK")
	want := []acronymDef{{"bzk", []string{"ministerie", "binnenlandse", "zaken"}}, {"bzk", []string{"binnenlandse", "zaken"}}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(acronymDef{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := lexiconAcronyms("Kiesraad"); got != nil {
		t.Errorf("a line without an acronym gave %v", got)
	}
}

// TestAcronymsStandForTheirNames asks for an organisation by its acronym
// and by its name over articles that use the other form in the sentence
// that holds the answer.
func TestAcronymsStandForTheirNames(t *testing.T) {
	lib := newTestLibrarian(t)
	art := func(id string, sents ...string) *article.Article { return sentenceArticle(id, sents[0], sents...) }
	arts := []*article.Article{
		art("phishing.txt",
			"Medewerkers van gemeenten kregen valse mails.",
			"Dat meldt het Nationaal Cyber Security Centrum (NCSC) donderdag.",
			"Het aantal meldingen steeg sterk, zegt onderzoeker Tom Bakker van de Universiteit Twente.",
			"\"We zien een gerichte campagne,\" zegt NCSC-directeur Maaike van der Linden."),
		art("trollen.txt",
			"Een netwerk van nepaccounts mengde zich in het debat.",
			"Het ministerie van Binnenlandse Zaken noemt de bevindingen zorgelijk en wil de Kamer informeren.",
			"Onderzoeker Sanne Smit van de Universiteit Utrecht bracht het netwerk in kaart."),
	}
	c := newTestCorpus(lib.an, arts)
	tests := []struct {
		q    string
		want string
	}{
		{"Who heads the National Cyber Security Centre?", "Maaike van der Linden"},
		{"Wie is directeur van het NCSC?", "Maaike van der Linden"},
	}
	for _, tt := range tests {
		ex, err := lib.Explain(context.Background(), c, tt.q, 3)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range ex.Candidates {
			got = append(got, c.Text)
		}
		if len(got) == 0 || got[0] != tt.want {
			t.Errorf("%q: best candidates %q, want %q first", tt.q, got, tt.want)
		}
	}
	// the lexicon's acronym meets the name an article writes out
	q := lib.analyzeQuestion("Wat vindt BZK van het netwerk?", c)
	ex, err := lib.examine(context.Background(), c, &q, nil)
	if err != nil {
		t.Fatal(err)
	}
	var bzk *TermGroup
	for i, g := range ex.q.Groups {
		if g.Label == "BZK" {
			bzk = &ex.q.Groups[i]
		}
	}
	if bzk == nil || len(bzk.Terms) == 0 {
		t.Fatalf("the group of BZK meets no word of the articles: %+v", bzk)
	}
	if !strings.Contains(strings.Join(bzk.Stems, " "), lib.an.Stem(analysis.Fold("Binnenlandse"))) {
		t.Errorf("BZK's stems %v lack Binnenlandse's", bzk.Stems)
	}
	// the question's own groups are left as they were
	for _, g := range q.Groups {
		if g.Label == "BZK" && len(g.Stems) != 1 {
			t.Errorf("examine changed the caller's group: %v", g.Stems)
		}
	}
}

// A name's head noun ("Institute") meets the acronym with the rest of the
// name, even when the other word ("Forensic") already knows it.
func TestAcronymReachesTheNamesHead(t *testing.T) {
	lib := newTestLibrarian(t)
	a := sentenceArticle("nfi.txt", "Nepopname",
		"Dat concludeert het Nederlands Forensisch Instituut (NFI) na onderzoek.",
		"\"De klank is onnatuurlijk gelijkmatig,\" zegt NFI-onderzoeker Bart Mulder.")
	c := newTestCorpus(lib.an, []*article.Article{a})
	q := lib.analyzeQuestion("Who at the Netherlands Forensic Institute explained the verdict?", c)
	ex, err := lib.examine(context.Background(), c, &q, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range ex.q.Groups {
		if (g.Label == "Forensic" || g.Label == "Institute") && !slices.Contains(g.Stems, "nfi") {
			t.Errorf("group %q lacks the acronym: %v", g.Label, g.Stems)
		}
	}
}
