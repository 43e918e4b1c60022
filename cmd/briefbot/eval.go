package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/internal/store"
)

func evalCmd(g *globals) *cobra.Command {
	var verbose bool
	c := &cobra.Command{
		Use:   "eval FILE.yaml",
		Short: "Score a file of questions with gold answers (accuracy, citations, abstentions)",
		Args:  argsBetween(1, 1, "one evaluation file, e.g. briefbot eval seed-dev.yaml --articles DIR"),
		RunE: func(c *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("read evaluation file: %w", err)
			}
			items, err := briefings.ParseEvalItems(data)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			lib, err := g.loadLibrary(c.Context())
			if err != nil {
				return err
			}
			rep, err := briefings.Evaluate(c.Context(), lib, items)
			if err != nil {
				return err
			}
			if g.format == "json" {
				return g.printJSON(rep)
			}
			for _, r := range rep.Results {
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
				}
				fmt.Fprintf(g.stdout, "%s %-6s %-10s %q -> %s [%.2f] %s\n", mark, r.ID, r.Type, r.Question, ans, r.Confidence, r.Cited)
			}
			fmt.Fprintf(g.stdout, "accuracy %d/%d = %.3f\n", rep.Correct, rep.Items, rep.Accuracy)
			fmt.Fprintf(g.stdout, "citation accuracy %d/%d = %.3f\n", rep.CitationsCorrect, rep.Answerable, rep.CitationAccuracy)
			fmt.Fprintf(g.stdout, "abstentions %d (right %d of %d unanswerable, wrong %d)\n", rep.Abstained, rep.RightAbstentions, rep.Unanswerable, rep.WrongAbstentions)
			return nil
		},
	}
	c.Flags().BoolVarP(&verbose, "verbose", "v", false, "list every question, not only the misses")
	return c
}

func indexCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "index",
		Short: "Load the articles into the data directory's database (adds new, updates changed, removes deleted)",
		Args:  argsBetween(0, 0, "no arguments; use --articles and --data"),
		RunE: func(c *cobra.Command, _ []string) error {
			ctx := c.Context()
			log := g.logger()
			start := time.Now()
			arts, err := g.readArticles(ctx, log)
			if err != nil {
				return err
			}
			st, err := store.Open(ctx, filepath.Join(g.data, "briefbot.db"), log)
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
