package bot

import (
	"context"
	"errors"
	"strconv"
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

// ErrScheduleChanged is returned by ClaimDigest and RenewDigest when the
// subscription's schedule in the store is no longer the one the caller
// holds: another process changed it, and the slot is not one of the new
// schedule's.
var ErrScheduleChanged = errors.New("the subscription's schedule changed")

// EventState is what ClaimEvent found.
type EventState int

const (
	// EventClaimed: the caller now holds the event. It answers it and then
	// calls FinishEvent, or ReleaseEvent when the answer could not be sent.
	EventClaimed EventState = iota + 1
	// EventDone: the event was handled before; it must not be answered
	// again.
	EventDone
	// EventBusy: another live claim holds the event. Its holder may still
	// answer it, release it, or die and let the claim expire.
	EventBusy
)

func (s EventState) String() string {
	switch s {
	case EventClaimed:
		return "claimed"
	case EventDone:
		return "done"
	case EventBusy:
		return "busy"
	}
	return "EventState(" + strconv.Itoa(int(s)) + ")"
}

// Store keeps the bot's state. Implementations must be safe for concurrent
// use by several goroutines and, for shared databases, several processes.
// Every method may block on I/O and honours ctx.
type Store interface {
	// ClaimEvent takes the right to answer the platform's event, keyed by
	// (platform, id), for owner (a name unique to the calling process). It
	// returns EventClaimed when the event was never seen, or was claimed
	// before but neither finished nor released and that claim's lease has
	// run out (its holder died); the claim is then live until now+lease.
	// It returns EventDone for a finished event and EventBusy while another
	// claim is live. Exactly one of several racing callers gets
	// EventClaimed.
	ClaimEvent(ctx context.Context, platform string, id EventID, owner string, now time.Time, lease time.Duration) (EventState, error)
	// RenewEvent extends owner's live claim on the event to now+lease and
	// reports whether owner still holds it (false: it was finished,
	// released, or taken over after it expired).
	RenewEvent(ctx context.Context, platform string, id EventID, owner string, now time.Time, lease time.Duration) (bool, error)
	// FinishEvent records that the event was handled: every later
	// ClaimEvent returns EventDone. Finishing an event twice keeps the first
	// time.
	FinishEvent(ctx context.Context, platform string, id EventID, at time.Time) error
	// ReleaseEvent gives up owner's unfinished claim on the event, so that
	// a redelivery is answered. It does nothing when owner holds no such
	// claim.
	ReleaseEvent(ctx context.Context, platform string, id EventID, owner string) error

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
	// when the digest was sent or another live claim holds it (the caller's
	// own included). It fails with ErrNotFound when the subscription sub.ID
	// no longer exists, and with ErrScheduleChanged when its stored Cron or
	// TimeZone differ from sub's: a slot of a schedule that no longer exists
	// is never claimed.
	ClaimDigest(ctx context.Context, sub Subscription, slot time.Time, owner string, now time.Time, lease time.Duration, maxAttempts int) (bool, error)
	// RenewDigest restarts the lease of owner's unsent claim of (sub, slot)
	// at now, without counting an attempt, so that the holder can retry a
	// failed post. It reports false when owner no longer holds the claim (it
	// was sent, or taken over after its lease ran out), and fails like
	// ClaimDigest when the subscription was removed or its schedule changed.
	RenewDigest(ctx context.Context, sub Subscription, slot time.Time, owner string, now time.Time) (bool, error)
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
