package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/briefings"
)

func liveItem(i int, origin string) LiveItem {
	a := synthArticle(i)
	a.ID = briefings.ArticleID("live-" + string(a.ID))
	a.Author = "Redactie"
	return LiveItem{Article: a, Key: "guid:" + string(a.ID), Origin: origin}
}

func TestPutLiveOutcomes(t *testing.T) { forEachBackend(t, testPutLiveOutcomes) }

func testPutLiveOutcomes(t *testing.T, s backend) {
	ctx := t.Context()
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	a, b := liveItem(1, "feed:nos"), liveItem(2, "feed:nos")
	changed := a
	changed.Article.Title = "Nieuwe kop"
	authorChanged := b
	authorChanged.Article.Author = "Jan de Vries"
	fromOtherFeed := a
	fromOtherFeed.Origin = "feed:nu"
	fromOtherFeed.Article.Title = "Kop van nu.nl"
	fromAPI := a
	fromAPI.Origin = "api:cms"
	fromAPI.Article.Title = "Kop van het CMS"
	for _, step := range []struct {
		name  string
		items []LiveItem
		want  []Outcome
	}{
		{"new", []LiveItem{a, b}, []Outcome{Created, Created}},
		{"again", []LiveItem{a, b}, []Outcome{Unchanged, Unchanged}},
		{"title changed", []LiveItem{changed}, []Outcome{Updated}},
		{"author changed", []LiveItem{authorChanged}, []Outcome{Updated}},
		{"twice in one batch", []LiveItem{a, a}, []Outcome{Updated, Unchanged}},
		{"same story from another feed", []LiveItem{fromOtherFeed}, []Outcome{Unchanged}},
		{"the API may update any", []LiveItem{fromAPI}, []Outcome{Updated}},
	} {
		got, err := s.PutLive(ctx, step.items, PutOptions{Now: t0})
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if diff := cmp.Diff(got, step.want); diff != "" {
			t.Errorf("%s: outcomes (-got +want):\n%s", step.name, diff)
		}
	}
	arts, err := s.LiveArticles(ctx)
	if err != nil || len(arts) != 2 {
		t.Fatalf("LiveArticles = %d articles, %v", len(arts), err)
	}
	if arts[0].Title != "Kop van het CMS" || arts[1].Author != "Jan de Vries" || !arts[0].Added.Equal(t0) {
		t.Errorf("stored: %q by %q added %v; %q by %q", arts[0].Title, arts[0].Author, arts[0].Added, arts[1].Title, arts[1].Author)
	}
	// the directory's collection is untouched by live articles
	if dir, err := s.Articles(ctx, "/articles"); err != nil || len(dir) != 0 {
		t.Errorf("Articles(/articles) = %d, %v", len(dir), err)
	}
}

func TestDeleteLiveStaysRetracted(t *testing.T) { forEachBackend(t, testDeleteLiveStaysRetracted) }

func testDeleteLiveStaysRetracted(t *testing.T, s backend) {
	ctx := t.Context()
	now := time.Now()
	a := liveItem(1, "feed:nos")
	if _, err := s.PutLive(ctx, []LiveItem{a}, PutOptions{Now: now}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []Retraction{Deleted, AlreadyRetracted} {
		if got, err := s.DeleteLive(ctx, a.Article.ID, now); err != nil || got != want {
			t.Fatalf("DeleteLive = %v, %v; want %v", got, err, want)
		}
	}
	if got, err := s.DeleteLive(ctx, "live-unknown", now); err != nil || got != NotFound {
		t.Fatalf("DeleteLive(unknown) = %v, %v", got, err)
	}
	// the feed still carries it: it stays retracted
	if got, err := s.PutLive(ctx, []LiveItem{a}, PutOptions{Now: now}); err != nil || got[0] != Retracted {
		t.Fatalf("PutLive after retraction = %v, %v", got, err)
	}
	if arts, _ := s.LiveArticles(ctx); len(arts) != 0 {
		t.Fatalf("retracted article is back: %v", arts[0].ID)
	}
	// an explicit post restores it
	if got, err := s.PutLive(ctx, []LiveItem{a}, PutOptions{Now: now, Restore: true}); err != nil || got[0] != Created {
		t.Fatalf("PutLive with Restore = %v, %v", got, err)
	}
}

// TestFeedStateSurvivesReopen: validators and counts are written with the
// items, and read back after the store is closed and opened again.
func TestFeedStateSurvivesReopen(t *testing.T) { forEachBackend(t, testFeedStateSurvivesReopen) }

func testFeedStateSurvivesReopen(t *testing.T, s backend) {
	ctx := t.Context()
	if _, ok, err := s.FeedState(ctx, "nos"); ok || err != nil {
		t.Fatalf("FeedState of a new feed: ok %v, %v", ok, err)
	}
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	st := FeedState{Feed: "nos", URL: "https://feeds.nos.nl/x", ETag: `"v1"`, LastModified: "Mon, 02 Mar 2026 08:00:00 GMT",
		LastAttempt: t0, LastSuccess: t0, LastItems: 2, ItemsSeen: 3}
	if _, err := s.PutLive(ctx, []LiveItem{liveItem(1, "feed:nos"), liveItem(2, "feed:nos")}, PutOptions{Now: t0, Feed: &st}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = s.testReopen(t)
	got, ok, err := s.FeedState(ctx, "nos")
	if err != nil || !ok {
		t.Fatalf("FeedState after reopening: ok %v, %v", ok, err)
	}
	want := st
	want.ItemsSeen = 5 // 3 before, 2 created
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("FeedState (-got +want):\n%s", diff)
	}
	fail := got
	fail.LastError, fail.LastErrorAt, fail.Failures = "feed answered 500", t0.Add(time.Minute), 1
	if err := s.SaveFeedState(ctx, fail); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.FeedState(ctx, "nos"); got.LastError != "feed answered 500" || got.ETag != `"v1"` {
		t.Errorf("after a failure: %+v", got)
	}
}

// TestPutLiveAllOrNothing: when storing fails half-way (here: the context
// ends after the first row), neither the items nor the feed's validators
// are stored, so the next poll fetches the document again in full.
func TestPutLiveAllOrNothing(t *testing.T) { forEachBackend(t, testPutLiveAllOrNothing) }

func testPutLiveAllOrNothing(t *testing.T, s backend) {
	ctx, cancel := context.WithCancel(t.Context())
	s.testSetSyncRowHook(func(n int) {
		if n == 1 {
			cancel()
		}
	})
	st := FeedState{Feed: "nos", URL: "u", ETag: `"v2"`}
	_, err := s.PutLive(ctx, []LiveItem{liveItem(1, "feed:nos"), liveItem(2, "feed:nos")}, PutOptions{Now: time.Now(), Feed: &st})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("PutLive = %v, want context.Canceled", err)
	}
	s.testSetSyncRowHook(nil)
	if arts, err := s.LiveArticles(t.Context()); err != nil || len(arts) != 0 {
		t.Errorf("after a failed put: %d articles, %v", len(arts), err)
	}
	if _, ok, _ := s.FeedState(t.Context(), "nos"); ok {
		t.Error("the feed's validators were stored without its items")
	}
}
