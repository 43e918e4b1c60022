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

	cfg := bench.Config{Questions: *questions, Seed: *seed, Bleve: *withBleve}
	var genTime time.Duration
	if *withBleve {
		// bleve takes the articles from memory: generate them first
		start := time.Now()
		cfg.Articles = corpus.Generate(*n, int64(*seed))
		genTime = time.Since(start)
	} else {
		// the articles pass through the index builder one at a time
		cfg.Generate, cfg.GenerateSeed = *n, int64(*seed)
	}
	rep, err := bench.Run(ctx, cfg)
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
	if *withBleve {
		fmt.Printf("corpus      %d articles, %d sentences (generated in %v, held in memory)\n", rep.Articles, rep.Sentences, genTime.Round(time.Millisecond))
	} else {
		fmt.Printf("corpus      %d articles, %d sentences (generated, parsed and written to a file in %.1f s; the build reads them from there one at a time)\n", rep.Articles, rep.Sentences, rep.CorpusSeconds)
	}
	fmt.Printf("index       %.2f s, %.0f articles/s; saved index %.0f MiB\n", rep.BuildSeconds, rep.BuildPerSec, rep.IndexMiB)
	fmt.Printf("answer      %v, answered %d\n", rep.Answer, rep.Answered)
	fmt.Printf("search      %v\n", rep.Search)
	fmt.Printf("memory      resident before build %.0f MiB; heap %.0f MiB after build; peak RSS %.0f MiB from build on; steady RSS %.0f MiB after the questions\n",
		rep.CorpusRSSMiB, rep.HeapMiB, rep.PeakRSSMiB, rep.SteadyRSSMiB)
	fmt.Printf("restart     saved index opened and first answer in %.3f s; it holds %.0f MiB more resident after the questions\n", rep.OpenSeconds, rep.OpenRSSMiB)
	fmt.Printf("answer      after restart: %v\n", rep.AnswerOpened)
	if *withBleve {
		fmt.Printf("bleve       build %.2f s, search %v\n", rep.BleveBuildSec, rep.BleveSearch)
		fmt.Printf("ratio       bleve search p50 / ours search p50 = %.1fx; bleve search p50 / ours full answer p50 = %.1fx\n", rep.SearchRatio, rep.AnswerRatio)
	}
}
