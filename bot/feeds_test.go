package bot_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
)

// TestFeedsCommand: "feeds" (Dutch: "bronnen") lists each feed's state.
func TestFeedsCommand(t *testing.T) {
	feeds := []bot.FeedStatus{
		{Name: "nos", URL: "https://feeds.nos.nl/x", LastSuccess: start.Add(-5 * time.Minute), ItemsSeen: 42},
		{Name: "rtl", URL: "https://rtl.nl/feed.json", LastError: "feed answered 502 Bad Gateway", LastErrorAt: start.Add(-2 * time.Hour), Failures: 3},
		{Name: "anp", URL: "https://anp.nl/rss"},
	}
	f := newFixture(t, func(o *bot.Options) { o.Feeds = func() []bot.FeedStatus { return feeds } })
	for i, tc := range []struct{ in, title, body string }{
		{"feeds", "Feeds", "nos — read 5 min ago; 42 articles\nrtl — failing (3×, 2 h ago): feed answered 502 Bad Gateway; 0 articles\nanp — not read yet; 0 articles"},
		{"bronnen", "Feeds", "nos — gelezen 5 min geleden; 42 artikelen\nrtl — mislukt (3×, 2 uur geleden): feed answered 502 Bad Gateway; 0 artikelen\nanp — nog niet gelezen; 0 artikelen"},
	} {
		r := one(t, f.send(t, dm("f"+string(rune('a'+i)), tc.in)))
		if diff := cmp.Diff([]string{r.Title, r.Body[0]}, []string{tc.title, tc.body}); diff != "" {
			t.Errorf("%s (-got +want):\n%s", tc.in, diff)
		}
	}
	none := newFixture(t, nil)
	if r := one(t, none.send(t, dm("n", "feeds"))); r.Notice != "No feeds are configured." {
		t.Errorf("without feeds: %+v", r)
	}
}
