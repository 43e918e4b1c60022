package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/answer"
	"github.com/briefbot/briefbot/briefings/llmreader"

	"github.com/spf13/cobra"
)

func evalCmd(g *globals) *cobra.Command {
	var verbose, noRanker bool
	var explain, model string
	var frog frogFlags
	var rf readerFlags
	c := &cobra.Command{
		Use:   "eval FILE.yaml",
		Short: "Score a file of questions with gold answers, stage by stage (retrieval, extraction, abstention, calibration)",
		Long: `eval asks every question of FILE.yaml and scores the answers: accuracy,
citation accuracy, abstentions, and a table by stage (article recall @1/@5,
sentence and candidate recall, extraction given the sentence, forced
accuracy, answered-precision, unanswerables abstained), overall, by question
type and by language, with a calibration table. --explain ID prints one
question's trace instead.

--reader llm asks a language model (the llm section of --config, or
BRIEFBOT_LLM_… variables) through the same verification as serve, without
its rate limits: the report then scores the answers users would see, says
which reader gave each, and counts the model's accepted, abstained,
rejected and failed replies by reason.`,
		Args: argsBetween(1, 1, "one evaluation file, e.g. briefbot eval seed-dev.yaml --articles DIR"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := frog.check("eval"); err != nil {
				return err
			}
			if err := rf.check("eval"); err != nil {
				return err
			}
			data, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("read evaluation file: %w", err)
			}
			items, err := answer.ParseEvalItems(data)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			an, closeAn, err := frog.open(c.Context(), g)
			if err != nil {
				return err
			}
			defer closeAn()
			opts := briefings.Options{NoRanker: noRanker, Analyzer: an}
			if model != "" {
				raw, err := os.ReadFile(model)
				if err != nil {
					return fmt.Errorf("read ranker model: %w", err)
				}
				if opts.Ranker, err = answer.ParseRankerModel(raw); err != nil {
					return fmt.Errorf("%s: %w", model, err)
				}
			}
			lib, err := g.loadLibraryWith(c.Context(), opts)
			if err != nil {
				return err
			}
			if explain != "" {
				for _, it := range items {
					if it.ID != explain {
						continue
					}
					e, err := lib.Explain(c.Context(), it.Question, 15)
					if err != nil {
						return err
					}
					if g.format == "json" {
						return g.printJSON(map[string]any{"item": it, "explanation": e})
					}
					fmt.Fprintf(g.stdout, "gold: %q in %v\n", it.Answers, ptrString(it.Article))
					e.WriteText(g.stdout)
					return nil
				}
				return usageError{cmd: "eval", err: fmt.Errorf("--explain %q: no question has that id in %s", explain, args[0])}
			}
			reader, llm, err := rf.answerer("eval", lib, g.logger(), false)
			if err != nil {
				return err
			}
			var rep answer.EvalReport
			var readers []string
			if llm == nil {
				rep, err = briefings.Evaluate(c.Context(), lib, items)
			} else {
				var rr answer.ReaderEvalReport
				rr, err = briefings.EvaluateReader(c.Context(), lib, reader, items)
				rep, readers = rr.EvalReport, rr.Readers
				if err == nil && g.format == "json" {
					st := llm.Stats()
					return g.printJSON(struct {
						answer.ReaderEvalReport
						LLM llmreader.Stats `json:"llm"`
					}{rr, st})
				}
			}
			if err != nil {
				return err
			}
			if g.format == "json" {
				return g.printJSON(rep)
			}
			for i, r := range rep.Results {
				if !verbose && r.Correct {
					continue
				}
				mark := "ok  "
				if !r.Correct {
					mark = "MISS"
				}
				ans := r.Answer
				if !r.Answered {
					ans = "(abstained)"
					if r.Forced != "" {
						ans = fmt.Sprintf("(abstained; best %q)", r.Forced)
					}
				}
				by := ""
				if i < len(readers) {
					by = " (" + readers[i] + ")"
				}
				fmt.Fprintf(g.stdout, "%s %-6s %-10s %q -> %s [%.2f] %s%s\n", mark, r.ID, r.Type, r.Question, ans, r.Confidence, r.Cited, by)
			}
			fmt.Fprintln(g.stdout)
			rep.Stages.WriteText(g.stdout)
			fmt.Fprintf(g.stdout, "accuracy %d/%d = %.3f\n", rep.Correct, rep.Items, rep.Accuracy)
			fmt.Fprintf(g.stdout, "citation accuracy %d/%d = %.3f\n", rep.CitationsCorrect, rep.Answerable, rep.CitationAccuracy)
			fmt.Fprintf(g.stdout, "abstentions %d (right %d of %d unanswerable, wrong %d)\n", rep.Abstained, rep.RightAbstentions, rep.Unanswerable, rep.WrongAbstentions)
			if llm != nil {
				n := map[string]int{}
				for _, r := range readers {
					n[r]++
				}
				fmt.Fprintf(g.stdout, "reader llm: %d replies from the language model, %d from the built-in reader\n", n[briefings.ReaderLLM], n[briefings.ReaderBuiltin])
				printLLMStats(g.stdout, llm.Stats())
			}
			return nil
		},
	}
	c.Flags().BoolVarP(&verbose, "verbose", "v", false, "list every question, not only the misses")
	c.Flags().StringVar(&explain, "explain", "", "print the trace of the question with this id")
	c.Flags().StringVar(&model, "model", "", "use this ranker model file instead of the built-in one")
	frog.register(c)
	c.Flags().BoolVar(&noRanker, "no-ranker", false, "choose answers with the hand-written scores instead of the learned ranker")
	rf.register(c)
	return c
}

func ptrString(s *string) string {
	if s == nil {
		return "(no article)"
	}
	return *s
}

func indexCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "index",
		Short: "Load the articles into the database (adds new, updates changed, removes deleted)",
		Long: `Load the articles into the data directory's SQLite database, or into the
shared PostgreSQL database named by BRIEFBOT_DATABASE_URL (or the file in
BRIEFBOT_DATABASE_URL_FILE), where running replicas pick them up within
seconds. Give --articles the same path as the replicas' articles_dir: the
articles are stored under it.`,
		Args: argsBetween(0, 0, "no arguments; use --articles and --data"),
		RunE: func(c *cobra.Command, _ []string) error {
			ctx := c.Context()
			log := g.logger()
			start := time.Now()
			arts, err := g.readArticles(ctx, log)
			if err != nil {
				return err
			}
			st, err := openIndexStore(ctx, g.data, log)
			if err != nil {
				return err
			}
			defer st.Close()
			stats, err := st.SyncArticles(ctx, g.collection(), arts, time.Now())
			if err != nil {
				return err
			}
			if g.format == "json" {
				return g.printJSON(map[string]any{"articles": len(arts), "added": stats.Added, "updated": stats.Updated,
					"removed": stats.Removed, "unchanged": stats.Unchanged, "seconds": time.Since(start).Seconds()})
			}
			fmt.Fprintf(g.stdout, "%d articles: %d added, %d updated, %d removed, %d unchanged (%s)\n",
				len(arts), stats.Added, stats.Updated, stats.Removed, stats.Unchanged, time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
}

// collection names the article set in the database: the absolute article
// directory, or "sample".
func (g *globals) collection() string {
	if g.articles == "" {
		return "sample"
	}
	if abs, err := filepath.Abs(g.articles); err == nil {
		return abs
	}
	return g.articles
}
