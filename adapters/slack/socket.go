package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// Socket Mode reconnect backoff, on top of slack-go's own.
const (
	socketBackoffBase = time.Second
	socketBackoffMax  = 2 * time.Minute
	// socketStableAfter resets the backoff: a connection that lasted this
	// long was healthy.
	socketStableAfter = 5 * time.Minute
)

// runSocket holds the Socket Mode connection until ctx ends (nil) or Slack
// refuses the app's credentials for good (an error).
//
// slack-go's socketmode.Client.RunContext already reconnects by itself: on
// a `disconnect` request from Slack, when Slack stops sending WebSocket
// pings (a dead connection, 30 s) and when a read fails; it retries
// apps.connections.open with backoff up to 5 minutes, and returns only on
// invalid_auth-like errors, a 404, or ctx. runSocket restarts it with
// capped exponential backoff whenever it returns anything else, and ends
// the run when a connection error is one retrying cannot fix (a wrong
// token type, a missing scope).
func (a *Adapter) runSocket(ctx context.Context, rs *runState) error {
	smc := socketmode.New(a.api)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-smc.Events:
				a.socketEvent(ctx, cancel, smc, rs, ev)
			}
		}
	})

	err := a.socketLoop(ctx, smc)
	cancel(nil)
	wg.Wait()
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

// socketLoop runs slack-go's client, restarting it with backoff.
func (a *Adapter) socketLoop(ctx context.Context, smc *socketmode.Client) error {
	attempt := 0
	for {
		started := a.now()
		err := smc.RunContext(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if permanent(err) {
			return fmt.Errorf("slack socket mode: Slack refused the connection: %w; check slack.app_token (an xapp- token with connections:write) and that Socket Mode is enabled for the app", err)
		}
		if a.now().Sub(started) > socketStableAfter {
			attempt = 0
		}
		d := backoff(attempt, socketBackoffBase, socketBackoffMax)
		attempt++
		a.log.Warn("slack socket mode stopped; reconnecting", "error", err, "backoff", d)
		if a.wait(ctx, d) != nil {
			return nil
		}
	}
}

// socketEvent handles one event from slack-go's client: requests from
// Slack are acknowledged at once and then queued for the workers.
func (a *Adapter) socketEvent(ctx context.Context, fail context.CancelCauseFunc, smc *socketmode.Client, rs *runState, ev socketmode.Event) {
	switch ev.Type {
	case socketmode.EventTypeConnecting:
		a.markConnected(false)
		a.log.Debug("slack socket mode connecting")
	case socketmode.EventTypeConnected:
		n := 0
		if c, ok := ev.Data.(*socketmode.ConnectedEvent); ok {
			n = c.ConnectionCount
		}
		a.log.Info("slack socket mode connected", "connection_count", n)
		a.markConnected(true)
	case socketmode.EventTypeHello:
		a.log.Debug("slack socket mode hello")
	case socketmode.EventTypeConnectionError:
		a.markConnected(false)
		var err error
		var wait time.Duration
		if c, ok := ev.Data.(*slackapi.ConnectionErrorEvent); ok {
			err, wait = c.ErrorObj, c.Backoff
		}
		if err != nil && permanent(err) {
			fail(fmt.Errorf("slack socket mode: Slack refused the connection: %w; check slack.app_token (an xapp- token with connections:write) and that Socket Mode is enabled for the app", err))
			return
		}
		a.log.Warn("slack socket mode connection failed; retrying", "error", err, "backoff", wait)
	case socketmode.EventTypeInvalidAuth:
		a.log.Error("slack socket mode: invalid authentication; check slack.app_token")
	case socketmode.EventTypeIncomingError:
		// Also reported for every connection closed on a reconnect.
		a.log.Debug("slack socket mode read error", "error", socketErr(ev.Data))
	case socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		a.log.Warn("slack socket mode error", "type", string(ev.Type), "error", socketErr(ev.Data))

	case socketmode.EventTypeEventsAPI:
		req := a.ack(ctx, smc, ev)
		if req == nil {
			return
		}
		var o outerEvent
		if err := json.Unmarshal(req.Payload, &o); err != nil {
			a.log.Warn("slack: unreadable events_api payload", "error", err)
			return
		}
		m, ts, ignored := messageFromEvent(o, a.BotUserID())
		if j, ok := a.messageJob(m, ts, ignored, "events_api"); ok {
			a.submit(j, func(j job) bool { return rs.enqueueWait(ctx, j) })
		}
	case socketmode.EventTypeSlashCommand:
		req := a.ack(ctx, smc, ev)
		if req == nil {
			return
		}
		var c slashCommand
		if err := json.Unmarshal(req.Payload, &c); err != nil {
			a.log.Warn("slack: unreadable slash command payload", "error", err)
			return
		}
		m, ignored := messageFromCommand(c, req.Payload, a.BotUserID())
		if j, ok := a.accept(m, ignored, "slash_commands"); ok {
			j.responseURL = c.ResponseURL
			rs.enqueueWait(ctx, j)
		}
	case socketmode.EventTypeInteractive:
		req := a.ack(ctx, smc, ev)
		if req == nil {
			return
		}
		var in interaction
		if err := json.Unmarshal(req.Payload, &in); err != nil {
			a.log.Warn("slack: unreadable interactive payload", "error", err)
			return
		}
		for _, f := range feedbackFromInteraction(in) {
			rs.enqueueWait(ctx, job{feedback: &f})
		}
	default:
		a.log.Debug("slack socket mode event ignored", "type", string(ev.Type))
	}
}

// ack acknowledges the envelope of ev and returns its request; nil when ev
// carries none.
func (a *Adapter) ack(ctx context.Context, smc *socketmode.Client, ev socketmode.Event) *socketmode.Request {
	req := ev.Request
	if req == nil || req.EnvelopeID == "" {
		a.log.Warn("slack socket mode request without envelope", "type", string(ev.Type))
		return nil
	}
	if err := smc.AckCtx(ctx, req.EnvelopeID, nil); err != nil {
		// Unacknowledged, Slack redelivers it with the same event_id.
		a.log.Warn("slack: acknowledging envelope failed", "envelope_id", req.EnvelopeID, "error", err)
	}
	if req.RetryAttempt > 0 {
		a.log.Debug("slack redelivery", "envelope_id", req.EnvelopeID, "retry_attempt", req.RetryAttempt, "retry_reason", req.RetryReason)
	}
	return req
}

// socketErr extracts the error from slack-go's error event payloads.
func socketErr(data any) error {
	switch d := data.(type) {
	case *socketmode.ErrorBadMessage:
		return d.Cause
	case *socketmode.ErrorWriteFailed:
		return d.Cause
	case *slackapi.IncomingEventError:
		return d.ErrorObj
	case error:
		return d
	}
	return fmt.Errorf("%v", data)
}
