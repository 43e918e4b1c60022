package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/briefbot/briefbot/adapters/console"
	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/scheduler"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/internal/store"
)

func serveCmd(g *globals) *cobra.Command {
	var watchDebounce time.Duration
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the bot (console on standard input/output when no chat platform is configured)",
		Args:  argsBetween(0, 0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			return g.serve(c.Context(), watchDebounce)
		},
	}
	c.Flags().DurationVar(&watchDebounce, "watch-debounce", 500*time.Millisecond, "wait this long after the last change in --articles before reloading")
	return c
}

// errInputClosed ends serve cleanly when the console's input ends.
var errInputClosed = errors.New("console input closed")

func (g *globals) serve(ctx context.Context, debounce time.Duration) error {
	log := g.logger()
	st, err := store.Open(ctx, filepath.Join(g.data, "briefbot.db"), log)
	if err != nil {
		return err
	}
	defer st.Close()

	lib, err := briefings.NewLibrary(briefings.Options{Logger: log})
	if err != nil {
		return err
	}
	if err := g.reload(ctx, log, st, lib); err != nil {
		return err
	}
	con := console.New(g.stdin, g.stdout, log)
	sched, err := scheduler.New(scheduler.Options{
		Store: st, Digester: lib, Logger: log,
		Senders: map[string]bot.Sender{con.Name(): con},
	})
	if err != nil {
		return fmt.Errorf("start the digest scheduler: %w", err)
	}
	b, err := bot.New(bot.Options{Briefings: lib, Store: st, Logger: log, Scheduler: sched})
	if err != nil {
		return fmt.Errorf("start the bot: %w", err)
	}

	grp, ctx := errgroup.WithContext(ctx)
	grp.Go(func() error { return sched.Run(ctx) })
	grp.Go(func() error {
		if err := con.Run(ctx, b); err != nil {
			return fmt.Errorf("console: %w", err)
		}
		return errInputClosed
	})
	if g.articles != "" {
		grp.Go(func() error {
			return briefings.Watch(ctx, g.articles, debounce, log, func(ctx context.Context) {
				if err := g.reload(ctx, log, st, lib); err != nil {
					log.Error("reloading articles failed; still serving the previous set", "dir", g.articles, "err", err)
				}
			})
		})
	}
	if err := grp.Wait(); err != nil && !errors.Is(err, errInputClosed) && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// reload reads the articles, stores them (keeping when each was first
// added) and gives the stored set to lib. A failure leaves both as they were.
func (g *globals) reload(ctx context.Context, log *slog.Logger, st *store.SQLite, lib *briefings.Library) error {
	arts, err := g.readArticles(ctx, log)
	if err != nil {
		return err
	}
	stats, err := st.SyncArticles(ctx, g.collection(), arts, time.Now())
	if err != nil {
		return err
	}
	stored, err := st.Articles(ctx, g.collection())
	if err != nil {
		return err
	}
	if err := lib.Replace(ctx, stored); err != nil {
		return err
	}
	log.Info("articles loaded", "articles", len(stored), "added", stats.Added, "updated", stats.Updated, "removed", stats.Removed)
	return nil
}
