package matrix

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/briefbot/briefbot/bot"
)

// markHistory is a sync listener that marks as already seen every timeline
// event that precedes the bot's own join in the same batch: when the bot
// joins a room, /sync hands it the room's recent history, which is not
// addressed to it. Decrypted events keep their IDs, so this covers
// encrypted rooms too.
func (a *Adapter) markHistory(_ context.Context, resp *mautrix.RespSync, _ string) bool {
	for _, room := range resp.Rooms.Join {
		evts := room.Timeline.Events
		join := -1
		for i, evt := range evts {
			if evt.Type.Type == event.StateMember.Type && evt.StateKey != nil && *evt.StateKey == string(a.user) &&
				membershipOf(evt) == event.MembershipJoin && prevMembershipOf(evt) != event.MembershipJoin {
				join = i
			}
		}
		for _, evt := range evts[:join+1] {
			a.seen.add(evt.ID, struct{}{})
		}
	}
	return true
}

func membershipOf(evt *event.Event) event.Membership {
	m, _ := evt.Content.Raw["membership"].(string)
	return event.Membership(m)
}

func prevMembershipOf(evt *event.Event) event.Membership {
	if evt.Unsigned.PrevContent == nil {
		return ""
	}
	if evt.Unsigned.PrevContent.Raw == nil {
		_ = evt.Unsigned.PrevContent.ParseRaw(event.StateMember)
	}
	m, _ := evt.Unsigned.PrevContent.Raw["membership"].(string)
	return event.Membership(m)
}

// onMember follows membership: an invite of the bot is accepted when the
// inviter is on the auto-join list and rejected otherwise; any membership
// change in a joined room invalidates its member count; the bot's own
// display name is kept current.
func (a *Adapter) onMember(ctx context.Context, evt *event.Event) {
	if evt.RoomID != "" {
		a.mu.Lock()
		delete(a.members, evt.RoomID)
		a.mu.Unlock()
	}
	if evt.StateKey == nil || *evt.StateKey != string(a.user) {
		return
	}
	content := evt.Content.AsMember()
	switch {
	case evt.Mautrix.EventSource&event.SourceInvite != 0 && content.Membership == event.MembershipInvite:
		a.handleInvite(ctx, evt, content)
	case content.Membership == event.MembershipJoin && content.Displayname != "":
		a.setDisplayName(content.Displayname)
	}
}

// handleInvite joins or rejects one invite of the bot.
func (a *Adapter) handleInvite(ctx context.Context, evt *event.Event, content *event.MemberEventContent) {
	log := a.log.With("room_id", string(evt.RoomID), "inviter", string(evt.Sender))
	if !a.allow.allows(evt.Sender) {
		log.Info("rejecting an invite from a user not on matrix.auto_join")
		err := a.retryInvite(ctx, "reject the invite to "+string(evt.RoomID), func() error {
			_, err := a.cli.LeaveRoom(ctx, evt.RoomID)
			return err
		})
		if err != nil && ctx.Err() == nil {
			log.Warn("rejecting the invite failed", "err", err)
		}
		return
	}
	if content.IsDirect {
		a.mu.Lock()
		a.direct[evt.RoomID] = true
		a.mu.Unlock()
		if err := a.state.SetValue(ctx, a.keys.direct(evt.RoomID), "1"); err != nil {
			log.Warn("cannot remember that the room is a direct chat", "err", err)
		}
	}
	err := a.retryInvite(ctx, "join "+string(evt.RoomID), func() error {
		_, err := a.cli.JoinRoomByID(ctx, evt.RoomID)
		return err
	})
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("joining the room failed", "err", err)
		}
		return
	}
	log.Info("joined a room on invite", "direct", content.IsDirect)
}

// inviteAttempts bounds the attempts at a join or reject that the
// homeserver refuses (HTTP 4xx).
const inviteAttempts = 5

// retryInvite runs fn, a join or a reject of an invite, with retry, and
// tries again a few times (0.1, 0.2, 0.4, 0.8 s apart) when the homeserver
// refuses it: Dendrite announces an invite to the invitee before the invite
// is part of the room's state (element-hq/dendrite#3123), so an immediate
// join fails with M_FORBIDDEN and an immediate reject with "not a member".
func (a *Adapter) retryInvite(ctx context.Context, what string, fn func() error) error {
	backoff := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := a.retry(ctx, what, fn)
		var he mautrix.HTTPError
		if err == nil || ctx.Err() != nil || attempt == inviteAttempts ||
			!errors.As(err, &he) || he.Response == nil || he.Response.StatusCode/100 != 4 {
			return err
		}
		a.log.Info("the homeserver refused; trying again, the invite may not be in the room's state yet", "what", what, "err", err, "retry_in", backoff)
		if err := a.wait(ctx, backoff); err != nil {
			return err
		}
		backoff *= 2
	}
}

// translate turns a room message into a bot.Message. It reports false for
// everything the bot must not answer: its own events, events of the first
// sync, history from before it joined or before its first start, events
// already seen, edits, and anything but m.text (notices come from bots).
// The text is questionText's: mentions, pills and links as plain words.
func (a *Adapter) translate(ctx context.Context, evt *event.Event) (bot.Message, bool) {
	if evt.Sender == a.user || evt.ID == "" || evt.RoomID == "" {
		return bot.Message{}, false
	}
	if since, _ := ctx.Value(mautrix.SyncTokenContextKey).(string); since == "" {
		// The first sync after a first start is the rooms' history.
		a.seen.add(evt.ID, struct{}{})
		return bot.Message{}, false
	}
	if !a.seen.add(evt.ID, struct{}{}) {
		return bot.Message{}, false
	}
	content, ok := evt.Content.Parsed.(*event.MessageEventContent)
	if !ok || content.MsgType != event.MsgText || content.RelatesTo.GetReplaceID() != "" {
		return bot.Message{}, false
	}
	a.mu.Lock()
	first, started, name := a.firstStart, a.started, a.displayName
	a.mu.Unlock()
	if first && time.UnixMilli(evt.Timestamp).Before(started.Add(-firstStartSkew)) {
		return bot.Message{}, false
	}

	text, mentioned := questionText(content, a.user, name, a.cfg.CommandPrefix)

	thread := evt.ID
	if root := content.RelatesTo.GetThreadParent(); root != "" {
		thread = root
		a.threads.add(root, evt.ID)
	}
	return bot.Message{
		Conversation: bot.ConversationID(evt.RoomID),
		Thread:       bot.ThreadID(thread),
		User:         bot.UserID(evt.Sender),
		Text:         text,
		EventID:      bot.EventID(evt.ID),
		Direct:       a.isDirect(ctx, evt.RoomID),
		Mentioned:    mentioned,
		Received:     a.now(),
	}, true
}

// isDirect reports whether room is a direct chat: the bot was invited with
// is_direct, or the room has exactly two joined members. Member counts are
// cached until the next membership change.
func (a *Adapter) isDirect(ctx context.Context, room id.RoomID) bool {
	a.mu.Lock()
	direct, known := a.direct[room]
	count, counted := a.members[room]
	a.mu.Unlock()
	if !known {
		v, err := getOptional(ctx, a.state, a.keys.direct(room))
		if err != nil {
			a.log.Warn("cannot read whether the room is a direct chat", "room_id", string(room), "err", err)
		}
		direct = v == "1"
		a.mu.Lock()
		a.direct[room] = direct
		a.mu.Unlock()
	}
	if direct {
		return true
	}
	if !counted {
		resp, err := a.cli.JoinedMembers(ctx, room)
		if err != nil {
			a.log.Warn("cannot count the room's members; treating it as a group room", "room_id", string(room), "err", err)
			return false
		}
		count = len(resp.Joined)
		a.mu.Lock()
		a.members[room] = count
		a.mu.Unlock()
	}
	return count == 2
}

// mentions reports whether content addresses user by an intentional mention
// (m.mentions) or a matrix.to pill in its HTML.
func mentions(content *event.MessageEventContent, user id.UserID) bool {
	if content.Mentions != nil && slices.Contains(content.Mentions.UserIDs, user) {
		return true
	}
	if content.FormattedBody == "" {
		return false
	}
	for _, form := range []string{string(user), url.PathEscape(string(user)), url.QueryEscape(string(user))} {
		if strings.Contains(content.FormattedBody, "matrix.to/#/"+form) {
			return true
		}
	}
	return false
}

// mentionedInBody reports whether the plain body names the bot: its user
// ID, its display name or "@localpart" anywhere as a whole word, or its bare
// localpart at the start.
func mentionedInBody(body string, user id.UserID, displayName string) bool {
	if containsWordFold(body, string(user)) {
		return true
	}
	if displayName != "" && containsWordFold(body, displayName) {
		return true
	}
	local := user.Localpart()
	if local == "" {
		return false
	}
	if containsWordFold(body, "@"+local) {
		return true
	}
	_, ok := cutPrefixFold(body, local)
	return ok
}

// stripMention removes the bot's user ID wherever it appears and a leading
// display name, "@localpart" or localpart, with the ":" or "," after it.
func stripMention(body string, user id.UserID, displayName string) string {
	s := replaceFold(body, string(user), "")
	for _, lead := range []string{displayName, "@" + user.Localpart(), user.Localpart()} {
		if lead == "" || lead == "@" {
			continue
		}
		if rest, ok := cutPrefixFold(strings.TrimSpace(s), lead); ok {
			s = rest
			break
		}
	}
	return strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(s), ":,;"))
}

// cutPrefixFold reports whether s starts with prefix (case-insensitively)
// followed by the end, a space, ':' or ','; it returns the rest without
// that separator.
func cutPrefixFold(s, prefix string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return "", false
	}
	rest := s[len(prefix):]
	if rest == "" {
		return "", true
	}
	r, _ := utf8.DecodeRuneInString(rest)
	if r == ':' || r == ',' || unicode.IsSpace(r) {
		return strings.TrimSpace(strings.TrimLeft(rest, ":,")), true
	}
	return "", false
}

// containsWordFold reports whether word occurs in s case-insensitively with
// no letter or digit right before or after it.
func containsWordFold(s, word string) bool {
	return indexWordFold(s, word) >= 0
}

func indexWordFold(s, word string) int {
	if word == "" {
		return -1
	}
	ls, lw := strings.ToLower(s), strings.ToLower(word)
	if len(ls) != len(s) || len(lw) != len(word) {
		// Lower-casing changed byte lengths (rare scripts): fall back to an
		// exact, case-sensitive search so indexes stay valid.
		ls, lw = s, word
	}
	for off := 0; off < len(ls); {
		i := strings.Index(ls[off:], lw)
		if i < 0 {
			return -1
		}
		i += off
		end := i + len(lw)
		before, _ := utf8.DecodeLastRuneInString(ls[:i])
		after, _ := utf8.DecodeRuneInString(ls[end:])
		if !isWordRune(before) && !isWordRune(after) {
			return i
		}
		off = i + 1
	}
	return -1
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_')
}

// replaceFold replaces every whole-word, case-insensitive occurrence of old.
func replaceFold(s, old, repl string) string {
	for {
		i := indexWordFold(s, old)
		if i < 0 {
			return s
		}
		s = s[:i] + repl + s[i+len(old):]
	}
}

// stripReplyFallback removes the "> <@user> quoted text" lines some
// clients still put at the start of a reply's body.
func stripReplyFallback(body string) string {
	if !strings.HasPrefix(body, "> ") {
		return body
	}
	lines := strings.Split(body, "\n")
	i := 0
	for i < len(lines) && strings.HasPrefix(lines[i], ">") {
		i++
	}
	return strings.TrimSpace(strings.Join(lines[i:], "\n"))
}
