package briefings

import (
	"context"
	"log/slog"
)

// ArticleMeta is what a source says about an article besides its body, for
// NewArticle.
type ArticleMeta struct {
	ID        ArticleID
	Source    string
	Title     string // "": derived from the body, as for files
	Date      Date
	URL       string
	Publisher string
	Author    string
}

// NewArticle builds an Article from a body whose paragraphs a source
// already separated (a feed item's HTML): texts and the title are
// normalised as the file formats' are, sentences split, a repeated copy of
// the body dropped, the title derived when meta has none, and Hash set.
// Paragraphs marked Heading stay headings; with autoHeadings the others
// get the subheading heuristic of plain text, without it they stay body
// paragraphs. An article without any text is an error.
func NewArticle(meta ArticleMeta, paras []Paragraph, autoHeadings bool) (Article, error) {
	raw := make([]rawPara, 0, len(paras))
	for _, p := range paras {
		kind := kindBody
		switch {
		case p.Heading:
			kind = kindHeading
		case autoHeadings:
			kind = kindAuto
		}
		raw = append(raw, rawPara{text: NormalizeText(p.Text), kind: kind})
	}
	a, err := buildArticle(articleMeta{
		ID: meta.ID, Source: meta.Source, Title: collapseSpaces(NormalizeText(meta.Title)),
		Date: meta.Date, URL: meta.URL, Publisher: collapseSpaces(NormalizeText(meta.Publisher)),
	}, raw)
	if err != nil {
		return Article{}, err
	}
	a.Author = collapseSpaces(NormalizeText(meta.Author))
	return a, nil
}

// FoldNearDuplicates keeps one article of each group of identical or
// near-identical articles, as LoadDir does within a directory: the first of
// each group in arts' order is kept (order arts earliest first to keep the
// earliest), and the returned map lists, per kept article, the sources of
// the copies folded into it. It returns ctx.Err() once ctx has ended.
func FoldNearDuplicates(ctx context.Context, arts []Article, logger *slog.Logger) ([]Article, map[ArticleID][]string, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return foldNearDuplicates(ctx, arts, logger)
}
