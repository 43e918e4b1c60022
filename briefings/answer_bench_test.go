package briefings_test

import (
	"context"
	"flag"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/internal/bench"
	"github.com/briefbot/briefbot/internal/corpus"
)

// go test -run '^$' -bench 'Answer$' -benchmem ./briefings/ -bench.answer 100000
var answerN = flag.Int("bench.answer", 20_000, "generated articles for BenchmarkAnswer (100000 for the documented figures)")

var (
	answerOnce sync.Once
	answerLib  *briefings.Library
	answerQs   []string
)

// BenchmarkAnswer times Library.Answer without Frog on a generated
// library, cycling through 1,000 generated questions (those of
// cmd/briefbot-bench): ns/op and allocs/op per answer, with the p50 and
// p99 of the single answers.
func BenchmarkAnswer(b *testing.B) {
	ctx := context.Background()
	answerOnce.Do(func() {
		arts := corpus.Generate(*answerN, 1)
		lib, err := briefings.NewLibrary(briefings.Options{FreeDictDir: "-"})
		if err != nil {
			b.Fatal(err)
		}
		if err := lib.Replace(ctx, arts); err != nil {
			b.Fatal(err)
		}
		answerLib, answerQs = lib, bench.Questions(arts, 1000, 1)
	})
	b.ReportAllocs()
	var d []time.Duration
	i := 0
	for b.Loop() {
		t := time.Now()
		if _, err := answerLib.Answer(ctx, answerQs[i%len(answerQs)], briefings.AskOptions{}); err != nil && err != briefings.ErrEmptyQuery {
			b.Fatal(err)
		}
		d = append(d, time.Since(t))
		i++
	}
	slices.Sort(d)
	at := func(p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
	b.ReportMetric(float64(at(0.50).Microseconds()), "p50-µs")
	b.ReportMetric(float64(at(0.99).Microseconds()), "p99-µs")
}
