package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// annotationBatch bounds the keys of one SELECT … IN (…) and the rows of
// one multi-row INSERT (three parameters each), well under SQLite's limit
// on bound parameters.
const annotationBatch = 300

// maxAnnotationValue bounds one stored value. The analysis cache stores a
// sentence's tokens in a few kilobytes; anything near this is a bug that
// should not fill the database.
const maxAnnotationValue = 1 << 20

// GetAnnotations returns the stored values of those keys that are present
// (briefings/analysis.CacheStore): a key that is missing, empty or repeated
// is simply not (or once) in the map. It reads in batches of at most a few
// hundred keys, each one query, and never blocks writers.
func (s *SQLite) GetAnnotations(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	uniq := uniqueKeys(keys)
	for batch := range slices.Chunk(uniq, annotationBatch) {
		if err := s.getAnnotations(ctx, batch, out); err != nil {
			return nil, fmt.Errorf("read %d cached annotations: %w", len(uniq), err)
		}
	}
	return out, nil
}

// uniqueKeys returns keys without empty and repeated ones, in order.
func uniqueKeys(keys []string) []string {
	uniq := make([]string, 0, len(keys))
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if k != "" && !seen[k] {
			seen[k] = true
			uniq = append(uniq, k)
		}
	}
	return uniq
}

func (s *SQLite) getAnnotations(ctx context.Context, keys []string, out map[string][]byte) error {
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	q := `SELECT key, value FROM annotations WHERE key IN (?` + strings.Repeat(`, ?`, len(keys)-1) + `)`
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			k string
			v []byte
		)
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		out[k] = v
	}
	return rows.Err()
}

// PutAnnotations stores values by key (briefings/analysis.CacheStore),
// replacing what a key held, all in one write transaction: either every
// value is stored or none is. Empty keys and values over 1 MiB are refused
// before anything is written; a nil value is stored as an empty one.
func (s *SQLite) PutAnnotations(ctx context.Context, values map[string][]byte) error {
	if len(values) == 0 {
		return nil
	}
	keys, err := annotationKeys(values)
	if err != nil {
		return err
	}
	created := time.Now().Unix()
	err = s.inWriteTx(ctx, func(tx *sql.Tx) error {
		for batch := range slices.Chunk(keys, annotationBatch) {
			args := make([]any, 0, 3*len(batch))
			for _, k := range batch {
				v := values[k]
				if v == nil {
					v = []byte{}
				}
				args = append(args, k, v, created)
			}
			q := `INSERT INTO annotations (key, value, created) VALUES (?, ?, ?)` +
				strings.Repeat(`, (?, ?, ?)`, len(batch)-1) +
				` ON CONFLICT (key) DO UPDATE SET value = excluded.value, created = excluded.created`
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
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

// annotationKeys checks PutAnnotations' values (of both backends) and
// returns their keys, sorted: so two processes writing overlapping sets
// touch rows in the same order, and the test output is stable.
func annotationKeys(values map[string][]byte) ([]string, error) {
	keys := make([]string, 0, len(values))
	for k, v := range values {
		if k == "" {
			return nil, fmt.Errorf("store %d cached annotations: one has an empty key", len(values))
		}
		if len(v) > maxAnnotationValue {
			return nil, fmt.Errorf("store %d cached annotations: the value of %q has %d bytes, over the limit of %d", len(values), k, len(v), maxAnnotationValue)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, nil
}

// PruneAnnotations deletes the cached annotations stored before before and
// reports how many it deleted. The cache refills itself; pruning only bounds
// the file (for example after an analyser upgrade changed every key).
func (s *SQLite) PruneAnnotations(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM annotations WHERE created < ?`, before.Unix())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune cached annotations before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	if n > 0 {
		s.logger.Debug("store pruned cached annotations", "count", n)
	}
	return n, nil
}
