package ops

import "time"

// Feed is one feed's polling status in a Report.
type Feed struct {
	Name        string     `json:"name"`
	URL         string     `json:"url"`
	State       string     `json:"state"` // "ok", "failing" or "not_polled_yet"
	LastSuccess *time.Time `json:"last_success,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	LastErrorAt *time.Time `json:"last_error_at,omitempty"`
	Failures    int        `json:"failures"`   // consecutive
	ItemsSeen   int        `json:"items_seen"` // articles created from the feed
	NextPoll    *time.Time `json:"next_poll,omitempty"`
}

// SetFeeds makes every readiness check list the feeds' status, as report
// returns it. report is called on every check, so it must not block.
func (h *Health) SetFeeds(report func() []Feed) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.feeds = report
}
