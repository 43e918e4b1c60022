package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings/feeds"
	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/internal/ingest"
	"github.com/briefbot/briefbot/internal/metrics"
	"github.com/briefbot/briefbot/internal/ops"
)

// liveParts are serve's live article sources: the refresher that gives the
// library the directory's and the live articles, the feed poller (nil
// without feeds) and the ingest API (nil without tokens).
type liveParts struct {
	refresher *ingest.Refresher
	poller    *ingest.Poller
}

// setupLive creates the refresher, the feed poller and the ingest API,
// mounts the API and registers the feeds' metrics and readiness detail.
func (s *server) setupLive(mount map[string]http.Handler) error {
	lp := &liveParts{}
	lp.refresher = ingest.NewRefresher(s.st, s.lib, s.g.collection(), s.log, func(n int, err error) {
		s.metrics.ArticlesLoaded(n, err)
		if err == nil {
			s.health.ArticlesLoaded(n)
		}
	})
	lp.refresher.FeedTopics = map[string]string{}
	for _, f := range s.cfg.Feeds {
		if f.Topic != "" {
			lp.refresher.FeedTopics[f.Name] = f.Topic
		}
	}
	if len(s.cfg.Feeds) > 0 {
		p, err := ingest.NewPoller(ingest.PollerOptions{
			Feeds: pollerFeeds(s.cfg.Feeds), Store: s.st, Logger: s.log, Changed: lp.refresher.Kick,
			Fetcher: &feeds.Fetcher{UserAgent: "briefbot (feed poller)"},
		})
		if err != nil {
			return err
		}
		lp.poller = p
		if err := s.metrics.Feeds(func() []metrics.FeedStats { return feedStats(p.Status()) }); err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		s.health.SetFeeds(func() []ops.Feed { return feedReports(p.Status()) })
	}
	if in := s.cfg.Ingest; len(in.Tokens) > 0 {
		var tokens []ingest.Token
		for _, t := range in.Tokens {
			tokens = append(tokens, ingest.Token{Name: t.Name, Secret: t.Token,
				Limit: ingest.RateLimit{Events: t.Limit.Events, Window: t.Limit.Window}})
		}
		api, err := ingest.NewAPI(ingest.APIOptions{Store: s.st, Tokens: tokens, MaxBody: in.MaxBody, Logger: s.log, Changed: lp.refresher.Kick})
		if err != nil {
			return err
		}
		mount["/api/v1/"] = api
	}
	s.live = lp
	return nil
}

// runLive runs the refresher and the poller in grp until ctx ends.
func (s *server) runLive(ctx context.Context, grp *errgroup.Group) {
	grp.Go(func() error { return s.live.refresher.Run(ctx) })
	if p := s.live.poller; p != nil {
		grp.Go(func() error { return p.Run(ctx) })
	}
}

func pollerFeeds(cfs []config.Feed) []ingest.Feed {
	out := make([]ingest.Feed, len(cfs))
	for i, f := range cfs {
		out[i] = ingest.Feed{Name: f.Name, URL: f.URL, Interval: f.Interval, Timeout: f.Timeout, MaxSize: f.MaxSize,
			Topic: f.Topic, AuthHeader: f.AuthHeader, AuthValue: f.AuthValue}
	}
	return out
}

func feedStats(ss []ingest.Status) []metrics.FeedStats {
	out := make([]metrics.FeedStats, len(ss))
	for i, s := range ss {
		out[i] = metrics.FeedStats{Name: s.Name, LastSuccess: s.LastSuccess, LastErrorAt: s.LastErrorAt, Failing: s.LastError != "",
			ItemsSeen: s.ItemsSeen, Polls: s.Polls, PollErrors: s.PollErrors}
	}
	return out
}

func feedReports(ss []ingest.Status) []ops.Feed {
	opt := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	out := make([]ops.Feed, len(ss))
	for i, s := range ss {
		state := "ok"
		switch {
		case s.LastError != "":
			state = "failing"
		case s.LastSuccess.IsZero():
			state = "not_polled_yet"
		}
		out[i] = ops.Feed{Name: s.Name, URL: s.URL, State: state, LastSuccess: opt(s.LastSuccess), LastError: s.LastError,
			LastErrorAt: opt(s.LastErrorAt), Failures: s.Failures, ItemsSeen: s.ItemsSeen, NextPoll: opt(s.NextPoll)}
	}
	return out
}

func feedsCmd(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "feeds",
		Short: "Work with the configured RSS, Atom and JSON feeds",
		Args:  argsBetween(0, 0, "a subcommand: check"),
		RunE:  func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	var f configFlags
	check := &cobra.Command{
		Use:   "check",
		Short: "Fetch each configured feed once and show what it would ingest, storing nothing",
		Long: `Fetch each feed of the configuration's feeds: section once, without the stored
validators, and list the articles it would bring in (ID, date, title, link)
and the entries it would skip, with the reason. Nothing is stored, so it is
safe next to a running serve. Exits 1 when a feed cannot be fetched or read.`,
		Args: argsBetween(0, 0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := g.resolveConfig(c, f)
			if err != nil {
				return usageError{cmd: "feeds check", err: fmt.Errorf("the configuration has problems (run briefbot config check for the list):\n%w", err)}
			}
			if len(cfg.Feeds) == 0 {
				return usageError{cmd: "feeds check", err: fmt.Errorf("the configuration has no feeds: section; see docs/feeds.md")}
			}
			return g.checkFeeds(c.Context(), cfg.Feeds)
		},
	}
	f.register(check)
	c.AddCommand(check)
	return c
}

// feedCheck is one feed's result in feeds check's JSON output.
type feedCheck struct {
	Name     string          `json:"name"`
	URL      string          `json:"url"`
	FinalURL string          `json:"final_url,omitempty"`
	Error    string          `json:"error,omitempty"`
	Title    string          `json:"title,omitempty"`
	Format   string          `json:"format,omitempty"`
	Articles []checkArticle  `json:"articles"`
	Skipped  []feeds.Skipped `json:"skipped,omitempty"`
}

type checkArticle struct {
	ID     string `json:"id"`
	Date   string `json:"date,omitempty"`
	Title  string `json:"title"`
	URL    string `json:"url,omitempty"`
	Author string `json:"author,omitempty"`
	Words  int    `json:"words"`
}

func (g *globals) checkFeeds(ctx context.Context, cfs []config.Feed) error {
	fetcher := &feeds.Fetcher{UserAgent: "briefbot (feeds check)"}
	var out []feedCheck
	failed := 0
	for _, f := range cfs {
		fc := feedCheck{Name: f.Name, URL: f.URL, Articles: []checkArticle{}}
		resp, err := fetcher.Fetch(ctx, feeds.Request{URL: f.URL, AuthHeader: f.AuthHeader, AuthValue: f.AuthValue, Timeout: f.Timeout, MaxSize: f.MaxSize})
		var res feeds.Result
		if err == nil {
			fc.FinalURL = resp.URL.String()
			res, err = feeds.Parse(resp.Body, feeds.Source{Name: f.Name, Base: resp.URL})
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			fc.Error = err.Error()
			failed++
		}
		fc.Title, fc.Format, fc.Skipped = res.Title, res.Format, res.Skipped
		for _, it := range res.Items {
			a := it.Article
			words := 0
			for _, p := range a.Paragraphs {
				words += len(strings.Fields(p.Text))
			}
			fc.Articles = append(fc.Articles, checkArticle{ID: string(a.ID), Date: a.Date.String(), Title: a.Title, URL: a.URL, Author: a.Author, Words: words})
		}
		out = append(out, fc)
	}
	if g.format == "json" {
		if err := g.printJSON(out); err != nil {
			return err
		}
	} else {
		for i, fc := range out {
			if i > 0 {
				fmt.Fprintln(g.stdout)
			}
			fmt.Fprintf(g.stdout, "%s  %s\n", fc.Name, fc.URL)
			if fc.FinalURL != "" && fc.FinalURL != fc.URL {
				fmt.Fprintf(g.stdout, "  redirected to %s\n", fc.FinalURL)
			}
			if fc.Error != "" {
				fmt.Fprintf(g.stdout, "  FAILED: %s\n", fc.Error)
				continue
			}
			fmt.Fprintf(g.stdout, "  %s feed %q: %d articles would be ingested, %d entries skipped\n", fc.Format, fc.Title, len(fc.Articles), len(fc.Skipped))
			for _, a := range fc.Articles {
				date := a.Date
				if date == "" {
					date = "undated"
				}
				fmt.Fprintf(g.stdout, "  %-22s %-10s %s (%d words)\n", a.ID, date, a.Title, a.Words)
				if a.URL != "" {
					fmt.Fprintf(g.stdout, "  %-22s %-10s %s\n", "", "", a.URL)
				}
			}
			for _, s := range fc.Skipped {
				fmt.Fprintf(g.stdout, "  skipped entry %d %q: %s\n", s.Index+1, s.Title, s.Reason)
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d feeds could not be fetched or read", failed, len(out))
	}
	return nil
}

// botFeeds reports the feeds' status to the chat command feeds; nil
// without feeds.
func (s *server) botFeeds() func() []bot.FeedStatus {
	p := s.live.poller
	if p == nil {
		return nil
	}
	return func() []bot.FeedStatus {
		ss := p.Status()
		out := make([]bot.FeedStatus, len(ss))
		for i, st := range ss {
			out[i] = bot.FeedStatus{Name: st.Name, URL: st.URL, LastSuccess: st.LastSuccess, LastError: st.LastError,
				LastErrorAt: st.LastErrorAt, Failures: st.Failures, ItemsSeen: st.ItemsSeen}
		}
		return out
	}
}
