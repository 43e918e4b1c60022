package briefings

import (
	"bufio"
	"cmp"
	"container/heap"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/briefings/answer"
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

// index is the read side of a segment, and of the delta that extends it
// when there is one: BM25 ranking at article level and the sentences' term
// lists for answer selection, all of it views into the segments' memory,
// plus what is cheap to derive at open (the length normalisations). Docs,
// sentences and term ids run on from the base into the delta. It is
// immutable.
type index struct {
	seg, delta *segment          // delta: nil when none
	nb, sb     int               // the base's docs and sentences
	vb         uint32            // the base's terms
	vocabN     int               // terms of base and delta
	dmap       map[uint32]uint32 // delta: global term id -> its local id
	dead       []uint64          // bit set of the base docs the delta removes; nil: none
	ndead      int

	avgArt float64
	// artNorm is BM25's length normalisation of each doc (bm25Norm), +Inf
	// for a removed one (which so scores 0), and maxImpact each term's
	// largest tf/(tf+norm) factor over its postings (rounded up): the
	// bound topArticles prunes with.
	artNorm   []float64
	maxNorm   float64
	maxImpact []float32

	sentStart []uint32 // base doc -> first sentence; nb+1
	sentOff   []uint32 // base sentence -> offset into sentTerms; sb+1
	sentTerms []uint32 // term ids of each sentence, in order
	sentDF    []uint32 // base term id -> number of sentences containing it
	avgSent   float64
	postOff   []uint64 // base term id -> its postings: post[postOff[id]:postOff[id+1]]
	post      []posting

	scratch sync.Pool // *scoreScratch sized for this index
}

// newIndex reads the index of seg, extended by delta when not nil (a
// delta segment of seg).
func newIndex(seg, delta *segment) *index {
	h := &seg.hdr
	ix := &index{
		seg: seg, delta: delta, nb: int(h.Docs), sb: int(h.Sents), vb: uint32(h.Terms), vocabN: int(h.Terms),
		avgArt: h.AvgArt, maxNorm: h.MaxNorm, maxImpact: seg.maxImpact,
		sentStart: seg.sentStart, sentOff: seg.sentOff, sentTerms: seg.sentTerms, sentDF: seg.sentDF,
		avgSent: h.AvgSent, postOff: seg.postOff, post: seg.post,
	}
	n := ix.nb
	if delta != nil {
		n += delta.docs()
	}
	ix.artNorm = make([]float64, n)
	for d, l := range seg.artLen {
		ix.artNorm[d] = bm25Norm(l, ix.avgArt)
	}
	if delta != nil {
		ix.dmap = make(map[uint32]uint32, len(delta.globalIDs))
		for local, g := range delta.globalIDs {
			ix.dmap[g] = uint32(local)
			if g >= ix.vb {
				ix.vocabN++
			}
		}
		for d, l := range delta.artLen {
			ix.artNorm[ix.nb+d] = bm25Norm(l, ix.avgArt)
		}
		if len(delta.dead) > 0 {
			ix.dead = make([]uint64, (ix.nb+63)/64)
			for _, d := range delta.dead {
				if int(d) < ix.nb && ix.dead[d/64]&(1<<(d%64)) == 0 {
					ix.dead[d/64] |= 1 << (d % 64)
					ix.artNorm[d] = math.Inf(1)
					ix.ndead++
				}
			}
		}
		ix.maxNorm = 0
		for _, v := range ix.artNorm {
			if !math.IsInf(v, 1) {
				ix.maxNorm = max(ix.maxNorm, v)
			}
		}
	}
	ix.scratch.New = func() any {
		return &scoreScratch{acc: make([]float32, n), bestOf: make([]float32, n), stamp: make([]uint32, n)}
	}
	return ix
}

// isDead reports whether doc is a base doc the delta removed.
func (ix *index) isDead(doc uint32) bool {
	return ix.dead != nil && int(doc) < ix.nb && ix.dead[doc/64]&(1<<(doc%64)) != 0
}

// postings returns term id's article postings, by doc: the base's, then
// the delta's (whose docs all come after the base's).
func (ix *index) postings(id uint32) (base, delta []posting) {
	if id < ix.vb {
		base = ix.post[ix.postOff[id]:ix.postOff[id+1]]
	}
	if ix.delta != nil {
		if l, ok := ix.dmap[id]; ok {
			delta = ix.delta.post[ix.delta.postOff[l]:ix.delta.postOff[l+1]]
		}
	}
	return base, delta
}

// lists appends term id's non-empty posting lists to dst.
func (ix *index) lists(dst [][]posting, id uint32) [][]posting {
	b, d := ix.postings(id)
	if len(b) > 0 {
		dst = append(dst, b)
	}
	if len(d) > 0 {
		dst = append(dst, d)
	}
	return dst
}

// df is the number of docs with term id (removed ones included).
func (ix *index) df(id uint32) int {
	b, d := ix.postings(id)
	return len(b) + len(d)
}

// sentenceDF is the number of sentences with term id.
func (ix *index) sentenceDF(id uint32) int {
	n := 0
	if id < ix.vb {
		n = int(ix.sentDF[id])
	}
	if ix.delta != nil {
		if l, ok := ix.dmap[id]; ok {
			n += int(ix.delta.sentDF[l])
		}
	}
	return n
}

// impact is term id's maxImpact over base and delta.
func (ix *index) impact(id uint32) float32 {
	var m float32
	if id < ix.vb {
		m = ix.maxImpact[id]
	}
	if ix.delta != nil {
		if l, ok := ix.dmap[id]; ok {
			m = max(m, ix.delta.maxImpact[l])
		}
	}
	return m
}

// lookup returns the term id of a stem.
func (ix *index) lookup(stem string) (uint32, bool) {
	if id, ok := ix.seg.term(stem); ok {
		return id, true
	}
	if ix.delta != nil {
		if l, ok := ix.delta.term(stem); ok {
			return ix.delta.globalIDs[l], true
		}
	}
	return 0, false
}

// vocab is the number of distinct terms.
func (ix *index) vocab() int { return ix.vocabN }

func (ix *index) docs() int { return len(ix.artNorm) }

// live is the number of docs not removed.
func (ix *index) live() int { return len(ix.artNorm) - ix.ndead }

func (ix *index) sentences() int {
	if ix.delta != nil {
		return ix.sb + int(ix.delta.hdr.Sents)
	}
	return ix.sb
}

// sentRange returns doc's sentences, [lo, hi).
func (ix *index) sentRange(doc int) (lo, hi int) {
	if doc < ix.nb {
		return int(ix.sentStart[doc]), int(ix.sentStart[doc+1])
	}
	d := doc - ix.nb
	return ix.sb + int(ix.delta.sentStart[d]), ix.sb + int(ix.delta.sentStart[d+1])
}

// sentenceTerms returns the term ids of sentence g.
func (ix *index) sentenceTerms(g int) []uint32 {
	if g < ix.sb {
		return ix.sentTerms[ix.sentOff[g]:ix.sentOff[g+1]]
	}
	g -= ix.sb
	return ix.delta.sentTerms[ix.delta.sentOff[g]:ix.delta.sentOff[g+1]]
}

// docTerms is one article's analysis before term ids are assigned: its
// distinct terms, with local numbers (first seen first) for the rest.
type docTerms struct {
	uniq     []string // distinct terms, in order of first occurrence
	tf       []uint32 // per distinct term: its count (the title's twice)
	sents    []uint32 // every sentence's terms, as local numbers
	sentEnd  []int    // sentence i is sents[sentEnd[i-1]:sentEnd[i]]
	sentUniq []uint32 // each sentence's distinct terms, local numbers
	uniqEnd  []int    // likewise for sentUniq
	terms    int      // the article's term count (artLen)
	nSents   int
	rec      []byte  // the encoded article
	hash     docHash // of rec
}

// docAnalyzer analyses articles for the index on one goroutine.
type docAnalyzer struct {
	terms func(dst []string, text string) []string
	local map[string]uint32
	buf   []string
	seen  []uint32 // local number -> the sentence (+1) it was last counted in
}

func newDocAnalyzer(an *analysis.Builtin) *docAnalyzer {
	return &docAnalyzer{
		terms: an.NewTermer().Terms,
		local: make(map[string]uint32, 256),
	}
}

func (da *docAnalyzer) id(dt *docTerms, t string) uint32 {
	if id, ok := da.local[t]; ok {
		return id
	}
	id := uint32(len(dt.uniq))
	da.local[t] = id
	dt.uniq = append(dt.uniq, t)
	dt.tf = append(dt.tf, 0)
	da.seen = append(da.seen, 0)
	return id
}

// analyze returns a's terms as buildSegment indexes them: the title's
// (counted twice) and the headings' for the article, and each sentence's.
func (da *docAnalyzer) analyze(a *Article) docTerms {
	var dt docTerms
	clear(da.local)
	da.seen = da.seen[:0]
	da.buf = da.terms(da.buf[:0], a.Title)
	for _, t := range da.buf {
		dt.tf[da.id(&dt, t)] += titleBoost
	}
	dt.terms += titleBoost * len(da.buf)
	for _, p := range a.Paragraphs {
		if p.Heading {
			da.buf = da.terms(da.buf[:0], p.Text)
			for _, t := range da.buf {
				dt.tf[da.id(&dt, t)]++
			}
			dt.terms += len(da.buf)
		}
	}
	dt.nSents = len(a.Sentences)
	dt.sentEnd = make([]int, 0, len(a.Sentences))
	dt.uniqEnd = make([]int, 0, len(a.Sentences))
	for si, s := range a.Sentences {
		da.buf = da.terms(da.buf[:0], s.Text)
		for _, t := range da.buf {
			id := da.id(&dt, t)
			dt.tf[id]++
			dt.sents = append(dt.sents, id)
			if da.seen[id] != uint32(si+1) {
				da.seen[id] = uint32(si + 1)
				dt.sentUniq = append(dt.sentUniq, id)
			}
		}
		dt.terms += len(da.buf)
		dt.sentEnd = append(dt.sentEnd, len(dt.sents))
		dt.uniqEnd = append(dt.uniqEnd, len(dt.sentUniq))
	}
	// the strings may be the memo's or the stem cache's: keep them, the
	// buffer is reused
	return dt
}

// maxSegmentTerms bounds the term occurrences of one segment (offsets are
// 32-bit): some 20 million articles of news length.
const maxSegmentTerms = math.MaxUint32

// segmentBuilder assigns term ids and gathers what the segment's sections
// hold, in doc order; records and sentence terms go to their files as
// they come, the postings wait, compressed, for the end.
type segmentBuilder struct {
	sf        *segmentFile
	side      *bufio.Writer // the sentences' term ids, copied in at the end
	sideN     uint64
	dict      map[string]uint32
	terms     []string   // term id -> stem
	lists     []postList // term id -> its postings so far
	sentDF    []uint32
	recOff    []uint64
	dates     []uint32
	added     []int64
	artLen    []float32
	sentStart []uint32
	sentOff   []uint32
	content   contentHash
	totalArt  float64
	totalSent float64
	ids       []uint32
	sentIDs   []uint32
	hashes    []docHash

	// a delta's: the base it extends, the base docs it removes, and the
	// global id of each of its terms (new ones from the base's count on)
	base     *segment
	dead     []uint32
	global   []uint32
	newTerms uint32
	docBase  uint32
}

// segmentOptions make buildSegment write a delta of base (see segHeader).
type segmentOptions struct {
	base *segment
	dead []uint32 // the base's docs removed or replaced, ascending
}

// postList is one term's postings while building: doc deltas and term
// frequencies as uvarints.
type postList struct {
	buf  []byte
	last uint32
	n    uint32
}

func (b *segmentBuilder) termID(t string) uint32 {
	if id, ok := b.dict[t]; ok {
		return id
	}
	id := uint32(len(b.terms))
	b.dict[t] = id
	b.terms = append(b.terms, t)
	b.lists = append(b.lists, postList{})
	b.sentDF = append(b.sentDF, 0)
	if b.base != nil {
		g, ok := b.base.term(t)
		if !ok {
			g = uint32(b.base.hdr.Terms) + b.newTerms
			b.newTerms++
		}
		b.global = append(b.global, g)
	}
	return id
}

// globalID is the id a term of this segment has in its sentences: its own
// in a base, the base's (or a new one after them) in a delta.
func (b *segmentBuilder) globalID(local uint32) uint32 {
	if b.base == nil {
		return local
	}
	return b.global[local]
}

// add appends one analysed article as the next doc.
func (b *segmentBuilder) add(a *Article, dt *docTerms) error {
	doc := b.docBase + uint32(len(b.artLen))
	b.content.add(dt.hash)
	b.hashes = append(b.hashes, dt.hash)
	b.sf.write(dt.rec)
	if b.sf.err != nil {
		return b.sf.err
	}
	b.recOff = append(b.recOff, b.recOff[len(b.recOff)-1]+uint64(len(dt.rec)))
	b.dates = append(b.dates, packDate(a.Date))
	b.added = append(b.added, addedNanos(a.Added))
	gid := b.ids[:0]
	for _, t := range dt.uniq {
		gid = append(gid, b.termID(t))
	}
	b.ids = gid
	b.sentStart = append(b.sentStart, uint32(len(b.sentOff)-1))
	from, ufrom := 0, 0
	for si := range dt.nSents {
		end, uend := dt.sentEnd[si], dt.uniqEnd[si]
		sent := b.sentIDs[:0]
		for _, l := range dt.sents[from:end] {
			sent = append(sent, b.globalID(gid[l]))
		}
		b.sentIDs = sent
		if b.sideN+uint64(len(sent)) > maxSegmentTerms {
			return fmt.Errorf("more than %d words to index: too many articles for one index", uint64(maxSegmentTerms))
		}
		if _, err := b.side.Write(asBytes(sent)); err != nil {
			return err
		}
		b.sideN += uint64(len(sent))
		b.sentOff = append(b.sentOff, uint32(b.sideN))
		b.totalSent += float64(len(sent))
		for _, l := range dt.sentUniq[ufrom:uend] {
			b.sentDF[gid[l]]++
		}
		from, ufrom = end, uend
	}
	b.artLen = append(b.artLen, float32(dt.terms))
	b.totalArt += float64(dt.terms)
	for l, id := range gid {
		pl := &b.lists[id]
		delta := doc
		if pl.n > 0 {
			delta = doc - pl.last
		}
		pl.buf = binary.AppendUvarint(pl.buf, uint64(delta))
		pl.buf = binary.AppendUvarint(pl.buf, uint64(min(dt.tf[l], math.MaxUint16)))
		pl.last, pl.n = doc, pl.n+1
	}
	return nil
}

// finish writes the sections after the records and the header.
func (b *segmentBuilder) finish(ctx context.Context, sideFile *os.File) error {
	sf := b.sf
	h := &sf.hdr
	ndocs := len(b.artLen)
	h.Docs, h.Sents, h.Terms, h.SentTerms = uint64(ndocs), uint64(len(b.sentOff)-1), uint64(len(b.terms)), b.sideN
	b.sentStart = append(b.sentStart, uint32(len(b.sentOff)-1))
	if ndocs > 0 {
		h.AvgArt = b.totalArt / float64(ndocs)
	}
	if n := len(b.sentOff) - 1; n > 0 {
		h.AvgSent = b.totalSent / float64(n)
	}
	h.Content = b.content.sum()
	if b.base != nil {
		bh := &b.base.hdr
		h.Kind, h.DocBase, h.SentBase, h.TermBase, h.Base = segKindDelta, bh.Docs, bh.Sents, bh.Terms, bh.Content
		// a delta's docs are normalised as the base's, so that their
		// scores compare
		h.AvgArt = bh.AvgArt
	}
	writeSection(sf, segRecOff, b.recOff)
	b.recOff = nil
	writeSection(sf, segDates, b.dates)
	writeSection(sf, segAdded, b.added)
	writeSection(sf, segArtLen, b.artLen)
	writeSection(sf, segSentStart, b.sentStart)
	writeSection(sf, segSentOff, b.sentOff)
	b.sentOff = nil
	if err := b.side.Flush(); err != nil {
		return err
	}
	if sf.begin(segSentTerms); sf.err != nil {
		return sf.err
	}
	if _, err := sideFile.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := io.Copy(sectionWriter{sf}, sideFile); err != nil {
		return fmt.Errorf("copy sentence terms: %w", err)
	}
	if got := h.Sections[segSentTerms].Len; got != 4*b.sideN {
		return fmt.Errorf("sentence terms: %d bytes copied, want %d", got, 4*b.sideN)
	}
	// postings: offsets, then the lists as fixed-size postings (each
	// list's compressed form freed once written)
	postOff := make([]uint64, len(b.lists)+1)
	for id, pl := range b.lists {
		postOff[id+1] = postOff[id] + uint64(pl.n)
	}
	h.Postings = postOff[len(b.lists)]
	writeSection(sf, segPostOff, postOff)
	avg := h.AvgArt
	maxImpact := make([]float32, len(b.lists))
	for d := range b.artLen {
		h.MaxNorm = max(h.MaxNorm, bm25Norm(b.artLen[d], avg))
	}
	if b.base != nil {
		h.MaxNorm = max(h.MaxNorm, b.base.hdr.MaxNorm)
	}
	sf.begin(segPost)
	var buf []posting
	for id := range b.lists {
		if id%4096 == 0 && (ctx.Err() != nil || sf.err != nil) {
			return cmp.Or(sf.err, ctx.Err())
		}
		pl := &b.lists[id]
		buf = buf[:0]
		doc := uint32(0) // the first delta is the doc itself
		m := 0.0
		for p := pl.buf; len(p) > 0; {
			delta, n := binary.Uvarint(p)
			tf, n2 := binary.Uvarint(p[n:])
			p = p[n+n2:]
			doc += uint32(delta)
			buf = append(buf, posting{doc: doc, tf: uint16(tf)})
			t := float64(tf)
			m = max(m, t*(bm25K1+1)/(t+bm25Norm(b.artLen[doc-b.docBase], avg)))
		}
		maxImpact[id] = math.Nextafter32(float32(m), float32(math.Inf(1)))
		sf.write(asBytes(buf))
		pl.buf = nil
	}
	b.lists = nil
	writeSection(sf, segSentDF, b.sentDF)
	writeSection(sf, segMaxImpact, maxImpact)
	// the dictionary, in byte order of the stems
	order := make([]uint32, len(b.terms))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(x, y uint32) int { return cmp.Compare(b.terms[x], b.terms[y]) })
	termOff := make([]uint32, 1, len(order)+1)
	size := 0
	for _, id := range order {
		size += len(b.terms[id])
		if size > math.MaxUint32 {
			return errors.New("the index's vocabulary exceeds 4 GiB")
		}
		termOff = append(termOff, uint32(size))
	}
	writeSection(sf, segTermOff, termOff)
	sf.begin(segTermBytes)
	for _, id := range order {
		sf.write([]byte(b.terms[id]))
	}
	writeSection(sf, segTermIDs, order)
	writeSection(sf, segDocHash, b.hashes)
	writeSection(sf, segGlobalIDs, b.global)
	writeSection(sf, segDead, b.dead)
	return sf.finish()
}

// sectionWriter writes into the open section of a segment file.
type sectionWriter struct{ sf *segmentFile }

func (w sectionWriter) Write(p []byte) (int, error) {
	if w.sf.write(p); w.sf.err != nil {
		return 0, w.sf.err
	}
	return len(p), nil
}

// buildSegment indexes the articles next yields, which must come in
// ascending ID order, into f (an empty file; a sibling temporary file
// holds the sentence terms meanwhile). Analysis and record encoding run
// on all cores; term ids are assigned in doc order by one goroutine, so
// the file does not depend on scheduling. Memory stays bounded by the
// postings (compressed) and a few arrays per doc and sentence: the
// articles themselves pass through.
//
// It returns ctx.Err() when ctx has ended, before it starts or while it
// runs.
func buildSegment(ctx context.Context, an *analysis.Builtin, f *os.File, next iter.Seq2[*Article, error], opts segmentOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	side, err := os.CreateTemp(filepath.Dir(f.Name()), ".sentterms-*")
	if err != nil {
		return fmt.Errorf("index: temporary file: %w", err)
	}
	defer func() {
		side.Close()
		os.Remove(side.Name())
	}()
	sf, err := newSegmentFile(f)
	if err != nil {
		return err
	}
	b := &segmentBuilder{
		sf: sf, side: bufio.NewWriterSize(side, 1<<20), dict: make(map[string]uint32, 1<<12),
		recOff: []uint64{0}, sentOff: []uint32{0}, content: newContentHash(),
		base: opts.base, dead: opts.dead,
	}
	if opts.base != nil {
		b.docBase = uint32(opts.base.hdr.Docs)
	}
	sf.begin(segRecords)

	type chunk struct {
		arts []*Article
		out  chan []docTerms
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(1, runtime.GOMAXPROCS(0))
	jobs := make(chan chunk, 2*workers)
	order := make(chan chunk, 2*workers)
	var feedErr error
	var errMu sync.Mutex
	fail := func(p *error, err error) {
		errMu.Lock()
		if *p == nil {
			*p = err
		}
		errMu.Unlock()
		cancel()
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the feeder: chunks of articles, in order
		defer wg.Done()
		defer close(jobs)
		defer close(order)
		const size = 256
		var c chunk
		send := func() bool {
			select {
			case order <- c:
			case <-ctx.Done():
				return false
			}
			select {
			case jobs <- c:
			case <-ctx.Done():
				return false
			}
			c = chunk{}
			return true
		}
		var last ArticleID
		first := true
		for a, err := range next {
			if err != nil {
				fail(&feedErr, err)
				return
			}
			if ctx.Err() != nil {
				return
			}
			if a.ID == "" {
				fail(&feedErr, fmt.Errorf("article from %s has no ID", a.Source))
				return
			}
			if !first && a.ID <= last {
				if a.ID == last {
					fail(&feedErr, fmt.Errorf("two articles have the ID %q (%s): IDs must be unique", a.ID, a.Source))
				} else {
					fail(&feedErr, fmt.Errorf("article %q comes after %q: articles must be in ID order", a.ID, last))
				}
				return
			}
			first, last = false, a.ID
			if c.arts == nil {
				c = chunk{arts: make([]*Article, 0, size), out: make(chan []docTerms, 1)}
			}
			c.arts = append(c.arts, a)
			if len(c.arts) == size && !send() {
				return
			}
		}
		if len(c.arts) > 0 {
			send()
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			da := newDocAnalyzer(an)
			for c := range jobs {
				out := make([]docTerms, len(c.arts))
				for i, a := range c.arts {
					if ctx.Err() != nil {
						return
					}
					out[i] = da.analyze(a)
					out[i].rec = appendRecord(nil, a)
					out[i].hash = hashRecord(out[i].rec)
				}
				c.out <- out
			}
		}()
	}
	defer wg.Wait()

	for c := range order {
		var batch []docTerms
		select {
		case batch = <-c.out:
		case <-ctx.Done():
		}
		if batch == nil {
			break
		}
		for i := range batch {
			if err := b.add(c.arts[i], &batch[i]); err != nil {
				cancel()
				return fmt.Errorf("index: %w", err)
			}
		}
	}
	cancel()
	wg.Wait()
	errMu.Lock()
	err = feedErr
	errMu.Unlock()
	if err != nil {
		return err
	}
	if err := parent.Err(); err != nil {
		return err
	}
	return b.finish(parent, side)
}

// idf is BM25's inverse document frequency for df of n.
func idf(df, n int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// resolve fills the group's term ids and idf values from ix.
func (ix *index) resolve(g *answer.TermGroup) {
	g.Terms = g.Terms[:0]
	var df, sdf int
	for _, s := range g.Stems {
		if id, ok := ix.lookup(s); ok && !slices.Contains(g.Terms, id) {
			g.Terms = append(g.Terms, id)
			df += ix.df(id)
			sdf += ix.sentenceDF(id)
		}
	}
	n := ix.live()
	g.ArtIDF = idf(min(df, n), n)
	g.SentIDF = idf(min(sdf, ix.sentences()), ix.sentences())
}

type scoreScratch struct {
	acc    []float32 // doc -> its score so far
	bestOf []float32 // doc -> its best score in the current group
	stamp  []uint32  // doc -> the group bestOf is of
	gen    uint32
	touch  []uint32 // the docs scored
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

// bm25Norm is BM25's length normalisation of an article of n terms.
func bm25Norm(n float32, avg float64) float64 {
	return bm25K1 * (1 - bm25B + bm25B*float64(n)/avg)
}

// bm25 is a posting's BM25 score for a group of weight w (idf × weight).
func (ix *index) bm25(w float64, p posting) float32 {
	tf := float64(p.tf)
	return float32(w * tf * (bm25K1 + 1) / (tf + ix.artNorm[p.doc]))
}

// topArticles ranks articles by BM25 over the groups (each group scored as
// one term: its best member per article) and returns the k best, best first.
// filter, when not nil, keeps only the docs it accepts.
//
// Without a filter it skips the articles that cannot be among the k best
// when a rare word makes that pay (topArticlesPruned), and scores parts
// of a large index at once (topArticlesAll); the result is the same, score
// for score.
func (ix *index) topArticles(groups []answer.TermGroup, k int, filter func(doc uint32) bool) []docScore {
	if ix.docs() == 0 || k <= 0 {
		return nil
	}
	if filter == nil {
		if out, ok := ix.topArticlesPruned(groups, k); ok {
			return out
		}
	}
	return ix.topArticlesAll(groups, k, filter)
}

// parallelPostings: from this many postings on, topArticlesAll scores
// parts of the doc range (scoreParts of them) on two goroutines (a
// variable for the tests).
var parallelPostings = 1 << 15

const scoreParts = 4

// topArticlesAll scores every article that has a group's term. With the
// usual weights (positiveWeights) it sums the scores without listing the
// docs scored (sumRange) and then walks the lists again for the k best
// (rangeBest); on a large index parts of the doc range are scored at the
// same time. Either way each doc's score is summed exactly as by listing
// them (scoreRange), and the k best of the parts' k best are the k best.
func (ix *index) topArticlesAll(groups []answer.TermGroup, k int, filter func(doc uint32) bool) []docScore {
	sc := ix.scratch.Get().(*scoreScratch)
	defer ix.scratch.Put(sc)
	// a stamp for each group of several terms (addGroupList)
	gens := make([]uint32, len(groups))
	total := 0
	for i := range groups {
		if _, one := ix.single(&groups[i]); !one && len(groups[i].Terms) > 0 {
			gens[i] = sc.nextGen()
		}
		for _, id := range groups[i].Terms {
			total += ix.df(id)
		}
	}
	n := uint32(ix.docs())
	if filter != nil || !ix.positiveWeights(groups) {
		sc.touch = ix.scoreRange(sc, sc.touch[:0], groups, gens, 0, n)
		h := sc.best(k, sc.touch, ix.liveOnly(filter))
		sc.touch = sc.touch[:0]
		return h.sorted()
	}
	score := func(lo, hi uint32) docHeap {
		ix.sumRange(sc, groups, gens, lo, hi)
		return ix.rangeBest(sc, groups, k, lo, hi)
	}
	if total < parallelPostings || runtime.GOMAXPROCS(0) < 2 {
		h := score(0, n)
		return h.sorted()
	}
	// the doc range in parts, taken one at a time by this goroutine and a
	// helper: on an idle core the helper takes half of them, on a busy
	// machine this goroutine takes whatever the helper has not started,
	// and waits only for a part the helper is scoring
	var heaps [scoreParts]docHeap
	var next, finished atomic.Int32
	work := func() {
		for {
			c := int(next.Add(1)) - 1
			if c >= scoreParts {
				return
			}
			lo, hi := uint32(uint64(n)*uint64(c)/scoreParts), uint32(uint64(n)*uint64(c+1)/scoreParts)
			heaps[c] = score(lo, hi)
			finished.Add(1)
		}
	}
	helped := make(chan struct{})
	go func() {
		work()
		close(helped)
	}()
	work()
	if finished.Load() < scoreParts {
		<-helped
	}
	h := heaps[0]
	for _, part := range heaps[1:] {
		for _, e := range part {
			h.offer(k, e.doc, e.score)
		}
	}
	return h.sorted()
}

// positiveWeights reports whether every score the groups give is a
// positive float32, and finite: each weight at least 1e-30 over the
// smallest tf/(tf+norm) (tf 1, the largest length normalisation), and
// below 1e30.
func (ix *index) positiveWeights(groups []answer.TermGroup) bool {
	for _, g := range groups {
		if len(g.Terms) == 0 {
			continue
		}
		w := g.ArtIDF * g.Weight
		if !(w*(bm25K1+1)/(1+ix.maxNorm) > 1e-30) || !(w < 1e30) {
			return false
		}
	}
	return true
}

// scoreRange adds the groups' scores of the docs in [lo, hi) to sc.acc,
// appending the docs it scores first to touch.
func (ix *index) scoreRange(sc *scoreScratch, touch []uint32, groups []answer.TermGroup, gens []uint32, lo, hi uint32) []uint32 {
	for i, g := range groups {
		if len(g.Terms) == 0 {
			continue
		}
		w := g.ArtIDF * g.Weight
		if post, one := ix.single(&g); one {
			touch = ix.addList(sc, touch, w, docRange(post, lo, hi))
			continue
		}
		for _, id := range g.Terms {
			b, d := ix.postings(id)
			ix.addGroupList(sc, &touch, w, docRange(b, lo, hi), gens[i])
			ix.addGroupList(sc, &touch, w, docRange(d, lo, hi), gens[i])
		}
	}
	return touch
}

// single returns the one posting list of a group that has one (a single
// term, in the base or the delta but not both): it is scored without
// stamps.
func (ix *index) single(g *answer.TermGroup) ([]posting, bool) {
	if len(g.Terms) != 1 {
		return nil, false
	}
	b, d := ix.postings(g.Terms[0])
	switch {
	case len(d) == 0:
		return b, true
	case len(b) == 0:
		return d, true
	}
	return nil, false
}

// liveOnly is filter without the removed docs.
func (ix *index) liveOnly(filter func(doc uint32) bool) func(doc uint32) bool {
	if ix.dead == nil {
		return filter
	}
	return func(d uint32) bool { return !ix.isDead(d) && (filter == nil || filter(d)) }
}

// sumRange is scoreRange without listing the docs: with positive scores
// they are the docs with a sum, and keeping the list doubles the work of
// the loop (each place in it waits for the sum before).
func (ix *index) sumRange(sc *scoreScratch, groups []answer.TermGroup, gens []uint32, lo, hi uint32) {
	for i, g := range groups {
		if len(g.Terms) == 0 {
			continue
		}
		w := g.ArtIDF * g.Weight
		if post, one := ix.single(&g); one {
			acc, norm := sc.acc, ix.artNorm
			for _, p := range docRange(post, lo, hi) {
				tf := float64(p.tf)
				acc[p.doc] += float32(w * tf * (bm25K1 + 1) / (tf + norm[p.doc]))
			}
			continue
		}
		for _, id := range g.Terms {
			b, d := ix.postings(id)
			ix.addGroupList(sc, nil, w, docRange(b, lo, hi), gens[i])
			ix.addGroupList(sc, nil, w, docRange(d, lo, hi), gens[i])
		}
	}
}

// rangeBest returns the k best of the docs in [lo, hi) that sumRange
// scored, as a heap, and resets their sums: it walks their postings again,
// offering each doc at its first (its sum, positive, is then set to zero).
func (ix *index) rangeBest(sc *scoreScratch, groups []answer.TermGroup, k int, lo, hi uint32) docHeap {
	h := make(docHeap, 0, k+1)
	var least float32 // the k-th best sum once there are k: lower ones cannot make it
	acc := sc.acc
	for _, g := range groups {
		for _, id := range g.Terms {
			b, d := ix.postings(id)
			for _, post := range [2][]posting{docRange(b, lo, hi), docRange(d, lo, hi)} {
				for _, p := range post {
					a := acc[p.doc]
					acc[p.doc] = 0
					if a >= least && a != 0 {
						h.offer(k, p.doc, float64(a))
						if len(h) == k {
							least = float32(h[0].score)
						}
					}
				}
			}
		}
	}
	return h
}

// docRange is the part of post whose docs are in [lo, hi).
func docRange(post []posting, lo, hi uint32) []posting {
	if lo > 0 {
		post = post[seekPosting(post, 0, lo):]
	}
	if len(post) > 0 && post[len(post)-1].doc >= hi {
		post = post[:seekPosting(post, 0, hi)]
	}
	return post
}

// nextGen returns a new stamp for a group (clearing the stamps when the
// counter wraps).
func (sc *scoreScratch) nextGen() uint32 {
	sc.gen++
	if sc.gen == 0 { // wrapped: clear stamps once every 2^32 groups
		clear(sc.stamp)
		sc.gen = 1
	}
	return sc.gen
}

// best returns the k best of the docs in touch (that filter keeps), as a
// heap, and resets their sums.
func (sc *scoreScratch) best(k int, touch []uint32, filter func(doc uint32) bool) docHeap {
	h := make(docHeap, 0, k+1)
	for _, d := range touch {
		s := float64(sc.acc[d])
		sc.acc[d] = 0
		if filter != nil && !filter(d) {
			continue
		}
		h.offer(k, d, s)
	}
	return h
}

// addGroupList adds one term's postings to the scores of a group of
// several terms: per doc the group counts its best term's score, so a
// better one replaces the best so far (docs stamped gen have one). Docs
// scored first are appended to *touch, when not nil.
func (ix *index) addGroupList(sc *scoreScratch, touch *[]uint32, w float64, post []posting, gen uint32) {
	for _, p := range post {
		s := ix.bm25(w, p)
		switch {
		case sc.stamp[p.doc] != gen:
			sc.stamp[p.doc] = gen
			sc.bestOf[p.doc] = s
			if touch != nil && sc.acc[p.doc] == 0 {
				*touch = append(*touch, p.doc)
			}
			sc.acc[p.doc] += s
		case s > sc.bestOf[p.doc]:
			sc.acc[p.doc] += s - sc.bestOf[p.doc]
			sc.bestOf[p.doc] = s
		}
	}
}

// addList adds a group of one term to the scores: each posting is then
// its doc's only score from the group (no best member to keep), so this
// is addGroupList without stamps.
func (ix *index) addList(sc *scoreScratch, touch []uint32, w float64, post []posting) []uint32 {
	acc, norm := sc.acc, ix.artNorm
	touch = slices.Grow(touch, len(post))
	n := len(touch)
	touch = touch[:n+len(post)]
	for _, p := range post {
		tf := float64(p.tf)
		s := float32(w * tf * (bm25K1 + 1) / (tf + norm[p.doc]))
		a := acc[p.doc]
		touch[n] = p.doc
		if a == 0 {
			n++
		}
		acc[p.doc] = a + s
	}
	return touch[:n]
}

// offer keeps doc among the k best seen so far (a min-heap on score, the
// higher doc number the worse on ties).
func (h *docHeap) offer(k int, d uint32, s float64) {
	if len(*h) < k {
		heap.Push(h, docScore{d, s})
	} else if s > (*h)[0].score || (s == (*h)[0].score && d < (*h)[0].doc) {
		(*h)[0] = docScore{d, s}
		heap.Fix(h, 0)
	}
}

// sorted empties the heap into a slice, best first.
func (h *docHeap) sorted() []docScore {
	out := make([]docScore, len(*h))
	for i := len(*h) - 1; i >= 0; i-- {
		out[i] = heap.Pop(h).(docScore)
	}
	return out
}

// pruneMinPostings: below this many postings scoring them all is as quick.
const pruneMinPostings = 2048

// topArticlesPruned is topArticlesAll without a filter, by MaxScore, term
// at a time. The groups are added to the scores strongest first (by the
// most any article can get from them, maxImpact); after each, the exact
// scores of the k articles with the best sums so far give a lower bound
// for the k-th best score, and once the groups not yet added together
// cannot lift an article that has none of the others to it, no new
// article can make the k best and their lists are not walked. Then only
// the articles whose sum plus that bound reaches the k-th best are scored,
// exactly as topArticlesAll scores them (same terms, same order, same
// float32 sums), so the k best are the same, score for score; the bounds
// carry a margin for rounding. It returns false, for topArticlesAll to do
// the work, when there are too few postings to bother or a weight is so
// small (or not a number) that a score could round to zero.
func (ix *index) topArticlesPruned(groups []answer.TermGroup, k int) ([]docScore, bool) {
	type group struct {
		w, ub  float64
		terms  []uint32
		lo, hi int // its lists: lists[lo:hi], in the order of its terms
		n      int // its postings
	}
	var gs []group
	var lists [][]posting
	total := 0
	for _, g := range groups {
		if len(g.Terms) == 0 {
			continue
		}
		w := g.ArtIDF * g.Weight
		if !(w*(bm25K1+1)/(1+ix.maxNorm) > 1e-30) || !(w < 1e30) {
			return nil, false
		}
		pg := group{w: w, terms: g.Terms, lo: len(lists)}
		m := 0.0
		for _, id := range g.Terms {
			lists = ix.lists(lists, id)
			pg.n += ix.df(id)
			m = max(m, float64(ix.impact(id)))
		}
		pg.hi = len(lists)
		pg.ub = w * m * (1 + 1e-6)
		total += pg.n
		gs = append(gs, pg)
	}
	if total < pruneMinPostings {
		return nil, false
	}
	// the groups weakest first; prefix[i] bounds what order[:i] can give
	order := make([]int, len(gs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(gs[a].ub, gs[b].ub) })
	// it pays when the strongest group is a small part of the postings
	// (a rare word): the others' lists are then seldom walked
	if gs[order[len(order)-1]].n > total/8 {
		return nil, false
	}
	prefix := make([]float64, len(gs)+1)
	for i, gi := range order {
		prefix[i+1] = prefix[i] + gs[gi].ub
	}
	// relative margin for the float32 sums (about 2^-24 an addition) and
	// the bounds' own rounding
	slack := 1 + 1e-4 + float64(len(lists))/(1<<22)

	// exact is doc d's score as topArticlesAll sums it: the groups in the
	// question's order, each its best term, improvements added. pos holds
	// a cursor per list, moved forward to d.
	exact := func(d uint32, pos []int) float32 {
		var acc float32
		for i := range gs {
			g := &gs[i]
			first, best := true, float32(0)
			for li := g.lo; li < g.hi; li++ {
				post := lists[li]
				j := seekPosting(post, pos[li], d)
				pos[li] = j
				if j == len(post) || post[j].doc != d {
					continue
				}
				v := ix.bm25(g.w, post[j])
				switch {
				case first:
					first, best = false, v
					acc += v
				case v > best:
					acc += v - best
					best = v
				}
			}
		}
		return acc
	}

	sc := ix.scratch.Get().(*scoreScratch)
	defer func() {
		for _, d := range sc.touch {
			sc.acc[d] = 0
		}
		sc.touch = sc.touch[:0]
		ix.scratch.Put(sc)
	}()
	pos := make([]int, len(lists))
	top := make(docHeap, 0, k+1) // the k best sums so far
	theta := 0.0                 // a lower bound for the k-th best score
	done := len(gs)              // order[done:] are in sc.acc
	walked := 0
	for done > 0 {
		g := &gs[order[done-1]]
		if walked += g.n; walked > total/4 {
			return nil, false // as much work as scoring all, nearly
		}
		done--
		if g.hi-g.lo == 1 {
			ix.addListTop(sc, g.w, lists[g.lo], &top, k)
		} else {
			gen := sc.nextGen()
			for _, post := range lists[g.lo:g.hi] {
				ix.addGroupList(sc, &sc.touch, g.w, post, gen)
			}
			for _, post := range lists[g.lo:g.hi] {
				for _, p := range post {
					// a removed doc (norm +Inf) sums to 0 and is never offered
					if a := sc.acc[p.doc]; a > 0 && (len(top) < k || float64(a) > top[0].score) {
						top.offerUnique(k, p.doc, float64(a))
					}
				}
			}
		}
		if len(top) == k {
			kth := math.Inf(1)
			for _, e := range top {
				clear(pos)
				kth = min(kth, float64(exact(e.doc, pos)))
			}
			theta = max(theta, kth)
		}
		if prefix[done]*slack < theta {
			break // the groups left cannot bring in a new article
		}
	}
	// score the articles whose bound reaches the k-th best, in doc order
	var cands []uint32
	for _, d := range sc.touch {
		if (float64(sc.acc[d])+prefix[done])*slack >= theta && !ix.isDead(d) {
			cands = append(cands, d)
		}
	}
	if len(cands)*len(lists)*16 > total {
		return nil, false // too many to look up one by one
	}
	slices.Sort(cands)
	clear(pos)
	h := make(docHeap, 0, k+1)
	for _, d := range cands {
		if len(h) == k && (float64(sc.acc[d])+prefix[done])*slack < h[0].score {
			continue
		}
		h.offer(k, d, float64(exact(d, pos)))
	}
	return h.sorted(), true
}

// addListTop is addList that also keeps in top the k docs with the best
// sums.
func (ix *index) addListTop(sc *scoreScratch, w float64, post []posting, top *docHeap, k int) {
	acc, norm := sc.acc, ix.artNorm
	touch := slices.Grow(sc.touch, len(post))
	n := len(touch)
	touch = touch[:n+len(post)]
	thr := float32(-1)
	if len(*top) == k {
		thr = float32((*top)[0].score)
	}
	for _, p := range post {
		tf := float64(p.tf)
		s := float32(w * tf * (bm25K1 + 1) / (tf + norm[p.doc]))
		a := acc[p.doc]
		touch[n] = p.doc
		if a == 0 {
			n++
		}
		a += s
		acc[p.doc] = a
		if a > thr && a > 0 {
			top.offerUnique(k, p.doc, float64(a))
			if len(*top) == k {
				thr = float32((*top)[0].score)
			}
		}
	}
	sc.touch = touch[:n]
}

// offerUnique is offer for a doc that may be in h already (then with a
// lower score, which it replaces).
func (h *docHeap) offerUnique(k int, d uint32, s float64) {
	for i := range *h {
		if (*h)[i].doc == d {
			if s > (*h)[i].score {
				(*h)[i].score = s
				heap.Fix(h, i)
			}
			return
		}
	}
	h.offer(k, d, s)
}

// seekPosting returns the first index at or after from whose doc is at
// least d (galloping, then binary search).
func seekPosting(post []posting, from int, d uint32) int {
	if from >= len(post) || post[from].doc >= d {
		return from
	}
	// post[lo].doc < d; gallop to hi with post[hi].doc >= d, or the end
	lo, step := from, 1
	hi := lo + step
	for hi < len(post) && post[hi].doc < d {
		lo = hi
		step *= 2
		hi = lo + step
	}
	hi = min(hi, len(post))
	// post[lo].doc < d, and d <= post[hi].doc unless hi is the end
	for lo+1 < hi {
		m := int(uint(lo+hi) >> 1)
		if post[m].doc < d {
			lo = m
		} else {
			hi = m
		}
	}
	return hi
}
