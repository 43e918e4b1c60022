package briefings

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/bits"
	"os"
	"path"
	"runtime"
	"slices"
	"strings"

	"github.com/briefbot/briefbot/briefings/analysis"

	"golang.org/x/sync/errgroup"
)

// DefaultMaxFileSize is the largest article file loaded when
// LoadOptions.MaxFileSize is 0.
const DefaultMaxFileSize = 5 << 20

// SkippedFile is a file that was not loaded, and why.
type SkippedFile struct {
	Path   string // slash-separated, relative to the loaded directory
	Reason string
}

// LoadOptions tune LoadDir and LoadFS. The zero value is ready to use.
type LoadOptions struct {
	// MaxFileSize is the largest file loaded, in bytes; 0 means
	// DefaultMaxFileSize. Larger files are skipped.
	MaxFileSize int64
	// Logger receives one warning per skipped file or record; nil discards.
	Logger *slog.Logger
	// CallerReportsSkipped says the caller shows LoadResult.Skipped to the
	// user itself (the command line does): skipped files and records are
	// then logged at debug level, not as warnings, so that each is reported
	// once.
	CallerReportsSkipped bool
}

// LoadResult is what a load found.
type LoadResult struct {
	Articles []Article // sorted by ID
	// Skipped lists the files not loaded, and the records skipped inside
	// multi-article files (Path is then the file, Reason names the line or
	// record: "line 3 skipped: …").
	Skipped []SkippedFile
	// Folded maps a kept article to the sources of the identical or
	// near-identical copies folded into it, sorted; empty when none were.
	Folded map[ArticleID][]string
}

// LoadDir loads every article file under dir, recursively. Hidden files and
// directories (".name") are skipped; files with other extensions, README*
// and LICENSE* are ignored (logged at debug level). A file that cannot be
// read or parsed is skipped with one warning naming it and the reason, and
// the rest loads. A missing or unreadable dir is an error, and so is the end
// of ctx (ctx.Err()).
//
// Articles whose bodies are identical after folding (Article.Hash), or
// whose sets of 3-word shingles have a Jaccard similarity of at least 0.9,
// are one article: the copy with the lexicographically first source is kept,
// the others are listed in LoadResult.Folded and logged at info level.
// When two articles claim the same ID, the one with the first source keeps
// it and the other gets its source as ID (with a warning).
//
// Files are parsed on up to GOMAXPROCS goroutines; LoadDir returns when all
// are done. Loading the same files again gives the same result.
func LoadDir(ctx context.Context, dir string, opts LoadOptions) (LoadResult, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return LoadResult{}, fmt.Errorf("article directory: %w", err)
	}
	if !info.IsDir() {
		return LoadResult{}, fmt.Errorf("article directory %s is not a directory", dir)
	}
	// os.Root refuses every path that leaves dir, through ".." or a
	// symbolic link: a link to /run/secrets/x is not an article
	root, err := os.OpenRoot(dir)
	if err != nil {
		return LoadResult{}, fmt.Errorf("article directory: %w", err)
	}
	defer root.Close()
	return LoadFS(ctx, root.FS(), opts)
}

// LoadFS is LoadDir over a file system; paths are relative to its root.
func LoadFS(ctx context.Context, fsys fs.FS, opts LoadOptions) (LoadResult, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	maxSize := opts.MaxFileSize
	if maxSize <= 0 {
		maxSize = DefaultMaxFileSize
	}
	skipLevel := slog.LevelWarn
	if opts.CallerReportsSkipped {
		skipLevel = slog.LevelDebug
	}
	var res LoadResult
	skip := func(p, reason string) {
		logger.Log(ctx, skipLevel, "skipping article file", "file", p, "reason", reason)
		res.Skipped = append(res.Skipped, SkippedFile{Path: p, Reason: reason})
	}

	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			if p == "." {
				return fmt.Errorf("article directory cannot be read: %w", err)
			}
			skip(p, fmt.Sprintf("cannot be read: %v", unwrapPath(err)))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p == "." {
			return nil
		}
		name := d.Name()
		if strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if reason := ignoreReason(name, d.Type()); reason != "" {
			logger.Debug("ignoring file", "file", p, "reason", reason)
			return nil
		}
		if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			// a FIFO, socket or device named like an article: opening
			// it could block forever
			skip(p, "not a regular file ("+d.Type().Type().String()+")")
			return nil
		}
		files = append(files, p)
		return nil
	})
	if err != nil {
		return LoadResult{}, err
	}

	type fileResult struct {
		arts  []Article
		notes []parseNote
		err   error
	}
	results := make([]fileResult, len(files))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, p := range files {
		if gctx.Err() != nil {
			break // ended: Wait and the check below return the error
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			data, err := readLimited(fsys, p, maxSize)
			if err != nil {
				results[i].err = err
				return nil
			}
			results[i].arts, results[i].notes, results[i].err = parseFile(gctx, p, data)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return LoadResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return LoadResult{}, err
	}

	var arts []Article
	for i, r := range results {
		for _, n := range r.notes {
			msg, level := "ignoring a bad field in article file", slog.LevelWarn
			if n.Skipped {
				msg, level = "skipping part of article file", skipLevel
				res.Skipped = append(res.Skipped, SkippedFile{Path: files[i], Reason: n.Reason})
			}
			if n.Line > 0 {
				logger.Log(ctx, level, msg, "file", files[i], "line", n.Line, "reason", n.Reason)
			} else {
				logger.Log(ctx, level, msg, "file", files[i], "reason", n.Reason)
			}
		}
		if r.err != nil {
			skip(files[i], r.err.Error())
			continue
		}
		arts = append(arts, r.arts...)
	}
	slices.SortStableFunc(arts, func(a, b Article) int { return cmp.Compare(a.Source, b.Source) })

	// one ID per article: the first source keeps it
	byID := make(map[ArticleID]bool, len(arts))
	sources := make(map[string]bool, len(arts))
	unique := arts[:0]
	for _, a := range arts {
		if byID[a.ID] {
			alt := ArticleID(a.Source)
			if byID[alt] || sources[a.Source] {
				skip(a.Source, fmt.Sprintf("article id %q is already used by another article", a.ID))
				continue
			}
			logger.Warn("article id already used, using the source as id", "file", a.Source,
				"reason", fmt.Sprintf("article id %q is already used by another article", a.ID), "id", a.ID, "new_id", alt)
			a.ID = alt
		}
		byID[a.ID] = true
		sources[a.Source] = true
		unique = append(unique, a)
	}

	if res.Articles, res.Folded, err = foldNearDuplicates(ctx, unique, logger); err != nil {
		return LoadResult{}, err
	}
	slices.SortFunc(res.Articles, func(a, b Article) int { return cmp.Compare(a.ID, b.ID) })
	return res, nil
}

// ignoreReason says why a directory entry is not an article file, or "".
func ignoreReason(name string, mode fs.FileMode) string {
	upper := strings.ToUpper(name)
	switch {
	case strings.HasPrefix(upper, "README") || strings.HasPrefix(upper, "LICENSE"):
		return "documentation file"
	case !supportedExt(name):
		return "not an article file type"
	}
	return ""
}

func supportedExt(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".txt", ".md", ".markdown", ".json", ".jsonl", ".ndjson":
		return true
	}
	return false
}

// readLimited reads a file of at most maxSize bytes.
func readLimited(fsys fs.FS, p string, maxSize int64) ([]byte, error) {
	// the type first: opening a FIFO (also behind a link) blocks
	info, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, fmt.Errorf("cannot be opened: %v", unwrapPath(err))
	}
	if !info.Mode().IsRegular() && !info.IsDir() {
		return nil, fmt.Errorf("is not a regular file (%s)", info.Mode().Type())
	}
	f, err := fsys.Open(p)
	if err != nil {
		return nil, fmt.Errorf("cannot be opened: %v", unwrapPath(err))
	}
	defer f.Close()
	info, err = f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot be read: %v", unwrapPath(err))
	}
	if info.IsDir() {
		return nil, errors.New("is a directory")
	}
	if info.Size() > maxSize {
		return nil, fmt.Errorf("file is %d bytes, over the limit of %d bytes", info.Size(), maxSize)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot be read: %v", unwrapPath(err))
	}
	if int64(len(data)) > maxSize {
		return nil, fmt.Errorf("file is over the limit of %d bytes", maxSize)
	}
	return data, nil
}

// unwrapPath drops the *PathError wrapper: the path is logged separately.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Near-duplicate detection: 3-word shingles, a 64-bin one-permutation
// MinHash signature per article, and LSH with 8 bands of 8 rows, so that
// only articles sharing a band are compared (near O(n)). Candidates are
// confirmed on the exact shingle Jaccard similarity.
const (
	shingleWords     = 3
	minhashBins      = 64
	lshRows          = 8
	lshBands         = minhashBins / lshRows
	nearDupThreshold = 0.9
	// maxFoldCandidates bounds the comparisons per article when many
	// articles share bands (templated texts), keeping the fold near O(n).
	maxFoldCandidates = 32
)

// cancelCheckEvery is how many items the long loops of loading and
// indexing (folding, assigning term ids) handle between two checks of
// their context: a few milliseconds of work.
const cancelCheckEvery = 256

// foldNearDuplicates keeps one article of each group of identical or
// near-identical articles, going through arts in order (sorted by source),
// so the first source of a group is kept. It checks ctx every
// cancelCheckEvery articles and returns ctx.Err() once it has ended.
func foldNearDuplicates(ctx context.Context, arts []Article, logger *slog.Logger) ([]Article, map[ArticleID][]string, error) {
	folded := map[ArticleID][]string{}
	kept := make([]Article, 0, len(arts))
	byHash := make(map[string]int, len(arts))
	// LSH buckets as linked lists: buckets maps a band key to its newest
	// entry, entries[i].next links to the one before (-1 ends).
	type entry struct{ rep, next int32 }
	buckets := make(map[uint64]int32, len(arts)*lshBands)
	entries := make([]entry, 0, len(arts)*lshBands)
	fold := func(k int, a *Article, similarity float64) {
		rep := &kept[k]
		folded[rep.ID] = append(folded[rep.ID], a.Source)
		rep.AlsoIn = append(rep.AlsoIn, copyOf(a))
		rep.AlsoIn = append(rep.AlsoIn, a.AlsoIn...)
		for _, h := range a.TopicHints {
			if !slices.Contains(rep.TopicHints, h) {
				rep.TopicHints = append(rep.TopicHints, h)
			}
		}
		logger.Info("folded near-identical article", "kept_id", rep.ID, "kept_source", rep.Source,
			"folded_id", a.ID, "folded_source", a.Source, "similarity", similarity)
	}
	// the shingles of recently compared kept articles: in templated sets the
	// same newest bucket entries are compared again and again
	const shingleCache = 4096
	cached := make(map[int32][]uint64, shingleCache)
	var order []int32
	keptShingles := func(k int32) []uint64 {
		if sh, ok := cached[k]; ok {
			return sh
		}
		sh := shingleSet(&kept[k])
		if len(order) == shingleCache {
			delete(cached, order[0])
			order = order[1:]
		}
		cached[k] = sh
		order = append(order, k)
		return sh
	}
	for i := range arts {
		if i%cancelCheckEvery == 0 && ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		a := &arts[i]
		if k, ok := byHash[a.Hash]; ok {
			fold(k, a, 1)
			continue
		}
		sh := shingleSet(a)
		sig := minhashSignature(sh)
		var keys [lshBands]uint64
		match := -1
		best := 0.0
		var seen []int32 // the few kept articles compared already
		for b := range lshBands {
			keys[b] = bandKey(b, sig[b*lshRows:(b+1)*lshRows])
			head, ok := buckets[keys[b]]
			if !ok || len(seen) >= maxFoldCandidates {
				continue // the keys of every band are still needed below
			}
			// stop walking at the cap: templated texts put thousands of
			// articles in one bucket, and walking it all is O(n) each
			for e := head; e >= 0 && len(seen) < maxFoldCandidates; e = entries[e].next {
				k := entries[e].rep
				if slices.Contains(seen, k) {
					continue
				}
				seen = append(seen, k)
				if s := jaccard(sh, keptShingles(k)); s >= nearDupThreshold && s > best {
					match, best = int(k), s
				}
			}
		}
		if match >= 0 {
			fold(match, a, best)
			continue
		}
		k := int32(len(kept))
		kept = append(kept, *a)
		// clipped: appending a fold must not write into arts' backing array
		kept[k].AlsoIn = slices.Clip(a.AlsoIn)
		kept[k].TopicHints = slices.Clip(a.TopicHints)
		byHash[a.Hash] = int(k)
		for _, key := range keys {
			next, ok := buckets[key]
			if !ok {
				next = -1
			}
			buckets[key] = int32(len(entries))
			entries = append(entries, entry{rep: k, next: next})
		}
	}
	for id := range folded {
		slices.Sort(folded[id])
	}
	return kept, folded, nil
}

// shingleSet returns the sorted, distinct hashes of the article's
// shingleWords-word shingles (one shingle of all words for short texts).
func shingleSet(a *Article) []uint64 {
	var words []uint64
	for _, p := range a.Paragraphs {
		words = appendWordHashes(words, p.Text)
	}
	if len(words) == 0 {
		return nil
	}
	n := max(len(words)-shingleWords+1, 1)
	out := make([]uint64, 0, n)
	for i := range n {
		h := uint64(0x9e3779b97f4a7c15)
		for _, w := range words[i:min(i+shingleWords, len(words))] {
			h = mix64(h ^ w)
		}
		out = append(out, h)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// appendWordHashes appends an FNV-1a hash of every word of s, folded as
// appendLoose folds it, to dst.
func appendWordHashes(dst []uint64, s string) []uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	var buf [8]byte
	h, inWord := uint64(offset), false
	for _, r := range s {
		if !analysis.IsWordRune(r) {
			if inWord {
				dst = append(dst, h)
				h, inWord = offset, false
			}
			continue
		}
		inWord = true
		for _, c := range appendLoose(buf[:0], string(r)) {
			h = (h ^ uint64(c)) * prime
		}
	}
	if inWord {
		dst = append(dst, h)
	}
	return dst
}

// mix64 is the SplitMix64 finaliser.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// minhashSignature is a one-permutation MinHash: each shingle hash goes to
// one of minhashBins bins by its top bits and the bin keeps the smallest
// rest; empty bins borrow from the next filled bin (rotation densification).
func minhashSignature(sh []uint64) [minhashBins]uint64 {
	const empty = ^uint64(0)
	var sig [minhashBins]uint64
	for i := range sig {
		sig[i] = empty
	}
	shift := 64 - bits.Len(minhashBins-1)
	for _, h := range sh {
		m := mix64(h + 0x632be59bd9b4e019)
		bin := m >> shift
		if v := m << (64 - shift) >> (64 - shift); v < sig[bin] {
			sig[bin] = v
		}
	}
	filled := false
	for _, v := range sig {
		if v != empty {
			filled = true
			break
		}
	}
	if !filled {
		return sig
	}
	out := sig
	for i := range out {
		if sig[i] != empty {
			continue
		}
		for d := 1; ; d++ {
			if v := sig[(i+d)%minhashBins]; v != empty {
				out[i] = v + uint64(d)<<58
				break
			}
		}
	}
	return out
}

func bandKey(band int, rows []uint64) uint64 {
	h := mix64(uint64(band) + 1)
	for _, r := range rows {
		h = mix64(h ^ r)
	}
	return h
}

// jaccard is |a∩b| / |a∪b| of two sorted sets.
func jaccard(a, b []uint64) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	inter, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}
