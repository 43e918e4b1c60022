package briefings

import (
	"github.com/briefbot/briefbot/briefings/answer"
	"github.com/briefbot/briefbot/briefings/article"
)

// corpus serves a snapshot to package answer.
type corpus struct{ s *snapshot }

var _ answer.Corpus = corpus{}

func (c corpus) Lookup(stem string) (uint32, bool) { return c.s.ix.lookup(stem) }
func (c corpus) Resolve(g *answer.TermGroup)       { c.s.ix.resolve(g) }
func (c corpus) SentRange(doc int) (lo, hi int)    { return c.s.ix.sentRange(doc) }
func (c corpus) SentenceTerms(g int) []uint32      { return c.s.ix.sentenceTerms(g) }
func (c corpus) SentenceIDF(df int) float64        { return idf(df, c.s.ix.sentences()) }
func (c corpus) Article(doc int) *article.Article  { return c.s.art(doc) }
func (c corpus) Find(id article.ID) (int, bool)    { return c.s.find(id) }
func (c corpus) Len() int                          { return c.s.len() }

func (c corpus) TopArticles(groups []answer.TermGroup, k int) []answer.DocScore {
	top := c.s.ix.topArticles(groups, k, nil)
	out := make([]answer.DocScore, len(top))
	for i, d := range top {
		out[i] = answer.DocScore{Doc: d.doc, Score: d.score}
	}
	return out
}
