package briefings

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"
)

// Files of a saved index in Options.IndexDir: the base segment, and the
// delta that patches it with the changes since (see segHeader).
const (
	IndexFile = "articles.index"
	DeltaFile = "delta.index"
)

// Replace patches the index with a delta instead of rebuilding it when the
// index has at least deltaMin docs, the changed and added articles since
// the base (the delta) stay within maxDeltaShare of it (or maxDeltaFloor),
// and at most maxDeadShare of the base is removed or replaced. Past that a
// full rebuild folds the delta in.
const (
	defaultDeltaMin = 2000
	maxDeltaFloor   = 1000
	maxDeltaShare   = 0.10
	maxDeadShare    = 0.25
)

// snapshot is one article set and its index: a segment, the delta that
// extends it if any, and what reading them needs. Code that reads a
// snapshot keeps it reachable until it is done (runtime.KeepAlive): a
// segment's memory is unmapped once it is not.
type snapshot struct {
	seg, delta *segment
	ix         *index
	byID       map[ArticleID]int // the delta's docs (numbered after the base's)
	mu         sync.Mutex
	cache      map[int]*Article // materialised articles, bounded
}

// maxCachedArticles bounds a snapshot's cache of decoded articles.
const maxCachedArticles = 1 << 13

func newSnapshot(seg, delta *segment) *snapshot {
	s := &snapshot{seg: seg, delta: delta, ix: newIndex(seg, delta), cache: map[int]*Article{}}
	if delta != nil {
		s.byID = make(map[ArticleID]int, delta.docs())
		for d := range delta.docs() {
			s.byID[delta.id(d)] = s.ix.nb + d
		}
	}
	return s
}

// len is the number of articles.
func (s *snapshot) len() int { return s.ix.live() }

// segOf returns the segment holding doc and doc's number in it.
func (s *snapshot) segOf(doc int) (*segment, int) {
	if doc < s.ix.nb {
		return s.seg, doc
	}
	return s.delta, doc - s.ix.nb
}

// art returns doc's article, decoded from its record into fresh memory
// (shared by later calls: treat it as immutable).
func (s *snapshot) art(doc int) *Article {
	s.mu.Lock()
	a := s.cache[doc]
	s.mu.Unlock()
	if a != nil {
		return a
	}
	g, d := s.segOf(doc)
	a, err := decodeRecord(g.record(d))
	if err != nil {
		// the segment's checks make this unreachable short of a bug;
		// an answer that names the article beats a crash
		a = &Article{ID: g.id(d), Title: "(unreadable article)", Date: g.date(d), Added: g.addedAt(d)}
	}
	s.mu.Lock()
	if len(s.cache) >= maxCachedArticles {
		clear(s.cache)
	}
	s.cache[doc] = a
	s.mu.Unlock()
	return a
}

// id is doc's article ID.
func (s *snapshot) id(doc int) ArticleID {
	g, d := s.segOf(doc)
	return g.id(d)
}

// find returns the doc of an article ID.
func (s *snapshot) find(id ArticleID) (int, bool) {
	if d, ok := s.byID[id]; ok {
		return d, true
	}
	if d, ok := s.seg.find(id); ok && !s.ix.isDead(uint32(d)) {
		return d, true
	}
	return 0, false
}

// ordered yields the docs in ID order, the removed ones left out.
func (s *snapshot) ordered() iter.Seq[int] {
	return func(yield func(int) bool) {
		nb, nd := s.ix.nb, 0
		if s.delta != nil {
			nd = s.delta.docs()
		}
		b, d := 0, 0
		for b < nb || d < nd {
			if b < nb && s.ix.isDead(uint32(b)) {
				b++
				continue
			}
			if d < nd && (b == nb || s.delta.id(d) < s.seg.id(b)) {
				if !yield(nb + d) {
					return
				}
				d++
				continue
			}
			if !yield(b) {
				return
			}
			b++
		}
	}
}

// The snapshot is an article source for digests.
func (s *snapshot) count() int      { return s.ix.docs() }
func (s *snapshot) skip(i int) bool { return s.ix.isDead(uint32(i)) }
func (s *snapshot) dateAdded(i int) (Date, time.Time) {
	g, d := s.segOf(i)
	return g.date(d), g.addedAt(d)
}
func (s *snapshot) article(i int) *Article { return s.art(i) }

// A snapshot's base docs are in ID order, and so are its delta's.
func (s *snapshot) idOrder(i, j int) int {
	if s.delta == nil {
		return cmp.Compare(i, j)
	}
	return cmp.Compare(s.id(i), s.id(j))
}

// Replace indexes arts and makes them the library's article set. It may take
// seconds for large sets; readers keep using the previous set meanwhile. On
// error (ctx ended, duplicate IDs) the previous set stays.
//
// Only what changed is indexed anew: the articles are compared with the
// indexed ones by their records' hashes; unchanged articles keep the index
// as it is, and on a large index a few changes are indexed into a delta
// that patches it (saved beside it in Options.IndexDir). A full rebuild
// comes when the changes outgrow the delta (see maxDeltaShare).
func (l *Library) Replace(ctx context.Context, arts []Article) error {
	l.building.Lock()
	defer l.building.Unlock()
	ptrs := make([]*Article, len(arts))
	for i := range arts {
		ptrs[i] = &arts[i]
	}
	slices.SortFunc(ptrs, func(a, b *Article) int { return cmp.Compare(a.ID, b.ID) })
	for i := 1; i < len(ptrs); i++ {
		if ptrs[i].ID == ptrs[i-1].ID {
			return fmt.Errorf("index articles: two articles have the ID %q (%s): IDs must be unique", ptrs[i].ID, ptrs[i].Source)
		}
	}
	hashes, err := recordHashes(ctx, ptrs)
	if err != nil {
		return err
	}
	cur := l.state.Load()
	defer runtime.KeepAlive(cur)
	p := cur.diff(ptrs, hashes)
	if !p.changed && !l.damaged.Load() {
		l.log.Info("articles unchanged: the index stays", "articles", len(ptrs))
		return nil
	}
	nb := cur.ix.nb
	dead := mergeDead(cur.delta, p.dead)
	if nb > 0 && nb >= l.deltaMin && !l.damaged.Load() && len(p.keep)+len(p.add) <= max(maxDeltaFloor, int(maxDeltaShare*float64(nb))) &&
		float64(len(dead)) <= maxDeadShare*float64(nb) {
		return l.patch(ctx, cur, p, dead)
	}
	return l.replaceFrom(ctx, func(yield func(*Article, error) bool) {
		for _, a := range ptrs {
			if !yield(a, nil) {
				return
			}
		}
	})
}

// recordHashes hashes the articles' records, on all cores.
func recordHashes(ctx context.Context, arts []*Article) ([]docHash, error) {
	out := make([]docHash, len(arts))
	workers := max(1, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var rec []byte
			for i := w; i < len(arts); i += workers {
				if i%cancelCheckEvery == w && ctx.Err() != nil {
					return
				}
				rec = appendRecord(rec[:0], arts[i])
				out[i] = hashRecord(rec)
			}
		})
	}
	wg.Wait()
	return out, ctx.Err()
}

// patchPlan is how a new article set differs from a snapshot.
type patchPlan struct {
	changed bool
	add     []*Article // new or changed articles, by ID
	keep    []int      // the delta's docs that stay (global numbers)
	dead    []uint32   // base docs removed or replaced, ascending
}

// diff compares arts (by ID, with their record hashes) with s's articles.
func (s *snapshot) diff(arts []*Article, hashes []docHash) patchPlan {
	var p patchPlan
	i := 0
	drop := func(doc int) {
		p.changed = true
		if doc < s.ix.nb {
			p.dead = append(p.dead, uint32(doc))
		}
	}
	for doc := range s.ordered() {
		id := s.id(doc)
		for i < len(arts) && arts[i].ID < id {
			p.add, p.changed = append(p.add, arts[i]), true
			i++
		}
		if i == len(arts) || arts[i].ID != id {
			drop(doc) // gone
			continue
		}
		g, d := s.segOf(doc)
		switch {
		case g.docHash[d] != hashes[i]:
			drop(doc)
			p.add = append(p.add, arts[i])
		case doc >= s.ix.nb:
			p.keep = append(p.keep, doc)
		}
		i++
	}
	for ; i < len(arts); i++ {
		p.add, p.changed = append(p.add, arts[i]), true
	}
	slices.Sort(p.dead)
	return p
}

// mergeDead is the base docs removed by delta and by more, ascending.
func mergeDead(delta *segment, more []uint32) []uint32 {
	var out []uint32
	if delta != nil {
		out = append(out, delta.dead...)
	}
	out = append(out, more...)
	slices.Sort(out)
	return slices.Compact(out)
}

// patch replaces cur's delta with one of the kept delta articles and the
// added ones, removing dead from the base.
func (l *Library) patch(ctx context.Context, cur *snapshot, p patchPlan, dead []uint32) error {
	start := time.Now()
	arts := make([]*Article, 0, len(p.keep)+len(p.add))
	for _, d := range p.keep {
		g, i := cur.segOf(d)
		a, err := decodeRecord(g.record(i))
		if err != nil {
			return fmt.Errorf("index articles: the indexed article %q: %w", g.id(i), err)
		}
		arts = append(arts, a)
	}
	arts = append(arts, p.add...)
	slices.SortFunc(arts, func(a, b *Article) int { return cmp.Compare(a.ID, b.ID) })
	delta, err := l.build(ctx, l.opts.IndexDir, DeltaFile, func(yield func(*Article, error) bool) {
		for _, a := range arts {
			if !yield(a, nil) {
				return
			}
		}
	}, segmentOptions{base: cur.seg, dead: dead})
	if err != nil {
		return fmt.Errorf("index articles: %w", err)
	}
	s := newSnapshot(cur.seg, delta)
	l.state.Store(s)
	l.log.Info("articles indexed into the delta", "articles", s.len(), "delta_articles", delta.docs(), "removed_from_base", len(dead),
		"duration", time.Since(start).Round(time.Millisecond))
	return nil
}

// ReplaceFrom is Replace for articles that come one at a time, in
// ascending ID order (as a store reads them): they pass through the index
// builder without being held, so memory stays near what the index needs.
// It always builds a whole new index. An error from next stops the build
// and keeps the previous set.
func (l *Library) ReplaceFrom(ctx context.Context, next iter.Seq2[*Article, error]) error {
	l.building.Lock()
	defer l.building.Unlock()
	return l.replaceFrom(ctx, next)
}

func (l *Library) replaceFrom(ctx context.Context, next iter.Seq2[*Article, error]) error {
	start := time.Now()
	seg, err := l.build(ctx, l.opts.IndexDir, IndexFile, next, segmentOptions{})
	if err != nil {
		return fmt.Errorf("index articles: %w", err)
	}
	if l.opts.IndexDir != "" {
		// the old delta patched the old base
		if err := os.Remove(filepath.Join(l.opts.IndexDir, DeltaFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			l.log.Warn("cannot remove the old index delta; it is ignored at the next start", "err", err)
		}
	}
	s := newSnapshot(seg, nil)
	l.state.Store(s)
	l.damaged.Store(false)
	l.log.Info("articles indexed", "articles", s.len(), "sentences", s.ix.sentences(), "terms", s.ix.vocab(),
		"duration", time.Since(start).Round(time.Millisecond))
	return nil
}

// build writes a segment of the articles next yields and maps it: into
// dir as name (replacing the file there only once complete), or, with no
// dir, into a temporary file that is gone once mapped.
func (l *Library) build(ctx context.Context, dir, name string, next iter.Seq2[*Article, error], opts segmentOptions) (*segment, error) {
	tmpDir := dir
	if tmpDir == "" {
		tmpDir = os.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("index directory: %w", err)
	}
	f, err := os.CreateTemp(tmpDir, "."+name+"-*")
	if err != nil {
		return nil, fmt.Errorf("index file: %w", err)
	}
	defer f.Close()
	keep := false
	defer func() {
		if !keep {
			os.Remove(f.Name())
		}
	}()
	if err := buildSegment(ctx, l.an, f, next, opts); err != nil {
		return nil, err
	}
	seg, err := mapSegment(f)
	if err != nil {
		return nil, err
	}
	if dir != "" {
		if err := os.Rename(f.Name(), filepath.Join(dir, name)); err != nil {
			return nil, fmt.Errorf("save the index: %w", err) // seg is unmapped once collected
		}
		keep = true
		syncDir(dir)
	}
	return seg, nil
}

// mapSegment maps the segment file f and checks its structure (not its
// checksums).
func mapSegment(f *os.File) (*segment, error) {
	if fi, err := f.Stat(); err != nil {
		return nil, err
	} else if fi.Size() < segHeaderSize {
		return nil, fmt.Errorf("%w: %d bytes is shorter than its header", ErrSegmentFormat, fi.Size())
	}
	data, unmap, err := mapFile(f)
	if err != nil {
		return nil, err
	}
	seg, err := openSegmentData(data)
	if err != nil {
		if unmap != nil {
			unmap()
		}
		return nil, err
	}
	if unmap != nil {
		runtime.AddCleanup(seg, func(unmap func() error) { unmap() }, unmap)
	}
	return seg, nil
}

// openSegmentFile maps a saved segment and checks it, all but its
// lateSections' checksums; a missing file is (nil, nil, nil). The returned
// file stays open for checkLate, which closes it.
func openSegmentFile(ctx context.Context, path string) (*segment, *os.File, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	seg, err := mapSegment(f)
	if err == nil {
		err = verifySections(ctx, f, &seg.hdr, earlySections())
	}
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return seg, f, nil
}

// checkLate checks the lateSections of the segments opened from files
// (nil entries skipped) and closes the files; on damage the library
// rebuilds at its next Replace.
func (l *Library) checkLate(ctx context.Context, done chan struct{}, segs []*segment, files []*os.File) {
	defer close(done)
	for i, f := range files {
		if f == nil {
			continue
		}
		err := verifySections(ctx, f, &segs[i].hdr, lateSections)
		f.Close()
		if err != nil && ctx.Err() == nil {
			l.damaged.Store(true)
			l.log.Error("the saved index is damaged: it is rebuilt when the articles are next read; until then some quotes may be garbled",
				"file", f.Name(), "err", err)
		}
	}
}

// syncDir makes a rename in dir durable (best effort).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// OpenIndex serves the index saved in Options.IndexDir by an earlier
// Replace, with its delta, until the next Replace: a restart answers as
// soon as it is mapped, without reading the articles again. It reports
// false, and keeps the library as it is, when there is no saved index or
// it cannot be used (another version, damaged); the reason is in the
// error, which wraps ErrSegmentFormat for a file that is there but
// unusable. A delta that does not fit the base is left out (with a
// warning): the next Replace finds the changes again.
func (l *Library) OpenIndex(ctx context.Context) (bool, error) {
	l.building.Lock()
	defer l.building.Unlock()
	if l.opts.IndexDir == "" {
		return false, nil
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	start := time.Now()
	path := filepath.Join(l.opts.IndexDir, IndexFile)
	seg, f, err := openSegmentFile(ctx, path)
	if err != nil {
		return false, fmt.Errorf("open the saved index: %w", err)
	}
	if seg == nil {
		return false, nil
	}
	if seg.hdr.Kind != segKindBase {
		f.Close()
		return false, fmt.Errorf("open the saved index: %s: %w: not a base index", path, ErrSegmentFormat)
	}
	delta, df, err := openSegmentFile(ctx, filepath.Join(l.opts.IndexDir, DeltaFile))
	if err == nil && delta != nil && !deltaFits(seg, delta) {
		df.Close()
		err = fmt.Errorf("%w: it patches another index", ErrSegmentFormat)
	}
	if err != nil {
		l.log.Warn("the saved index delta is left out; the articles are compared again when read", "err", err)
		delta, df = nil, nil
	}
	s := newSnapshot(seg, delta)
	l.damaged.Store(false)
	l.state.Store(s)
	// the bulk of the file (texts, sentence terms) is checked while the
	// index serves
	done := make(chan struct{})
	l.lateChecked = done
	go l.checkLate(context.WithoutCancel(ctx), done, []*segment{seg, delta}, []*os.File{f, df})
	l.log.Info("saved index opened", "path", path, "articles", s.len(), "terms", s.ix.vocab(),
		"duration", time.Since(start).Round(time.Millisecond))
	return true, nil
}

// deltaFits reports whether delta is a delta of base.
func deltaFits(base, delta *segment) bool {
	h, b := &delta.hdr, &base.hdr
	if h.Kind != segKindDelta || h.Base != b.Content || h.DocBase != b.Docs || h.SentBase != b.Sents || h.TermBase != b.Terms {
		return false
	}
	for _, d := range delta.dead {
		if uint64(d) >= b.Docs {
			return false
		}
	}
	for _, g := range delta.globalIDs {
		if uint64(g) >= b.Terms+h.Terms {
			return false
		}
	}
	return true
}
