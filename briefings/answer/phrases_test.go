package answer

import (
	"slices"
	"testing"
)

// Noun runs carry their article or possessive and a complement, and end at
// prepositions and adverbs that are no stop words.
func TestNounRuns(t *testing.T) {
	lib := newTestLibrarian(t)
	q := lib.analyzeQuestion("What did the attackers encrypt?", nil)
	tests := []struct {
		sentence string
		want     []string // among the runs
		not      []string // not among them
	}{
		{"Hackers wisten de servers met het elektronisch patiëntendossier te versleutelen.",
			[]string{"de servers", "de servers met het elektronisch patiëntendossier"}, []string{"servers"}},
		{"Bij de controle kwamen scheuren in de betonnen liggers van de brug aan het licht.",
			[]string{"de controle", "scheuren in de betonnen liggers", "scheuren in de betonnen liggers van de brug"}, []string{"de controle kwamen scheuren"}},
		{"Ze konden hun rittenplanning niet openen.", []string{"hun rittenplanning"}, nil},
		// "volgens" ends a run: no "de bende volgens"
		{"In totaal maakte de bende volgens de rechtbank 312 slachtoffers.",
			[]string{"de bende", "de rechtbank 312 slachtoffers"}, []string{"de bende volgens", "volgens"}},
	}
	for _, tt := range tests {
		toks := lib.annotate(&q, tt.sentence)
		got := spanTexts(toks, appendNounRuns(nil, toks))
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("%q: runs %q lack %q", tt.sentence, got, w)
			}
		}
		for _, w := range tt.not {
			if slices.Contains(got, w) {
				t.Errorf("%q: runs %q hold %q", tt.sentence, got, w)
			}
		}
	}
}

// A separable participle is of one family with its noun: "ingebroken" and
// "inbraak"; other words on a lexicon line are not.
func TestSameWordFamily(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"ingebroken", "inbraak", true},
		{"ingebroken", "inbreken", true},
		{"gestuurd", "stuurde", true},
		{"ingebroken", "binnengedrongen", false},
		{"ontslagen", "wegsturen", false},
	} {
		if got := sameWordFamily(tt.a, tt.b); got != tt.want {
			t.Errorf("sameWordFamily(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// "volgens" in a Dutch question meets the article's "volgens", never the
// verb "volgen" its stem shares.
func TestVolgensMeetsOnlyItself(t *testing.T) {
	lib := newTestLibrarian(t)
	q := lib.analyzeQuestion("Hoeveel mensen zijn volgens de rechters gedupeerd?", nil)
	g := slices.IndexFunc(q.Groups, func(g TermGroup) bool { return g.Label == "volgens" })
	if g < 0 {
		t.Fatalf("no group for volgens in %+v", q.Groups)
	}
	for sentence, want := range map[string]bool{
		"In totaal maakte de bende volgens de rechtbank 312 slachtoffers.": true,
		"De onderzoekers hebben 86 grutto's gevolgd.":                      false,
		"De rechters volgen het OM.":                                       false,
	} {
		met := false
		for _, tk := range lib.annotate(&q, sentence) {
			met = met || tk.inGroup(g)
		}
		if met != want {
			t.Errorf("%q: volgens met = %v, want %v", sentence, met, want)
		}
	}
}

// An English word of seven letters or more meets Dutch compounds that
// borrow it: "marketing" finds "marketingbureau".
func TestEnglishLoanwords(t *testing.T) {
	lib := newTestLibrarian(t)
	q := lib.analyzeQuestion("Where is the marketing firm located?", nil)
	g := slices.IndexFunc(q.Groups, func(g TermGroup) bool { return g.Label == "marketing" })
	if g < 0 {
		t.Fatalf("no group for marketing in %+v", q.Groups)
	}
	met := false
	for _, tk := range lib.annotate(&q, "De accounts zijn gelinkt aan een marketingbureau in Belgrado.") {
		met = met || tk.inGroup(g)
	}
	if !met {
		t.Errorf("marketingbureau does not meet marketing; stems %q", q.Groups[g].Stems)
	}
}

// The clause features: a candidate after "waardoor" stands in another
// clause than the predicate it follows.
func TestClauseFeatures(t *testing.T) {
	lib := newTestLibrarian(t)
	q := lib.analyzeQuestion("What did the hackers encrypt at the hospital?", nil)
	toks := lib.annotate(&q, "Hackers versleutelden de servers van het ziekenhuis, waardoor artsen niet meer bij de gegevens konden.")
	find := func(text string) candidate {
		for i := range toks {
			for j := i + 1; j <= len(toks); j++ {
				if spanText(toks, i, j) == text {
					return candidate{start: i, end: j}
				}
			}
		}
		t.Fatalf("no span %q", text)
		return candidate{}
	}
	for _, tt := range []struct {
		span      string
		cov, verb float64
	}{
		{"de servers", 1, 1},
		{"artsen", 0, 0},
	} {
		cov, verb := clauseFeatures(&q, toks, find(tt.span))
		if cov != tt.cov || verb != tt.verb {
			t.Errorf("%q: clause_cov %.2f verb_clause %.0f, want %.2f %.0f", tt.span, cov, verb, tt.cov, tt.verb)
		}
	}
}

// A role title before a name gives the name alone as a candidate too: the
// question that names the role asks for the person.
func TestRoleBeforeNameAlone(t *testing.T) {
	lib := newTestLibrarian(t)
	q := lib.analyzeQuestion("Who is the Belgian Justice minister?", nil)
	toks := lib.annotate(&q, "Minister van Justitie Hilde Verbeke noemt het onderzoek verontrustend.")
	got := spanTexts(toks, lib.entitySpans(toks))
	for _, w := range []string{"Minister van Justitie Hilde Verbeke", "Hilde Verbeke"} {
		if !slices.Contains(got, w) {
			t.Errorf("entities %q lack %q", got, w)
		}
	}
}
