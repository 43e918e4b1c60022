package lexicon_test

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// fold mirrors analysis.Fold: lower case, accents and apostrophes dropped.
// Uniqueness is checked on folded forms because that is how the engine
// compares them.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) || r == '\'' || r == '’' {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// line is one data line of a lexicon file.
type line struct {
	n       int    // 1-based line number
	section string // last one-word "# section" comment above it, or ""
	cols    []string
}

// readLines reads a lexicon file the way the loader does: blank lines are
// skipped, "#" starts a comment, and a comment of one word names a section.
// Only the one-word comments in sections are allowed, because any other
// one-word comment would silently switch the loader's section.
func readLines(t *testing.T, name string, sections ...string) []line {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	if !strings.HasSuffix(string(data), "\n") {
		t.Errorf("%s: last line has no newline", name)
	}
	var out []line
	section := ""
	for i, raw := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		n := i + 1
		if strings.ContainsRune(raw, '\r') {
			t.Errorf("%s:%d: carriage return", name, n)
		}
		trimmed := strings.TrimSpace(raw)
		if trimmed == "" {
			continue
		}
		if strings.Trim(raw, " ") != raw || strings.HasPrefix(raw, "\t") {
			t.Errorf("%s:%d: leading or trailing white space", name, n)
		}
		if strings.HasPrefix(trimmed, "#") {
			word := strings.TrimSpace(strings.TrimPrefix(trimmed, "#"))
			if word != "" && !strings.Contains(word, " ") {
				ok := false
				for _, s := range sections {
					ok = ok || strings.ToLower(word) == s
				}
				if !ok {
					t.Errorf("%s:%d: one-word comment %q would switch the loader's section; allowed sections: %v", name, n, word, sections)
				}
				section = strings.ToLower(word)
			}
			continue
		}
		out = append(out, line{n: n, section: section, cols: strings.Split(raw, "\t")})
	}
	return out
}

// checkForm reports what is wrong with one form, or "" when it is fine.
// A form is trimmed, has single spaces between words, and consists of
// letters, digits, spaces, hyphens, apostrophes and (when dots is set, for
// names as written) full stops and ampersands. lower demands lower case; upper demands at least one capital.
func checkForm(f string, lower, upper, dots bool) string {
	switch {
	case f == "":
		return "empty form"
	case f != strings.TrimSpace(f):
		return fmt.Sprintf("form %q has surrounding spaces", f)
	case strings.Contains(f, "  "):
		return fmt.Sprintf("form %q has a double space", f)
	case lower && f != strings.ToLower(f):
		return fmt.Sprintf("form %q is not lower case", f)
	case upper && f == strings.ToLower(f) && strings.IndexFunc(f, unicode.IsLetter) >= 0:
		return fmt.Sprintf("form %q has no capital", f)
	}
	for _, r := range f {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ' || r == '-' || r == '\'' || (dots && (r == '.' || r == '&')) {
			continue
		}
		return fmt.Sprintf("form %q has character %q", f, r)
	}
	return ""
}

// forms splits a comma-separated column and checks each form, reporting
// empty items and repeats within the column.
func forms(t *testing.T, where, col string, lower, upper, dots bool) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Split(col, ",") {
		if msg := checkForm(f, lower, upper, dots); msg != "" {
			t.Errorf("%s: %s", where, msg)
			continue
		}
		if seen[fold(f)] {
			t.Errorf("%s: form %q repeated in one column", where, f)
		}
		seen[fold(f)] = true
		out = append(out, f)
	}
	return out
}

func TestEnNl(t *testing.T) {
	news := checkTranslations(t, "en-nl.tsv", 1500)
	// The general vocabulary adds words, never a second reading of a
	// news-domain word: the news lexicon's senses stay the only ones.
	general := checkTranslations(t, "en-nl-general.tsv", 1000)
	for e, line := range general {
		if n, ok := news[e]; ok {
			t.Errorf("en-nl-general.tsv:%d: english %q is already on en-nl.tsv:%d", line, e, n)
		}
	}
}

// prepositions.tsv has the translations' format; its Dutch forms that count
// are single words.
func TestPrepositions(t *testing.T) {
	checkTranslations(t, "prepositions.tsv", 15)
	for _, l := range readLines(t, "prepositions.tsv") {
		if len(l.cols) == 2 && !slices.ContainsFunc(strings.Split(l.cols[1], ","), func(d string) bool { return !strings.Contains(d, " ") }) {
			t.Errorf("prepositions.tsv:%d: no one-word Dutch form", l.n)
		}
	}
}

// checkTranslations checks an 'english forms<TAB>dutch forms' file of at
// least minLines concepts and returns the line of each folded English form.
func checkTranslations(t *testing.T, name string, minLines int) map[string]int {
	lines := readLines(t, name)
	// byEnglish holds, per folded English form, the Dutch sides of the lines
	// that carry it.
	type use struct {
		n     int
		dutch map[string]bool
	}
	byEnglish := map[string][]use{}
	for _, l := range lines {
		where := fmt.Sprintf("%s:%d", name, l.n)
		if len(l.cols) != 2 {
			t.Errorf("%s: want 'english forms<TAB>dutch forms', got %d column(s)", where, len(l.cols))
			continue
		}
		en := forms(t, where, l.cols[0], true, false, false)
		nl := forms(t, where, l.cols[1], true, false, false)
		dutch := map[string]bool{}
		for _, d := range nl {
			dutch[fold(d)] = true
		}
		for _, e := range en {
			byEnglish[fold(e)] = append(byEnglish[fold(e)], use{l.n, dutch})
		}
	}
	// An English form may sit on several lines only for different senses
	// ("fire": dismiss / blaze), whose Dutch sides then share nothing. Two
	// lines that share a Dutch form are one concept split in two, and
	// must be merged so that every form of the concept maps alike.
	first := map[string]int{}
	for e, uses := range byEnglish {
		first[e] = uses[0].n
		for i := range uses {
			for j := i + 1; j < len(uses); j++ {
				for d := range uses[i].dutch {
					if uses[j].dutch[d] {
						t.Errorf("%s: english %q on lines %d and %d which share dutch %q: merge them or split the senses", name, e, uses[i].n, uses[j].n, d)
						break
					}
				}
			}
		}
	}
	if len(lines) < minLines {
		t.Errorf("%s: %d concept lines, want at least %d", name, len(lines), minLines)
	}
	return first
}

func TestCountries(t *testing.T) {
	const name = "countries.tsv"
	lines := readLines(t, name)
	seen := map[string]int{}
	for _, l := range lines {
		where := fmt.Sprintf("%s:%d", name, l.n)
		if len(l.cols) != 4 {
			t.Errorf("%s: want 'english names<TAB>dutch names<TAB>dutch demonyms<TAB>english demonyms', got %d column(s)", where, len(l.cols))
			continue
		}
		for i, c := range l.cols {
			if i >= 2 && c == "" {
				continue // no demonym of its own
			}
			// Names must be unique across the file: the loader maps each
			// one to a single country.
			for _, f := range forms(t, where, c, true, false, true) {
				k := fold(f)
				if prev, ok := seen[k]; ok && prev != l.n {
					t.Errorf("%s: column %d form %q already on line %d", where, i+1, f, prev)
				}
				seen[k] = l.n
			}
		}
	}
	if len(lines) < 190 {
		t.Errorf("%s: %d countries, want at least 190", name, len(lines))
	}
}

func TestFirstNames(t *testing.T) {
	const name = "firstnames.txt"
	lines := readLines(t, name)
	seen := map[string]int{}
	for _, l := range lines {
		where := fmt.Sprintf("%s:%d", name, l.n)
		if len(l.cols) != 1 || strings.ContainsAny(l.cols[0], ", ") {
			t.Errorf("%s: want one name per line, got %q", where, strings.Join(l.cols, "\t"))
			continue
		}
		n := l.cols[0]
		if msg := checkForm(n, false, true, false); msg != "" {
			t.Errorf("%s: %s", where, msg)
		}
		if r := []rune(n)[0]; !unicode.IsUpper(r) {
			t.Errorf("%s: name %q does not start with a capital", where, n)
		}
		if prev, ok := seen[fold(n)]; ok {
			t.Errorf("%s: name %q already on line %d", where, n, prev)
		}
		seen[fold(n)] = l.n
	}
	if len(lines) < 900 {
		t.Errorf("%s: %d names, want at least 900", name, len(lines))
	}
}

func TestRoles(t *testing.T) {
	const name = "roles.tsv"
	lines := readLines(t, name)
	seen := map[string]int{}
	for _, l := range lines {
		where := fmt.Sprintf("%s:%d", name, l.n)
		if len(l.cols) != 3 {
			t.Errorf("%s: want 'dutch forms<TAB>english forms<TAB>kind', got %d column(s)", where, len(l.cols))
			continue
		}
		for _, f := range forms(t, where, l.cols[0], true, false, false) {
			if prev, ok := seen[fold(f)]; ok {
				t.Errorf("%s: dutch role %q already on line %d", where, f, prev)
			}
			seen[fold(f)] = l.n
		}
		forms(t, where, l.cols[1], true, false, false)
		if k := l.cols[2]; k != "person" && k != "org-person" {
			t.Errorf("%s: kind %q, want person or org-person", where, k)
		}
	}
	if len(lines) < 140 {
		t.Errorf("%s: %d roles, want at least 140", name, len(lines))
	}
}

// gazetteer checks a file of comma-separated names as written (capitalised),
// unique across the file, and returns the data lines per section.
func gazetteer(t *testing.T, name string, sections ...string) map[string][]line {
	t.Helper()
	lines := readLines(t, name, sections...)
	seen := map[string]int{}
	out := map[string][]line{}
	for _, l := range lines {
		where := fmt.Sprintf("%s:%d", name, l.n)
		if len(l.cols) != 1 {
			t.Errorf("%s: want comma-separated names without tabs", where)
			continue
		}
		heads := l.section == "heads"
		for _, f := range forms(t, where, l.cols[0], heads, !heads, true) {
			if prev, ok := seen[fold(f)]; ok {
				t.Errorf("%s: %q already on line %d", where, f, prev)
			}
			seen[fold(f)] = l.n
		}
		out[l.section] = append(out[l.section], l)
	}
	return out
}

func TestPlaces(t *testing.T) {
	got := gazetteer(t, "places.txt")
	if n := len(got[""]); n < 550 {
		t.Errorf("places.txt: %d places, want at least 550", n)
	}
}

func TestOrgs(t *testing.T) {
	got := gazetteer(t, "orgs.txt", "heads")
	if n := len(got[""]); n < 250 {
		t.Errorf("orgs.txt: %d organisations, want at least 250", n)
	}
	if n := len(got["heads"]); n < 30 {
		t.Errorf("orgs.txt: %d organisation head nouns under '# heads', want at least 30", n)
	}
}

func TestMonths(t *testing.T) {
	const name = "months.tsv"
	count := map[string]map[int]int{"": {}, "weekdays": {}}
	seen := map[string]int{}
	for _, l := range readLines(t, name, "weekdays") {
		where := fmt.Sprintf("%s:%d", name, l.n)
		if len(l.cols) != 3 {
			t.Errorf("%s: want 'dutch<TAB>english<TAB>number', got %d column(s)", where, len(l.cols))
			continue
		}
		for _, c := range l.cols[:2] {
			for _, f := range forms(t, where, c, true, false, true) {
				// "mei" and "may" differ, but an abbreviation must not
				// name two months or days.
				if prev, ok := seen[f]; ok && prev != l.n {
					t.Errorf("%s: %q already on line %d", where, f, prev)
				}
				seen[f] = l.n
			}
		}
		v, err := strconv.Atoi(l.cols[2])
		if err != nil {
			t.Errorf("%s: number %q: %v", where, l.cols[2], err)
			continue
		}
		count[l.section][v]++
	}
	for section, limit := range map[string]int{"": 12, "weekdays": 7} {
		for v := 1; v <= limit; v++ {
			if count[section][v] != 1 {
				t.Errorf("%s section %q: number %d on %d line(s), want 1", name, section, v, count[section][v])
			}
		}
		if len(count[section]) != limit {
			t.Errorf("%s section %q: numbers %v, want exactly 1..%d", name, section, count[section], limit)
		}
	}
}

func TestNumbers(t *testing.T) {
	const name = "numbers.tsv"
	values := map[string]int64{}
	mods := 0
	for _, l := range readLines(t, name, "modifiers") {
		where := fmt.Sprintf("%s:%d", name, l.n)
		if l.section == "modifiers" {
			if len(l.cols) != 1 {
				t.Errorf("%s: modifiers are comma-separated, without tabs", where)
			}
			mods += len(forms(t, where, l.cols[0], true, false, false))
			continue
		}
		if len(l.cols) != 2 {
			t.Errorf("%s: want 'word<TAB>value', got %d column(s)", where, len(l.cols))
			continue
		}
		v, err := strconv.ParseInt(l.cols[1], 10, 64)
		if err != nil || v < 0 {
			t.Errorf("%s: value %q is not a whole number >= 0", where, l.cols[1])
			continue
		}
		for _, f := range forms(t, where, l.cols[0], true, false, false) {
			if prev, ok := values[fold(f)]; ok && prev != v {
				t.Errorf("%s: %q is %d here and %d elsewhere", where, f, v, prev)
			}
			values[fold(f)] = v
		}
	}
	// Spot checks on values that are easy to get wrong between the two
	// languages (a Dutch "biljoen" is an English "trillion").
	for w, want := range map[string]int64{
		"twintig": 20, "twenty": 20, "eenentwintig": 21, "honderd": 100, "duizend": 1000,
		"miljoen": 1000000, "million": 1000000, "miljard": 1000000000, "billion": 1000000000,
		"biljoen": 1000000000000, "trillion": 1000000000000, "dertien": 13, "zeventig": 70,
	} {
		if got, ok := values[w]; !ok || got != want {
			t.Errorf("%s: %q = %d (present %v), want %d", name, w, got, ok, want)
		}
	}
	if mods < 20 {
		t.Errorf("%s: %d modifiers under '# modifiers', want at least 20", name, mods)
	}
}

// boundaries.txt and classes.txt: lower-case words under the sections the
// span finders know, none twice in a section.
func TestBoundaries(t *testing.T) {
	checkClassWords(t, "boundaries.txt", "breakers", "openers", "complements", "chained", "clauses")
}

func TestClasses(t *testing.T) {
	checkClassWords(t, "classes.txt", "weak", "place", "reason", "source", "manner", "npinner", "units", "currencies",
		"reldates", "reldateheads", "reldatemods", "notnumbers", "appositions")
}

func TestFocusNouns(t *testing.T) {
	checkClassWords(t, "focus.txt", "time", "hour", "amount", "manner", "purpose", "country", "place", "org", "person",
		"court", "genericorg", "measure", "percent")
}

func checkClassWords(t *testing.T, name string, sections ...string) {
	t.Helper()
	got := map[string]map[string]int{}
	for _, l := range readLines(t, name, sections...) {
		where := fmt.Sprintf("%s:%d", name, l.n)
		if l.section == "" || len(l.cols) != 1 {
			t.Errorf("%s: want comma-separated words under a section", where)
			continue
		}
		if got[l.section] == nil {
			got[l.section] = map[string]int{}
		}
		for _, f := range forms(t, where, l.cols[0], true, false, false) {
			if prev, ok := got[l.section][f]; ok {
				t.Errorf("%s: %q already on line %d", where, f, prev)
			}
			got[l.section][f] = l.n
		}
	}
	for _, s := range sections {
		if len(got[s]) == 0 {
			t.Errorf("%s: no words under '# %s'", name, s)
		}
	}
}
