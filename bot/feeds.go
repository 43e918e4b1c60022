package bot

import (
	"fmt"
	"strings"
	"time"
)

// FeedStatus is one feed's polling status, for the feeds command.
type FeedStatus struct {
	Name        string
	URL         string
	LastSuccess time.Time // zero: never
	LastError   string    // "": the last poll succeeded
	LastErrorAt time.Time
	Failures    int // consecutive
	ItemsSeen   int // articles created from the feed
}

// feedsReply lists the configured feeds: when each was last read, how many
// articles it brought, and why it fails when it does.
func (b *Bot) feedsReply(req request, cmd command) Reply {
	l := cmd.lang
	var feeds []FeedStatus
	if b.feeds != nil {
		feeds = b.feeds()
	}
	if len(feeds) == 0 {
		return Reply{Notice: l.pick("No feeds are configured.", "Er zijn geen feeds ingesteld.")}
	}
	var lines []string
	for _, f := range feeds {
		var state string
		switch {
		case f.LastError != "":
			state = l.pick("failing", "mislukt") + fmt.Sprintf(" (%d×, %s): %s", f.Failures, ago(req.now, f.LastErrorAt, l), f.LastError)
		case f.LastSuccess.IsZero():
			state = l.pick("not read yet", "nog niet gelezen")
		default:
			state = l.pick("read ", "gelezen ") + ago(req.now, f.LastSuccess, l)
		}
		lines = append(lines, fmt.Sprintf("%s — %s; %d %s", f.Name, state, f.ItemsSeen, l.pick("articles", "artikelen")))
	}
	return Reply{Title: l.pick("Feeds", "Feeds"), Body: []string{strings.Join(lines, "\n")}}
}

// ago says how long before now t was, coarsely.
func ago(now, t time.Time, l lang) string {
	d := now.Sub(t)
	switch {
	case t.IsZero():
		return l.pick("never", "nooit")
	case d < time.Minute:
		return l.pick("just now", "zojuist")
	case d < time.Hour:
		return fmt.Sprintf(l.pick("%d min ago", "%d min geleden"), int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf(l.pick("%d h ago", "%d uur geleden"), int(d.Hours()))
	default:
		return fmt.Sprintf(l.pick("%d days ago", "%d dagen geleden"), int(d.Hours()/24))
	}
}
