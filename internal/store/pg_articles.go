package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/briefbot/briefbot/briefings"
)

// pgBatchRows bounds the statements of one round trip (pgx.Batch) and the
// IDs of one = ANY($n) array.
const pgBatchRows = 500

// articleColumns are the articles table's columns in the order of
// articleRow.
var articleColumns = []string{"collection", "id", "source", "title", "date", "url", "publisher", "hash",
	"body", "paragraphs", "sentences", "sentence_texts", "fingerprint", "added_at", "updated_at"}

// articleRow is a's row of the articles table.
func articleRow(collection string, a *briefings.Article, b storedBody, print []byte, now time.Time) []any {
	return []any{collection, string(a.ID), a.Source, a.Title, a.Date.String(), a.URL, a.Publisher, a.Hash,
		b.body, b.paragraphs, b.sentences, b.texts, print, now, now}
}

// pgUpdateArticle rewrites an article, keeping its added_at.
const pgUpdateArticle = `UPDATE articles SET
	source = $3, title = $4, date = $5, url = $6, publisher = $7, hash = $8,
	body = $9, paragraphs = $10, sentences = $11, sentence_texts = $12, fingerprint = $13, updated_at = $14
	WHERE collection = $1 AND id = $2`

// updateArgs are pgUpdateArticle's arguments for a.
func updateArgs(collection string, a *briefings.Article, b storedBody, print []byte, now time.Time) []any {
	return articleRow(collection, a, b, print, now)[:14]
}

// SyncArticles makes the stored articles of collection equal to arts in
// one transaction, with the semantics of (*SQLite).SyncArticles, and
// notifies ArticlesChannel (payload: collection) when anything changed.
// Syncs of one collection wait for each other, across replicas (the
// collection's advisory lock); readers never wait. New articles are
// written with COPY, changed ones in batches of updates.
func (p *Postgres) SyncArticles(ctx context.Context, collection string, arts []briefings.Article, now time.Time) (SyncStats, error) {
	var stats SyncStats
	if err := checkSync(collection, now); err != nil {
		return stats, err
	}
	prints, err := syncPrints(ctx, arts)
	if err != nil {
		return SyncStats{}, syncError(ctx, collection, err)
	}

	start := time.Now()
	err = p.inTx(ctx, func(tx pgx.Tx) error {
		stats = SyncStats{}
		if err := lockCollection(ctx, tx, collection); err != nil {
			return err
		}
		stored, err := pgStoredPrints(ctx, tx, collection)
		if err != nil {
			return err
		}
		var added, updated []int
		for i := range arts {
			id := string(arts[i].ID)
			old, ok := stored[id]
			switch {
			case !ok:
				added = append(added, i)
			case string(old) == string(prints[i]):
				stats.Unchanged++
			default:
				updated = append(updated, i)
			}
			delete(stored, id)
		}
		removed := make([]string, 0, len(stored))
		for id := range stored {
			removed = append(removed, id)
		}
		slices.Sort(removed)

		written := 0
		wrote := func() {
			written++
			if p.syncRowHook != nil {
				p.syncRowHook(written)
			}
		}
		if len(added) > 0 {
			// COPY reads the rows on a goroutine of its own; it has ended
			// when CopyFrom returns.
			k := 0
			_, err := tx.CopyFrom(ctx, pgx.Identifier{"articles"}, articleColumns, pgx.CopyFromFunc(func() ([]any, error) {
				if k == len(added) {
					return nil, nil
				}
				if k%ctxCheckEvery == 0 {
					if err := ctx.Err(); err != nil {
						return nil, err
					}
				}
				a := &arts[added[k]]
				b, err := encodeBody(a)
				if err != nil {
					return nil, err
				}
				row := articleRow(collection, a, b, prints[added[k]], now)
				k++
				wrote()
				return row, nil
			}))
			if err != nil {
				return fmt.Errorf("add %d articles: %w", len(added), err)
			}
			stats.Added = len(added)
		}
		for chunk := range slices.Chunk(updated, pgBatchRows) {
			batch := &pgx.Batch{}
			for _, i := range chunk {
				a := &arts[i]
				b, err := encodeBody(a)
				if err != nil {
					return err
				}
				batch.Queue(pgUpdateArticle, updateArgs(collection, a, b, prints[i], now)...)
			}
			res := tx.SendBatch(ctx, batch)
			for _, i := range chunk {
				if _, err := res.Exec(); err != nil {
					res.Close()
					return fmt.Errorf("article %q: %w", arts[i].ID, err)
				}
				stats.Updated++
				wrote()
			}
			if err := res.Close(); err != nil {
				return err
			}
		}
		for chunk := range slices.Chunk(removed, pgBatchRows) {
			if _, err := tx.Exec(ctx, `DELETE FROM articles WHERE collection = $1 AND id = ANY($2)`, collection, chunk); err != nil {
				return fmt.Errorf("remove %d articles: %w", len(chunk), err)
			}
			for range chunk {
				stats.Removed++
				wrote()
			}
		}
		// a statement that had finished when ctx ended did not notice
		if err := ctx.Err(); err != nil {
			return err
		}
		if written > 0 {
			return notify(ctx, tx, ArticlesChannel, collection)
		}
		return nil
	})
	if err != nil {
		return SyncStats{}, syncError(ctx, collection, err)
	}
	p.logger.Info("store articles synced", "collection", collection,
		"added", stats.Added, "updated", stats.Updated, "removed", stats.Removed, "unchanged", stats.Unchanged,
		"duration", time.Since(start))
	return stats, nil
}

// pgStoredPrints maps the IDs of collection's stored articles to their
// fingerprints.
func pgStoredPrints(ctx context.Context, tx pgx.Tx, collection string) (map[string][]byte, error) {
	rows, err := tx.Query(ctx, `SELECT id, fingerprint FROM articles WHERE collection = $1`, collection)
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

// Articles returns collection's stored articles sorted by ID, with Added,
// Paragraphs and Sentences as stored. An unknown collection has none.
func (p *Postgres) Articles(ctx context.Context, collection string) ([]briefings.Article, error) {
	return p.readArticles(ctx, collection, false)
}

// LiveArticles returns the live articles sorted by ID, with their authors.
func (p *Postgres) LiveArticles(ctx context.Context) ([]briefings.Article, error) {
	return p.readArticles(ctx, LiveCollection, true)
}

// readArticles reads collection's articles in one query, with the authors
// of live_items when authors is set.
func (p *Postgres) readArticles(ctx context.Context, collection string, authors bool) ([]briefings.Article, error) {
	q := `SELECT a.id, a.source, a.title, a.date, a.url, a.publisher, a.hash, a.body, a.paragraphs, a.sentences,
		a.sentence_texts, a.added_at, '' FROM articles a WHERE a.collection = $1 ORDER BY a.id`
	if authors {
		q = `SELECT a.id, a.source, a.title, a.date, a.url, a.publisher, a.hash, a.body, a.paragraphs, a.sentences,
		a.sentence_texts, a.added_at, coalesce(l.author, '')
		FROM articles a LEFT JOIN live_items l ON l.id = a.id AND l.retracted_at IS NULL
		WHERE a.collection = $1 ORDER BY a.id`
	}
	rows, err := p.pool.Query(ctx, q, collection)
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
			id, date, body     string
			paras, sents       pgtype.DriverBytes // parsed before the next row
			texts              *string
			added              time.Time
			sentenceTextsValid sql.NullString
		)
		if err := rows.Scan(&id, &a.Source, &a.Title, &date, &a.URL, &a.Publisher, &a.Hash, &body, &paras, &sents, &texts, &added, &a.Author); err != nil {
			return nil, fmt.Errorf("read articles of %s: %w", collection, err)
		}
		if texts != nil {
			sentenceTextsValid = sql.NullString{String: *texts, Valid: true}
		}
		a.ID, a.Added = briefings.ArticleID(id), added.UTC()
		if err := decodeArticle(&a, date, body, paras, sents, sentenceTextsValid); err != nil {
			return nil, fmt.Errorf("read articles of %s: article %q is damaged: %w", collection, id, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read articles of %s: %w", collection, err)
	}
	return out, nil
}

// liveRow is what live_items says of an item.
type liveRow struct {
	origin    string
	retracted bool
}

// PutLive stores items in LiveCollection in one transaction, with the
// semantics of (*SQLite).PutLive, and notifies ArticlesChannel (payload:
// "live") when it created or updated an article. It reads what is stored
// of all items in two queries and writes in batches, under the live
// collection's advisory lock.
func (p *Postgres) PutLive(ctx context.Context, items []LiveItem, opts PutOptions) ([]Outcome, error) {
	prints, err := livePrints(items, opts)
	if err != nil {
		return nil, err
	}
	out := make([]Outcome, len(items))
	ids := make([]string, 0, len(items))
	for i := range items {
		ids = append(ids, string(items[i].Article.ID))
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	err = p.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockCollection(ctx, tx, LiveCollection); err != nil {
			return err
		}
		known := make(map[string]liveRow, len(ids))
		stored := make(map[string][]byte, len(ids))
		for chunk := range slices.Chunk(ids, pgBatchRows) {
			rows, err := tx.Query(ctx, `SELECT id, origin, retracted_at IS NOT NULL FROM live_items WHERE id = ANY($1)`, chunk)
			if err != nil {
				return err
			}
			var (
				id  string
				row liveRow
			)
			if _, err := pgx.ForEachRow(rows, []any{&id, &row.origin, &row.retracted}, func() error {
				known[id] = row
				return nil
			}); err != nil {
				return err
			}
			rows, err = tx.Query(ctx, `SELECT id, fingerprint FROM articles WHERE collection = $1 AND id = ANY($2)`, LiveCollection, chunk)
			if err != nil {
				return err
			}
			var fp []byte
			if _, err := pgx.ForEachRow(rows, []any{&id, &fp}, func() error {
				stored[id] = fp
				return nil
			}); err != nil {
				return err
			}
		}

		var (
			batch   = &pgx.Batch{}
			queued  []int // items written by batch, two statements each
			created int
		)
		flush := func() error {
			if batch.Len() == 0 {
				return nil
			}
			res := tx.SendBatch(ctx, batch)
			for _, i := range queued {
				for range 2 {
					if _, err := res.Exec(); err != nil {
						res.Close()
						return fmt.Errorf("article %q: %w", items[i].Article.ID, err)
					}
				}
				if p.syncRowHook != nil {
					p.syncRowHook(i + 1)
				}
			}
			batch, queued = &pgx.Batch{}, queued[:0]
			return res.Close()
		}
		for i := range items {
			it := &items[i]
			a := &it.Article
			id := string(a.ID)
			row, isKnown := known[id]
			if o, skip := liveSkip(it, opts, isKnown, row.origin, row.retracted); skip {
				out[i] = o
				continue
			}
			fp, exists := stored[id]
			if exists && string(fp) == string(prints[i]) {
				out[i] = Unchanged
				continue
			}
			b, err := encodeBody(a)
			if err != nil {
				return err
			}
			if exists {
				batch.Queue(pgUpdateArticle, updateArgs(LiveCollection, a, b, prints[i], opts.Now)...)
				out[i] = Updated
			} else {
				batch.Queue(`INSERT INTO articles (`+strings.Join(articleColumns, ", ")+`)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
					articleRow(LiveCollection, a, b, prints[i], opts.Now)...)
				out[i] = Created
				created++
			}
			batch.Queue(`INSERT INTO live_items (id, origin, identity, author, retracted_at)
				VALUES ($1, $2, $3, $4, NULL)
				ON CONFLICT (id) DO UPDATE SET origin = excluded.origin, identity = excluded.identity,
					author = excluded.author, retracted_at = NULL`,
				id, it.Origin, it.Key, a.Author)
			queued = append(queued, i)
			// a later item with the same ID is compared with this one
			known[id] = liveRow{origin: it.Origin}
			stored[id] = prints[i]
			if len(queued) == pgBatchRows {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if f := opts.Feed; f != nil {
			st := *f
			st.ItemsSeen += created
			if err := pgWriteFeedState(ctx, tx, st); err != nil {
				return err
			}
		}
		if slices.ContainsFunc(out, func(o Outcome) bool { return o == Created || o == Updated }) {
			return notify(ctx, tx, ArticlesChannel, LiveCollection)
		}
		return nil
	})
	if err != nil {
		return nil, liveError(ctx, err)
	}
	return out, nil
}

// DeleteLive removes a live article and remembers the retraction, so that
// a feed still carrying the item does not bring it back; it notifies
// ArticlesChannel (payload: "live") when it removed one.
func (p *Postgres) DeleteLive(ctx context.Context, id briefings.ArticleID, now time.Time) (Retraction, error) {
	var res Retraction
	err := p.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockCollection(ctx, tx, LiveCollection); err != nil {
			return err
		}
		var retracted bool
		err := tx.QueryRow(ctx, `SELECT retracted_at IS NOT NULL FROM live_items WHERE id = $1`, string(id)).Scan(&retracted)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			res = NotFound
			return nil
		case err != nil:
			return err
		case retracted:
			res = AlreadyRetracted
			return nil
		}
		if _, err := tx.Exec(ctx, `DELETE FROM articles WHERE collection = $1 AND id = $2`, LiveCollection, string(id)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE live_items SET retracted_at = $1 WHERE id = $2`, now, string(id)); err != nil {
			return err
		}
		res = Deleted
		return notify(ctx, tx, ArticlesChannel, LiveCollection)
	})
	if err != nil {
		return NotFound, fmt.Errorf("retract article %q: %w", id, err)
	}
	return res, nil
}

// FeedState returns feed's stored state; ok is false for a feed never
// polled.
func (p *Postgres) FeedState(ctx context.Context, feed string) (st FeedState, ok bool, err error) {
	var attempt, success, errAt *time.Time
	err = p.pool.QueryRow(ctx, `SELECT url, etag, last_modified, last_attempt, last_success, last_error,
		last_error_at, failures, items_seen, last_items FROM feed_state WHERE feed = $1`, feed).
		Scan(&st.URL, &st.ETag, &st.LastModified, &attempt, &success, &st.LastError, &errAt, &st.Failures, &st.ItemsSeen, &st.LastItems)
	if errors.Is(err, pgx.ErrNoRows) {
		return FeedState{Feed: feed}, false, nil
	}
	if err != nil {
		return FeedState{}, false, fmt.Errorf("read the state of feed %s: %w", feed, err)
	}
	st.Feed = feed
	st.LastAttempt, st.LastSuccess, st.LastErrorAt = utc(attempt), utc(success), utc(errAt)
	return st, true, nil
}

// SaveFeedState writes a feed's state as given (a failed poll, a 304).
func (p *Postgres) SaveFeedState(ctx context.Context, st FeedState) error {
	if err := pgWriteFeedState(ctx, p.pool, st); err != nil {
		return fmt.Errorf("save the state of feed %s: %w", st.Feed, err)
	}
	return nil
}

func pgWriteFeedState(ctx context.Context, db interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, st FeedState) error {
	if st.Feed == "" {
		return errors.New("feed state without a feed name")
	}
	_, err := db.Exec(ctx, `INSERT INTO feed_state (feed, url, etag, last_modified, last_attempt, last_success,
			last_error, last_error_at, failures, items_seen, last_items)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (feed) DO UPDATE SET url = excluded.url, etag = excluded.etag, last_modified = excluded.last_modified,
			last_attempt = excluded.last_attempt, last_success = excluded.last_success, last_error = excluded.last_error,
			last_error_at = excluded.last_error_at, failures = excluded.failures, items_seen = excluded.items_seen,
			last_items = excluded.last_items`,
		st.Feed, st.URL, st.ETag, st.LastModified, pgTime(st.LastAttempt), pgTime(st.LastSuccess),
		st.LastError, pgTime(st.LastErrorAt), st.Failures, st.ItemsSeen, st.LastItems)
	return err
}

// GetAnnotations returns the stored values of those keys that are present
// (briefings/analysis.CacheStore), like (*SQLite).GetAnnotations.
func (p *Postgres) GetAnnotations(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	uniq := uniqueKeys(keys)
	for batch := range slices.Chunk(uniq, pgBatchRows) {
		rows, err := p.pool.Query(ctx, `SELECT key, value FROM annotations WHERE key = ANY($1)`, batch)
		if err == nil {
			var (
				k string
				v []byte
			)
			_, err = pgx.ForEachRow(rows, []any{&k, &v}, func() error {
				out[k] = v // pgx scans into a new slice
				return nil
			})
		}
		if err != nil {
			return nil, fmt.Errorf("read %d cached annotations: %w", len(uniq), err)
		}
	}
	return out, nil
}

// PutAnnotations stores values by key (briefings/analysis.CacheStore),
// replacing what a key held, all in one transaction, like
// (*SQLite).PutAnnotations.
func (p *Postgres) PutAnnotations(ctx context.Context, values map[string][]byte) error {
	if len(values) == 0 {
		return nil
	}
	keys, err := annotationKeys(values)
	if err != nil {
		return err
	}
	created := time.Now().Unix()
	err = p.inTx(ctx, func(tx pgx.Tx) error {
		for batch := range slices.Chunk(keys, pgBatchRows) {
			vals := make([][]byte, len(batch))
			for i, k := range batch {
				if vals[i] = values[k]; vals[i] == nil {
					vals[i] = []byte{} // NULL in an array
				}
			}
			_, err := tx.Exec(ctx, `INSERT INTO annotations (key, value, created)
				SELECT k, v, $3 FROM unnest($1::text[], $2::bytea[]) AS u (k, v)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value, created = excluded.created`,
				batch, vals, created)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store %d cached annotations: %w", len(values), err)
	}
	return nil
}

// PruneAnnotations deletes the cached annotations stored before before and
// reports how many it deleted.
func (p *Postgres) PruneAnnotations(ctx context.Context, before time.Time) (int64, error) {
	tag, err := p.pool.Exec(ctx, `DELETE FROM annotations WHERE created < $1`, before.Unix())
	if err != nil {
		return 0, fmt.Errorf("prune cached annotations before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	n := tag.RowsAffected()
	if n > 0 {
		p.logger.Debug("store pruned cached annotations", "count", n)
	}
	return n, nil
}

// ArticlesStamp returns a value that changes whenever the stored articles
// change (an article added, updated, removed or retracted), cheap enough
// to poll: replicas compare it to catch up on a missed notification.
func (p *Postgres) ArticlesStamp(ctx context.Context) (string, error) {
	var n int64
	var updated, retracted *time.Time
	err := p.pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM articles),
			(SELECT max(updated_at) FROM articles),
			(SELECT max(retracted_at) FROM live_items)`).Scan(&n, &updated, &retracted)
	if err != nil {
		return "", fmt.Errorf("read the articles' version: %w", redact(err, p.secrets))
	}
	stamp := fmt.Sprintf("%d", n)
	for _, t := range []*time.Time{updated, retracted} {
		if t != nil {
			stamp += "/" + t.UTC().Format(time.RFC3339Nano)
		} else {
			stamp += "/-"
		}
	}
	return stamp, nil
}
