package ops

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestHealthCheckFeeds: the feeds' status is readiness detail; a failing
// feed does not make the process unready.
func TestHealthCheckFeeds(t *testing.T) {
	h := NewHealth("scheduler")
	h.ArticlesLoaded(3)
	h.Running("scheduler", false, nil)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	feeds := []Feed{
		{Name: "nos", URL: "https://feeds.nos.nl/x", State: "ok", LastSuccess: &at, ItemsSeen: 4},
		{Name: "rtl", URL: "https://rtl.nl/feed.json", State: "failing", LastError: "feed answered 500", LastErrorAt: &at, Failures: 2},
	}
	if r := h.Check(); r.Feeds != nil {
		t.Errorf("feeds reported before SetFeeds: %v", r.Feeds)
	}
	h.SetFeeds(func() []Feed { return feeds })
	r := h.Check()
	if !r.Ready {
		t.Errorf("not ready: %v", r.NotReady)
	}
	if diff := cmp.Diff(r.Feeds, feeds); diff != "" {
		t.Errorf("feeds (-got +want):\n%s", diff)
	}
}
