package answer

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/briefings/article"
)

// Names hold a suspended compound ("Inlichtingen- en Opsporingsdienst") and
// "voor" after an organisation noun; a name that ends in an organisation
// noun names an institution, first name or not.
func TestNameSpansAcrossJoiners(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	q := lib.analyzeQuestion("Who said it?", ix)
	for _, tt := range []struct {
		text, want string
		kind       entityKind
	}{
		{"Hij meldde het bij de Fiscale Inlichtingen- en Opsporingsdienst in Utrecht.", "Fiscale Inlichtingen- en Opsporingsdienst", entOrg},
		{"De subsidie kwam van de Rijksdienst voor Ondernemend Nederland in Den Haag.", "Rijksdienst voor Ondernemend Nederland", entOrg},
		{"Het werk kwam bij de Rijksdienst voor het Cultureel Erfgoed terecht.", "Rijksdienst voor het Cultureel Erfgoed", entOrg},
		{"Het Frans Hals Museum heeft het werk aangekocht.", "Frans Hals Museum", entOrg},
		{"Volgens Noord- en Zuid-Holland is het plan duur.", "Noord- en Zuid-Holland", entNone}, // kind aside: one span
	} {
		toks := lib.annotate(&q, tt.text)
		var got []string
		found := false
		for _, c := range lib.entitySpans(toks) {
			s := spanText(toks, c.start, c.end)
			got = append(got, s)
			if s == tt.want && (tt.kind == entNone || c.kind == tt.kind) {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: want %q (kind %d) among %q", tt.text, tt.want, tt.kind, got)
		}
	}
	// "voor" joins only after an organisation noun
	toks := lib.annotate(&q, "Minister Jansen stemde voor Oekraïne.")
	for _, c := range lib.entitySpans(toks) {
		if s := spanText(toks, c.start, c.end); s == "Jansen stemde voor Oekraïne" || s == "Jansen voor Oekraïne" {
			t.Errorf("joined across a plain voor: %q", s)
		}
	}
}

// A day number before its month is part of a date, not a count; other
// numbers still are.
func TestDayNumberIsNoCount(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	q := lib.analyzeQuestion("Hoeveel munten zaten er in de schat?", ix)
	toks := lib.annotate(&q, "Vanaf 14 maart zijn de 39 munten te zien, en 14 andere later.")
	got := spanTexts(toks, numberSpans(lib.lex, toks))
	if slices.Contains(got, "14") && slices.Index(got, "14") == 0 {
		t.Errorf("the day of 14 maart counted as a number: %q", got)
	}
	if !slices.Contains(got, "39") || len(got) != 2 {
		t.Errorf("want 39 and the second 14 as counts, got %q", got)
	}
}

// Counts among days and wholes: "9 en 13 februari" are two days, "14 van
// de 45 zetels" one count of a whole (unless the question names the whole).
func TestCountsAmongDaysAndWholes(t *testing.T) {
	lib := newTestLibrarian(t)
	tests := []struct {
		q, sentence string
		want        []string
	}{
		{"Hoeveel mails werden er verstuurd?", "De mails werden tussen 9 en 13 februari verstuurd aan ongeveer 340 ambtenaren.", []string{"ongeveer 340"}},
		{"Hoeveel zetels zou de partij halen?", "De partij zou 14 van de 45 zetels halen, en 3 andere partijen samen 9.", []string{"14 van de 45", "3", "9"}},
		{"How many of the 45 seats would the party win?", "De partij zou 14 van de 45 zetels halen.", []string{"14"}},
		// a measure keeps its unit
		{"Hoe groot is het tekort?", "Het tekort liep op tot 230 millimeter, en 500 vierkante meter.", []string{"tot 230 millimeter", "500 vierkante meter"}},
	}
	for _, tt := range tests {
		q := lib.analyzeQuestion(tt.q, nil)
		toks := lib.annotate(&q, tt.sentence)
		if got := spanTexts(toks, numberSpans(lib.lex, toks)); !slices.Equal(got, tt.want) {
			t.Errorf("%q: counts %q, want %q", tt.sentence, got, tt.want)
		}
	}
}

// A how-many answer names what it counts when the noun follows.
func TestCountNamesItsNoun(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	q := lib.analyzeQuestion("How many civil servants received the e-mails?", ix)
	if q.counted < 0 {
		t.Fatalf("no counted noun in %+v", q.Groups)
	}
	toks := lib.annotate(&q, "De mails werden verstuurd aan ongeveer 340 ambtenaren en 12 burgemeesters.")
	var got []string
	for _, c := range lib.candidates(&q, toks, nil, &spanFinds{l: lib, toks: toks}) {
		if c.kind == entNumber {
			got = append(got, c.text)
		}
	}
	if want := []string{"ongeveer 340 ambtenaren", "12"}; !slices.Equal(got, want) {
		t.Errorf("count answers %q, want %q", got, want)
	}
}

// The participle of a separable verb meets its stem and its agent noun:
// "opgericht" finds "oprichter".
func TestSeparableParticiple(t *testing.T) {
	for _, tt := range []struct {
		in, particle, rest string
		ok                 bool
	}{
		{"opgericht", "op", "richt", true},
		{"aangekondigd", "aan", "kondigd", true},
		{"uitgegeven", "uit", "geven", true},
		{"gestart", "", "", false},
		{"opgeld", "", "", false}, // too short a rest
	} {
		p, r, ok := separableParticiple(tt.in)
		if p != tt.particle || r != tt.rest || ok != tt.ok {
			t.Errorf("%q: got %q %q %v, want %q %q %v", tt.in, p, r, ok, tt.particle, tt.rest, tt.ok)
		}
	}
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	q := lib.analyzeQuestion("Wie heeft het bedrijf opgericht?", ix)
	toks := lib.annotate(&q, "Volgens directeur Erik Veltman, kleinzoon van oprichter Hendrik Veltman, is de stap onvermijdelijk.")
	matched := false
	for _, tk := range toks {
		if tk.Folded == "oprichter" && tk.group >= 0 {
			matched = true
		}
	}
	if !matched {
		t.Errorf("oprichter does not meet opgericht; groups %+v", q.Groups)
	}
}

// A candidate made of the question's own words is no answer; the
// affiliation of a person may repeat the question and the person still
// answers it.
func TestOwnWordsAndAffiliation(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	q := lib.analyzeQuestion("Welke Groningse onderzoeker twijfelt aan de studie?", ix)
	toks := lib.annotate(&q, "Planeetonderzoeker Tom de Wit van de Rijksuniversiteit Groningen twijfelt aan de studie.")
	var person candidate
	for _, c := range lib.entitySpans(toks) {
		if c.kind == entPerson {
			person = c
		}
	}
	if spanText(toks, person.start, person.end) != "Tom de Wit van de Rijksuniversiteit Groningen" {
		t.Fatalf("person span %q", spanText(toks, person.start, person.end))
	}
	if got := lib.affiliationStart(toks, person); toks[got].Folded != "van" || got == person.start+2 {
		t.Errorf("affiliation starts at %d (%q)", got, toks[got].Text)
	}
	lib.scoreCandidate(&q, toks, &person)
	if person.score == 0 {
		t.Errorf("a person whose affiliation names the question's place scored 0")
	}
	if onlyQuestionWords(&q, toks, person) {
		t.Errorf("the person is not the question's own words")
	}
	q = lib.analyzeQuestion("Wie heeft Veltman Components opgericht?", ix)
	toks = lib.annotate(&q, "Veltman Components werd in 1952 opgericht.")
	for _, c := range lib.entitySpans(toks) {
		if spanText(toks, c.start, c.end) == "Veltman Components" && !onlyQuestionWords(&q, toks, c) {
			t.Errorf("Veltman Components answers its own question")
		}
	}
	// "Jan van Dijk" keeps its "van"
	toks = lib.annotate(&q, "Burgemeester Jan van Dijk opende de fabriek.")
	for _, c := range lib.entitySpans(toks) {
		if c.kind == entPerson && lib.affiliationStart(toks, c) != c.end {
			t.Errorf("%q: an affiliation inside a surname", spanText(toks, c.start, c.end))
		}
	}
}

// A sentence after the candidate's that opens with "Dat"/"Dit" and a verb
// speaks of it: its names count as context.
func TestAnaphoricNext(t *testing.T) {
	art := &article.Article{Sentences: []article.Sentence{
		{Text: "In totaal gaat het om 38 nepnieuwssites."},
		{Text: "Dat blijkt uit onderzoek van Viginum."},
		{Text: "Dat bedrijf zweeg."},
		{Text: "Dit meldt de NOS."},
	}}
	for sent, want := range []string{"Dat blijkt uit onderzoek van Viginum.", "", "Dit meldt de NOS.", ""} {
		if got := anaphoricNext(art, sent); got != want {
			t.Errorf("after sentence %d: got %q, want %q", sent, got, want)
		}
	}
}

// English numbers meet the articles' Dutch ones, and an age the Dutch
// compound: "1,500 metres" is "1.500 meter", "the 29-year-old" "de
// 29-jarige".
func TestEnglishNumbersAndAges(t *testing.T) {
	for in, want := range map[string]string{"1,500": "1.500", "2.5": "2,5", "12,862,658": "12.862.658", "38": "38"} {
		if got := dutchNumber(in); got != want {
			t.Errorf("dutchNumber(%q) = %q, want %q", in, got, want)
		}
	}
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	q := lib.analyzeQuestion("What prison term did the judges give the 29-year-old after the 1,500 metres?", ix)
	var age, dist *TermGroup
	for i, g := range q.Groups {
		switch g.Label {
		case "29-year-old":
			age = &q.Groups[i]
		case "1,500":
			dist = &q.Groups[i]
		}
	}
	if age == nil || !slices.Contains(age.Stems, "29-jarige") || !age.Number {
		t.Errorf("the age: got %+v in %+v", age, q.Groups)
	}
	if dist == nil || !slices.Contains(dist.Stems, "1.500") {
		t.Errorf("the distance: got %+v", dist)
	}
	if q.Type != qHowMany {
		t.Errorf("a prison term is a number with its unit: type %s", q.Type)
	}
	toks := lib.annotate(&q, "De man is veroordeeld tot drie jaar cel.")
	got := spanTexts(toks, numberSpans(lib.lex, toks))
	if !slices.ContainsFunc(got, func(s string) bool { return strings.HasSuffix(s, "drie jaar cel") }) {
		t.Errorf("the penalty with its unit: got %q", got)
	}
}

// A Dutch compound the articles lack is asked for by its parts, when they
// have both; one they have, and a name, stay whole.
func TestQuestionCompoundParts(t *testing.T) {
	lib := newTestLibrarian(t)
	arts := []*article.Article{{ID: "a", Title: "Uitslag",
		Sentences: []article.Sentence{{Text: "De verkiezing had een verrassende uitslag, zegt een expert van de peiling."}}}}
	ix := newTestCorpus(lib.an, arts)
	for _, tt := range []struct{ word, left, right string }{
		{"peilingexpert", "peiling", "expert"},
		{"verkiezingsuitslag", "verkiezing", "uitslag"},
		{"uitslagpeiling", "uitslag", "peiling"},
	} {
		l, r, ok := lib.splitCompound(tt.word, ix)
		if !ok || l != tt.left || r != tt.right {
			t.Errorf("%q: got %q %q %v, want %q %q", tt.word, l, r, ok, tt.left, tt.right)
		}
	}
	if l, r, ok := lib.splitCompound("zetelaantal", ix); ok {
		t.Errorf("zetelaantal split into %q %q, parts the articles lack", l, r)
	}
	q := lib.analyzeQuestion("Wat zei de peilingexpert over de uitslag?", ix)
	var labels []string
	for _, g := range q.Groups {
		labels = append(labels, g.Label)
	}
	if !slices.Contains(labels, "peiling") || !slices.Contains(labels, "expert") || slices.Contains(labels, "peilingexpert") {
		t.Errorf("groups %q, want peilingexpert by its parts", labels)
	}
}

// unitCase is a number candidate toks[start:end] and its expected counted
// and other_unit features.
type unitCase struct {
	start, end     int
	counted, other float64
}

func checkUnitFeatures(t *testing.T, toks []tok, q *question, cases []unitCase) {
	t.Helper()
	for _, tt := range cases {
		var f [numFeatures]float64
		spanFeatures(q, toks, candidate{start: tt.start, end: tt.end, kind: entNumber}, &f)
		if f[fCounted] != tt.counted || f[fOtherUnit] != tt.other {
			t.Errorf("%q: counted %v other_unit %v, want %v %v", spanText(toks, tt.start, tt.end), f[fCounted], f[fOtherUnit], tt.counted, tt.other)
		}
	}
}

// spanTexts are the candidates' texts in toks.
func spanTexts(toks []tok, cs []candidate) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = spanText(toks, c.start, c.end)
	}
	return out
}

// A separable verb written apart meets the question's verb only with its
// particle after it: "gaf het geld uit" spends, "gaf het boek" does not.
func TestSplitSeparableVerbs(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	for _, question := range []string{"What did he spend the money on?", "Waaraan heeft hij het geld uitgegeven?"} {
		q := lib.analyzeQuestion(question, ix)
		verb := slices.IndexFunc(q.Groups, func(g TermGroup) bool { return g.Split["gaf"] == "uit" })
		if verb < 0 {
			t.Errorf("%q: no group takes \"gaf … uit\": %+v", question, q.Groups)
			continue
		}
		for text, want := range map[string]bool{"Hij gaf het geld volgens de rechter uit aan paarden.": true, "Hij gaf het boek aan zijn zus.": false} {
			got := slices.ContainsFunc(lib.annotate(&q, text), func(tk tok) bool { return tk.Folded == "gaf" && tk.inGroup(verb) })
			if got != want {
				t.Errorf("%q in %q: matched %v, want %v", question, text, got, want)
			}
		}
	}
}

// A word longer than any compound is not split: each split stems both
// parts, and a hostile word would cost its length squared.
func TestSplitCompoundSkipsOverlongWords(t *testing.T) {
	lib := newTestLibrarian(t)
	arts := []*article.Article{{ID: "a", Title: "Uitslag",
		Sentences: []article.Sentence{{Text: "De verkiezing had een verrassende uitslag."}}}}
	ix := newTestCorpus(lib.an, arts)
	long := strings.Repeat("verkiezing", 5) + "uitslag"
	if l, r, ok := lib.splitCompound(long, ix); ok {
		t.Errorf("a %d-letter word split into %q %q", len(long), l, r)
	}
	if _, _, ok := lib.splitCompound("verkiezingsuitslag", ix); !ok {
		t.Errorf("verkiezingsuitslag not split")
	}
}

// A Dutch question with an auxiliary or a modal has its predicate at the
// end; without one the finite verb up front is it.
func TestDutchPredicate(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	for q, want := range map[string]string{
		"Waarom werd een verzonnen zetelaantal in de video's gezet?":  "gezet",
		"Welke huisarts wil niet meedoen aan het spreekuur?":          "meedoen",
		"Wie heeft de campagne van de partij in Gent opgezet?":        "opgezet",
		"Wie stuurde de campagne aan?":                                "stuurde",
		"Hoeveel zetels haalde de partij bij de verkiezingen in Oss?": "haalde",
	} {
		var verbs []string
		for _, g := range lib.analyzeQuestion(q, ix).Groups {
			if g.Verb {
				verbs = append(verbs, g.Label)
			}
		}
		if len(verbs) != 1 || verbs[0] != want {
			t.Errorf("%q: predicate %q, want %q", q, verbs, want)
		}
	}
}

// Where-answers without a name: a place noun after a preposition of place,
// with its article and adjectives, and its name when one follows.
func TestCommonPlaces(t *testing.T) {
	lib := newTestLibrarian(t)
	q := lib.analyzeQuestion("Waar krijgen de kampioenen hun huldiging?", nil)
	tests := []struct {
		sentence string
		want     []string
	}{
		{"De kampioenen worden zondag op het stadhuisplein gehuldigd.", []string{"het stadhuisplein"}},
		{"Het overleg vond plaats in het oude provinciehuis van Assen.", []string{"het oude provinciehuis"}},
		{"Er werd gestemd in basisschool De Zeester.", []string{"basisschool De Zeester"}},
		// with the town it stands in
		{"De kampioenen werden gehuldigd in een sporthal in Vlamertinge.", []string{"een sporthal in Vlamertinge"}},
		// no place noun, or no preposition of place
		{"De kampioenen vieren het op sociale media.", nil},
		{"Het stadhuisplein was vol.", nil},
	}
	for _, tt := range tests {
		toks := lib.annotate(&q, tt.sentence)
		if got := spanTexts(toks, commonPlaces(toks)); !slices.Equal(got, tt.want) {
			t.Errorf("%q: places %q, want %q", tt.sentence, got, tt.want)
		}
	}
}

// A range of times of day is one span; "welke uren" asks when.
func TestClockRanges(t *testing.T) {
	lib := newTestLibrarian(t)
	q := lib.analyzeQuestion("Gedurende welke uren reden er geen treinen?", nil)
	if q.Type != qWhen || !q.Clock {
		t.Fatalf("type %s, clock %v; want a when-question for a time of day", q.Type, q.Clock)
	}
	for _, tt := range []struct{ sentence, want string }{
		{"De NS liet tussen 11.00 en 17.00 uur geen treinen rijden.", "11.00 en 17.00 uur"},
		{"Het loket is open van 9 tot 12 uur.", "9 tot 12 uur"},
		{"De berichten kwamen tussen 7.00-9.30 uur binnen.", "7.00-9.30 uur"},
	} {
		toks := lib.annotate(&q, tt.sentence)
		if got := spanTexts(toks, lib.dateSpans(toks)); !slices.Contains(got, tt.want) {
			t.Errorf("%q: times %q, want %q among them", tt.sentence, got, tt.want)
		}
		if got := spanTexts(toks, numberSpans(lib.lex, toks)); len(got) > 0 {
			t.Errorf("%q: times taken for counts: %q", tt.sentence, got)
		}
	}
}

// A weekday before a day and month is one date with them.
func TestWeekdayJoinsItsDate(t *testing.T) {
	lib := newTestLibrarian(t)
	q := lib.analyzeQuestion("Vanaf wanneer geldt het verbod?", nil)
	for _, tt := range []struct {
		sentence string
		want     []string
	}{
		{"Het verbod geldt vanaf maandag 11 augustus 14.00 uur.", []string{"maandag 11 augustus", "14.00 uur"}},
		{"Maandag zei de minister dat het verbod op 11 augustus stopt.", []string{"Maandag", "11 augustus"}},
	} {
		toks := lib.annotate(&q, tt.sentence)
		if got := spanTexts(toks, lib.dateSpans(toks)); !slices.Equal(got, tt.want) {
			t.Errorf("%q: dates %q, want %q", tt.sentence, got, tt.want)
		}
	}
}

// spanOf is the candidate covering the words of text in toks.
func spanOf(toks []tok, text string) (candidate, bool) {
	n := len(strings.Fields(text))
	for i := 0; i+n <= len(toks); i++ {
		if spanText(toks, i, i+n) == text {
			return candidate{start: i, end: i + n}, true
		}
	}
	return candidate{}, false
}

// One word that holds a question word as a compound part repeats the
// question; a name of the question or its focus noun inside a longer word
// does not.
func TestOneWordOfTheQuestion(t *testing.T) {
	lib := newTestLibrarian(t)
	sentence := "De Russischgezinde regeringspartij Georgische Droom claimde de overwinning in Rusland."
	c := newTestCorpus(lib.an, []*article.Article{sentenceArticle("georgie.txt", "Verkiezingen in Georgië", sentence)})
	q := lib.analyzeQuestion("Which pro-Russian ruling party claimed victory?", c)
	toks := lib.annotate(&q, sentence)
	for _, tt := range []struct {
		span string
		want bool
	}{{"Russischgezinde", true}, {"Georgische Droom", false}, {"regeringspartij", true}} {
		span, ok := spanOf(toks, tt.span)
		if !ok {
			t.Fatalf("no span %q", tt.span)
		}
		if got := onlyQuestionWords(&q, toks, span); got != tt.want {
			t.Errorf("onlyQuestionWords(%q) = %v, want %v", tt.span, got, tt.want)
		}
	}
}

// A question compound meets an article's other compound with the same
// head as a sibling: "cyberaanval" ~ "DDoS-aanval", "schaatstocht" ~
// "Toertocht" (when the articles have the head itself: "tocht"); a short
// head ("raad") is no link.
func TestCompoundHeadsMeetSiblings(t *testing.T) {
	lib := newTestLibrarian(t)
	a := sentenceArticle("aanval.txt", "Aanval op de uitslagensite",
		"Het ging om een DDoS-aanval op de site.",
		"De Alde Feanen Toertocht ging weer door.",
		"De gemeenteraad vergaderde.",
		"De tocht was 200 kilometer lang.")
	ix := newTestCorpus(lib.an, []*article.Article{a})
	for _, tt := range []struct {
		q, sentence, word string
		want              float64
	}{
		{"Wat voor cyberaanval legde de site plat?", a.Sentences[0].Text, "DDoS-aanval", siblingMatch},
		{"What kind of cyberattack hit the site?", a.Sentences[0].Text, "DDoS-aanval", siblingMatch},
		{"Hoe heet de schaatstocht?", a.Sentences[1].Text, "Toertocht", siblingMatch},
		{"Wanneer vergaderde de deelraad?", a.Sentences[2].Text, "gemeenteraad", 0},
	} {
		q := lib.analyzeQuestion(tt.q, ix)
		toks := lib.annotate(&q, tt.sentence)
		got := 0.0
		for _, tk := range toks {
			if tk.Text == tt.word && tk.group >= 0 {
				got = tk.match
			}
		}
		if got != tt.want {
			t.Errorf("%q: %q meets the question at %v, want %v", tt.q, tt.word, got, tt.want)
		}
	}
}

// A sentence that ends in a name's joiner ("… zei Marieke van") has no
// word after it: the entity finder stops there instead of reading past
// the end.
func TestNameJoinerAtSentenceEnd(t *testing.T) {
	lib := newTestLibrarian(t)
	q := lib.analyzeQuestion("Wie zei dat?", nil)
	for _, s := range []string{"Dat zei Marieke van", "Dat zei Marieke van der", "Het rapport kwam van de Raad van"} {
		toks := lib.annotate(&q, s)
		sp := &spanFinds{l: lib, toks: toks}
		for _, c := range sp.entities() {
			if c.start < 0 || c.end > len(toks) || c.start >= c.end {
				t.Errorf("%q: entity span [%d,%d) outside its %d words", s, c.start, c.end, len(toks))
			}
		}
	}
}

// A purpose clause runs to its infinitive, and on through the clause the
// infinitive governs.
func TestPurposeClauses(t *testing.T) {
	lib := newTestLibrarian(t)
	q := lib.analyzeQuestion("Waarom werd het zetelaantal verzonnen?", nil)
	toks := lib.annotate(&q, "Het getal werd verzonnen om de indruk te wekken dat iedereen al meedoet, zegt de expert.")
	got := spanTexts(toks, reasonClauses(toks))
	if want := []string{"om de indruk te wekken", "om de indruk te wekken dat iedereen al meedoet"}; !slices.Equal(got, want) {
		t.Errorf("purpose clauses %q, want %q", got, want)
	}
}

// A surname alone is a person when the article gave it after a first name
// before: "Brinkman, die …" after "Lotte Brinkman".
func TestSurnameTheArticleNamed(t *testing.T) {
	lib := newTestLibrarian(t)
	art := &article.Article{ID: "korfbal", Sentences: []article.Sentence{
		{Text: "Lotte Brinkman maakte het winnende doelpunt."},
		{Text: "Brinkman, die stopt, werd topscorer."},
		{Text: "Hackers, die niemand kent, vielen aan."},
	}}
	q := lib.analyzeQuestion("Who was the top scorer?", nil)
	for _, tt := range []struct {
		sentence, span string
		person         bool
	}{
		{art.Sentences[1].Text, "Lotte Brinkman", true},
		{art.Sentences[2].Text, "Hackers", false},
	} {
		toks := lib.annotate(&q, tt.sentence)
		found := false
		for _, c := range lib.candidates(&q, toks, art, &spanFinds{l: lib, toks: toks}) {
			if c.kind == entPerson {
				found = found || lib.finishCandidate(&examination{q: q}, toks, c, nil, art) == tt.span
			}
		}
		if found != tt.person {
			t.Errorf("%q: person %q found %v, want %v", tt.sentence, tt.span, found, tt.person)
		}
	}
}

// A sentence that opens with "Zij" or "Hij" offers the person the sentence
// before it named, for questions that ask for a person only.
func TestPronounNamesThePreviousPerson(t *testing.T) {
	lib := newTestLibrarian(t)
	art := &article.Article{ID: "marathon", Sentences: []article.Sentence{
		{Text: "De beste Nederlandse was Noor van Dijk uit Utrecht."},
		{Text: "Zij werd zesde bij de vrouwen."},
		{Text: "Het parcours was vlak."},
	}}
	for _, tt := range []struct {
		q    string
		sent int
		want []string
	}{
		{"Wie werd zesde bij de vrouwen?", 1, []string{"Noor van Dijk"}},
		{"Waar werd zij zesde?", 1, nil},           // no person asked for
		{"Wie werd zesde bij de vrouwen?", 2, nil}, // no pronoun
		{"Wie werd zesde bij de vrouwen?", 0, nil}, // nothing before it
	} {
		q := lib.analyzeQuestion(tt.q, nil)
		toks := lib.annotate(&q, art.Sentences[tt.sent].Text)
		var got []string
		for _, c := range lib.pronounCandidates(&q, toks, art, tt.sent) {
			got = append(got, c.text)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q on sentence %d: %q, want %q", tt.q, tt.sent, got, tt.want)
		}
	}
}

// A sentence a few sentences after the one that matches the question
// carries that sentence's coverage in ctx_cov, less for each sentence
// between; the matching sentence itself, with none before it, carries none.
func TestContextCoverageFollowsTheMatchingSentence(t *testing.T) {
	lib := newTestLibrarian(t)
	a := sentenceArticle("seh.txt", "Spoedpost",
		"De spoedpost van het ziekenhuis in Stadskanaal gaat 's nachts dicht.",
		"Dat heeft het bestuur woensdag bekendgemaakt.",
		"Patiënten moeten voortaan naar Emmen.",
		"Het bestuur sluit de spoedpost doordat er te weinig artsen te vinden zijn.",
		"Op dit moment staan er elf vacatures open.",
		"In Stadskanaal verzamelde een actiegroep 12.400 handtekeningen.")
	c := newTestCorpus(lib.an, []*article.Article{a})
	q := lib.analyzeQuestion("Waarom gaat de spoedpost in Stadskanaal 's nachts dicht?", c)
	ex, err := lib.examine(context.Background(), c, &q, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := map[int]float64{}
	for _, rc := range ex.cands {
		ctx[rc.sent] = max(ctx[rc.sent], rc.feats[fCtxCov])
	}
	if ctx[0] != 0 {
		t.Errorf("the matching sentence itself has context coverage %.2f, want 0", ctx[0])
	}
	if !(ctx[1] > 0 && ctx[3] > 0 && ctx[1] > ctx[3]) {
		t.Errorf("context coverage after the matching sentence: %.2f (next), %.2f (three on), want both above 0, falling", ctx[1], ctx[3])
	}
	if ctx[5] >= ctx[3] {
		t.Errorf("five sentences on: %.2f, want less than three on (%.2f)", ctx[5], ctx[3])
	}
}
