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

// Which sentence words meet a question word: "volgens" in a Dutch question
// meets only "volgens", never the verb "volgen" its stem shares; an English
// word of seven letters or more meets the Dutch compounds that borrow it.
func TestWordMeetsGroup(t *testing.T) {
	lib := newTestLibrarian(t)
	for _, tt := range []struct {
		question, label, sentence string
		want                      bool
	}{
		{"Hoeveel mensen zijn volgens de rechters gedupeerd?", "volgens", "In totaal maakte de bende volgens de rechtbank 312 slachtoffers.", true},
		{"Hoeveel mensen zijn volgens de rechters gedupeerd?", "volgens", "De onderzoekers hebben 86 grutto's gevolgd.", false},
		{"Hoeveel mensen zijn volgens de rechters gedupeerd?", "volgens", "De rechters volgen het OM.", false},
		{"Where is the marketing firm located?", "marketing", "De accounts zijn gelinkt aan een marketingbureau in Belgrado.", true},
	} {
		q := lib.analyzeQuestion(tt.question, nil)
		g := slices.IndexFunc(q.Groups, func(g TermGroup) bool { return g.Label == tt.label })
		if g < 0 {
			t.Fatalf("%q: no group %q in %+v", tt.question, tt.label, q.Groups)
		}
		met := false
		for _, tk := range lib.annotate(&q, tt.sentence) {
			met = met || tk.inGroup(g)
		}
		if met != tt.want {
			t.Errorf("%q in %q: met = %v, want %v (stems %q)", tt.label, tt.sentence, met, tt.want, q.Groups[g].Stems)
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

// A focus noun no list knows asks for a person when the sentence puts it
// beside a person's name.
func TestPersonInApposition(t *testing.T) {
	lib := newTestLibrarian(t)
	q := lib.analyzeQuestion("Which volunteer discovered the error?", nil)
	if q.focus < 0 {
		t.Fatalf("no focus in %+v", q.Groups)
	}
	for _, tt := range []struct {
		sentence string
		want     bool
	}{
		{"Lotte Hazenberg, die als vrijwilliger meekeek, zag de fout.", true},
		{"Volgens vrijwilliger Pieter Jansen klopte de telling niet.", true},
		{"De vrijwilliger zag de fout in Hoogeveen.", false},
		{"Hoogeveen, een vrijwilliger ontdekte het.", false},
		{"Het bureau Open Stembus zette vrijwilligers in.", false},
	} {
		if got := personInApposition(&q, lib.annotate(&q, tt.sentence)); got != tt.want {
			t.Errorf("%q: %v, want %v", tt.sentence, got, tt.want)
		}
	}
}

// The preposition that governs the question word stands before the answer:
// "From what date" ~ "vanaf maandag 3 februari", a weekday between them.
func TestSlotPrepBefore(t *testing.T) {
	lib := newTestLibrarian(t)
	tests := []struct {
		question, sentence, cand string
		want                     bool
	}{
		{"From what date will the bridge close?", "De brug gaat vanaf maandag 3 februari dicht.", "3 februari", true},
		{"From what date will the bridge close?", "De brug gaat op 17 februari dicht.", "17 februari", false},
		{"Vanaf wanneer is de brug dicht?", "De brug is sinds 3 februari dicht.", "3 februari", true},
		{"Bij welke club gaat hij spelen?", "Hij gaat spelen bij VfL Wolfsburg.", "VfL Wolfsburg", true},
		{"Bij welke club gaat hij spelen?", "VfL Wolfsburg betaalt veel.", "VfL Wolfsburg", false},
		// stranded at the end of an English question
		{"Where does the money come from?", "Het geld komt uit Rusland.", "Rusland", true},
		// inside a Dutch question adverb
		{"Waarmee betaalden de oplichters?", "Ze betaalden met bitcoins.", "bitcoins", true},
		// no preposition before the question word: nothing to meet
		{"When will the bridge close?", "De brug gaat vanaf 3 februari dicht.", "3 februari", false},
	}
	for _, tt := range tests {
		q := lib.analyzeQuestion(tt.question, nil)
		toks := lib.annotate(&q, tt.sentence)
		c, ok := spanOf(toks, tt.cand)
		if !ok {
			t.Fatalf("%q: no span %q", tt.sentence, tt.cand)
		}
		if got := len(q.slotPreps) > 0 && slotPrepBefore(&q, toks, c); got != tt.want {
			t.Errorf("%q / %q: %v, want %v (slot prepositions %v)", tt.question, tt.cand, got, tt.want, q.slotPreps)
		}
	}
}

// A question that names a share asks for a number in percent.
func TestPercentQuestions(t *testing.T) {
	lib := newTestLibrarian(t)
	for _, tt := range []struct {
		question string
		want     bool
	}{
		{"What was the turnout in the referendum?", true},
		{"Welk percentage van de kiezers stemde?", true},
		{"How many voters turned up?", false},
	} {
		if q := lib.analyzeQuestion(tt.question, nil); q.Percent != tt.want {
			t.Errorf("%q: Percent %v, want %v", tt.question, q.Percent, tt.want)
		}
	}
	q := lib.analyzeQuestion("What was the turnout in the referendum?", nil)
	toks := lib.annotate(&q, "De opkomst was 32,28%, bij 12.862.658 kiesgerechtigden en een drempel van 30 procent.")
	for _, tt := range []struct {
		cand string
		want bool
	}{{"32,28", true}, {"12.862.658", false}, {"30 procent", true}} {
		c, ok := spanOf(toks, tt.cand)
		if !ok {
			t.Fatalf("no span %q", tt.cand)
		}
		if got := isPercent(toks, c); got != tt.want {
			t.Errorf("isPercent(%q) = %v, want %v", tt.cand, got, tt.want)
		}
	}
}
