package briefings

import (
	"container/heap"
	"context"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// BM25 parameters for article and sentence ranking.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
	// titleBoost counts each title term as this many body occurrences.
	titleBoost = 2
)

type posting struct {
	doc uint32
	tf  uint16
}

// index is an immutable inverted index over a snapshot of articles, at
// article level (BM25 ranking) and sentence level (term lists for answer
// selection). It is built once by buildIndex and then only read.
type index struct {
	dict    map[string]uint32 // stem -> term id
	artPost [][]posting       // term id -> postings, by doc
	sentDF  []uint32          // term id -> number of sentences containing it
	artLen  []float32         // doc -> number of indexed terms
	avgArt  float64

	sentStart []uint32 // doc -> first global sentence number; len(docs)+1
	sentOff   []uint32 // global sentence -> offset into sentTerms; len(sentences)+1
	sentTerms []uint32 // term ids of each sentence, in order
	avgSent   float64

	scratch sync.Pool // *scoreScratch sized for this index
}

// docTerms is one article's analysis before term ids are assigned.
type docTerms struct {
	title []string
	extra []string   // headings: count for the article, not for sentences
	sents [][]string // per sentence
}

func analyzeDoc(an *Analyzer, a *Article) docTerms {
	dt := docTerms{title: an.Terms(a.Title), sents: make([][]string, len(a.Sentences))}
	for _, p := range a.Paragraphs {
		if p.Heading {
			dt.extra = append(dt.extra, an.Terms(p.Text)...)
		}
	}
	for i, s := range a.Sentences {
		dt.sents[i] = an.Terms(s.Text)
	}
	return dt
}

// buildIndex indexes arts. Analysis runs on all cores; term ids are assigned
// in article order by one goroutine, so the result does not depend on
// scheduling.
//
// It returns ctx.Err() when ctx has ended, before it starts or while it runs
// (checked for every chunk of articles, on the analysing goroutines and on
// the one assigning ids).
func buildIndex(ctx context.Context, an *Analyzer, arts []*Article) (*index, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	nsent := 0
	for _, a := range arts {
		nsent += len(a.Sentences)
	}
	ix := &index{
		dict:      make(map[string]uint32, 1<<12),
		artLen:    make([]float32, len(arts)),
		sentStart: make([]uint32, len(arts)+1),
		sentOff:   make([]uint32, 1, nsent+1),
		// about a dozen content words a sentence; append grows it if not
		sentTerms: make([]uint32, 0, nsent*12),
	}
	const chunk = 256
	nChunks := (len(arts) + chunk - 1) / chunk
	results := make([]chan []docTerms, nChunks)
	for i := range results {
		results[i] = make(chan []docTerms, 1)
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	// tokens bound how far analysis may run ahead of id assignment.
	tokens := make(chan struct{}, 2*workers)
	var next atomic.Int64
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case tokens <- struct{}{}:
				case <-ctx.Done():
					return
				}
				if ctx.Err() != nil {
					return // select picks at random when both are ready
				}
				c := int(next.Add(1) - 1)
				if c >= nChunks {
					<-tokens
					return
				}
				lo, hi := c*chunk, min((c+1)*chunk, len(arts))
				out := make([]docTerms, 0, hi-lo)
				for _, a := range arts[lo:hi] {
					out = append(out, analyzeDoc(an, a))
				}
				results[c] <- out
			}
		}()
	}
	defer wg.Wait()

	var totalArt, totalSent float64
	var ids []uint32
	doc := 0
	for c := range nChunks {
		if err := ctx.Err(); err != nil {
			return nil, err // select below picks at random when both are ready
		}
		var batch []docTerms
		select {
		case batch = <-results[c]:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		<-tokens
		for _, dt := range batch {
			ids = ids[:0]
			for range titleBoost {
				for _, t := range dt.title {
					ids = append(ids, ix.termID(t))
				}
			}
			for _, t := range dt.extra {
				ids = append(ids, ix.termID(t))
			}
			ix.sentStart[doc] = uint32(len(ix.sentOff) - 1)
			for _, s := range dt.sents {
				start := len(ix.sentTerms)
				for _, t := range s {
					id := ix.termID(t)
					ix.sentTerms = append(ix.sentTerms, id)
					ids = append(ids, id)
				}
				ix.sentOff = append(ix.sentOff, uint32(len(ix.sentTerms)))
				totalSent += float64(len(s))
				// sentence document frequency: count each term once
				for i, id := range ix.sentTerms[start:] {
					if !slices.Contains(ix.sentTerms[start:start+i], id) {
						ix.sentDF[id]++
					}
				}
			}
			ix.artLen[doc] = float32(len(ids))
			totalArt += float64(len(ids))
			slices.Sort(ids)
			for i := 0; i < len(ids); {
				j := i + 1
				for j < len(ids) && ids[j] == ids[i] {
					j++
				}
				ix.artPost[ids[i]] = append(ix.artPost[ids[i]], posting{doc: uint32(doc), tf: uint16(min(j-i, math.MaxUint16))})
				i = j
			}
			doc++
		}
	}
	ix.sentStart[len(arts)] = uint32(len(ix.sentOff) - 1)
	if len(arts) > 0 {
		ix.avgArt = totalArt / float64(len(arts))
	}
	if n := len(ix.sentOff) - 1; n > 0 {
		ix.avgSent = totalSent / float64(n)
	}
	ndocs := len(arts)
	ix.scratch.New = func() any {
		return &scoreScratch{acc: make([]float32, ndocs), best: make([]float32, ndocs), stamp: make([]uint32, ndocs)}
	}
	return ix, nil
}

func (ix *index) termID(t string) uint32 {
	if id, ok := ix.dict[t]; ok {
		return id
	}
	id := uint32(len(ix.artPost))
	ix.dict[t] = id
	ix.artPost = append(ix.artPost, nil)
	ix.sentDF = append(ix.sentDF, 0)
	return id
}

func (ix *index) docs() int { return len(ix.artLen) }

func (ix *index) sentences() int { return len(ix.sentOff) - 1 }

// sentenceTerms returns the term ids of global sentence g.
func (ix *index) sentenceTerms(g int) []uint32 { return ix.sentTerms[ix.sentOff[g]:ix.sentOff[g+1]] }

// idf is BM25's inverse document frequency for df of n.
func idf(df, n int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// termGroup is one query concept: the stems of all its translations and
// inflections, scored as a single term.
type termGroup struct {
	Label string   // the query word(s) as written
	Stems []string // member stems (present in the index or not)
	// Forms are the exact folded words the lexicon gave; a short stem
	// ("zeg" from "zege") matches a sentence word only through them.
	Forms  map[string]bool
	Own    string   // the stem of the question's own word
	Pos    int      // index of the group's first word in the question
	terms  []uint32 // member term ids present in the index
	Weight float64  // importance multiplier (names and predicates weigh more)
	Name   bool     // a proper name: must be matched for an answer
	// Untranslated is an English word the lexicon lacks: its absence from
	// the articles says little, so it weighs less.
	Untranslated bool
	Verb         bool // the question's predicate
	Number       bool // a number or year in the query
	Speech       bool // a verb of saying ("called", "zei"): attribution matches it
	artIDF       float64
	snIDF        float64
}

// hasAny reports whether any of the stems is in the index.
func (ix *index) hasAny(stems []string) bool {
	for _, st := range stems {
		if _, ok := ix.dict[st]; ok {
			return true
		}
	}
	return false
}

// resolve fills the group's term ids and idf values from ix.
func (ix *index) resolve(g *termGroup) {
	g.terms = g.terms[:0]
	var df, sdf int
	for _, s := range g.Stems {
		if id, ok := ix.dict[s]; ok && !slices.Contains(g.terms, id) {
			g.terms = append(g.terms, id)
			df += len(ix.artPost[id])
			sdf += int(ix.sentDF[id])
		}
	}
	n := ix.docs()
	g.artIDF = idf(min(df, n), n)
	g.snIDF = idf(min(sdf, ix.sentences()), ix.sentences())
}

type scoreScratch struct {
	acc   []float32
	best  []float32
	stamp []uint32
	gen   uint32
	touch []uint32
}

type docScore struct {
	doc   uint32
	score float64
}

type docHeap []docScore

func (h docHeap) Len() int { return len(h) }
func (h docHeap) Less(i, j int) bool {
	return h[i].score < h[j].score || (h[i].score == h[j].score && h[i].doc > h[j].doc)
}
func (h docHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *docHeap) Push(x any)   { *h = append(*h, x.(docScore)) }
func (h *docHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// topArticles ranks articles by BM25 over the groups (each group scored as
// one term: its best member per article) and returns the k best, best first.
// filter, when not nil, keeps only the docs it accepts.
func (ix *index) topArticles(groups []termGroup, k int, filter func(doc uint32) bool) []docScore {
	if ix.docs() == 0 || k <= 0 {
		return nil
	}
	sc := ix.scratch.Get().(*scoreScratch)
	defer ix.scratch.Put(sc)
	for _, g := range groups {
		if len(g.terms) == 0 {
			continue
		}
		sc.gen++
		if sc.gen == 0 { // wrapped: clear stamps once every 2^32 groups
			clear(sc.stamp)
			sc.gen = 1
		}
		w := g.artIDF * g.Weight
		for _, id := range g.terms {
			for _, p := range ix.artPost[id] {
				tf := float64(p.tf)
				norm := bm25K1 * (1 - bm25B + bm25B*float64(ix.artLen[p.doc])/ix.avgArt)
				s := float32(w * tf * (bm25K1 + 1) / (tf + norm))
				switch {
				case sc.stamp[p.doc] != sc.gen:
					sc.stamp[p.doc] = sc.gen
					sc.best[p.doc] = s
					if sc.acc[p.doc] == 0 {
						sc.touch = append(sc.touch, p.doc)
					}
					sc.acc[p.doc] += s
				case s > sc.best[p.doc]:
					sc.acc[p.doc] += s - sc.best[p.doc]
					sc.best[p.doc] = s
				}
			}
		}
	}
	h := make(docHeap, 0, k+1)
	for _, d := range sc.touch {
		s := float64(sc.acc[d])
		sc.acc[d] = 0
		if filter != nil && !filter(d) {
			continue
		}
		if len(h) < k {
			heap.Push(&h, docScore{d, s})
		} else if s > h[0].score || (s == h[0].score && d < h[0].doc) {
			h[0] = docScore{d, s}
			heap.Fix(&h, 0)
		}
	}
	sc.touch = sc.touch[:0]
	out := make([]docScore, len(h))
	for i := len(h) - 1; i >= 0; i-- {
		out[i] = heap.Pop(&h).(docScore)
	}
	return out
}
