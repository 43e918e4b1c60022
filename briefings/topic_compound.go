package briefings

import (
	"slices"
	"strings"
	"sync"

	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/briefings/answer"
)

// Compound splitting for the topic classifier.
//
// Dutch joins a compound's parts into one word, so "kieswebsite",
// "stemhulp" and "ddos-aanval" name an election website, a voting aid and an
// attack without containing the words a topic lists. The classifier meets
// such words through their parts in two ways:
//
//   - a hyphenated word is also matched part by part ("DeSantis-campagne"
//     has the part "campagne");
//   - a topic's own compound terms teach it the productive first parts
//     (modifiers) of each class: when two or more core or threat terms split
//     into the same known first part and a known word ("Kiesraad" and
//     "kiesrecht": kies + raad, kies + recht), that part is a compound
//     modifier of the class. An article word made of a modifier, an optional
//     linking s and a known word of four or more letters ("kies" + "websites",
//     "kies" + "hulp" + "sites") then counts for the class, as the term
//     "kies-".
//
// "Known word" means a single-word Dutch form of the embedded, hand-written
// lexicon (en-nl.tsv), or a word with the same stem: the same on every
// machine, whatever extra lexicon a newsroom adds. Requiring both parts to be
// known keeps chance prefixes out: "nepotisme" does not start with the
// modifier "nep" followed by a word, "kiest" is no compound of "kies".

const (
	// minModifierSources is how many of a class's terms must share a first
	// part before it counts as a modifier of the class.
	minModifierSources = 2
	minModifierLen     = 3 // letters of a compound's first part
	minHeadLen         = 4 // letters of the known word after a modifier
)

// compoundVocabulary is the set of known Dutch words for compound splitting:
// the single-word Dutch forms of the embedded lexicon and their stems.
type compoundVocabulary struct {
	forms, stems map[string]bool
	an           *analysis.Builtin
}

var dutchVocabulary = sync.OnceValue(func() *compoundVocabulary {
	v := &compoundVocabulary{forms: map[string]bool{}, stems: map[string]bool{}, an: analysis.NewBuiltin()}
	lx, err := answer.LoadLexicon(nil)
	if err != nil { // the embedded lexicon is checked by its own tests
		return v
	}
	for f := range lx.DutchForms() {
		if len(f) < minModifierLen || analysis.IsStopword(f) || strings.IndexFunc(f, func(r rune) bool { return !analysis.IsWordRune(r) }) >= 0 {
			continue
		}
		v.forms[f] = true
		v.stems[v.an.Stem(f)] = true
	}
	return v
})

// known reports whether w is a known word of at least min letters.
func (v *compoundVocabulary) known(w string, min int) bool {
	if len(w) < min {
		return false
	}
	return v.forms[w] || v.stems[v.an.Stem(w)]
}

// head reports whether rest, what follows a modifier, is a known word of
// minHeadLen or more letters, after an optional linking s or hyphen, or two
// known words ("hulpsites").
func (v *compoundVocabulary) head(rest string) bool {
	for _, r := range []string{rest, strings.TrimPrefix(rest, "s"), strings.TrimPrefix(rest, "-")} {
		if v.known(r, minHeadLen) {
			return true
		}
		for i := minModifierLen; i <= len(r)-minHeadLen; i++ {
			if v.known(r[:i], minModifierLen) && v.known(r[i:], minHeadLen) {
				return true
			}
		}
	}
	return false
}

// split returns the longest known first part of w that a known head
// follows, or "".
func (v *compoundVocabulary) split(w string) string {
	for i := len(w) - minHeadLen; i >= minModifierLen; i-- {
		if v.known(w[:i], minModifierLen) && v.head(w[i:]) {
			return w[:i]
		}
	}
	return ""
}

// compoundModifiers learns the compound modifiers of one topic from its
// core and threat terms (see above) and returns them as terms.
func (c *Classifier) compoundModifiers(topic int, terms []topicTerm) []topicTerm {
	v := dutchVocabulary()
	type source struct {
		class termClass
		mod   string
	}
	words := map[source][]string{}
	weight := map[source]float64{}
	var order []source
	for _, t := range terms {
		if t.class != classCore && t.class != classThreat {
			continue
		}
		var w string
		switch t.kind {
		case kindStem:
			w = t.key
		case kindPrefix:
			w = t.pattern
		default:
			continue
		}
		if strings.ContainsAny(w, " -") {
			continue
		}
		m := v.split(w)
		if m == "" || analysis.IsStopword(m) {
			continue
		}
		s := source{t.class, m}
		if slices.Contains(words[s], w) {
			continue
		}
		if _, seen := weight[s]; !seen {
			order = append(order, s)
			weight[s] = t.weight
		}
		words[s] = append(words[s], w)
		weight[s] = min(weight[s], t.weight)
	}
	var out []topicTerm
	for _, s := range order {
		if len(words[s]) < minModifierSources {
			continue
		}
		out = append(out, topicTerm{
			topic: topic, display: s.mod + "-", key: s.mod + "-", class: s.class,
			weight: weight[s], kind: kindModifier, pattern: s.mod,
		})
	}
	return out
}

// compoundParts adds to ids, the terms the folded word matches as a whole,
// the terms it matches through its parts: every part of a hyphenated word,
// and the modifier terms it starts with. A modifier does not add to a class
// of its topic that the word already matches.
func (c *Classifier) compoundParts(folded string, ids []int32) []int32 {
	if strings.Contains(folded, "-") {
		for part := range strings.SplitSeq(folded, "-") {
			if len(part) < 2 || analysis.IsStopword(part) {
				continue
			}
			for _, id := range c.word(part).ids {
				if !slices.Contains(ids, id) {
					ids = append(ids, id)
				}
			}
		}
		folded = strings.ReplaceAll(folded, "-", "")
	}
	if len(c.mods) == 0 || len(folded) < minModifierLen+minHeadLen {
		return ids
	}
	v := dutchVocabulary()
	for _, id := range c.mods {
		t := &c.terms[id]
		if !strings.HasPrefix(folded, t.pattern) || slices.Contains(ids, id) {
			continue
		}
		if slices.ContainsFunc(ids, func(o int32) bool {
			return c.terms[o].topic == t.topic && c.terms[o].class == t.class
		}) {
			continue
		}
		if v.head(folded[len(t.pattern):]) {
			ids = append(ids, id)
		}
	}
	return ids
}
