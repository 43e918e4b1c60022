package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/briefbot/briefbot/briefings"
)

// globals are the flags every command shares.
type globals struct {
	articles string // article directory; "" = the embedded sample set
	data     string // data directory
	format   string // text | json
	logLevel string
	stdin    io.Reader
	stdout   io.Writer
	stderr   io.Writer
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stdin: stdin, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "briefbot",
		Short:         "Answers journalists' questions from the newsroom's articles",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetIn(stdin)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{cmd: c.Name(), err: err}
	})
	root.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
	root.Args = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usageError{cmd: c.Name(), err: fmt.Errorf("unknown command %q", args[0])}
		}
		return nil
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.articles, "articles", "", "directory of articles (.txt, .md, .json, .jsonl); default: the built-in sample set")
	pf.StringVar(&g.data, "data", defaultDataDir(), "data directory for the database and state")
	pf.StringVar(&g.format, "format", "text", "output format: text or json")
	pf.StringVar(&g.logLevel, "log-level", "warn", "log level: debug, info, warn or error")
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		if g.format != "text" && g.format != "json" {
			return usageError{cmd: c.Name(), err: fmt.Errorf("--format %q: use text or json", g.format)}
		}
		if _, err := parseLevel(g.logLevel); err != nil {
			return usageError{cmd: c.Name(), err: err}
		}
		return nil
	}
	root.AddCommand(
		askCmd(g), searchCmd(g), articleCmd(g), digestCmd(g), evalCmd(g), trainCmd(g), indexCmd(g), serveCmd(g), versionCmd(g),
		configCmd(g), healthcheckCmd(g), feedsCmd(g),
	)
	return root
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("--log-level %q: use debug, info, warn or error", s)
	}
	return l, nil
}

func (g *globals) logger() *slog.Logger {
	lvl, _ := parseLevel(g.logLevel)
	return slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: lvl}))
}

func defaultDataDir() string {
	if d := os.Getenv("BRIEFBOT_DATA"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "briefbot")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "briefbot")
	}
	return "briefbot-data"
}

// exactArgs is cobra.ExactArgs with a usage error and a worded message.
func argsBetween(minN, maxN int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < minN || len(args) > maxN {
			return usageError{cmd: c.Name(), err: fmt.Errorf("%s needs %s", c.Name(), what)}
		}
		return nil
	}
}

// loadLibrary reads the articles (the --articles directory or the sample
// set) into a new Library.
func (g *globals) loadLibrary(ctx context.Context) (*briefings.Library, error) {
	return g.loadLibraryWith(ctx, briefings.Options{})
}

// loadLibraryWith is loadLibrary with library options (its logger is set).
func (g *globals) loadLibraryWith(ctx context.Context, opts briefings.Options) (*briefings.Library, error) {
	log := g.logger()
	opts.Logger = log
	lib, err := briefings.NewLibrary(opts)
	if err != nil {
		return nil, err
	}
	arts, err := g.readArticles(ctx, log)
	if err != nil {
		return nil, err
	}
	if err := lib.Replace(ctx, arts); err != nil {
		return nil, err
	}
	return lib, nil
}

func (g *globals) readArticles(ctx context.Context, log *slog.Logger) ([]briefings.Article, error) {
	// the skipped files are listed below, once each, not logged as well
	opts := briefings.LoadOptions{Logger: log, CallerReportsSkipped: true}
	var res briefings.LoadResult
	var err error
	if g.articles == "" {
		log.Debug("loading articles", "dir", "(built-in samples)")
		res, err = briefings.LoadFS(ctx, briefings.SampleFS(), opts)
	} else {
		log.Debug("loading articles", "dir", g.articles)
		res, err = briefings.LoadDir(ctx, g.articles, opts)
	}
	if err != nil {
		return nil, err
	}
	for _, s := range res.Skipped {
		// quoted: a file name (or a reason quoting a record) is outside text
		fmt.Fprintf(g.stderr, "briefbot: skipped %q: %q\n", s.Path, s.Reason)
	}
	return res.Articles, nil
}

func (g *globals) printJSON(v any) error {
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func askCmd(g *globals) *cobra.Command {
	var minConf float64
	var rf readerFlags
	c := &cobra.Command{
		Use:   "ask QUESTION",
		Short: "Answer a question (English or Dutch) from the articles, with a quote and citation",
		Args:  argsBetween(1, 1<<20, "a question, e.g. briefbot ask \"Who fired Krebs?\""),
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkFraction("--min-confidence", minConf, true); err != nil {
				return usageError{cmd: "ask", err: err}
			}
			if err := rf.check("ask"); err != nil {
				return err
			}
			question := strings.Join(args, " ")
			lib, err := g.loadLibrary(c.Context())
			if err != nil {
				return err
			}
			reader, _, err := rf.answerer("ask", lib, g.logger(), true)
			if err != nil {
				return err
			}
			ans, err := reader.Answer(c.Context(), question, briefings.AskOptions{MinConfidence: minConf})
			if err != nil && err != briefings.ErrEmptyQuery {
				return err
			}
			if g.format == "json" {
				return g.printJSON(ans)
			}
			printAnswer(g.stdout, ans)
			return nil
		},
	}
	c.Flags().Float64Var(&minConf, "min-confidence", 0, "abstain below this confidence (0..1; default: the library's)")
	rf.register(c)
	return c
}

func printAnswer(w io.Writer, ans briefings.Answer) {
	if !ans.Answered {
		fmt.Fprintln(w, "The articles don't answer that.")
		if len(ans.SeeAlso) > 0 {
			fmt.Fprintln(w, "See also:")
			for _, c := range ans.SeeAlso {
				fmt.Fprintf(w, "  - %s (%s)\n", c.Title, citeLine(c))
			}
		}
		return
	}
	fmt.Fprintln(w, ans.Text)
	for _, c := range ans.Citations {
		fmt.Fprintf(w, "  “%s”\n  — %s (%s)\n", c.Quote, c.Title, citeLine(c))
	}
	if ans.Reader == briefings.ReaderLLM {
		fmt.Fprintln(w, "  (answer by a language model; the quote was checked against the article)")
	}
}

func citeLine(c briefings.Citation) string {
	parts := []string{c.Source}
	if !c.Date.IsZero() {
		parts = append(parts, c.Date.String())
	}
	return strings.Join(parts, ", ")
}

func searchCmd(g *globals) *cobra.Command {
	var limit int
	c := &cobra.Command{
		Use:   "search QUERY",
		Short: "Search the articles",
		Args:  argsBetween(1, 1<<20, "search words, e.g. briefbot search \"Russische hackers\""),
		RunE: func(c *cobra.Command, args []string) error {
			if limit < 1 {
				return usageError{cmd: "search", err: fmt.Errorf("--limit %d: use a number from 1", limit)}
			}
			query := strings.Join(args, " ")
			lib, err := g.loadLibrary(c.Context())
			if err != nil {
				return err
			}
			res, err := lib.Search(c.Context(), query, limit)
			if err != nil && err != briefings.ErrEmptyQuery {
				return err
			}
			if res == nil {
				res = []briefings.SearchResult{}
			}
			if g.format == "json" {
				return g.printJSON(struct {
					Query   string                   `json:"query"`
					Results []briefings.SearchResult `json:"results"`
				}{query, res})
			}
			if len(res) == 0 {
				fmt.Fprintln(g.stdout, "No articles match.")
			}
			for i, r := range res {
				fmt.Fprintf(g.stdout, "%d. %s (%s) score %.2f\n   %s\n", i+1, r.Title, citeLine(briefings.Citation{Source: r.Source, Date: r.Date}), r.Score, r.Snippet)
			}
			return nil
		},
	}
	c.Flags().IntVar(&limit, "limit", 10, "maximum number of results")
	return c
}

func articleCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "article ID",
		Short: "Show one article",
		Args:  argsBetween(1, 1, "one article ID, e.g. briefbot article 004_496c433a0061d38d"),
		RunE: func(c *cobra.Command, args []string) error {
			lib, err := g.loadLibrary(c.Context())
			if err != nil {
				return err
			}
			a, ok := briefings.LookupArticle(lib, args[0])
			if !ok {
				return fmt.Errorf("no article has the ID %q (use an ID or file name that search shows)", args[0])
			}
			if g.format == "json" {
				return g.printJSON(a)
			}
			fmt.Fprintf(g.stdout, "%s\n%s\n\n", a.Title, citeLine(briefings.Citation{Source: a.Source, Date: a.Date}))
			for _, p := range a.Paragraphs {
				if p.Heading {
					fmt.Fprintf(g.stdout, "## %s\n\n", p.Text)
				} else {
					fmt.Fprintf(g.stdout, "%s\n\n", p.Text)
				}
			}
			return nil
		},
	}
}

func digestCmd(g *globals) *cobra.Command {
	var topic, since, until string
	var limit int
	c := &cobra.Command{
		Use:   "digest",
		Short: "List a topic's articles for a period, ranked, with one-line summaries",
		Args:  argsBetween(0, 0, "no arguments; use --topic, --since and --until"),
		RunE: func(c *cobra.Command, _ []string) error {
			if limit < 0 {
				return usageError{cmd: "digest", err: fmt.Errorf("--limit %d: use a number from 1, or 0 for all stories", limit)}
			}
			var req briefings.DigestRequest
			req.Topic, req.Limit = topic, limit
			var err error
			if req.Since, err = parseDay(since, false); err != nil {
				return usageError{cmd: "digest", err: fmt.Errorf("--since: %w", err)}
			}
			if req.Until, err = parseDay(until, true); err != nil {
				return usageError{cmd: "digest", err: fmt.Errorf("--until: %w", err)}
			}
			if !req.Since.IsZero() && !req.Until.IsZero() && req.Until.Before(req.Since) {
				return usageError{cmd: "digest", err: fmt.Errorf("--until %s is before --since %s", until, since)}
			}
			lib, err := g.loadLibrary(c.Context())
			if err != nil {
				return err
			}
			if _, ok := lib.Topic(topic); !ok {
				var names []string
				for _, t := range lib.Topics() {
					names = append(names, t.Name)
				}
				return usageError{cmd: "digest", err: fmt.Errorf("no topic %q; known topics: %s", topic, strings.Join(names, ", "))}
			}
			d, err := lib.Digest(c.Context(), req)
			if err != nil {
				return err
			}
			if d.Items == nil {
				d.Items = []briefings.DigestItem{}
			}
			if g.format == "json" {
				return g.printJSON(struct {
					Topic string                 `json:"topic"`
					Since string                 `json:"since"`
					Until string                 `json:"until"`
					Items []briefings.DigestItem `json:"items"`
				}{topic, since, until, d.Items})
			}
			fmt.Fprintf(g.stdout, "Digest: %s, %d stories\n", topic, len(d.Items))
			for i, it := range d.Items {
				fmt.Fprintf(g.stdout, "%d. %s (%s)\n   %s\n   matched: %s\n", i+1, it.Title,
					citeLine(briefings.Citation{Source: it.Source, Date: it.Date}), it.Summary, strings.Join(it.Matched, ", "))
			}
			return nil
		},
	}
	c.Flags().StringVar(&topic, "topic", "interference", "topic name")
	c.Flags().StringVar(&since, "since", "", "first day, YYYY-MM-DD (inclusive)")
	c.Flags().StringVar(&until, "until", "", "last day, YYYY-MM-DD (inclusive)")
	c.Flags().IntVar(&limit, "limit", 0, "maximum number of stories (0: all)")
	return c
}

// checkFraction reports a flag value outside 0..1 (or, without zero, outside
// (0, 1]), NaN included, in words that say what to use.
func checkFraction(flag string, v float64, zero bool) error {
	switch {
	case math.IsNaN(v) || v < 0 || v > 1:
	case v == 0 && !zero:
	default:
		return nil
	}
	if zero {
		return fmt.Errorf("%s %v: use a number from 0 to 1 (0: the default)", flag, v)
	}
	return fmt.Errorf("%s %v: use a number above 0, at most 1", flag, v)
}

// parseDay parses YYYY-MM-DD as the start of that day (or, with end, its last
// instant) in UTC. The empty string is the zero time.
func parseDay(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date of the form YYYY-MM-DD", s)
	}
	if end {
		t = t.AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	return t, nil
}

func versionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  argsBetween(0, 0, "no arguments"),
		RunE: func(*cobra.Command, []string) error {
			v := "(devel)"
			if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
				v = bi.Main.Version
			}
			if g.format == "json" {
				return g.printJSON(map[string]string{"version": v})
			}
			fmt.Fprintf(g.stdout, "briefbot %s\n", v)
			return nil
		},
	}
}
