package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// FeedStats is one feed's state at a scrape, for Feeds.
type FeedStats struct {
	Name        string
	LastSuccess time.Time // zero: never
	LastErrorAt time.Time // zero: never
	Failing     bool      // the last poll failed
	ItemsSeen   int       // articles created from the feed, in all
	Polls       uint64    // polls since start-up
	PollErrors  uint64    // of those, failed
}

// Feeds exports each feed's status, read from stats at every scrape:
// briefbot_feed_up{feed} (0 while its last poll failed),
// briefbot_feed_last_success_timestamp_seconds, ..._last_error_timestamp_seconds,
// briefbot_feed_items_seen and briefbot_feed_polls_total{feed,result}.
// stats must be safe for concurrent use and must not block.
func (m *Metrics) Feeds(stats func() []FeedStats) error {
	return m.reg.Register(&feedCollector{stats: stats})
}

var (
	feedUpDesc = prometheus.NewDesc("briefbot_feed_up",
		"1 when the feed's last poll succeeded (or it was not polled yet), 0 while it fails.", []string{"feed"}, nil)
	feedSuccessDesc = prometheus.NewDesc("briefbot_feed_last_success_timestamp_seconds",
		"When the feed was last fetched successfully (Unix time); absent before the first success.", []string{"feed"}, nil)
	feedErrorDesc = prometheus.NewDesc("briefbot_feed_last_error_timestamp_seconds",
		"When a poll of the feed last failed (Unix time); absent while none has.", []string{"feed"}, nil)
	feedItemsDesc = prometheus.NewDesc("briefbot_feed_items_seen",
		"Articles created from the feed, in all (kept across restarts).", []string{"feed"}, nil)
	feedPollsDesc = prometheus.NewDesc("briefbot_feed_polls_total",
		"Polls of the feed since start-up, by result (ok or failed).", []string{"feed", "result"}, nil)
)

type feedCollector struct{ stats func() []FeedStats }

func (c *feedCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{feedUpDesc, feedSuccessDesc, feedErrorDesc, feedItemsDesc, feedPollsDesc} {
		ch <- d
	}
}

func (c *feedCollector) Collect(ch chan<- prometheus.Metric) {
	for _, f := range c.stats() {
		up := 1.0
		if f.Failing {
			up = 0
		}
		ch <- prometheus.MustNewConstMetric(feedUpDesc, prometheus.GaugeValue, up, f.Name)
		if !f.LastSuccess.IsZero() {
			ch <- prometheus.MustNewConstMetric(feedSuccessDesc, prometheus.GaugeValue, float64(f.LastSuccess.UnixNano())/1e9, f.Name)
		}
		if !f.LastErrorAt.IsZero() {
			ch <- prometheus.MustNewConstMetric(feedErrorDesc, prometheus.GaugeValue, float64(f.LastErrorAt.UnixNano())/1e9, f.Name)
		}
		ch <- prometheus.MustNewConstMetric(feedItemsDesc, prometheus.GaugeValue, float64(f.ItemsSeen), f.Name)
		ch <- prometheus.MustNewConstMetric(feedPollsDesc, prometheus.CounterValue, float64(f.Polls-f.PollErrors), f.Name, "ok")
		ch <- prometheus.MustNewConstMetric(feedPollsDesc, prometheus.CounterValue, float64(f.PollErrors), f.Name, "failed")
	}
}
