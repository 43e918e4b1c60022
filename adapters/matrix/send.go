package matrix

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.mau.fi/util/retryafter"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/briefbot/briefbot/bot"
)

// Send posts r to to.Conversation as one or more m.notice events (HTML with
// a plain-text body), each under Matrix's event size limit and never cut
// mid-word. When to.Thread is the root of a thread the bot has seen a
// message in, the notices go into that thread (with an m.in_reply_to
// fallback to the latest question); any other to.Thread is answered with a
// reply to that event; an empty one posts to the room. Notices never ping:
// m.mentions is always empty. Rate limits (429 with retry_after_ms or
// Retry-After) and transient failures are retried with the same transaction
// ID, so a part is never posted twice. A reply's transaction IDs derive
// from the room, the event it answers and its content, so sending the same
// reply again (an event redelivered after a crash, answered again) is
// deduplicated by the homeserver within the same session. Send blocks
// until every part is accepted or ctx ends. It is safe for concurrent use
// once Run has logged in.
func (a *Adapter) Send(ctx context.Context, to bot.Target, r bot.Reply) error {
	if !a.loggedIn.Load() {
		return errors.New("matrix: cannot send before Run has logged in to the homeserver")
	}
	room := id.RoomID(to.Conversation)
	if !strings.HasPrefix(string(room), "!") {
		return fmt.Errorf("matrix: %q is not a Matrix room ID (like !abc:example.org)", to.Conversation)
	}
	parts := renderReply(r)
	if len(parts) == 0 {
		return errors.New("matrix: the reply is empty; nothing to send")
	}
	rel := a.relation(to.Thread)
	contents := make([]*event.MessageEventContent, len(parts))
	for i, p := range parts {
		contents[i] = &event.MessageEventContent{
			MsgType:       event.MsgNotice,
			Body:          p.Plain,
			Format:        event.FormatHTML,
			FormattedBody: p.HTML,
			Mentions:      &event.Mentions{},
			RelatesTo:     rel.Copy(),
		}
	}
	var txnBase string
	var err error
	if rel != nil {
		txnBase, err = replyTxnBase(room, contents)
	} else {
		txnBase, err = newTxnBase()
	}
	if err != nil {
		return err
	}
	for i, content := range contents {
		txn := fmt.Sprintf("%s.%d", txnBase, i)
		if err := a.sendEvent(ctx, room, content, txn); err != nil {
			return fmt.Errorf("matrix: send part %d of %d of the reply to %s: %w", i+1, len(parts), room, err)
		}
	}
	return nil
}

// relation says how a reply relates to to.Thread: a thread reply when it is
// a known thread root, else a plain reply.
func (a *Adapter) relation(thread bot.ThreadID) *event.RelatesTo {
	if thread == "" {
		return nil
	}
	evt := id.EventID(thread)
	if latest, ok := a.threads.get(evt); ok {
		return &event.RelatesTo{
			Type:          event.RelThread,
			EventID:       evt,
			InReplyTo:     &event.InReplyTo{EventID: latest},
			IsFallingBack: true,
		}
	}
	return &event.RelatesTo{InReplyTo: &event.InReplyTo{EventID: evt}}
}

// sendEvent sends one message, encrypted once up front in an encrypted
// room, and retries it under the same transaction ID.
func (a *Adapter) sendEvent(ctx context.Context, room id.RoomID, content *event.MessageEventContent, txn string) error {
	evtType, payload := event.EventMessage, any(content)
	if a.crypto != nil {
		encrypted, err := a.cli.StateStore.IsEncrypted(ctx, room)
		if err != nil {
			return fmt.Errorf("check whether the room is encrypted: %w", err)
		}
		if encrypted {
			enc, err := a.crypto.Encrypt(ctx, room, event.EventMessage, content)
			if err != nil {
				return fmt.Errorf("encrypt the reply: %w", err)
			}
			evtType, payload = event.EventEncrypted, enc
		}
	}
	backoff := a.minBackoff
	for attempt := 1; ; attempt++ {
		_, err := a.cli.SendMessageEvent(ctx, room, evtType, payload, mautrix.ReqSendEvent{TransactionID: txn, DontEncrypt: true})
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, mautrix.MUnknownToken) {
			return a.tokenError(err)
		}
		d, transient := retryDelay(err, backoff)
		if !transient || attempt >= maxSendAttempts {
			return err
		}
		a.log.Warn("sending a Matrix message failed; retrying with the same transaction ID",
			"room_id", string(room), "attempt", attempt, "retry_in", d, "err", err)
		if err := a.wait(ctx, d); err != nil {
			return err
		}
		backoff = min(2*backoff, a.maxBackoff)
	}
}

// retryDelay classifies err: rate limits wait what the homeserver asks
// (capped at maxRetryAfter), network errors and 5xx wait backoff, anything
// else is permanent.
func retryDelay(err error, backoff time.Duration) (time.Duration, bool) {
	if d, ok := rateLimitDelay(err); ok {
		return d, true
	}
	var he mautrix.HTTPError
	if !errors.As(err, &he) {
		return 0, false
	}
	if he.Response == nil {
		// No response at all: connection refused or reset, timeout.
		return backoff, he.WrappedError != nil && !errors.Is(he.WrappedError, context.Canceled)
	}
	if he.Response.StatusCode >= 500 {
		return backoff, true
	}
	return 0, false
}

// rateLimitDelay reports whether err is a rate limit (HTTP 429 or
// M_LIMIT_EXCEEDED) and how long to wait: retry_after_ms from the body
// (Dendrite, Synapse), else the Retry-After header, else one second.
func rateLimitDelay(err error) (time.Duration, bool) {
	var he mautrix.HTTPError
	if !errors.As(err, &he) {
		return 0, false
	}
	limited := he.Response != nil && he.Response.StatusCode == http.StatusTooManyRequests ||
		he.RespError != nil && he.RespError.ErrCode == mautrix.MLimitExceeded.ErrCode
	if !limited {
		return 0, false
	}
	d := time.Second
	if ms, ok := retryAfterMS(he.RespError); ok {
		d = ms
	} else if he.Response != nil {
		d = retryafter.Parse(he.Response.Header.Get("Retry-After"), d)
	}
	return min(max(d, 0), maxRetryAfter), true
}

func retryAfterMS(re *mautrix.RespError) (time.Duration, bool) {
	if re == nil {
		return 0, false
	}
	switch v := re.ExtraData["retry_after_ms"].(type) {
	case float64:
		return time.Duration(v) * time.Millisecond, true
	default:
		return 0, false
	}
}

// replyTxnBase returns the transaction ID prefix of a reply to an event:
// a hash of the room and of every part's content, which names the event
// replied to (m.relates_to). The same reply sent again to the same event,
// as when the core answers an event redelivered after a crash, gets the
// same transaction IDs, and the homeserver, which remembers them per
// session for a while (Dendrite 30 to 60 minutes, in memory), posts it
// once. A different reply, or one to another event, gets other IDs.
func replyTxnBase(room id.RoomID, contents []*event.MessageEventContent) (string, error) {
	h := sha256.New()
	h.Write([]byte(room))
	for _, c := range contents {
		b, err := json.Marshal(c)
		if err != nil {
			return "", fmt.Errorf("matrix: make a transaction ID: %w", err)
		}
		h.Write([]byte{0})
		h.Write(b)
	}
	return "briefbot.reply." + hex.EncodeToString(h.Sum(nil)[:16]), nil
}

// newTxnBase returns a random transaction ID prefix for one Send: posts to
// a room (digests) are new posts each time.
func newTxnBase() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("matrix: make a transaction ID: %w", err)
	}
	return "briefbot." + hex.EncodeToString(b[:]), nil
}
