package slack

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/briefbot/briefbot/bot"
)

// outerEvent is the Events API envelope, as posted to /slack/events and
// carried as the payload of a Socket Mode events_api envelope.
type outerEvent struct {
	Type      string          `json:"type"`
	Challenge string          `json:"challenge"`
	EventID   string          `json:"event_id"`
	Event     json.RawMessage `json:"event"`
}

// innerEvent holds the fields of app_mention and message events we use.
type innerEvent struct {
	Type        string `json:"type"`
	Subtype     string `json:"subtype"`
	User        string `json:"user"`
	BotID       string `json:"bot_id"`
	Text        string `json:"text"`
	TS          string `json:"ts"`
	ThreadTS    string `json:"thread_ts"`
	Channel     string `json:"channel"`
	ChannelType string `json:"channel_type"`
}

// slashCommand holds the slash command fields we use; Slack sends them as a
// form over HTTP and as JSON over Socket Mode.
type slashCommand struct {
	Command   string `json:"command"`
	Text      string `json:"text"`
	ChannelID string `json:"channel_id"`
	UserID    string `json:"user_id"`
	TriggerID string `json:"trigger_id"`
	// ResponseURL takes up to five replies to the command for 30 minutes,
	// even where the bot cannot post.
	ResponseURL string `json:"response_url"`
}

// interaction is an interactive payload; only block_actions are used.
type interaction struct {
	Type string `json:"type"`
	User struct {
		ID string `json:"id"`
	} `json:"user"`
	Channel struct {
		ID string `json:"id"`
	} `json:"channel"`
	Container struct {
		ChannelID string `json:"channel_id"`
	} `json:"container"`
	Actions []struct {
		ActionID string `json:"action_id"`
		BlockID  string `json:"block_id"`
		Value    string `json:"value"`
	} `json:"actions"`
}

// feedbackJob is one click on a feedback button.
type feedbackJob struct {
	ref     string
	user    bot.UserID
	channel string
	helpful bool
}

// messageFromEvent translates an event_callback into a bot.Message and
// the ts of the Slack message it carries, which with the channel
// identifies the message across the events that deliver it. It reports why
// it ignores an event: not addressed to the bot, written by a bot (the bot
// itself included), or an edit, deletion or other subtype.
func messageFromEvent(o outerEvent, botUserID string) (m bot.Message, ts, ignored string) {
	if o.Type != "event_callback" {
		return bot.Message{}, "", "not an event_callback: " + o.Type
	}
	var ev innerEvent
	if err := json.Unmarshal(o.Event, &ev); err != nil {
		return bot.Message{}, "", "unreadable event: " + err.Error()
	}
	switch {
	case ev.BotID != "" || ev.Subtype == "bot_message":
		return bot.Message{}, "", "written by a bot"
	case ev.User == "":
		return bot.Message{}, "", "no user"
	case botUserID != "" && ev.User == botUserID:
		return bot.Message{}, "", "the bot's own message"
	case ev.Channel == "":
		return bot.Message{}, "", "no channel"
	}
	m = bot.Message{
		Conversation: bot.ConversationID(ev.Channel),
		User:         bot.UserID(ev.User),
		EventID:      bot.EventID(o.EventID),
		Thread:       bot.ThreadID(ev.ThreadTS),
	}
	if m.Thread == "" {
		m.Thread = bot.ThreadID(ev.TS)
	}
	if m.EventID == "" {
		// Slack always sends event_id; fall back to something as stable.
		m.EventID = bot.EventID("ts:" + ev.Channel + ":" + ev.TS)
	}
	switch ev.Type {
	case "app_mention":
		if ev.Subtype != "" {
			return bot.Message{}, "", "app_mention subtype " + ev.Subtype
		}
		m.Mentioned = true
		// A mention in a direct conversation (IDs start with D) is a direct
		// message, as its message.im twin says.
		m.Direct = ev.ChannelType == "im" || strings.HasPrefix(ev.Channel, "D")
	case "message":
		if ev.ChannelType != "im" {
			// Channel messages reach the bot as app_mention; answering the
			// message event too would answer twice.
			return bot.Message{}, "", "message outside a direct conversation"
		}
		switch ev.Subtype {
		case "", "file_share", "thread_broadcast":
		default:
			return bot.Message{}, "", "message subtype " + ev.Subtype
		}
		m.Direct = true
		m.Mentioned = mentions(ev.Text, botUserID)
	default:
		return bot.Message{}, "", "event type " + ev.Type
	}
	m.Text = plainText(ev.Text, botUserID)
	return m, ev.TS, ""
}

// messageFromCommand translates a slash command into a message in the
// channel it was typed in; replies are posted there with chat.postMessage.
// The event ID is the trigger_id, which Slack keeps on a redelivery, or a
// hash of the payload when there is none.
func messageFromCommand(c slashCommand, payload []byte, botUserID string) (bot.Message, string) {
	if c.ChannelID == "" || c.UserID == "" {
		return bot.Message{}, "slash command without channel or user"
	}
	id := c.TriggerID
	if id == "" {
		sum := sha256.Sum256(payload)
		id = hex.EncodeToString(sum[:12])
	}
	return bot.Message{
		Conversation: bot.ConversationID(c.ChannelID),
		User:         bot.UserID(c.UserID),
		Text:         plainText(c.Text, botUserID),
		EventID:      bot.EventID("command:" + id),
		Direct:       true,
	}, ""
}

// feedbackFromInteraction returns the feedback button clicks in a
// block_actions payload.
func feedbackFromInteraction(in interaction) []feedbackJob {
	if in.Type != "block_actions" || in.User.ID == "" {
		return nil
	}
	channel := in.Container.ChannelID
	if channel == "" {
		channel = in.Channel.ID
	}
	var out []feedbackJob
	for _, a := range in.Actions {
		prefix, suffix, _ := strings.Cut(a.ActionID, ":")
		var helpful bool
		switch prefix {
		case feedbackHelpful:
			helpful = true
		case feedbackNotHelpful:
		default:
			continue
		}
		ref := a.Value
		if ref == "" {
			ref = suffix
		}
		if ref == "" {
			continue
		}
		out = append(out, feedbackJob{ref: ref, user: bot.UserID(in.User.ID), channel: channel, helpful: helpful})
	}
	return out
}

var (
	// slackLink matches Slack's angle-bracket markup: <@U123>, <@U123|name>,
	// <#C123|general>, <#C123|>, <!here>, <!subteam^S1|@desk>,
	// <https://x|label>.
	slackLink = regexp.MustCompile(`<([^<>|]*)(?:\|([^<>]*))?>`)
	// emojiCodes matches runs of emoji codes such as :smile: or
	// :+1::skin-tone-2:; emojiCode checks the characters around a match.
	emojiCodes = regexp.MustCompile(`(?::[a-z0-9_+'-]+:)+`)
	unescaper  = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
	spaces     = regexp.MustCompile(`[ \t]{2,}`)
	// Brackets left empty or padded by what was dropped: "( )", "(see )".
	emptyBrackets = regexp.MustCompile(`\(\s*\)|\[\s*\]`)
	padOpen       = regexp.MustCompile(`([(\[]) +`)
	padClose      = regexp.MustCompile(` +([)\]])`)
)

// mentions reports whether text mentions the bot.
func mentions(text, botUserID string) bool {
	return botUserID != "" && (strings.Contains(text, "<@"+botUserID+">") || strings.Contains(text, "<@"+botUserID+"|"))
}

// plainText turns Slack's message markup into the plain words the core
// expects, never raw IDs the engine would try to match:
//   - the bot's own mentions are removed; another person's mention becomes
//     "@name" when Slack gives the name and is removed when it does not;
//   - a channel becomes "#name", or is removed without a name;
//   - @here, @channel and @everyone stay words, other special mentions
//     (user groups, dates) become their label or are removed;
//   - a link becomes its label, or its address (mailto: removed);
//   - emoji codes (:smile:, :+1::skin-tone-2:) are removed;
//   - the entities &amp; &lt; &gt; are decoded;
//
// and the punctuation people type after a mention ("@briefbot: …") and the
// brackets and spaces left empty are tidied away.
func plainText(s, botUserID string) string {
	s = slackLink.ReplaceAllStringFunc(s, func(m string) string {
		sub := slackLink.FindStringSubmatch(m)
		target, label := sub[1], strings.TrimSpace(sub[2])
		switch {
		case strings.HasPrefix(target, "@"):
			if label == "" || (botUserID != "" && target[1:] == botUserID) {
				return " "
			}
			return "@" + strings.TrimPrefix(label, "@")
		case strings.HasPrefix(target, "#"):
			if label == "" {
				return " "
			}
			return "#" + strings.TrimPrefix(label, "#")
		case strings.HasPrefix(target, "!"):
			if label != "" {
				return label
			}
			switch name, _, _ := strings.Cut(target[1:], "^"); name {
			case "here", "channel", "everyone":
				return "@" + name
			}
			return " "
		case label != "":
			return label
		default:
			return strings.TrimPrefix(target, "mailto:")
		}
	})
	s = dropEmojiCodes(s)
	s = unescaper.Replace(s)
	s = emptyBrackets.ReplaceAllString(s, "")
	s = padOpen.ReplaceAllString(s, "$1")
	s = padClose.ReplaceAllString(s, "$1")
	s = spaces.ReplaceAllString(s, " ")
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, ":,;")
	return strings.TrimSpace(s)
}

// dropEmojiCodes removes emoji codes that stand on their own: a run of
// :name: codes not glued to a letter or digit on either side, so "10:30:00"
// and "nos:politiek:" stay. A code needs a letter ("":30:" is no emoji).
func dropEmojiCodes(s string) string {
	var b strings.Builder
	last := 0
	for _, loc := range emojiCodes.FindAllStringIndex(s, -1) {
		i, j := loc[0], loc[1]
		if !strings.ContainsAny(s[i:j], "abcdefghijklmnopqrstuvwxyz") ||
			(i > 0 && isWordByte(s[i-1])) || (j < len(s) && isWordByte(s[j])) {
			continue
		}
		b.WriteString(s[last:i])
		b.WriteByte(' ')
		last = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// isWordByte reports whether c is an ASCII letter or digit, or part of a
// multi-byte (non-ASCII) character such as a letter with an accent.
func isWordByte(c byte) bool {
	return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}
