package briefings

import (
	"slices"
	"testing"

	"github.com/briefbot/briefbot/briefings/answer"
)

// TestExpandTermsKeepsMeaning: expressions that would shrink to one word
// without their stop words are not expanded, and a strong term's plain-word
// translations are threat terms.
func TestExpandTermsKeepsMeaning(t *testing.T) {
	lx, err := answer.LoadLexicon(nil)
	if err != nil {
		t.Fatal(err)
	}
	got := expandTerms([]string{"harm:attack^0.5", "strong:election fraud"}, lx)
	for _, want := range []string{"harm:aanval^0.5", "harm:aangevallen^0.5", "strong:verkiezingsfraude", "strong:stemfraude", "strong:fraude met stemmen", "threat:vervalst"} {
		if !slices.Contains(got, want) {
			t.Errorf("expansion %v lacks %q", got, want)
		}
	}
	for _, bad := range []string{"harm:val aan^0.5", "harm:viel aan^0.5", "strong:vervalst", "strong:gemanipuleerd"} {
		if slices.Contains(got, bad) {
			t.Errorf("expansion %v has %q", got, bad)
		}
	}
}

func TestCompoundSplit(t *testing.T) {
	v := dutchVocabulary()
	for w, want := range map[string]string{
		"kiesraad":     "kies",
		"stembureau":   "stem",
		"kieswebsites": "kies",
		"nepotisme":    "",
		"verkiezing":   "",
	} {
		if got := v.split(w); got != want {
			t.Errorf("split(%q) = %q, want %q", w, got, want)
		}
	}
}
