package briefings

import "time"

// Citation points at the sentence of an article that supports an answer or
// a search hit.
type Citation struct {
	Article ArticleID `json:"article"`
	Source  string    `json:"source"`
	Title   string    `json:"title"`
	Date    Date      `json:"date"`
	Quote   string    `json:"quote"`
	URL     string    `json:"url,omitempty"` // the article's web address, when known
}

// Answer is the outcome of Library.Answer. When Answered is false the
// articles do not answer the question: Text is empty and SeeAlso lists the
// closest articles. The engine never guesses.
type Answer struct {
	Question   string     `json:"question"`
	Text       string     `json:"answer"`
	Answered   bool       `json:"answered"`
	Confidence float64    `json:"confidence"` // 0..1, calibrated against AskOptions.MinConfidence
	Citations  []Citation `json:"citations"`
	SeeAlso    []Citation `json:"see_also,omitempty"`
	// Reader names what produced the answer (or the abstention):
	// ReaderBuiltin, or ReaderLLM for a language model's answer that was
	// verified against the cited article (see package llmreader).
	Reader string `json:"reader"`
}

// Readers that produce answers.
const (
	// ReaderBuiltin is the library's own extractor and ranker.
	ReaderBuiltin = "builtin"
	// ReaderLLM is a language model reading the passages the library
	// retrieved; its answers are verified before anyone sees them.
	ReaderLLM = "llm"
)

// AskOptions tune one question.
type AskOptions struct {
	// Article, when set, restricts the search to one article: follow-up
	// questions ("and when?") are asked against the previous answer's article.
	Article ArticleID
	// MinConfidence overrides the library's abstention threshold when > 0.
	MinConfidence float64
	// Asker identifies who asks ("slack:U123"), for readers that limit
	// each user's requests (a language model's); the library ignores it.
	// Empty: unknown.
	Asker string
}

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
