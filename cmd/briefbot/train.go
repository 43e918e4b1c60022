package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/briefings/answer"
	"github.com/briefbot/briefbot/internal/store"

	"github.com/spf13/cobra"
)

// frogFlags select Frog for the commands that measure answering (train,
// eval): its processes and the annotation cache in the data directory.
type frogFlags struct {
	use       bool
	processes int
	skip      string
}

func (f *frogFlags) register(c *cobra.Command) {
	c.Flags().BoolVar(&f.use, "frog", false, "analyse the examined sentences with Frog (Debian packages frog and frogdata)")
	c.Flags().IntVar(&f.processes, "frog-processes", 1, "Frog processes to run (about 1.3–1.9 GB each)")
	c.Flags().StringVar(&f.skip, "frog-skip", "", "Frog modules to skip (as frog --skip)")
}

// open starts Frog when asked, with its annotations cached in the data
// directory's database, and waits until it serves. The returned close is
// never nil.
// check reports a flag value that cannot work, as a usage error of cmd.
func (f *frogFlags) check(cmd string) error {
	if f.processes < 1 {
		return usageError{cmd: cmd, err: fmt.Errorf("--frog-processes %d: use a number from 1", f.processes)}
	}
	return nil
}

func (f *frogFlags) open(ctx context.Context, g *globals) (analysis.Analyzer, func(), error) {
	if !f.use {
		return nil, func() {}, nil
	}
	log := g.logger()
	fr, err := analysis.NewFrog(ctx, analysis.FrogOptions{Processes: f.processes, Connections: 2, Skip: f.skip, Logger: log})
	if err != nil {
		return nil, func() {}, fmt.Errorf("start Frog: %w", err)
	}
	if err := os.MkdirAll(g.data, 0o700); err != nil {
		fr.Close()
		return nil, func() {}, fmt.Errorf("data directory: %w", err)
	}
	st, err := store.Open(ctx, filepath.Join(g.data, "briefbot.db"), log)
	if err != nil {
		fr.Close()
		return nil, func() {}, err
	}
	fmt.Fprintln(g.stderr, "waiting for Frog to load its models …")
	if err := fr.WaitReady(ctx); err != nil {
		fr.Close()
		st.Close()
		return nil, func() {}, fmt.Errorf("frog did not start: %w", err)
	}
	return analysis.Cached(fr, st, 100_000), func() { fr.Close(); st.Close() }, nil
}

// trainSet is one evaluation file with the articles it is about.
type trainSet struct {
	name, questions, articles string
}

// parseTrainSet reads NAME=QUESTIONS.yaml[:ARTICLES_DIR]; without a
// directory the questions are about the built-in sample articles.
func parseTrainSet(s string) (trainSet, error) {
	name, rest, ok := strings.Cut(s, "=")
	if !ok || name == "" || rest == "" {
		return trainSet{}, fmt.Errorf("--set %q: use NAME=QUESTIONS.yaml or NAME=QUESTIONS.yaml:ARTICLES_DIR", s)
	}
	q, dir, _ := strings.Cut(rest, ":")
	return trainSet{name: name, questions: q, articles: dir}, nil
}

func trainCmd(g *globals) *cobra.Command {
	var sets, holdouts, calibrate []string
	var out string
	var folds int
	var frog frogFlags
	var opts answer.TrainOptions
	c := &cobra.Command{
		Use:   "train --set NAME=QUESTIONS.yaml[:ARTICLES] ... [--out ranker.json]",
		Short: "Fit the answer ranker and its calibration on question files; report cross-validated figures",
		Long: `train runs the answer pipeline on every question of the given sets, fits the
learned answer ranker (a conditional logit over candidate answers) and the
calibration of its confidence, and reports cross-validated figures: k folds by
article over all sets, and one run per --holdout (SET, or SET:PREFIX for the
items whose article file name, or id when unanswerable, starts with PREFIX),
trained on everything else. --out writes the model fitted on all sets, with
the inputs' hashes and the cross-validated figures beside the weights.`,
		Args: argsBetween(0, 0, "no arguments; give the question sets with --set"),
		RunE: func(c *cobra.Command, _ []string) error {
			ctx := c.Context()
			if len(sets) == 0 {
				return usageError{cmd: "train", err: fmt.Errorf("give at least one --set NAME=QUESTIONS.yaml[:ARTICLES]")}
			}
			if err := frog.check("train"); err != nil {
				return err
			}
			switch {
			case folds < 0 || folds == 1:
				return usageError{cmd: "train", err: fmt.Errorf("--folds %d: use a number from 2, or 0 for no cross-validation", folds)}
			case math.IsNaN(opts.L2) || math.IsInf(opts.L2, 0) || opts.L2 < 0:
				return usageError{cmd: "train", err: fmt.Errorf("--l2 %v: use a number from 0 (0: the default, 0.01)", opts.L2)}
			}
			if err := checkFraction("--target-precision", opts.TargetPrecision, false); err != nil {
				return usageError{cmd: "train", err: err}
			}
			for _, name := range opts.Exclude {
				if !slices.Contains(answer.FeatureNames(), name) {
					return usageError{cmd: "train", err: fmt.Errorf("--exclude-features: no feature %q (the features: %s)", name, strings.Join(answer.FeatureNames(), ", "))}
				}
			}
			var calSets []trainSet
			for _, s := range calibrate {
				ts, err := parseTrainSet(s)
				if err != nil {
					return usageError{cmd: "train", err: fmt.Errorf("--calibrate %q: use NAME=QUESTIONS.yaml or NAME=QUESTIONS.yaml:ARTICLES_DIR", s)}
				}
				calSets = append(calSets, ts)
			}
			var items []*answer.RankerItem
			var inputs []answer.ModelInput
			an, closeAn, err := frog.open(ctx, g)
			if err != nil {
				return err
			}
			defer closeAn()
			for _, s := range sets {
				ts, err := parseTrainSet(s)
				if err != nil {
					return usageError{cmd: "train", err: err}
				}
				its, in, err := prepareSet(ctx, g, ts, an)
				if err != nil {
					return err
				}
				items = append(items, its...)
				inputs = append(inputs, in...)
			}
			for _, ts := range calSets {
				its, in, err := prepareSet(ctx, g, ts, an)
				if err != nil {
					return err
				}
				opts.Calibrate = append(opts.Calibrate, its...)
				for i := range in {
					in[i].CalibrationOnly = true
				}
				inputs = append(inputs, in...)
			}
			notes := map[string]any{}
			report := func(name string, preds []answer.Prediction) {
				rep := answer.ScoreStages(preds)
				fmt.Fprintf(g.stdout, "\n== cross-validated: %s\n", name)
				rep.WriteText(g.stdout)
				fmt.Fprint(g.stdout, "threshold sweep (accuracy / answered-precision / answered):")
				for _, t := range []float64{0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8} {
					acc, prec, n := answer.AtThreshold(preds, t)
					fmt.Fprintf(g.stdout, "  %.1f: %.2f/%.2f/%d", t, acc, prec, n)
				}
				fmt.Fprintln(g.stdout)
				all := rep.Rows[0]
				notes[name] = map[string]float64{"accuracy": round3(all.Accuracy), "answered_precision": round3(all.AnsweredPrecision),
					"forced_accuracy": round3(all.Forced), "items": float64(all.Items)}
			}
			if folds > 1 {
				preds, err := answer.CrossValidate(ctx, items, func(it *answer.RankerItem) string {
					return fmt.Sprint(answer.HashFold(answer.ArticleFold(it), folds))
				}, opts)
				if err != nil {
					return err
				}
				report(fmt.Sprintf("%d folds by article", folds), preds)
			}
			for _, h := range holdouts {
				set, prefix, _ := strings.Cut(h, ":")
				in := func(it *answer.RankerItem) bool {
					if it.Set != set {
						return false
					}
					key := it.Item.ID
					if it.Item.Article != nil {
						key = *it.Item.Article
					}
					return strings.HasPrefix(key, prefix)
				}
				var train, test []*answer.RankerItem
				for _, it := range items {
					if in(it) {
						test = append(test, it)
					} else {
						train = append(train, it)
					}
				}
				if len(test) == 0 || len(train) == 0 {
					return usageError{cmd: "train", err: fmt.Errorf("--holdout %q leaves nothing to test or to train on", h)}
				}
				m, err := answer.TrainRanker(ctx, train, opts)
				if err != nil {
					return err
				}
				report("holdout "+h, m.Predict(test, m.Threshold))
			}
			m, err := answer.TrainRanker(ctx, items, opts)
			if err != nil {
				return err
			}
			m.Inputs = inputs
			m.Command = "briefbot train " + strings.Join(os.Args[2:], " ")
			m.Notes = notes
			fmt.Fprintf(g.stdout, "\nthreshold %.3f (answered-precision target on held-out inner folds and the --calibrate sets)\n", m.Threshold)
			if out == "" {
				return nil
			}
			data, err := json.MarshalIndent(m, "", "  ")
			if err != nil {
				return err
			}
			tmp := out + ".tmp"
			if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
				return fmt.Errorf("write the model: %w", err)
			}
			if err := os.Rename(tmp, out); err != nil {
				return fmt.Errorf("write the model: %w", err)
			}
			fmt.Fprintf(g.stdout, "model written to %s\n", out)
			return nil
		},
	}
	c.Flags().StringArrayVar(&sets, "set", nil, "a question set: NAME=QUESTIONS.yaml[:ARTICLES_DIR] (repeatable)")
	c.Flags().StringArrayVar(&holdouts, "holdout", nil, "report a held-out run: SET or SET:PREFIX (repeatable)")
	c.Flags().StringArrayVar(&calibrate, "calibrate", nil,
		"a question set the ranker is not fitted on, whose answers join the calibration and the threshold: NAME=QUESTIONS.yaml[:ARTICLES_DIR] (repeatable)")
	c.Flags().IntVar(&folds, "folds", 5, "k for the k-fold cross-validation by article (0: none)")
	c.Flags().StringVar(&out, "out", "", "write the model fitted on all sets to this file")
	frog.register(c)
	c.Flags().StringSliceVar(&opts.Exclude, "exclude-features", nil, "features the ranker leaves out, comma-separated (names as --explain prints them)")
	c.Flags().Float64Var(&opts.L2, "l2", 0.1, "weight decay of the ranker")
	c.Flags().Float64Var(&opts.TargetPrecision, "target-precision", answer.DefaultTargetPrecision,
		"answered-precision the abstention threshold is chosen for, on held-out inner folds")
	return c
}

// prepareSet runs the pipeline over one set's questions (with the
// hand-written lexicon only, so the result does not depend on the machine).
func prepareSet(ctx context.Context, g *globals, ts trainSet, an analysis.Analyzer) ([]*answer.RankerItem, []answer.ModelInput, error) {
	data, err := os.ReadFile(ts.questions)
	if err != nil {
		return nil, nil, fmt.Errorf("read question set %s: %w", ts.name, err)
	}
	evalItems, err := answer.ParseEvalItems(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", ts.questions, err)
	}
	lib, err := briefings.NewLibrary(briefings.Options{Logger: g.logger(), NoRanker: true, FreeDictDir: "-", Analyzer: an,
		AnalysisTimeout: 10 * time.Minute})
	if err != nil {
		return nil, nil, err
	}
	var arts []briefings.Article
	if ts.articles == "" {
		res, err := briefings.LoadFS(ctx, briefings.SampleFS(), briefings.LoadOptions{Logger: g.logger()})
		if err != nil {
			return nil, nil, err
		}
		arts = res.Articles
	} else {
		res, err := briefings.LoadDir(ctx, ts.articles, briefings.LoadOptions{Logger: g.logger()})
		if err != nil {
			return nil, nil, err
		}
		arts = res.Articles
	}
	if err := lib.Replace(ctx, arts); err != nil {
		return nil, nil, err
	}
	items, err := lib.PrepareRanker(ctx, ts.name, evalItems)
	if err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256(data)
	in := answer.ModelInput{File: filepath.ToSlash(ts.questions), SHA256: hex.EncodeToString(sum[:]), Items: len(evalItems)}
	return items, []answer.ModelInput{in}, nil
}

func round3(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }
