package briefings

import (
	"context"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/internal/frogtest"
)

// TestAnswerOwnSetsWithFrog asks our own questions again with the
// sentences analysed by the real Frog and the ranker fitted for that path
// (ranker-frog.json): there too an unanswerable question is never
// answered and a miss is an abstention (at most one wrong answer per set).
// It needs frog and frogdata (skipped without them, unless
// BRIEFBOT_REQUIRE_FROG=1) and takes a minute or two: Frog loads its
// models, then analyses the sentences the answers examine.
func TestAnswerOwnSetsWithFrog(t *testing.T) {
	bin := frogtest.Binary(t)
	if testing.Short() {
		t.Skip("Frog analyses a few hundred sentences: not in -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	fr, err := analysis.NewFrog(ctx, analysis.FrogOptions{Binary: bin, Processes: 1, Connections: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer fr.Close()
	if err := fr.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	for _, set := range []string{"qa", "qa2", "qa3"} {
		t.Run(set, func(t *testing.T) {
			// a generous analysis timeout: the test is of the Frog path,
			// not of the fallback a slow Frog gets
			lib, err := NewLibrary(Options{FreeDictDir: "-", Analyzer: fr, AnalysisTimeout: 5 * time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			res, err := LoadDir(ctx, "testdata/"+set+"/articles", LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if err := lib.Replace(ctx, res.Articles); err != nil {
				t.Fatal(err)
			}
			rep := evaluateFile(t, lib, "testdata/"+set+"/questions.yaml")
			if rep.RightAbstentions != rep.Unanswerable {
				t.Errorf("abstained on %d of %d unanswerable questions; want all (never guess)", rep.RightAbstentions, rep.Unanswerable)
			}
			if wrong := rep.Items - rep.Correct - rep.WrongAbstentions; wrong > 1 {
				t.Errorf("%d answers given were wrong; a miss must be an abstention (one allowed)", wrong)
			}
		})
	}
}
