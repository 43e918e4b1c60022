package answer

import (
	"slices"
	"strings"
)

// Cognates: an English question word the lexicon lacks is often a word
// Dutch shares with it, spelled the Dutch way: "energy" ~ "energie",
// "migration" ~ "migratie", "prehistoric" ~ "prehistorisch", "collective"
// ~ "collectief", "canoe" ~ "kano". englishCognates spells a word by the
// regular correspondences; the question keeps only the spellings the
// articles have, so a guess that is no Dutch word costs nothing.

// cognateSuffixes map English endings to their Dutch counterparts, longest
// first within each group that shares an ending.
var cognateSuffixes = []struct{ en, nl string }{
	{"ications", "icaties"}, {"ication", "icatie"},
	{"ations", "aties"}, {"ation", "atie"}, {"itions", "ities"}, {"ition", "itie"},
	{"tions", "ties"}, {"tion", "tie"}, {"sions", "sies"}, {"sion", "sie"},
	{"ities", "iteiten"}, {"ity", "iteit"},
	{"ically", "isch"}, {"ical", "isch"}, {"ics", "iek"}, {"ic", "isch"}, {"ic", "iek"},
	{"ologists", "ologen"}, {"ologist", "oloog"}, {"ists", "isten"}, {"ist", "ist"}, {"isms", "ismen"}, {"ism", "isme"},
	{"ives", "ieven"}, {"ive", "ief"},
	{"ous", "eus"}, {"ary", "air"}, {"ory", "orie"},
	{"als", "alen"}, {"al", "aal"},
	{"ized", "iseerd"}, {"ised", "iseerd"}, {"izes", "iseert"}, {"ises", "iseert"}, {"ize", "iseren"}, {"ise", "iseren"},
	{"ated", "eerd"}, {"ates", "eert"}, {"ate", "eren"},
	{"ogies", "ogieën"}, {"ogy", "ogie"}, {"graphy", "grafie"},
	{"ies", "ieën"}, {"cy", "tie"}, {"y", "ie"},
	{"oe", "o"},
}

// maxCognateWord bounds the words spelled: longer ones are no words.
const maxCognateWord = 30

// englishCognates returns Dutch spellings of the folded English word w, at
// most a few dozen, w itself not among them.
func englishCognates(w string) []string {
	if len(w) < 4 || len(w) > maxCognateWord || strings.ContainsAny(w, " -'") {
		return nil
	}
	stems := []string{w}
	for _, s := range cognateSuffixes {
		if rest, ok := strings.CutSuffix(w, s.en); ok && len(rest) >= 2 {
			stems = append(stems, rest+s.nl)
		}
	}
	var out []string
	seen := map[string]bool{w: true}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, s := range stems {
		for _, v := range []string{s, dutchLetters(s)} {
			add(v)
		}
	}
	return out
}

// dutchLetters respells English letter groups the Dutch way: "c" before
// a, o, u or a consonant and at the end becomes "k", "ph" "f", "th" "t",
// "y" between consonants "i", "ck" "k", "qu" "kw".
func dutchLetters(s string) string {
	var b strings.Builder
	vowel := func(c byte) bool { return strings.IndexByte("aeiouy", c) >= 0 }
	for i := 0; i < len(s); i++ {
		c := s[i]
		next := byte(0)
		if i+1 < len(s) {
			next = s[i+1]
		}
		switch {
		case c == 'c' && next == 'k':
			b.WriteByte('k')
			i++
		case c == 'c' && next == 'h':
			b.WriteString("ch")
			i++
		case c == 'c' && (next == 0 || strings.IndexByte("eiy", next) < 0):
			b.WriteByte('k')
		case c == 'p' && next == 'h':
			b.WriteByte('f')
			i++
		case c == 't' && next == 'h':
			b.WriteByte('t')
			i++
		case c == 'q' && next == 'u':
			b.WriteString("kw")
			i++
		case c == 'y' && i > 0 && !vowel(s[i-1]) && next != 0 && !vowel(next):
			b.WriteByte('i')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// nameRespellings are the English ways of writing Russian and Ukrainian
// sounds and the Dutch ones, longest first: "Putin" ~ "Poetin",
// "Prigozhin" ~ "Prigozjin", "Khodorkovsky" ~ "Chodorkovski", "Yanukovych"
// ~ "Janoekovitsj".
var nameRespellings = []struct{ en, nl string }{
	{"shch", "sjtsj"}, {"zh", "zj"}, {"kh", "ch"}, {"sh", "sj"}, {"ch", "tsj"},
	{"yu", "joe"}, {"ya", "ja"}, {"ye", "je"}, {"yo", "jo"},
}

// dutchNameSpellings returns the Dutch spellings of the folded English
// spelling of a name transcribed from Cyrillic: only its "u" made "oe",
// only its final "y" made "i", and every correspondence at once, w itself
// not among them. The question keeps only the spellings the articles have.
func dutchNameSpellings(w string) []string {
	if len(w) < 4 || len(w) > maxCognateWord || strings.ContainsAny(w, " -'") {
		return nil
	}
	consonant := func(c byte) bool { return c >= 'a' && c <= 'z' && strings.IndexByte("aeiouy", c) < 0 }
	oe := func(b *strings.Builder, s string, i int) bool {
		if s[i] == 'u' && (i == 0 || consonant(s[i-1])) {
			b.WriteString("oe")
			return true
		}
		return false
	}
	endI := func(s string) string {
		for _, end := range []string{"iy", "yy", "y"} {
			if rest, ok := strings.CutSuffix(s, end); ok && len(rest) >= 3 {
				return rest + "i"
			}
		}
		return s
	}
	var onlyOe, all strings.Builder
	for i := 0; i < len(w); i++ {
		if !oe(&onlyOe, w, i) {
			onlyOe.WriteByte(w[i])
		}
	}
	for i := 0; i < len(w); {
		if oe(&all, w, i) {
			i++
			continue
		}
		matched := false
		for _, r := range nameRespellings {
			if strings.HasPrefix(w[i:], r.en) {
				all.WriteString(r.nl)
				i += len(r.en)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		if w[i] == 'y' && i > 0 && consonant(w[i-1]) && i+1 < len(w) && consonant(w[i+1]) {
			all.WriteByte('i') // "Yanukovych": "-vitsj"
		} else {
			all.WriteByte(w[i])
		}
		i++
	}
	var out []string
	for _, v := range []string{onlyOe.String(), endI(w), endI(all.String())} {
		if v != w && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
