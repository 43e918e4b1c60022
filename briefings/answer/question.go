package answer

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefings/analysis"
)

// qType is the kind of answer a question expects.
type qType int

const (
	qOther   qType = iota
	qWho           // a person or organisation
	qWhoIs         // "who is X": X's role as the articles describe it
	qWhen          // a date or time
	qWhere         // a place
	qHowMany       // a number
	qWhich         // an entity of the focus noun's kind
	qWhat          // a thing or phrase
	qWhy           // a reason clause
	qHow           // a manner
	qYesNo         // did/does/is …?
)

var qTypeNames = map[qType]string{
	qOther: "other", qWho: "who", qWhoIs: "who-is", qWhen: "when", qWhere: "where", qHowMany: "how-many",
	qWhich: "which", qWhat: "what", qWhy: "why", qHow: "how", qYesNo: "yes-no",
}

func (t qType) String() string { return qTypeNames[t] }

// entityKind classifies candidate answer spans.
type entityKind int

const (
	entNone entityKind = iota
	entPerson
	entOrg
	entCountry
	entPlace
	entDate
	entNumber
	entRole
	entPhrase
	entCountryAdj // "Chinese": names a country as an adjective
	// entName is a name with no cue to what it names: no first name, no
	// organisation or place word, not in the lexicon ("Georgische Droom",
	// "Alle Rembrandts")
	entName
)

// question is an analysed question.
type question struct {
	Text    string
	Lang    string // "en" or "nl"
	Type    qType
	Focus   entityKind // for which/what questions: the kind the focus noun names
	Plural  bool       // the focus noun is plural: coordinated answers allowed
	Subject string     // for who-is: the name asked about, folded
	Clock   bool       // a when-question asks for a time of day ("hoe laat", "what time")
	// Duration: a how-many question asks how long ("hoe lang", "how
	// long"): its answer is counted in time units ("vijf dagen")
	Duration bool
	// Times: a how-many question asks how often ("hoe vaak", "how
	// often"): its answer is a number of times ("ruim 9.600 keer")
	Times bool
	// Naming: the question asks what something is called ("hoe heet
	// X", "what is the name of X"): the article's own naming words ("heet
	// Alle Rembrandts", "genaamd") point at the answer
	Naming bool
	// Kind: a which-question asks for a kind of its focus noun ("what kind
	// of seat"): the answer may end in that noun ("levensbedreigende
	// klachten") or be a compound of it ("restzetel")
	Kind   bool
	Groups []TermGroup
	// counted is the group index of the noun counted by a how-many question, or -1.
	counted int
	// focusWord is the folded noun after which/what ("court"), or "".
	focusWord string
	// focus is the group index of focusWord, or -1.
	focus int
	// slotLeft and slotRight are the groups of the question's content
	// words right before and right after the question phrase, or -1.
	slotLeft, slotRight int
	// slotPreps are the Dutch prepositions that stand before the answer
	// when one governs the question word ("From what date" -> vanaf, van,
	// uit …; "Binnen welke termijn" -> binnen, in), or nil
	slotPreps []string
	// Money is true for "how much did X receive?": an amount of money.
	Money bool
	// Percent is true for a question that names a share ("what was the
	// turnout", "welk percentage"): a number in percent answers it.
	Percent bool
	// Source is true for "where … come from?": a source phrase ("uit de
	// winsten op …") answers as well as a place.
	Source bool
	// Future is true for questions about what will happen ("when will …"):
	// an article's date does not answer them.
	Future bool
	// acronyms are the question's words written as acronyms ("ADIV"):
	// their expansions in an article are the question's own words.
	acronyms []string
	// memo, when not nil, is what one examination of the question reuses
	// from sentence to sentence (see answerMemo).
	memo *answerMemo
}

var enMarkers = map[string]bool{"the": true, "who": true, "what": true, "which": true, "did": true, "does": true,
	"do": true, "of": true, "to": true, "was": true, "were": true, "has": true, "have": true, "how": true,
	"many": true, "much": true, "where": true, "when": true, "why": true, "with": true, "from": true,
	"a": true, "an": true, "and": true, "on": true, "whom": true, "whose": true, "for": true, "by": true}
var nlMarkers = map[string]bool{"de": true, "het": true, "een": true, "wie": true, "wat": true, "welke": true,
	"welk": true, "heeft": true, "hebben": true, "van": true, "naar": true, "hoe": true, "waar": true,
	"wanneer": true, "waarom": true, "zijn": true, "met": true, "door": true, "op": true, "hoeveel": true,
	"en": true, "voor": true, "werd": true, "wordt": true, "er": true, "om": true}

// detectLang guesses whether text is English or Dutch from function words.
func detectLang(words []analysis.Word) string {
	en, nl := 0, 0
	if len(words) > 0 {
		// the question word weighs most: "Who is Mark de Vries?"
		switch f := words[0].Folded; {
		case enMarkers[f] && !nlMarkers[f]:
			en += 2
		case nlMarkers[f] && !enMarkers[f]:
			nl += 2
		}
	}
	for _, w := range words {
		if enMarkers[w.Folded] {
			en++
		}
		if nlMarkers[w.Folded] {
			nl++
		}
	}
	if en > nl {
		return "en"
	}
	return "nl"
}

// DetectLanguage reports "en" or "nl" for a short text such as a question.
func DetectLanguage(text string) string { return detectLang(analysis.Words(text)) }

var (
	whoWords    = map[string]bool{"who": true, "whom": true, "whose": true, "wie": true}
	whenWords   = map[string]bool{"when": true, "wanneer": true}
	whereWords  = map[string]bool{"where": true, "waar": true, "waarheen": true, "vanwaar": true}
	whyWords    = map[string]bool{"why": true, "waarom": true}
	howWords    = map[string]bool{"how": true, "hoe": true, "waarmee": true, "waardoor": true}
	whichWords  = map[string]bool{"which": true, "welk": true, "welke": true}
	whatWords   = map[string]bool{"what": true, "wat": true}
	possessives = map[string]bool{"his": true, "her": true, "their": true, "its": true, "our": true, "my": true, "your": true,
		"haar": true, "hun": true}
	determiners = map[string]bool{"the": true, "a": true, "an": true, "de": true, "het": true, "een": true}
	copulas     = map[string]bool{"is": true, "was": true, "are": true, "were": true, "zijn": true, "waren": true, "wordt": true}
	auxWords    = map[string]bool{"did": true, "does": true, "do": true, "has": true, "have": true, "had": true,
		"is": true, "was": true, "are": true, "were": true, "will": true, "would": true, "can": true, "could": true,
		"heeft": true, "hebben": true, "hadden": true, "zijn": true,
		"waren": true, "wordt": true, "werd": true, "werden": true, "kan": true, "kon": true, "zal": true, "zou": true}
	// proWhatWords are Dutch pronominal question adverbs that ask for a thing:
	// "waarnaar informeerde de politie?"
	proWhatWords = map[string]bool{"waarnaar": true, "waarover": true, "waarmee": true, "waarvan": true, "waarop": true,
		"waaraan": true, "waarin": true, "waartoe": true, "waarvoor": true}
)

// isQuestionWord reports whether folded opens a question.
func isQuestionWord(f string) bool {
	return whoWords[f] || whenWords[f] || whereWords[f] || whyWords[f] || howWords[f] || whichWords[f] || whatWords[f] ||
		proWhatWords[f] || f == "hoeveel"
}

// analyzeQuestion parses a question and builds its term groups against ix.
func (l *Librarian) analyzeQuestion(text string, ix Corpus) question {
	words := analysis.Words(text)
	q := question{Text: text, Lang: detectLang(words), counted: -1, focus: -1, slotLeft: -1, slotRight: -1}
	skip := make([]bool, len(words)) // words consumed by the question frame
	q.Type, q.Focus = qOther, entNone

	// find the question word: usually first, but "En wie …", "And when …"
	qi := -1
	countedAt := -1 // word index where a how-many question names what it counts
	for i, w := range words {
		f := w.Folded
		if isQuestionWord(f) {
			qi = i
			break
		}
		if i >= 2 {
			break
		}
	}
	// a fronted phrase: "According to X, how many …", "Volgens X, wie …"
	if qi < 0 {
		if comma := strings.IndexByte(text, ','); comma >= 0 {
			for i, w := range words {
				if w.Start < comma {
					continue
				}
				if isQuestionWord(w.Folded) {
					qi = i
					break
				}
				if i >= 2 && words[i-2].Start > comma {
					break
				}
			}
		}
	}
	// inside a fronted prepositional phrase: "Tijdens de regering van
	// welke vorst …", "During the reign of which king …"
	for i := 1; qi < 0 && i < len(words) && i < 8; i++ {
		// ("of" governs no answer, so prepositions.tsv lacks it)
		if prev := words[i-1].Folded; whichWords[words[i].Folded] && (l.lex.preps[prev] != nil || prev == "of") && i+1 < len(words) {
			qi = i
		}
	}
	// a question word left in place: "… the first test of what?"
	if qi < 0 && len(words) > 1 {
		if last := len(words) - 1; isQuestionWord(words[last].Folded) && !howWords[words[last].Folded] {
			qi = last
		}
	}
	next := func(i int) string { return foldedAt(words, i) }
	if qi > 0 && qi < len(words) {
		q.slotPreps = l.lex.preps[words[qi-1].Folded]
	}
	if f := foldedAt(words, qi); q.slotPreps == nil && (proWhatWords[f] || f == "waardoor") {
		// the preposition inside a Dutch question adverb: "waarmee" (met),
		// "waarnaar" (naar)
		p := strings.TrimPrefix(f, "waar")
		switch p {
		case "mee":
			p = "met"
		case "toe":
			p = "tot"
		}
		q.slotPreps = l.lex.preps[p]
	}
	if q.slotPreps == nil && qi >= 0 && q.Lang == "en" && len(words) > qi+2 {
		// stranded at the end: "Where does the money come from?", "What
		// did he spend it on?"
		q.slotPreps = l.lex.preps[words[len(words)-1].Folded]
	}
	if qi >= 0 {
		f := words[qi].Folded
		skip[qi] = true
		switch {
		case whoWords[f]:
			q.Type = qWho
			// "who is the mayor of X": the role noun must be supported
			if copulas[next(qi+1)] && determiners[next(qi+2)] && qi+3 < len(words) {
				q.focusWord = words[qi+3].Folded
				// past its modifiers: "the Belgian Justice minister"
				if h := l.focusHead(text, words, q.Lang == "en", qi+3); h > qi+3 {
					q.focusWord = words[h].Folded
				}
			}
			// "who, as mayor of Oss, …", "wie reageerde als woordvoerder":
			// the role named after as/als is the focus
			for j := qi + 1; q.focusWord == "" && j+1 < len(words); j++ {
				if f := words[j].Folded; f == "as" || f == "als" {
					k := j + 1
					if determiners[words[k].Folded] && k+1 < len(words) {
						k++
					}
					if r := words[k].Folded; l.lex.roles[r] || endsWithRole(l.lex, r) {
						q.focusWord = r
					}
				}
			}
			// "who is X" with X a name: a role question
			if copulas[next(qi+1)] && qi+2 < len(words) && isCapitalized(words[qi+2].Text) && !isQuestionStopword(words[qi+2].Folded) &&
				!possessiveFollowedByNoun(words, qi+2) {
				q.Type = qWhoIs
				skip[qi+1] = true
				var parts []string
				for j := qi + 2; j < len(words); j++ {
					joiner := nameJoiners[words[j].Folded] && j+1 < len(words) && isCapitalized(words[j+1].Text)
					if !isCapitalized(words[j].Text) && !joiner && !strings.HasPrefix(words[j].Text, "'") {
						break
					}
					parts = append(parts, words[j].Folded)
				}
				q.Subject = strings.Join(parts, " ")
			}
		case whenWords[f]:
			q.Type = qWhen
		case whereWords[f]:
			q.Type = qWhere
		case whyWords[f]:
			q.Type = qWhy
		case f == "hoeveel":
			q.Type = qHowMany
			countedAt = qi + 1
		case howWords[f]:
			q.Type = qHow
			switch n := next(qi + 1); n {
			case "laat": // "hoe laat": a time of day
				q.Type, q.Clock = qWhen, true
				skip[qi+1] = true
			case "many", "much", "veel", "long", "lang", "old", "oud", "far", "ver", "vaak", "often", "groot", "large", "big",
				"high", "hoog", "hoge", "low", "laag", "expensive", "duur", "heavy", "zwaar":
				q.Type = qHowMany
				q.Duration = n == "long" || n == "lang"
				q.Times = n == "vaak" || n == "often"
				skip[qi+1] = true
				countedAt = qi + 2
			}
		case whichWords[f], whatWords[f], proWhatWords[f]:
			q.Type = qWhat
			if whichWords[f] {
				q.Type = qWhich
			}
			n := next(qi + 1)
			if qi+1 < len(words) && (strings.HasSuffix(words[qi+1].Text, "'s") || strings.HasSuffix(words[qi+1].Text, "’s")) {
				n = strings.TrimSuffix(n, "s") // "which country's elections": a country
			}
			headAt := -1
			if from := kindPhrase(words, qi); from > 0 {
				// "what kind of star", "welke vorm van oplichting", "wat
				// voor inhoud": the noun after the kind word is the focus,
				// and the answer names a kind of it ("rode dwerg, een ster")
				for j := qi + 1; j < from; j++ {
					skip[j] = true
				}
				headAt = from
				if h := l.focusHead(text, words, q.Lang == "en", from); h > from {
					headAt = h
				}
				n = words[headAt].Folded
				q.Type, q.Kind = qWhich, true
			} else if whichWords[f] {
				// "which Kremlin spokesman", "welke twee stemhulpsites",
				// "which pro-Russian ruling party": the focus is the head
				// noun after the modifiers
				h := l.focusHead(text, words, q.Lang == "en", qi+1)
				if h < 0 && q.Lang == "en" {
					h = l.englishHead(text, words, qi+1)
				}
				if h < 0 && q.Lang == "nl" {
					h = l.dutchHead(text, words, qi+1)
				}
				if h > qi+1 {
					headAt, n = h, words[h].Folded
				}
			}
			kn := n // the word whose kind is asked: "collective" asks for a "collectief"
			if headAt > 0 {
				kn = l.focusNoun(words[headAt-1].Folded, n, q.Lang == "en")
			}
			switch n := kn; {
			case proWhatWords[f]:
			case l.lex.isFocus("time", n):
				q.Type = qWhen
				q.Clock = n == "time" || n == "tijdstip" || l.lex.isFocus("hour", n) // "at what time", "gedurende welke uren"
				q.Plural = n == "jaren" || n == "years"                              // "uit welke jaren": "1941 en 1975"
				skip[qi+1] = true
			case l.lex.isFocus("amount", n):
				q.Type = qHowMany
				skip[qi+1] = true
				countedAt = qi + 2
			case l.lex.isFocus("purpose", n):
				q.Type = qWhy
				skip[qi+1] = true
			case l.lex.isFocus("manner", n):
				q.Type = qHow // "op welke manier", "in what way": how
				skip[qi+1] = true
			case l.lex.isFocus("country", n):
				q.Type, q.Focus, q.Plural = qWhich, entCountry, strings.HasSuffix(n, "s") || strings.HasSuffix(n, "en")
				skip[qi+1] = true
			case l.lex.isFocus("place", n):
				q.Type, q.Focus = qWhich, entPlace
				skip[qi+1] = true
			case l.lex.isFocus("org", n):
				q.Type, q.Focus, q.Plural = qWhich, entOrg, strings.HasSuffix(n, "s") || strings.HasSuffix(n, "en")
			// a compound's head tells the kind too: "welke partijbestuurder",
			// "welke nieuwszender"
			case l.lex.isFocus("person", n) || l.lex.roles[n] || ((headAt > 0 || whichWords[f]) && endsWithRole(l.lex, n)):
				q.Type, q.Focus, q.Plural = qWhich, entPerson, strings.HasSuffix(n, "s") || strings.HasSuffix(n, "en")
			case (headAt > 0 || (whichWords[f] && !l.lex.isFocus("court", n))) && (l.lex.orgHeads[n] || endsWithOrgHead(l.lex, n)):
				q.Type, q.Focus, q.Plural = qWhich, entOrg, strings.HasSuffix(n, "s") || strings.HasSuffix(n, "en")
			case copulas[n] && whatWords[f] && qi+2 < len(words) && next(qi+2) != "er" && next(qi+2) != "there" && (!determiners[next(qi+2)] ||
				(qi+3 < len(words) && isCapitalized(words[qi+3].Text) && qi+4 >= len(words))) &&
				!possessiveFollowedByNoun(words, qi+2) && l.lex.preps[next(qi+2)] == nil &&
				!l.lex.isFocus("amount", next(qi+2)) && !l.lex.isFocus("measure", next(qi+2)) && !l.lex.isFocus("percent", next(qi+2)):
				// "what is X" / "wat is X": describe X, like who-is (not
				// "what was Bram Hoekman's finishing time": a thing of X's;
				// nor "wat is na de hack verplicht geworden", "what was
				// turnout": a preposition, a measure)
				q.Type = qWhoIs
				skip[qi+1] = true
				var parts []string
				for j := qi + 2; j < len(words); j++ {
					if !isQuestionStopword(words[j].Folded) {
						parts = append(parts, words[j].Folded)
					}
				}
				q.Subject = strings.Join(parts, " ")
			}
			if l.lex.isFocus("genericorg", n) && headAt < 0 {
				// "which body": only the kind, no word to look for
				// (lichaam, lijk)
				skip[qi+1] = true
			}
			if q.Type == qWhich && n != "" && !isQuestionStopword(n) && !skip[qi+1] || headAt > 0 {
				q.focusWord = n
			}
			if (n == "in" || n == "op") && (next(qi+2) == "jaar" || next(qi+2) == "year") {
				q.Type = qWhen
			}
		}
	} else if len(words) > 0 && auxWords[words[0].Folded] {
		q.Type = qYesNo
	}
	if at, frame, ok := namingFrame(words, qi); ok {
		// "What is X called?", "Hoe heet X?", "What is the name of X?":
		// a name is asked for, of the kind X is when the lexicon knows it
		for _, i := range frame {
			skip[i] = true
		}
		q.Type, q.Focus, q.focusWord, q.Naming = qWhich, entName, "", true
		h := at
		if e := l.focusHead(text, words, q.Lang == "en", at); e >= at {
			h = e
		} else if e := l.englishHead(text, words, at); q.Lang == "en" && e > at {
			h = e
		} else if e := l.dutchHead(text, words, at); q.Lang == "nl" && e > at {
			h = e
		}
		if n := words[h].Folded; !isQuestionStopword(n) && !skip[h] {
			q.focusWord = n
			switch {
			case l.lex.isFocus("person", n) || l.lex.roles[n] || endsWithRole(l.lex, n):
				q.Focus = entPerson
			case l.lex.isFocus("country", n):
				q.Focus = entCountry
			case l.lex.isFocus("place", n):
				q.Focus = entPlace
			case l.lex.isFocus("org", n) || l.lex.orgHeads[n] || endsWithOrgHead(l.lex, n):
				q.Focus = entOrg
			}
		}
	}
	if q.Type == qWhich && q.Focus == entNone {
		q.Focus = entPhrase
	}
	for _, w := range words {
		if futureWords[w.Folded] {
			q.Future = true
		}
		if q.Type == qWhere && sourceWords[w.Folded] {
			q.Source = true
		}
	}
	var role *askedRole
	if q.Type == qWho && q.focusWord == "" {
		role = roleAsked(words, skip)
	}
	q.Groups = l.buildGroups(words, skip, q.Lang, ix)
	if q.Type == qWho {
		l.addAgentNouns(&q, ix)
	}
	if role != nil {
		// the role stands beside the answer: "zegt woordvoerder Pieter van
		// Leeuwen", "NCSC-directeur Maaike van der Linden"
		q.Groups = append(q.Groups, TermGroup{Label: role.nouns[0], Stems: l.dutchStems(role.nouns), Forms: formSet(role.nouns), Weight: 1, Pos: role.pos})
		q.focusWord = role.nouns[0]
	}
	if ix != nil && q.Type == qWho {
		for i := range q.Groups {
			if q.Groups[i].Verb || (role != nil && i == len(q.Groups)-1) {
				ix.Resolve(&q.Groups[i])
			}
		}
	}
	for _, w := range words {
		if isAcronym(w.Text) && utf8.RuneCountInString(w.Text) >= 3 {
			q.acronyms = append(q.acronyms, w.Text)
		}
	}
	if q.Type == qWhat && qi >= 0 && qi+3 < len(words) && copulas[words[qi+1].Folded] && determiners[words[qi+2].Folded] {
		// "wat is de uiterste datum waarop …", "what was the exact date":
		// the subject names a date
		for j := qi + 3; j < min(len(words), qi+5); j++ {
			// (not "time": "what was the winning time" asks for a race time)
			if f := words[j].Folded; l.lex.isFocus("time", f) && f != "time" && f != "tijd" {
				q.Type, q.Clock = qWhen, f == "tijdstip"
				break
			}
			if analysis.IsStopword(words[j].Folded) {
				break
			}
		}
	}
	for _, w := range words {
		if l.lex.isFocus("percent", w.Folded) {
			q.Percent = true
		}
	}
	if q.Type == qWhat {
		// "what was the highest temperature": a measure asks for a number
		for _, g := range q.Groups {
			if l.lex.isFocus("measure", analysis.Fold(g.Label)) {
				q.Type, q.counted = qHowMany, -1
			}
		}
	}
	if q.Type == qWhich && q.Focus == entPhrase && l.lex.isFocus("measure", q.focusWord) {
		// "welke opkomst verwacht …": the focus noun is a measure
		q.Type, q.counted = qHowMany, -1
	}
	// a predicate in a fronted clause ("After the researchers flagged the
	// campaign, how many profiles …") is not the question's: the first
	// plain word after the question word is
	if qi > 0 {
		if v := slices.IndexFunc(q.Groups, func(g TermGroup) bool { return g.Verb }); v >= 0 && q.Groups[v].Pos < qi {
			if w := slices.IndexFunc(q.Groups, func(g TermGroup) bool { return g.Pos > qi && !g.Name && !g.Number }); w >= 0 {
				makePredicate(q.Groups, w, saysLabel(q.Groups[w].Label))
			}
		}
	}
	if q.Lang == "en" && qi >= 0 {
		l.doSupportPredicate(&q, words, qi)
	}
	if q.focusWord != "" {
		for i, g := range q.Groups {
			label := analysis.Fold(strings.TrimSuffix(strings.TrimSuffix(g.Label, "'s"), "’s")) // "politician's"
			// (or the head of a compound split into groups: "sites" of
			// "welke twee stemhulpsites")
			if label == q.focusWord || strings.HasPrefix(label, q.focusWord+" ") || strings.HasSuffix(label, " "+q.focusWord) ||
				(len(label) >= 4 && len(q.focusWord) > len(label) && strings.HasSuffix(q.focusWord, label) && !g.Name) {
				q.focus = i
				// a type noun, capitalised or not ("welke Bundesligaclub"),
				// is no name the answer's sentence must hold
				q.Groups[i].Name, q.Groups[i].Weight = false, min(q.Groups[i].Weight, 1)
				if v := slices.IndexFunc(q.Groups, func(g TermGroup) bool { return g.Verb }); v == i || (v >= 0 && v < i && q.Groups[v].Pos > qi) {
					// neither the focus noun nor a modifier before it is
					// the predicate: the next plain word is ("which
					// spokesman dismissed", "which provincial executive
					// … commented")
					p, says := -1, false
					if j := slices.IndexFunc(q.Groups[i+1:], func(h TermGroup) bool { return !h.Name && !h.Number }); j >= 0 {
						p, says = i+1+j, saysLabel(q.Groups[i+1+j].Label)
					}
					makePredicate(q.Groups, p, says)
				}
				break
			}
		}
	}
	if q.Type == qHowMany && countedAt >= 0 && countedAt < len(words) {
		// the counted noun stands right after "how many" / "hoeveel":
		// "how many lawsuits", "hoeveel zetels"; "how much did X receive"
		// has none and asks for an amount of money; past one modifier
		// when the verb follows the word after it: "how many fraudulent
		// votes were cast", "hoeveel nieuwe woningen worden er gebouwd"
		if c := countedAt; c+2 < len(words) && auxWords[words[c+2].Folded] && !auxWords[words[c].Folded] && !auxWords[words[c+1].Folded] &&
			!analysis.IsStopword(words[c].Folded) && !analysis.IsStopword(words[c+1].Folded) && !isCapitalized(words[c+1].Text) &&
			l.lex.classOf(words[c].Folded)&wUnit == 0 && countedGroup(q.Groups, c) >= 0 && countedGroup(q.Groups, c+1) >= 0 {
			countedAt++ // (not "hoeveel uur lang is", not one expression: "civil servants")
		}
		q.counted = countedGroup(q.Groups, countedAt)
		if q.counted >= 0 && timesWords[analysis.Fold(q.Groups[q.counted].Label)] {
			q.Times = true // "how many times", "hoeveel keer"
		}
		if q.counted < 0 && !q.Duration && !q.Times && (words[qi+1].Folded == "much" || auxWords[words[countedAt].Folded]) {
			q.Money = true
		}
		// the counted noun is not the predicate: pass that role on
		if q.counted >= 0 && q.Groups[q.counted].Verb {
			q.Groups[q.counted].Verb = false
			for i := q.counted + 1; i < len(q.Groups); i++ {
				if !q.Groups[i].Name && !q.Groups[i].Number {
					q.Groups[i].Verb = true
					break
				}
			}
		}
	}
	// the question's words on either side of the question phrase: the
	// answer stands where the question word stands ("the first test of
	// what" ~ "de eerste test van een nieuwe EU-wet"; "who fired Krebs" ~
	// "Trump ontsloeg Krebs")
	if qi >= 0 {
		// the question phrase runs from the question word to its focus
		// or counted noun ("which Kremlin spokesman", "hoeveel zetels")
		end := qi
		for _, g := range []int{q.focus, q.counted} {
			if g >= 0 {
				end = max(end, q.Groups[g].Pos)
			}
		}
		for i, g := range q.Groups {
			switch {
			case g.Pos < qi:
				q.slotLeft = i
			case g.Pos > end && q.slotRight < 0:
				q.slotRight = i
			}
		}
	}
	return q
}

// askedRole is a role a who-question asks for in other words: "wie
// reageerde namens de gemeente" asks for its spokesperson, "who chairs the
// party" for its head.
type askedRole struct {
	nouns []string // the role's Dutch nouns, the first its label
	pos   int      // the question word where the phrase starts
}

// rolePhrases are the phrases that ask for a role, folded; the words marked
// in skip carry nothing else (the "namens" of "wie reageerde namens X").
var rolePhrases = []struct {
	words []string
	skip  []bool
	nouns []string
}{
	{[]string{"namens"}, []bool{true}, spokesNouns},
	{[]string{"on", "behalf", "of"}, []bool{true, true, true}, spokesNouns},
	{[]string{"spoke", "for"}, []bool{false, true}, spokesNouns},
	{[]string{"speaks", "for"}, []bool{false, true}, spokesNouns},
	{[]string{"voert", "het", "woord"}, []bool{true, true, true}, spokesNouns},
	{[]string{"voerde", "het", "woord"}, []bool{true, true, true}, spokesNouns},
	{[]string{"staat", "aan", "het", "hoofd"}, []bool{true, true, true, true}, headNouns},
	{[]string{"stond", "aan", "het", "hoofd"}, []bool{true, true, true, true}, headNouns},
	{[]string{"aan", "het", "hoofd"}, []bool{true, true, true}, headNouns},
	{[]string{"heads"}, []bool{false}, headNouns},
	{[]string{"headed"}, []bool{false}, headNouns},
	{[]string{"chairs"}, []bool{false}, headNouns},
	{[]string{"chaired"}, []bool{false}, headNouns},
	{[]string{"in", "charge", "of"}, []bool{true, true, true}, headNouns},
}

var (
	spokesNouns = []string{"woordvoerder", "woordvoerster", "zegsman", "zegsvrouw", "voorlichter", "persvoorlichter"}
	headNouns   = []string{"directeur", "voorzitter", "hoofd", "leider", "topman", "topvrouw", "baas", "chef", "bestuursvoorzitter"}
)

// roleAsked finds the first role phrase in the question's words, marks its
// empty words in skip and returns the role, or nil.
func roleAsked(words []analysis.Word, skip []bool) *askedRole {
	for i := range words {
		for _, p := range rolePhrases {
			if i+len(p.words) > len(words) {
				continue
			}
			ok := true
			for k, w := range p.words {
				if words[i+k].Folded != w {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			for k, sk := range p.skip {
				skip[i+k] = skip[i+k] || sk
			}
			return &askedRole{nouns: p.nouns, pos: i}
		}
	}
	return nil
}

// boundPrefixes are English prefixes written with a hyphen that mean
// nothing on their own ("co-financing", "re-election", "non-binding").
var boundPrefixes = map[string]bool{"co": true, "re": true, "pre": true, "non": true, "ex": true, "sub": true,
	"semi": true, "multi": true, "mid": true, "self": true, "post": true}

// subordinators open an English clause of their own.
var subordinators = map[string]bool{"while": true, "when": true, "because": true, "after": true, "before": true,
	"that": true, "who": true, "which": true, "since": true, "although": true, "if": true, "until": true}

// beAux are the English forms of "be" that make a passive.
var beAux = map[string]bool{"is": true, "are": true, "was": true, "were": true}

// reportingPassives report a belief in an English passive: "the attackers
// are thought to have gained access" asks about gaining access.
var reportingPassives = map[string]bool{"thought": true, "believed": true, "said": true, "reported": true,
	"expected": true, "alleged": true, "supposed": true, "known": true, "considered": true, "understood": true, "suspected": true}

// doSupportPredicate finds the predicate of an English question with an
// auxiliary ("when does the flu vaccination start?", "what weather warning
// level had the institute issued?", "how many sites did Viginum and Open
// Bron Lab uncover?", "where were ambulances sent?"): the verb ends the
// run of words after the auxiliary's subject.
func (l *Librarian) doSupportPredicate(q *question, words []analysis.Word, qi int) {
	aux := qi + 1
	if f := foldedAt(words, qi); whatWords[f] || whichWords[f] || (howWords[f] && (foldedAt(words, qi+1) == "many" || foldedAt(words, qi+1) == "much")) {
		// past the noun phrase the question asks for
		if howWords[f] {
			aux++
		}
		for aux < len(words) && aux < qi+6 && !auxWords[foldedAt(words, aux)] && !analysis.IsStopword(foldedAt(words, aux)) {
			aux++
		}
	}
	if !auxWords[foldedAt(words, aux)] {
		return
	}
	start := aux + 1
	if determiners[foldedAt(words, start)] || possessives[foldedAt(words, start)] {
		start++
	}
	end := start
	for end < len(words) {
		f := foldedAt(words, end)
		if !analysis.IsStopword(f) {
			end++
			continue
		}
		// a name joined by "and"/"of": "Viginum and Open Bron Lab"
		if (f == "and" || f == "of") && end+1 < len(words) && isCapitalized(words[end+1].Text) && end > start && isCapitalized(words[end-1].Text) {
			end++
			continue
		}
		break
	}
	verb := end - 1
	last := len(words) - 1
	if beAux[foldedAt(words, aux)] && last > end && strings.HasSuffix(foldedAt(words, last), "ed") && !isCapitalized(words[last].Text) &&
		!slices.ContainsFunc(words[end:last], func(w analysis.Word) bool { return auxWords[w.Folded] || subordinators[w.Folded] }) {
		// "in which city is the firm tied to the network located?": a
		// participle at the end of a passive is the verb
		verb = last
	} else if reportingPassives[foldedAt(words, verb)] && foldedAt(words, end) == "to" {
		// "are thought to have gained access"
		verb = end + 1
		if foldedAt(words, verb) == "have" || foldedAt(words, verb) == "be" {
			verb++
		}
	} else if verb <= start || isCapitalized(words[verb].Text) {
		return // one word, or a name: no verb at the end
	}
	v := groupAt(q.Groups, words, verb)
	if v < 0 || q.Groups[v].Name || q.Groups[v].Number {
		return
	}
	makePredicate(q.Groups, v, speechWords[foldedAt(words, verb)])
}

// makePredicate makes groups[v] the question's predicate in place of the
// one that was (v < 0: none); speech says whether it is a verb of saying.
func makePredicate(groups []TermGroup, v int, speech bool) {
	for i := range groups {
		if groups[i].Verb {
			groups[i].Verb, groups[i].Weight, groups[i].Speech = false, 1, false
		}
	}
	if v >= 0 {
		groups[v].Verb, groups[v].Weight, groups[v].Speech = true, 1.5, speech
	}
}

// saysLabel reports whether a group's label is a verb or noun of saying.
func saysLabel(label string) bool {
	f := analysis.Fold(label)
	return speechWords[f] || speechVerbs[f]
}

// addAgentNouns lets a who-question's predicate meet the noun of the one
// who does it: "Who led the research" is the "onderzoeksleider", "wie
// onderzocht" the "onderzoeker". Dutch makes the agent noun of most verbs
// with -er on the verb's stem; stems that are inflections (a participle's
// "ge", a finite "-t") are left alone.
func (l *Librarian) addAgentNouns(q *question, ix Corpus) {
	for gi := range q.Groups {
		g := &q.Groups[gi]
		if !g.Verb {
			continue
		}
		var add []string
		for _, st := range g.Stems {
			if len(st) < 3 || strings.HasPrefix(st, "ge") || strings.HasSuffix(st, "t") || strings.HasSuffix(st, "er") {
				continue
			}
			add = append(add, l.an.Stem(st+"er"))
		}
		for _, a := range add {
			if ix != nil {
				if _, ok := ix.Lookup(a); !ok && len(a) < 5 {
					continue // a short one only as the articles write it
				}
			}
			g.Stems = appendUnique(g.Stems, a)
		}
		return
	}
}

// foldedAt is the folded word at words[i], or "" past either end.
func foldedAt(words []analysis.Word, i int) string {
	if i >= 0 && i < len(words) {
		return words[i].Folded
	}
	return ""
}

// kindWords name a kind of something: "what kind of", "welke vorm van".
var kindWords = map[string]bool{"kind": true, "kinds": true, "type": true, "types": true, "sort": true, "sorts": true, "form": true,
	"soort": true, "soorten": true, "vorm": true, "vormen": true}

// kindPhrase returns the index of the noun a kind phrase after the question
// word at words[qi] names ("what kind of star", "which type of", "welke
// vorm van", "wat voor (soort) inhoud", "welk soort"), or -1.
func kindPhrase(words []analysis.Word, qi int) int {
	f, at := words[qi].Folded, qi+1
	voor := whatWords[f] && foldedAt(words, at) == "voor" // "wat voor"
	if voor {
		at++
	}
	if !voor && !whatWords[f] && !whichWords[f] {
		return -1
	}
	switch {
	case kindWords[foldedAt(words, at)] && (foldedAt(words, at+1) == "of" || foldedAt(words, at+1) == "van"):
		at += 2
	case kindWords[foldedAt(words, at)] && (voor || f == "welk" || f == "welke") && foldedAt(words, at) != "vorm" && foldedAt(words, at) != "form":
		at++ // "welk soort", "wat voor soort"
	case !voor:
		return -1
	}
	if at >= len(words) || isQuestionStopword(foldedAt(words, at)) || auxWords[foldedAt(words, at)] || copulas[foldedAt(words, at)] {
		return -1
	}
	return at
}

// focusHead returns the index of the noun that heads the phrase after
// "which" at words[from]: past numbers, adjectives and names ("Kremlin",
// "Russian", "pro-Russian", "twee"), the last word that names a kind of
// answer (a person's role, an organisation, a place, a country: "which
// hacker group", "welke Russische hackersgroep", "which party leader"), or
// -1. An English word the lists lack counts by its Dutch translation
// (focusNoun).
func (l *Librarian) focusHead(text string, words []analysis.Word, en bool, from int) int {
	head := -1
	for i := from; i < len(words) && i < from+4; i++ {
		f := words[i].Folded
		if i > from && (analysis.IsStopword(f) || auxWords[f] || strings.ContainsAny(text[words[i-1].End:words[i].Start], ",;:()")) {
			break
		}
		if en && i > from && englishVerbAt(words, i) {
			break // "which Finnish group owns the factory"
		}
		prev := ""
		if i > from {
			prev = words[i-1].Folded
		}
		if l.knownFocus(l.focusNoun(prev, f, en)) {
			head = i
			continue
		}
		stem := strings.TrimSuffix(strings.TrimSuffix(f, "s"), "'")
		if stem != f && (l.lex.isFocus("org", stem) || l.lex.isFocus("place", stem) || l.lex.roles[stem] || l.lex.orgHeads[stem]) {
			head = i // "committee's"
		}
	}
	return head
}

// englishHead finds the head of an English noun phrase that starts at
// words[from] when focusHead knows none of its words: the last word before
// the verb, an auxiliary, a stop word or punctuation ("which hacking gang
// was", "which pro-Russian ruling party claimed", "which polling station
// in"). A possessive ends the phrase ("which committee's report": the
// committee). A verb is a past form the lexicon lists ("claimed",
// "said"), or a word in -s before an article, "to" or "that" ("which
// group wants to"). It returns -1 for a phrase of one word.
func (l *Librarian) englishHead(text string, words []analysis.Word, from int) int {
	head := -1
	for i := from; i < len(words) && i < from+4; i++ {
		f := words[i].Folded
		if i > from && strings.ContainsAny(text[words[i-1].End:words[i].Start], ",;:()") {
			break
		}
		if analysis.IsStopword(f) || auxWords[f] || l.lex.enPast[f] || (len(f) >= 5 && strings.HasSuffix(f, "ed")) {
			break
		}
		if englishVerbAt(words, i) {
			break
		}
		head = i
		if t := words[i].Text; strings.HasSuffix(t, "'s") || strings.HasSuffix(t, "’s") {
			break
		}
	}
	if head <= from {
		return -1
	}
	return head
}

// dutchHead finds the head noun after "welke" past a number and
// adjectives of origin when focusHead knows none of the words ("welke twee
// stemhulpsites", "welke Russische hackersgroep"), or -1.
func (l *Librarian) dutchHead(text string, words []analysis.Word, from int) int {
	i := from
	for ; i < len(words)-1 && i < from+3; i++ {
		t := words[i]
		if strings.ContainsAny(text[t.End:words[i+1].Start], ",;:()") {
			return -1
		}
		number := l.lex.numbers[t.Folded] > 0 || unicode.IsDigit([]rune(t.Folded)[0])
		origin := l.lex.countryAdj[t.Folded] || (isCapitalized(t.Text) && placeAdjective(tok{Word: t}))
		if !number && !origin {
			break
		}
	}
	if i == from || i >= len(words) || analysis.IsStopword(words[i].Folded) || auxWords[words[i].Folded] {
		return -1
	}
	return i
}

func isQuestionStopword(f string) bool {
	return analysis.IsStopword(f) || whoWords[f] || whatWords[f] || whichWords[f]
}

func isCapitalized(s string) bool {
	if s != "" && s[0] < utf8.RuneSelf {
		return 'A' <= s[0] && s[0] <= 'Z'
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

// buildGroups turns the question's content words into term groups: English
// words through the lexicon (longest expression first), Dutch words with
// their other inflections, names with their Dutch spellings.
func (l *Librarian) buildGroups(words []analysis.Word, skip []bool, lang string, ix Corpus) []TermGroup {
	var groups []TermGroup
	seenVerb := false
	coveredUntil := 0 // words before this index belong to an expression
	// wordGroup is the group of one content word at words[i] (text, folded
	// f; a part of a hyphenated word has its own text), or false for a
	// word that carries none
	wordGroup := func(i int, text, f string) (TermGroup, bool) {
		if f == "" || analysis.IsStopword(f) || (lang == "nl" && dutchContractions[f]) || (lang == "en" && auxWords[f]) || whoWords[f] || whatWords[f] || whichWords[f] || howWords[f] || whenWords[f] || whereWords[f] || whyWords[f] {
			return TermGroup{}, false
		}
		capital := isCapitalized(text) && (i > 0 || !auxWords[f])
		if capital && i == 0 && lang == "en" && l.lex.countries[f] == "" && !l.lex.places[f] && !l.lex.orgs[f] && !l.lex.firstNames[f] {
			// a sentence's first word is capitalised anyway: "Roughly how
			// many …" is no name when the lexicon knows the word
			if _, ok := l.lex.translate(f); ok {
				capital = false
			}
		}
		if capital && i == 0 && lang == "nl" && len(l.lex.nl[f]) > 0 && l.lex.countries[f] == "" && !l.lex.places[f] && !l.lex.orgs[f] && !l.lex.firstNames[f] {
			// a question's first word is capitalised anyway: "Uiterlijk
			// wanneer …" is no name when the lexicon knows the word
			capital = false
		}
		if capital && i == 0 && lang == "nl" && l.lex.classOf(f)&(wRunBreaker|wSource|wPlacePrep|wWeakPrep|wManner) != 0 {
			// a preposition opening the question ("Vanuit welke stad",
			// "Binnen welke termijn") is no name: it often stands before
			// the answer too ("binnen twee weken")
			capital = false
		}
		g := TermGroup{Label: text, Weight: 1, Pos: i}
		isNum := unicode.IsDigit([]rune(f)[0])
		switch {
		case isNum:
			g.Number = true
			g.Stems = []string{f}
			if lang == "en" {
				// the articles write numbers the Dutch way: "1,500" is
				// "1.500", "2.5" is "2,5"
				g.Stems = appendUnique(g.Stems, dutchNumber(f))
			}
		case l.lex.numbers[f] >= 2 && !capital:
			// a number spelled out ("two", "zeventien") meets the article's
			// words and digits alike ("twee", "2"); one is left alone, for
			// "een" is also the Dutch article
			v := l.lex.numbers[f]
			g.Number = true
			words := append([]string{strconv.FormatInt(v, 10)}, l.lex.numberWords[v]...)
			g.Stems, g.Forms = appendUnique(nil, l.dutchStems(words)...), formSet(words)
		case lang == "en":
			if nl, ok := l.lex.translate(f); ok {
				g.Stems, g.Forms = l.dutchStems(nl), formSet(nl)
				l.addSplitVerbs(&g, nl, "")
				if len(f) >= 7 && !capital {
					// Dutch news writes English loanwords, alone and in
					// compounds: "marketingbureau", "phishingmails"
					g.Stems = appendUnique(g.Stems, l.an.Stem(f))
				}
				if c := l.lex.countries[f]; c != "" && !l.lex.countryAdj[f] {
					g.Name = true
				}
			}
			if ix != nil && !capital && len(g.Stems) == 0 {
				// a word the lexicon lacks may be one Dutch shares:
				// "energy" ~ "energie" (only spellings the articles have)
				for _, st := range l.dutchStems(englishCognates(f)) {
					if _, ok := ix.Lookup(st); ok {
						g.Stems = appendUnique(g.Stems, st)
					}
				}
			}
			if capital || len(g.Stems) == 0 {
				g.Untranslated = len(g.Stems) == 0
				g.Stems = appendUnique(g.Stems, l.an.Stem(f))
			}
		default:
			g.Stems = []string{l.an.Stem(f)}
			g.Own = g.Stems[0]
			// other inflections of the same word: "stuurde" ~ "gestuurd";
			// lexicon lines also hold synonyms, which a Dutch question
			// does not ask for
			// and the separable verb written apart: "uitgegeven" ~ "gaf … uit"
			if p := particleOf(f); p != "" {
				l.addSplitVerbs(&g, l.lex.nl[f], p)
			}
			var synonyms []string
			for _, form := range l.lex.nl[f] {
				if !sameWordFamily(f, form) {
					synonyms = append(synonyms, form)
					continue
				}
				g.Stems = appendUnique(g.Stems, l.dutchStems([]string{form})...)
				if g.Forms == nil {
					g.Forms = map[string]bool{}
				}
				g.Forms[form] = true
			}
			for _, st := range l.dutchStems(synonyms) {
				if !slices.Contains(g.Stems, st) {
					g.Synonyms = appendUnique(g.Synonyms, st)
				}
			}
			// a separable verb's participle meets its stem and the agent
			// noun: "opgericht" ~ "opricht", "oprichter"
			if p, rest, ok := separableParticiple(f); ok {
				g.Stems = appendUnique(g.Stems, l.an.Stem(p+rest), l.an.Stem(p+rest+"er"))
			}
		}
		if lang == "nl" && f == "volgens" {
			// the attribution "volgens de rechters" meets the article's
			// "volgens", not the verb its stem shares ("gevolgd")
			g.Forms, g.Exact = map[string]bool{f: true}, true
		}
		if capital && !l.lex.countryAdj[f] && !isNum {
			g.Own = l.an.Stem(f)
			g.Name = true
			g.Weight = 1.5
			g.Stems = appendUnique(g.Stems, l.nameVariants(f, ix)...)
			if lang == "nl" && placeAdjective(tok{Word: analysis.Word{Folded: f}}) {
				// an adjective of origin names its place: "Emmense" ~
				// "Emmen", "Drentse" ~ "Drenthe", "Antwerpse" ~ "Antwerpen"
				// (kept whether or not the index has them as words: they
				// may stand in a hyphenated name, "Zuidoost-Drenthe")
				for _, p := range placesOfAdjective(f) {
					g.Stems = appendUnique(g.Stems, l.an.Stem(p))
				}
			}
		}
		afterDet := i > 0 && (determiners[words[i-1].Folded] || possessives[words[i-1].Folded] ||
			strings.HasSuffix(words[i-1].Text, "'s") || strings.HasSuffix(words[i-1].Text, "’s"))
		// ("volgens X", "according to X" attribute the question: no predicate)
		// (nor the source after it: "volgens de onderzoekers")
		source := i > 0 && (words[i-1].Folded == "volgens" || (i > 1 && words[i-2].Folded == "volgens" && determiners[words[i-1].Folded]))
		if !capital && !isNum && !seenVerb && i > 0 && !(lang == "en" && afterDet) && f != "volgens" && f != "according" && !source {
			// the first plain content word after the question frame is
			// usually the predicate
			g.Verb = true
			g.Weight = 1.5
			seenVerb = true
			g.Speech = speechWords[f] || speechVerbs[f]
		}
		return g, true
	}
	for i := 0; i < len(words); i++ {
		if skip[i] {
			continue
		}
		w := words[i]
		f := strings.TrimSuffix(strings.TrimSuffix(w.Folded, "s'"), "'s")
		if strings.HasSuffix(w.Text, "'s") || strings.HasSuffix(w.Text, "’s") {
			f = strings.TrimSuffix(w.Folded, "s")
		}
		// longest English expression in the lexicon (may span stop words);
		// expressions may overlap ("American intelligence" and
		// "intelligence services"), a word inside one is not a group of its own
		if lang == "en" {
			matched := false
			for n := min(l.lex.maxPhrase, len(words)-i); n >= 2 && i+n > coveredUntil; n-- {
				parts := make([]string, n)
				for k := range n {
					parts[k] = words[i+k].Folded
				}
				if nl, ok := l.lex.en[strings.Join(parts, " ")]; ok {
					g := TermGroup{Label: joinText(words[i : i+n]), Weight: 1, Pos: i}
					g.Stems, g.Forms = l.dutchStems(nl), formSet(nl)
					l.addSplitVerbs(&g, nl, "")
					if ix != nil && !hasAny(ix, g.Stems) {
						continue // the articles lack the compound: try the single words
					}
					if l.lex.countries[parts[0]] != "" && !l.lex.countryAdj[parts[0]] {
						g.Name = true
					}
					groups = append(groups, g)
					coveredUntil = i + n
					matched = true
					break
				}
			}
			if matched || i < coveredUntil {
				continue
			}
		}
		// an age: "the 29-year-old" is "de 29-jarige"
		if n, ok := strings.CutSuffix(f, "-year-old"); ok && lang == "en" && n != "" && isDigits(n) {
			age := n + "-jarige"
			groups = append(groups, TermGroup{Label: w.Text, Weight: 1, Pos: i, Number: true,
				Stems: appendUnique(nil, l.an.Stem(age), age), Forms: map[string]bool{age: true}})
			continue
		}
		verbBefore := seenVerb
		g, ok := wordGroup(i, w.Text, f)
		if !ok {
			continue
		}
		// a hyphenated word the articles lack ("Oekraïne-referendum",
		// "Commission-backed", "USB-sticks") is asked for by its parts
		if ix != nil && strings.Contains(f, "-") && !hasAny(ix, g.Stems) {
			var parts []TermGroup
			seenVerb = verbBefore
			for _, part := range strings.Split(w.Text, "-") {
				pf := analysis.Fold(part)
				if len(pf) < 2 || (lang == "en" && boundPrefixes[pf]) {
					continue // "co-financing" asks for financing
				}
				if pg, ok := wordGroup(i, part, pf); ok {
					parts = append(parts, pg)
				}
			}
			if len(parts) > 0 {
				groups = append(groups, parts...)
				continue
			}
		}
		// so is a Dutch compound the articles lack, when they have both
		// its parts: "peilingexpert" (an article says "peilingdeskundige"
		// or "expert van de peiling")
		if ix != nil && lang == "nl" && !g.Name && !g.Number && !strings.Contains(f, "-") && !hasAny(ix, g.Stems) {
			if left, right, ok := l.splitCompound(f, ix); ok {
				seenVerb = verbBefore
				var parts []TermGroup
				for _, part := range [2]string{left, right} {
					if pg, ok := wordGroup(i, part, part); ok {
						parts = append(parts, pg)
					}
				}
				if len(parts) > 0 {
					groups = append(groups, parts...)
					continue
				}
			}
		}
		groups = append(groups, g)
	}
	if lang == "nl" {
		dutchPredicate(words, groups)
	}
	for i := range groups {
		if ix != nil {
			l.addCompoundHeads(&groups[i], lang, ix)
			ix.Resolve(&groups[i])
		}
	}
	return groups
}

// minHead is the shortest compound head addCompoundHeads keeps: shorter
// ones ("raad", "zaal") head too many unrelated compounds.
const minHead = 5

// addCompoundHeads sets g.Heads: for each Dutch word of the group (the
// question's own, or the lexicon's translations) that is a compound, the
// stem of its longest head the index has, past a first part of three
// letters or more: "cyberaanval" -> "aanval", "bestuursvoorzitter" ->
// "voorzitter".
func (l *Librarian) addCompoundHeads(g *TermGroup, lang string, ix Corpus) {
	if g.Name || g.Number {
		return
	}
	words := make([]string, 0, len(g.Forms)+1)
	if lang == "nl" {
		words = append(words, analysis.Fold(g.Label))
	}
	for f := range g.Forms {
		words = append(words, f)
	}
	slices.Sort(words) // Forms is a map: the same heads in the same order every time
	for _, w := range words {
		if len(w) > maxCompound || len(w) < minHead+3 || strings.ContainsAny(w, " -'") {
			continue
		}
		for k := 3; k <= len(w)-minHead; k++ {
			if !utf8.RuneStart(w[k]) {
				continue
			}
			st := l.an.Stem(w[k:])
			if _, ok := ix.Lookup(st); ok && len(st) >= minHead {
				if !slices.Contains(g.Stems, st) {
					g.Heads = appendUnique(g.Heads, st)
				}
				break
			}
		}
	}
}

// dutchPredicate moves the predicate of a Dutch question with an auxiliary
// or a modal to the verb at its end: "Waarom werd … een verzonnen
// zetelaantal in de video's gezet?", "Welke huisarts wil niet meedoen aan
// het spreekuur?". Without one the first content word after the question
// word is already the finite verb ("Wie stuurde de campagne aan?").
func dutchPredicate(words []analysis.Word, groups []TermGroup) {
	aux := -1
	for i, w := range words {
		if dutchAux[w.Folded] {
			aux = i
			break
		}
	}
	if aux < 0 {
		return
	}
	verb := -1
	for gi := len(groups) - 1; gi >= 0; gi-- {
		g := groups[gi]
		if g.Pos <= aux || g.Name || g.Number {
			continue
		}
		if f := words[g.Pos].Folded; dutchParticiple(f) || (strings.HasSuffix(f, "en") && particleOf(f) != "") {
			verb = gi
			break
		}
	}
	if verb < 0 {
		return
	}
	for gi := range groups {
		if groups[gi].Verb && gi != verb {
			groups[gi].Verb = false
			if !groups[gi].Name {
				groups[gi].Weight = 1
			}
		}
	}
	groups[verb].Verb, groups[verb].Weight = true, 1.5
}

// dutchParticiple reports whether f looks like a Dutch past participle:
// "gezet", "gegeven", "opgezet", "aangekondigd".
func dutchParticiple(f string) bool {
	if !strings.HasSuffix(f, "d") && !strings.HasSuffix(f, "t") && !strings.HasSuffix(f, "en") {
		return false
	}
	if rest, ok := strings.CutPrefix(f, "ge"); ok && len(rest) >= 3 {
		return true
	}
	for p := range particles {
		if rest, ok := strings.CutPrefix(f, p+"ge"); ok && len(rest) >= 2 {
			return true
		}
	}
	return false
}

// dutchAux are the Dutch auxiliaries and modals that send the main verb to
// the end of a question.
var dutchAux = map[string]bool{"heeft": true, "hebben": true, "had": true, "hadden": true, "is": true, "zijn": true,
	"was": true, "waren": true, "wordt": true, "worden": true, "werd": true, "werden": true, "kan": true, "kunnen": true,
	"kon": true, "konden": true, "zal": true, "zullen": true, "zou": true, "zouden": true, "wil": true, "willen": true,
	"wilde": true, "wilden": true, "moet": true, "moeten": true, "moest": true, "moesten": true, "mag": true,
	"mogen": true, "mocht": true, "mochten": true}

// maxCompound bounds the words (in bytes, folded) splitCompound tries:
// "arbeidsongeschiktheidsverzekering" has 33.
const maxCompound = 48

// splitCompound splits the Dutch compound f into two words of at least
// four letters that the index has, the first split from the left that
// works, a linking "s" or "e" dropped from the first part:
// "zetelaantal" -> "zetel", "aantal"; "verkiezingsuitslag" ->
// "verkiezing", "uitslag".
func (l *Librarian) splitCompound(f string, ix Corpus) (left, right string, ok bool) {
	if len(f) > maxCompound {
		return "", "", false // every split stems both parts: a hostile word would cost its length squared
	}
	has := func(w string) bool {
		_, ok := ix.Lookup(l.an.Stem(w))
		return ok
	}
	for k := 4; k <= len(f)-4; k++ {
		if !utf8.RuneStart(f[k]) {
			continue
		}
		l, r := f[:k], f[k:]
		if !has(r) {
			continue
		}
		if t, cut := strings.CutSuffix(l, "s"); cut && len(t) >= 4 && has(t) {
			return t, r, true
		}
		if has(l) {
			return l, r, true
		}
		if t, cut := strings.CutSuffix(l, "e"); cut && len(t) >= 4 && has(t) {
			return t, r, true
		}
	}
	return "", "", false
}

// dutchNumber writes an English-formatted number the Dutch way, swapping
// the thousands and decimal separators: "1,500" -> "1.500", "2.5" -> "2,5".
func dutchNumber(f string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ',':
			return '.'
		case '.':
			return ','
		}
		return r
	}, f)
}

// dutchContractions are Dutch prepositions fused with an old article
// ("ten onrechte", "ter plaatse"), missing from the stop word list; "ten"
// is no number in a Dutch question.
var dutchContractions = map[string]bool{"ten": true, "ter": true}

func joinText(ws []analysis.Word) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.Text
	}
	return strings.Join(parts, " ")
}

// dutchStems stems the single-word Dutch forms of a concept.
func (l *Librarian) dutchStems(forms []string) []string {
	var out []string
	for _, f := range forms {
		if !strings.Contains(f, " ") {
			out = appendUnique(out, l.an.Stem(f))
			continue
		}
		// a separable verb written with its particle contributes the verb
		// ("zegde toe" -> "zegde", "veroordeeld tot" -> "veroordeeld");
		// other multi-word forms ("eerste minister", "staat aan het
		// hoofd") would match their common words anywhere
		if w := strings.Fields(f); len(w) == 2 && particles[w[1]] && len(w[0]) >= 4 && !lightVerbs[w[0]] && !analysis.IsStopword(w[0]) {
			out = appendUnique(out, l.an.Stem(w[0]))
		}
	}
	return out
}

// nameRewrites map English transliterations of names to Dutch ones
// (Putin/Poetin, Prigozhin/Prigozjin, Zelensky/Zelenski, Khodorkovsky/Chodorkovski).
var nameRewrites = [][2]string{{"u", "oe"}, {"zh", "zj"}, {"sh", "sj"}, {"ch", "tsj"}, {"kh", "ch"}, {"y", "i"}, {"y", "j"}, {"j", "dzj"}, {"w", "v"}, {"v", "w"}, {"ts", "tz"}}

// maxVariantName bounds the names (in bytes, folded) that nameVariants
// respells: rewriting costs the name's length for every variant, and a
// hostile "name" of 30,000 letters took 14 s.
const maxVariantName = 64

// nameVariants returns Dutch spellings of an English-spelled name that occur
// in the index (all, when ix is nil).
func (l *Librarian) nameVariants(f string, ix Corpus) []string {
	seen := map[string]bool{f: true}
	frontier := []string{f}
	if len(f) > maxVariantName {
		frontier = nil // no name is that long: spell it only as written
	}
	for range 3 {
		var nextF []string
		for _, s := range frontier {
			for _, rw := range nameRewrites {
				for i := 0; i+len(rw[0]) <= len(s); i++ {
					if s[i:i+len(rw[0])] != rw[0] {
						continue
					}
					v := s[:i] + rw[1] + s[i+len(rw[0]):]
					if !seen[v] && len(seen) < 256 {
						seen[v] = true
						nextF = append(nextF, v)
					}
				}
			}
		}
		frontier = nextF
	}
	var out []string
	for v := range seen {
		st := l.an.Stem(v)
		if ix == nil {
			out = append(out, st)
			continue
		}
		if _, ok := ix.Lookup(st); ok {
			out = append(out, st)
		}
	}
	return out
}

// sameWordFamily reports whether two Dutch forms look like inflections of
// one word: they share their first three letters once a participle's "ge"
// is removed ("stuurde", "gestuurd"; "ontslaan", "ontsloeg").
func sameWordFamily(a, b string) bool {
	trim := func(s string) string {
		// a separable participle without its "ge": "ingebroken" ~ "inbraak"
		if p, rest, ok := separableParticiple(s); ok {
			return p + rest
		}
		if strings.HasPrefix(s, "ge") && len(s) > 5 {
			return s[2:]
		}
		return s
	}
	a, b = trim(a), trim(b)
	return len(a) >= 3 && len(b) >= 3 && a[:3] == b[:3]
}

// addSplitVerbs records the separable verbs among forms that are written
// apart ("gaf uit", "hield aan"), with particle p only when p is set: a
// sentence's "gaf" then matches g when "uit" follows it in the sentence.
// Their verbs join g's stems so that retrieval finds those sentences.
func (l *Librarian) addSplitVerbs(g *TermGroup, forms []string, p string) {
	for _, f := range forms {
		w := strings.Fields(f)
		if len(w) != 2 || !particles[w[1]] || (p != "" && w[1] != p) || analysis.IsStopword(w[0]) {
			continue
		}
		if g.Split == nil {
			g.Split = map[string]string{}
		}
		g.Split[w[0]] = w[1]
		g.Stems = appendUnique(g.Stems, l.an.Stem(w[0]))
	}
}

// particleOf is the separable particle a Dutch verb form starts with
// ("uitgeven", "uitgegeven": "uit"), or "".
func particleOf(f string) string {
	if p, _, ok := separableParticiple(f); ok {
		return p
	}
	for p := range particles {
		if rest, ok := strings.CutPrefix(f, p); ok && len(rest) >= 4 && strings.HasSuffix(rest, "en") {
			return p
		}
	}
	return ""
}

// separableParticiple splits the participle of a Dutch separable verb into
// its particle and the rest after "ge": "opgericht" -> "op", "richt".
func separableParticiple(f string) (particle, rest string, ok bool) {
	for p := range particles {
		if r, found := strings.CutPrefix(f, p+"ge"); found && len(r) >= 4 {
			return p, r, true
		}
	}
	return "", "", false
}

// speechWords are English verbs of saying; a question predicate among them
// is supported by any attribution in a sentence ("zei X", "aldus X").
var speechWords = map[string]bool{"say": true, "says": true, "said": true, "tell": true, "told": true,
	"call": true, "called": true, "calls": true, "claim": true, "claimed": true, "claims": true, "state": true,
	"stated": true, "describe": true, "described": true, "warn": true, "warned": true,
	"comment": true, "commented": true, "tweet": true,
	"tweeted": true, "write": true, "wrote": true, "noemde": true, "noemt": true}

// formSet returns the single-word forms of a lexicon entry as a set.
func formSet(forms []string) map[string]bool {
	m := make(map[string]bool, len(forms))
	for _, f := range forms {
		if !strings.Contains(f, " ") {
			m[f] = true
		}
	}
	return m
}

// futureWords mark a question about the future.
var futureWords = map[string]bool{"will": true, "zal": true, "zullen": true, "gaat": true, "gaan": true, "shall": true}

// lightVerbs are common Dutch verbs that carry no concept on their own in a
// multi-word lexicon form.
var lightVerbs = map[string]bool{"staan": true, "staat": true, "stond": true, "stonden": true, "geven": true,
	"geeft": true, "gaf": true, "gaven": true, "krijgen": true, "krijgt": true, "kreeg": true, "kregen": true,
	"maken": true, "maakt": true, "maakte": true, "doen": true, "doet": true, "deed": true, "komen": true,
	"komt": true, "kwam": true, "gaan": true, "gaat": true, "ging": true, "laten": true, "liet": true,
	"nemen": true, "neemt": true, "nam": true, "zetten": true, "houden": true, "houdt": true, "hield": true,
	"brengen": true, "brengt": true, "bracht": true, "leggen": true, "legt": true, "legde": true, "kunnen": true,
	"worden": true, "wordt": true, "werd": true, "hebben": true, "heeft": true, "zijn": true}

// particles are the separable parts of Dutch verbs and the prepositions a
// verb governs ("zegde toe", "veroordeeld tot").
var particles = map[string]bool{"toe": true, "door": true, "aan": true, "af": true, "op": true, "uit": true,
	"in": true, "mee": true, "over": true, "terug": true, "weg": true, "voor": true, "na": true, "bij": true,
	"om": true, "neer": true, "samen": true, "tot": true, "los": true, "vast": true}

// possessiveFollowedByNoun reports "Clinton's campaign chairman": a name in
// the possessive with more words after it, so the question asks for the
// holder of a role, not for the name's own role.
func possessiveFollowedByNoun(words []analysis.Word, i int) bool {
	for j := i; j < len(words); j++ {
		w := words[j].Text
		if strings.HasSuffix(w, "'s") || strings.HasSuffix(w, "’s") || strings.HasSuffix(w, "s'") {
			return j+1 < len(words)
		}
		if !isCapitalized(w) && !nameJoiners[words[j].Folded] {
			return false
		}
	}
	return false
}

// speech reports whether the question's predicate is a verb of saying.
func (q *question) speech() bool {
	for _, g := range q.Groups {
		if g.Speech {
			return true
		}
	}
	return false
}

// hasVerb reports whether the question has a predicate.
func (q *question) hasVerb() bool {
	for _, g := range q.Groups {
		if g.Verb {
			return true
		}
	}
	return false
}

// groupAt returns the index of the group that covers word w, or -1.
func groupAt(groups []TermGroup, words []analysis.Word, w int) int {
	for i, g := range groups {
		if g.Pos <= w && w < g.Pos+len(strings.Fields(g.Label)) {
			return i
		}
	}
	return -1
}

// sourceWords turn a where-question into a question about origin.
var sourceWords = map[string]bool{"from": true, "vandaan": true, "afkomstig": true, "origin": true, "herkomst": true}

// timesWords count how often something happened: "hoeveel keer".
var timesWords = map[string]bool{"times": true, "keer": true, "keren": true, "maal": true}

// countedGroup returns the group of the noun a how-many question counts,
// the word at pos right after "how many" / "hoeveel", or -1. A capital
// does not make it less the counted noun: "hoeveel Kamerleden", "how many
// Democrats".
func countedGroup(groups []TermGroup, pos int) int {
	return slices.IndexFunc(groups, func(g TermGroup) bool { return g.Pos == pos && !g.Number })
}

// Words that frame a question for a name: "what is X called", "hoe heet
// X", "what does X call itself", "hoe noemt X zich".
var (
	calledWords   = map[string]bool{"called": true, "named": true}
	heetWords     = map[string]bool{"heet": true, "heten": true, "heette": true, "heetten": true}
	noemtWords    = map[string]bool{"noemt": true, "noemen": true, "noemde": true, "noemden": true}
	reflexiveSelf = map[string]bool{"itself": true, "themselves": true, "himself": true, "herself": true, "zich": true, "zichzelf": true}
	// namingCues stand right before a name in an article: "heet Alle
	// Rembrandts", "een groep genaamd BlackVault"
	namingCues = map[string]bool{"heet": true, "heten": true, "heette": true, "heetten": true, "genaamd": true,
		"getiteld": true, "naam": true, "called": true, "named": true, "titel": true}
	nameWords = map[string]bool{"name": true, "names": true, "naam": true, "namen": true, "title": true, "titel": true}
)

// namingFrame recognises a question for the name of a thing, with the
// question word at qi: "What is the name of the channel …", "Wat is de
// naam van …", "What is the program … called?", "What does the gang …
// call itself?", "Hoe heet de tocht …", "Hoe noemt de groep zich?". It
// returns the position of the named thing's first word past its article,
// the positions of the frame's own words, and whether it matched.
func namingFrame(words []analysis.Word, qi int) (int, []int, bool) {
	if qi < 0 || qi+2 >= len(words) {
		return 0, nil, false
	}
	w := func(i int) string { return foldedAt(words, i) }
	pastArticle := func(i int) int {
		if determiners[w(i)] && i+1 < len(words) {
			return i + 1
		}
		return i
	}
	last := len(words) - 1
	switch f := w(qi); {
	case (f == "what" || f == "wat") && copulas[w(qi+1)] && determiners[w(qi+2)] && nameWords[w(qi+3)] && (w(qi+4) == "of" || w(qi+4) == "van") && qi+5 <= last:
		return pastArticle(qi + 5), []int{qi + 1, qi + 2, qi + 3, qi + 4}, true
	case f == "what" && copulas[w(qi+1)] && calledWords[w(last)] && last > qi+2:
		return pastArticle(qi + 2), []int{qi + 1, last}, true
	case f == "what" && (w(qi+1) == "does" || w(qi+1) == "do" || w(qi+1) == "did"):
		for i := qi + 3; i < last; i++ {
			if w(i) == "call" && reflexiveSelf[w(i+1)] {
				return pastArticle(qi + 2), []int{qi + 1, i, i + 1}, true
			}
		}
	case f == "hoe" && heetWords[w(qi+1)]:
		return pastArticle(qi + 2), []int{qi + 1}, true
	case f == "hoe" && noemtWords[w(qi+1)]:
		for i := qi + 3; i <= last; i++ {
			if reflexiveSelf[w(i)] {
				return pastArticle(qi + 2), []int{qi + 1, i}, true
			}
		}
	}
	return 0, nil, false
}

// placesOfAdjective spells the places a Dutch adjective of origin may be
// made from: "emmense" -> emmen, "drentse" -> drenthe, "antwerpse" ->
// antwerpen, "friese" -> friesland.
func placesOfAdjective(f string) []string {
	base, ok := strings.CutSuffix(f, "sche")
	if !ok {
		base, ok = strings.CutSuffix(f, "se")
	}
	if !ok || len(base) < 3 {
		return nil
	}
	out := []string{base}
	for _, end := range []string{"en", "e", "he", "land"} {
		out = append(out, base+end)
	}
	return out
}

// knownFocus reports whether folded word f names a kind of answer: a
// person's role, an organisation, a place or a country.
func (l *Librarian) knownFocus(f string) bool {
	return l.lex.isFocus("person", f) || l.lex.isFocus("org", f) || l.lex.isFocus("place", f) || l.lex.isFocus("country", f) ||
		l.lex.roles[f] || l.lex.orgHeads[f]
}

// focusNoun is the word whose kind a question's focus noun f (after word
// prev, or "") is judged by: f itself, or, for an English word the lists
// do not know, its Dutch translation that names an organisation ("which
// hacker collective": "collectief"; the hacker only modifies it). Verb
// forms keep their own word.
func (l *Librarian) focusNoun(prev, f string, en bool) string {
	if !en || l.knownFocus(f) || l.lex.enPast[f] || strings.HasSuffix(f, "ed") || strings.HasSuffix(f, "ing") {
		return f
	}
	// only an organisation, and only when no translation names another
	// kind: a translation's other kinds mislead more often than not
	// ("ground": land, a country; "posted": plaatsen, places; "polling
	// station": station, a place, or zender, a broadcaster)
	nl, _ := l.lex.translate(f)
	if prev != "" {
		if pl, ok := l.lex.en[prev+" "+f]; ok {
			nl = pl // "polling station": a stembureau, not a zender
		}
	}
	org := ""
	for _, d := range nl {
		switch {
		case l.lex.isFocus("place", d) || l.lex.isFocus("country", d) || l.lex.isFocus("person", d) || l.lex.roles[d] || isPlaceNoun(d):
			return f
		case org == "" && (l.lex.isFocus("org", d) || l.lex.orgHeads[d]):
			org = d
		}
	}
	if org != "" {
		return org
	}
	return f
}

// englishVerbAt reports whether words[i] reads as an English verb in -s:
// one before an article, "to" or "that" ("which group owns the …",
// "which group wants to …").
func englishVerbAt(words []analysis.Word, i int) bool {
	if !strings.HasSuffix(words[i].Folded, "s") || i+1 >= len(words) {
		return false
	}
	n := words[i+1].Folded
	return determiners[n] || n == "to" || n == "that"
}
