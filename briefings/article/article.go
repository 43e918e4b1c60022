// Package article holds a newsroom article as briefbot reads it: its
// identity, date, paragraphs and sentences. Parsing and indexing live in
// package briefings; answering (package answer) reads articles through it.
package article

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ID identifies an article. For files it is the file name stem
// ("004_496c433a0061d38d"); for JSON records it is the record's id field.
type ID string

// Date is a possibly partial publication date as the articles give it: a year
// and month, or a full day. The zero Date means "undated"; an undated article
// is never given today's date.
type Date struct {
	Year  int
	Month int // 1-12
	Day   int // 0 when only the month is known
}

// IsZero reports whether the date is unknown.
func (d Date) IsZero() bool { return d.Year == 0 }

// String renders the date as "YYYY-MM", "YYYY-MM-DD" or "" when unknown.
func (d Date) String() string {
	switch {
	case d.IsZero():
		return ""
	case d.Day == 0:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	default:
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
}

// Start is the first instant of the date in loc (the first of the month when
// only the month is known). It panics on no input; callers check IsZero.
func (d Date) Start(loc *time.Location) time.Time {
	day := d.Day
	if day == 0 {
		day = 1
	}
	return time.Date(d.Year, time.Month(d.Month), day, 0, 0, 0, 0, loc)
}

// End is the last instant of the date in loc: the end of the day, or of the
// month when only the month is known.
func (d Date) End(loc *time.Location) time.Time {
	if d.Day == 0 {
		return d.Start(loc).AddDate(0, 1, 0).Add(-time.Nanosecond)
	}
	return d.Start(loc).AddDate(0, 0, 1).Add(-time.Nanosecond)
}

// Before reports whether d sorts before e (undated sorts first).
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// ParseDate parses "YYYY-MM" or "YYYY-MM-DD" (and RFC 3339 timestamps, of
// which only the day is kept). The empty string is the zero Date.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}, nil
	}
	parts := strings.Split(s, "-")
	if len(parts) < 2 || len(parts) > 3 || len(parts[0]) != 4 {
		return Date{}, fmt.Errorf("date %q is not YYYY-MM or YYYY-MM-DD", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || (i > 0 && len(p) != 2) {
			return Date{}, fmt.Errorf("date %q is not YYYY-MM or YYYY-MM-DD", s)
		}
		n[i] = v
	}
	d := Date{Year: n[0], Month: n[1], Day: n[2]}
	if d.Month < 1 || d.Month > 12 {
		return Date{}, fmt.Errorf("date %q has no month %d", s, d.Month)
	}
	if len(parts) == 3 {
		if t := d.Start(time.UTC); d.Day < 1 || t.Day() != d.Day {
			return Date{}, fmt.Errorf("date %q has no day %d", s, d.Day)
		}
	}
	return d, nil
}

// MarshalText renders the date as String does, so JSON carries "2020-10".
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses what MarshalText wrote.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Paragraph is one block of an article's body.
type Paragraph struct {
	Text    string `json:"text"`
	Heading bool   `json:"heading,omitempty"` // a short line inside the body: a subheading
}

// Sentence is one sentence of an article's body, in reading order.
type Sentence struct {
	Text      string `json:"text"`
	Paragraph int    `json:"paragraph"` // index into Article.Paragraphs
}

// Article is one normalised news article. Its fields are filled by the
// parsers; a Library treats Articles as immutable values.
type Article struct {
	ID         ID          `json:"id"`
	Source     string      `json:"source"`              // file name as loaded, "004_….txt"; for JSONL "file.jsonl#id"
	Title      string      `json:"title"`               // given, or derived from the first sentence
	Date       Date        `json:"date"`                // zero when the article carries no date
	URL        string      `json:"url,omitempty"`       // canonical link, when known
	Publisher  string      `json:"publisher,omitempty"` // the outlet ("source" in front matter and JSON input)
	Author     string      `json:"author,omitempty"`    // the byline, when a feed gives one
	Paragraphs []Paragraph `json:"paragraphs"`
	Sentences  []Sentence  `json:"-"`
	// Added is when this article was first loaded; digests use it for undated
	// articles. The zero value means "not yet stored".
	Added time.Time `json:"added"`
	// Hash fingerprints the normalised body, to detect changed files and
	// near-identical copies.
	Hash string `json:"-"`
	// AlsoIn lists the near-identical copies folded into this article (the
	// same story from another feed or file), in the order they were folded.
	AlsoIn []Copy `json:"also_in,omitempty"`
	// TopicHints are digest topics the article's source is about (a feed
	// configured with a topic). A hinted article belongs to such a topic
	// on any positive evidence; see Classifier.Match.
	TopicHints []string `json:"topic_hints,omitempty"`
}

// Copy is a near-identical article folded into another: where else the
// story appeared.
type Copy struct {
	ID        ID     `json:"id"`
	Source    string `json:"source"`
	Publisher string `json:"publisher,omitempty"`
	Title     string `json:"title"`
	Date      Date   `json:"date"`
	URL       string `json:"url,omitempty"`
}

// Body joins the paragraphs with blank lines.
func (a *Article) Body() string {
	var b strings.Builder
	for i, p := range a.Paragraphs {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(p.Text)
	}
	return b.String()
}
