package answer

import (
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
		word  string // the focus noun, when modifiers precede it
	}{
		{"Which Kremlin spokesman denied the report?", entPerson, "spokesman"},
		{"Welke Belgische oud-premier trad af?", entPerson, "oud-premier"},
		{"Which hospital in Zwolle was attacked?", entOrg, ""},
		{"Which pro-European ruling party won?", entOrg, "party"},
		{"In which town did the fire start?", entPlace, ""},
		{"Which two municipalities merged?", entPlace, "municipalities"},
		{"Welk voorbeeld noemde de minister?", entPhrase, "voorbeeld"},
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
