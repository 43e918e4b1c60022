// Package ingest brings live articles into briefbot: a poller per
// configured feed (conditional GET, jitter, back-off, status), the ingest
// HTTP API (POST and DELETE /api/v1/articles), and the Refresher that gives
// the library the union of the directory's and the live articles. Items go
// to the store (internal/store) before they count as seen; the library is
// rebuilt from the store.
package ingest

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/feeds"
)

// Union merges the directory's articles and the live ones into one set for
// briefings.Library.Replace. A live article whose ID a directory article
// already has is left out (logged). Identical and near-identical articles
// are folded as LoadDir folds them, keeping the one added first: the same
// story from two feeds, or from a feed and the directory, is one article.
func Union(ctx context.Context, dir, live []briefings.Article, log *slog.Logger) ([]briefings.Article, map[briefings.ArticleID][]string, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ids := make(map[briefings.ArticleID]bool, len(dir))
	all := make([]briefings.Article, 0, len(dir)+len(live))
	for _, a := range dir {
		ids[a.ID] = true
		all = append(all, a)
	}
	for _, a := range live {
		if ids[a.ID] {
			log.Warn("live article has the ID of a directory article; the directory's is kept", "id", a.ID, "source", a.Source)
			continue
		}
		all = append(all, a)
	}
	// earliest first; the source breaks ties, so the result is stable
	slices.SortStableFunc(all, func(a, b briefings.Article) int {
		if c := a.Added.Compare(b.Added); c != 0 {
			return c
		}
		return cmp.Compare(a.Source, b.Source)
	})
	// the folds are the same at every refresh: not logged one by one
	return briefings.FoldNearDuplicates(ctx, all, nil)
}

// ArticleSource reads the stored article sets; *store.SQLite is one.
type ArticleSource interface {
	Articles(ctx context.Context, collection string) ([]briefings.Article, error)
	LiveArticles(ctx context.Context) ([]briefings.Article, error)
}

// Replacer takes a new article set; *briefings.Library is one.
type Replacer interface {
	Replace(ctx context.Context, arts []briefings.Article) error
}

// Refresher rebuilds the library from the store: the directory's
// collection and the live articles, merged by Union. Refreshes are
// serialised, so the last one always reads the newest stored state.
type Refresher struct {
	src        ArticleSource
	lib        Replacer
	collection string
	log        *slog.Logger
	// done, when set, hears of each refresh Run makes: the articles in
	// the new set, or the error.
	done func(n int, err error)

	// FeedTopics maps a feed's name to the digest topic it is about: its
	// articles get that topic as a hint (briefings.Article.TopicHints).
	// Set it before the first Refresh or Run.
	FeedTopics map[string]string

	mu   sync.Mutex // held while refreshing
	kick chan struct{}
}

// NewRefresher returns a Refresher of the directory collection and the
// live articles into lib. done, when not nil, hears of each refresh Run
// makes (Refresh's caller has the result itself).
func NewRefresher(src ArticleSource, lib Replacer, collection string, log *slog.Logger, done func(n int, err error)) *Refresher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Refresher{src: src, lib: lib, collection: collection, log: log, done: done, kick: make(chan struct{}, 1)}
}

// Refresh rebuilds the library now and returns when it has the new set.
func (r *Refresher) Refresh(ctx context.Context) error {
	_, err := r.refresh(ctx)
	return err
}

func (r *Refresher) refresh(ctx context.Context) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	dir, err := r.src.Articles(ctx, r.collection)
	if err != nil {
		return 0, err
	}
	live, err := r.src.LiveArticles(ctx)
	if err != nil {
		return 0, err
	}
	hintFeedTopics(live, r.FeedTopics)
	arts, folded, err := Union(ctx, dir, live, r.log)
	if err != nil {
		return 0, err
	}
	if err := r.lib.Replace(ctx, arts); err != nil {
		return 0, err
	}
	r.log.Debug("library refreshed", "directory_articles", len(dir), "live_articles", len(live), "articles", len(arts), "folded", len(folded))
	return len(arts), nil
}

// Kick asks Run for a refresh and returns at once; kicks that come while
// one is pending are one refresh.
func (r *Refresher) Kick() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Run refreshes after each Kick until ctx ends; a failed refresh is logged
// and the library keeps its previous set. It returns nil when ctx ends.
func (r *Refresher) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-r.kick:
		}
		n, err := r.refresh(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			r.log.Error("refreshing the articles failed; still serving the previous set", "err", err)
		}
		if r.done != nil {
			r.done(n, err)
		}
	}
}

// hintFeedTopics gives each article of a feed in topics (feed name →
// topic) that topic as a hint. A feed's articles are known by their
// Source, which begins with feeds.SourcePrefix(name); of two feed names
// where one's prefix begins the other's, the longer wins.
func hintFeedTopics(arts []briefings.Article, topics map[string]string) {
	if len(topics) == 0 {
		return
	}
	names := make([]string, 0, len(topics))
	for name, topic := range topics {
		if strings.TrimSpace(topic) != "" {
			names = append(names, name)
		}
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for i := range arts {
		a := &arts[i]
		for _, name := range names {
			if strings.HasPrefix(a.Source, feeds.SourcePrefix(name)) {
				if !slices.Contains(a.TopicHints, topics[name]) {
					a.TopicHints = append(slices.Clip(a.TopicHints), topics[name])
				}
				break
			}
		}
	}
}
