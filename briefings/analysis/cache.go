package analysis

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// CacheStore keeps encoded annotations by key, across restarts; the SQLite
// store (internal/store) implements it. Both methods must be safe for
// concurrent use. GetAnnotations returns only the keys it has.
type CacheStore interface {
	GetAnnotations(ctx context.Context, keys []string) (map[string][]byte, error)
	PutAnnotations(ctx context.Context, values map[string][]byte) error
}

// CacheOption configures Cached.
type CacheOption func(*Cache)

// CacheLogger sends the cache's log (store failures and recoveries) to l.
func CacheLogger(l *slog.Logger) CacheOption {
	return func(c *Cache) {
		if l != nil {
			c.log = l
		}
	}
}

// Cache is an Analyzer that remembers another one's sentences: in memory
// (least recently used first out) and in a CacheStore. See Cached.
type Cache struct {
	inner    Analyzer
	store    CacheStore
	prefix   string // what, besides the text, goes into a key
	capacity int
	log      *slog.Logger

	mu    sync.Mutex
	order *list.List               // of *cacheEntry, most recently used first
	items map[string]*list.Element // by key
	stats CacheStats
	// The store's health, so a broken store is logged when it breaks, every
	// storeLogEvery while it stays broken, and when it recovers.
	storeDown     bool
	storeLoggedAt time.Time
}

type cacheEntry struct {
	key string
	val []byte
}

// CacheStats counts a Cache's lookups since Cached.
type CacheStats struct {
	Hits        int // sentences answered from memory
	StoreHits   int // sentences answered from the store
	Misses      int // sentences sent to the inner Analyzer
	StoreErrors int // failed store calls (each treated as all misses, or not stored)
	Entries     int // sentences in memory now
}

// innerBatch bounds the sentences of one call to the inner Analyzer.
const innerBatch = 256

// storeLogEvery is how often a store that stays broken is logged again.
const storeLogEvery = 10 * time.Minute

// encodingVersion is the first byte of every encoded Sentence, and part of
// every key: a new encoding starts a new cache.
const encodingVersion = 1

// Cached returns an Analyzer that answers sentences it has seen from memory
// (at most capacity sentences; none when capacity ≤ 0) or from store (nil
// for none), and sends only the others to inner, each once, in calls of at
// most 256 sentences whose results are stored as soon as they return. A key
// is a hash of the encoding version, inner's Name and Version (see
// Versioner) and the sentence text. A store that fails is logged (when it
// starts and stops failing) and treated as empty: answers never fail
// because of the cache. An error of inner is returned as it is.
//
// Put Cached in front of each analyser, not in front of a Fallback: the
// key must name the analyser that produced the annotations.
func Cached(inner Analyzer, store CacheStore, capacity int, opts ...CacheOption) *Cache {
	prefix := fmt.Sprintf("analysis-cache-v%d\x00%s\x00", encodingVersion, inner.Name())
	if v, ok := inner.(Versioner); ok {
		prefix += v.Version()
	}
	c := &Cache{
		inner:    inner,
		store:    store,
		prefix:   prefix + "\x00",
		capacity: capacity,
		log:      slog.New(slog.DiscardHandler),
		order:    list.New(),
		items:    make(map[string]*list.Element),
	}
	for _, o := range opts {
		o(c)
	}
	c.log = c.log.With("analyser", inner.Name())
	return c
}

// Name implements Analyzer: inner's name.
func (c *Cache) Name() string { return c.inner.Name() }

// Version implements Versioner: inner's version, or "".
func (c *Cache) Version() string {
	if v, ok := c.inner.(Versioner); ok {
		return v.Version()
	}
	return ""
}

// Ready implements Readier: whether inner is ready (true if it does not
// say). While inner is not, a Fallback uses its other analyser even for
// sentences in the cache.
func (c *Cache) Ready() bool {
	if r, ok := c.inner.(Readier); ok {
		return r.Ready()
	}
	return true
}

// Stats reports the cache's counters.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.stats
	st.Entries = c.order.Len()
	return st
}

// Key is the cache key of sentence text for this cache's analyser.
func (c *Cache) Key(text string) string {
	sum := sha256.Sum256([]byte(c.prefix + text))
	return hex.EncodeToString(sum[:16])
}

// Analyze implements Analyzer. The returned Sentences are the caller's:
// changing them does not change the cache.
func (c *Cache) Analyze(ctx context.Context, sentences []string) ([]Sentence, error) {
	keys := make([]string, len(sentences))
	for i, s := range sentences {
		keys[i] = c.Key(s)
	}
	enc := make(map[string][]byte, len(sentences))
	var missing []string // keys, each once
	c.mu.Lock()
	for _, k := range keys {
		if _, seen := enc[k]; seen {
			continue
		}
		if e, ok := c.items[k]; ok {
			c.order.MoveToFront(e)
			enc[k] = e.Value.(*cacheEntry).val
			c.stats.Hits++
		} else {
			enc[k] = nil
			missing = append(missing, k)
		}
	}
	c.mu.Unlock()

	if len(missing) > 0 && c.store != nil {
		got, err := c.store.GetAnnotations(ctx, missing)
		c.storeResult(ctx, "read", err)
		if err == nil {
			var still []string
			for _, k := range missing {
				if v, ok := got[k]; ok && len(v) > 0 {
					enc[k] = v
					c.remember(k, v)
				} else {
					still = append(still, k)
				}
			}
			c.count(func(st *CacheStats) { st.StoreHits += len(missing) - len(still) })
			missing = still
		}
	}

	if len(missing) > 0 {
		want := make(map[string]bool, len(missing))
		for _, k := range missing {
			want[k] = true
		}
		var texts []string
		for i, s := range sentences {
			if want[keys[i]] {
				texts = append(texts, s)
				delete(want, keys[i])
			}
		}
		c.count(func(st *CacheStats) { st.Misses += len(texts) })
		// In parts, each stored when done: a long batch that fails half-way
		// keeps what was analysed.
		for part := range slices.Chunk(texts, innerBatch) {
			got, err := c.inner.Analyze(ctx, part)
			if err != nil {
				return nil, err
			}
			if len(got) != len(part) {
				return nil, fmt.Errorf("analysis by %s: %d sentences in, %d out", c.inner.Name(), len(part), len(got))
			}
			fresh := make(map[string][]byte, len(got))
			for i, s := range got {
				s.Text = part[i]
				v := encodeSentence(s)
				k := c.Key(part[i])
				enc[k] = v
				fresh[k] = v
				c.remember(k, v)
			}
			if c.store != nil {
				err := c.store.PutAnnotations(ctx, fresh)
				c.storeResult(ctx, "write", err)
			}
		}
	}

	out := make([]Sentence, len(sentences))
	var bad []int
	for i, s := range sentences {
		d, err := decodeSentence(enc[keys[i]])
		if err == nil && d.Text != s {
			err = fmt.Errorf("%w: the entry is for another sentence", errBadEncoding)
		}
		if err != nil {
			// Only a damaged store (or a hash collision) gets here: analyse
			// the sentence again rather than answer wrongly.
			c.forget(keys[i])
			c.log.Warn("analysis cache: dropped a damaged entry", "key", keys[i], "error", err)
			bad = append(bad, i)
			continue
		}
		out[i] = d
	}
	if len(bad) > 0 {
		texts := make([]string, len(bad))
		for j, i := range bad {
			texts[j] = sentences[i]
		}
		redo, err := c.inner.Analyze(ctx, texts)
		if err != nil {
			return nil, err
		}
		if len(redo) != len(texts) {
			return nil, fmt.Errorf("analysis by %s: %d sentences in, %d out", c.inner.Name(), len(texts), len(redo))
		}
		for j, i := range bad {
			out[i] = redo[j]
		}
	}
	return out, nil
}

func (c *Cache) count(f func(*CacheStats)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.stats)
}

// remember puts an entry in memory, evicting the least recently used.
func (c *Cache) remember(k string, v []byte) {
	if c.capacity <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		e.Value.(*cacheEntry).val = v
		c.order.MoveToFront(e)
		return
	}
	c.items[k] = c.order.PushFront(&cacheEntry{key: k, val: v})
	for c.order.Len() > c.capacity {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).key)
	}
}

func (c *Cache) forget(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.order.Remove(e)
		delete(c.items, k)
	}
}

// storeResult counts and logs a store call's outcome: a failure when the
// store starts failing and every storeLogEvery after, and the recovery. A
// call that failed because ctx ended says nothing about the store.
func (c *Cache) storeResult(ctx context.Context, op string, err error) {
	if err != nil && ctx.Err() != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	switch {
	case err != nil:
		c.stats.StoreErrors++
		if !c.storeDown || now.Sub(c.storeLoggedAt) >= storeLogEvery {
			c.log.Warn("analysis cache: the store failed; analysing without it", "op", op, "error", err, "failures", c.stats.StoreErrors)
			c.storeLoggedAt = now
		}
		c.storeDown = true
	case c.storeDown:
		c.log.Info("analysis cache: the store works again", "op", op)
		c.storeDown = false
	}
}

// encodeSentence encodes s compactly: the version byte, then Text and each
// Token's fields as length-prefixed strings and varints.
func encodeSentence(s Sentence) []byte {
	n := 1 + binary.MaxVarintLen64 + len(s.Text) + binary.MaxVarintLen64
	for _, t := range s.Tokens {
		n += 8*binary.MaxVarintLen64 + len(t.Text) + len(t.Lemma) + len(t.POS) + len(t.Tag) + len(t.Entity) + len(t.Chunk) + len(t.Rel)
		for _, p := range t.Parts {
			n += binary.MaxVarintLen64 + len(p)
		}
	}
	b := make([]byte, 0, n)
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = append(b, encodingVersion)
	str(s.Text)
	b = binary.AppendUvarint(b, uint64(len(s.Tokens)))
	for _, t := range s.Tokens {
		str(t.Text)
		str(t.Lemma)
		str(t.POS)
		str(t.Tag)
		if t.Parts == nil {
			b = binary.AppendUvarint(b, 0)
		} else {
			b = binary.AppendUvarint(b, uint64(len(t.Parts))+1)
			for _, p := range t.Parts {
				str(p)
			}
		}
		str(t.Entity)
		str(t.Chunk)
		b = binary.AppendVarint(b, int64(t.Head))
		str(t.Rel)
	}
	return b
}

var errBadEncoding = errors.New("damaged cached analysis")

// decodeSentence decodes encodeSentence's output, checking every length
// against the data.
func decodeSentence(b []byte) (Sentence, error) {
	if len(b) == 0 || b[0] != encodingVersion {
		return Sentence{}, fmt.Errorf("%w: unknown encoding", errBadEncoding)
	}
	d := decoder{b: b[1:]}
	s := Sentence{Text: d.str()}
	n := d.count(7) // a token takes at least 7 bytes
	if n > 0 {
		s.Tokens = make([]Token, n)
	}
	for i := range n {
		t := &s.Tokens[i]
		t.Text, t.Lemma, t.POS, t.Tag = d.str(), d.str(), d.str(), d.str()
		if np := d.count(1); np > 0 {
			t.Parts = make([]string, np-1)
			for j := range t.Parts {
				t.Parts[j] = d.str()
			}
		}
		t.Entity, t.Chunk = d.str(), d.str()
		t.Head = d.int()
		t.Rel = d.str()
	}
	if d.err == nil && len(d.b) > 0 {
		d.err = fmt.Errorf("%w: %d bytes left over", errBadEncoding, len(d.b))
	}
	for _, t := range s.Tokens {
		if d.err == nil && t.Head >= len(s.Tokens) {
			d.err = fmt.Errorf("%w: head %d of %d tokens", errBadEncoding, t.Head, len(s.Tokens))
		}
	}
	if d.err != nil {
		return Sentence{}, d.err
	}
	return s, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = fmt.Errorf("%w: bad number", errBadEncoding)
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a count of things that each take at least size bytes.
func (d *decoder) count(size int) int {
	v := d.uvarint()
	if v > uint64(len(d.b)/size)+1 {
		d.err = fmt.Errorf("%w: count %d beyond the data", errBadEncoding, v)
		return 0
	}
	return int(v)
}

func (d *decoder) str() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)) {
		d.err = fmt.Errorf("%w: string beyond the data", errBadEncoding)
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) int() int {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 || v < -1 || v > 1<<31 {
		d.err = fmt.Errorf("%w: bad head", errBadEncoding)
		return 0
	}
	d.b = d.b[n:]
	return int(v)
}
