package briefings

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"
	"time"
	"unsafe"
)

// A segment is the article set and its index in one block of memory laid
// out as flat arrays: the article records (text stored once, sentences
// and paragraphs as offsets into it), the sentences' term ids, the
// postings and the term dictionary. It is a file written once by
// segmentWriter and then mapped into memory (mmap), so a large archive
// costs page cache rather than Go heap, and a saved one opens in the time
// it takes to check it.
//
// File layout (all integers in the writing machine's byte order, which the
// header records; a file from another byte order is refused):
//
//	header (segHeaderSize bytes): magic, version, byte-order mark, counts,
//	  corpus statistics, content hash, section table, body CRC, header CRC
//	sections, each aligned to 8 bytes, in the order of the seg* constants
type segment struct {
	data []byte
	hdr  segHeader

	recOff    []uint64 // doc -> offset of its record in records; docs+1
	records   []byte
	dates     []uint32 // doc -> packed Date (year<<9 | month<<5 | day)
	added     []int64  // doc -> Added in Unix nanoseconds; 0: zero time
	artLen    []float32
	sentStart []uint32 // doc -> first global sentence; docs+1
	sentOff   []uint32 // global sentence -> offset into sentTerms; sents+1
	sentTerms []uint32
	postOff   []uint64 // term -> offset into post; terms+1
	post      []posting
	sentDF    []uint32
	maxImpact []float32
	termOff   []uint32 // i-th term in byte order -> offset in termBytes; terms+1
	termBytes []byte
	termIDs   []uint32 // i-th term in byte order -> term id
	docHash   []docHash
	globalIDs []uint32 // delta: local term id -> global id
	dead      []uint32 // delta: base docs removed
}

// Section numbers, in file order.
const (
	segRecords = iota
	segRecOff
	segDates
	segAdded
	segArtLen
	segSentStart
	segSentOff
	segSentTerms
	segPostOff
	segPost
	segSentDF
	segMaxImpact
	segTermOff
	segTermBytes
	segTermIDs
	segDocHash   // doc -> docHash of its record
	segGlobalIDs // delta: term -> its id across base and delta; none in a base
	segDead      // delta: the base's docs it removes or replaces, ascending
	segSections
)

const (
	segMagic = "BRFBSEG\x00"
	// segVersion changes whenever the layout or the analysis behind the
	// term ids does: a file of another version is rebuilt, never read.
	segVersion    = 3
	segByteOrder  = 0x01020304
	segHeaderSize = 640

	segKindBase  = 0
	segKindDelta = 1
)

// docHash fingerprints one article record (see segDocHash): a changed
// article is told from an unchanged one without reading its record.
type docHash [16]byte

func hashRecord(rec []byte) docHash {
	s := sha256.Sum256(rec)
	return docHash(s[:16])
}

type segSection struct{ Off, Len uint64 }

type segHeader struct {
	Magic     [8]byte
	Version   uint32
	ByteOrder uint32
	Docs      uint64
	Sents     uint64
	Terms     uint64
	Postings  uint64
	SentTerms uint64
	AvgArt    float64
	AvgSent   float64
	MaxNorm   float64
	// Content is the SHA-256 of the article records in doc order: two
	// segments with the same Content hold the same articles, field for
	// field.
	Content [32]byte
	// A delta segment extends a base: it holds the articles added or
	// changed since the base was built (docs numbered from DocBase in
	// postings, sentences from SentBase, new terms from TermBase) and lists
	// the base's docs that are gone.
	Kind     uint32 // segKindBase or segKindDelta
	DocBase  uint64
	SentBase uint64
	TermBase uint64
	Base     [32]byte // the base's Content
	Sections [segSections]segSection
	// SecCRC is each section's CRC-32C (its bytes, not the padding).
	SecCRC [segSections]uint32
	HdrCRC uint32 // CRC-32C of the header up to here
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func init() {
	if unsafe.Sizeof(segHeader{}) > segHeaderSize {
		panic("segment header outgrew its space")
	}
	if unsafe.Sizeof(posting{}) != 8 {
		panic("posting is not 8 bytes")
	}
}

func (h *segHeader) bytes() []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(h)), unsafe.Sizeof(*h))
}

// hdrCRC is the CRC of the header without its own CRC field.
func (h *segHeader) hdrCRC() uint32 {
	b := h.bytes()
	return crc32.Checksum(b[:unsafe.Offsetof(h.HdrCRC)], castagnoli)
}

// ErrSegmentFormat says a saved index is not one this build can read
// (another version, another byte order, or damaged): it is rebuilt.
var ErrSegmentFormat = errors.New("saved index unreadable")

// view reinterprets a section of data as a slice of T (data is 8-byte
// aligned and each section starts at a multiple of 8).
func view[T any](data []byte, s segSection) []T {
	var zero T
	size := uint64(unsafe.Sizeof(zero))
	if s.Len == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&data[s.Off])), s.Len/size)
}

// openSegmentData checks data (a whole segment file) and returns the
// segment over it. It checks the header, the sections' places and the
// offset tables, not the sections' checksums (verifySections does).
func openSegmentData(data []byte) (*segment, error) {
	if len(data) < segHeaderSize {
		return nil, fmt.Errorf("%w: %d bytes is shorter than its header", ErrSegmentFormat, len(data))
	}
	if uintptr(unsafe.Pointer(&data[0]))%8 != 0 {
		return nil, errors.New("segment data is not 8-byte aligned")
	}
	var h segHeader
	copy(h.bytes(), data)
	switch {
	case string(h.Magic[:]) != segMagic:
		return nil, fmt.Errorf("%w: not a briefbot index", ErrSegmentFormat)
	case h.ByteOrder != segByteOrder:
		return nil, fmt.Errorf("%w: written on a machine of another byte order", ErrSegmentFormat)
	case h.Version != segVersion:
		return nil, fmt.Errorf("%w: format version %d, this build reads %d", ErrSegmentFormat, h.Version, segVersion)
	case h.hdrCRC() != h.HdrCRC:
		return nil, fmt.Errorf("%w: header checksum mismatch", ErrSegmentFormat)
	}
	sz := func(n uint64, elem uintptr) uint64 { return n * uint64(elem) }
	want := [segSections]uint64{
		segRecords:   math.MaxUint64, // any
		segRecOff:    sz(h.Docs+1, 8),
		segDates:     sz(h.Docs, 4),
		segAdded:     sz(h.Docs, 8),
		segArtLen:    sz(h.Docs, 4),
		segSentStart: sz(h.Docs+1, 4),
		segSentOff:   sz(h.Sents+1, 4),
		segSentTerms: sz(h.SentTerms, 4),
		segPostOff:   sz(h.Terms+1, 8),
		segPost:      sz(h.Postings, 8),
		segSentDF:    sz(h.Terms, 4),
		segMaxImpact: sz(h.Terms, 4),
		segTermOff:   sz(h.Terms+1, 4),
		segTermBytes: math.MaxUint64,
		segTermIDs:   sz(h.Terms, 4),
		segDocHash:   sz(h.Docs, 16),
		segGlobalIDs: 0,
		segDead:      math.MaxUint64,
	}
	switch h.Kind {
	case segKindBase:
		want[segDead] = 0
	case segKindDelta:
		want[segGlobalIDs] = sz(h.Terms, 4)
	default:
		return nil, fmt.Errorf("%w: unknown kind %d", ErrSegmentFormat, h.Kind)
	}
	end := uint64(segHeaderSize)
	for i, s := range h.Sections {
		if s.Off%8 != 0 || s.Off < end || s.Off > uint64(len(data)) || s.Len > uint64(len(data))-s.Off ||
			(want[i] != math.MaxUint64 && s.Len != want[i]) {
			return nil, fmt.Errorf("%w: section %d out of place", ErrSegmentFormat, i)
		}
		end = s.Off + s.Len
	}
	g := &segment{data: data, hdr: h}
	g.recOff = view[uint64](data, h.Sections[segRecOff])
	g.records = data[h.Sections[segRecords].Off : h.Sections[segRecords].Off+h.Sections[segRecords].Len]
	g.dates = view[uint32](data, h.Sections[segDates])
	g.added = view[int64](data, h.Sections[segAdded])
	g.artLen = view[float32](data, h.Sections[segArtLen])
	g.sentStart = view[uint32](data, h.Sections[segSentStart])
	g.sentOff = view[uint32](data, h.Sections[segSentOff])
	g.sentTerms = view[uint32](data, h.Sections[segSentTerms])
	g.postOff = view[uint64](data, h.Sections[segPostOff])
	g.post = view[posting](data, h.Sections[segPost])
	g.sentDF = view[uint32](data, h.Sections[segSentDF])
	g.maxImpact = view[float32](data, h.Sections[segMaxImpact])
	g.termOff = view[uint32](data, h.Sections[segTermOff])
	tb := h.Sections[segTermBytes]
	g.termBytes = data[tb.Off : tb.Off+tb.Len]
	g.termIDs = view[uint32](data, h.Sections[segTermIDs])
	g.docHash = view[docHash](data, h.Sections[segDocHash])
	g.globalIDs = view[uint32](data, h.Sections[segGlobalIDs])
	g.dead = view[uint32](data, h.Sections[segDead])
	if h.Sections[segDead].Len%4 != 0 || !slices.IsSorted(g.dead) {
		return nil, fmt.Errorf("%w: removed articles out of order", ErrSegmentFormat)
	}
	// the offset tables index the other sections: check they stay inside
	// them, so a reader can trust every slice expression they give
	if !monotone(g.recOff, uint64(len(g.records))) || !monotone(g.sentStart, h.Sents) ||
		!monotone(g.sentOff, h.SentTerms) || !monotone(g.postOff, h.Postings) ||
		!monotone(g.termOff, uint64(len(g.termBytes))) {
		return nil, fmt.Errorf("%w: offsets out of order", ErrSegmentFormat)
	}
	return g, nil
}

// monotone reports whether off starts at 0, never decreases and ends at
// last.
func monotone[T uint32 | uint64](off []T, last uint64) bool {
	if len(off) == 0 || off[0] != 0 || uint64(off[len(off)-1]) != last {
		return false
	}
	for i := 1; i < len(off); i++ {
		if off[i] < off[i-1] {
			return false
		}
	}
	return true
}

// docs is the number of articles.
func (g *segment) docs() int { return int(g.hdr.Docs) }

// record is doc's encoded article.
func (g *segment) record(doc int) []byte { return g.records[g.recOff[doc]:g.recOff[doc+1]] }

// date and addedAt are doc's Date and Added without decoding its record.
func (g *segment) date(doc int) Date { return unpackDate(g.dates[doc]) }

func (g *segment) addedAt(doc int) time.Time {
	if ns := g.added[doc]; ns != 0 {
		return time.Unix(0, ns).UTC()
	}
	return time.Time{}
}

// id is doc's article ID.
func (g *segment) id(doc int) ArticleID {
	b, _ := recString(g.record(doc))
	return ArticleID(b)
}

// find returns the doc of the article with the given ID (docs are in ID
// order).
func (g *segment) find(id ArticleID) (int, bool) {
	lo, hi := 0, g.docs()
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		b, _ := recString(g.record(m))
		if string(b) < string(id) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < g.docs() {
		if b, _ := recString(g.record(lo)); string(b) == string(id) {
			return lo, true
		}
	}
	return 0, false
}

// term returns the id of a stem.
func (g *segment) term(stem string) (uint32, bool) {
	n := len(g.termIDs)
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if string(g.termBytes[g.termOff[m]:g.termOff[m+1]]) < stem {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < n && string(g.termBytes[g.termOff[lo]:g.termOff[lo+1]]) == stem {
		return g.termIDs[lo], true
	}
	return 0, false
}

func packDate(d Date) uint32 {
	if d.Year < 0 || d.Year > 1<<22 {
		return 0
	}
	return uint32(d.Year)<<9 | uint32(d.Month&15)<<5 | uint32(d.Day&31)
}

func unpackDate(v uint32) Date {
	return Date{Year: int(v >> 9), Month: int(v >> 5 & 15), Day: int(v & 31)}
}

// Article records. Strings are a uvarint length and the bytes; the body
// is the paragraphs' texts joined, which the paragraphs and sentences
// index into, so the text is stored once.
//
//	ID Source Title URL Publisher Author Hash  (strings)
//	date year, month, day (uvarints); added (varint Unix ns, 0: zero)
//	paragraphs: count, then per paragraph its length and heading flag
//	body (string)
//	sentences: count, then per sentence its paragraph (varint) and either
//	  0, start, end (uvarint offsets in the paragraph's text) or 1 and its
//	  own text, when it is not part of the paragraph's

// also-in copies: count, then per copy ID Source Publisher Title URL
//
//	(strings) and date
//
// topic hints: count, then strings
func appendRecord(b []byte, a *Article) []byte {
	for _, s := range [...]string{string(a.ID), a.Source, a.Title, a.URL, a.Publisher, a.Author, a.Hash} {
		b = appendRecString(b, s)
	}
	b = appendRecDate(b, a.Date)
	b = binary.AppendVarint(b, addedNanos(a.Added))
	b = binary.AppendUvarint(b, uint64(len(a.Paragraphs)))
	body := 0
	for _, p := range a.Paragraphs {
		b = binary.AppendUvarint(b, uint64(len(p.Text)))
		if p.Heading {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
		body += len(p.Text)
	}
	b = binary.AppendUvarint(b, uint64(body))
	for _, p := range a.Paragraphs {
		b = append(b, p.Text...)
	}
	b = binary.AppendUvarint(b, uint64(len(a.Sentences)))
	for _, s := range a.Sentences {
		b = binary.AppendVarint(b, int64(s.Paragraph))
		if s.Paragraph >= 0 && s.Paragraph < len(a.Paragraphs) {
			if start, end, ok := within(a.Paragraphs[s.Paragraph].Text, s.Text); ok {
				b = append(b, 0)
				b = binary.AppendUvarint(b, uint64(start))
				b = binary.AppendUvarint(b, uint64(end))
				continue
			}
		}
		// not part of its paragraph's text (articles made by hand): its own
		b = append(b, 1)
		b = appendRecString(b, s.Text)
	}
	b = binary.AppendUvarint(b, uint64(len(a.AlsoIn)))
	for _, c := range a.AlsoIn {
		for _, s := range [...]string{string(c.ID), c.Source, c.Publisher, c.Title, c.URL} {
			b = appendRecString(b, s)
		}
		b = appendRecDate(b, c.Date)
	}
	b = binary.AppendUvarint(b, uint64(len(a.TopicHints)))
	for _, h := range a.TopicHints {
		b = appendRecString(b, h)
	}
	return b
}

// within locates s in text: by its memory when s is a substring of text
// (as the parser makes sentences), else by search.
func within(text, s string) (start, end int, ok bool) {
	if len(s) == 0 {
		return 0, 0, true
	}
	if len(text) > 0 {
		tp, sp := uintptr(unsafe.Pointer(unsafe.StringData(text))), uintptr(unsafe.Pointer(unsafe.StringData(s)))
		if sp >= tp && sp+uintptr(len(s)) <= tp+uintptr(len(text)) {
			start = int(sp - tp)
			return start, start + len(s), true
		}
	}
	for i := 0; i+len(s) <= len(text); i++ {
		if text[i:i+len(s)] == s {
			return i, i + len(s), true
		}
	}
	return 0, 0, false
}

func addedNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	if ns := t.UnixNano(); ns != 0 {
		return ns
	}
	return 1 // the epoch itself: one nanosecond off rather than lost
}

func appendRecString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendRecDate(b []byte, d Date) []byte {
	b = binary.AppendUvarint(b, uint64(max(d.Year, 0)))
	b = binary.AppendUvarint(b, uint64(max(d.Month, 0)))
	return binary.AppendUvarint(b, uint64(max(d.Day, 0)))
}

// recReader decodes a record; the first error sticks.
type recReader struct {
	b   []byte
	err error
	// src, when set, is a copy of the whole record (total bytes) that
	// str slices its strings from: one allocation for all of them
	src   string
	total int
}

var errRecord = errors.New("damaged article record")

func (r *recReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errRecord
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *recReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errRecord
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *recReader) bytes(n uint64) []byte {
	if r.err != nil || n > uint64(len(r.b)) {
		r.err = errRecord
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

// str copies a string out of the record (records may be mapped memory,
// which must not outlive the segment).
func (r *recReader) str() string {
	n := r.uvarint()
	start := r.total - len(r.b)
	b := r.bytes(n)
	switch {
	case r.err != nil:
		return ""
	case r.src != "":
		return r.src[start : start+len(b)]
	}
	return string(b)
}

func (r *recReader) date() Date {
	return Date{Year: int(r.uvarint()), Month: int(r.uvarint()), Day: int(r.uvarint())}
}

// count reads a count of items of at least min bytes each, refusing one
// the rest of the record cannot hold.
func (r *recReader) count(minBytes int) int {
	n := r.uvarint()
	if n > uint64(len(r.b)/minBytes) {
		r.err = errRecord
		return 0
	}
	return int(n)
}

// recString returns the first string of a record (its ID) in place.
func recString(b []byte) ([]byte, error) {
	r := recReader{b: b}
	s := r.bytes(r.uvarint())
	return s, r.err
}

// decodeRecord makes the Article a record encodes, in fresh memory.
func decodeRecord(rec []byte) (*Article, error) {
	r := &recReader{b: rec, src: string(rec), total: len(rec)}
	a := &Article{}
	a.ID = ArticleID(r.str())
	a.Source, a.Title, a.URL, a.Publisher, a.Author, a.Hash = r.str(), r.str(), r.str(), r.str(), r.str(), r.str()
	a.Date = r.date()
	if ns := r.varint(); ns != 0 {
		a.Added = time.Unix(0, ns).UTC()
	}
	np := r.count(2)
	var lensBuf [32]int
	lens := lensBuf[:0]
	if np > 0 {
		a.Paragraphs = make([]Paragraph, np)
	}
	for i := range np {
		lens = append(lens, int(r.uvarint()))
		hb := r.bytes(1)
		a.Paragraphs[i].Heading = len(hb) == 1 && hb[0] == 1
	}
	body := r.str()
	off := 0
	for i := range np {
		if off+lens[i] > len(body) || lens[i] < 0 {
			return nil, errRecord
		}
		a.Paragraphs[i].Text = body[off : off+lens[i]]
		off += lens[i]
	}
	if ns := r.count(3); ns > 0 {
		a.Sentences = make([]Sentence, ns)
		for i := range a.Sentences {
			p := r.varint()
			if kind := r.bytes(1); len(kind) == 1 && kind[0] == 1 {
				a.Sentences[i] = Sentence{Text: r.str(), Paragraph: int(p)}
				continue
			}
			start, end := r.uvarint(), r.uvarint()
			if r.err != nil || p < 0 || p >= int64(np) || start > end || end > uint64(len(a.Paragraphs[p].Text)) {
				return nil, errRecord
			}
			a.Sentences[i] = Sentence{Text: a.Paragraphs[p].Text[start:end], Paragraph: int(p)}
		}
	}
	if nc := r.count(8); nc > 0 {
		a.AlsoIn = make([]Copy, nc)
		for i := range a.AlsoIn {
			c := &a.AlsoIn[i]
			c.ID = ArticleID(r.str())
			c.Source, c.Publisher, c.Title, c.URL = r.str(), r.str(), r.str(), r.str()
			c.Date = r.date()
		}
	}
	if nh := r.count(1); nh > 0 {
		a.TopicHints = make([]string, nh)
		for i := range a.TopicHints {
			a.TopicHints[i] = r.str()
		}
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, errRecord
	}
	return a, nil
}

// segmentFile writes a segment to a file: sections in order, each padded
// to 8 bytes, their CRCs computed on the way, the header last.
type segmentFile struct {
	f    *os.File
	w    *bufio.Writer
	off  uint64
	hdr  segHeader
	next int   // the next section to write
	err  error // the first failure: later writes do nothing, finish reports it
}

func newSegmentFile(f *os.File) (*segmentFile, error) {
	if _, err := f.Seek(segHeaderSize, io.SeekStart); err != nil {
		return nil, err
	}
	sf := &segmentFile{f: f, off: segHeaderSize}
	sf.w = bufio.NewWriterSize(f, 1<<20)
	return sf, nil
}

// begin starts section i at the next 8-byte boundary.
func (sf *segmentFile) begin(i int) {
	if sf.err != nil {
		return
	}
	if i != sf.next {
		sf.err = fmt.Errorf("segment sections out of order: %d after %d", i, sf.next-1)
		return
	}
	if pad := (8 - sf.off%8) % 8; pad > 0 {
		n, err := sf.w.Write(make([]byte, pad))
		sf.off += uint64(n)
		if err != nil {
			sf.err = err
			return
		}
	}
	sf.next++
	sf.hdr.Sections[i] = segSection{Off: sf.off}
}

// write appends b to the open section.
func (sf *segmentFile) write(b []byte) {
	if sf.err != nil {
		return
	}
	n, err := sf.w.Write(b)
	sf.off += uint64(n)
	if sec := sf.next - 1; sec >= 0 {
		sf.hdr.Sections[sec].Len = sf.off - sf.hdr.Sections[sec].Off
		sf.hdr.SecCRC[sec] = crc32.Update(sf.hdr.SecCRC[sec], castagnoli, b[:n])
	}
	sf.err = err
}

// writeSection writes a whole section from a slice.
func writeSection[T any](sf *segmentFile, i int, v []T) {
	sf.begin(i)
	sf.write(asBytes(v))
}

func asBytes[T any](v []T) []byte {
	if len(v) == 0 {
		return nil
	}
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), uintptr(len(v))*unsafe.Sizeof(zero))
}

// finish writes the header and syncs the file.
func (sf *segmentFile) finish() error {
	if sf.err != nil {
		return sf.err
	}
	if sf.next != segSections {
		return fmt.Errorf("segment has %d of %d sections", sf.next, segSections)
	}
	if err := sf.w.Flush(); err != nil {
		return err
	}
	h := &sf.hdr
	copy(h.Magic[:], segMagic)
	h.Version, h.ByteOrder = segVersion, segByteOrder
	h.HdrCRC = h.hdrCRC()
	buf := make([]byte, segHeaderSize)
	copy(buf, h.bytes())
	if _, err := sf.f.WriteAt(buf, 0); err != nil {
		return err
	}
	return sf.f.Sync()
}

// contentHash hashes the docs' record hashes in doc order (see
// segHeader.Content).
type contentHash struct{ h hash.Hash }

func newContentHash() contentHash { return contentHash{sha256.New()} }

func (c contentHash) add(d docHash) { c.h.Write(d[:]) }

func (c contentHash) sum() (s [32]byte) {
	copy(s[:], c.h.Sum(nil))
	return s
}

// EncodeArticle encodes a in the compact form the index stores it in
// (every field, Added to the nanosecond, in UTC).
func EncodeArticle(a *Article) []byte { return appendRecord(nil, a) }

// DecodeArticle decodes what EncodeArticle wrote; a damaged or cut record
// is an error.
func DecodeArticle(b []byte) (*Article, error) { return decodeRecord(b) }

// The sections a reader can trust without their checksums for a while:
// their bytes are decoded with bounds checks (records) or only compared
// (sentence terms), so damage garbles text but cannot crash a reader.
// They are the bulk of a segment; OpenIndex checks them in the background.
var lateSections = []int{segRecords, segSentTerms}

// verifySections checks the CRCs of the sections of h in which (all when
// nil), reading f rather than the mapping so that the check does not make
// the file resident in the process. It honours ctx between reads.
func verifySections(ctx context.Context, f *os.File, h *segHeader, which []int) error {
	if which == nil {
		for i := range segSections {
			which = append(which, i)
		}
	}
	buf := make([]byte, 1<<20)
	for _, i := range which {
		sec := h.Sections[i]
		var crc uint32
		for off := sec.Off; off < sec.Off+sec.Len; {
			if err := ctx.Err(); err != nil {
				return err
			}
			n := min(uint64(len(buf)), sec.Off+sec.Len-off)
			if _, err := f.ReadAt(buf[:n], int64(off)); err != nil {
				return fmt.Errorf("%w: section %d: %v", ErrSegmentFormat, i, err)
			}
			crc = crc32.Update(crc, castagnoli, buf[:n])
			off += n
		}
		if crc != h.SecCRC[i] {
			return fmt.Errorf("%w: checksum mismatch in section %d (damaged file)", ErrSegmentFormat, i)
		}
	}
	return nil
}

// earlySections are the sections not in lateSections.
func earlySections() []int {
	var out []int
	for i := range segSections {
		if !slices.Contains(lateSections, i) {
			out = append(out, i)
		}
	}
	return out
}
