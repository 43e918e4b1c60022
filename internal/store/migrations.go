package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migration is one step of the schema. Steps are applied in order, each in
// its own IMMEDIATE transaction together with its row in schema_migrations,
// so a step is applied entirely or not at all, and two processes opening the
// same file at once apply it once. Never edit a released step: add one.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations is the schema, oldest first; versions are 1, 2, 3, ….
//
// Times are fixed-width UTC text (timeLayout), so they sort in time order.
var migrations = []migration{
	{1, "state", `
CREATE TABLE processed_events (
	platform     TEXT NOT NULL,
	event_id     TEXT NOT NULL,
	processed_at TEXT NOT NULL,
	PRIMARY KEY (platform, event_id)
) WITHOUT ROWID;
CREATE INDEX processed_events_by_time ON processed_events (processed_at);

CREATE TABLE subscriptions (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	platform     TEXT NOT NULL,
	conversation TEXT NOT NULL,
	topic        TEXT NOT NULL,
	cron         TEXT NOT NULL,
	time_zone    TEXT NOT NULL,
	created_by   TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	UNIQUE (platform, conversation, topic)
);

CREATE TABLE digest_claims (
	subscription INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
	slot         TEXT NOT NULL,
	owner        TEXT NOT NULL,
	attempts     INTEGER NOT NULL,
	claimed_at   TEXT NOT NULL,
	sent_at      TEXT,
	PRIMARY KEY (subscription, slot)
);

CREATE TABLE feedback (
	platform    TEXT NOT NULL,
	ref         TEXT NOT NULL,
	user_id     TEXT NOT NULL,
	helpful     INTEGER NOT NULL,
	recorded_at TEXT NOT NULL,
	PRIMARY KEY (platform, ref, user_id)
);

CREATE TABLE kv (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
`},
	{2, "articles", `
CREATE TABLE articles (
	collection     TEXT NOT NULL,
	id             TEXT NOT NULL,
	source         TEXT NOT NULL,
	title          TEXT NOT NULL,
	date           TEXT NOT NULL, -- "YYYY-MM", "YYYY-MM-DD" or "" (undated)
	url            TEXT NOT NULL,
	publisher      TEXT NOT NULL,
	hash           TEXT NOT NULL,
	-- The paragraphs joined by blank lines, as Article.Body renders them.
	body           TEXT NOT NULL,
	-- JSON [[length, heading], ...]: each paragraph's length in bytes of
	-- body and 1 for a heading; null for an article without paragraphs.
	paragraphs     TEXT NOT NULL,
	-- JSON [[paragraph, start, end], ...]: each sentence as the byte range
	-- of its paragraph's text; null for an article without sentences. A
	-- sentence that is no substring of its paragraph is [paragraph, -1, i],
	-- its text being sentence_texts[i].
	sentences      TEXT NOT NULL,
	sentence_texts TEXT,          -- JSON ["text", ...] or NULL
	fingerprint    BLOB NOT NULL, -- of everything above but collection and id
	added_at       TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	UNIQUE (collection, id)
);
`},
	{3, "annotations", `
-- The linguistic analysis cache (briefings/analysis): key is a hash of the
-- analyser, its version and options, and the sentence; value is the
-- analysis' own versioned encoding; created is Unix seconds, for pruning.
CREATE TABLE annotations (
	key     TEXT PRIMARY KEY,
	value   BLOB NOT NULL,
	created INTEGER NOT NULL
);
`},
	{4, "event claims", `
-- A processed event is now claimed while its reply is in flight and done
-- only once the reply was sent: owner and lease_until describe the claim,
-- done_at is set when it is done. processed_at stays the first claim's
-- time, for pruning. Events recorded by earlier versions were marked when
-- they were first seen: they are done.
ALTER TABLE processed_events ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE processed_events ADD COLUMN lease_until TEXT;
ALTER TABLE processed_events ADD COLUMN done_at TEXT;
UPDATE processed_events SET done_at = processed_at;
`},
	{5, "live articles", `
-- Articles that arrive from feeds and the ingest API live in the articles
-- table as collection 'live'; live_items says where each came from, its
-- identity key (GUID, canonical URL or content hash), its author, and
-- whether it was retracted (then its articles row is gone and feeds do not
-- bring it back).
CREATE TABLE live_items (
	id           TEXT PRIMARY KEY,
	origin       TEXT NOT NULL, -- "feed:NAME" or "api:TOKEN-NAME"
	identity     TEXT NOT NULL,
	author       TEXT NOT NULL,
	retracted_at TEXT
) WITHOUT ROWID;

-- One row per configured feed: the validators of its last fetch, so that
-- polling resumes with a conditional GET after a restart, and its status.
CREATE TABLE feed_state (
	feed          TEXT PRIMARY KEY,
	url           TEXT NOT NULL,
	etag          TEXT NOT NULL,
	last_modified TEXT NOT NULL,
	last_attempt  TEXT,
	last_success  TEXT,
	last_error    TEXT NOT NULL,
	last_error_at TEXT,
	failures      INTEGER NOT NULL, -- consecutive
	items_seen    INTEGER NOT NULL, -- articles created from this feed
	last_items    INTEGER NOT NULL  -- entries in the last document read
) WITHOUT ROWID;
`},
}

// migrate brings the schema up to date. It refuses a database whose schema
// is newer than this binary knows, since writing to it could damage data.
func (s *SQLite) migrate(ctx context.Context) error {
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("prepare schema migrations: %w", err)
	}
	latest := migrations[len(migrations)-1].version
	for _, m := range migrations {
		var applied bool
		err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
			current, err := schemaVersion(ctx, tx)
			if err != nil {
				return err
			}
			if current > latest {
				return fmt.Errorf("the database has schema version %d, newer than this briefbot knows (%d): run a newer briefbot, or point it at another data directory", current, latest)
			}
			if current >= m.version {
				return nil
			}
			if current != m.version-1 {
				return fmt.Errorf("the database has schema version %d, but the next step is %d", current, m.version)
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("apply schema step %d (%s): %w", m.version, m.name, err)
			}
			_, err = tx.ExecContext(ctx,
				`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, formatTime(time.Now()))
			applied = err == nil
			return err
		})
		if err != nil {
			return err
		}
		if applied {
			s.logger.Info("store schema migrated", "path", s.path, "version", m.version, "step", m.name)
		}
	}
	return nil
}

// schemaVersion is the highest applied migration, 0 for a new database.
func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

// SchemaVersion reports the database's schema version: the number of
// migrations applied.
func (s *SQLite) SchemaVersion(ctx context.Context) (int, error) {
	return schemaVersion(ctx, s.read)
}
