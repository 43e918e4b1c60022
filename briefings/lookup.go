package briefings

import "strings"

// ArticleGetter is what LookupArticle needs: *Library, or anything that
// gets an article by its exact ID.
type ArticleGetter interface {
	Article(id ArticleID) (Article, bool)
}

// LookupArticle finds the article a reader means by ref: its ID, or its
// source as search results and citations show it (the file name with its
// extension, "feed.jsonl#3" for a record). The exact ID wins; IDs made
// unique from a duplicate (the source, extension included) and record IDs
// with a dot ("ap.123") are found as they are. A source finds the article
// whose ID it gives only when that article was loaded from that source.
// Surrounding white space is ignored. The command line's article command
// and the chat's use it, so both find the same articles.
func LookupArticle(lib ArticleGetter, ref string) (Article, bool) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return Article{}, false
	}
	if a, ok := lib.Article(ArticleID(ref)); ok {
		return a, true
	}
	for _, id := range sourceIDs(ref) {
		if a, ok := lib.Article(id); ok && a.Source == ref {
			return a, true
		}
	}
	return Article{}, false
}

// sourceIDs are the IDs an article loaded from source would have, as
// ParseFile gives them: the base name without its extension, and for a
// record "file.jsonl#x" its own id x or "file#x".
func sourceIDs(source string) []ArticleID {
	if file, rec, ok := strings.Cut(source, "#"); ok {
		if rec == "" || !supportedExt(file) {
			return nil
		}
		return []ArticleID{ArticleID(rec), ArticleID(stem(file) + "#" + rec)}
	}
	if !supportedExt(source) || strings.HasSuffix(source, "/") {
		return nil
	}
	return []ArticleID{ArticleID(stem(source))}
}
