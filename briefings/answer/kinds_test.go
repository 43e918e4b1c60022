package answer

import (
	"context"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/briefings/article"
)

// A what-question asks for a thing: the person in the sentence is no
// candidate of it (a phrase may hold them), while a who-question over the
// same sentence gets them.
func TestWhatQuestionsGetNoPersons(t *testing.T) {
	lib := newTestLibrarian(t)
	a := sentenceArticle("brug.txt", "Brug in Veghel dicht",
		"Bij de controle van de brug kwamen scheuren in de liggers aan het licht, zegt wethouder Koen van den Heuvel.",
		"De brug gaat in februari dicht voor auto's.")
	c := newTestCorpus(lib.an, []*article.Article{a})
	has := func(q, text string) bool {
		ex, err := lib.Explain(context.Background(), c, q, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, cand := range ex.Candidates {
			if strings.Contains(cand.Text, text) && cand.Kind == "person" {
				return true
			}
		}
		return false
	}
	if has("Wat kwam er bij de controle van de brug aan het licht?", "Koen van den Heuvel") {
		t.Error("a what-question got a person for a candidate")
	}
	if !has("Wie zegt dat er scheuren in de liggers aan het licht kwamen?", "Koen van den Heuvel") {
		t.Error("a who-question lost the person")
	}
}

// "Dat meldt de Washington Post": the sentence before is what the
// newspaper reported, and counts as the sentence's own content.
func TestSentenceThatSpeaksOfThePreviousOne(t *testing.T) {
	lib := newTestLibrarian(t)
	a := sentenceArticle("trollen.txt", "Advertenties op Facebook",
		"Het Amerikaanse Congres onderzoekt de advertenties.",
		"Facebook heeft de advertenties herleid tot een groep internettrollen uit Rusland.",
		"Dat meldt de Washington Post op woensdag.",
		"De krant sprak met medewerkers van het bedrijf.")
	if !speaksOfPrevious(a.Sentences[2].Text) || speaksOfPrevious(a.Sentences[3].Text) {
		t.Fatal("speaksOfPrevious misreads the sentences")
	}
	c := newTestCorpus(lib.an, []*article.Article{a})
	q := lib.analyzeQuestion("Which newspaper reported that Facebook traced the ads to internet trolls?", c)
	weights, total := lib.groupWeights(c, &q)
	cov := func(sent int) float64 {
		return lib.coverage(&q, lib.annotate(&q, a.Sentences[sent].Text), weights, total, a, sent)
	}
	anaphoric := cov(2)
	a.Sentences[2].Text = "Zo meldt de Washington Post op woensdag."
	plain := cov(2)
	if anaphoric <= plain+0.1 {
		t.Errorf("coverage of the sentence that speaks of the one before: %.2f, of a plain one %.2f; want it well above", anaphoric, plain)
	}
}

// An adjective of origin before a name leaves the kind to the name; before
// a noun it is an adjective, no place.
func TestPlaceAdjectives(t *testing.T) {
	lib := newTestLibrarian(t)
	q := lib.analyzeQuestion("Waar dook het doek op?", nil)
	for _, tt := range []struct {
		sentence, span string
		want           entityKind
	}{
		{"Het doek dook op in het Groningse dorp Winsum.", "Groningse", entCountryAdj},
		{"Het doek dook op bij de Canadese Sarah Dubois thuis.", "Canadese Sarah Dubois", entPerson},
		{"Het doek hing in het Groningse Amsterdam.", "Groningse Amsterdam", entPlace},
		{"De servers staan in het Russische Kazan.", "Russische Kazan", entPlace},
		// a word in -se before a preposition is a name, no adjective
		{"Hij won in Overijse na een solo.", "Overijse", entPlace},
		{"De Groningse en Drentse boeren protesteren.", "Groningse", entCountryAdj},
		// a given name that is also a demonym ("een Noor"): a person
		{"Het doek dook op bij Noor Visser van de Universiteit Leiden.", "Noor Visser van de Universiteit Leiden", entPerson},
	} {
		if got := spanKind(t, lib, &q, tt.sentence, tt.span); got != tt.want {
			t.Errorf("%q in %q: %s, want %s", tt.span, tt.sentence, kindNames[got], kindNames[tt.want])
		}
	}
}

// The sentence after a well-covered one is examined and shares half its
// coverage: "… is aangesteld als informateur. Hij gaat …" and the answer
// sits in the sentence that names none of the question's words.
func TestSentenceAfterACoveredOne(t *testing.T) {
	lib := newTestLibrarian(t)
	a := sentenceArticle("fraude.txt", "Bende opgerold",
		"De politie heeft dinsdag veertien verdachten van bankhelpdeskfraude aangehouden in Rotterdam.",
		"De groep zou ruim 640 mensen hebben opgelicht, van wie de meesten ouder dan 70 jaar.",
		"Het weer was die dag zonnig.")
	c := newTestCorpus(lib.an, []*article.Article{a})
	ex, err := lib.Explain(context.Background(), c, "Hoeveel verdachten van bankhelpdeskfraude heeft de politie aangehouden?", 50)
	if err != nil {
		t.Fatal(err)
	}
	cov := map[int]float64{}
	for _, s := range ex.Sentences {
		cov[s.Index] = s.Coverage
	}
	if _, ok := cov[0]; !ok {
		t.Fatalf("the covered sentence is not examined: %+v", ex.Sentences)
	}
	if got, ok := cov[1]; !ok || got < 0.5*cov[0]-1e-9 {
		t.Errorf("the sentence after it: examined %v, coverage %.2f, want at least half of %.2f", ok, got, cov[0])
	}
	if _, ok := cov[2]; ok && cov[2] >= 0.5*cov[0] {
		t.Errorf("a sentence two after the covered one shares its coverage: %.2f", cov[2])
	}
}

// A role before a surname alone names a person ("Woordvoerder Kamphuis");
// before a common word, a place or an acronym it does not.
func TestRoleAndSurname(t *testing.T) {
	lib := newTestLibrarian(t)
	q := lib.analyzeQuestion("Wie reageerde?", nil)
	for _, tt := range []struct {
		sentence, span string
		person         bool
	}{
		{"Gisteren kwam Woordvoerder Kamphuis met een verklaring.", "Woordvoerder Kamphuis", true},
		{"Volgens Burgemeester Halsema is het veilig.", "Burgemeester Halsema", true},
		{"Gisteren kwam Minister Financiën met een brief.", "Minister Financiën", false},
		{"Gisteren kwam Woordvoerder NCSC met een verklaring.", "Woordvoerder NCSC", false},
	} {
		if got := spanKind(t, lib, &q, tt.sentence, tt.span); (got == entPerson) != tt.person {
			t.Errorf("%q in %q: %s, want person %v", tt.span, tt.sentence, kindNames[got], tt.person)
		}
	}
}

// spanKind is the kind classify gives to span in sentence.
func spanKind(t *testing.T, lib *Librarian, q *question, sentence, span string) entityKind {
	t.Helper()
	toks := lib.annotate(q, sentence)
	c, ok := spanOf(toks, span)
	if !ok {
		t.Fatalf("no span %q in %q", span, sentence)
	}
	return lib.classify(toks, c.start, c.end)
}

// In a question for a name, the article's own naming word before a span
// marks it: "de tentoonstelling heet Alle Rembrandts".
func TestNamingCueBeforeName(t *testing.T) {
	lib := newTestLibrarian(t)
	for _, tt := range []struct {
		q    string
		want float64
	}{
		{"What is the title of the exhibition?", 1},
		{"Hoe heet de tentoonstelling?", 1},
		{"Which museum shows the exhibition?", 0},
	} {
		q := lib.analyzeQuestion(tt.q, nil)
		toks := lib.annotate(&q, "De tentoonstelling, die tot juni duurt, heet Alle Rembrandts.")
		c, ok := spanOf(toks, "Alle Rembrandts")
		if !ok {
			t.Fatal("no span Alle Rembrandts")
		}
		var f [numFeatures]float64
		spanFeatures(&q, toks, candidate{start: c.start, end: c.end, kind: entName}, &f)
		if f[fFocusNext] != tt.want {
			t.Errorf("%q: focus_next %v, want %v", tt.q, f[fFocusNext], tt.want)
		}
	}
}
