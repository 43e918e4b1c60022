package answer

import "github.com/briefbot/briefbot/briefings/analysis"

// SearchHit is an article found for a search query: its number in the
// Corpus, its retrieval score and its best sentence with the matched words
// marked with **.
type SearchHit struct {
	Doc     int
	Score   float64
	Snippet string
}

// Search ranks s's articles for a free-text query (English or Dutch) and
// returns at most limit (<= 0: 10) with a snippet each.
func (l *Librarian) Search(s Corpus, query string, limit int) ([]SearchHit, error) {
	if limit <= 0 {
		limit = 10
	}
	words := analysis.Words(query)
	if len(words) == 0 {
		return nil, ErrEmptyQuery
	}
	q := question{Text: query, Lang: detectLang(words), counted: -1, slotLeft: -1, slotRight: -1}
	q.Groups = l.buildGroups(words, make([]bool, len(words)), q.Lang, s)
	if q.Lang == "nl" && len(q.Groups) > 0 {
		// a query may mix languages: add English translations of unmatched words
		en := l.buildGroups(words, make([]bool, len(words)), "en", s)
		for i := range q.Groups {
			if len(q.Groups[i].Terms) == 0 && i < len(en) {
				q.Groups[i] = en[i]
			}
		}
	}
	top := s.TopArticles(q.Groups, limit)
	out := make([]SearchHit, 0, len(top))
	for _, d := range top {
		a := s.Article(int(d.Doc))
		// the snippet is the sentence matching the most query concepts
		// (by the index's term ids; earlier wins ties), marked up
		best, bestN := -1, -1
		lo, hi := s.SentRange(int(d.Doc))
		for g := lo; g < hi; g++ {
			terms, n := s.SentenceTerms(g), 0
			for _, grp := range q.Groups {
				if sharesTerm(terms, grp.Terms) {
					n++
				}
			}
			if n > bestN {
				best, bestN = g-lo, n
			}
		}
		snippet := ""
		if best >= 0 {
			text := a.Sentences[best].Text
			snippet = markMatches(text, l.annotate(&q, text))
		}
		out = append(out, SearchHit{Doc: int(d.Doc), Score: d.Score, Snippet: snippet})
	}
	return out, nil
}
