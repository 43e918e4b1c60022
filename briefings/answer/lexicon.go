package answer

import (
	"bufio"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/briefbot/briefbot/briefings/analysis"
)

// lexiconFiles holds the project's hand-written bilingual lexicon and
// gazetteers (see lexicon/README.md for the formats).
//
//go:embed lexicon
var lexiconFiles embed.FS

// Lexicon maps English question words to the Dutch words articles use, and
// knows the names of countries, places, organisations, roles and numbers. It
// is read-only after construction and safe for concurrent use.
type Lexicon struct {
	// en maps a folded English form ("fired", "cyber security") to the
	// folded Dutch forms of its concept.
	en map[string][]string
	// nl maps a folded Dutch form to all forms of its concept, so Dutch
	// questions match other inflections ("stuurde" ~ "gestuurd").
	nl map[string][]string
	// maxPhrase is the longest English expression, in words.
	maxPhrase int

	countries  map[string]string // folded Dutch or English name or demonym -> Dutch country name
	countryAdj map[string]bool   // folded demonym adjectives ("amerikaanse")
	places     map[string]bool   // folded place names
	orgs       map[string]bool   // folded organisation names
	orgHeads   map[string]bool   // folded nouns that mark an organisation ("partij")
	// acronyms maps an organisation's acronym and the words of its names
	// (folded) to the acronym and the words of each name: "bzk" and
	// "binnenlandse" lead to {bzk, [ministerie binnenlandse zaken]}
	acronyms   map[string][]acronymDef
	firstNames map[string]bool  // folded given names
	roles      map[string]bool  // folded role nouns, Dutch and English
	months     map[string]int   // folded month names and abbreviations -> 1..12
	weekdays   map[string]bool  // folded weekday names
	numbers    map[string]int64 // folded number words -> value
	// numberWords lists, per value, the number words that write it
	// ("twee", "two"), for questions that spell a number out.
	numberWords map[int64][]string
	numMods     map[string]bool // folded quantity modifiers ("ruim", "bijna")
	// enPast are irregular English past forms of the lexicon's verbs
	// ("said", "won"), where a question's noun phrase ends
	enPast map[string]bool
	// preps maps a folded preposition, English or Dutch, to the Dutch
	// ones that stand before the answer to a question it governs
	// (prepositions.tsv)
	preps map[string][]string
	// focus maps each section of focus.txt (focusSections) to its nouns:
	// the kind of answer a noun after which/what asks for
	focus map[string]map[string]bool
	// enFirst are the first forms of the English lines (a concept's
	// lemma), needed only while reading: a past form that is some other
	// line's lemma ("place", "control") is a noun
	enFirst map[string]bool
	// classes maps a section of boundaries.txt or classes.txt
	// (classSections) to its folded words
	classes map[string]map[string]bool

	// dict is a second English -> Dutch source (FreeDict, when installed),
	// asked only for words the hand-written lexicon lacks.
	dict map[string][]string

	// longRoles are the roles of five bytes or more and maxRoleLen the
	// longest, for endsWithRole's suffix look-ups.
	longRoles  map[string]bool
	maxRoleLen int
	// numPrefixes are the first three bytes of the number words of three
	// bytes or more, and maxNumberLen the longest, for isNumeral.
	numPrefixes  map[string]bool
	maxNumberLen int
	// words maps every word of the lists wordClass covers, and every stop
	// word, to its class and its stem.
	words map[string]lexWord
}

// lexWord is what annotating a sentence needs to know of a folded word
// besides the question: its class and its stem (Analyzer.Stem).
type lexWord struct {
	class wordClass
	stem  string
}

// wordClass is what the lexicon and the span finders' word lists say of a
// folded word, found with one look-up (Lexicon.classOf) instead of one per
// list: the finders ask it of every word of every examined sentence.
type wordClass uint32

const (
	wSpeech         wordClass = 1 << iota // speechVerbs
	wWeakPrep                             // classes.txt: weak
	wPlacePrep                            // classes.txt: place
	wReason                               // classes.txt: reason
	wSource                               // classes.txt: source
	wManner                               // classes.txt: manner
	wJoiner                               // nameJoiners
	wAux                                  // auxWords
	wCopula                               // copulas
	wNPInner                              // classes.txt: npinner
	wUnit                                 // classes.txt: units
	wCurrency                             // classes.txt: currencies
	wRelDate                              // classes.txt: reldates
	wRelDateHead                          // classes.txt: reldateheads
	wRelDateMod                           // classes.txt: reldatemods
	wNotNumber                            // classes.txt: notnumbers
	wApposLink                            // classes.txt: appositions
	wMonth                                // months, with a month number
	wWeekday                              // weekdays
	wCountryAdj                           // countryAdj
	wFirstName                            // firstNames
	wRole                                 // roles
	wOrgHead                              // orgHeads
	wNumber                               // numbers
	wNumMod                               // numMods
	wStop                                 // a stop word (IsStopword)
	wRunBreaker                           // boundaries.txt: breakers (end a run of content words)
	wPhraseOpener                         // boundaries.txt: openers (open a noun phrase)
	wComplementPrep                       // boundaries.txt: complements (open a noun's complement)
	wChainedPrep                          // boundaries.txt: chained (a complement after a complement)
	wClauseOpener                         // boundaries.txt: clauses (open a clause)
)

// classSections are the sections of boundaries.txt and classes.txt and
// the word classes they set.
var classSections = map[string]wordClass{"breakers": wRunBreaker, "openers": wPhraseOpener,
	"complements": wComplementPrep, "chained": wChainedPrep, "clauses": wClauseOpener,
	"weak": wWeakPrep, "place": wPlacePrep, "reason": wReason, "source": wSource, "manner": wManner,
	"npinner": wNPInner, "units": wUnit, "currencies": wCurrency, "reldates": wRelDate,
	"reldateheads": wRelDateHead, "reldatemods": wRelDateMod, "notnumbers": wNotNumber,
	"appositions": wApposLink}

// classOf is the class of folded word f.
func (lx *Lexicon) classOf(f string) wordClass {
	if lx.words == nil {
		return lx.lookUpClass(f) // a lexicon not made by LoadLexicon
	}
	return lx.words[f].class
}

// word returns f's class and, when the lexicon knows the word, its stem
// as Analyzer.Stem gives it (ok false: the caller stems f).
func (lx *Lexicon) word(f string) (info lexWord, ok bool) {
	if lx.words == nil {
		return lexWord{class: lx.lookUpClass(f)}, false
	}
	info, ok = lx.words[f]
	return info, ok
}

// lookUpClass finds f's class in the lists themselves.
func (lx *Lexicon) lookUpClass(f string) wordClass {
	var c wordClass
	set := func(bit wordClass, in bool) {
		if in {
			c |= bit
		}
	}
	set(wSpeech, speechVerbs[f])
	set(wJoiner, nameJoiners[f])
	set(wAux, auxWords[f])
	set(wCopula, copulas[f])
	set(wMonth, lx.months[f] > 0)
	set(wWeekday, lx.weekdays[f])
	set(wCountryAdj, lx.countryAdj[f])
	set(wFirstName, lx.firstNames[f])
	set(wRole, lx.roles[f])
	set(wOrgHead, lx.orgHeads[f])
	_, number := lx.numbers[f]
	set(wNumber, number)
	set(wNumMod, lx.numMods[f])
	set(wStop, analysis.IsStopword(f))
	for section, bit := range classSections {
		set(bit, lx.classes[section][f])
	}
	return c
}

// indexWords fills lx.words: every word of the lists and every stop word,
// with its class and stem.
func (lx *Lexicon) indexWords() {
	lx.words = map[string]lexWord{}
	for _, m := range []map[string]bool{speechVerbs, nameJoiners, auxWords, copulas, lx.weekdays, lx.countryAdj, lx.firstNames, lx.roles, lx.orgHeads, lx.numMods} {
		for w := range m {
			lx.words[w] = lexWord{}
		}
	}
	for w := range analysis.Stopwords() {
		lx.words[w] = lexWord{}
	}
	for w := range lx.months {
		lx.words[w] = lexWord{}
	}
	for _, m := range lx.classes {
		for w := range m {
			lx.words[w] = lexWord{}
		}
	}
	for w := range lx.numbers {
		lx.words[w] = lexWord{}
	}
	an := analysis.NewBuiltin()
	for w := range lx.words {
		lx.words[w] = lexWord{class: lx.lookUpClass(w), stem: an.Stem(w)}
	}
}

// translate returns the Dutch forms of a folded English word: from the
// lexicon, or else from the installed dictionary, trying the word's base
// forms ("fired" -> "fire"); the first one the dictionary knows wins.
func (lx *Lexicon) translate(f string) ([]string, bool) {
	if nl, ok := lx.en[f]; ok {
		return nl, true
	}
	// an inflection the lexicon does not list ("reaching", "vows"): its
	// base form, in the lexicon first, then in FreeDict
	bases := englishBases(f)
	for _, base := range bases[1:] {
		if nl, ok := lx.en[base]; ok {
			return nl, true
		}
	}
	for _, base := range bases {
		if nl, ok := lx.dict[base]; ok {
			return nl, true
		}
	}
	return nil, false
}

// englishBases lists a word and the base forms its English inflection
// suggests, likeliest first: "fired" -> fired, fire, fir.
func englishBases(f string) []string {
	out := []string{f}
	// "d" before "ed": "fired" is "fire" (not "fir"), "worked" falls through to "work"
	for _, suf := range []string{"ies", "ied", "s", "es", "d", "ed", "ing"} {
		if stem, ok := strings.CutSuffix(f, suf); ok && len(stem) >= 3 {
			switch suf {
			case "ies", "ied":
				out = append(out, stem+"y")
			case "ing":
				out = append(out, stem, stem+"e")
			default:
				out = append(out, stem)
			}
		}
	}
	return out
}

// LoadLexicon reads the lexicon embedded in the binary. extra, when not nil,
// is read after it with the same file names (en-nl.tsv and so on) and adds to
// it, so a newsroom can extend the lexicon without rebuilding.
func LoadLexicon(extra fs.FS) (*Lexicon, error) {
	lx := &Lexicon{
		en: map[string][]string{}, nl: map[string][]string{},
		countries: map[string]string{}, countryAdj: map[string]bool{}, places: map[string]bool{},
		orgs: map[string]bool{}, orgHeads: map[string]bool{}, acronyms: map[string][]acronymDef{}, firstNames: map[string]bool{},
		roles: map[string]bool{}, months: map[string]int{}, weekdays: map[string]bool{},
		numbers: map[string]int64{}, numMods: map[string]bool{}, enPast: map[string]bool{}, enFirst: map[string]bool{},
		preps: map[string][]string{}, focus: map[string]map[string]bool{},
		classes: map[string]map[string]bool{},
	}
	sub, err := fs.Sub(lexiconFiles, "lexicon")
	if err != nil {
		return nil, fmt.Errorf("open embedded lexicon: %w", err)
	}
	sources := []fs.FS{sub}
	if extra != nil {
		sources = append(sources, extra)
	}
	for _, src := range sources {
		if err := lx.read(src); err != nil {
			return nil, err
		}
	}
	lx.numPrefixes = map[string]bool{}
	lx.numberWords = map[int64][]string{}
	for w, v := range lx.numbers {
		lx.numberWords[v] = append(lx.numberWords[v], w)
	}
	for _, ws := range lx.numberWords {
		slices.Sort(ws) // map order must not reach the groups
	}
	for w := range lx.numbers {
		if len(w) >= 3 {
			lx.numPrefixes[w[:3]] = true
			lx.maxNumberLen = max(lx.maxNumberLen, len(w))
		}
	}
	for _, sec := range focusSections {
		if len(lx.focus[sec]) == 0 {
			return nil, fmt.Errorf("lexicon file focus.txt has no %q section", sec)
		}
	}
	for w := range lx.enFirst {
		delete(lx.enPast, w)
	}
	lx.enFirst = nil
	lx.indexWords()
	lx.longRoles = map[string]bool{}
	for r := range lx.roles {
		if len(r) >= 5 {
			lx.longRoles[r] = true
			lx.maxRoleLen = max(lx.maxRoleLen, len(r))
		}
	}
	return lx, nil
}

type lexFile struct {
	name string
	line func(lx *Lexicon, section string, cols []string) error
}

var lexFiles = []lexFile{
	{"en-nl.tsv", (*Lexicon).addTranslation},
	{"en-nl-general.tsv", (*Lexicon).addTranslation},
	{"countries.tsv", (*Lexicon).addCountry},
	{"places.txt", func(lx *Lexicon, _ string, cols []string) error { addAll(lx.places, cols[0]); return nil }},
	{"boundaries.txt", (*Lexicon).addClassWords},
	{"classes.txt", (*Lexicon).addClassWords},
	{"firstnames.txt", func(lx *Lexicon, _ string, cols []string) error { addAll(lx.firstNames, cols[0]); return nil }},
	{"orgs.txt", func(lx *Lexicon, section string, cols []string) error {
		if section == "heads" {
			addAll(lx.orgHeads, cols[0])
		} else {
			addAll(lx.orgs, cols[0])
			for _, d := range lexiconAcronyms(cols[0]) {
				for _, k := range append([]string{d.acronym}, d.words...) {
					if !slices.ContainsFunc(lx.acronyms[k], func(o acronymDef) bool { return o.acronym == d.acronym && slices.Equal(o.words, d.words) }) {
						lx.acronyms[k] = append(lx.acronyms[k], d)
					}
				}
			}
		}
		return nil
	}},
	{"roles.tsv", func(lx *Lexicon, _ string, cols []string) error {
		for _, c := range cols[:min(2, len(cols))] {
			addAll(lx.roles, c)
		}
		return nil
	}},
	{"prepositions.tsv", (*Lexicon).addPrepositions},
	{"focus.txt", (*Lexicon).addFocusNouns},
	{"months.tsv", (*Lexicon).addMonth},
	{"numbers.tsv", (*Lexicon).addNumber},
}

func (lx *Lexicon) read(src fs.FS) error {
	for _, f := range lexFiles {
		data, err := fs.ReadFile(src, f.name)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return fmt.Errorf("read lexicon file %s: %w", f.name, err)
		}
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		section, n := "", 0
		for sc.Scan() {
			n++
			line := strings.TrimSpace(sc.Text())
			if line == "" {
				continue
			}
			if strings.HasPrefix(line, "#") {
				if s := strings.TrimSpace(strings.TrimPrefix(line, "#")); s != "" && !strings.Contains(s, " ") {
					section = strings.ToLower(s)
				}
				continue
			}
			cols := strings.Split(line, "\t")
			if err := f.line(lx, section, cols); err != nil {
				return fmt.Errorf("lexicon file %s line %d: %w", f.name, n, err)
			}
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("read lexicon file %s: %w", f.name, err)
		}
	}
	return nil
}

// addClassWords reads a line of boundaries.txt or classes.txt: the words
// of one of classSections.
func (lx *Lexicon) addClassWords(section string, cols []string) error {
	if _, ok := classSections[section]; !ok {
		return fmt.Errorf("words outside a known section: %q", cols[0])
	}
	if lx.classes[section] == nil {
		lx.classes[section] = map[string]bool{}
	}
	addAll(lx.classes[section], cols[0])
	return nil
}

func splitForms(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.Join(strings.Fields(analysis.Fold(strings.TrimSpace(f))), " "); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func addAll(m map[string]bool, col string) {
	for _, f := range splitForms(col) {
		m[f] = true
	}
}

func (lx *Lexicon) addTranslation(_ string, cols []string) error {
	en, nl, err := translationSides(cols, func(string) bool { return true })
	if err != nil {
		return err
	}
	lx.addPastForms(en)
	for _, e := range en {
		lx.en[e] = appendUnique(lx.en[e], nl...)
		lx.maxPhrase = max(lx.maxPhrase, len(strings.Fields(e)))
	}
	for _, d := range nl {
		lx.nl[d] = appendUnique(lx.nl[d], nl...)
	}
	return nil
}

// translationSides reads the two sides of an 'english forms<TAB>dutch
// forms' line, keeping the Dutch forms keep accepts; neither side may end
// up empty.
func translationSides(cols []string, keep func(string) bool) (en, nl []string, err error) {
	if len(cols) < 2 {
		return nil, nil, fmt.Errorf("want 'english forms<TAB>dutch forms', got %d column(s)", len(cols))
	}
	en, nl = splitForms(cols[0]), slices.DeleteFunc(splitForms(cols[1]), func(d string) bool { return !keep(d) })
	if len(en) == 0 || len(nl) == 0 {
		return nil, nil, fmt.Errorf("empty side in %q", strings.Join(cols, "\t"))
	}
	return en, nl, nil
}

// addPastForms records the irregular past forms among the English forms
// of a verb's line ("say,says,said,saying"): a line with an -ing form is a
// verb's; its forms other than the first, the first with -s or -es, the
// -ing forms and nouns by their endings ("winner", "resignation") are past
// forms. (Regular ones end in -ed and need no list.)
func (lx *Lexicon) addPastForms(en []string) {
	lx.enFirst[en[0]] = true
	if !slices.ContainsFunc(en, func(e string) bool { return strings.HasSuffix(e, "ing") && !strings.Contains(e, " ") }) {
		return
	}
	base := en[0]
	for _, e := range en[1:] {
		if strings.Contains(e, " ") || strings.Contains(base, " ") || e == base+"s" || e == base+"es" || strings.HasSuffix(e, "ed") || !strings.HasPrefix(e, base[:1]) ||
			len(e) > len(base)+3 {
			continue
		}
		if slices.ContainsFunc(nounEndings, func(end string) bool { return strings.HasSuffix(e, end) }) {
			continue
		}
		// a form with its own inflections on the line is a base ("place,
		// places"), not a past form
		if slices.ContainsFunc(en, func(o string) bool {
			return o == e+"s" || o == e+"es" || o == e+"d" || o == e+"ed" || o == e+"ing" || o == strings.TrimSuffix(e, "e")+"ing"
		}) {
			continue
		}
		lx.enPast[e] = true
	}
}

// nounEndings are the endings of English nouns that share a line with
// their verb ("winner", "dismissal").
var nounEndings = []string{"ing", "er", "ers", "or", "ors", "ion", "ions", "ment", "ments", "y", "ies", "ance", "ence", "al", "als", "ure", "s", "ist", "ists", "ism", "ness", "ity", "ive", "age", "ar"}

// focusSections are the sections of focus.txt, every one required.
var focusSections = []string{"time", "hour", "amount", "manner", "purpose", "country", "place", "org", "person",
	"court", "genericorg", "measure", "percent"}

// addFocusNouns reads a line of focus.txt: nouns of its section's kind.
func (lx *Lexicon) addFocusNouns(section string, cols []string) error {
	if !slices.Contains(focusSections, section) {
		return fmt.Errorf("focus nouns outside the sections %v", focusSections)
	}
	if lx.focus[section] == nil {
		lx.focus[section] = map[string]bool{}
	}
	addAll(lx.focus[section], cols[0])
	return nil
}

// isFocus reports whether folded noun f is of the focus.txt section's
// kind.
func (lx *Lexicon) isFocus(section, f string) bool { return lx.focus[section][f] }

// addPrepositions reads a line of prepositions.tsv: English forms and the
// one-word Dutch forms, each Dutch form meeting the others of its line.
func (lx *Lexicon) addPrepositions(_ string, cols []string) error {
	if len(cols) > 2 {
		return fmt.Errorf("want 'english forms<TAB>dutch forms', got %d column(s)", len(cols))
	}
	en, nl, err := translationSides(cols, func(d string) bool { return !strings.Contains(d, " ") })
	if err != nil {
		return err
	}
	for _, e := range en {
		lx.preps[e] = appendUnique(lx.preps[e], nl...)
	}
	for _, d := range nl {
		lx.preps[d] = appendUnique(lx.preps[d], nl...)
	}
	return nil
}

func (lx *Lexicon) addCountry(_ string, cols []string) error {
	if len(cols) < 2 {
		return fmt.Errorf("want 'english<TAB>dutch<TAB>dutch demonyms<TAB>english demonyms', got %d column(s)", len(cols))
	}
	dutch := splitForms(cols[1])
	if len(dutch) == 0 {
		return fmt.Errorf("country line without a Dutch name")
	}
	canon := dutch[0]
	for i, c := range cols {
		for _, f := range splitForms(c) {
			lx.countries[f] = canon
			if i >= 2 {
				lx.countryAdj[f] = true
			}
		}
	}
	// English names and demonyms translate to every Dutch form.
	for _, e := range append(splitForms(cols[0]), splitFormsAt(cols, 3)...) {
		lx.en[e] = appendUnique(lx.en[e], append(dutch, splitFormsAt(cols, 2)...)...)
		lx.maxPhrase = max(lx.maxPhrase, len(strings.Fields(e)))
	}
	return nil
}

func splitFormsAt(cols []string, i int) []string {
	if i < len(cols) {
		return splitForms(cols[i])
	}
	return nil
}

func (lx *Lexicon) addMonth(section string, cols []string) error {
	if len(cols) < 3 {
		return fmt.Errorf("want 'dutch<TAB>english<TAB>number', got %d column(s)", len(cols))
	}
	n, err := strconv.Atoi(strings.TrimSpace(cols[2]))
	if err != nil {
		return fmt.Errorf("bad number %q", cols[2])
	}
	for _, c := range cols[:2] {
		for _, f := range splitForms(c) {
			if section == "weekdays" {
				lx.weekdays[f] = true
			} else {
				lx.months[f] = n
			}
		}
	}
	return nil
}

func (lx *Lexicon) addNumber(section string, cols []string) error {
	if section == "modifiers" {
		for _, c := range cols {
			addAll(lx.numMods, c)
		}
		return nil
	}
	if len(cols) < 2 {
		return fmt.Errorf("want 'word<TAB>value', got %d column(s)", len(cols))
	}
	v, err := strconv.ParseInt(strings.TrimSpace(cols[1]), 10, 64)
	if err != nil {
		return fmt.Errorf("bad value %q", cols[1])
	}
	for _, f := range splitForms(cols[0]) {
		lx.numbers[f] = v
	}
	return nil
}

func appendUnique(dst []string, add ...string) []string {
	for _, a := range add {
		found := false
		for _, d := range dst {
			if d == a {
				found = true
				break
			}
		}
		if !found {
			dst = append(dst, a)
		}
	}
	return dst
}

// DutchForms lists the lexicon's folded Dutch forms, in no order.
func (lx *Lexicon) DutchForms() iter.Seq[string] { return maps.Keys(lx.nl) }

// Translations returns the folded Dutch forms the hand-written lexicon
// gives for a folded English word or phrase (FreeDict's are not included,
// so the result is the same on every machine).
func (lx *Lexicon) Translations(english string) ([]string, bool) {
	forms, ok := lx.en[english]
	return forms, ok
}
