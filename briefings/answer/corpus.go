// Package answer answers questions from articles: it analyses the question
// (English or Dutch), finds candidate answers in the sentences an index
// retrieves, ranks them with a learned model and says how likely the best
// is to be right, abstaining below a threshold. It reads the articles
// through a Corpus (package briefings serves its index as one) and
// analyses words with package analysis: the built-in analysis always, Frog
// when one is configured.
package answer

import "github.com/briefbot/briefbot/briefings/article"

// Corpus is an indexed set of articles as answering reads it: articles
// are numbered 0..Len()-1 and their sentences numbered globally, in article
// order. Implementations are safe for concurrent use and do not change
// while a question is answered.
type Corpus interface {
	// Lookup returns the term id of an index stem.
	Lookup(stem string) (uint32, bool)
	// Resolve fills g's Terms, ArtIDF and SentIDF from the index.
	Resolve(g *TermGroup)
	// TopArticles ranks the articles for the groups (BM25), best first, at
	// most k.
	TopArticles(groups []TermGroup, k int) []DocScore
	// SentRange is the range of global sentence numbers of article doc.
	SentRange(doc int) (lo, hi int)
	// SentenceTerms are the term ids of global sentence g.
	SentenceTerms(g int) []uint32
	// SentenceIDF is the sentence-level idf of a term in df sentences.
	SentenceIDF(df int) float64
	// Article returns article doc; it is not to be modified.
	Article(doc int) *article.Article
	// Find returns the number of the article with the given ID.
	Find(id article.ID) (int, bool)
	// Len is the number of articles.
	Len() int
}

// DocScore is an article and its retrieval score.
type DocScore struct {
	Doc   uint32
	Score float64
}

// TermGroup is one query concept: the stems of all its translations and
// inflections, scored as a single term.
type TermGroup struct {
	Label string   // the query word(s) as written
	Stems []string // member stems (present in the index or not)
	// Forms are the exact folded words the lexicon gave; a short stem
	// ("zeg" from "zege") matches a sentence word only through them.
	Forms map[string]bool
	Own   string // the stem of the question's own word
	// Synonyms are the stems of a Dutch question word's synonyms (its
	// lexicon lines' other words). They join Stems, as Soft ones, only
	// when the best article lacks the word itself: the writer of the
	// question used another word than the article ("kwam erachter" for
	// "ontdekte"), and a word the article does use keeps its one sense.
	Synonyms []string
	// Heads are the stems of the heads of the Dutch compounds among the
	// group's words ("aanval" of "cyberaanval"): a sentence word with the
	// same head is a kind of the same thing ("DDoS-aanval") and meets the
	// group as a sibling (siblingMatch).
	Heads []string
	// Soft are stems that meet a sentence word less surely (softMatch).
	Soft map[string]bool
	// Exact: a sentence word meets the group only as one of Forms
	Exact bool
	// Split maps the finite verb of a separable verb written apart to its
	// particle ("gaf" -> "uit"): the verb matches only with the particle
	// after it in the sentence.
	Split  map[string]string
	Pos    int      // index of the group's first word in the question
	Terms  []uint32 // member term ids present in the index (Corpus.Resolve)
	Weight float64  // importance multiplier (names and predicates weigh more)
	Name   bool     // a proper name: must be matched for an answer
	// Untranslated is an English word the lexicon lacks: its absence from
	// the articles says little, so it weighs less.
	Untranslated bool
	Verb         bool    // the question's predicate
	Number       bool    // a number or year in the query
	Speech       bool    // a verb of saying ("called", "zei"): attribution matches it
	ArtIDF       float64 // article-level idf of the group (Corpus.Resolve)
	SentIDF      float64 // sentence-level idf (Corpus.Resolve)
}

// hasAny reports whether any of the stems is in the corpus's index.
func hasAny(c Corpus, stems []string) bool {
	for _, st := range stems {
		if _, ok := c.Lookup(st); ok {
			return true
		}
	}
	return false
}
