// Package feeds turns RSS 2.0, Atom 1.0 and JSON Feed documents into
// briefings Articles: Fetch GETs a feed conditionally and within limits,
// Parse converts its items (HTML bodies into paragraphs and headings,
// links made absolute, dates kept in the feed's own time zone), and
// IdentityKey and CanonicalURL decide when two items are one article.
// It keeps no state: the poller (internal/ingest) stores what it fetched.
package feeds

import (
	"bytes"
	"cmp"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/briefbot/briefbot/briefings"
)

// Source describes the feed a document came from.
type Source struct {
	// Name is the feed's configured name: the articles' publisher, and
	// the scope of its GUIDs.
	Name string
	// Base is the URL the document was fetched from (after redirects);
	// relative links resolve against it. nil: links must be absolute.
	Base *url.URL
}

// Item is one feed entry converted to an article.
type Item struct {
	Article briefings.Article
	// Key is the identity key (IdentityKey) the Article's ID derives from.
	Key string
}

// Skipped is an entry that gave no article, and why.
type Skipped struct {
	Index  int    `json:"index"` // 0-based position in the document
	Title  string `json:"title"`
	Reason string `json:"reason"`
}

// Result is what Parse found in one document.
type Result struct {
	Title   string // the feed's own title
	Format  string // "rss", "atom" or "json"
	Items   []Item
	Skipped []Skipped
}

// Parse converts a feed document. An entry without any text, or repeating
// the identity of an earlier entry of the same document, is skipped with
// the reason; a document that is no RSS, Atom or JSON Feed is an error.
func Parse(data []byte, src Source) (Result, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	f, err := gofeed.NewParser().Parse(bytes.NewReader(data))
	if err != nil {
		return Result{}, fmt.Errorf("feed %s is not a readable RSS, Atom or JSON Feed document: %w", src.Name, err)
	}
	res := Result{Title: strings.TrimSpace(f.Title), Format: f.FeedType}
	// Relative item links point into the site, which the channel link
	// (RSS) or alternate link (Atom, JSON Feed's home page) names; the
	// document's own URL is often on a feed host (feeds.nos.nl).
	base := src.Base
	if u, err := url.Parse(strings.TrimSpace(f.Link)); err == nil && f.Link != "" {
		if base != nil {
			u = base.ResolveReference(u)
		}
		if u.IsAbs() && (u.Scheme == "http" || u.Scheme == "https") {
			base = u
		}
	}
	seen := map[briefings.ArticleID]int{}
	for i, it := range f.Items {
		if it == nil {
			continue
		}
		item, err := convert(it, src.Name, base)
		if err != nil {
			res.Skipped = append(res.Skipped, Skipped{Index: i, Title: strings.TrimSpace(it.Title), Reason: err.Error()})
			continue
		}
		if j, dup := seen[item.Article.ID]; dup {
			res.Skipped = append(res.Skipped, Skipped{Index: i, Title: item.Article.Title,
				Reason: fmt.Sprintf("same identity as entry %d (%s); the first is kept", j+1, item.Key)})
			continue
		}
		seen[item.Article.ID] = i
		res.Items = append(res.Items, item)
	}
	return res, nil
}

func convert(it *gofeed.Item, feed string, base *url.URL) (Item, error) {
	body := cmp.Or(strings.TrimSpace(it.Content), strings.TrimSpace(it.Description))
	paras := HTMLParagraphs(body)
	title := HTMLText(it.Title)
	if len(paras) == 0 {
		if title == "" {
			return Item{}, fmt.Errorf("entry has neither title nor text")
		}
		// a headline-only item (a wire flash) is still news
		paras = []briefings.Paragraph{{Text: title}}
	}
	link := CanonicalURL(it.Link, base)
	if link == "" {
		for _, l := range it.Links {
			if link = CanonicalURL(l, base); link != "" {
				break
			}
		}
	}
	var date briefings.Date
	if t, ok := itemTime(it); ok {
		date = dateOf(t)
	}
	var authors []string
	for _, p := range it.Authors {
		if p != nil && strings.TrimSpace(p.Name) != "" {
			authors = append(authors, strings.TrimSpace(p.Name))
		}
	}
	if len(authors) == 0 && it.DublinCoreExt != nil {
		authors = append(authors, it.DublinCoreExt.Creator...)
	}
	a, err := briefings.NewArticle(briefings.ArticleMeta{
		Title: title, Date: date, URL: link, Publisher: feed, Author: strings.Join(authors, ", "),
	}, paras, false)
	if err != nil {
		return Item{}, err
	}
	key := IdentityKey(feed, it.GUID, link, a.Hash)
	a.ID = IDFor(key)
	a.Source = SourcePrefix(feed) + cmp.Or(link, strings.TrimSpace(it.GUID), string(a.ID))
	return Item{Article: a, Key: key}, nil
}

// itemTime is when the item was published (else updated), in the zone
// the feed wrote it in.
func itemTime(it *gofeed.Item) (time.Time, bool) {
	for _, raw := range []string{it.Published, it.Updated} {
		if t, ok := parseFeedDate(raw); ok {
			return t, true
		}
	}
	if it.DublinCoreExt != nil && len(it.DublinCoreExt.Date) > 0 {
		if t, ok := parseFeedDate(it.DublinCoreExt.Date[0]); ok {
			return t, true
		}
	}
	// a form only gofeed knows: its time is UTC
	if t := cmp.Or(it.PublishedParsed, it.UpdatedParsed); t != nil {
		return *t, true
	}
	return time.Time{}, false
}

// dateOf is t's calendar day in t's own time zone: an item published at
// 00:30 +01:00 is of that day, not of the day before in UTC.
func dateOf(t time.Time) briefings.Date {
	return briefings.Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}
}

// SourcePrefix is how the Source of every article from the named feed
// begins: "feed NOS: " followed by the item's link.
func SourcePrefix(feed string) string { return "feed " + feed + ": " }
