package answer

import (
	"slices"
	"testing"
)

func TestEnglishCognates(t *testing.T) {
	for _, tt := range []struct {
		en   string
		want []string // among the spellings
		not  []string
	}{
		{"energy", []string{"energie"}, nil},
		{"migration", []string{"migratie"}, nil},
		{"prehistoric", []string{"prehistorisch"}, nil},
		{"canoe", []string{"kano"}, nil},
		{"athletics", []string{"atletiek"}, nil},
		{"collective", []string{"collectief"}, nil},
		{"reality", []string{"realiteit"}, nil},
		{"metal", []string{"metaal"}, nil},
		{"photography", []string{"fotografie"}, nil},
		{"gynaecologists", []string{"gynaecologen"}, nil},
		{"virologist", []string{"viroloog"}, nil},
		{"rate", nil, []string{"rat"}},
		{"energy", nil, []string{"energy"}}, // not the word itself
	} {
		got := englishCognates(tt.en)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tt.en, got, w)
			}
		}
		for _, w := range tt.not {
			if slices.Contains(got, w) {
				t.Errorf("%s: %q has %q", tt.en, got, w)
			}
		}
	}
	for _, w := range []string{"", "cat", "cyber-security", string(make([]byte, 200))} {
		if got := englishCognates(w); got != nil {
			t.Errorf("%q: got %q, want none", w, got)
		}
	}
}

// An English word the lexicon lacks reaches the Dutch word it shares, but
// only a spelling the articles have.
func TestQuestionUsesCognates(t *testing.T) {
	lib := newTestLibrarian(t)
	ix := newTestCorpus(lib.an, testArticles(t))
	q := lib.analyzeQuestion("Who found the metal canoe near Swifterbant?", ix)
	want := map[string]string{"canoe": lib.an.Stem("kano"), "metal": lib.an.Stem("metaal")}
	for _, g := range q.Groups {
		if st, ok := want[g.Label]; ok {
			if !slices.Contains(g.Stems, st) || g.Untranslated {
				t.Errorf("group %q: stems %q (untranslated %v), want %q among them", g.Label, g.Stems, g.Untranslated, st)
			}
			for _, s := range g.Stems {
				if _, in := ix.Lookup(s); !in && s != lib.an.Stem(g.Label) {
					t.Errorf("group %q has stem %q, which no article has", g.Label, s)
				}
			}
			delete(want, g.Label)
		}
	}
	if len(want) > 0 {
		t.Errorf("no groups for %v", want)
	}
}
