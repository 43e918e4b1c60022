package briefings

import (
	"context"
	"testing"

	"github.com/briefbot/briefbot/briefings/answer"
)

// TestPassages returns the retrieval a language model reads: the sentence
// that answers, with its neighbours, from the right article first.
func TestPassages(t *testing.T) {
	ctx := context.Background()
	lib, err := NewLibrary(Options{FreeDictDir: "-"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := LoadFS(ctx, SampleFS(), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Replace(ctx, res.Articles); err != nil {
		t.Fatal(err)
	}
	r, err := lib.Passages(ctx, "Who fired Krebs?", AskOptions{}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if r.Lang != "en" || r.Type != "who" || len(r.Passages) == 0 || len(r.Passages) > 3 {
		t.Fatalf("retrieval %+v: want English, who, 1 to 3 passages", r)
	}
	p := r.Passages[0]
	art, _ := lib.Article(p.Article)
	if p.Article != "004_496c433a0061d38d" || p.First != 0 || p.Last-p.First+1 > answer.MaxPassageSentences || p.Title != art.Title {
		t.Errorf("first passage %+v: want the Krebs article from its first sentence", p)
	}
	for _, q := range r.Passages {
		a, _ := lib.Article(q.Article)
		want := a.Sentences[q.First].Text
		if len(q.Text) < len(want) || q.Text[:len(want)] != want {
			t.Errorf("passage %s [%d-%d] does not start with its first sentence verbatim", q.Article, q.First, q.Last)
		}
	}
	if _, err := lib.Passages(ctx, "?", AskOptions{}, 3); err != ErrEmptyQuery {
		t.Errorf("empty question: %v, want ErrEmptyQuery", err)
	}
	r, err = lib.Passages(ctx, "Who fired Krebs?", AskOptions{Article: "000_84c18d6e44010aaa"}, 3)
	if err != nil || len(r.Passages) == 0 || r.Passages[0].Article != "000_84c18d6e44010aaa" {
		t.Errorf("restricted to one article: %+v, %v", r, err)
	}
}

// TestSupport matches an answer's words in a sentence directly, through
// the lexicon (English words and names, numbers by value), or not at all.
func TestSupport(t *testing.T) {
	lib, err := NewLibrary(Options{FreeDictDir: "-"})
	if err != nil {
		t.Fatal(err)
	}
	const s = "Het Openbaar Ministerie vervolgt drie hackers uit de Verenigde Staten, zei Poetin."
	for _, tt := range []struct {
		text string
		want []float64 // Match per term
	}{
		{"Openbaar Ministerie", []float64{1, 1}},
		{"the Public Prosecution Service", []float64{1, 1, 1}},
		{"the United States", []float64{1, 1}}, // one term where the index has the phrase
		{"Putin", []float64{1}},
		{"3 hackers", []float64{1, 1}},
		{"three", []float64{1}},
		{"Barack Obama", []float64{0, 0}},
		{"4", []float64{0}},
	} {
		terms := lib.Support(tt.text, s)
		var got []float64
		for _, ts := range terms {
			got = append(got, ts.Match)
		}
		if len(got) != len(tt.want) {
			t.Errorf("%q: terms %+v, want matches %v", tt.text, terms, tt.want)
			continue
		}
		for i := range got {
			if (got[i] > 0) != (tt.want[i] > 0) {
				t.Errorf("%q: terms %+v, want matches %v", tt.text, terms, tt.want)
				break
			}
		}
	}
}
