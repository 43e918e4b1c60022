package briefings

import (
	"flag"
	"fmt"
	"log/slog"
	"testing"
)

var foldN = flag.Int("bench.fold", 20000, "near-template articles for BenchmarkFoldNearTemplates")

// templated returns n articles that differ in one number each: the shape of
// generated press releases and wire templates (issue 12, item 6). Each
// shares most of its shingles with every other, so all land in the same
// LSH buckets, yet none is 90% similar to another.
func templated(n int) []Article {
	arts := make([]Article, n)
	for i := range arts {
		body := fmt.Sprintf("Bericht %d over de stand van zaken in gemeente %d op dag %d met %d bezoekers en %d meldingen.", i, i%977, i%31, i*7, i*13)
		arts[i] = Article{ID: ArticleID(fmt.Sprint(i)), Source: fmt.Sprintf("%07d.txt", i), Hash: fmt.Sprint(i),
			Paragraphs: []Paragraph{{Text: body}}, Sentences: []Sentence{{Text: body}}}
	}
	return arts
}

// BenchmarkFoldNearTemplates: go test -run '^$' -bench FoldNearTemplates ./briefings/ -bench.fold 100000
func BenchmarkFoldNearTemplates(b *testing.B) {
	arts := templated(*foldN)
	log := slog.New(slog.DiscardHandler)
	b.ResetTimer()
	for b.Loop() {
		in := append([]Article(nil), arts...)
		kept, _, err := foldNearDuplicates(b.Context(), in, log)
		if err != nil {
			b.Fatal(err)
		}
		if len(kept) == 0 {
			b.Fatal("everything folded")
		}
	}
	b.ReportMetric(float64(*foldN), "articles")
}

func TestTemplatedArticlesNotFolded(t *testing.T) {
	arts := templated(2000)
	kept, folded, err := foldNearDuplicates(t.Context(), arts, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) < 1900 {
		t.Errorf("kept %d of 2000 templated but different articles (folded %d groups); want nearly all", len(kept), len(folded))
	}
}
