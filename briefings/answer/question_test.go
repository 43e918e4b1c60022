package answer

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/briefings/article"
)

func TestQuestionAnalysis(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	tests := []struct {
		q       string
		lang    string
		typ     qType
		subject string
	}{
		{"Who fired Krebs?", "en", qWho, ""},
		{"Wie heeft Krebs ontslagen?", "nl", qWho, ""},
		{"Wie is Bert Koenders?", "nl", qWhoIs, "bert koenders"},
		{"Who is Mark de Vries?", "en", qWhoIs, "mark de vries"},
		{"Wie is de premier van België?", "nl", qWho, ""},
		{"When did Trump fire Krebs?", "en", qWhen, ""},
		{"In welk jaar waren de verkiezingen?", "nl", qWhen, ""},
		{"Where did Trump meet Putin?", "en", qWhere, ""},
		{"How many lawsuits did Trump lose?", "en", qHowMany, ""},
		{"Hoeveel rechtszaken verloor Trump?", "nl", qHowMany, ""},
		{"Which countries hacked the election?", "en", qWhich, ""},
		{"Waarom werd Krebs ontslagen?", "nl", qWhy, ""},
		{"Hoe geven stembureaus hun resultaten door?", "nl", qHow, ""},
		{"What did Graham say?", "en", qWhat, ""},
		{"Did Trump fire Krebs?", "en", qYesNo, ""},
		{"En wanneer?", "nl", qWhen, ""},
		// a phrase before the question word
		{"According to the minister, how many votes were lost?", "en", qHowMany, ""},
		{"Volgens de rechter, wie heeft de brief geschreven?", "nl", qWho, ""},
		{"In the final report, what did the committee recommend?", "en", qWhat, ""},
		// the question word left at the end
		{"The new law was the first test of what?", "en", qWhat, ""},
		// focus nouns that ask for a time, an amount or a reason
		{"Binnen welke termijn moeten zij vertrekken?", "nl", qWhen, ""},
		{"In which period was the fraud committed?", "en", qWhen, ""},
		{"Welk bedrag eiste de afperser?", "nl", qHowMany, ""},
		{"What share of the vote did the party get?", "en", qHowMany, ""},
		{"Met welk doel werden de berichten verspreid?", "nl", qWhy, ""},
		{"Op welke manier werd de stem nagemaakt?", "nl", qHow, ""},
		{"Wat is er volgens de onderzoekers nodig om de grutto te helpen?", "nl", qWhat, ""}, // "er": no who-is
		{"What was Mark de Vries's salary?", "en", qHowMany, ""},                             // a thing of his: no who-is
		{"Wat is na de hack verplicht geworden?", "nl", qWhat, ""},                           // a preposition: no who-is
		{"What was turnout at the elections?", "en", qHowMany, ""},                           // a measure: no who-is
		// a question word inside a fronted prepositional phrase
		{"Tijdens de regering van welke vorst zijn de munten gemaakt?", "nl", qWhich, ""},
		{"During the reign of which king was the bridge built?", "en", qWhich, ""},
		{"In what way did the hackers get in?", "en", qHow, ""},
		// Dutch pronominal question words
		{"Waarover ging het gesprek?", "nl", qWhat, ""},
	}
	for _, tt := range tests {
		q := lib.analyzeQuestion(tt.q, ix)
		got := fmt.Sprintf("%s %s %q", q.Lang, q.Type, q.Subject)
		want := fmt.Sprintf("%s %s %q", tt.lang, tt.typ, tt.subject)
		if got != want {
			t.Errorf("%q: got %s, want %s", tt.q, got, want)
		}
	}
}

func TestKindQuestionsTakeTheNounAsFocus(t *testing.T) {
	lib := newTestLibrarian(t)
	tests := []struct {
		q     string
		focus string // "" when the question is no kind question
	}{
		{"What kind of seat went to the wrong party?", "seat"},
		{"Which type of malware was used?", "malware"},
		{"Voor welke vorm van oplichting waarschuwt de bank?", "oplichting"},
		{"Wat voor inhoud brengen de sites naar buiten?", "inhoud"},
		{"Wat voor soort aanval was het?", "aanval"},
		{"Welk soort fraude werd ontdekt?", "fraude"},
		// "kind" is no kind phrase here: no "of" after it, or no noun
		{"What kind words did the mayor use?", ""},
		{"What type of is it?", ""},
		{"Wat voor de rechter kwam, was de brief.", ""},
	}
	for _, tt := range tests {
		q := lib.analyzeQuestion(tt.q, nil)
		if tt.focus == "" {
			if q.Kind {
				t.Errorf("%q: taken for a kind question (focus %q)", tt.q, q.focusWord)
			}
			continue
		}
		if !q.Kind || q.Type != qWhich || q.focusWord != tt.focus {
			t.Errorf("%q: kind %v, type %s, focus %q; want a which-question with focus %q", tt.q, q.Kind, q.Type, q.focusWord, tt.focus)
		}
		for _, g := range q.Groups {
			if kindWords[strings.ToLower(g.Label)] {
				t.Errorf("%q: the kind word %q became a term group", tt.q, g.Label)
			}
		}
	}
}

func TestNameVariantsMatchDutchSpelling(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	got := lib.nameVariants("putin", ix)
	if diff := cmp.Diff(got, []string{"poetin"}); diff != "" {
		t.Errorf("variants of putin in the sample index (-got +want):\n%s", diff)
	}
	all := lib.nameVariants("prigozhin", nil)
	found := false
	for _, v := range all {
		if v == lib.an.Stem("prigozjin") {
			found = true
		}
	}
	if !found {
		t.Errorf("variants of prigozhin %v lack prigozjin", all)
	}
}

// A number spelled out in a question meets the article's digits and number
// words alike, in either language; "one"/"een" stays an ordinary word.
func TestSpelledNumbersMeetDigits(t *testing.T) {
	lib := newTestLibrarian(t)
	for _, tt := range []struct {
		q, word string
		want    []string // stems the group must hold
	}{
		{"Which two parties urged the minister to act?", "two", []string{"2", "twee"}},
		{"Wie tekende het verdrag met drie landen?", "drie", []string{"3", "drie", "three"}},
		{"How many of the seventeen diplomats left?", "seventeen", []string{"17", "zeventien"}},
	} {
		q := lib.analyzeQuestion(tt.q, nil)
		found := false
		for _, g := range q.Groups {
			if g.Label != tt.word {
				continue
			}
			found = true
			if !g.Number {
				t.Errorf("%q: group %q is not a number", tt.q, g.Label)
			}
			for _, st := range tt.want {
				if !slices.Contains(g.Stems, st) {
					t.Errorf("%q: group %q stems %v lack %q", tt.q, g.Label, g.Stems, st)
				}
			}
		}
		if !found {
			t.Errorf("%q: no group for %q", tt.q, tt.word)
		}
	}
	q := lib.analyzeQuestion("Which one of the ministers resigned?", nil)
	for _, g := range q.Groups {
		if g.Number {
			t.Errorf("%q: %q made a number group", q.Text, g.Label)
		}
	}
}

// The question's words on either side of the question phrase, where the
// answer stands in a sentence; "ten" in a Dutch question is a preposition,
// not a number.
func TestQuestionSlots(t *testing.T) {
	lib := newTestLibrarian(t)
	label := func(q question, g int) string {
		if g < 0 {
			return ""
		}
		return q.Groups[g].Label
	}
	for _, tt := range []struct{ q, left, right string }{
		{"Who fired Krebs?", "", "fired"},
		{"The 2023 Slovak elections were described as the first test of what?", "test", ""},
		{"Wie heeft Krebs ontslagen?", "", "Krebs"},
		{"Which Kremlin spokesman dismissed the sanctions?", "", "dismissed"},
	} {
		q := lib.analyzeQuestion(tt.q, nil)
		if l, r := label(q, q.slotLeft), label(q, q.slotRight); l != tt.left || r != tt.right {
			t.Errorf("%q: slots %q, %q; want %q, %q", tt.q, l, r, tt.left, tt.right)
		}
	}
	q := lib.analyzeQuestion("Hoeveel kandidaten werden ten onrechte verkozen?", nil)
	for _, g := range q.Groups {
		if g.Number || g.Label == "ten" {
			t.Errorf("%q: %q made a group (number %v)", q.Text, g.Label, g.Number)
		}
	}
}

// A hyphenated word the articles lack is asked for by its parts; one they
// have stays whole.
func TestHyphenatedWordsByParts(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, []*article.Article{
		{ID: "t1", Title: "Referendum", Sentences: []article.Sentence{
			{Text: "Voor het referendum over Oekraïne waren 8.379 stembureaus ingericht."},
			{Text: "De EU-wet geldt sinds vorig jaar."},
		}},
	})
	labels := func(q string) []string {
		var out []string
		for _, g := range lib.analyzeQuestion(q, ix).Groups {
			out = append(out, g.Label)
		}
		return out
	}
	if got := labels("Hoeveel stembureaus waren er voor het Oekraïne-referendum?"); !slices.Contains(got, "Oekraïne") || !slices.Contains(got, "referendum") {
		t.Errorf("groups %q; want Oekraïne and referendum as groups of their own", got)
	}
	if got := labels("Sinds wanneer geldt de EU-wet?"); !slices.Contains(got, "EU-wet") {
		t.Errorf("groups %q; want EU-wet whole, as the article has it", got)
	}
	// an English prefix is no word of its own
	if got := labels("Which link is the province co-financing?"); slices.Contains(got, "co") || !slices.Contains(got, "financing") {
		t.Errorf("groups %q; want financing without co", got)
	}
}

// A "name" longer than any real one is spelled only as written: respelling
// costs its length for every variant (a 30,000-letter word took 14 s).
func TestNameVariantsSkipOverlongWords(t *testing.T) {
	lib := newTestLibrarian(t)
	long := strings.Repeat("prigozhinyu", 20)
	if got := lib.nameVariants(long, nil); len(got) != 1 || got[0] != lib.an.Stem(long) {
		t.Errorf("variants of a %d-letter word: %d; want only the word itself", len(long), len(got))
	}
	if got := lib.nameVariants("prigozhin", nil); len(got) < 2 {
		t.Errorf("variants of prigozhin: %v; want its Dutch spellings as well", got)
	}
}

// A who-question's predicate meets the agent noun ("led" the
// "onderzoeksleider"), and never a name that looks like the verb (the city
// of Leiden).
func TestWhoPredicateMeetsAgentNounNotNames(t *testing.T) {
	lib := newTestLibrarian(t)
	q := lib.analyzeQuestion("Who led the research into the fake accounts?", nil)
	pred := -1
	for i, g := range q.Groups {
		if g.Verb {
			pred = i
		}
	}
	if pred < 0 {
		t.Fatalf("no predicate in %+v", q.Groups)
	}
	tests := []struct {
		sentence string
		word     string
		want     bool
	}{
		{"\"Het is een netwerk,\" zegt onderzoeksleider Maarten Oosterhuis.", "onderzoeksleider", true},
		{"Het onderzoek werd geleid door Maarten Oosterhuis.", "geleid", true},
		{"Hoogleraar Femke Dijkstra van de Universiteit Leiden noemt het zorgelijk.", "Leiden", false},
		{"Leiden noemt het zorgelijk.", "Leiden", true}, // first word: capitalised anyway
	}
	for _, tt := range tests {
		toks := lib.annotate(&q, tt.sentence)
		found := false
		for _, tk := range toks {
			if tk.Text == tt.word {
				found = true
				if got := tk.inGroup(pred); got != tt.want {
					t.Errorf("%q: %q meets the predicate %v, want %v", tt.sentence, tt.word, got, tt.want)
				}
			}
		}
		if !found {
			t.Errorf("%q: no word %q", tt.sentence, tt.word)
		}
	}
	// other question types keep the verb as it is
	if q := lib.analyzeQuestion("When did the team lead the research?", nil); slices.ContainsFunc(q.Groups, func(g TermGroup) bool { return slices.Contains(g.Stems, "leider") }) {
		t.Errorf("a when-question's predicate meets agent nouns: %+v", q.Groups)
	}
}

// A who-question that asks for a role in other words ("namens", "staat
// aan het hoofd van", "chairs") asks for a person beside the role's noun.
func TestRolePhrasesAskForTheRole(t *testing.T) {
	lib := newTestLibrarian(t)
	tests := []struct {
		q     string
		focus string   // the role group's label, "" for none
		gone  []string // words that must not be groups of their own
	}{
		{"Wie reageerde namens de gemeente op de berichten?", "woordvoerder", []string{"namens"}},
		{"Who spoke on behalf of the ministry?", "woordvoerder", []string{"behalf"}},
		{"Wie voert het woord voor het familiebedrijf?", "woordvoerder", []string{"voert", "woord"}},
		{"Wie staat aan het hoofd van de stichting?", "directeur", []string{"staat", "hoofd"}},
		{"Who chairs the new party?", "directeur", nil},
		// a role the question names itself, and no role at all
		{"Who is the mayor of Utrecht?", "", nil},
		{"Wie heeft Krebs ontslagen?", "", nil},
		// not a who-question: no role is asked for
		{"Wanneer reageerde de gemeente namens het college?", "", nil},
	}
	for _, tt := range tests {
		q := lib.analyzeQuestion(tt.q, nil)
		got := ""
		if q.focus >= 0 && (slices.Contains(headNouns, q.focusWord) || slices.Contains(spokesNouns, q.focusWord)) {
			got = q.Groups[q.focus].Label
		}
		if got != tt.focus {
			t.Errorf("%q: role %q, want %q", tt.q, got, tt.focus)
		}
		for _, g := range q.Groups {
			if slices.Contains(tt.gone, strings.ToLower(g.Label)) {
				t.Errorf("%q: %q is a group of its own", tt.q, g.Label)
			}
		}
	}
}

func TestWhatIsTheDateAsksWhen(t *testing.T) {
	lib := newTestLibrarian(t)
	for _, tt := range []struct {
		q   string
		typ qType
	}{
		{"Wat is de uiterste datum waarop je een stempas kunt aanvragen?", qWhen},
		{"What was the exact date of the recount?", qWhen},
		{"What was the winning time in the 1,500 metres?", qHowMany}, // a race time, a measure
		{"What happened on the day of the election?", qWhat},
	} {
		if q := lib.analyzeQuestion(tt.q, nil); q.Type != tt.typ {
			t.Errorf("%q: type %s, want %s", tt.q, q.Type, tt.typ)
		}
	}
}

// A which-question's noun is its focus, never its predicate: the predicate
// is the next plain word.
func TestWhichFocusIsNoPredicate(t *testing.T) {
	lib := newTestLibrarian(t)
	for _, tt := range []struct {
		q, focus, pred string
		kind           entityKind
	}{
		{"Which body examined the fake audio?", "", "examined", entOrg}, // "body" only says: an organisation
		{"Which hospital was attacked?", "hospital", "attacked", entOrg},
		{"Which Kremlin spokesman dismissed the sanctions?", "spokesman", "dismissed", entPerson},
		{"Welk museum heeft het schilderij aangekocht?", "museum", "aangekocht", entOrg},
		{"Which country's elections were targeted before?", "", "targeted", entCountry},
	} {
		q := lib.analyzeQuestion(tt.q, nil)
		pred := ""
		for _, g := range q.Groups {
			if g.Verb {
				pred = g.Label
			}
		}
		if q.focusWord != tt.focus || pred != tt.pred || q.Focus != tt.kind {
			t.Errorf("%q: focus %q, predicate %q, kind %v; want %q, %q, %v", tt.q, q.focusWord, pred, q.Focus, tt.focus, tt.pred, tt.kind)
		}
	}
	// a capitalised type noun is no name the sentence must hold
	q := lib.analyzeQuestion("Bij welke Bundesligaclub gaat de spits spelen?", nil)
	if q.focus < 0 || q.Groups[q.focus].Name {
		t.Errorf("Bundesligaclub: focus %d, groups %+v; want a focus that is no name", q.focus, q.Groups)
	}
}

// A who-question's role noun is its focus: past modifiers after "who is
// the", and after as/als.
func TestWhoRoleFocus(t *testing.T) {
	lib := newTestLibrarian(t)
	for _, tt := range []struct{ q, focus string }{
		{"Who is the Belgian Justice minister who reacted to the findings?", "minister"},
		{"Who is the mayor of Utrecht?", "mayor"},
		{"Who, as mayor of Oss, described election day as calm?", "mayor"},
		{"Wie reageerde als woordvoerder van BZK op het onderzoek?", "woordvoerder"},
		{"Who fired Krebs?", ""},
		{"Who described the day as calm?", ""}, // "calm" is no role
	} {
		if q := lib.analyzeQuestion(tt.q, nil); q.focusWord != tt.focus {
			t.Errorf("%q: focus %q, want %q", tt.q, q.focusWord, tt.focus)
		}
	}
}

// An English what/which-question with do-support after its noun phrase
// has its predicate at the end of the clause.
func TestWhatNounThenAuxiliary(t *testing.T) {
	lib := newTestLibrarian(t)
	for _, tt := range []struct{ q, pred string }{
		{"What weather warning level had the institute issued for the north?", "issued"},
		{"Which party were the two candidates actually running for?", "running for"}, // a lexicon expression
		{"When does the flu vaccination start?", "start"},
		{"Where were ambulances sent while the room was closed?", "sent"},
		{"How many bogus news websites did Viginum and Open Bron Lab uncover?", "uncover"},
		{"How are the attackers thought to have gained access to the network?", "gained access"}, // a lexicon expression
		{"After the researchers flagged the campaign, how many profiles did the platform remove?", "remove"},
		{"When did Trump fire Krebs?", "fire"},
		{"In which city is the marketing firm tied to the bot network located?", "located"},
		{"Which provincial executive commented on the deal?", "commented"},
	} {
		q := lib.analyzeQuestion(tt.q, nil)
		pred := ""
		for _, g := range q.Groups {
			if g.Verb {
				pred = g.Label
			}
		}
		if pred != tt.pred {
			t.Errorf("%q: predicate %q, want %q", tt.q, pred, tt.pred)
		}
	}
}

// English auxiliaries are no words to look for, and a possessive which-noun
// is the focus.
func TestEnglishAuxiliariesAndPossessiveFocus(t *testing.T) {
	lib := newTestLibrarian(t)
	q := lib.analyzeQuestion("From what date will cars be unable to use the bridge?", nil)
	for _, g := range q.Groups {
		if g.Label == "will" || g.Label == "be" {
			t.Errorf("the auxiliary %q is a group", g.Label)
		}
	}
	q = lib.analyzeQuestion("Which politician's voice was imitated in the recording?", nil)
	if q.focus < 0 || q.Groups[q.focus].Label != "politician's" || q.Groups[q.focus].Verb {
		t.Errorf("focus %d in %+v; want politician's, no predicate", q.focus, q.Groups)
	}
}

// The source after "volgens" is no predicate.
func TestVolgensSourceIsNoPredicate(t *testing.T) {
	lib := newTestLibrarian(t)
	q := lib.analyzeQuestion("Wat is er volgens de onderzoekers nodig om de grutto te helpen?", nil)
	for _, g := range q.Groups {
		if g.Verb && g.Label != "nodig" {
			t.Errorf("predicate %q, want nodig", g.Label)
		}
	}
}

// A preposition that opens a Dutch question is a word like any other, not a
// name because it is capitalised; a name that opens one stays a name.
func TestOpeningPrepositionIsNoName(t *testing.T) {
	lib := newTestLibrarian(t)
	for _, tt := range []struct {
		question, word string
		name           bool
	}{
		{"Vanuit welke stad werden de betalingen geregeld?", "Vanuit", false},
		{"Binnen welke termijn moeten de diplomaten vertrekken?", "Binnen", false},
		{"Tijdens welke storm viel de stroom uit?", "Tijdens", false},
		{"Rutte zei wat over de verkiezingen?", "Rutte", true},
	} {
		q := lib.analyzeQuestion(tt.question, nil)
		i := slices.IndexFunc(q.Groups, func(g TermGroup) bool { return g.Label == tt.word })
		if i < 0 {
			t.Errorf("%q: no group %q in %+v", tt.question, tt.word, q.Groups)
			continue
		}
		if q.Groups[i].Name != tt.name {
			t.Errorf("%q: group %q name %v, want %v", tt.question, tt.word, q.Groups[i].Name, tt.name)
		}
	}
}

// An English which-phrase whose words no list knows has its head before the
// verb: the last noun, not the first modifier.
func TestEnglishWhichHead(t *testing.T) {
	lib := newTestLibrarian(t)
	for _, tt := range []struct{ question, focus string }{
		{"Which hacking gang was behind the attack?", "gang"},
		{"Which Twitter account posted the video?", "account"},
		{"Which pro-Russian ruling party claimed victory?", "party"},
		{"Which Dutch runner won the race?", "runner"},
		{"Which polling station in Oss was the busiest?", "station"},
		{"Which tree charity wants to cut the forest?", "charity"},
		{"Which newspaper reported the leak?", "newspaper"},
	} {
		q := lib.analyzeQuestion(tt.question, nil)
		if q.focusWord != tt.focus {
			t.Errorf("%q: focus %q, want %q", tt.question, q.focusWord, tt.focus)
		}
		if q.focus < 0 {
			t.Errorf("%q: focus %q has no group in %+v", tt.question, q.focusWord, q.Groups)
		}
	}
}

// The lexicon knows irregular English past forms by their lines, and not
// the nouns that share a verb's line.
func TestEnglishPastForms(t *testing.T) {
	lib := newTestLibrarian(t)
	for w, want := range map[string]bool{"said": true, "won": true, "bought": true, "told": true,
		"winner": false, "says": false, "place": false, "party": false, "station": false} {
		if got := lib.lex.enPast[w]; got != want {
			t.Errorf("enPast[%q] = %v, want %v", w, got, want)
		}
	}
}

// A Dutch which-phrase has its head past numbers and adjectives of origin,
// and a compound head split into groups is the focus by its last part.
func TestDutchWhichHead(t *testing.T) {
	lib := newTestLibrarian(t)
	for _, tt := range []struct{ question, focus string }{
		{"Welke twee stemhulpsites werden bestookt?", "stemhulpsites"},
		{"Welke Russische hackersgroep eiste de aanval op?", "hackersgroep"},
		{"Welke 3 verdachten zijn aangehouden?", "verdachten"},
		{"Welke bende maakte de slachtoffers?", "bende"},
	} {
		if q := lib.analyzeQuestion(tt.question, nil); q.focusWord != tt.focus {
			t.Errorf("%q: focus %q, want %q", tt.question, q.focusWord, tt.focus)
		}
	}
}

// A which-question whose focus noun is a measure asks for a number.
func TestWhichMeasureAsksForANumber(t *testing.T) {
	lib := newTestLibrarian(t)
	for _, question := range []string{"Welke opkomst verwacht het peilingbureau?", "Welke temperatuur werd gemeten?"} {
		if q := lib.analyzeQuestion(question, nil); q.Type != qHowMany {
			t.Errorf("%q: type %s, want how-many", question, q.Type)
		}
	}
	if q := lib.analyzeQuestion("Welke partij won de verkiezingen?", nil); q.Type != qWhich {
		t.Errorf("a party: type %s, want which", q.Type)
	}
}

// An adjective of origin in a Dutch question looks for its place
// ("Emmense" ~ "Emmen", "Drentse" ~ "Zuidoost-Drenthe"); a Dutch
// question's first word is no name when the lexicon knows it.
func TestPlaceAdjectivesAndFirstWords(t *testing.T) {
	lib := newTestLibrarian(t)
	a := sentenceArticle("emmen.txt", "Dreigbrieven in Emmen",
		"De politie in Emmen heeft een man opgepakt.",
		"Dat meldt de Huisartsencoöperatie Zuidoost-Drenthe.")
	ix := newTestCorpus(lib.an, []*article.Article{a})
	q := lib.analyzeQuestion("Wie schreef de dreigbrieven aan Emmense kandidaten?", ix)
	toks := lib.annotate(&q, a.Sentences[0].Text)
	if !slices.ContainsFunc(toks, func(tk tok) bool { return tk.Text == "Emmen" && tk.group >= 0 && q.Groups[tk.group].Label == "Emmense" }) {
		t.Error(`"Emmense" does not meet "Emmen"`)
	}
	q = lib.analyzeQuestion("Wie leidt de Drentse huisartsencoöperatie?", ix)
	toks = lib.annotate(&q, a.Sentences[1].Text)
	if !slices.ContainsFunc(toks, func(tk tok) bool { return tk.Text == "Zuidoost-Drenthe" && tk.group >= 0 }) {
		t.Error(`"Drentse" does not meet "Zuidoost-Drenthe"`)
	}
	for _, tt := range []struct {
		q     string
		first string
		name  bool
	}{
		{"Uiterlijk wanneer moeten de medewerkers werken?", "Uiterlijk", false},
		{"Rotterdam kreeg welke prijs?", "Rotterdam", true},
	} {
		q := lib.analyzeQuestion(tt.q, ix)
		for _, g := range q.Groups {
			if g.Label == tt.first && g.Name != tt.name {
				t.Errorf("%q: %q is a name %v, want %v", tt.q, tt.first, g.Name, tt.name)
			}
		}
	}
	if got := placesOfAdjective("antwerpse"); !slices.Contains(got, "antwerpen") {
		t.Errorf("antwerpse: %q lacks antwerpen", got)
	}
	if got := placesOfAdjective("se"); got != nil {
		t.Errorf("se: %q, want none", got)
	}
}
