package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// ClaimEvent implements bot.Store. The claim is read and written in one
// IMMEDIATE transaction, so exactly one caller wins, however many
// goroutines and processes race. A row without lease_until and done_at
// (written by no version, but possible after a manual edit) counts as done.
func (s *SQLite) ClaimEvent(ctx context.Context, platform string, id bot.EventID, owner string, now time.Time, lease time.Duration) (bot.EventState, error) {
	if err := checkEventClaim(platform, id, owner, lease); err != nil {
		return 0, err
	}
	var state bot.EventState
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		var (
			holder             string
			leaseUntil, doneAt sql.NullString
		)
		err := tx.QueryRowContext(ctx,
			`SELECT owner, lease_until, done_at FROM processed_events WHERE platform = ? AND event_id = ?`,
			platform, string(id)).Scan(&holder, &leaseUntil, &doneAt)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err := tx.ExecContext(ctx,
				`INSERT INTO processed_events (platform, event_id, processed_at, owner, lease_until) VALUES (?, ?, ?, ?, ?)`,
				platform, string(id), formatTime(now), owner, formatTime(now.Add(lease)))
			state = bot.EventClaimed
			return err
		case err != nil:
			return err
		case doneAt.Valid || !leaseUntil.Valid:
			state = bot.EventDone
			return nil
		}
		until, err := parseTime(leaseUntil.String)
		if err != nil {
			return err
		}
		if now.Before(until) {
			state = bot.EventBusy
			return nil
		}
		_, err = tx.ExecContext(ctx,
			`UPDATE processed_events SET owner = ?, lease_until = ? WHERE platform = ? AND event_id = ?`,
			owner, formatTime(now.Add(lease)), platform, string(id))
		state = bot.EventClaimed
		if err == nil {
			s.logger.Debug("store event claim taken over", "platform", platform, "event_id", string(id), "owner", owner, "previous_owner", holder)
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("claim %s event %s: %w", platform, id, err)
	}
	return state, nil
}

// checkEventClaim checks ClaimEvent's arguments (of both backends).
func checkEventClaim(platform string, id bot.EventID, owner string, lease time.Duration) error {
	switch {
	case platform == "" || id == "":
		return fmt.Errorf("claim event: platform (%q) and event ID (%q) must not be empty", platform, id)
	case owner == "":
		return fmt.Errorf("claim %s event %s: no owner given", platform, id)
	case lease <= 0:
		return fmt.Errorf("claim %s event %s: lease %s is not positive", platform, id, lease)
	}
	return nil
}

// RenewEvent implements bot.Store.
func (s *SQLite) RenewEvent(ctx context.Context, platform string, id bot.EventID, owner string, now time.Time, lease time.Duration) (bool, error) {
	var n int64
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE processed_events SET lease_until = ?
			 WHERE platform = ? AND event_id = ? AND owner = ? AND done_at IS NULL AND lease_until IS NOT NULL`,
			formatTime(now.Add(lease)), platform, string(id), owner)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("renew the claim on %s event %s: %w", platform, id, err)
	}
	return n == 1, nil
}

// FinishEvent implements bot.Store. Finishing an event that was never
// claimed records it as done.
func (s *SQLite) FinishEvent(ctx context.Context, platform string, id bot.EventID, at time.Time) error {
	if err := checkFinishEvent(platform, id); err != nil {
		return err
	}
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO processed_events (platform, event_id, processed_at, done_at) VALUES (?, ?, ?, ?)
			 ON CONFLICT (platform, event_id) DO UPDATE SET done_at = coalesce(done_at, excluded.done_at)`,
			platform, string(id), formatTime(at), formatTime(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("record %s event %s as handled: %w", platform, id, err)
	}
	return nil
}

// checkFinishEvent checks FinishEvent's arguments (of both backends).
func checkFinishEvent(platform string, id bot.EventID) error {
	if platform == "" || id == "" {
		return fmt.Errorf("finish event: platform (%q) and event ID (%q) must not be empty", platform, id)
	}
	return nil
}

// ReleaseEvent implements bot.Store: it forgets owner's unfinished claim.
func (s *SQLite) ReleaseEvent(ctx context.Context, platform string, id bot.EventID, owner string) error {
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`DELETE FROM processed_events WHERE platform = ? AND event_id = ? AND owner = ? AND done_at IS NULL`,
			platform, string(id), owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("release the claim on %s event %s: %w", platform, id, err)
	}
	return nil
}

// PruneProcessed forgets the events first claimed before before, handled or
// not, and reports how many it dropped. Keep them longer than any platform redelivers (Slack:
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
	if err := checkSubscription(sub); err != nil {
		return bot.Subscription{}, err
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

// checkSubscription checks AddSubscription's argument (of both backends).
func checkSubscription(sub bot.Subscription) error {
	switch {
	case sub.Platform == "" || sub.Conversation == "" || sub.Topic == "":
		return fmt.Errorf("add subscription: platform (%q), conversation (%q) and topic (%q) must not be empty",
			sub.Platform, sub.Conversation, sub.Topic)
	case sub.Cron == "":
		return fmt.Errorf("add subscription to %q in %s: no cron schedule given", sub.Topic, sub.Conversation)
	case sub.Created.IsZero():
		return fmt.Errorf("add subscription to %q in %s: Created is not set", sub.Topic, sub.Conversation)
	}
	return nil
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
// bot.ErrNotFound when subscription sub.ID does not exist (it was removed),
// with bot.ErrScheduleChanged when its stored schedule is not sub's, and
// with an error for lease <= 0 or maxAttempts < 1.
func (s *SQLite) ClaimDigest(ctx context.Context, sub bot.Subscription, slot time.Time, owner string, now time.Time, lease time.Duration, maxAttempts int) (bool, error) {
	if err := checkDigestClaim(sub, owner, lease, maxAttempts); err != nil {
		return false, err
	}
	slotText := formatTime(slot)
	var claimed bool
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		if err := checkSchedule(ctx, tx, sub); err != nil {
			return err
		}
		var (
			attempts  int
			claimedAt string
			sentAt    sql.NullString
		)
		err := tx.QueryRowContext(ctx,
			`SELECT attempts, claimed_at, sent_at FROM digest_claims WHERE subscription = ? AND slot = ?`,
			sub.ID, slotText).Scan(&attempts, &claimedAt, &sentAt)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err := tx.ExecContext(ctx,
				`INSERT INTO digest_claims (subscription, slot, owner, attempts, claimed_at) VALUES (?, ?, ?, 1, ?)`,
				sub.ID, slotText, owner, formatTime(now))
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
			owner, formatTime(now), sub.ID, slotText)
		claimed = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("claim digest of subscription %d for %s: %w", sub.ID, slotText, err)
	}
	if claimed {
		s.logger.Debug("store digest claimed", "subscription", sub.ID, "slot", slotText, "owner", owner)
	}
	return claimed, nil
}

// checkDigestClaim checks ClaimDigest's arguments (of both backends).
func checkDigestClaim(sub bot.Subscription, owner string, lease time.Duration, maxAttempts int) error {
	if lease <= 0 || maxAttempts < 1 {
		return fmt.Errorf("claim digest of subscription %d: lease (%s) must be positive and maxAttempts (%d) at least 1", sub.ID, lease, maxAttempts)
	}
	if owner == "" {
		return fmt.Errorf("claim digest of subscription %d: no owner given", sub.ID)
	}
	return nil
}

// RenewDigest implements bot.Store.
func (s *SQLite) RenewDigest(ctx context.Context, sub bot.Subscription, slot time.Time, owner string, now time.Time) (bool, error) {
	slotText := formatTime(slot)
	var n int64
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		if err := checkSchedule(ctx, tx, sub); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx,
			`UPDATE digest_claims SET claimed_at = ?
			 WHERE subscription = ? AND slot = ? AND owner = ? AND sent_at IS NULL`,
			formatTime(now), sub.ID, slotText, owner)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("renew the claim on the digest of subscription %d for %s: %w", sub.ID, slotText, err)
	}
	return n == 1, nil
}

// checkSchedule fails with bot.ErrNotFound when subscription sub.ID is gone
// and with bot.ErrScheduleChanged when its stored schedule is not sub's.
func checkSchedule(ctx context.Context, tx *sql.Tx, sub bot.Subscription) error {
	var cron, zone string
	err := tx.QueryRowContext(ctx, `SELECT cron, time_zone FROM subscriptions WHERE id = ?`, sub.ID).Scan(&cron, &zone)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return scheduleError(sub, false, "", "")
	case err != nil:
		return err
	}
	return scheduleError(sub, true, cron, zone)
}

// scheduleError compares sub's schedule with the stored one (cron, zone;
// found is false when the subscription is gone): nil when they agree,
// bot.ErrNotFound or bot.ErrScheduleChanged when not.
func scheduleError(sub bot.Subscription, found bool, cron, zone string) error {
	switch {
	case !found:
		return fmt.Errorf("subscription %d: %w", sub.ID, bot.ErrNotFound)
	case cron != sub.Cron || zone != sub.TimeZone:
		return fmt.Errorf("subscription %d is now %q (%s), not %q (%s): %w",
			sub.ID, cron, cmp.Or(zone, "default zone"), sub.Cron, cmp.Or(sub.TimeZone, "default zone"), bot.ErrScheduleChanged)
	}
	return nil
}

// MarkDigestSent implements bot.Store. Marking a sent digest again keeps the
// first time. It fails with bot.ErrNotFound when (sub, slot) was never
// claimed.
func (s *SQLite) MarkDigestSent(ctx context.Context, sub int64, slot time.Time, at time.Time) error {
	if err := checkMarkSent(sub, at); err != nil {
		return err
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

// checkMarkSent checks MarkDigestSent's arguments (of both backends).
func checkMarkSent(sub int64, at time.Time) error {
	if at.IsZero() {
		return fmt.Errorf("mark digest of subscription %d sent: no time given", sub)
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
	if err := checkFeedback(platform, ref, user); err != nil {
		return err
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

// checkFeedback checks RecordFeedback's arguments (of both backends).
func checkFeedback(platform, ref string, user bot.UserID) error {
	if platform == "" || ref == "" || user == "" {
		return fmt.Errorf("record feedback: platform (%q), reply ref (%q) and user (%q) must not be empty", platform, ref, user)
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
	if err := checkValueKey(key); err != nil {
		return err
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

// checkValueKey checks SetValue's key (of both backends).
func checkValueKey(key string) error {
	if key == "" {
		return errors.New("store value: the key must not be empty")
	}
	return nil
}
