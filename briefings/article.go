// Package briefings turns a newsroom's articles into answers, search results
// and digests. It knows no chat platform: the bot core (package bot) calls it,
// and the adapters render what it returns.
//
// Data flow: parse (ParseFile, LoadDir, LoadFS) -> Article -> Library (index) ->
// Answer / Search / Digest.
package briefings

import "github.com/briefbot/briefbot/briefings/article"

// The article types live in package article, which answering shares; the
// names here keep the package's long-standing API.
type (
	// ArticleID identifies an article.
	ArticleID = article.ID
	// Date is a possibly partial publication date.
	Date = article.Date
	// Paragraph is one block of an article's body.
	Paragraph = article.Paragraph
	// Sentence is one sentence of an article's body.
	Sentence = article.Sentence
	// Article is one normalised news article.
	Article = article.Article
	// Copy is a near-identical article folded into another.
	Copy = article.Copy
)

// ParseDate parses "YYYY-MM" or "YYYY-MM-DD"; see article.ParseDate.
func ParseDate(s string) (Date, error) { return article.ParseDate(s) }

// copyOf describes a as a folded copy.
func copyOf(a *Article) Copy {
	return Copy{ID: a.ID, Source: a.Source, Publisher: a.Publisher, Title: a.Title, Date: a.Date, URL: a.URL}
}
