package answer

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/briefings/article"
)

// tok is one word of a candidate sentence, annotated against the question.
type tok struct {
	analysis.Word
	cap   bool      // starts with a capital letter
	stop  bool      // a stop word
	gap   bool      // punctuation (not just space) separates it from the previous word
	class wordClass // what the lexicon's lists say of the word
	group int       // index of the question group it matches, or -1
	match float64   // 1 for an exact match, less for a compound part
	pre   string    // the text between the previous word (or the start) and this one
	// clause counts the clause breaks (clauseBreak) up to this word
	clause int
	// also lists the other question groups the word supports at the same
	// time: the compound "griepvaccinatie" is both "flu" and "vaccination".
	also []groupMatch
}

// inGroup reports whether the word supports question group g, as its
// own group or as one of the others ("onderzoeksorganisatie" is
// "research" and "organisation").
func (t *tok) inGroup(g int) bool {
	return t.group == g || slices.ContainsFunc(t.also, func(m groupMatch) bool { return m.group == g })
}

// groupMatch is a word's support for one question group.
type groupMatch struct {
	group int
	match float64
}

// candidate is a possible short answer inside a sentence.
type candidate struct {
	start, end int // token range [start, end)
	kind       entityKind
	text       string
	score      float64 // 0..1: how well it fits the question, before sentence support
	fit        float64 // how well its kind fits the question (set by scoreCandidate)
	prox       float64 // closeness to the question's matched words (set by scoreCandidate)
	typed      bool    // found by the question type's own span finder
}

var (
	nameJoiners = map[string]bool{"van": true, "de": true, "der": true, "den": true, "von": true, "al": true, "aan": true, "op": true,
		"bin": true, "ter": true, "ten": true, "le": true, "la": true, "du": true, "del": true, "da": true, "di": true, "the": true}
	speechVerbs = map[string]bool{"zei": true, "zegt": true, "zeggen": true, "aldus": true, "volgens": true, "schrijft": true,
		"schreef": true, "meldt": true, "meldde": true, "stelt": true, "stelde": true, "verklaarde": true, "twitterde": true,
		"noemde": true, "noemt": true, "liet": true, "vond": true, "zeiden": true, "waarschuwde": true, "benadrukte": true}
	negations = map[string]bool{"niet": true, "geen": true, "nooit": true, "not": true, "no": true, "never": true, "nee": true}
)

// answerMemo is what one examination of a question reuses from sentence
// to sentence.
type answerMemo struct {
	// toks memoises annotate by text: an answer annotates a sentence's
	// context (the previous sentence, the title) for coverage and for
	// missing names, and that context is often itself examined.
	toks  map[string][]tok
	words []analysis.Word // annotateText's scratch
	more  []candidate     // allCandidates' scratch
	cands []candidate     // allCandidates' result, reused for each sentence
}

func newAnswerMemo() *answerMemo { return &answerMemo{toks: make(map[string][]tok, 64)} }

// annotate splits a sentence into annotated tokens for q. With q.memo the
// tokens are shared: callers must not change them.
func (l *Librarian) annotate(q *question, text string) []tok {
	m := q.memo
	if m == nil {
		return l.annotateText(q, text, nil)
	}
	if toks, ok := m.toks[text]; ok {
		return toks
	}
	toks := l.annotateText(q, text, m)
	m.toks[text] = toks
	return toks
}

func (l *Librarian) annotateText(q *question, text string, m *answerMemo) []tok {
	var words []analysis.Word
	if m != nil {
		m.words = analysis.AppendWords(m.words[:0], text)
		words = m.words
	} else {
		words = analysis.AppendWords(make([]analysis.Word, 0, 8+len(text)/6), text)
	}
	toks := make([]tok, len(words))
	var msBuf [8]groupMatch
	speech := false // a group of saying: "zei" then supports it
	for _, g := range q.Groups {
		speech = speech || g.Speech
	}
	for i, w := range words {
		info, known := l.lex.word(w.Folded)
		t := tok{Word: w, cap: isCapitalized(w.Text), stop: info.class&wStop != 0, class: info.class, group: -1}
		if i > 0 {
			t.pre = text[words[i-1].End:w.Start]
			t.gap = strings.TrimSpace(t.pre) != ""
			t.clause = toks[i-1].clause
			if clauseBreak(t) {
				t.clause++
			}
		} else {
			t.pre = text[:w.Start]
		}
		st := info.stem
		if !known {
			st = l.an.Stem(w.Folded)
		}
		if speech && t.class&wSpeech != 0 {
			for gi, g := range q.Groups {
				if g.Speech && t.match < 0.8 {
					t.match, t.group = 0.8, gi // "zei Graham" supports "who called …"
				}
			}
		}
		// a hyphenated word meets a group through its parts: "NCSC-directeur"
		// names the NCSC, "CDA-leider" the CDA
		var partBuf [4]string
		parts := partBuf[:0]
		if strings.IndexByte(w.Folded, '-') > 0 {
			for p := range strings.SplitSeq(w.Folded, "-") {
				if len(p) >= 2 && len(parts) < len(partBuf) {
					parts = append(parts, l.an.Stem(p))
				}
			}
		}
		ms := msBuf[:0]
		for gi, g := range q.Groups {
			best := 0.0
			if g.Verb && t.cap && i > 0 && !strings.ContainsAny(t.pre, "\"“”:") {
				// a verb is not capitalised inside a Dutch sentence: the
				// city of Leiden does not lead
				continue
			}
			if p, ok := g.Split[w.Folded]; ok && particleFollows(words[i+1:], p) {
				best = 1 // "Verschuren gaf het geld uit aan …" for "spend"
			}
			if g.Exact && !g.Forms[w.Folded] {
				continue
			}
			for _, s := range g.Stems {
				m := 0.0
				switch {
				case s == st && (len(s) >= 5 || g.Forms == nil || g.Forms[w.Folded] || s == g.Own):
					m = 1
					if g.Soft[s] {
						m = softMatch
					}
				case len(parts) > 0 && slices.Contains(parts, s):
					m = 0.9
				case !t.stop && len(s) >= 5 && len(st) > len(s)+2 && !g.Name && !g.Number &&
					(strings.HasPrefix(st, s) || strings.HasSuffix(st, s)):
					m = 0.7 // a part of a Dutch compound: "verkiezingsdag" ~ "verkiez"
				}
				best = max(best, m)
			}
			for _, h := range g.Heads {
				if best < siblingMatch && !t.stop && (st == h || slices.Contains(parts, h) || (len(st) > len(h)+2 && strings.HasSuffix(st, h))) {
					best = siblingMatch // "DDoS-aanval" for "cyberaanval"
				}
			}
			if best > 0 {
				ms = append(ms, groupMatch{gi, best})
			}
		}
		// the strongest match is the word's group (earlier groups win ties)
		for _, gm := range ms {
			if gm.match > t.match {
				t.group, t.match = gm.group, gm.match
			}
		}
		for _, gm := range ms {
			if gm.group != t.group {
				t.also = append(t.also, gm)
			}
		}
		toks[i] = t
	}
	return toks
}

// siblingMatch is how well a sentence word meets a question group through
// a compound head they share (TermGroup.Heads).
const siblingMatch = 0.5

// softMatch is how well a sentence word meets a question group through a
// synonym (TermGroup.Soft) rather than the question's own word.
const softMatch = 0.8

// particleFollows reports whether particle p stands among the next words
// of the clause: "gaf het geld volgens de rechtbank uit".
func particleFollows(words []analysis.Word, p string) bool {
	for i, w := range words {
		if i >= 12 {
			break
		}
		if w.Folded == p {
			return true
		}
	}
	return false
}

// spanFinds finds a sentence's entity, number and date spans once,
// for the question type's own finder and for the others: the slices are
// shared, so users copy the candidates out and change the copies.
type spanFinds struct {
	l                *Librarian
	toks             []tok
	ents, nums, dats []candidate
	done             uint8 // bits: ents, nums, dats found
}

func (sp *spanFinds) entities() []candidate {
	if sp.done&1 == 0 {
		sp.ents, sp.done = sp.l.entitySpans(sp.toks), sp.done|1
	}
	return sp.ents
}

func (sp *spanFinds) numbers() []candidate {
	if sp.done&2 == 0 {
		sp.nums, sp.done = numberSpans(sp.l.lex, sp.toks), sp.done|2
	}
	return sp.nums
}

func (sp *spanFinds) dates() []candidate {
	if sp.done&4 == 0 {
		sp.dats, sp.done = sp.l.dateSpans(sp.toks), sp.done|4
	}
	return sp.dats
}

// candidates finds the spans in toks that could answer q (sp: the
// sentence's entity, number and date spans, found once).
func (l *Librarian) candidates(q *question, toks []tok, art *article.Article, sp *spanFinds) []candidate {
	var out []candidate
	add := func(c candidate) {
		c.text = spanText(toks, c.start, c.end)
		if l.articleSurname(toks, c, art) {
			c.kind = entPerson // "Brinkman, die …": the article named "Lotte Brinkman" before
		}
		if strings.TrimSpace(c.text) != "" {
			out = append(out, c)
		}
	}
	switch q.Type {
	case qWhoIs:
		out = append(out, l.roleSpans(q, toks)...)
	case qHowMany:
		for _, c := range sp.numbers() {
			add(c)
			// the answer names what it counts: "ongeveer 340 ambtenaren"
			// for "how many civil servants" (the noun stays out of the
			// span its features describe: it is the question's own word)
			if n := len(out); n > 0 && out[n-1].start == c.start && q.counted >= 0 && c.end < len(toks) && !toks[c.end].gap && toks[c.end].inGroup(q.counted) {
				out[n-1].text = spanText(toks, c.start, c.end+1)
			}
		}
	case qWhen:
		for _, c := range sp.dates() {
			add(c)
		}
	case qWhy:
		for _, c := range reasonClauses(toks) {
			add(c)
		}
	case qWhere:
		if q.Source {
			// "het geld komt uit de winsten op bevroren tegoeden"
			if c, ok := clauseAfter(toks, wSource, 8); ok {
				c.score = 0.3
				add(c)
			}
		}
		for _, c := range sp.entities() {
			add(c)
		}
		for _, c := range commonPlaces(toks) {
			add(c)
		}
	case qHow:
		out = append(out, l.mannerSpans(q, toks)...)
	case qWhat, qOther:
		if q.speech() {
			for _, c := range quoteSpans(toks) {
				add(c)
			}
		}
		// names and numbers come as every question's candidates, not as
		// a what-question's own: "op zo'n 200 meter afstand" is no
		// answer to what the archaeologists found
		out = append(out, l.phraseSpans(q, toks)...)
	case qWhich:
		out = append(out, l.focusSpans(q, toks)...)
		for _, c := range sp.entities() {
			add(c)
		}
	default:
		for _, c := range sp.entities() {
			add(c)
		}
	}
	for i := range out {
		if out[i].kind == entPhrase && out[i].start >= 0 && !hasContent(toks[out[i].start:out[i].end]) {
			continue // "werd", "en het": no answer
		}
		l.scoreCandidate(q, toks, &out[i])
	}
	// the only span of a fitting kind in a supporting sentence is likely
	// the answer, however far from the question's words it stands
	fitting := -1
	for i, c := range out {
		if c.score > 0 && kindFit(q, c.kind) >= 0.5 {
			if fitting >= 0 {
				fitting = -2
				break
			}
			fitting = i
		}
	}
	if fitting >= 0 {
		out[fitting].score = clamp01(out[fitting].score + 0.15)
	}
	if q.Type == qWhen && art != nil && !art.Date.IsZero() {
		// "vorige week" means little without the article's date
		for i, c := range out {
			if c.kind == entDate && c.start >= 0 && isRelativeDate(l.lex, toks[c.start:c.end]) {
				out[i].text += " (" + art.Date.String() + ")"
			}
		}
	}
	if q.Type == qWhen && art != nil && !art.Date.IsZero() && !q.Future {
		// the article's date answers "when" when the sentence has none
		out = append(out, candidate{start: -1, end: -1, kind: entDate, text: art.Date.String(), score: 0.55})
	}
	return out
}

func spanText(toks []tok, start, end int) string {
	if start < 0 || end > len(toks) || start >= end {
		return ""
	}
	var b strings.Builder
	for i := start; i < end; i++ {
		switch {
		case i > start && toks[i].pre == ":" && isDigits(toks[i-1].Text) && isDigits(toks[i].Text):
			b.WriteByte(':') // "18:00"
		case i > start && strings.HasPrefix(toks[i].pre, "-") && strings.TrimSpace(toks[i].pre) == "-":
			b.WriteString("- ") // "Inlichtingen- en Opsporingsdienst"
		case i > start:
			b.WriteByte(' ')
		}
		b.WriteString(toks[i].Text)
	}
	return b.String()
}

// entitySpans returns runs of capitalised words (names), numbers and dates,
// classified by kind.
func (l *Librarian) entitySpans(toks []tok) []candidate {
	var out []candidate
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if !t.cap || (i == 0 && (t.stop || t.class&(wSpeech|wWeakPrep|wPlacePrep|wReason) != 0 || pronominalAdverb(t.Folded) ||
			sentenceAdverbs[t.Folded] || indefinitePronouns[t.Folded])) {
			continue // "Volgens Trump …", "Daarvoor is …", "Verder …": a capitalised sentence opener is no name
		}
		j := i + 1
		for j < len(toks) && (!toks[j].gap || initialBefore(toks, j) || suspendedJoin(toks, j)) {
			if toks[j].cap {
				j++
				continue
			}
			// "Fiscale Inlichtingen- en Opsporingsdienst": the first part's
			// head left out, the name goes on after "en"
			if suspendedJoin(toks, j) {
				j += 2
				continue
			}
			// "Rijksdienst voor Ondernemend Nederland", "commissie voor
			// Inlichtingen en Veiligheid", "Rijksdienst voor het Cultureel
			// Erfgoed": "voor" after an organisation noun
			if toks[j].Folded == "voor" && j+1 < len(toks) && !toks[j+1].gap &&
				(toks[j-1].class&wOrgHead != 0 || endsWithOrgHead(l.lex, toks[j-1].Folded)) {
				if toks[j+1].cap {
					j += 2
					continue
				}
				if (toks[j+1].Folded == "de" || toks[j+1].Folded == "het") && j+2 < len(toks) && toks[j+2].cap && !toks[j+2].gap {
					j += 3
					continue
				}
			}
			// joiners inside a name: "Van der Laan", "Meet the Press"
			k := j
			for k < len(toks) && !toks[k].gap && toks[k].class&wJoiner != 0 && !toks[k].cap {
				k++
			}
			// a country adjective joins only after one joiner, in a name with
			// no first name, and when a name goes on after it: "Vereniging van
			// Nederlandse Gemeenten", not "Peskov van Russische", nor "Ursula
			// von der Leyen van de Europese Commissie"
			adjGoesOn := k < len(toks) && (toks[k].class&wCountryAdj == 0 ||
				(k == j+1 && k+1 < len(toks) && toks[k+1].cap && !toks[k+1].gap && !hasFirstName(toks[i:j])))
			if k > j && k < len(toks) && toks[k].cap && !toks[k].gap && adjGoesOn {
				j = k + 1
				continue
			}
			break
		}
		// "FBI-directeur Christopher Wray": the role is not part of the name
		for i+1 < j && strings.ContainsRune(toks[i].Text, '-') && endsWithRole(l.lex, toks[i].Folded) {
			i++
		}
		// "het Kremlin Dmitri Peskov", "Naast Bart De Wever": a first name
		// and a surname inside a run start a name of their own (a role
		// before them stays: "Burgemeester Sharon Dijksma" answers as is)
		if k := innerFirstName(toks, i, j); k > i && toks[i].class&wRole == 0 {
			if kind := l.classify(toks, i, k); kind != entNone && !(k-i == 1 && isInitial(toks[i].Text)) {
				out = append(out, candidate{start: i, end: k, kind: kind})
			}
			i = k
		} else if k > i {
			// and the name alone, for a question that names the role:
			// "Minister van Justitie Hilde Verbeke" for "the Justice minister"
			if kind := l.classify(toks, k, j); kind == entPerson {
				out = append(out, candidate{start: k, end: j, kind: kind})
			}
		}
		if j-i == 1 && isInitial(toks[i].Text) {
			i = j - 1
			continue // a lone initial ("J") names no one
		}
		kind := l.classify(toks, i, j)
		if kind != entNone {
			out = append(out, candidate{start: i, end: j, kind: kind})
			// coordinated entities of one kind: "Rusland en Iran"
		}
		i = j - 1
	}
	return out
}

// suspendedJoin reports whether toks[j] is the "en" (or "of") of a
// suspended compound inside a name, "Inlichtingen- en Opsporingsdienst":
// the word before it ends in a hyphen and a capitalised word follows.
func suspendedJoin(toks []tok, j int) bool {
	if j == 0 || j+1 >= len(toks) || strings.TrimSpace(toks[j].pre) != "-" || !strings.HasPrefix(toks[j].pre, "-") {
		return false
	}
	f := toks[j].Folded
	return (f == "en" || f == "of") && toks[j+1].cap && !toks[j+1].gap
}

// classify tells what kind of entity toks[i:j] names.
func (l *Librarian) classify(toks []tok, i, j int) entityKind {
	full := toks[i].Folded
	if j-i > 1 {
		parts := make([]string, 0, j-i)
		for k := i; k < j; k++ {
			parts = append(parts, toks[k].Folded)
		}
		full = strings.Join(parts, " ")
	}
	prev, prevC := "", l.lex.classOf("")
	if i > 0 && !toks[i].gap {
		prev, prevC = toks[i-1].Folded, toks[i-1].class
	}
	first := toks[i]
	if placeAdjective(first) && first.cap && (first.class&wFirstName == 0 || (j-i >= 2 && toks[i+1].class&wFirstName != 0)) {
		// "de Canadese Claire Dubois", "het Groningse Winsum": an
		// adjective of origin before a name says where it is from; a
		// name of a known kind decides the kind ("Noor Visser": a given
		// name, for "Noor" is also a Norwegian)
		if j-i >= 2 && toks[i+1].cap {
			switch k := l.classify(toks, i+1, j); k {
			case entPerson, entPlace, entCountry:
				return k
			case entOrg, entName:
				// "in het Russische Kazan", "uit het Limburgse Heerlen":
				// a place, which Dutch makes neuter
				if i >= 2 && prev == "het" && !toks[i-1].gap && inOutPreps[toks[i-2].Folded] {
					return entPlace
				}
				if k == entOrg {
					return k
				}
			}
		}
		// "Groningse" before a noun ("het Groningse dorp") is an
		// adjective, no place; before a preposition it is a name ("in
		// Overijse na een solo")
		if j-i == 1 && j < len(toks) && !toks[j].gap && !toks[j].cap && first.class&wCountryAdj == 0 &&
			(!toks[j].stop || toks[j].Folded == "en" || toks[j].Folded == "of") {
			return entCountryAdj
		}
	}
	switch {
	case first.class&(wMonth|wWeekday) != 0:
		return entDate
	case l.lex.countryAdj[full] || (j-i == 1 && first.class&wCountryAdj != 0):
		return entCountryAdj
	case l.lex.countries[full] != "":
		return entCountry
	case l.lex.places[full]:
		return entPlace
	case l.lex.orgs[full]:
		return entOrg
	case j-i > 1 && endsInCommonNoun(toks[j-1].Text):
		return entName // "James Webb-ruimtetelescoop", "Frans Hals-museum": a thing named after someone
	case j-i > 1 && (toks[j-1].class&wOrgHead != 0 || endsWithOrgHead(l.lex, toks[j-1].Folded)):
		return entOrg // "Frans Hals Museum", "Jeroen Bosch Ziekenhuis": named after someone, an institution
	case first.class&wFirstName != 0 && j-i > 1, prevC&wRole != 0, endsWithRole(l.lex, prev),
		first.class&wRole != 0 && (hasFirstName(toks[i+1:j]) || (j-i >= 3 && toks[i+1].cap && toks[j-1].cap)): // "Burgemeester Sharon Dijksma", "Burgemeester Annemiek Hoogland"
		return entPerson
	case first.class&wRole != 0 && j-i == 2 && toks[i+1].cap && !isAcronym(toks[i+1].Text) && len(l.lex.nl[toks[i+1].Folded]) == 0 &&
		!l.lex.places[toks[i+1].Folded] && !l.lex.orgs[toks[i+1].Folded] && l.lex.countries[toks[i+1].Folded] == "":
		return entPerson // "Woordvoerder Kamphuis": a role and a surname
	case prevC&wOrgHead != 0:
		return entOrg
	case l.placeHeadIn(toks, i, j):
		return entPlace // "Paleis Huis ten Bosch", "Koninklijke Militaire School"
	case l.lex.isFocus("place", prev):
		return entPlace // "de gemeenten Haacht en Keerbergen", "de regio Fujian"
	case isAcronym(first.Text) && j-i == 1 && first.class&wFirstName == 0:
		return entOrg // "volgens CEDMO": an acronym names an organisation, not a speaker
	case first.class&wFirstName != 0 || prevC&wSpeech != 0:
		return entPerson
	case strings.ContainsRune(first.Text, '-') && j-i == 1:
		return entPhrase
	case prevC&wPlacePrep != 0:
		return entPlace
	case i == 0 && j-i == 1 && first.class&wFirstName == 0 && len(l.lex.nl[first.Folded]) > 0:
		return entPhrase // "Hackers hebben …": a common word, capitalised as the sentence opens
	case i == 0 && j-i == 1 && j < len(toks) && toks[j].class&(wAux|wSpeech) != 0:
		return entOrg // "Meta heeft …": a subject, person or organisation
	case i == 0 && j-i == 1:
		return entPhrase // a capitalised first word: likely just the sentence start
	case l.orgCue(toks, i, j):
		return entOrg
	}
	return entName
}

// inOutPreps are the prepositions of "in het Russische Kazan", "uit het
// Limburgse Heerlen".
var inOutPreps = map[string]bool{"in": true, "uit": true, "te": true, "nabij": true, "vanuit": true}

// placeAdjective reports whether t is an adjective of origin: a demonym
// the lexicon knows ("Russische") or a word formed from a place name with
// -se or -sche ("Groningse", "Utrechtsche").
func placeAdjective(t tok) bool {
	f := t.Folded
	return t.class&wCountryAdj != 0 || (len(f) > 5 && (strings.HasSuffix(f, "se") || strings.HasSuffix(f, "sche")) && !strings.HasSuffix(f, "ese"))
}

// pronominalAdverb reports whether w (folded) is a Dutch pronominal adverb,
// daar/hier/waar/er with a preposition ("daarvoor", "hierdoor", "ermee"): a
// word, however capitalised at the start of a sentence.
func pronominalAdverb(w string) bool {
	for _, pre := range [...]string{"daar", "hier", "waar", "er"} {
		if rest, ok := strings.CutPrefix(w, pre); ok && pronominalPreps[rest] {
			return true
		}
	}
	return false
}

// sentenceAdverbs are Dutch adverbs that open a sentence and link it to the
// one before ("Verder …", "Inmiddels …"); the stop-word list lacks them.
var sentenceAdverbs = map[string]bool{"verder": true, "daarnaast": true, "bovendien": true, "inmiddels": true,
	"intussen": true, "ondertussen": true, "vervolgens": true, "tegelijk": true, "tegelijkertijd": true, "eerder": true,
	"later": true, "nadien": true, "daarna": true, "sindsdien": true, "destijds": true, "momenteel": true, "wel": true,
	"alleen": true, "zelfs": true, "vooral": true, "eveneens": true, "overigens": true, "uiteindelijk": true,
	"aanvankelijk": true, "tevens": true, "echter": true, "daarom": true, "immers": true, "namelijk": true,
	"wellicht": true, "misschien": true, "mogelijk": true, "bijvoorbeeld": true, "kortom": true, "opvallend": true,
	"helaas": true, "gelukkig": true, "eerst": true, "hierna": true, "daarentegen": true, "bovenal": true,
	"zodoende": true, "ditmaal": true, "voorlopig": true, "binnenkort": true, "straks": true}

// indefinitePronouns open a sentence capitalised and name no one:
// "Iedereen kan stemmen".
var indefinitePronouns = map[string]bool{"iedereen": true, "niemand": true, "iemand": true, "alles": true, "niets": true,
	"allen": true, "velen": true, "sommigen": true, "beiden": true, "anderen": true, "everyone": true, "everybody": true,
	"nobody": true, "someone": true, "somebody": true, "everything": true, "nothing": true}

var pronominalPreps = map[string]bool{"aan": true, "achter": true, "bij": true, "binnen": true, "boven": true, "buiten": true,
	"door": true, "in": true, "langs": true, "mee": true, "na": true, "naar": true, "naast": true, "om": true, "onder": true,
	"op": true, "over": true, "tegen": true, "toe": true, "tussen": true, "uit": true, "van": true, "voor": true, "zonder": true}

// endsInCommonNoun reports whether a hyphenated word ends in a lower-case
// noun: "Webb-ruimtetelescoop" (not "Jean-Claude", "Hilversum-Noord").
func endsInCommonNoun(w string) bool {
	k := strings.LastIndexByte(w, '-')
	if k < 0 || len(w)-k-1 < 4 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(w[k+1:])
	return unicode.IsLower(r)
}

// hasFirstName reports whether a first name is among ts.
func hasFirstName(ts []tok) bool {
	for _, t := range ts {
		if t.class&wFirstName != 0 {
			return true
		}
	}
	return false
}

// placeHeads are the nouns that make a name a place one can be at: a
// building, a site, a street.
var placeHeads = map[string]bool{"paleis": true, "kasteel": true, "museum": true, "stadion": true, "station": true,
	"luchthaven": true, "vliegveld": true, "airport": true, "haven": true, "kerk": true, "kathedraal": true,
	"plein": true, "school": true, "academie": true, "kazerne": true, "gevangenis": true, "hotel": true,
	"palace": true, "castle": true, "stadium": true, "square": true, "church": true}

// placeSuffixes end street and square names written as one word.
var placeSuffixes = []string{"straat", "plein", "laan", "gracht", "kade", "paleis", "stadion"}

// commonPlaceSuffixes end the common nouns of places one can be at:
// "stadhuisplein", "provinciehuis", "vakantiepark", "sporthal".
var commonPlaceSuffixes = []string{"plein", "straat", "huis", "park", "station", "haven", "markt", "kerk", "school",
	"zaal", "hal", "terrein", "kantoor", "kantoren", "gebouw", "fabriek", "kazerne", "gevangenis", "ambassade",
	"stadion", "museum", "vliegveld", "luchthaven", "camping", "dorp", "wijk", "buurt", "kade", "strand"}

// commonPlaces finds where-answers written without a name: a place noun
// after a preposition of place, with its article and adjectives ("op het
// stadhuisplein", "in het provinciehuis"); the span leaves the preposition
// out. Words the question itself uses are no answer.
func commonPlaces(toks []tok) []candidate {
	var out []candidate
	for i := 0; i+1 < len(toks); i++ {
		switch toks[i].Folded {
		case "op", "in", "bij", "aan", "naar", "uit", "vanuit":
		default:
			continue
		}
		start := i + 1
		j := start
		if j < len(toks) && (toks[j].Folded == "de" || toks[j].Folded == "het" || toks[j].Folded == "een") {
			j++
		}
		// at most two adjectives: lower-case words that are no stop words
		for k := 0; k < 2 && j+1 < len(toks) && !toks[j].cap && !toks[j].stop && !toks[j].gap && !isPlaceNoun(toks[j].Folded); k++ {
			j++
		}
		if j >= len(toks) || toks[j].cap || toks[j].gap || toks[j].group >= 0 || !isPlaceNoun(toks[j].Folded) {
			continue
		}
		end := capRunEnd(toks, j+1) // its name: "basisschool De Zeester"
		// and the town it stands in: "het ziekenhuis in Deventer", "een
		// sporthal in Vlamertinge"; not a town the question names
		if end+1 < len(toks) && !toks[end].gap && !toks[end+1].gap && (toks[end].Folded == "in" || toks[end].Folded == "te") && toks[end+1].cap &&
			toks[end+1].group < 0 {
			end = capRunEnd(toks, end+2)
		}
		out = append(out, candidate{start: start, end: end, kind: entPlace, score: 0.4})
	}
	return out
}

// isPlaceNoun reports whether a folded word is the common noun of a place.
func isPlaceNoun(f string) bool {
	if placeHeads[f] {
		return true
	}
	for _, suf := range commonPlaceSuffixes {
		if len(f) > len(suf)+2 && strings.HasSuffix(f, suf) {
			return true
		}
	}
	return false
}

// placeHeadIn reports whether the name toks[i:j] has a place noun as one
// of its words, or ends in a street or square suffix ("Malieveld" does not;
// "Museumplein" does).
func (l *Librarian) placeHeadIn(toks []tok, i, j int) bool {
	if j-i == 1 {
		f := toks[i].Folded
		for _, suf := range placeSuffixes {
			if len(f) > len(suf)+2 && strings.HasSuffix(f, suf) {
				return true
			}
		}
		return false // a lone "Paleis" or "School" is a word, not a name
	}
	for k := i; k < j; k++ {
		if placeHeads[toks[k].Folded] {
			return true
		}
	}
	return false
}

// isInitial reports whether s is one capital letter, as "J" of "J.D. Vance".
func isInitial(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	return n == len(s) && unicode.IsUpper(r)
}

// initialBefore reports whether toks[j] continues a name across the full
// stop of an initial: "J.D. Vance", "G.W. Bush".
func initialBefore(toks []tok, j int) bool {
	return j > 0 && toks[j].cap && isInitial(toks[j-1].Text) && strings.TrimSpace(toks[j].pre) == "."
}

// innerFirstName returns the index of a first name inside the name run
// toks[i:j] that starts a person's name after words that are no first
// names ("Kremlin Dmitri Peskov"), or -1.
func innerFirstName(toks []tok, i, j int) int {
	if j-i < 3 || toks[i].class&wFirstName != 0 || isInitial(toks[i].Text) {
		return -1
	}
	for k := i + 1; k < j-1; k++ {
		if toks[k].class&wFirstName != 0 {
			if toks[k-1].class&wJoiner != 0 {
				return -1 // "Van der Meer", "Huis ten Bosch"
			}
			return k
		}
	}
	return -1
}

// orgCue reports whether the name toks[i:j] looks like an organisation
// rather than a person: it has an organisation noun ("Dienst",
// "Westfriesziekenhuis") or an acronym beside other words ("Clinical
// Diagnostics NMDL"), or a neuter article stands before it ("het
// Amerikaanse Congres").
func (l *Librarian) orgCue(toks []tok, i, j int) bool {
	if i > 0 && !toks[i].gap && (toks[i-1].Folded == "het" || toks[i-1].Folded == "the") {
		return true
	}
	for k := i; k < j; k++ {
		t := toks[k]
		if t.class&wOrgHead != 0 || (t.cap && endsWithOrgHead(l.lex, t.Folded)) {
			return true
		}
		if j-i > 1 && isAcronym(t.Text) {
			return true
		}
	}
	return false
}

// endsWithOrgHead reports whether the compound f ends in an organisation
// noun of at least five letters: "Westfriesziekenhuis", "dagbladredactie".
func endsWithOrgHead(lx *Lexicon, f string) bool {
	for n := 5; n <= len(f)-3 && n <= 16; n++ {
		if lx.orgHeads[f[len(f)-n:]] {
			return true
		}
	}
	return false
}

func endsWithRole(lx *Lexicon, f string) bool {
	if len(f) < 6 {
		return false
	}
	if lx.longRoles == nil {
		// a lexicon not made by LoadLexicon: walk the roles
		for r := range lx.roles {
			if len(r) >= 5 && strings.HasSuffix(f, r) {
				return true
			}
		}
		return false
	}
	// look up f's suffixes of role length instead of walking every role
	// for every word
	for n := 5; n <= len(f) && n <= lx.maxRoleLen; n++ {
		if lx.longRoles[f[len(f)-n:]] {
			return true
		}
	}
	return false
}

func isAcronym(s string) bool {
	n := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		n++
	}
	return n >= 2 && n <= 6
}

// numberSpans returns quantities: digits or number words with their
// modifiers ("ruim twintig", "meer dan 100", "honderden").
func numberSpans(lx *Lexicon, toks []tok) []candidate {
	var out []candidate
	isNum := func(t tok) bool {
		if t.class&wNotNumber != 0 || isAgeLike(t.Folded) {
			return false
		}
		if t.class&wNumber != 0 || isNumeral(lx, t.Folded) {
			return true
		}
		r, _ := utf8.DecodeRuneInString(t.Folded)
		return t.Folded != "" && unicode.IsDigit(r)
	}
	for i := 0; i < len(toks); i++ {
		if !isNum(toks[i]) || toks[i].group >= 0 {
			continue
		}
		// a time of day, or a range of them, is no count: "om 9.30 uur",
		// "tussen 11.00 en 17.00 uur"
		if end := max(clockEnd(toks, i), clockRangeEnd(toks, i)); end > i {
			i = end - 1
			continue
		}
		start, end := i, i+1
		for end < len(toks) && isNum(toks[end]) && !toks[end].gap {
			end++
		}
		// "een" starts a count only before a magnitude: "een miljoen"
		if (toks[start].Folded == "een" || toks[start].Folded == "one") && end-start > 1 && toks[start+1].class&wUnit == 0 {
			start++
		}
		// a year, or a day before its month ("14 maart", "9 en 13
		// februari"), is a date, not a count
		if end-start == 1 && (isYear(toks[start].Folded) ||
			(isDayNumber(toks[start].Folded) && end < len(toks) && !toks[end].gap && toks[end].class&wMonth != 0) ||
			(isDayNumber(toks[start].Folded) && end+2 < len(toks) && dayJoiners[toks[end].Folded] &&
				isDayNumber(toks[end+1].Folded) && toks[end+2].class&wMonth != 0)) {
			i = end - 1
			continue
		}
		for start > 0 && !toks[start].gap && (toks[start-1].class&wNumMod != 0 ||
			(start > 1 && lx.numMods[toks[start-2].Folded+" "+toks[start-1].Folded])) {
			if start > 1 && lx.numMods[toks[start-2].Folded+" "+toks[start-1].Folded] {
				start -= 2
			} else {
				start--
			}
		}
		// "een" alone is an article, not a count
		if end-start == 1 && (toks[start].Folded == "een" || toks[start].Folded == "one") {
			i = end - 1
			continue
		}
		// the unit belongs to the amount: "zes jaar", "2 miljoen euro"
		for end < len(toks) && !toks[end].gap && toks[end].class&wUnit != 0 && toks[end].group < 0 {
			end++
		}
		// "14 van de 45 zetels": the count is 14, of a whole of 45,
		// which is no answer of its own (unless the question names it:
		// "how many of the 45 seats")
		if end+2 < len(toks) && !toks[end].gap && (toks[end].Folded == "van" || toks[end].Folded == "op") &&
			(toks[end+1].Folded == "de" || toks[end+1].Folded == "het") && isNum(toks[end+2]) && !toks[end+2].gap && toks[end+2].group < 0 {
			end += 3
			for end < len(toks) && !toks[end].gap && (isNum(toks[end]) || (toks[end].class&wUnit != 0 && toks[end].group < 0)) {
				end++
			}
		}
		out = append(out, candidate{start: start, end: end, kind: entNumber})
		i = end - 1
	}
	return out
}

// dayJoiners join two days of one month: "9 en 13 februari", "2 tot 9 mei".
var dayJoiners = map[string]bool{"en": true, "tot": true, "of": true, "t/m": true}

// isMoney reports whether a counted noun asks for an amount of money.
func isMoney(label string) bool {
	switch analysis.Fold(label) {
	case "money", "geld", "amount", "bedrag", "sum", "som", "ransom", "losgeld", "fine", "boete", "funding", "aid", "steun", "cost", "costs", "kosten", "price", "prijs":
		return true
	}
	return false
}

// hasContent reports whether a span has a word that is more than a stop
// word or an auxiliary.
func hasContent(ts []tok) bool {
	for _, t := range ts {
		if !t.stop && t.class&wAux == 0 {
			return true
		}
	}
	return false
}

// timeUnits measure a duration: the answer to "hoe lang" / "how long".
var timeUnits = map[string]bool{"jaar": true, "jaren": true, "maand": true, "maanden": true, "week": true, "weken": true,
	"dag": true, "dagen": true, "uur": true, "uren": true, "minuut": true, "minuten": true, "seconde": true, "seconden": true,
	"eeuw": true, "eeuwen": true, "etmaal": true, "etmalen": true, "nacht": true, "nachten": true, "years": true, "months": true,
	"weeks": true, "days": true, "hours": true, "minutes": true, "seconds": true}

// measureUnits are the units of durations, shares and measures: an amount
// in one of them counts no people or things.
var measureUnits = map[string]bool{"jaar": true, "jaren": true, "maand": true, "maanden": true, "week": true, "weken": true,
	"dag": true, "dagen": true, "uur": true, "minuten": true, "seconden": true, "procent": true, "%": true, "kilometer": true,
	"km": true, "meter": true, "kilo": true, "ton": true, "years": true, "months": true, "weeks": true, "days": true, "hours": true,
	"percent": true, "graden": true, "graad": true, "celsius": true, "liter": true, "kilogram": true, "centimeter": true}

// percentUnits say that a number is a share in percent.
var percentUnits = map[string]bool{"procent": true, "percent": true, "%": true, "procentpunt": true, "procentpunten": true}

// isPercent reports whether number candidate c is a share in percent:
// "48,6 procent", "32,28%".
func isPercent(toks []tok, c candidate) bool {
	unit := unitOf(toks, c)
	return percentUnits[unit.Folded] || strings.HasSuffix(unit.Text, "%") ||
		(c.end < len(toks) && strings.HasPrefix(strings.TrimSpace(toks[c.end].pre), "%"))
}

// isNumeral recognises Dutch compound numerals: "achtduizend",
// "vijfentwintig", "tweehonderd".
// maxNumberWord bounds the length in bytes of one number word of the
// lexicon (the longest, "zevenenzeventigste" and the like, are under 30).
const maxNumberWord = 32

func isNumeral(lx *Lexicon, f string) bool {
	if len(f) < 6 {
		return false
	}
	longest := maxNumberWord
	if lx.numPrefixes != nil {
		longest = min(longest, lx.maxNumberLen)
	}
	for len(f) > 0 {
		// a number word starts f only if its first three bytes do
		if lx.numPrefixes != nil && len(f) >= 3 && !lx.numPrefixes[f[:3]] && !strings.HasPrefix(f, "en") {
			return false
		}
		// the longest number word that starts f: a few map lookups, not a
		// walk over every number word for every token
		n := 0
		for l := min(len(f), longest); l >= 3; l-- {
			if _, ok := lx.numbers[f[:l]]; ok {
				n = l
				break
			}
		}
		if n == 0 {
			if strings.HasPrefix(f, "en") && len(f) > 2 {
				n = 2
			} else {
				return false
			}
		}
		f = f[n:]
	}
	return true
}

// isAgeLike reports words such as "34-jarige" or "G20-top": a number fused
// into another word is not a count.
func isAgeLike(f string) bool {
	i := strings.IndexByte(f, '-')
	if i < 0 {
		return false
	}
	for _, r := range f[i+1:] {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func isYear(f string) bool {
	if len(f) != 4 || f[0] < '0' || f[0] > '9' {
		return false // not a four-digit year; spares Atoi's error value
	}
	n, err := strconv.Atoi(f)
	return err == nil && len(f) == 4 && n >= 1800 && n <= 2100
}

// dateSpans returns date expressions: "3 november 2020", "november",
// "dinsdag", "in 2016", "vorige week".
func (l *Librarian) dateSpans(toks []tok) []candidate {
	var out []candidate
	for i := 0; i < len(toks); i++ {
		f, c := toks[i].Folded, toks[i].class
		if end := clockRangeEnd(toks, i); end > i {
			// "tussen 11.00 en 17.00 uur", "van 9 tot 12 uur": one span
			out = append(out, candidate{start: i, end: end, kind: entDate})
			i = end - 1
			continue
		}
		if end := clockEnd(toks, i); end > i {
			out = append(out, candidate{start: i, end: end, kind: entDate})
			i = end - 1
			continue
		}
		switch {
		case c&wMonth != 0:
			start, end := i, i+1
			if start > 0 && isDayNumber(toks[start-1].Folded) {
				start--
				// and its weekday: "maandag 11 augustus", found as a
				// date of its own just before
				if n := len(out); start > 0 && !toks[start].gap && toks[start-1].class&wWeekday != 0 &&
					n > 0 && out[n-1].start == start-1 && out[n-1].end == start {
					out = out[:n-1]
					start--
				}
			}
			// "half oktober", "eind september", "early May"
			if start > 0 && !toks[start].gap && monthParts[toks[start-1].Folded] {
				start--
			}
			if end < len(toks) && isYear(toks[end].Folded) {
				end++
			}
			out = append(out, candidate{start: start, end: end, kind: entDate})
			i = end - 1
		case isYear(f):
			out = append(out, candidate{start: i, end: i + 1, kind: entDate})
		case c&(wWeekday|wRelDate) != 0:
			out = append(out, candidate{start: i, end: i + 1, kind: entDate})
		case c&wRelDateMod != 0 && i+1 < len(toks) && toks[i+1].class&wRelDateHead != 0:
			out = append(out, candidate{start: i, end: i + 2, kind: entDate})
			i++
		}
	}
	out = dateRanges(toks, out)
	for k := range out {
		out[k].score = 0
		if out[k].end-out[k].start > 1 || isYear(toks[out[k].start].Folded) {
			out[k].score = 0.1 // explicit dates beat relative ones
		}
	}
	return out
}

// clockPreps introduce a time of day: "om 9.30 uur", "vanaf 18 uur".
var clockPreps = map[string]bool{"om": true, "rond": true, "omstreeks": true, "tegen": true, "vanaf": true,
	"tot": true, "na": true, "at": true, "around": true, "until": true}

// clockEnd returns the end of the time of day that starts at toks[i]
// ("9.30 uur", "21.15u", "18:00", "om 8 uur"), or i when none does.
func clockEnd(toks []tok, i int) int {
	f := toks[i].Folded
	if f == "" || f[0] < '0' || f[0] > '9' {
		return i // every time of day starts with a digit
	}
	uur := func(j int) bool {
		return j < len(toks) && !toks[j].gap && (toks[j].Folded == "uur" || toks[j].Folded == "u")
	}
	after := i > 0 && clockPreps[toks[i-1].Folded]
	end := i
	if h, m, ok := strings.Cut(strings.TrimSuffix(f, "u"), "."); ok && isHour(h) && isMinutes(m) {
		// "9.30": a time only beside "uur", "u" or a clock preposition
		if strings.HasSuffix(f, "u") || uur(i+1) || after {
			end = i + 1
		}
	} else if isHour(f) && i+1 < len(toks) && toks[i+1].pre == ":" && isMinutes(toks[i+1].Folded) {
		end = i + 2 // "18:00"
	} else if isHour(f) && after && uur(i+1) {
		end = i + 1 // "om 8 uur"
	}
	if end > i && uur(end) {
		end++
	}
	return end
}

// clockRangeEnd returns the end of a range of times of day that starts at
// toks[i] ("11.00 en 17.00 uur", "9 tot 12 uur", "7.00-9.30 uur"), or i when
// none does: a number or H.MM, a joiner, and a time of day.
func clockRangeEnd(toks []tok, i int) int {
	f := toks[i].Folded
	if a, b, ok := strings.Cut(f, "-"); ok && isClockNumber(a) && isClockNumber(b) && strings.Contains(a+b, ".") &&
		i+1 < len(toks) && !toks[i+1].gap && (toks[i+1].Folded == "uur" || toks[i+1].Folded == "u") {
		return i + 2 // "7.00-9.30 uur", written as one word
	}
	if f == "" || f[0] < '0' || f[0] > '9' || i+2 >= len(toks) || toks[i+1].gap && strings.TrimSpace(toks[i+1].pre) != "-" {
		return i
	}
	if j := toks[i+1].Folded; j != "en" && j != "tot" && j != "and" && j != "to" {
		if strings.TrimSpace(toks[i+1].pre) == "-" {
			// "7.00-9.30 uur": the second time follows the dash
			if end := clockEnd(toks, i+1); end > i+1 && isClockNumber(f) {
				return end
			}
		}
		return i
	}
	if end := clockEnd(toks, i+2); end > i+2 && isClockNumber(f) {
		return end
	}
	return i
}

// isClockNumber reports whether f could be the first time of a range: an
// hour ("9") or an hour and minutes ("11.00").
func isClockNumber(f string) bool {
	h, m, ok := strings.Cut(f, ".")
	return isHour(h) && (!ok || isMinutes(m))
}

// isHour reports whether s is an hour of the clock, 0 to 24.
func isHour(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && len(s) <= 2 && n >= 0 && n <= 24
}

// isMinutes reports whether s is two digits of minutes, 00 to 59.
func isMinutes(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && len(s) == 2 && n >= 0 && n <= 59
}

// isClock reports whether toks[start:end] is a time of day.
func isClock(toks []tok, start, end int) bool {
	return start < end && clockEnd(toks, start) == end
}

// monthParts are the words that narrow a month to part of it.
var monthParts = map[string]bool{"half": true, "begin": true, "eind": true, "einde": true, "medio": true,
	"midden": true, "halverwege": true, "early": true, "late": true, "mid": true}

// rangeWords join two dates into a period: "van 2004 tot in het najaar van
// 2013", "from May to July".
var rangeWords = map[string]bool{"tot": true, "t/m": true, "until": true, "till": true, "to": true, "through": true}

// dateRanges adds, for two dates joined by a range word a few words apart,
// the period from the first to the second (with "van"/"from" before it).
// The single dates stay: the question decides which fits.
func dateRanges(toks []tok, dates []candidate) []candidate {
	n := len(dates)
	for k := 0; k+1 < n; k++ {
		a, b := dates[k], dates[k+1]
		if b.start-a.end > 5 || b.start <= a.end {
			continue
		}
		joined := false
		for m := a.end; m < b.start; m++ {
			if toks[m].gap && m > a.end {
				joined = false
				break
			}
			if rangeWords[toks[m].Folded] {
				joined = true
			}
		}
		if !joined {
			continue
		}
		start := a.start
		if start > 0 && !toks[start].gap && (toks[start-1].Folded == "van" || toks[start-1].Folded == "from") {
			start--
		}
		dates = append(dates, candidate{start: start, end: b.end, kind: entDate})
	}
	return dates
}

// isRelativeDate reports date words that depend on when the article was
// written: weekdays, "gisteren", "vorige week" (not "3 november 2020").
func isRelativeDate(lx *Lexicon, ts []tok) bool {
	for _, t := range ts {
		if isYear(t.Folded) || t.class&wMonth != 0 {
			return false
		}
	}
	return true
}

func isDayNumber(f string) bool {
	if f == "" || (f[0] < '0' || f[0] > '9') && f[0] != '+' && f[0] != '-' {
		return false // no number; spares Atoi's error value
	}
	n, err := strconv.Atoi(f)
	return err == nil && n >= 1 && n <= 31
}

// clauseAfter returns the words after the first marker up to the end of the
// clause, at most maxWords long.
func clauseAfter(toks []tok, markers wordClass, maxWords int) (candidate, bool) {
	for i, t := range toks {
		if t.class&markers == 0 {
			continue
		}
		if end := clauseEnd(toks, i, maxWords); end > i+1 {
			return candidate{start: i, end: end, kind: entPhrase}, true
		}
	}
	return candidate{}, false
}

// clauseEnd returns where the clause that the marker toks[i] opens ends:
// at the first punctuation after the word following the marker, at most
// maxWords words past it.
func clauseEnd(toks []tok, i, maxWords int) int {
	end := i + 1
	for end < len(toks) && end-i <= maxWords && !(toks[end].gap && end > i+1) {
		end++
	}
	return end
}

// maxClauseWords bounds a reason or manner clause given as an answer: the
// clause up to its end, not a fixed window that cuts it mid-phrase.
const maxClauseWords = 16

// reasonClauses returns every reason clause of a sentence, each from its
// marker ("omdat", "doordat", "als gevolg van", "vanwege") to the end of
// the clause, and purpose clauses "om … te <verb>" ("om het
// verkiezingsproces in de war te sturen").
func reasonClauses(toks []tok) []candidate {
	var out []candidate
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.class&wReason != 0 {
			if end := clauseEnd(toks, i, maxClauseWords); end > i+1 {
				out = append(out, candidate{start: i, end: end, kind: entPhrase})
			}
			continue
		}
		if t.Folded != "om" {
			continue
		}
		// "om … te <verb>": the infinitive ends the purpose clause
		for k := i + 2; k+1 < len(toks) && k-i <= maxClauseWords && !toks[k].gap; k++ {
			if toks[k].Folded == "te" && !toks[k+1].gap {
				out = append(out, candidate{start: i, end: k + 2, kind: entPhrase})
				// and the clause the verb governs: "om de indruk te wekken
				// dat iedereen al meedoet"
				if k+2 < len(toks) && !toks[k+2].gap && toks[k+2].Folded == "dat" {
					if end := clauseEnd(toks, k+2, maxClauseWords-(k+2-i)); end > k+3 {
						out = append(out, candidate{start: i, end: end, kind: entPhrase})
					}
				}
				break
			}
		}
	}
	return out
}

// roleSpans finds how the sentence describes q.Subject: a role before the
// name ("minister van Buitenlandse Zaken Bert Koenders"), an apposition after
// it ("Chris Krebs, de hoogste …,") or a copula ("Krebs was het hoofd van …").
func (l *Librarian) roleSpans(q *question, toks []tok) []candidate {
	subj := strings.Fields(q.Subject)
	if len(subj) == 0 {
		return nil
	}
	last := l.an.Stem(subj[len(subj)-1])
	var out []candidate
	for i, t := range toks {
		if l.an.Stem(t.Folded) != last {
			continue
		}
		// the name's first word: as many words back as the subject has,
		// when they match it
		s := i
		for k := len(subj) - 2; k >= 0 && s > 0 && !toks[s].gap && l.an.Stem(toks[s-1].Folded) == l.an.Stem(subj[k]); k-- {
			s--
		}
		// before the name: role words back to a verb, punctuation or start
		b := s
		for b > 0 && !toks[b].gap && s-b < 7 {
			p := toks[b-1]
			if p.class&(wSpeech|wAux) != 0 || (p.stop && p.class&wJoiner == 0 && p.Folded != "voor" && p.Folded != "van") {
				break
			}
			b--
		}
		if b == s && s > 1 && toks[s].gap && (toks[s-1].class&wRole != 0 || endsWithRole(l.lex, toks[s-1].Folded)) {
			// "Zijn advocaat, Mark de Vries, …": the role before the comma
			b = s - 1
			for b > 0 && !toks[b].gap && s-b < 7 && !toks[b-1].cap && toks[b-1].class&(wSpeech|wAux) == 0 &&
				(!toks[b-1].stop || toks[b-1].class&wNPInner != 0) {
				b--
			}
		}
		for b < s && (toks[b].stop || toks[b].class&wJoiner != 0) {
			b++
		}
		if b < s && l.hasRole(toks[b:s]) {
			out = append(out, candidate{start: b, end: s, kind: entRole, text: spanText(toks, b, s), score: 0.9})
		}
		// after the name: ", de hoogste cyberveiligheidsfunctionaris van het land,"
		e := i + 1
		if e < len(toks) && toks[e].gap {
			k := e
			for k < len(toks) && k-e < 10 && (k == e || !toks[k].gap) {
				k++
			}
			if k-e >= 1 && (toks[e].stop || l.hasRole(toks[e:k])) && l.hasRole(toks[e:k]) {
				out = append(out, candidate{start: e, end: k, kind: entRole, text: spanText(toks, e, k), score: 0.85})
			}
		}
		// copula: "Krebs was het hoofd van het CISA"
		if e+1 < len(toks) && toks[e].class&wCopula != 0 && !toks[e].gap {
			k := e + 1
			for k < len(toks) && k-e <= 9 && (k == e+1 || !toks[k].gap) {
				k++
			}
			out = append(out, candidate{start: e + 1, end: k, kind: entRole, text: spanText(toks, e+1, k), score: 0.8})
		}
	}
	return out
}

func (l *Librarian) hasRole(ts []tok) bool {
	for _, t := range ts {
		if t.class&wRole != 0 || endsWithRole(l.lex, t.Folded) {
			return true
		}
	}
	return false
}

// mannerSpans answers "how": a prepositional phrase of means ("via
// software …") or the unmatched words inside the matched clause ("digitaal").
func (l *Librarian) mannerSpans(q *question, toks []tok) []candidate {
	var out []candidate
	first, last := -1, -1
	for i, t := range toks {
		if t.group >= 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first >= 0 {
		for i := first + 1; i < last; i++ {
			t := toks[i]
			if t.group < 0 && !t.stop && !t.cap && t.class&wAux == 0 {
				out = append(out, candidate{start: i, end: i + 1, kind: entPhrase, text: t.Text, score: 0.7})
			}
		}
	}
	for i, t := range toks {
		if t.class&wManner == 0 || i+1 >= len(toks) || toks[i+1].group >= 0 {
			continue
		}
		if toks[i+1].gap {
			continue
		}
		end := i + 2
		for end < len(toks) && end-i <= 3 && !toks[end].gap {
			end++
		}
		out = append(out, candidate{start: i, end: end, kind: entPhrase, text: spanText(toks, i, end), score: 0.6})
		// the whole phrase, to the clause's end: "met software om te doen
		// alsof ze vanuit de VS opereerden"
		long := end
		for long < len(toks) && long-i < maxClauseWords && !toks[long].gap {
			long++
		}
		if long > end {
			out = append(out, candidate{start: i, end: long, kind: entPhrase, text: spanText(toks, i, long), score: 0.5})
		}
	}
	// how something came about: "doordat …", "nadat …" clauses
	for _, c := range reasonClauses(toks) {
		c.text, c.score = spanText(toks, c.start, c.end), 0.5
		out = append(out, c)
	}
	for i, t := range toks {
		if t.Folded != "nadat" && t.Folded != "after" {
			continue
		}
		if end := clauseEnd(toks, i, maxClauseWords); end > i+1 {
			out = append(out, candidate{start: i, end: end, kind: entPhrase, text: spanText(toks, i, end), score: 0.5})
		}
	}
	return out
}

// phraseSpans answers "what" questions: the unmatched content words next to
// the matched predicate, up to a clause boundary.
func (l *Librarian) phraseSpans(q *question, toks []tok) []candidate {
	var out []candidate
	for i, t := range toks {
		if t.group < 0 || !q.Groups[t.group].Verb {
			continue
		}
		// object after the verb
		end := i + 1
		for end < len(toks) && end-i <= 8 && toks[end].group < 0 && !(toks[end].gap && end > i+1) {
			end++
		}
		if end > i+1 {
			out = append(out, candidate{start: i + 1, end: end, kind: entPhrase, text: spanText(toks, i+1, end), score: 0.1})
		}
		// or before it (Dutch verb-final clauses)
		start := i
		for start > 0 && i-start < 8 && toks[start-1].group < 0 && !toks[start].gap {
			start--
		}
		if start < i {
			out = append(out, candidate{start: start, end: i, kind: entPhrase, text: spanText(toks, start, i), score: 0.05})
		}
	}
	return out
}

// focusSpans answers "which court …?" with the phrase the focus noun heads
// in the sentence: "rechtbank in Amsterdam", "de krant The Guardian".
func (l *Librarian) focusSpans(q *question, toks []tok) []candidate {
	if q.focus < 0 {
		return nil
	}
	var out []candidate
	for i, t := range toks {
		if t.group != q.focus {
			continue
		}
		if t.cap && i > 0 && toks[i-1].cap && !t.gap {
			continue // the head of a name: "Frans Hals Museum in Haarlem" is no "museum in Haarlem"
		}
		end := i + 1
		switch {
		case end+1 < len(toks) && !toks[end].gap && (toks[end].Folded == "in" || toks[end].Folded == "van" || toks[end].Folded == "uit") && toks[end+1].cap:
			end = capRunEnd(toks, end+2)
		case end < len(toks) && toks[end].cap && !toks[end].gap:
			end = capRunEnd(toks, end)
		default:
			continue
		}
		out = append(out, candidate{start: i, end: end, kind: entPhrase, text: spanText(toks, i, end), score: 0.35})
	}
	return out
}

// quoteSpans returns the quoted words of a sentence: what someone said.
func quoteSpans(toks []tok) []candidate {
	var out []candidate
	start := -1
	for i, t := range toks {
		switch {
		case start < 0 && strings.ContainsAny(t.pre, "\"“‘'"):
			start = i
		case start >= 0 && strings.ContainsAny(t.pre, "\"”’'"):
			out = append(out, candidate{start: start, end: i, kind: entPhrase, score: 0.4})
			start = -1
		}
	}
	return out
}

// kindFit is how well an entity kind answers a question type. (Switches,
// not map literals: a map literal is built afresh on every call, and this
// runs for every candidate.)
func kindFit(q *question, k entityKind) float64 {
	switch q.Type {
	case qWho:
		switch k {
		case entPerson:
			return 1
		case entOrg, entName:
			return 0.8
		case entCountry:
			return 0.55
		case entPlace:
			return 0.15
		case entPhrase:
			return 0.1
		}
		return 0
	case qWhere:
		switch k {
		case entPlace:
			return 1
		case entCountry:
			return 0.9
		case entPhrase:
			return 0.45
		case entName:
			return 0.4
		case entOrg:
			return 0.2
		}
		return 0
	case qWhich:
		if q.Focus == entName {
			// "what is X called": any name, a phrase rarely
			switch k {
			case entName, entOrg:
				return 1
			case entPlace, entCountry:
				return 0.7
			case entPerson:
				return 0.5
			case entPhrase:
				return 0.3
			}
			return 0
		}
		if q.Focus == entPhrase {
			// the focus noun names no person (a role would have made it
			// one): "which polling station" is rarely answered by a person
			switch k {
			case entOrg:
				return 0.7
			case entCountry, entPlace, entName:
				return 0.6
			case entPerson:
				return 0.3
			case entPhrase:
				return 0.5
			}
			return 0
		}
		if k == q.Focus {
			return 1
		}
		if k == entName && (q.Focus == entPerson || q.Focus == entOrg || q.Focus == entPlace) {
			return 0.6 // a name that could be the one asked for
		}
		if q.Focus == entCountry && k == entCountryAdj {
			return 0.9
		}
		if q.Focus == entPlace && k == entCountry {
			return 0.8
		}
		if q.Focus == entOrg && k == entPerson {
			return 0.3
		}
		return 0.1
	case qWhen:
		if k == entDate {
			return 0.9
		}
		return 0
	case qHowMany:
		if k == entNumber {
			return 0.9
		}
		return 0
	case qWhoIs:
		if k == entRole {
			return 1
		}
		return 0
	case qWhy, qHow:
		if k == entPhrase {
			return 0.9
		}
		return 0
	case qWhat, qOther:
		switch k {
		case entPhrase:
			return 0.7
		case entOrg:
			return 0.6
		case entCountry, entPlace, entDate, entName:
			return 0.5
		case entPerson:
			// what-questions ask for things: none of the 63 in the sets
			// we read has a person for its answer (who asks for those)
			return 0.1
		case entNumber:
			// a what-question naming a measure became how-many: this
			// one asks for a thing ("what did they find"), rarely a count
			return 0.3
		}
		return 0
	}
	return 0
}

// scoreCandidate sets c.score from its kind's fit, its distance to the
// matched question words and positional cues.
func (l *Librarian) scoreCandidate(q *question, toks []tok, c *candidate) {
	fit := kindFit(q, c.kind)
	// a candidate made of the question's own words answers nothing
	own, ownName := 0, false
	// a person's affiliation may repeat the question: "Tom de Wit van de
	// Rijksuniversiteit Groningen" for "Welke Groningse onderzoeker"
	for i := c.start; i < l.affiliationStart(toks, *c); i++ {
		if toks[i].group >= 0 && toks[i].match >= 1 {
			own++
			ownName = ownName || q.Groups[toks[i].group].Name
		}
	}
	// the focus noun at either end of a longer name is its head, not the
	// question's words again: "Welk museum" ~ "Frans Hals Museum"
	focusHead := q.focus >= 0 && own == 1 && (toks[c.start].group == q.focus ||
		(c.end-c.start > 1 && (c.kind != entPhrase || q.Kind) && toks[c.end-1].group == q.focus))
	if own > 0 && q.Type != qWhoIs && !focusHead {
		if own == c.end-c.start || ownName || c.kind != entPhrase {
			c.score = 0
			return
		}
		fit *= 0.5
	}
	if q.Type != qWhoIs && expandsAcronym(q, toks, *c) {
		c.score = 0 // the spelled-out name of the question's acronym
		return
	}
	// proximity to the nearest match of each question group, the
	// predicate counting double
	near := make([]float64, len(q.Groups))
	for i, t := range toks {
		if t.group < 0 {
			continue
		}
		d := 0
		switch {
		case i < c.start:
			d = c.start - i
		case i >= c.end:
			d = i - c.end + 1
		}
		w := q.Groups[t.group].Weight * t.match
		if q.Groups[t.group].Verb {
			w *= 2
		}
		if q.counted == t.group && i >= c.end && d <= 3 {
			w *= 3 // "ruim twintig rechtszaken": the number counts the asked noun
		}
		near[t.group] = max(near[t.group], w/(1+float64(d)/3))
	}
	prox, wsum := 0.0, 0.0
	for gi, g := range q.Groups {
		w := g.Weight
		if g.Verb {
			w *= 2
		}
		if gi == q.counted {
			w *= 3
		}
		if near[gi] > 0 {
			prox += near[gi]
			wsum += w
		}
	}
	if wsum > 0 {
		prox = min(1, prox/wsum)
	}
	if q.Type == qHowMany && q.Money && c.kind == entNumber && !(c.end > c.start && toks[c.end-1].class&wCurrency != 0) {
		fit *= 0.7 // "how much did they receive": an amount of money
	}
	if q.Percent && c.kind == entNumber && !isPercent(toks, *c) {
		fit *= 0.7 // "what was the turnout": a share in percent
	}
	if q.Type == qHowMany && q.counted >= 0 && c.kind == entNumber {
		// a count should count the asked noun: "2 miljoen euro aan losgeld"
		counted := false
		for i := c.end; i < len(toks) && i <= c.end+3; i++ {
			if toks[i].group == q.counted {
				counted = true
			}
		}
		// "how much money": an amount in a currency counts it
		if isMoney(q.Groups[q.counted].Label) && c.end > c.start && toks[c.end-1].class&wCurrency != 0 {
			counted = true
		}
		if !counted {
			fit *= 0.7
		}
		// "how many people died" is no duration or measure: "vier dagen"
		if last := toks[c.end-1]; c.end-c.start > 1 && measureUnits[last.Folded] && last.group < 0 && !counted {
			fit *= 0.5
		}
	}
	bonus := c.score // kind-specific prior set by the span finder
	prev, prevC := "", l.lex.classOf("")
	if c.start > 0 {
		prev, prevC = toks[c.start-1].Folded, toks[c.start-1].class
	}
	switch q.Type {
	case qWho, qWhich:
		if prevC&wSpeech != 0 || (c.end < len(toks) && toks[c.end].class&wSpeech != 0) {
			// the speaker answers "who said …", not "who won …"
			if q.speech() {
				bonus += 0.15
			} else if q.hasVerb() {
				bonus -= 0.15
			}
		}
		if prevC&wRole != 0 || endsWithRole(l.lex, prev) {
			bonus += 0.1
		}
		if prevC&wWeakPrep != 0 || ((prev == "en" || prev == "and" || prev == "of") && c.start > 2 && toks[c.start-3].class&wWeakPrep != 0) {
			bonus -= 0.15
		}
		if prevC&wOrgHead != 0 {
			bonus += 0.05
		}
		// the subject of the clause: followed by its finite verb
		if c.end < len(toks) && !toks[c.end].gap && toks[c.end].class&wAux != 0 {
			bonus += 0.12
		}
	case qWhere:
		if prevC&wPlacePrep != 0 {
			bonus += 0.1
		}
	}
	c.fit, c.prox = fit, prox
	c.score = clamp01(fit*(0.45+0.55*prox) + bonus)
}

// affiliationStart is where a person candidate's affiliation begins, the
// "van" of "Tom de Wit van de Rijksuniversiteit Groningen" (an organisation
// noun or an acronym follows it), or c.end when it has none.
func (l *Librarian) affiliationStart(toks []tok, c candidate) int {
	if c.kind != entPerson || c.start < 0 {
		return c.end
	}
	for k := c.start + 1; k < c.end-1; k++ {
		if toks[k].Folded != "van" {
			continue
		}
		// a surname after the name's first word before it: "Sanne de
		// Wit van Open Bron" (not "Jan van Dijk", "Burgemeester Jan van Dijk")
		if slices.ContainsFunc(toks[c.start+1:k], func(t tok) bool { return t.cap && t.class&(wFirstName|wRole) == 0 }) {
			return k
		}
		for _, t := range toks[k+1 : c.end] {
			if t.class&wOrgHead != 0 || (t.cap && endsWithOrgHead(l.lex, t.Folded)) || isAcronym(t.Text) {
				return k
			}
		}
	}
	return c.end
}

func clamp01(x float64) float64 { return max(0, min(1, x)) }

// coordinate joins a candidate with the same-kind entities it is listed
// with ("Rusland en Iran"), on either side.
func coordinate(toks []tok, best candidate, all []candidate) candidate {
	out := best
	joins := func(a, b candidate) bool { // a directly before b
		between := toks[a.end:b.start]
		if len(between) == 1 && (between[0].Folded == "en" || between[0].Folded == "and" || between[0].Folded == "of" || between[0].Folded == "or") && !toks[b.start].gap {
			return true
		}
		// a list: "Rusland, Iran" (not "Peskov: 'Zoals")
		return len(between) == 0 && strings.TrimSpace(toks[b.start].pre) == ","
	}
	for changed := true; changed; {
		changed = false
		for _, c := range all {
			if c.kind != best.kind || c.start < 0 {
				continue
			}
			if c.start >= out.end && joins(out, c) {
				out.end, changed = c.end, true
			} else if c.end <= out.start && joins(c, out) {
				out.start, changed = c.start, true
			}
		}
	}
	if out.start != best.start || out.end != best.end {
		out.text = spanText(toks, out.start, out.end)
	}
	return out
}

// trimWords keeps at most n words of s.
func trimWords(s string, n int) string {
	if countFields(s) <= n {
		return s
	}
	f := strings.Fields(s)
	if len(f) <= n {
		return s
	}
	return strings.Join(f[:n], " ")
}

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' })
}

// capRunEnd returns the end of the run of capitalised words from toks[i]
// on, punctuation ending it (i itself when toks[i] starts none).
func capRunEnd(toks []tok, i int) int {
	for i < len(toks) && toks[i].cap && !toks[i].gap {
		i++
	}
	return i
}

// articleSurname reports whether candidate c is one capitalised word
// taken for a phrase or an organisation (mostly a sentence's first word:
// "Brinkman, die …", "Krebs heeft …") that article art gives as a surname
// after a first name ("Lotte Brinkman"): the sentence names the person.
// A word the lexicon knows is left alone ("Hackers, die …"); a name
// inside a sentence keeps its kind (measured: making those persons too
// changed one answer only, to a wrong one).
func (l *Librarian) articleSurname(toks []tok, c candidate, art *article.Article) bool {
	if art == nil || c.end-c.start != 1 || c.start < 0 || (c.kind != entPhrase && c.kind != entOrg) {
		return false
	}
	t := toks[c.start]
	if !t.cap || isAcronym(t.Text) || len(l.lex.nl[t.Folded]) > 0 || t.class&wFirstName != 0 || l.lex.orgs[t.Folded] {
		return false
	}
	_, ok := l.fullNameOf(art, t.Text)
	return ok
}

// subjectPronouns open a sentence about someone named before it.
var subjectPronouns = map[string]bool{"hij": true, "zij": true}

// pronounCandidates: a sentence that opens with "Hij" or "Zij" speaks of
// a person the sentence before it named ("De Nederlandse Noor van Dijk
// liep een sterke race. Zij werd zesde …"). For a question that asks for
// a person, the first person named there is a candidate, standing where
// the pronoun stands.
func (l *Librarian) pronounCandidates(q *question, toks []tok, art *article.Article, sent int) []candidate {
	if art == nil || sent <= 0 || sent >= len(art.Sentences) || len(toks) == 0 || !subjectPronouns[toks[0].Folded] ||
		!(q.Type == qWho || (q.Type == qWhich && q.Focus == entPerson)) {
		return nil
	}
	prev := l.annotate(q, art.Sentences[sent-1].Text)
	for _, c := range l.entitySpans(prev) {
		if c.kind != entPerson {
			continue
		}
		pc := candidate{start: 0, end: 1, kind: entPerson, text: spanText(prev, c.start, c.end)}
		l.scoreCandidate(q, toks, &pc)
		return []candidate{pc}
	}
	return nil
}
