package bot

import (
	"context"
	"errors"
	"time"
)

// Subscription asks for a topic's digest in one conversation on a schedule.
type Subscription struct {
	ID           int64          // assigned by the Store; 0 before it is saved
	Platform     string         // adapter name: "slack", "matrix", "console"
	Conversation ConversationID // where digests are posted
	Topic        string
	Cron         string // five-field cron spec, "0 7 * * *"
	TimeZone     string // IANA name, "Europe/Amsterdam"; empty means UTC
	CreatedBy    UserID
	Created      time.Time
}

// DigestClaim is the state of one (subscription, slot) digest.
type DigestClaim struct {
	Subscription int64
	Slot         time.Time // the scheduled time the digest is for (UTC)
	Owner        string    // the replica or process that holds the claim
	Attempts     int
	ClaimedAt    time.Time
	SentAt       time.Time // zero until sent
}

// ErrNotFound is returned by Store methods when the thing asked for does
// not exist.
var ErrNotFound = errors.New("not found")

// Store keeps the bot's state. Implementations must be safe for concurrent
// use by several goroutines and, for shared databases, several processes.
// Every method may block on I/O and honours ctx.
type Store interface {
	// MarkProcessed records that the platform's event was handled and
	// reports whether this call was the first to do so. A redelivered event
	// gets first == false and must not be answered again.
	MarkProcessed(ctx context.Context, platform string, id EventID, at time.Time) (first bool, err error)

	// AddSubscription saves s (replacing the subscription with the same
	// platform, conversation and topic) and returns it with its ID.
	AddSubscription(ctx context.Context, s Subscription) (Subscription, error)
	// RemoveSubscription deletes the conversation's subscription to topic;
	// ErrNotFound when there is none.
	RemoveSubscription(ctx context.Context, platform string, conv ConversationID, topic string) error
	// Subscriptions lists all subscriptions, oldest first.
	Subscriptions(ctx context.Context) ([]Subscription, error)

	// ClaimDigest takes the right to post subscription sub's digest for slot.
	// It returns true when the caller now holds the claim: the slot was never
	// claimed, or an earlier claim was never marked sent, is older than lease
	// and has been attempted fewer than maxAttempts times. It returns false
	// when the digest was sent or another live claim holds it.
	ClaimDigest(ctx context.Context, sub int64, slot time.Time, owner string, now time.Time, lease time.Duration, maxAttempts int) (bool, error)
	// MarkDigestSent records that the digest for (sub, slot) was posted.
	MarkDigestSent(ctx context.Context, sub int64, slot time.Time, at time.Time) error
	// LastDigest returns the latest slot of sub whose digest was sent;
	// ErrNotFound when none was.
	LastDigest(ctx context.Context, sub int64) (DigestClaim, error)

	// RecordFeedback stores a user's verdict on a reply.
	RecordFeedback(ctx context.Context, platform string, ref string, user UserID, helpful bool, at time.Time) error

	// GetValue and SetValue keep small adapter state (a Matrix sync token)
	// under a namespaced key. GetValue returns ErrNotFound for a missing key.
	GetValue(ctx context.Context, key string) (string, error)
	SetValue(ctx context.Context, key, value string) error
}
