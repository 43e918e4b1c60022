package answer

import (
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefings/analysis"
)

// An organisation goes by its name and by its acronym, and an article
// usually spells the name out once ("het Nationaal Cyber Security Centrum
// (NCSC)") and uses the acronym after that ("NCSC-directeur Maaike van der
// Linden"). A question may use either. linkAcronyms lets each stand for the
// other in the question's term groups, from two sources: the definitions
// the retrieved articles make, and the lexicon's organisations that list an
// acronym beside the name (orgs.txt: "Ministerie van Binnenlandse Zaken,
// Binnenlandse Zaken,BZK").

// acronymDef is an acronym and the words of the name it abbreviates, both
// folded: the words whose initials it takes ("nationaal", "cyber",
// "security", "centrum").
type acronymDef struct {
	acronym string
	words   []string
}

const (
	// acronymArticles bounds the retrieved articles read for definitions.
	acronymArticles = 5
	// maxAcronymDefs bounds the definitions one question considers: a
	// hostile article full of parentheses costs no more than this.
	maxAcronymDefs = 64
	// maxExpansionWords bounds how far back a definition's name is looked for.
	maxExpansionWords = 10
	// maxAcronymSteps bounds the steps of the initials search per question:
	// an article of a thousand parenthesised acronyms after words that
	// almost spell them costs no more than this.
	maxAcronymSteps = 20_000
)

// articleAcronyms appends the definitions a sentence makes: an acronym in
// parentheses right after the words whose initials spell it, lower-case
// words other than the first allowed in between ("Rijksdienst voor het
// Cultureel Erfgoed (RCE)", "Centraal Orgaan opvang asielzoekers (COA)").
func articleAcronyms(defs []acronymDef, text string, steps *int) []acronymDef {
	if !strings.Contains(text, "(") || *steps <= 0 {
		return defs
	}
	words := analysis.Words(text)
	for i, w := range words {
		if i == 0 || w.Start == 0 || text[w.Start-1] != '(' || w.End >= len(text) || text[w.End] != ')' ||
			!isAcronym(w.Text) || utf8.RuneCountInString(w.Text) < 2 || strings.TrimSpace(text[words[i-1].End:w.Start]) != "(" {
			continue
		}
		acr := analysis.Fold(w.Text)
		// the name ends at the word before the parenthesis and runs back
		// without punctuation, at most maxExpansionWords words
		from := i - 1
		for from > 0 && from > i-maxExpansionWords && strings.TrimSpace(text[words[from-1].End:words[from].Start]) == "" {
			from--
		}
		name := spellsAcronym(words[from:i], acr, steps)
		if len(name) >= 2 {
			defs = append(defs, acronymDef{acronym: acr, words: name})
			if len(defs) >= maxAcronymDefs {
				return defs
			}
		}
	}
	return defs
}

// spellsAcronym returns the folded words at the end of words whose initials
// spell acr, the last word always among them: capitalised words must each
// give their initial, lower-case words may ("Centraal Orgaan opvang
// asielzoekers" is the COA), or nil. The search backtracks over at most
// maxExpansionWords words and six letters, and takes at most *steps steps
// (counted down).
func spellsAcronym(words []analysis.Word, acr string, steps *int) []string {
	var name []string
	var match func(j, need int) bool // words[:j+1] spell acr[:need+1]
	match = func(j, need int) bool {
		if need < 0 {
			return true
		}
		if j < 0 || *steps <= 0 {
			return false
		}
		*steps--
		f := words[j].Folded
		// a joining word ("van", "voor het") is skipped first: the
		// Vereniging van Nederlandse Gemeenten is the VNG by "Vereniging"
		joiner := analysis.IsStopword(f) && need < len(acr)-1 && !isCapitalized(words[j].Text)
		if joiner && match(j-1, need) {
			return true
		}
		if f != "" && f[0] == acr[need] {
			name = append(name, f)
			if match(j-1, need-1) {
				return true
			}
			name = name[:len(name)-1]
		}
		if isCapitalized(words[j].Text) {
			return false // a capitalised word the acronym does not spell
		}
		return !joiner && need < len(acr)-1 && match(j-1, need) // skip it, never the last word
	}
	if len(acr) > 6 || !match(len(words)-1, len(acr)-1) {
		return nil
	}
	slices.Reverse(name)
	return name
}

// lexiconAcronyms reads the acronyms of orgs.txt's lines: each acronym with
// each name of two or more words on its line.
func lexiconAcronyms(line string) []acronymDef {
	var acrs, names []string
	for _, v := range strings.Split(line, ",") {
		v = strings.TrimSpace(v)
		switch {
		case isAcronym(v) && !strings.ContainsFunc(v, unicode.IsSpace):
			acrs = append(acrs, analysis.Fold(v))
		case strings.ContainsFunc(v, unicode.IsSpace):
			names = append(names, v)
		}
	}
	var defs []acronymDef
	for _, a := range acrs {
		for _, n := range names {
			var words []string
			for _, w := range analysis.Words(n) {
				if !analysis.IsStopword(w.Folded) {
					words = append(words, w.Folded)
				}
			}
			if len(words) >= 2 {
				defs = append(defs, acronymDef{acronym: a, words: words})
			}
		}
	}
	return defs
}

// formKeys lists a group's forms.
func formKeys(forms map[string]bool) []string {
	return slices.Sorted(maps.Keys(forms))
}

// linkAcronyms extends q's name groups for the articles in docs: a group
// that is an acronym also meets its name's distinctive words, and the
// groups that spell a name out also meet its acronym. It copies the groups
// it changes, so q's caller keeps its own.
func (l *Librarian) linkAcronyms(s Corpus, q *question, docs []DocScore) {
	if len(q.Groups) == 0 {
		return
	}
	var defs []acronymDef
	steps := maxAcronymSteps
	for _, d := range docs[:min(len(docs), acronymArticles)] {
		for _, sent := range s.Article(int(d.Doc)).Sentences {
			if defs = articleAcronyms(defs, sent.Text, &steps); len(defs) >= maxAcronymDefs || steps <= 0 {
				break
			}
		}
		if len(defs) >= maxAcronymDefs || steps <= 0 {
			break
		}
	}
	var stemsBuf [4]string
	for _, g := range q.Groups {
		if !g.Name {
			continue
		}
		// the lexicon knows the acronym's names and the names' acronym:
		// by the group's word or its translations ("Forensic" ~ forensisch)
		stemsBuf[0] = analysis.Fold(g.Label)
		for _, st := range append(append(stemsBuf[:1], g.Stems...), formKeys(g.Forms)...) {
			if len(defs) < maxAcronymDefs {
				defs = append(defs, l.lex.acronyms[st]...)
			}
		}
	}
	if len(defs) == 0 {
		return
	}
	changed := make([]bool, len(q.Groups))
	groups := slices.Clone(q.Groups)
	// add gives group gi the word (folded) and its stem; a short stem
	// meets sentence words only through the group's forms
	add := func(gi int, word, stem string) {
		g := &groups[gi]
		if slices.Contains(g.Stems, stem) && (g.Forms == nil || g.Forms[word]) {
			return
		}
		if !changed[gi] {
			changed[gi] = true
			g.Stems = slices.Clip(g.Stems)
			if g.Forms != nil {
				g.Forms = maps.Clone(g.Forms)
			}
		}
		g.Stems = appendUnique(g.Stems, stem)
		if g.Forms != nil {
			g.Forms[word] = true
		}
	}
	for _, def := range defs {
		if analysis.IsStopword(def.acronym) {
			continue // "OM" would meet every "om"
		}
		acr := l.an.Stem(def.acronym)
		var name, nameStems, headStems []string
		for _, w := range def.words {
			switch {
			case analysis.IsStopword(w):
			case l.lex.orgHeads[w]:
				// "Instituut" of "Nederlands Forensisch Instituut": no word
				// the acronym stands for alone, but a question word of the
				// name ("Institute") that meets it belongs to the run
				headStems = append(headStems, l.an.Stem(w))
			default:
				name, nameStems = append(name, w), append(nameStems, l.an.Stem(w))
			}
		}
		// the question names the acronym: it meets the name's words
		matched, heads, named := map[int]bool{}, map[int]bool{}, map[int]bool{}
		for gi, g := range q.Groups {
			if !g.Name {
				continue
			}
			if analysis.Fold(g.Label) == def.acronym || slices.Contains(g.Stems, acr) {
				for k, w := range name {
					add(gi, w, nameStems[k])
				}
				named[gi] = true
				continue
			}
			for _, st := range nameStems {
				if slices.Contains(g.Stems, st) {
					matched[gi] = true
				}
			}
			for _, st := range headStems {
				if slices.Contains(g.Stems, st) {
					heads[gi] = true
				}
			}
		}
		// the name's head noun ("Institute") joins a run that names the
		// rest of it: "Netherlands Forensic Institute", where "Forensic"
		// already meets "NFI"
		if len(heads) > 0 && (len(matched) > 0 || len(named) > 0) {
			maps.Copy(matched, heads)
			maps.Copy(matched, named)
		}
		// the question spells the name out: two of its words at least, at
		// least half the name's words and more than half the run of names
		// they stand in ("National Cyber Security Centre" is the NCSC,
		// not the NSA, "National Security Agency")
		if len(matched) < 2 || 2*len(matched) < len(nameStems) {
			continue
		}
		lo, hi := len(q.Groups), -1
		for gi := range matched {
			lo, hi = min(lo, gi), max(hi, gi)
		}
		for lo > 0 && q.Groups[lo-1].Name && q.Groups[lo-1].Pos == q.Groups[lo].Pos-1 {
			lo--
		}
		for hi+1 < len(q.Groups) && q.Groups[hi+1].Name && q.Groups[hi+1].Pos == q.Groups[hi].Pos+1 {
			hi++
		}
		if 2*len(matched) <= hi-lo+1 {
			continue
		}
		for gi := lo; gi <= hi; gi++ {
			if q.Groups[gi].Name {
				add(gi, def.acronym, acr)
			}
		}
	}
	if !slices.Contains(changed, true) {
		return
	}
	for gi, c := range changed {
		if c {
			groups[gi].Terms = nil
			s.Resolve(&groups[gi])
		}
	}
	q.Groups = groups
}
