package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// SyncStats counts what SyncArticles did.
type SyncStats struct{ Added, Updated, Removed, Unchanged int }

// ctxCheckEvery is how many articles the CPU-only loops handle between
// checks of ctx.
const ctxCheckEvery = 1024

// SyncArticles makes the stored articles of collection (for example the
// absolute article directory, or "sample") equal to arts, in one
// transaction: articles with new IDs are inserted with Added = now, changed
// ones (any difference in Hash, metadata, paragraphs or sentences) are
// updated keeping their original Added, and stored ones missing from arts
// are deleted. arts' own Added fields are ignored. An empty or repeated ID
// is an error; on any error, ctx's included, nothing changes.
//
// SyncArticles holds the database's write lock while it writes, which for a
// first load of 100,000 articles takes seconds: this process's other writes
// wait for it, other processes' writes wait up to BusyTimeout.
func (s *SQLite) SyncArticles(ctx context.Context, collection string, arts []briefings.Article, now time.Time) (SyncStats, error) {
	var stats SyncStats
	if err := checkSync(collection, now); err != nil {
		return stats, err
	}
	fail := func(err error) (SyncStats, error) { return SyncStats{}, syncError(ctx, collection, err) }

	// Check the input and fingerprint it before taking the write lock.
	prints, err := syncPrints(ctx, arts)
	if err != nil {
		return fail(err)
	}

	start := time.Now()
	err = s.inWriteTx(ctx, func(tx *sql.Tx) error {
		stored, err := storedPrints(ctx, tx, collection)
		if err != nil {
			return err
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO articles
			(collection, id, source, title, date, url, publisher, hash, body, paragraphs, sentences, sentence_texts,
			 fingerprint, added_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		upd, err := tx.PrepareContext(ctx, `UPDATE articles SET
			source = ?, title = ?, date = ?, url = ?, publisher = ?, hash = ?,
			body = ?, paragraphs = ?, sentences = ?, sentence_texts = ?, fingerprint = ?, updated_at = ?
			WHERE collection = ? AND id = ?`)
		if err != nil {
			return err
		}
		defer upd.Close()
		del, err := tx.PrepareContext(ctx, `DELETE FROM articles WHERE collection = ? AND id = ?`)
		if err != nil {
			return err
		}
		defer del.Close()

		nowText := formatTime(now)
		written := 0
		for i := range arts {
			a := &arts[i]
			old, ok := stored[string(a.ID)]
			if ok {
				delete(stored, string(a.ID))
				if string(old) == string(prints[i]) {
					stats.Unchanged++
					continue
				}
			}
			b, err := encodeBody(a)
			if err != nil {
				return err
			}
			if ok {
				_, err = upd.ExecContext(ctx, a.Source, a.Title, a.Date.String(), a.URL, a.Publisher, a.Hash,
					b.body, b.paragraphs, b.sentences, b.texts, prints[i], nowText, collection, string(a.ID))
				stats.Updated++
			} else {
				_, err = ins.ExecContext(ctx, collection, string(a.ID), a.Source, a.Title, a.Date.String(), a.URL,
					a.Publisher, a.Hash, b.body, b.paragraphs, b.sentences, b.texts, prints[i], nowText, nowText)
				stats.Added++
			}
			if err != nil {
				return fmt.Errorf("article %q: %w", a.ID, err)
			}
			written++
			if s.syncRowHook != nil {
				s.syncRowHook(written)
			}
		}
		for id := range stored {
			if _, err := del.ExecContext(ctx, collection, id); err != nil {
				return fmt.Errorf("remove article %q: %w", id, err)
			}
			stats.Removed++
			written++
			if s.syncRowHook != nil {
				s.syncRowHook(written)
			}
		}
		return nil
	})
	if err != nil {
		return fail(err)
	}
	s.logger.Info("store articles synced", "collection", collection,
		"added", stats.Added, "updated", stats.Updated, "removed", stats.Removed, "unchanged", stats.Unchanged,
		"duration", time.Since(start))
	return stats, nil
}

// checkSync checks SyncArticles' collection and time (of both backends).
func checkSync(collection string, now time.Time) error {
	if collection == "" {
		return fmt.Errorf("store articles: no collection name given")
	}
	if now.IsZero() {
		return fmt.Errorf("store articles of %s: no time given", collection)
	}
	return nil
}

// syncError words a failed SyncArticles of collection (of both backends).
func syncError(ctx context.Context, collection string, err error) error {
	// a cancelled ctx makes database/sql close the transaction's
	// statements under a running write, which then reports only
	// "statement is closed": say why, and let callers see the cause
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("store articles of %s (nothing was changed): %w (%w)", collection, cerr, err)
	}
	return fmt.Errorf("store articles of %s (nothing was changed): %w", collection, err)
}

// syncPrints checks SyncArticles' articles (each has an ID, none twice) and
// returns their fingerprints, in order.
func syncPrints(ctx context.Context, arts []briefings.Article) ([][]byte, error) {
	index := make(map[briefings.ArticleID]int, len(arts))
	prints := make([][]byte, len(arts))
	h := sha256.New()
	var scratch []byte
	for i := range arts {
		if i%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		a := &arts[i]
		if a.ID == "" {
			return nil, fmt.Errorf("article %d (source %q) has no ID", i, a.Source)
		}
		if j, dup := index[a.ID]; dup {
			return nil, fmt.Errorf("article ID %q appears twice, at %d (source %q) and %d (source %q)", a.ID, j, arts[j].Source, i, a.Source)
		}
		index[a.ID] = i
		prints[i], scratch = fingerprint(h, scratch, a)
	}
	return prints, nil
}

// storedPrints maps the IDs of collection's stored articles to their
// fingerprints.
func storedPrints(ctx context.Context, tx *sql.Tx, collection string) (map[string][]byte, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, fingerprint FROM articles WHERE collection = ?`, collection)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string][]byte)
	for rows.Next() {
		var (
			id string
			fp []byte
		)
		if err := rows.Scan(&id, &fp); err != nil {
			return nil, err
		}
		out[id] = fp
	}
	return out, rows.Err()
}

// fingerprint digests everything SyncArticles stores of a but its ID and
// Added, so that equal fingerprints mean nothing needs writing. buf is
// scratch space, returned for reuse.
func fingerprint(h hash.Hash, buf []byte, a *briefings.Article) (sum, scratch []byte) {
	buf = buf[:0]
	str := func(s string) {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	// nil and empty slices are stored differently (JSON null and []), so
	// they fingerprint differently too.
	count := func(isNil bool, n int) {
		if isNil {
			buf = binary.AppendUvarint(buf, 0)
		} else {
			buf = binary.AppendUvarint(buf, uint64(n)+1)
		}
	}
	str(a.Source)
	str(a.Title)
	str(a.Date.String())
	str(a.URL)
	str(a.Publisher)
	str(a.Hash)
	count(a.Paragraphs == nil, len(a.Paragraphs))
	count(a.Sentences == nil, len(a.Sentences))
	for _, p := range a.Paragraphs {
		str(p.Text)
		if p.Heading {
			buf = append(buf, 1)
		} else {
			buf = append(buf, 0)
		}
	}
	for _, st := range a.Sentences {
		str(st.Text)
		buf = binary.AppendVarint(buf, int64(st.Paragraph))
	}
	h.Reset()
	h.Write(buf)
	return h.Sum(nil), buf
}

// paragraphSep separates paragraphs in the body column, as in Article.Body.
const paragraphSep = "\n\n"

// storedBody is an article's text as the articles table keeps it: the body
// once, and paragraphs and sentences as byte ranges of it, so that reading
// it back costs one string per article and sentences share its memory.
type storedBody struct {
	body       string
	paragraphs string         // JSON [[length, heading], ...] or null
	sentences  string         // JSON [[paragraph, start, end], ...] or null
	texts      sql.NullString // JSON ["text", ...]: sentences found nowhere in their paragraph
}

// encodeBody renders a's paragraphs and sentences for the articles table.
func encodeBody(a *briefings.Article) (storedBody, error) {
	var out storedBody
	size := 0
	for _, p := range a.Paragraphs {
		size += len(p.Text) + len(paragraphSep)
	}
	var body strings.Builder
	body.Grow(size)
	js := make([]byte, 0, 8*len(a.Paragraphs)+2)
	if a.Paragraphs == nil {
		js = append(js, "null"...)
	} else {
		js = append(js, '[')
		for i, p := range a.Paragraphs {
			if i > 0 {
				body.WriteString(paragraphSep)
				js = append(js, ',')
			}
			body.WriteString(p.Text)
			js = append(js, '[')
			js = strconv.AppendInt(js, int64(len(p.Text)), 10)
			if p.Heading {
				js = append(js, ",1]"...)
			} else {
				js = append(js, ",0]"...)
			}
		}
		js = append(js, ']')
	}
	out.body, out.paragraphs = body.String(), string(js)

	js = js[:0]
	var texts []string
	if a.Sentences == nil {
		js = append(js, "null"...)
	} else {
		js = append(js, '[')
		prevPara, cursor := -1, 0
		for i, st := range a.Sentences {
			if i > 0 {
				js = append(js, ',')
			}
			js = append(js, '[')
			js = strconv.AppendInt(js, int64(st.Paragraph), 10)
			start := -1
			if st.Paragraph >= 0 && st.Paragraph < len(a.Paragraphs) {
				text := a.Paragraphs[st.Paragraph].Text
				if st.Paragraph != prevPara {
					prevPara, cursor = st.Paragraph, 0
				}
				// Sentences follow each other: look after the previous one
				// first, so a repeated sentence gets its own place.
				if k := strings.Index(text[cursor:], st.Text); k >= 0 {
					start = cursor + k
				} else {
					start = strings.Index(text, st.Text)
				}
				if start >= 0 {
					cursor = start + len(st.Text)
				}
			}
			if start >= 0 {
				js = append(js, ',')
				js = strconv.AppendInt(js, int64(start), 10)
				js = append(js, ',')
				js = strconv.AppendInt(js, int64(start+len(st.Text)), 10)
			} else {
				js = append(js, ",-1,"...)
				js = strconv.AppendInt(js, int64(len(texts)), 10)
				texts = append(texts, st.Text)
			}
			js = append(js, ']')
		}
		js = append(js, ']')
	}
	out.sentences = string(js)
	if texts != nil {
		b, err := json.Marshal(texts)
		if err != nil {
			return storedBody{}, fmt.Errorf("article %q: encode sentences: %w", a.ID, err)
		}
		out.texts = sql.NullString{String: string(b), Valid: true}
	}
	return out, nil
}

// decodeBody restores what encodeBody stored. Paragraph and sentence texts
// are substrings of body.
func decodeBody(body string, paragraphs, sentences []byte, texts sql.NullString) ([]briefings.Paragraph, []briefings.Sentence, error) {
	pspans, isNull, err := parseIntRows(paragraphs, 2)
	if err != nil {
		return nil, nil, fmt.Errorf("paragraphs: %w", err)
	}
	var paras []briefings.Paragraph
	if !isNull {
		paras = make([]briefings.Paragraph, len(pspans)/2)
	}
	pos := 0
	for i := range paras {
		if i > 0 {
			pos += len(paragraphSep)
		}
		n := pspans[2*i]
		if n < 0 || pos+n > len(body) {
			return nil, nil, fmt.Errorf("paragraph %d (%d bytes at %d) lies outside the %d-byte body", i, n, pos, len(body))
		}
		paras[i] = briefings.Paragraph{Text: body[pos : pos+n], Heading: pspans[2*i+1] != 0}
		pos += n
	}
	if pos != len(body) {
		return nil, nil, fmt.Errorf("paragraphs cover %d of the body's %d bytes", pos, len(body))
	}

	sspans, isNull, err := parseIntRows(sentences, 3)
	if err != nil {
		return nil, nil, fmt.Errorf("sentences: %w", err)
	}
	var extra []string
	if texts.Valid {
		if err := json.Unmarshal([]byte(texts.String), &extra); err != nil {
			return nil, nil, fmt.Errorf("sentence texts: %w", err)
		}
	}
	var sents []briefings.Sentence
	if !isNull {
		sents = make([]briefings.Sentence, len(sspans)/3)
	}
	for i := range sents {
		p, start, end := sspans[3*i], sspans[3*i+1], sspans[3*i+2]
		sents[i].Paragraph = p
		switch {
		case start == -1 && end >= 0 && end < len(extra):
			sents[i].Text = extra[end]
		case start >= 0 && p >= 0 && p < len(paras) && start <= end && end <= len(paras[p].Text):
			sents[i].Text = paras[p].Text[start:end]
		default:
			return nil, nil, fmt.Errorf("sentence %d ([%d,%d,%d]) points outside its paragraph", i, p, start, end)
		}
	}
	return paras, sents, nil
}

// Articles returns collection's stored articles sorted by ID, with Added,
// Paragraphs and Sentences as stored. An unknown collection has none.
func (s *SQLite) Articles(ctx context.Context, collection string) ([]briefings.Article, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT id, source, title, date, url, publisher, hash, body, paragraphs, sentences, sentence_texts, added_at
		 FROM articles WHERE collection = ? ORDER BY id`, collection)
	if err != nil {
		return nil, fmt.Errorf("read articles of %s: %w", collection, err)
	}
	defer rows.Close()
	var out []briefings.Article
	for rows.Next() {
		if len(out)%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("read articles of %s: %w", collection, err)
			}
		}
		var (
			a                  briefings.Article
			id, date, at, body string
			paras, sents       sql.RawBytes
			texts              sql.NullString
		)
		if err := rows.Scan(&id, &a.Source, &a.Title, &date, &a.URL, &a.Publisher, &a.Hash, &body, &paras, &sents, &texts, &at); err != nil {
			return nil, fmt.Errorf("read articles of %s: %w", collection, err)
		}
		a.ID = briefings.ArticleID(id)
		if err := decodeArticle(&a, date, body, paras, sents, texts); err != nil {
			return nil, fmt.Errorf("read articles of %s: article %q is damaged: %w", collection, id, err)
		}
		if a.Added, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("read articles of %s: article %q is damaged: %w", collection, id, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read articles of %s: %w", collection, err)
	}
	return out, nil
}

// decodeArticle sets a's Date, Paragraphs and Sentences from their stored
// forms (of both backends).
func decodeArticle(a *briefings.Article, date, body string, paragraphs, sentences []byte, texts sql.NullString) error {
	var err error
	if a.Date, err = briefings.ParseDate(date); err != nil {
		return err
	}
	a.Paragraphs, a.Sentences, err = decodeBody(body, paragraphs, sentences, texts)
	return err
}

// parseIntRows parses the span JSON encodeBody writes: null (isNull), or an
// array of arrays of exactly width integers, returned one row after another.
// It is a small special case of encoding/json, several times faster.
func parseIntRows(b []byte, width int) (flat []int, isNull bool, err error) {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil, true, nil
	}
	p := intParser{b: b}
	if !p.byte('[') {
		return nil, false, p.fail("'['")
	}
	flat = make([]int, 0, len(b)/3)
	if !p.byte(']') {
		for {
			if !p.byte('[') {
				return nil, false, p.fail("'['")
			}
			for k := range width {
				if k > 0 && !p.byte(',') {
					return nil, false, p.fail("','")
				}
				n, ok := p.int()
				if !ok {
					return nil, false, p.fail("an integer")
				}
				flat = append(flat, n)
			}
			if !p.byte(']') {
				return nil, false, p.fail(fmt.Sprintf("']' after %d numbers", width))
			}
			if p.byte(',') {
				continue
			}
			if p.byte(']') {
				break
			}
			return nil, false, p.fail("',' or ']'")
		}
	}
	p.space()
	if p.i != len(p.b) {
		return nil, false, p.fail("the end")
	}
	return flat, false, nil
}

type intParser struct {
	b []byte
	i int
}

func (p *intParser) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\n' || p.b[p.i] == '\t' || p.b[p.i] == '\r') {
		p.i++
	}
}

// byte consumes c, after any white space.
func (p *intParser) byte(c byte) bool {
	p.space()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// int consumes an integer of at most 15 digits, after any white space.
func (p *intParser) int() (int, bool) {
	p.space()
	neg := p.i < len(p.b) && p.b[p.i] == '-'
	if neg {
		p.i++
	}
	start, n := p.i, 0
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' && p.i-start < 15 {
		n = n*10 + int(p.b[p.i]-'0')
		p.i++
	}
	if p.i == start || (p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9') {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

func (p *intParser) fail(want string) error {
	const show = 20
	rest := p.b[p.i:]
	if len(rest) > show {
		rest = rest[:show]
	}
	return fmt.Errorf("at byte %d: want %s, found %q", p.i, want, rest)
}
