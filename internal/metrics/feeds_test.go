package metrics

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
)

// TestFeeds: each feed's status is exported at every scrape.
func TestFeeds(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := New(reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	stats := []FeedStats{{Name: "nos"}, {Name: "rtl"}}
	if err := m.Feeds(func() []FeedStats {
		mu.Lock()
		defer mu.Unlock()
		return append([]FeedStats(nil), stats...)
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`briefbot_feed_items_seen{feed="nos"} 0`, `briefbot_feed_items_seen{feed="rtl"} 0`,
		`briefbot_feed_polls_total{feed="nos",result="failed"} 0`, `briefbot_feed_polls_total{feed="nos",result="ok"} 0`,
		`briefbot_feed_polls_total{feed="rtl",result="failed"} 0`, `briefbot_feed_polls_total{feed="rtl",result="ok"} 0`,
		`briefbot_feed_up{feed="nos"} 1`, `briefbot_feed_up{feed="rtl"} 1`,
	}
	if diff := cmp.Diff(series(t, reg, "briefbot_feed"), want); diff != "" {
		t.Errorf("before polling (-got +want):\n%s", diff)
	}
	mu.Lock()
	stats[0] = FeedStats{Name: "nos", LastSuccess: time.Unix(1000, 0), ItemsSeen: 12, Polls: 3}
	stats[1] = FeedStats{Name: "rtl", LastErrorAt: time.Unix(2000, 0), Failing: true, Polls: 2, PollErrors: 2}
	mu.Unlock()
	want = []string{
		`briefbot_feed_items_seen{feed="nos"} 12`, `briefbot_feed_items_seen{feed="rtl"} 0`,
		`briefbot_feed_last_error_timestamp_seconds{feed="rtl"} 2000`,
		`briefbot_feed_last_success_timestamp_seconds{feed="nos"} 1000`,
		`briefbot_feed_polls_total{feed="nos",result="failed"} 0`, `briefbot_feed_polls_total{feed="nos",result="ok"} 3`,
		`briefbot_feed_polls_total{feed="rtl",result="failed"} 2`, `briefbot_feed_polls_total{feed="rtl",result="ok"} 0`,
		`briefbot_feed_up{feed="nos"} 1`, `briefbot_feed_up{feed="rtl"} 0`,
	}
	if diff := cmp.Diff(series(t, reg, "briefbot_feed"), want); diff != "" {
		t.Errorf("after polling (-got +want):\n%s", diff)
	}
}
