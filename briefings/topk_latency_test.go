package briefings

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/briefings/answer"
)

// TestTopArticlesPrunedIsExact checks that retrieval with pruning, and
// retrieval on two goroutines, return exactly what scoring every article
// on one returns (the same docs, in the same
// order, with bit-identical scores) over random corpora and queries: groups
// of one to three terms, terms shared between groups, various weights and k.
func TestTopArticlesPrunedIsExact(t *testing.T) {
	ctx := context.Background()
	defer func(n int) { parallelPostings = n }(parallelPostings)
	parallelPostings = 100
	for _, seed := range []uint64{1, 2, 3} {
		rng := rand.New(rand.NewPCG(seed, 99))
		vocab := make([]string, 1500)
		for i := range vocab {
			vocab[i] = fmt.Sprintf("w%dx%s", i, strings.Repeat("a", 1+i%4))
		}
		zipf := rand.NewZipf(rand.New(rand.NewPCG(seed, 7)), 1.1, 2, uint64(len(vocab)-1))
		var arts []Article
		for a := range 3000 {
			var b strings.Builder
			fmt.Fprintf(&b, "Titel %s %s\n\n", vocab[zipf.Uint64()], vocab[zipf.Uint64()])
			for range 3 + rng.IntN(25) {
				for w := range 4 + rng.IntN(12) {
					if w > 0 {
						b.WriteByte(' ')
					}
					b.WriteString(vocab[zipf.Uint64()])
				}
				b.WriteString(". ")
			}
			got, err := ParseFile(fmt.Sprintf("a%05d.txt", a), []byte(b.String()))
			if err != nil {
				t.Fatal(err)
			}
			arts = append(arts, got...)
		}
		lib, err := NewLibrary(Options{FreeDictDir: "-"})
		if err != nil {
			t.Fatal(err)
		}
		if err := lib.Replace(ctx, arts); err != nil {
			t.Fatal(err)
		}
		ix := lib.state.Load().ix
		var stems []string
		for i := range ix.seg.termIDs {
			stems = append(stems, string(ix.seg.termBytes[ix.seg.termOff[i]:ix.seg.termOff[i+1]]))
		}
		if !slices.IsSorted(stems) {
			t.Fatal("the index's dictionary is not in byte order")
		}
		pruned := 0
		for q := range 400 {
			var groups []answer.TermGroup
			for range 1 + rng.IntN(6) {
				g := answer.TermGroup{Weight: []float64{1, 1.5, 0.7, 2.3}[rng.IntN(4)]}
				for range 1 + rng.IntN(3) {
					// mostly frequent terms: those need pruning
					i := rng.IntN(len(stems))
					if rng.IntN(3) > 0 {
						i = int(zipf.Uint64()) % len(stems)
					}
					g.Stems = append(g.Stems, stems[i])
				}
				if rng.IntN(8) == 0 && len(groups) > 0 {
					g.Stems = append(g.Stems, groups[0].Stems[0]) // a term in two groups
				}
				if rng.IntN(10) == 0 {
					g.Stems = append(g.Stems, "nergens") // not in the index
				}
				ix.resolve(&g)
				groups = append(groups, g)
			}
			for _, k := range []int{1, 3, 12, 40} {
				// one goroutine (a filter keeps it so), then two
				want := ix.topArticlesAll(groups, k, func(uint32) bool { return true })
				par := ix.topArticlesAll(groups, k, nil)
				if len(par) != len(want) {
					t.Fatalf("seed %d query %d k %d: %d results in parallel, want %d", seed, q, k, len(par), len(want))
				}
				for i := range want {
					if par[i].doc != want[i].doc || math.Float64bits(par[i].score) != math.Float64bits(want[i].score) {
						t.Fatalf("seed %d query %d k %d: result %d in parallel is %+v, want %+v", seed, q, k, i, par[i], want[i])
					}
				}
				got, ok := ix.topArticlesPruned(groups, k)
				if !ok {
					continue
				}
				pruned++
				if len(got) != len(want) {
					t.Fatalf("seed %d query %d k %d: %d results, want %d", seed, q, k, len(got), len(want))
				}
				for i := range want {
					if got[i].doc != want[i].doc || math.Float64bits(got[i].score) != math.Float64bits(want[i].score) {
						t.Fatalf("seed %d query %d k %d: result %d is %+v, want %+v", seed, q, k, i, got[i], want[i])
					}
				}
			}
		}
		if pruned < 200 {
			t.Errorf("seed %d: only %d queries took the pruned path", seed, pruned)
		}
	}
}
