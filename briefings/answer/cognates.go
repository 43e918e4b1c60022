package answer

import "strings"

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
