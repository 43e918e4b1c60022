package briefings

import "time"

// SearchResult is one ranked article for a search query.
type SearchResult struct {
	Article ArticleID `json:"article"`
	Source  string    `json:"source"`
	Title   string    `json:"title"`
	Date    Date      `json:"date"`
	Score   float64   `json:"score"`
	Snippet string    `json:"snippet"` // best sentence, matched words marked with **
	URL     string    `json:"url,omitempty"`
}

// Topic is a subject a desk follows, such as the built-in "interference".
type Topic struct {
	Name        string   `yaml:"name" json:"name"`
	Description string   `yaml:"description" json:"description"`
	Terms       []string `yaml:"terms" json:"terms"`         // Dutch and English terms; phrases allowed
	Exclude     []string `yaml:"exclude" json:"exclude"`     // disqualify in the title, count against in the body
	MinScore    float64  `yaml:"min_score" json:"min_score"` // 0: the library's default
}

// DigestRequest selects a topic's articles for a period. Zero times leave
// that end open. Undated articles count by when they were Added, and are
// included only when Since is zero or they were added after Since.
type DigestRequest struct {
	Topic string
	Since time.Time
	Until time.Time
	Limit int // 0: no limit
	// ReceivedAfter, when set, keeps only articles the library received
	// (Added) after it. Scheduled digests set it to the previous digest's
	// time, so an article is posted in one digest only, even when its date
	// (a whole month, say) overlaps several periods. Articles that were
	// never stored (zero Added) are not filtered by it.
	ReceivedAfter time.Time
}

// DigestItem is one story in a digest.
type DigestItem struct {
	Article ArticleID   `json:"article"`
	Source  string      `json:"source"`
	Title   string      `json:"title"`
	Date    Date        `json:"date"`
	Summary string      `json:"summary"` // one sentence taken from the article
	Score   float64     `json:"score"`
	Matched []string    `json:"matched"`           // the topic terms that matched, for explanation
	Related []ArticleID `json:"related,omitempty"` // near-duplicate stories folded into this item
	URL     string      `json:"url,omitempty"`
	// AlsoIn is where else the story appeared: the article's folded
	// copies, then the Related stories (each with its own copies).
	AlsoIn []Copy `json:"also_in,omitempty"`
}

// Digest is a topic's news for a period, best first.
type Digest struct {
	Topic string       `json:"topic"`
	Since time.Time    `json:"-"`
	Until time.Time    `json:"-"`
	Items []DigestItem `json:"items"`
}
