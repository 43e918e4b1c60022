package bottest

import (
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// FeedsReply is the reply to "feeds" as the core builds it, for adapters'
// golden files: three feeds (read, failing with an error text that needs
// escaping, never read), with the given language's wording when dutch.
func FeedsReply(t testing.TB, dutch bool) bot.Reply {
	t.Helper()
	now := time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)
	feeds := []bot.FeedStatus{
		{Name: "nos", URL: "https://feeds.nos.nl/nosnieuwsalgemeen", LastSuccess: now.Add(-4 * time.Minute), ItemsSeen: 1204},
		{Name: "rtl_nieuws", URL: "https://www.rtlnieuws.nl/rss.xml", LastError: `feed is not XML: unexpected "<html>" & *stars* at line 1`,
			LastErrorAt: now.Add(-3 * time.Hour), Failures: 4, ItemsSeen: 87},
		{Name: "anp <wire>", URL: "https://anp.example/feed"},
	}
	st, _ := TempStore(t)
	b, err := bot.New(bot.Options{Briefings: NewLibrary(now.AddDate(0, 0, -4)), Store: st, Clock: NewClock(now).Now,
		Feeds: func() []bot.FeedStatus { return feeds }})
	if err != nil {
		t.Fatal(err)
	}
	text := "feeds"
	if dutch {
		text = "bronnen"
	}
	sent := NewAdapter("test").Handle(t, b, bot.Message{Conversation: "D1", User: "U1", Text: text, EventID: "feeds", Direct: true})
	if len(sent) != 1 {
		t.Fatalf("feeds: %d replies, want 1", len(sent))
	}
	return sent[0].Reply
}
