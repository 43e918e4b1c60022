package answer

import (
	"cmp"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/briefings/article"
)

// newTestLibrarian is a Librarian with the hand-written lexicon only, so
// results do not depend on whether the machine has FreeDict installed.
func newTestLibrarian(t testing.TB) *Librarian {
	t.Helper()
	lex, err := LoadLexicon(nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := New(Options{Lexicon: lex, Stemmer: analysis.NewBuiltin()})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// sentenceEnd splits the test articles' paragraphs into sentences, roughly:
// the tests here need their words and sentence order, not the parser's
// exact sentences (package briefings tests those).
var sentenceEnd = regexp.MustCompile(`[.!?]["”']?\s+`)

// testArticles reads the sample articles and those of the qa test sets as
// plain paragraphs and sentences.
func testArticles(t testing.TB) []*article.Article {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "sample", "*.txt"))
	more, _ := filepath.Glob(filepath.Join("..", "testdata", "qa*", "articles", "*.txt"))
	var out []*article.Article
	for _, name := range append(files, more...) {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		a := &article.Article{ID: article.ID(filepath.Base(name)), Source: filepath.Base(name)}
		for _, para := range strings.Split(string(b), "\n") {
			para = strings.TrimSpace(para)
			if para == "" {
				continue
			}
			if a.Title == "" {
				a.Title = para
			}
			a.Paragraphs = append(a.Paragraphs, article.Paragraph{Text: para})
			rest := para
			for rest != "" {
				end := len(rest)
				if loc := sentenceEnd.FindStringIndex(rest); loc != nil {
					end = loc[1]
				}
				a.Sentences = append(a.Sentences, article.Sentence{Text: strings.TrimSpace(rest[:end]), Paragraph: len(a.Paragraphs) - 1})
				rest = rest[end:]
			}
		}
		out = append(out, a)
	}
	if len(out) < 20 {
		t.Fatalf("only %d test articles", len(out))
	}
	return out
}

// testCorpus is a small in-memory Corpus for the tests of this package: a
// term per stem, idf over sentences and articles, and articles ranked by
// the idf of the groups they contain. Package briefings's index is the
// real one; its tests answer through it end to end.
type testCorpus struct {
	arts   []*article.Article
	ids    map[string]uint32
	sents  [][]uint32 // global sentence -> term ids
	first  []int      // article -> its first global sentence
	df     map[uint32]int
	artsOf map[uint32][]int // term -> articles containing it
}

func newTestCorpus(an *analysis.Builtin, arts []*article.Article) *testCorpus {
	c := &testCorpus{arts: arts, ids: map[string]uint32{}, df: map[uint32]int{}, artsOf: map[uint32][]int{}}
	id := func(stem string) uint32 {
		v, ok := c.ids[stem]
		if !ok {
			v = uint32(len(c.ids))
			c.ids[stem] = v
		}
		return v
	}
	for d, a := range arts {
		c.first = append(c.first, len(c.sents))
		seen := map[uint32]bool{}
		for _, st := range an.Terms(a.Title) {
			seen[id(st)] = true
		}
		for _, s := range a.Sentences {
			var terms []uint32
			for _, st := range an.Terms(s.Text) {
				t := id(st)
				if !slices.Contains(terms, t) {
					terms = append(terms, t)
					c.df[t]++
				}
				seen[t] = true
			}
			c.sents = append(c.sents, terms)
		}
		for t := range seen {
			c.artsOf[t] = append(c.artsOf[t], d)
		}
	}
	return c
}

func (c *testCorpus) idf(df, n int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

func (c *testCorpus) Lookup(stem string) (uint32, bool) { v, ok := c.ids[stem]; return v, ok }

func (c *testCorpus) Resolve(g *TermGroup) {
	g.Terms = g.Terms[:0]
	df, sdf := 0, 0
	for _, s := range g.Stems {
		if id, ok := c.ids[s]; ok && !slices.Contains(g.Terms, id) {
			g.Terms = append(g.Terms, id)
			df += len(c.artsOf[id])
			sdf += c.df[id]
		}
	}
	g.ArtIDF = c.idf(min(df, len(c.arts)), len(c.arts))
	g.SentIDF = c.idf(min(sdf, len(c.sents)), len(c.sents))
}

func (c *testCorpus) TopArticles(groups []TermGroup, k int) []DocScore {
	score := map[int]float64{}
	for _, g := range groups {
		in := map[int]bool{}
		for _, t := range g.Terms {
			for _, d := range c.artsOf[t] {
				in[d] = true
			}
		}
		for d := range in {
			score[d] += g.ArtIDF * g.Weight
		}
	}
	var out []DocScore
	for d, s := range score {
		out = append(out, DocScore{Doc: uint32(d), Score: s})
	}
	slices.SortFunc(out, func(a, b DocScore) int { return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Doc, b.Doc)) })
	return out[:min(k, len(out))]
}

func (c *testCorpus) SentRange(doc int) (lo, hi int) {
	return c.first[doc], c.first[doc] + len(c.arts[doc].Sentences)
}
func (c *testCorpus) SentenceTerms(g int) []uint32     { return c.sents[g] }
func (c *testCorpus) SentenceIDF(df int) float64       { return c.idf(df, len(c.sents)) }
func (c *testCorpus) Article(doc int) *article.Article { return c.arts[doc] }
func (c *testCorpus) Len() int                         { return len(c.arts) }
func (c *testCorpus) Find(id article.ID) (int, bool) {
	i := slices.IndexFunc(c.arts, func(a *article.Article) bool { return a.ID == id })
	return i, i >= 0
}

// sentenceArticle is a test article of one-sentence paragraphs.
func sentenceArticle(id, title string, sentences ...string) *article.Article {
	a := &article.Article{ID: article.ID(id), Source: id, Title: title}
	for _, s := range sentences {
		a.Paragraphs = append(a.Paragraphs, article.Paragraph{Text: s})
		a.Sentences = append(a.Sentences, article.Sentence{Text: s, Paragraph: len(a.Paragraphs) - 1})
	}
	return a
}
