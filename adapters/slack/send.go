package slack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/briefbot/briefbot/bot"
)

// Send renders r as Block Kit and posts it to to.Conversation with
// chat.postMessage, in the thread to.Thread when set. A reply too large for
// one message is posted as several, in order; Send stops at the first part
// that fails and says how many were posted. A rate limit (HTTP 429) is
// waited out (Retry-After, honouring ctx) and the part sent once more; a
// connection that failed before the request was sent is retried with
// backoff. Failures that may have posted (a timeout after sending, a 5xx)
// are never retried, so no part is ever posted twice. Each message's
// notification text is plain (mrkdwn=false), so article IDs keep their _
// and *. Send may block until Slack accepts the message or ctx ends.
func (a *Adapter) Send(ctx context.Context, to bot.Target, r bot.Reply) error {
	_, err := a.send(ctx, to, r)
	return err
}

// send is Send, also saying how many messages were posted.
func (a *Adapter) send(ctx context.Context, to bot.Target, r bot.Reply) (posted int, err error) {
	if to.Conversation == "" {
		return 0, errors.New("slack: Send needs a conversation (channel ID) to post to")
	}
	msgs := render(r, a.feedback != nil)
	if len(msgs) == 0 {
		return 0, errors.New("slack: the reply is empty; nothing to send")
	}
	for i, m := range msgs {
		if err := a.post(ctx, to, m); err != nil {
			if len(msgs) == 1 {
				return 0, fmt.Errorf("slack: posting to %s: %w", to.Conversation, err)
			}
			return i, fmt.Errorf("slack: posting part %d of %d to %s (%d posted): %w", i+1, len(msgs), to.Conversation, i, err)
		}
	}
	return len(msgs), nil
}

// post sends one message, retrying only where Slack certainly did not
// post it.
func (a *Adapter) post(ctx context.Context, to bot.Target, m message) error {
	opts := []slackapi.MsgOption{
		// The notification text is plain: escaped for & < >, and sent with
		// mrkdwn=false so that the _ and * of article IDs show as they
		// are. The blocks say their own format.
		slackapi.MsgOptionText(m.Text, false),
		slackapi.MsgOptionDisableMarkdown(),
		slackapi.MsgOptionBlocks(m.Blocks...),
		slackapi.MsgOptionParse(false), // parse=none; link_names is never set
		slackapi.MsgOptionDisableLinkUnfurl(),
		slackapi.MsgOptionDisableMediaUnfurl(),
	}
	if to.Thread != "" {
		opts = append(opts, slackapi.MsgOptionTS(string(to.Thread)))
	}
	for attempt := 0; ; attempt++ {
		_, ts, err := a.api.PostMessageContext(ctx, string(to.Conversation), opts...)
		if err == nil {
			a.log.Debug("slack message posted", "conversation", to.Conversation, "thread", to.Thread, "ts", ts, "blocks", len(m.Blocks))
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		wait, retry := a.retryAfter(err, attempt)
		if !retry || attempt >= a.maxRetries {
			a.log.Warn("slack: chat.postMessage failed", "conversation", to.Conversation, "attempt", attempt+1, "error", err)
			return err
		}
		a.log.Warn("slack: chat.postMessage not accepted; retrying", "conversation", to.Conversation,
			"attempt", attempt+1, "wait", wait, "error", err)
		if werr := a.wait(ctx, wait); werr != nil {
			return fmt.Errorf("waiting to retry: %w (after %w)", werr, err)
		}
	}
}

// retryAfter decides whether a failed post can be retried without posting
// twice, and how long to wait first.
func (a *Adapter) retryAfter(err error, attempt int) (time.Duration, bool) {
	var rl *slackapi.RateLimitedError
	if errors.As(err, &rl) {
		return max(rl.RetryAfter, time.Second), true
	}
	if notSent(err) {
		return backoff(attempt, 500*time.Millisecond, 10*time.Second), true
	}
	var se slackapi.SlackErrorResponse
	if errors.As(err, &se) && (se.Err == "ratelimited" || se.Err == "rate_limited") {
		// Refused, so not posted; Slack gave no Retry-After.
		return backoff(attempt, time.Second, 30*time.Second), true
	}
	return 0, false
}

// notSent reports whether err shows the request never reached Slack: the
// connection could not be made (refused, unreachable, DNS).
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}
