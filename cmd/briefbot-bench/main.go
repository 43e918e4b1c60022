// Command briefbot-bench measures index build speed, answer and search
// latency and memory on a generated Dutch-like corpus, optionally side by
// side with a bleve index (Dutch analysis, BM25) over the same articles.
//
//	go run ./cmd/briefbot-bench -n 100000 -bleve
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/briefbot/briefbot/internal/bench"
	"github.com/briefbot/briefbot/internal/corpus"
)

func main() {
	n := flag.Int("n", 100_000, "number of generated articles")
	questions := flag.Int("questions", 1000, "number of questions to time")
	seed := flag.Uint64("seed", 1, "corpus and question seed")
	withBleve := flag.Bool("bleve", false, "also build and query a bleve index (Dutch analysis, BM25)")
	asJSON := flag.Bool("json", false, "print the report as JSON")
	flag.Parse()
	if *n < 1 || *questions < 1 {
		fmt.Fprintln(os.Stderr, "briefbot-bench: -n and -questions must be at least 1")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	start := time.Now()
	arts := corpus.Generate(*n, int64(*seed))
	genTime := time.Since(start)
	rep, err := bench.Run(ctx, bench.Config{Articles: arts, Questions: *questions, Seed: *seed, Bleve: *withBleve})
	if err != nil {
		fmt.Fprintf(os.Stderr, "briefbot-bench: %v\n", err)
		os.Exit(1)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
		return
	}
	fmt.Printf("corpus      %d articles, %d sentences (generated in %v)\n", rep.Articles, rep.Sentences, genTime.Round(time.Millisecond))
	fmt.Printf("index       %.2f s, %.0f articles/s\n", rep.BuildSeconds, rep.BuildPerSec)
	fmt.Printf("answer      %v, answered %d\n", rep.Answer, rep.Answered)
	fmt.Printf("search      %v\n", rep.Search)
	fmt.Printf("memory      articles resident %.0f MiB before build; heap %.0f MiB after build; peak RSS %.0f MiB from build on\n", rep.CorpusRSSMiB, rep.HeapMiB, rep.PeakRSSMiB)
	if *withBleve {
		fmt.Printf("bleve       build %.2f s, search %v\n", rep.BleveBuildSec, rep.BleveSearch)
		fmt.Printf("ratio       bleve search p50 / ours search p50 = %.1fx; bleve search p50 / ours full answer p50 = %.1fx\n", rep.SearchRatio, rep.AnswerRatio)
	}
}
