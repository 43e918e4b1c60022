package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// MarkProcessed implements bot.Store: it records (platform, id) and reports
// first == true only to the one call that inserted it, across goroutines,
// processes and restarts.
func (s *SQLite) MarkProcessed(ctx context.Context, platform string, id bot.EventID, at time.Time) (bool, error) {
	if platform == "" || id == "" {
		return false, fmt.Errorf("mark event processed: platform (%q) and event ID (%q) must not be empty", platform, id)
	}
	var n int64
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`INSERT INTO processed_events (platform, event_id, processed_at) VALUES (?, ?, ?)
			 ON CONFLICT (platform, event_id) DO NOTHING`,
			platform, string(id), formatTime(at))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("mark %s event %s processed: %w", platform, id, err)
	}
	return n == 1, nil
}

// PruneProcessed forgets the event IDs processed before before and reports
// how many it dropped. Keep them longer than any platform redelivers (Slack:
// minutes; Matrix: until the sync token moves on).
func (s *SQLite) PruneProcessed(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM processed_events WHERE processed_at < ?`, formatTime(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune processed events before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	if n > 0 {
		s.logger.Debug("store pruned processed events", "count", n)
	}
	return n, nil
}

// AddSubscription implements bot.Store. s.ID is ignored: the (Platform,
// Conversation, Topic) key decides. An existing subscription with that key
// keeps its ID, CreatedBy and Created and takes s's Cron and TimeZone.
// Platform, Conversation, Topic, Cron and Created are required; cron syntax
// and time zone names are the scheduler's to check.
func (s *SQLite) AddSubscription(ctx context.Context, sub bot.Subscription) (bot.Subscription, error) {
	switch {
	case sub.Platform == "" || sub.Conversation == "" || sub.Topic == "":
		return bot.Subscription{}, fmt.Errorf("add subscription: platform (%q), conversation (%q) and topic (%q) must not be empty",
			sub.Platform, sub.Conversation, sub.Topic)
	case sub.Cron == "":
		return bot.Subscription{}, fmt.Errorf("add subscription to %q in %s: no cron schedule given", sub.Topic, sub.Conversation)
	case sub.Created.IsZero():
		return bot.Subscription{}, fmt.Errorf("add subscription to %q in %s: Created is not set", sub.Topic, sub.Conversation)
	}
	out := sub
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		var createdBy, created string
		err := tx.QueryRowContext(ctx,
			`INSERT INTO subscriptions (platform, conversation, topic, cron, time_zone, created_by, created_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?)
			 ON CONFLICT (platform, conversation, topic)
			 DO UPDATE SET cron = excluded.cron, time_zone = excluded.time_zone
			 RETURNING id, created_by, created_at`,
			sub.Platform, string(sub.Conversation), sub.Topic, sub.Cron, sub.TimeZone,
			string(sub.CreatedBy), formatTime(sub.Created),
		).Scan(&out.ID, &createdBy, &created)
		if err != nil {
			return err
		}
		out.CreatedBy = bot.UserID(createdBy)
		out.Created, err = parseTime(created)
		return err
	})
	if err != nil {
		return bot.Subscription{}, fmt.Errorf("add subscription to %q in %s: %w", sub.Topic, sub.Conversation, err)
	}
	return out, nil
}

// RemoveSubscription implements bot.Store. Removing a subscription also
// forgets its digest claims.
func (s *SQLite) RemoveSubscription(ctx context.Context, platform string, conv bot.ConversationID, topic string) error {
	var n int64
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`DELETE FROM subscriptions WHERE platform = ? AND conversation = ? AND topic = ?`,
			platform, string(conv), topic)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
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
func (s *SQLite) Subscriptions(ctx context.Context) ([]bot.Subscription, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT id, platform, conversation, topic, cron, time_zone, created_by, created_at
		 FROM subscriptions ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	defer rows.Close()
	var out []bot.Subscription
	for rows.Next() {
		var (
			sub                     bot.Subscription
			conv, createdBy, create string
		)
		if err := rows.Scan(&sub.ID, &sub.Platform, &conv, &sub.Topic, &sub.Cron, &sub.TimeZone, &createdBy, &create); err != nil {
			return nil, fmt.Errorf("list subscriptions: %w", err)
		}
		sub.Conversation = bot.ConversationID(conv)
		sub.CreatedBy = bot.UserID(createdBy)
		if sub.Created, err = parseTime(create); err != nil {
			return nil, fmt.Errorf("list subscriptions: subscription %d: %w", sub.ID, err)
		}
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	return out, nil
}

// ClaimDigest implements bot.Store. The claim is read and written in one
// IMMEDIATE transaction, so exactly one caller wins a slot however many
// goroutines and processes race for it. A claim is live until now reaches
// ClaimedAt+lease; an expired, unsent claim is taken over (Attempts+1, new
// Owner, ClaimedAt = now) while Attempts < maxAttempts. It fails with
// bot.ErrNotFound when subscription sub does not exist (it was removed), and
// with an error for lease <= 0 or maxAttempts < 1.
func (s *SQLite) ClaimDigest(ctx context.Context, sub int64, slot time.Time, owner string, now time.Time, lease time.Duration, maxAttempts int) (bool, error) {
	if lease <= 0 || maxAttempts < 1 {
		return false, fmt.Errorf("claim digest of subscription %d: lease (%s) must be positive and maxAttempts (%d) at least 1", sub, lease, maxAttempts)
	}
	if owner == "" {
		return false, fmt.Errorf("claim digest of subscription %d: no owner given", sub)
	}
	slotText := formatTime(slot)
	var claimed bool
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		var (
			attempts  int
			claimedAt string
			sentAt    sql.NullString
		)
		err := tx.QueryRowContext(ctx,
			`SELECT attempts, claimed_at, sent_at FROM digest_claims WHERE subscription = ? AND slot = ?`,
			sub, slotText).Scan(&attempts, &claimedAt, &sentAt)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			var exists bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM subscriptions WHERE id = ?)`, sub).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return fmt.Errorf("subscription %d: %w", sub, bot.ErrNotFound)
			}
			_, err := tx.ExecContext(ctx,
				`INSERT INTO digest_claims (subscription, slot, owner, attempts, claimed_at) VALUES (?, ?, ?, 1, ?)`,
				sub, slotText, owner, formatTime(now))
			claimed = err == nil
			return err
		case err != nil:
			return err
		}
		if sentAt.Valid || attempts >= maxAttempts {
			return nil
		}
		at, err := parseTime(claimedAt)
		if err != nil {
			return err
		}
		if now.Before(at.Add(lease)) {
			return nil // a live claim
		}
		_, err = tx.ExecContext(ctx,
			`UPDATE digest_claims SET owner = ?, attempts = attempts + 1, claimed_at = ?
			 WHERE subscription = ? AND slot = ?`,
			owner, formatTime(now), sub, slotText)
		claimed = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("claim digest of subscription %d for %s: %w", sub, slotText, err)
	}
	if claimed {
		s.logger.Debug("store digest claimed", "subscription", sub, "slot", slotText, "owner", owner)
	}
	return claimed, nil
}

// MarkDigestSent implements bot.Store. Marking a sent digest again keeps the
// first time. It fails with bot.ErrNotFound when (sub, slot) was never
// claimed.
func (s *SQLite) MarkDigestSent(ctx context.Context, sub int64, slot time.Time, at time.Time) error {
	if at.IsZero() {
		return fmt.Errorf("mark digest of subscription %d sent: no time given", sub)
	}
	slotText := formatTime(slot)
	var n int64
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE digest_claims SET sent_at = coalesce(sent_at, ?) WHERE subscription = ? AND slot = ?`,
			formatTime(at), sub, slotText)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("mark digest of subscription %d for %s sent: %w", sub, slotText, err)
	}
	if n == 0 {
		return fmt.Errorf("mark digest of subscription %d for %s sent: no claim: %w", sub, slotText, bot.ErrNotFound)
	}
	return nil
}

// LastDigest implements bot.Store: the sent claim of sub with the latest
// Slot, or bot.ErrNotFound.
func (s *SQLite) LastDigest(ctx context.Context, sub int64) (bot.DigestClaim, error) {
	var (
		c               = bot.DigestClaim{Subscription: sub}
		slot, claimedAt string
		sentAt          sql.NullString
	)
	err := s.read.QueryRowContext(ctx,
		`SELECT slot, owner, attempts, claimed_at, sent_at FROM digest_claims
		 WHERE subscription = ? AND sent_at IS NOT NULL ORDER BY slot DESC LIMIT 1`,
		sub).Scan(&slot, &c.Owner, &c.Attempts, &claimedAt, &sentAt)
	if errors.Is(err, sql.ErrNoRows) {
		return bot.DigestClaim{}, fmt.Errorf("last digest of subscription %d: %w", sub, bot.ErrNotFound)
	}
	if err != nil {
		return bot.DigestClaim{}, fmt.Errorf("last digest of subscription %d: %w", sub, err)
	}
	var errs [3]error
	c.Slot, errs[0] = parseTime(slot)
	c.ClaimedAt, errs[1] = parseTime(claimedAt)
	c.SentAt, errs[2] = parseNullTime(sentAt)
	if err := errors.Join(errs[:]...); err != nil {
		return bot.DigestClaim{}, fmt.Errorf("last digest of subscription %d: %w", sub, err)
	}
	return c, nil
}

// Feedback is one user's verdict on one reply.
type Feedback struct {
	Platform string
	Ref      string
	User     bot.UserID
	Helpful  bool
	At       time.Time
}

// RecordFeedback implements bot.Store. A user has one verdict per reply: a
// later one (a changed mind, a redelivered button press) replaces it.
func (s *SQLite) RecordFeedback(ctx context.Context, platform string, ref string, user bot.UserID, helpful bool, at time.Time) error {
	if platform == "" || ref == "" || user == "" {
		return fmt.Errorf("record feedback: platform (%q), reply ref (%q) and user (%q) must not be empty", platform, ref, user)
	}
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO feedback (platform, ref, user_id, helpful, recorded_at) VALUES (?, ?, ?, ?, ?)
			 ON CONFLICT (platform, ref, user_id) DO UPDATE SET helpful = excluded.helpful, recorded_at = excluded.recorded_at`,
			platform, ref, string(user), helpful, formatTime(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("record feedback on reply %s: %w", ref, err)
	}
	return nil
}

// Feedback lists the verdicts on one reply, oldest first.
func (s *SQLite) Feedback(ctx context.Context, platform, ref string) ([]Feedback, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT user_id, helpful, recorded_at FROM feedback WHERE platform = ? AND ref = ?
		 ORDER BY recorded_at, user_id`, platform, ref)
	if err != nil {
		return nil, fmt.Errorf("read feedback on reply %s: %w", ref, err)
	}
	defer rows.Close()
	var out []Feedback
	for rows.Next() {
		f := Feedback{Platform: platform, Ref: ref}
		var user, at string
		if err := rows.Scan(&user, &f.Helpful, &at); err != nil {
			return nil, fmt.Errorf("read feedback on reply %s: %w", ref, err)
		}
		f.User = bot.UserID(user)
		if f.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("read feedback on reply %s: %w", ref, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read feedback on reply %s: %w", ref, err)
	}
	return out, nil
}

// GetValue implements bot.Store; bot.ErrNotFound for a missing key.
func (s *SQLite) GetValue(ctx context.Context, key string) (string, error) {
	var v string
	err := s.read.QueryRowContext(ctx, `SELECT value FROM kv WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("read value %q: %w", key, bot.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("read value %q: %w", key, err)
	}
	return v, nil
}

// SetValue implements bot.Store: it stores value under key, replacing any
// earlier value. The key must not be empty.
func (s *SQLite) SetValue(ctx context.Context, key, value string) error {
	if key == "" {
		return errors.New("store value: the key must not be empty")
	}
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
			key, value)
		return err
	})
	if err != nil {
		return fmt.Errorf("store value %q: %w", key, err)
	}
	return nil
}
