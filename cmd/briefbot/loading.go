package main

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
)

// loadingGate stands before the library while serve indexes the articles
// for the first time (no saved index): chat works at once, and a question
// that the load does not catch up with within loadingWait is told the
// articles are still being read (bot.ErrLoading) instead of being answered
// from an empty set.
type loadingGate struct {
	bot.Briefings
	open   atomic.Bool
	loaded chan struct{} // closed by opened
	wait   time.Duration // how long a question waits for the load
}

// loadingWait is how long a question waits for the articles before it is
// told they are still loading: a small set is in by then.
const loadingWait = 3 * time.Second

func newLoadingGate(next bot.Briefings, wait time.Duration) *loadingGate {
	return &loadingGate{Briefings: next, loaded: make(chan struct{}), wait: wait}
}

// opened lets everything through from now on.
func (g *loadingGate) opened() {
	if !g.open.Swap(true) {
		close(g.loaded)
	}
}

// ready reports whether the articles are in, waiting up to g.wait.
func (g *loadingGate) ready(ctx context.Context) bool {
	if g.open.Load() {
		return true
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case <-g.loaded:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

func (g *loadingGate) Answer(ctx context.Context, q string, opts briefings.AskOptions) (briefings.Answer, error) {
	if !g.ready(ctx) {
		return briefings.Answer{}, bot.ErrLoading
	}
	return g.Briefings.Answer(ctx, q, opts)
}

func (g *loadingGate) Search(ctx context.Context, q string, limit int) ([]briefings.SearchResult, error) {
	if !g.ready(ctx) {
		return nil, bot.ErrLoading
	}
	return g.Briefings.Search(ctx, q, limit)
}

func (g *loadingGate) Latest(ctx context.Context, topic string, limit int) ([]briefings.DigestItem, error) {
	if !g.ready(ctx) {
		return nil, bot.ErrLoading
	}
	return g.Briefings.Latest(ctx, topic, limit)
}

func (g *loadingGate) Digest(ctx context.Context, req briefings.DigestRequest) (briefings.Digest, error) {
	if !g.ready(ctx) {
		return briefings.Digest{}, bot.ErrLoading
	}
	return g.Briefings.Digest(ctx, req)
}

func (g *loadingGate) Article(id briefings.ArticleID) (briefings.Article, bool) {
	if !g.open.Load() {
		return briefings.Article{}, false
	}
	return g.Briefings.Article(id)
}
