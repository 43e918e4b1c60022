package corpus_test

import (
	"testing"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/internal/corpus"

	"github.com/google/go-cmp/cmp"
)

func TestGenerate(t *testing.T) {
	const n = 300
	arts := corpus.Generate(n, 7)
	if diff := cmp.Diff(arts, corpus.Generate(n, 7)); diff != "" {
		t.Fatalf("same seed, different corpus (-first +second):\n%s", diff)
	}
	if other := corpus.Generate(1, 8); other[0].Hash == arts[0].Hash {
		t.Error("another seed gives the same first article")
	}
	ids := map[briefings.ArticleID]bool{}
	words := map[string]bool{}
	var dated, monthOnly, undated, withHeadings int
	years := map[int]bool{}
	for _, a := range arts {
		if ids[a.ID] {
			t.Errorf("duplicate ID %s", a.ID)
		}
		ids[a.ID] = true
		if len(a.Sentences) < 8 || len(a.Sentences) > 20 {
			t.Errorf("%s has %d sentences, want 8-20", a.ID, len(a.Sentences))
		}
		if a.Title == "" || a.Hash == "" {
			t.Errorf("%s: title %q hash %q", a.ID, a.Title, a.Hash)
		}
		switch {
		case a.Date.IsZero():
			undated++
		case a.Date.Day == 0:
			monthOnly++
		default:
			dated++
		}
		years[a.Date.Year] = true
		for _, p := range a.Paragraphs {
			if p.Heading {
				withHeadings++
				break
			}
		}
		for _, w := range analysis.Words(a.Body()) {
			words[w.Folded] = true
		}
	}
	if dated == 0 || monthOnly == 0 || undated == 0 || withHeadings == 0 || len(years) < 10 {
		t.Errorf("dated %d, month only %d, undated %d, with headings %d, %d years: want all kinds", dated, monthOnly, undated, withHeadings, len(years))
	}
	if len(words) < 2000 {
		t.Errorf("vocabulary of %d words, want a few thousand", len(words))
	}
}

func TestWriteDirLoadsAsGenerated(t *testing.T) {
	const n = 200
	dir := t.TempDir()
	if err := corpus.WriteDir(dir, n, 3); err != nil {
		t.Fatal(err)
	}
	res, err := briefings.LoadDir(t.Context(), dir, briefings.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Skipped) != 0 || len(res.Folded) != 0 {
		t.Errorf("skipped %v, folded %v; want none", res.Skipped, res.Folded)
	}
	if diff := cmp.Diff(res.Articles, corpus.Generate(n, 3)); diff != "" {
		t.Errorf("loaded corpus differs from Generate (-loaded +generated):\n%s", diff)
	}
	if name, _ := corpus.File(0, 3); name != string(res.Articles[0].ID)+".txt" {
		t.Errorf("File(0) is named %q, want the first article's ID %q plus .txt", name, res.Articles[0].ID)
	}
}
