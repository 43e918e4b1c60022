package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/briefbot/briefbot/bot"
)

// response_url limits.
const (
	// responseURLHost is the only host a slash command's response_url may
	// point at in production.
	responseURLHost = "hooks.slack.com"
	// maxResponses is how many messages Slack accepts on one response_url
	// (within 30 minutes).
	maxResponses = 5
	// maxResponseBody bounds what is read of response_url's answer.
	maxResponseBody = 4 << 10
)

// responseURLAllowed reports whether raw is a response_url the adapter may
// post to: https://hooks.slack.com/… (on the default port, without user
// information), or, in tests, a URL starting with testPrefix. The URL
// arrives with the command, so nothing else is ever contacted with it.
func responseURLAllowed(raw, testPrefix string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Host == "" || u.Opaque != "" {
		return false
	}
	if testPrefix != "" && strings.HasPrefix(raw, testPrefix) {
		return true
	}
	return u.Scheme == "https" && strings.EqualFold(u.Hostname(), responseURLHost) &&
		(u.Port() == "" || u.Port() == "443")
}

// cannotPost returns Slack's error code when err says the bot may not post
// in the channel at all (so nothing was posted), or "".
func cannotPost(err error) string {
	var se slackapi.SlackErrorResponse
	if !errors.As(err, &se) {
		return ""
	}
	switch se.Err {
	case "not_in_channel", "channel_not_found", "restricted_action":
		return se.Err
	}
	return ""
}

// commandReplier is the bot.Sender a slash command is answered with. It
// posts like Adapter.Send; when the bot may not post in the channel the
// command was typed in (it is not a member, the channel is private to it,
// or posting there is restricted), it answers the user through the
// command's response_url instead, in a message only they see that says why
// and how to fix it.
type commandReplier struct {
	a           *Adapter
	responseURL string
}

// Name returns the adapter's name, which keys the core's state.
func (c commandReplier) Name() string { return c.a.Name() }

// Send implements bot.Sender.
func (c commandReplier) Send(ctx context.Context, to bot.Target, r bot.Reply) error {
	posted, err := c.a.send(ctx, to, r)
	code := cannotPost(err)
	if err == nil || posted > 0 || code == "" || c.responseURL == "" {
		return err
	}
	if !responseURLAllowed(c.responseURL, c.a.responseURLPrefix) {
		host := ""
		if u, perr := url.Parse(c.responseURL); perr == nil {
			host = u.Host
		}
		c.a.log.Warn("slack: slash command's response_url is not a Slack hooks URL; not answering privately",
			"response_url_host", host, "conversation", to.Conversation)
		return err
	}
	if rerr := c.a.respondPrivately(ctx, c.responseURL, r, privateNote(code, to.Conversation, c.a.BotUserID())); rerr != nil {
		return fmt.Errorf("%w; answering privately through the command's response_url failed too: %w", err, rerr)
	}
	c.a.log.Info("slack: slash command answered privately: the bot cannot post in the channel",
		"conversation", to.Conversation, "error_code", code)
	return nil
}

// ephemeralResponse is a message posted to a response_url.
type ephemeralResponse struct {
	ResponseType    string           `json:"response_type"`
	ReplaceOriginal bool             `json:"replace_original"`
	Text            string           `json:"text"`
	Mrkdwn          bool             `json:"mrkdwn"`
	Blocks          []slackapi.Block `json:"blocks"`
	UnfurlLinks     bool             `json:"unfurl_links"`
	UnfurlMedia     bool             `json:"unfurl_media"`
}

// note is the explanation that leads a private answer: mrkdwn for the
// blocks, plain text for the notification.
type note struct{ mrkdwn, plain string }

// privateNote explains, for Slack's error code, why an answer to a command
// typed in conversation is private and how to make answers public.
func privateNote(code string, conversation bot.ConversationID, botUserID string) note {
	switch {
	case code == "restricted_action":
		return note{
			"Only you can see this: this channel does not let me post. Ask a channel manager to allow it, or ask me in a direct message.",
			"Only you can see this: this channel does not let me post.",
		}
	case strings.HasPrefix(string(conversation), "D"):
		// A direct conversation between people: the bot cannot join it.
		return note{
			"Only you can see this: I can't post in a direct conversation I'm not part of. Ask me in a direct message or in a channel I'm in.",
			"Only you can see this: I can't post in this conversation.",
		}
	}
	me := "@briefbot"
	if botUserID != "" {
		me = "<@" + botUserID + ">" // Slack shows the bot's current name
	}
	return note{
		"Only you can see this: I'm not a member of this channel, so I can't post here. " +
			"To get answers everyone here can see, invite me: /invite " + me,
		"Only you can see this: I'm not a member of this channel.",
	}
}

// respondPrivately posts r to a slash command's response_url as ephemeral
// messages, the first one led by n. It sends no token and follows no
// redirect. A failure is not retried: the message may have been posted.
func (a *Adapter) respondPrivately(ctx context.Context, responseURL string, r bot.Reply, n note) error {
	msgs := render(r, false)
	if len(msgs) == 0 {
		return errors.New("the reply is empty")
	}
	if len(msgs) > maxResponses {
		a.log.Warn("slack: private answer cut to the messages one response_url accepts",
			"messages", len(msgs), "limit", maxResponses)
		msgs = msgs[:maxResponses]
	}
	lead := slackapi.NewContextBlock("", mrkdwn(n.mrkdwn))
	if len(msgs[0].Blocks) < maxBlocks {
		msgs[0].Blocks = append([]slackapi.Block{lead}, msgs[0].Blocks...)
		msgs[0].Text = truncateWords(n.plain+" "+msgs[0].Text, maxFallbackText)
	} else if len(msgs) < maxResponses {
		msgs = append([]message{{Text: n.plain, Blocks: []slackapi.Block{lead}}}, msgs...)
	}

	client := *a.hc
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for i, m := range msgs {
		body, err := json.Marshal(ephemeralResponse{
			ResponseType: slackapi.ResponseTypeEphemeral, Text: m.Text, Blocks: m.Blocks,
		})
		if err != nil {
			return fmt.Errorf("encoding message %d: %w", i+1, err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("response_url: %w", err)
		}
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("posting message %d of %d to response_url: %w", i+1, len(msgs), err)
		}
		answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
		_ = resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("posting message %d of %d to response_url: Slack answered %s: %q",
				i+1, len(msgs), resp.Status, strings.TrimSpace(string(answer)))
		}
		// Slack answers "ok", or JSON that may refuse the message
		// (expired_url, used_url).
		var refusal struct {
			OK    *bool  `json:"ok"`
			Error string `json:"error"`
		}
		if json.Unmarshal(answer, &refusal) == nil && refusal.OK != nil && !*refusal.OK {
			return fmt.Errorf("posting message %d of %d to response_url: Slack refused it: %q", i+1, len(msgs), refusal.Error)
		}
	}
	return nil
}
