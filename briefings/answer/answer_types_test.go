package answer

import (
	"slices"
	"testing"
)

// The expected answer type of a which-question comes from the noun that
// heads the phrase after "which", past its modifiers.
func TestWhichFocusHead(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	for _, tt := range []struct {
		q     string
		focus entityKind
		word  string // the focus noun ("" for a place or country noun: no word of its own)
	}{
		{"Which Kremlin spokesman denied the report?", entPerson, "spokesman"},
		{"Welke Belgische oud-premier trad af?", entPerson, "oud-premier"},
		{"Which hospital in Zwolle was attacked?", entOrg, "hospital"},
		{"Which pro-European ruling party won?", entOrg, "party"},
		{"In which town did the fire start?", entPlace, ""},
		{"Which two municipalities merged?", entPlace, "municipalities"},
		{"Welk voorbeeld noemde de minister?", entPhrase, "voorbeeld"},
		{"Welke partijbestuurder maakte het bekend?", entPerson, "partijbestuurder"},
		{"Welke nieuwszender zond het uit?", entOrg, "nieuwszender"},
		{"In welke straat staan de flats?", entPlace, ""},
		{"Which court convicted the man?", entPhrase, "court"}, // courts go by their seat
		// an English head the lists lack counts by its translation, an
		// organisation only: the modifier before it is no focus
		{"Which hacker collective claimed the attack?", entOrg, "collective"},
		{"Which polling station in Oss was the busiest?", entPhrase, "station"},
	} {
		q := lib.analyzeQuestion(tt.q, ix)
		if q.Type != qWhich || q.Focus != tt.focus || q.focusWord != tt.word {
			t.Errorf("%q: got %s focus %d %q, want which focus %d %q", tt.q, q.Type, q.Focus, q.focusWord, tt.focus, tt.word)
		}
	}
}

// Names: initials stay with their surname, a lone initial is no answer, a
// name after a non-name run starts a person of its own, and organisation
// cues beat the default of a person.
func TestEntitySpanKinds(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	q := lib.analyzeQuestion("Who said it?", ix)
	spans := func(text string) map[string]entityKind {
		toks := lib.annotate(&q, text)
		out := map[string]entityKind{}
		for _, c := range lib.entitySpans(toks) {
			out[spanText(toks, c.start, c.end)] = c.kind
		}
		return out
	}
	got := spans("Volgens de krant noemde senator J.D. Vance het plan onaanvaardbaar.")
	if got["J D Vance"] != entPerson || got["J"] != entNone {
		t.Errorf("initials: got %v", got)
	}
	got = spans("De woordvoerder van het Kremlin Dmitri Peskov ontkende het bericht.")
	if got["Dmitri Peskov"] != entPerson {
		t.Errorf("inner first name: got %v", got)
	}
	// a role title before two capitalised words: a person, known first
	// name or not
	got = spans("De criminelen eisen geld. Burgemeester Annemiek Hoogland zegt dat de gemeente niet betaalt.")
	if got["Burgemeester Annemiek Hoogland"] != entPerson {
		t.Errorf("role title before a name: got %v", got)
	}
	got = spans("De gegevens zijn gestolen bij het Oosterziekenhuis in Zwolle.")
	if got["Oosterziekenhuis"] != entOrg {
		t.Errorf("organisation after het: got %v", got)
	}
	got = spans("Het onderzoek van de Stichting Open Data Noord kwam maandag uit.")
	if got["Stichting Open Data Noord"] != entOrg {
		t.Errorf("organisation noun in the name: got %v", got)
	}
}

// The spelled-out name of an acronym in the question is the question's own
// words, no answer.
func TestExpandsAcronym(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	q := lib.analyzeQuestion("Who leads the NDVB?", ix)
	toks := lib.annotate(&q, "De Nationale Dienst Voor Brandweer (NDVB) wordt geleid door Anna de Groot.")
	for _, c := range lib.entitySpans(toks) {
		text := spanText(toks, c.start, c.end)
		if want := text != "Anna de Groot" && text != "NDVB"; expandsAcronym(&q, toks, c) != want {
			t.Errorf("%q: expandsAcronym = %v, want %v", text, !want, want)
		}
	}
}

// A time of day is a date candidate only where it reads as one: beside
// "uur", a clock preposition or a colon, not as a price or a duration.
func TestClockTimes(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	q := lib.analyzeQuestion("Hoe laat begon de wedstrijd?", ix)
	if q.Type != qWhen || !q.Clock {
		t.Fatalf("hoe laat: got %s clock %v, want when asking a time of day", q.Type, q.Clock)
	}
	for _, tt := range []struct {
		q     string
		clock bool
	}{{"What time did the polls open?", true}, {"At what time was the site attacked?", true}, {"When did the polls open?", false}, {"Hoe lang duurde de storing?", false}} {
		if got := lib.analyzeQuestion(tt.q, ix); got.Clock != tt.clock {
			t.Errorf("%q: clock %v, want %v", tt.q, got.Clock, tt.clock)
		}
	}
	for _, tt := range []struct {
		text string
		want []string // the clock times, as spans
	}{
		{"De start werd vervroegd van 10.00 uur naar 9.30 uur.", []string{"10.00 uur", "9.30 uur"}},
		{"De stembureaus gaan om 7.30 open en sluiten om 21:00 uur.", []string{"7.30", "21:00 uur"}},
		{"Om 8 uur stond er al een rij; om 21.15u was het stil.", []string{"8 uur", "21.15u"}},
		{"Het kaartje kost 9.50 euro en binnen 24 uur was alles weg.", nil},
		{"De inflatie kwam uit op 2.30 procent.", nil},
	} {
		toks := lib.annotate(&q, tt.text)
		var got []string
		for _, c := range lib.dateSpans(toks) {
			if isClock(toks, c.start, c.end) {
				got = append(got, spanText(toks, c.start, c.end))
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q: clock times %q, want %q", tt.text, got, tt.want)
		}
	}
}

// "how long" counts time and "how often" times: any time unit, or "ruim
// 9.600 keer", is the unit asked for, and an auxiliary after them ("how
// long did …", "hoe vaak werd …") is no sign of a sum of money. A capital
// does not stop the counted noun from counting: "hoeveel Kamerleden" asks
// for the number before "Kamerleden".
func TestHowLongHowOftenAndCountedNouns(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	for _, tt := range []struct {
		q                      string
		duration, times, money bool
	}{
		{"How long did the man work at ASML?", true, false, false},
		{"Hoe lang moet het minstens 25 graden zijn?", true, false, false},
		{"How much did the company pay?", false, false, true},
		{"Hoeveel zetels haalde de partij?", false, false, false},
		{"Hoe vaak werd het bericht gedeeld?", false, true, false},
		{"How often was the video shared?", false, true, false},
		{"How many times was the video shared?", false, true, false},
		{"Hoeveel keer werd het bericht gedeeld?", false, true, false},
	} {
		q := lib.analyzeQuestion(tt.q, ix)
		if q.Type != qHowMany || q.Duration != tt.duration || q.Times != tt.times || q.Money != tt.money {
			t.Errorf("%q: %s duration %v times %v money %v, want how-many %v %v %v", tt.q, q.Type, q.Duration, q.Times, q.Money, tt.duration, tt.times, tt.money)
		}
	}
	for _, tt := range []struct {
		q, sentence string
		cases       []unitCase
	}{
		{"Hoe lang duurde de hittegolf?", "Het was dertig graden, vijf dagen op rij.",
			[]unitCase{{2, 3, 0, 1}, {4, 5, 1, 0}}}, // "dertig" (graden), "vijf" (dagen)
		{"Hoe vaak werd het bericht gedeeld?", "Het kostte 2.500 euro en werd ruim 9.600 keer gedeeld door 40 mensen.",
			[]unitCase{{2, 4, 0, 1}, {6, 9, 1, 0}, {11, 12, 0, 0}}}, // "2.500 euro", "ruim 9.600 keer", "40"
		{"Hoeveel Kamerleden stemden voor het voorstel?", "Het voorstel kreeg de steun van 78 Kamerleden en kostte 450 miljoen euro.",
			[]unitCase{{6, 7, 1, 0}, {10, 13, 0, 0}}}, // "78" (Kamerleden), "450 miljoen euro"
		// past a modifier when the verb follows the noun after it
		{"How many fraudulent votes were cast?", "Er werden 618 stemmen uitgebracht, door 3 nepaccounts.",
			[]unitCase{{2, 3, 1, 0}, {7, 8, 0, 0}}}, // "618" (stemmen), "3"
		// a number of hours counts hours, not the noun a few words on
		{"Hoeveel patiënten komen er 's nachts?", "Na acht uur moeten patiënten naar Emmen, ruim 1.900 patiënten per jaar.",
			[]unitCase{{1, 3, 0, 1}, {7, 9, 1, 0}}}, // "acht uur", "ruim 1.900" (patiënten)
	} {
		q := lib.analyzeQuestion(tt.q, ix)
		checkUnitFeatures(t, lib.annotate(&q, tt.sentence), &q, tt.cases)
	}
}

// A span cut in the wrong place (ending in a function word), a span of
// function words only, and a bare weekday are marked for the ranker.
func TestSpanShapeFeatures(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	q := lib.analyzeQuestion("Wanneer verscheen de video?", ix)
	toks := lib.annotate(&q, "Maandag verscheen de video waarin ongeveer 3 miljoen mensen op 4 maart keken.")
	for _, tt := range []struct {
		start, end int
		kind       entityKind
		want       map[int]float64
	}{
		{2, 5, entPhrase, map[int]float64{fEndStop: 1, fNoContent: 0, fBareDay: 0}},  // "de video waarin"
		{5, 6, entPhrase, map[int]float64{fEndStop: 1, fNoContent: 1}},               // "ongeveer"
		{5, 8, entNumber, map[int]float64{fEndStop: 0, fNoContent: 0}},               // "ongeveer 3 miljoen"
		{0, 1, entDate, map[int]float64{fBareDay: 1}},                                // "Maandag"
		{10, 12, entDate, map[int]float64{fBareDay: 0, fEndStop: 0, fClockOther: 0}}, // "4 maart"
	} {
		var f [numFeatures]float64
		spanFeatures(&q, toks, candidate{start: tt.start, end: tt.end, kind: tt.kind}, &f)
		for k, v := range tt.want {
			if f[k] != v {
				t.Errorf("%q: %s = %v, want %v", spanText(toks, tt.start, tt.end), FeatureNames()[k], f[k], v)
			}
		}
	}
}

// A focus noun with its complement right before a name marks the name as
// the one asked for: "Woordvoerder van het Kremlin Dmitri Peskov"; not so
// when a role stands right before the name ("van minister Jan Jansen").
func TestFocusComplementBefore(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	q := lib.analyzeQuestion("Which Kremlin spokesman dismissed the sanctions?", ix)
	for _, tt := range []struct {
		sentence   string
		start, end int
		want       float64
	}{
		{"Woordvoerder van het Kremlin Dmitri Peskov noemde de sancties onwettig.", 4, 6, 1},
		{"De woordvoerder van het Kremlin, Dmitri Peskov, noemde de sancties onwettig.", 5, 7, 1},
		{"De woordvoerder sprak. Van het Kremlin kwam Dmitri Peskov.", 6, 8, 0},
		{"De woordvoerder van het Kremlin sprak met Dmitri Peskov.", 7, 9, 0},
		{"De woordvoerder van het ministerie Jan Jansen sprak.", 5, 7, 1},
		// a role before the name: the name is the complement, no spokesman
		{"De woordvoerder van minister Jan Jansen sprak.", 4, 6, 0},
	} {
		toks := lib.annotate(&q, tt.sentence)
		var f [numFeatures]float64
		spanFeatures(&q, toks, candidate{start: tt.start, end: tt.end, kind: entPerson}, &f)
		if f[fFocusNext] != tt.want {
			t.Errorf("%q, %q: focus_next %v, want %v", tt.sentence, spanText(toks, tt.start, tt.end), f[fFocusNext], tt.want)
		}
	}
}

// A span of nothing but a preposition or a common verb form is no answer.
func TestBreakerHasNoContent(t *testing.T) {
	lib := newTestLibrarian(t)
	q := lib.analyzeQuestion("Which court sentenced the gang?", nil)
	toks := lib.annotate(&q, "De bende kwam volgens de rechtbank uit Utrecht.")
	for _, c := range []candidate{{start: 2, end: 3, kind: entPhrase}, {start: 3, end: 4, kind: entPhrase}} {
		var f [numFeatures]float64
		spanFeatures(&q, toks, c, &f)
		if f[fNoContent] != 1 {
			t.Errorf("%q: no_content %v, want 1", spanText(toks, c.start, c.end), f[fNoContent])
		}
	}
}

// A what-question that names a measure asks for a number; any other
// what-question asks for a thing, and a number fits it poorly.
func TestWhatMeasureAsksForNumber(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	for _, tt := range []struct {
		q    string
		want qType
	}{
		{"What was the inflation rate in February?", qHowMany},
		{"Wat was de omzet van het bedrijf?", qHowMany},
		{"What did the archaeologists find near the canoe?", qWhat},
	} {
		if q := lib.analyzeQuestion(tt.q, ix); q.Type != tt.want {
			t.Errorf("%q: type %s, want %s", tt.q, q.Type, tt.want)
		}
	}
	q := lib.analyzeQuestion("What did the archaeologists find near the canoe?", ix)
	if num, phrase := kindFit(&q, entNumber), kindFit(&q, entPhrase); num >= phrase/2 {
		t.Errorf("what-question: number fit %.2f, want well under a phrase's %.2f", num, phrase)
	}
}

// A which-question whose focus noun names a thing, not a person or a role,
// is rarely answered by a person; one whose focus is a role is.
func TestWhichThingFitsNoPerson(t *testing.T) {
	lib := newTestLibrarian(t)
	for _, tt := range []struct {
		q      string
		person bool // a person fits better than a place, or worse
	}{
		{"Which polling station in Oss was the busiest?", false},
		{"Welke woordvoerder reageerde op het onderzoek?", true},
	} {
		q := lib.analyzeQuestion(tt.q, nil)
		person, place := kindFit(&q, entPerson), kindFit(&q, entPlace)
		if (tt.person && person <= place) || (!tt.person && person >= place) {
			t.Errorf("%q: person fit %.2f, place fit %.2f; want the person ahead: %v", tt.q, person, place, tt.person)
		}
	}
}

// A what-question's own candidates are its phrases: the names and numbers
// of the sentence come too, but not as found for the question's type.
func TestWhatQuestionTypesOnlyPhrases(t *testing.T) {
	lib := newTestLibrarian(t)
	q := lib.analyzeQuestion("Wat vonden de archeologen?", nil)
	toks := lib.annotate(&q, "Op 2 april vonden de archeologen op zo'n 200 meter afstand een peddel van Jan Jansen.")
	var numbers, names int
	for _, c := range lib.allCandidates(&q, toks, nil) {
		switch {
		case c.kind == entNumber || c.kind == entDate:
			numbers++
		case c.kind == entPerson:
			names++
		default:
			continue
		}
		if c.typed {
			t.Errorf("%q (%v) is typed for a what-question", spanText(toks, c.start, c.end), c.kind)
		}
	}
	if numbers == 0 || names == 0 {
		t.Errorf("numbers %d, names %d: want the sentence's numbers and names among the candidates", numbers, names)
	}
}

// A question for a name asks for any name, of the kind its noun names when
// the lexicon knows it; the frame's own words ("name", "called", "heet")
// are not looked for.
func TestNamingQuestions(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	for _, tt := range []struct {
		q     string
		focus entityKind
		word  string
	}{
		{"What is the name of the app that spreads the rumours?", entName, "app"},
		{"What is the spyware found on the phones called?", entName, "spyware"},
		{"What does the gang behind the attack call itself?", entName, "gang"},
		{"Hoe heet de schaatstocht die weer doorging?", entName, "schaatstocht"},
		{"Hoe heet de 52-jarige man die is aangehouden?", entPerson, "man"},
		{"Wat is de naam van de partij die won?", entOrg, "partij"},
		{"Hoe noemt de hackersgroep zich?", entOrg, "hackersgroep"},
	} {
		q := lib.analyzeQuestion(tt.q, ix)
		if q.Type != qWhich || q.Focus != tt.focus || q.focusWord != tt.word {
			t.Errorf("%q: %s focus %v %q, want which focus %v %q", tt.q, q.Type, q.Focus, q.focusWord, tt.focus, tt.word)
		}
		for _, g := range q.Groups {
			if f := g.Label; f == "name" || f == "naam" || f == "called" || f == "heet" || f == "noemt" {
				t.Errorf("%q: the frame word %q is a group", tt.q, f)
			}
		}
	}
	// not a question for a name
	for _, s := range []string{"What is the name change about?", "Hoe noemt de minister het plan?"} {
		if q := lib.analyzeQuestion(s, ix); q.Type == qWhich && q.Focus == entName {
			t.Errorf("%q: read as a question for a name", s)
		}
	}
}

// A focus noun that opens the span before a name makes it the kind asked
// for ("rechtbank Gelderland" for "which court"); a compound of it
// ("sterrenbeeld Draak" for "what kind of star") or a lone focus noun does
// not, and neither does a role before a person's name, which has its own
// rule.
func TestFocusOpensTheName(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	for _, tt := range []struct {
		q, sentence string
		start, end  int
		kind        entityKind
		want        float64
	}{
		{"Which court stopped the plan?", "Gisteren stopte rechtbank Gelderland het plan.", 2, 4, entPhrase, 1},
		{"Which court stopped the plan?", "Gisteren stopte rechtbank Gelderland het plan.", 3, 4, entPlace, 1}, // beside it
		{"Which court stopped the plan?", "Gisteren stopte de rechtbank het plan.", 3, 4, entPhrase, 0},
		{"What kind of star does the planet orbit?", "De planeet draait om sterrenbeeld Draak heen.", 4, 6, entPhrase, 0},
	} {
		q := lib.analyzeQuestion(tt.q, ix)
		toks := lib.annotate(&q, tt.sentence)
		var f [numFeatures]float64
		spanFeatures(&q, toks, candidate{start: tt.start, end: tt.end, kind: tt.kind}, &f)
		if f[fFocusNext] != tt.want {
			t.Errorf("%q, %q: focus_next %v, want %v", tt.q, spanText(toks, tt.start, tt.end), f[fFocusNext], tt.want)
		}
	}
}
