package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// LiveCollection is the articles collection of what feeds and the ingest
// API brought in.
const LiveCollection = "live"

// LiveItem is one article from a feed or the ingest API.
type LiveItem struct {
	Article briefings.Article // ID required; Added is ignored
	// Key is the identity key the ID derives from (GUID, canonical URL or
	// content hash), kept for inspection.
	Key string
	// Origin is "feed:NAME" or "api:TOKEN-NAME". An article first stored
	// from one feed is not rewritten by another feed carrying the same
	// story (it would flip between their versions on every poll); the
	// ingest API may update any.
	Origin string
}

// Outcome is what PutLive did with one item.
type Outcome string

// Outcomes of PutLive.
const (
	Created   Outcome = "created"
	Updated   Outcome = "updated"
	Unchanged Outcome = "unchanged"
	// Retracted: the article was retracted (DeleteLive) and a feed still
	// carries it; it stays retracted.
	Retracted Outcome = "retracted"
)

// FeedState is a feed's stored validators and status.
type FeedState struct {
	Feed, URL string
	// ETag and LastModified are the validators of the last document
	// stored.
	ETag, LastModified string
	LastAttempt        time.Time
	LastSuccess        time.Time // zero: never
	LastError          string    // "" after a success
	LastErrorAt        time.Time
	Failures           int // consecutive failures
	ItemsSeen          int // articles created from this feed, in all
	LastItems          int // entries in the last document read
}

// PutOptions tune PutLive.
type PutOptions struct {
	// Now is the time recorded as Added and updated_at; required.
	Now time.Time
	// Restore lets the items bring retracted articles back (an explicit
	// post to the ingest API); without it they stay retracted.
	Restore bool
	// Feed, when set, is written in the same transaction with
	// ItemsSeen increased by the articles created: the validators are
	// stored together with the items they acknowledge, so a crash never
	// leaves a document marked seen whose items are lost.
	Feed *FeedState
}

// PutLive stores items in LiveCollection in one transaction and returns an
// Outcome per item, in order. An item whose ID appears earlier in items is
// compared with that earlier one. On error nothing is stored.
func (s *SQLite) PutLive(ctx context.Context, items []LiveItem, opts PutOptions) ([]Outcome, error) {
	prints, err := livePrints(items, opts)
	if err != nil {
		return nil, err
	}
	out := make([]Outcome, len(items))
	now := formatTime(opts.Now)
	err = s.inWriteTx(ctx, func(tx *sql.Tx) error {
		// prepared once: parsing the SQL of each statement again for each
		// item costs more than the writes
		stmts := make([]*sql.Stmt, 5)
		for k, q := range []string{
			`SELECT origin, retracted_at FROM live_items WHERE id = ?`,
			`SELECT fingerprint FROM articles WHERE collection = ? AND id = ?`,
			`UPDATE articles SET
					source = ?, title = ?, date = ?, url = ?, publisher = ?, hash = ?,
					body = ?, paragraphs = ?, sentences = ?, sentence_texts = ?, fingerprint = ?, updated_at = ?
					WHERE collection = ? AND id = ?`,
			`INSERT INTO articles
					(collection, id, source, title, date, url, publisher, hash, body, paragraphs, sentences, sentence_texts,
					 fingerprint, added_at, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			`INSERT INTO live_items (id, origin, identity, author, retracted_at)
				VALUES (?, ?, ?, ?, NULL)
				ON CONFLICT (id) DO UPDATE SET origin = excluded.origin, identity = excluded.identity,
					author = excluded.author, retracted_at = NULL`,
		} {
			st, err := tx.PrepareContext(ctx, q)
			if err != nil {
				return err
			}
			defer st.Close()
			stmts[k] = st
		}
		selItem, selPrint, upd, ins, putItem := stmts[0], stmts[1], stmts[2], stmts[3], stmts[4]
		created := 0
		for i := range items {
			it := &items[i]
			a := &it.Article
			var (
				origin    string
				retracted sql.NullString
			)
			err := selItem.QueryRowContext(ctx, string(a.ID)).Scan(&origin, &retracted)
			known := err == nil
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if o, skip := liveSkip(it, opts, known, origin, retracted.Valid); skip {
				out[i] = o
				continue
			}
			var fp []byte
			err = selPrint.QueryRowContext(ctx, LiveCollection, string(a.ID)).Scan(&fp)
			exists := err == nil
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if exists && string(fp) == string(prints[i]) {
				out[i] = Unchanged
				continue
			}
			b, err := encodeBody(a)
			if err != nil {
				return err
			}
			if exists {
				_, err = upd.ExecContext(ctx, a.Source, a.Title, a.Date.String(), a.URL, a.Publisher, a.Hash,
					b.body, b.paragraphs, b.sentences, b.texts, prints[i], now, LiveCollection, string(a.ID))
				out[i] = Updated
			} else {
				_, err = ins.ExecContext(ctx, LiveCollection, string(a.ID), a.Source, a.Title, a.Date.String(), a.URL, a.Publisher, a.Hash,
					b.body, b.paragraphs, b.sentences, b.texts, prints[i], now, now)
				out[i] = Created
				created++
			}
			if err != nil {
				return fmt.Errorf("article %q: %w", a.ID, err)
			}
			if _, err := putItem.ExecContext(ctx, string(a.ID), it.Origin, it.Key, a.Author); err != nil {
				return fmt.Errorf("article %q: %w", a.ID, err)
			}
			if s.syncRowHook != nil {
				s.syncRowHook(i + 1)
			}
		}
		if f := opts.Feed; f != nil {
			st := *f
			st.ItemsSeen += created
			return writeFeedState(ctx, tx, st)
		}
		return nil
	})
	if err != nil {
		return nil, liveError(ctx, err)
	}
	return out, nil
}

// livePrints checks PutLive's arguments (of both backends) and returns the
// items' fingerprints, in order.
func livePrints(items []LiveItem, opts PutOptions) ([][]byte, error) {
	if opts.Now.IsZero() {
		return nil, errors.New("store live articles: no time given")
	}
	prints := make([][]byte, len(items))
	h := sha256.New()
	var scratch []byte
	for i := range items {
		a := &items[i].Article
		if a.ID == "" {
			return nil, fmt.Errorf("store live articles: item %d (source %q) has no ID", i, a.Source)
		}
		if items[i].Origin == "" {
			return nil, fmt.Errorf("store live articles: item %q has no origin", a.ID)
		}
		var fp []byte
		fp, scratch = fingerprint(h, scratch, a)
		// the author is not in the articles table's fingerprint
		sum := sha256.Sum256(append(append(fp, 0), a.Author...))
		prints[i] = sum[:]
	}
	return prints, nil
}

// liveSkip decides, from its live_items row (known, its origin and whether
// it is retracted), whether PutLive leaves an item alone, and with what
// Outcome.
func liveSkip(it *LiveItem, opts PutOptions, known bool, origin string, retracted bool) (Outcome, bool) {
	if known && retracted && !opts.Restore {
		return Retracted, true
	}
	if known && origin != it.Origin && strings.HasPrefix(it.Origin, "feed:") && !retracted {
		return Unchanged, true // the same story from another feed
	}
	return "", false
}

// liveError words a failed PutLive (of both backends).
func liveError(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("store live articles (nothing was stored): %w (%w)", cerr, err)
	}
	return fmt.Errorf("store live articles (nothing was stored): %w", err)
}

// Retraction is what DeleteLive did.
type Retraction int

// Results of DeleteLive.
const (
	NotFound         Retraction = iota // no live article has the ID
	Deleted                            // the article was removed
	AlreadyRetracted                   // it had been removed before
)

// DeleteLive removes a live article and remembers the retraction, so that
// a feed still carrying the item does not bring it back.
func (s *SQLite) DeleteLive(ctx context.Context, id briefings.ArticleID, now time.Time) (Retraction, error) {
	var res Retraction
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		var retracted sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT retracted_at FROM live_items WHERE id = ?`, string(id)).Scan(&retracted)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			res = NotFound
			return nil
		case err != nil:
			return err
		case retracted.Valid:
			res = AlreadyRetracted
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE collection = ? AND id = ?`, LiveCollection, string(id)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE live_items SET retracted_at = ? WHERE id = ?`, formatTime(now), string(id))
		res = Deleted
		return err
	})
	if err != nil {
		return NotFound, fmt.Errorf("retract article %q: %w", id, err)
	}
	return res, nil
}

// LiveArticles returns the live articles sorted by ID, with their authors.
func (s *SQLite) LiveArticles(ctx context.Context) ([]briefings.Article, error) {
	arts, err := s.Articles(ctx, LiveCollection)
	if err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, author FROM live_items WHERE author != '' AND retracted_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("read live articles' authors: %w", err)
	}
	defer rows.Close()
	authors := map[string]string{}
	for rows.Next() {
		var id, author string
		if err := rows.Scan(&id, &author); err != nil {
			return nil, fmt.Errorf("read live articles' authors: %w", err)
		}
		authors[id] = author
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read live articles' authors: %w", err)
	}
	for i := range arts {
		arts[i].Author = authors[string(arts[i].ID)]
	}
	return arts, nil
}

// FeedState returns feed's stored state; ok is false for a feed never
// polled.
func (s *SQLite) FeedState(ctx context.Context, feed string) (st FeedState, ok bool, err error) {
	var attempt, success, errAt sql.NullString
	err = s.read.QueryRowContext(ctx, `SELECT url, etag, last_modified, last_attempt, last_success, last_error,
		last_error_at, failures, items_seen, last_items FROM feed_state WHERE feed = ?`, feed).
		Scan(&st.URL, &st.ETag, &st.LastModified, &attempt, &success, &st.LastError, &errAt, &st.Failures, &st.ItemsSeen, &st.LastItems)
	if errors.Is(err, sql.ErrNoRows) {
		return FeedState{Feed: feed}, false, nil
	}
	if err != nil {
		return FeedState{}, false, fmt.Errorf("read the state of feed %s: %w", feed, err)
	}
	st.Feed = feed
	for _, t := range []struct {
		dst *time.Time
		src sql.NullString
	}{{&st.LastAttempt, attempt}, {&st.LastSuccess, success}, {&st.LastErrorAt, errAt}} {
		if *t.dst, err = parseNullTime(t.src); err != nil {
			return FeedState{}, false, fmt.Errorf("read the state of feed %s: %w", feed, err)
		}
	}
	return st, true, nil
}

// SaveFeedState writes a feed's state as given (a failed poll, a 304).
func (s *SQLite) SaveFeedState(ctx context.Context, st FeedState) error {
	if err := s.inWriteTx(ctx, func(tx *sql.Tx) error { return writeFeedState(ctx, tx, st) }); err != nil {
		return fmt.Errorf("save the state of feed %s: %w", st.Feed, err)
	}
	return nil
}

func writeFeedState(ctx context.Context, tx *sql.Tx, st FeedState) error {
	if st.Feed == "" {
		return errors.New("feed state without a feed name")
	}
	nullTime := func(t time.Time) sql.NullString {
		if t.IsZero() {
			return sql.NullString{}
		}
		return sql.NullString{String: formatTime(t), Valid: true}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO feed_state (feed, url, etag, last_modified, last_attempt, last_success,
			last_error, last_error_at, failures, items_seen, last_items)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (feed) DO UPDATE SET url = excluded.url, etag = excluded.etag, last_modified = excluded.last_modified,
			last_attempt = excluded.last_attempt, last_success = excluded.last_success, last_error = excluded.last_error,
			last_error_at = excluded.last_error_at, failures = excluded.failures, items_seen = excluded.items_seen,
			last_items = excluded.last_items`,
		st.Feed, st.URL, st.ETag, st.LastModified, nullTime(st.LastAttempt), nullTime(st.LastSuccess),
		st.LastError, nullTime(st.LastErrorAt), st.Failures, st.ItemsSeen, st.LastItems)
	return err
}
