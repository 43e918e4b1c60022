package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/bot"
)

// pgClaimEvent claims an event in one statement. The INSERT takes a new
// event, or, ON CONFLICT, an unfinished one whose lease ran out; when two
// replicas race, the unique key makes one wait for the other and then see
// its claim. cur reads the row as the statement's snapshot saw it, which
// tells a finished event from a live claim when nothing was claimed, and
// names the previous holder of a claim taken over.
const pgClaimEvent = `
WITH cur AS (
	SELECT owner, (done_at IS NOT NULL OR lease_until IS NULL) AS done
	FROM processed_events WHERE platform = $1 AND event_id = $2
), claim AS (
	INSERT INTO processed_events AS e (platform, event_id, processed_at, owner, lease_until)
	VALUES ($1, $2, $3, $4, $5)
	ON CONFLICT (platform, event_id) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
	WHERE e.done_at IS NULL AND e.lease_until IS NOT NULL AND e.lease_until <= excluded.processed_at
	RETURNING 1
)
SELECT EXISTS (SELECT FROM claim), (SELECT owner FROM cur), (SELECT done FROM cur)`

// ClaimEvent implements bot.Store in one statement (pgClaimEvent): exactly
// one caller wins, however many goroutines and replicas race. A row
// without lease_until and done_at counts as done.
func (p *Postgres) ClaimEvent(ctx context.Context, platform string, id bot.EventID, owner string, now time.Time, lease time.Duration) (bot.EventState, error) {
	if err := checkEventClaim(platform, id, owner, lease); err != nil {
		return 0, err
	}
	for range 10 {
		var (
			claimed bool
			holder  *string
			done    *bool
		)
		err := p.pool.QueryRow(ctx, pgClaimEvent, platform, string(id), now, owner, now.Add(lease)).Scan(&claimed, &holder, &done)
		if err != nil {
			return 0, fmt.Errorf("claim %s event %s: %w", platform, id, err)
		}
		switch {
		case claimed:
			if holder != nil {
				p.logger.Debug("store event claim taken over", "platform", platform, "event_id", string(id), "owner", owner, "previous_owner", *holder)
			}
			return bot.EventClaimed, nil
		case done != nil && *done:
			return bot.EventDone, nil
		case done != nil:
			return bot.EventBusy, nil
		}
		// Nothing claimed, and no row in the statement's snapshot: another
		// transaction wrote the row after the snapshot was taken. Read it
		// now (a new snapshot).
		var isDone bool
		err = p.pool.QueryRow(ctx,
			`SELECT done_at IS NOT NULL OR lease_until IS NULL FROM processed_events WHERE platform = $1 AND event_id = $2`,
			platform, string(id)).Scan(&isDone)
		switch {
		case err == nil && isDone:
			return bot.EventDone, nil
		case err == nil:
			return bot.EventBusy, nil
		case !errors.Is(err, pgx.ErrNoRows):
			return 0, fmt.Errorf("claim %s event %s: %w", platform, id, err)
		}
		// and gone again (released or pruned): claim again
	}
	return 0, fmt.Errorf("claim %s event %s: the event's row keeps changing under the claim; try again", platform, id)
}

// RenewEvent implements bot.Store.
func (p *Postgres) RenewEvent(ctx context.Context, platform string, id bot.EventID, owner string, now time.Time, lease time.Duration) (bool, error) {
	tag, err := p.pool.Exec(ctx,
		`UPDATE processed_events SET lease_until = $1
		 WHERE platform = $2 AND event_id = $3 AND owner = $4 AND done_at IS NULL AND lease_until IS NOT NULL`,
		now.Add(lease), platform, string(id), owner)
	if err != nil {
		return false, fmt.Errorf("renew the claim on %s event %s: %w", platform, id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// FinishEvent implements bot.Store. Finishing an event that was never
// claimed records it as done.
func (p *Postgres) FinishEvent(ctx context.Context, platform string, id bot.EventID, at time.Time) error {
	if err := checkFinishEvent(platform, id); err != nil {
		return err
	}
	_, err := p.pool.Exec(ctx,
		`INSERT INTO processed_events AS e (platform, event_id, processed_at, done_at) VALUES ($1, $2, $3, $3)
		 ON CONFLICT (platform, event_id) DO UPDATE SET done_at = coalesce(e.done_at, excluded.done_at)`,
		platform, string(id), at)
	if err != nil {
		return fmt.Errorf("record %s event %s as handled: %w", platform, id, err)
	}
	return nil
}

// ReleaseEvent implements bot.Store: it forgets owner's unfinished claim.
func (p *Postgres) ReleaseEvent(ctx context.Context, platform string, id bot.EventID, owner string) error {
	_, err := p.pool.Exec(ctx,
		`DELETE FROM processed_events WHERE platform = $1 AND event_id = $2 AND owner = $3 AND done_at IS NULL`,
		platform, string(id), owner)
	if err != nil {
		return fmt.Errorf("release the claim on %s event %s: %w", platform, id, err)
	}
	return nil
}

// PruneProcessed forgets the events first claimed before before, handled or
// not, and reports how many it dropped. Keep them longer than any platform
// redelivers (Slack: minutes; Matrix: until the sync token moves on).
func (p *Postgres) PruneProcessed(ctx context.Context, before time.Time) (int64, error) {
	tag, err := p.pool.Exec(ctx, `DELETE FROM processed_events WHERE processed_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("prune processed events before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	n := tag.RowsAffected()
	if n > 0 {
		p.logger.Debug("store pruned processed events", "count", n)
	}
	return n, nil
}

// AddSubscription implements bot.Store, like (*SQLite).AddSubscription,
// and notifies SubscriptionsChannel.
func (p *Postgres) AddSubscription(ctx context.Context, sub bot.Subscription) (bot.Subscription, error) {
	if err := checkSubscription(sub); err != nil {
		return bot.Subscription{}, err
	}
	out := sub
	err := p.inTx(ctx, func(tx pgx.Tx) error {
		var (
			createdBy string
			created   time.Time
		)
		err := tx.QueryRow(ctx,
			`INSERT INTO subscriptions (platform, conversation, topic, cron, time_zone, created_by, created_at)
			 VALUES ($1, $2, $3, $4, $5, $6, $7)
			 ON CONFLICT (platform, conversation, topic)
			 DO UPDATE SET cron = excluded.cron, time_zone = excluded.time_zone
			 RETURNING id, created_by, created_at`,
			sub.Platform, string(sub.Conversation), sub.Topic, sub.Cron, sub.TimeZone,
			string(sub.CreatedBy), sub.Created,
		).Scan(&out.ID, &createdBy, &created)
		if err != nil {
			return err
		}
		out.CreatedBy, out.Created = bot.UserID(createdBy), created.UTC()
		return notify(ctx, tx, SubscriptionsChannel, "")
	})
	if err != nil {
		return bot.Subscription{}, fmt.Errorf("add subscription to %q in %s: %w", sub.Topic, sub.Conversation, err)
	}
	return out, nil
}

// RemoveSubscription implements bot.Store. Removing a subscription also
// forgets its digest claims, and notifies SubscriptionsChannel.
func (p *Postgres) RemoveSubscription(ctx context.Context, platform string, conv bot.ConversationID, topic string) error {
	var n int64
	err := p.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx,
			`DELETE FROM subscriptions WHERE platform = $1 AND conversation = $2 AND topic = $3`,
			platform, string(conv), topic)
		if err != nil {
			return err
		}
		if n = tag.RowsAffected(); n == 0 {
			return nil
		}
		return notify(ctx, tx, SubscriptionsChannel, "")
	})
	if err != nil {
		return fmt.Errorf("remove subscription to %q in %s: %w", topic, conv, err)
	}
	if n == 0 {
		return fmt.Errorf("remove subscription to %q in %s: %w", topic, conv, bot.ErrNotFound)
	}
	return nil
}

// Subscriptions implements bot.Store: all subscriptions, oldest Created
// first (ties by ID).
func (p *Postgres) Subscriptions(ctx context.Context) ([]bot.Subscription, error) {
	rows, err := p.pool.Query(ctx,
		`SELECT id, platform, conversation, topic, cron, time_zone, created_by, created_at
		 FROM subscriptions ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	defer rows.Close()
	var out []bot.Subscription
	for rows.Next() {
		var (
			sub             bot.Subscription
			conv, createdBy string
		)
		if err := rows.Scan(&sub.ID, &sub.Platform, &conv, &sub.Topic, &sub.Cron, &sub.TimeZone, &createdBy, &sub.Created); err != nil {
			return nil, fmt.Errorf("list subscriptions: %w", err)
		}
		sub.Conversation, sub.CreatedBy, sub.Created = bot.ConversationID(conv), bot.UserID(createdBy), sub.Created.UTC()
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	return out, nil
}

// pgClaimDigest checks the subscription's schedule and claims a digest
// slot in one statement. sub locks the subscription's row (FOR SHARE), so
// that a concurrent schedule change or removal waits for the claim, or the
// claim sees its result. The INSERT takes a new slot, or, ON CONFLICT, an
// unsent one whose lease ran out ($7: claimed_at at or before now-lease)
// and that has attempts left ($8); the unique key lets one of racing
// replicas win.
const pgClaimDigest = `
WITH sub AS (
	SELECT cron, time_zone FROM subscriptions WHERE id = $1 FOR SHARE
), claim AS (
	INSERT INTO digest_claims AS c (subscription, slot, owner, attempts, claimed_at)
	SELECT $1, $2::timestamptz, $3::text, 1, $4::timestamptz FROM sub WHERE cron = $5 AND time_zone = $6
	ON CONFLICT (subscription, slot) DO UPDATE SET owner = excluded.owner, attempts = c.attempts + 1, claimed_at = excluded.claimed_at
	WHERE c.sent_at IS NULL AND c.claimed_at <= $7 AND c.attempts < $8
	RETURNING 1
)
SELECT (SELECT cron FROM sub), (SELECT time_zone FROM sub), EXISTS (SELECT FROM claim)`

// ClaimDigest implements bot.Store in one statement (pgClaimDigest), with
// the semantics of (*SQLite).ClaimDigest: exactly one of racing callers
// wins a slot.
func (p *Postgres) ClaimDigest(ctx context.Context, sub bot.Subscription, slot time.Time, owner string, now time.Time, lease time.Duration, maxAttempts int) (bool, error) {
	if err := checkDigestClaim(sub, owner, lease, maxAttempts); err != nil {
		return false, err
	}
	slotText := formatTime(slot)
	var (
		cron, zone *string
		claimed    bool
	)
	err := p.pool.QueryRow(ctx, pgClaimDigest, sub.ID, slot, owner, now, sub.Cron, sub.TimeZone, now.Add(-lease), maxAttempts).
		Scan(&cron, &zone, &claimed)
	if err == nil {
		err = scheduleErrorOf(sub, cron, zone)
	}
	if err != nil {
		return false, fmt.Errorf("claim digest of subscription %d for %s: %w", sub.ID, slotText, err)
	}
	if claimed {
		p.logger.Debug("store digest claimed", "subscription", sub.ID, "slot", slotText, "owner", owner)
	}
	return claimed, nil
}

// scheduleErrorOf is scheduleError for the nullable columns of a query:
// cron is nil when the subscription is gone.
func scheduleErrorOf(sub bot.Subscription, cron, zone *string) error {
	if cron == nil || zone == nil {
		return scheduleError(sub, false, "", "")
	}
	return scheduleError(sub, true, *cron, *zone)
}

// RenewDigest implements bot.Store, in one statement that checks the
// schedule like pgClaimDigest.
func (p *Postgres) RenewDigest(ctx context.Context, sub bot.Subscription, slot time.Time, owner string, now time.Time) (bool, error) {
	var (
		cron, zone *string
		renewed    bool
	)
	err := p.pool.QueryRow(ctx, `
WITH sub AS (
	SELECT cron, time_zone FROM subscriptions WHERE id = $1 FOR SHARE
), renew AS (
	UPDATE digest_claims SET claimed_at = $4
	WHERE subscription = $1 AND slot = $2 AND owner = $3 AND sent_at IS NULL
	  AND EXISTS (SELECT FROM sub WHERE cron = $5 AND time_zone = $6)
	RETURNING 1
)
SELECT (SELECT cron FROM sub), (SELECT time_zone FROM sub), EXISTS (SELECT FROM renew)`,
		sub.ID, slot, owner, now, sub.Cron, sub.TimeZone).Scan(&cron, &zone, &renewed)
	if err == nil {
		err = scheduleErrorOf(sub, cron, zone)
	}
	if err != nil {
		return false, fmt.Errorf("renew the claim on the digest of subscription %d for %s: %w", sub.ID, formatTime(slot), err)
	}
	return renewed, nil
}

// MarkDigestSent implements bot.Store. Marking a sent digest again keeps the
// first time. It fails with bot.ErrNotFound when (sub, slot) was never
// claimed.
func (p *Postgres) MarkDigestSent(ctx context.Context, sub int64, slot time.Time, at time.Time) error {
	if err := checkMarkSent(sub, at); err != nil {
		return err
	}
	slotText := formatTime(slot)
	tag, err := p.pool.Exec(ctx,
		`UPDATE digest_claims SET sent_at = coalesce(sent_at, $1) WHERE subscription = $2 AND slot = $3`,
		at, sub, slot)
	if err != nil {
		return fmt.Errorf("mark digest of subscription %d for %s sent: %w", sub, slotText, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("mark digest of subscription %d for %s sent: no claim: %w", sub, slotText, bot.ErrNotFound)
	}
	return nil
}

// LastDigest implements bot.Store: the sent claim of sub with the latest
// Slot, or bot.ErrNotFound.
func (p *Postgres) LastDigest(ctx context.Context, sub int64) (bot.DigestClaim, error) {
	var (
		c      = bot.DigestClaim{Subscription: sub}
		sentAt *time.Time
	)
	err := p.pool.QueryRow(ctx,
		`SELECT slot, owner, attempts, claimed_at, sent_at FROM digest_claims
		 WHERE subscription = $1 AND sent_at IS NOT NULL ORDER BY slot DESC LIMIT 1`,
		sub).Scan(&c.Slot, &c.Owner, &c.Attempts, &c.ClaimedAt, &sentAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.DigestClaim{}, fmt.Errorf("last digest of subscription %d: %w", sub, bot.ErrNotFound)
	}
	if err != nil {
		return bot.DigestClaim{}, fmt.Errorf("last digest of subscription %d: %w", sub, err)
	}
	c.Slot, c.ClaimedAt, c.SentAt = c.Slot.UTC(), c.ClaimedAt.UTC(), utc(sentAt)
	return c, nil
}

// RecordFeedback implements bot.Store. A user has one verdict per reply: a
// later one (a changed mind, a redelivered button press) replaces it.
func (p *Postgres) RecordFeedback(ctx context.Context, platform string, ref string, user bot.UserID, helpful bool, at time.Time) error {
	if err := checkFeedback(platform, ref, user); err != nil {
		return err
	}
	_, err := p.pool.Exec(ctx,
		`INSERT INTO feedback (platform, ref, user_id, helpful, recorded_at) VALUES ($1, $2, $3, $4, $5)
		 ON CONFLICT (platform, ref, user_id) DO UPDATE SET helpful = excluded.helpful, recorded_at = excluded.recorded_at`,
		platform, ref, string(user), helpful, at)
	if err != nil {
		return fmt.Errorf("record feedback on reply %s: %w", ref, err)
	}
	return nil
}

// Feedback lists the verdicts on one reply, oldest first.
func (p *Postgres) Feedback(ctx context.Context, platform, ref string) ([]Feedback, error) {
	rows, err := p.pool.Query(ctx,
		`SELECT user_id, helpful, recorded_at FROM feedback WHERE platform = $1 AND ref = $2
		 ORDER BY recorded_at, user_id`, platform, ref)
	if err != nil {
		return nil, fmt.Errorf("read feedback on reply %s: %w", ref, err)
	}
	defer rows.Close()
	var out []Feedback
	for rows.Next() {
		f := Feedback{Platform: platform, Ref: ref}
		var user string
		if err := rows.Scan(&user, &f.Helpful, &f.At); err != nil {
			return nil, fmt.Errorf("read feedback on reply %s: %w", ref, err)
		}
		f.User, f.At = bot.UserID(user), f.At.UTC()
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read feedback on reply %s: %w", ref, err)
	}
	return out, nil
}

// GetValue implements bot.Store; bot.ErrNotFound for a missing key.
func (p *Postgres) GetValue(ctx context.Context, key string) (string, error) {
	var v string
	err := p.pool.QueryRow(ctx, `SELECT value FROM kv WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("read value %q: %w", key, bot.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("read value %q: %w", key, err)
	}
	return v, nil
}

// SetValue implements bot.Store: it stores value under key, replacing any
// earlier value. The key must not be empty.
func (p *Postgres) SetValue(ctx context.Context, key, value string) error {
	if err := checkValueKey(key); err != nil {
		return err
	}
	_, err := p.pool.Exec(ctx,
		`INSERT INTO kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
		key, value)
	if err != nil {
		return fmt.Errorf("store value %q: %w", key, err)
	}
	return nil
}
