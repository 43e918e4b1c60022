package briefings_test

import (
	"flag"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/internal/corpus"
)

var termsN = flag.Int("bench.terms", 2000, "generated articles for BenchmarkAnalyzeDoc")

// BenchmarkAnalyzeDoc analyses the title, headings and sentences of
// generated articles as the index build does, with a fresh Analyzer each
// round (a build's cold stem cache):
//
//   - terms: (*Analyzer).Terms per text, as analyzeDoc called it;
//   - termer: one termer, appending every text's terms to one slice.
//
// The serial cases run on one goroutine, the parallel ones on GOMAXPROCS
// goroutines sharing the Analyzer and taking chunks of 256 articles, as
// buildIndex does. The warm cases run on one goroutine with the Analyzer
// (and termer) of the round before, whose caches know every word: the
// steady state of a build over many articles, where a new word is rare.
//
//	go test -run '^$' -bench AnalyzeDoc -count 5 ./briefings/
func BenchmarkAnalyzeDoc(b *testing.B) {
	arts := corpus.Generate(*termsN, 1)
	ptrs := make([]*briefings.Article, len(arts))
	for i := range arts {
		ptrs[i] = &arts[i]
	}
	for _, mode := range []string{"serial", "parallel", "warm"} {
		workers := 1
		if mode == "parallel" {
			workers = runtime.GOMAXPROCS(0)
		}
		for _, path := range []string{"terms", "termer"} {
			b.Run(mode+"/"+path, func(b *testing.B) {
				b.ReportAllocs()
				n := 0
				an := analysis.NewBuiltin()
				var tm *briefings.TestTermer
				if mode == "warm" {
					tm = briefings.NewTestTermer(an)
					analyzeAll(an, ptrs, workers, path, tm)
					b.ResetTimer()
				}
				for b.Loop() {
					if mode != "warm" {
						an = analysis.NewBuiltin()
					}
					n += analyzeAll(an, ptrs, workers, path, tm)
				}
				b.ReportMetric(float64(len(ptrs)*b.N)/b.Elapsed().Seconds(), "articles/s")
				b.ReportMetric(float64(n)/float64(b.N)/float64(len(ptrs)), "terms/article")
			})
		}
	}
}

// analyzeAll analyses arts on workers goroutines in chunks of 256 and
// returns the number of terms. The termer path uses tm when workers is 1
// and tm is not nil, else a new termer per goroutine.
func analyzeAll(an *analysis.Builtin, arts []*briefings.Article, workers int, path string, tm0 *briefings.TestTermer) int {
	const chunk = 256
	var (
		mu    sync.Mutex
		total int
		next  int
		wg    sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			var tm *briefings.TestTermer
			if path == "termer" {
				tm = tm0
				if tm == nil || workers > 1 {
					tm = briefings.NewTestTermer(an)
				}
			}
			n := 0
			for {
				mu.Lock()
				lo := next
				next += chunk
				mu.Unlock()
				if lo >= len(arts) {
					break
				}
				for _, a := range arts[lo:min(lo+chunk, len(arts))] {
					var title, extra []string
					var sents [][]string
					if tm != nil {
						title, extra, sents = briefings.AnalyzeDocTermer(tm, a)
					} else {
						title, extra, sents = briefings.AnalyzeDocTerms(an, a)
					}
					n += len(title) + len(extra)
					for _, s := range sents {
						n += len(s)
					}
				}
			}
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	wg.Wait()
	return total
}

// TestTermerIsTermsOnCorpus checks the Termer against (*analysis.Builtin).Terms
// (each checked against a plain reference in package analysis) on every title,
// heading and sentence of generated articles, with the termer used the way
// the index build uses it: one for many articles, its memo filling up, and
// appending to one slice per article.
func TestTermerIsTermsOnCorpus(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 500
	}
	arts := corpus.Generate(n, 7)
	ref := analysis.NewBuiltin()
	an := analysis.NewBuiltin()
	tm := briefings.NewTestTermer(analysis.NewBuiltin())
	for i := range arts {
		a := &arts[i]
		wt, we, ws := analyzeDocWith(func(s string) []string { return ref.Terms(s) }, a)
		for name, f := range map[string]func() ([]string, []string, [][]string){
			"Terms":  func() ([]string, []string, [][]string) { return briefings.AnalyzeDocTerms(an, a) },
			"termer": func() ([]string, []string, [][]string) { return briefings.AnalyzeDocTermer(tm, a) },
		} {
			gt, ge, gs := f()
			if !slices.Equal(gt, wt) || !slices.Equal(ge, we) || len(gs) != len(ws) {
				t.Fatalf("%s: %s gives title %q, extra %q, %d sentences; want %q, %q, %d",
					a.Source, name, gt, ge, len(gs), wt, we, len(ws))
			}
			for j := range ws {
				if !slices.Equal(gs[j], ws[j]) {
					t.Fatalf("%s sentence %d %q: %s gives %q, want %q", a.Source, j, a.Sentences[j].Text, name, gs[j], ws[j])
				}
			}
		}
	}
}

// analyzeDocWith is analyzeDoc with terms for (*Analyzer).Terms.
func analyzeDocWith(terms func(string) []string, a *briefings.Article) (title, extra []string, sents [][]string) {
	title = terms(a.Title)
	for _, p := range a.Paragraphs {
		if p.Heading {
			extra = append(extra, terms(p.Text)...)
		}
	}
	sents = make([][]string, len(a.Sentences))
	for i, s := range a.Sentences {
		sents[i] = terms(s.Text)
	}
	return title, extra, sents
}
