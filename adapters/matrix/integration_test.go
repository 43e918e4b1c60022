package matrix

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/briefbot/briefbot/bot"
)

// The question every scenario asks, and the sample article that answers it.
const (
	krebsQuestion = "Wie heeft Chris Krebs ontslagen?"
	krebsSource   = "004_496c433a0061d38d.txt" // the sample article that answers it
)

// answersKrebs checks a notice answers krebsQuestion from the right article.
func answersKrebs(t *testing.T, c *event.MessageEventContent) {
	t.Helper()
	t.Logf("answer body:\n%s\nformatted_body:\n%s", c.Body, c.FormattedBody)
	if !strings.Contains(c.Body, "Trump") || !strings.Contains(c.Body, "Krebs") {
		t.Errorf("answer body does not name Trump and Krebs:\n%s", c.Body)
	}
	if !strings.Contains(c.Body, "Sources:") || !strings.Contains(c.Body, krebsSource) || !strings.Contains(c.FormattedBody, krebsSource) {
		t.Errorf("answer does not cite %s:\n%s", krebsSource, c.Body)
	}
	if c.Format != event.FormatHTML || !strings.Contains(c.FormattedBody, "<blockquote>") || !strings.Contains(c.FormattedBody, "<strong>") {
		t.Errorf("formatted_body is not the HTML answer with a quote:\n%s", c.FormattedBody)
	}
	if c.Mentions == nil || len(c.Mentions.UserIDs) != 0 || c.Mentions.Room {
		t.Errorf("m.mentions = %+v, want {} (no pings)", c.Mentions)
	}
}

// TestDendriteInviteAnswerThreadsAndDirect: an allowed user's invite is
// accepted and a stranger's rejected; a threaded question gets a threaded,
// cited answer; an unthreaded one a reply; a direct message needs no
// mention; the bot's own notices never reach the handler.
func TestDendriteInviteAnswerThreadsAndDirect(t *testing.T) {
	skipIfShort(t)
	e := newEnv(t)
	alice, mallory := e.account("alice"), e.account("mallory")
	alice.sync()
	mallory.sync()
	cfg := e.config()
	cfg.CommandPrefix = "!bb"
	r := e.start(cfg, nil)

	room := alice.createRoom(&mautrix.ReqCreateRoom{Preset: "private_chat", Invite: []id.UserID{e.botUser}, Name: "redactie"})
	alice.waitFor("bot join", joined(room, e.botUser))
	// A third member makes the room a group room: mentions are needed.
	carol := e.account("carol")
	if _, err := alice.cli.InviteUser(t.Context(), room, &mautrix.ReqInviteUser{UserID: carol.cli.UserID}); err != nil {
		e.fatalf("invite carol: %v", err)
	}
	if _, err := carol.cli.JoinRoomByID(t.Context(), room); err != nil {
		e.fatalf("carol joins: %v", err)
	}
	strange := mallory.createRoom(&mautrix.ReqCreateRoom{Preset: "private_chat", Invite: []id.UserID{e.botUser}})
	mallory.waitFor("rejected invite", membership(strange, e.botUser, event.MembershipLeave))

	// Unaddressed chatter in a group room is not answered.
	chatter := alice.say(room, &event.MessageEventContent{Body: "Wie heeft de koffie op?"})

	// A thread: the root is chatter, the question is in the thread.
	root := alice.say(room, &event.MessageEventContent{Body: "Draadje over de verkiezingen"})
	inThread := alice.say(room, &event.MessageEventContent{
		Body:      "briefbot: " + krebsQuestion,
		Mentions:  &event.Mentions{UserIDs: []id.UserID{e.botUser}},
		RelatesTo: &event.RelatesTo{Type: event.RelThread, EventID: root, InReplyTo: &event.InReplyTo{EventID: root}, IsFallingBack: true},
	})
	got := notice(alice.waitFor("threaded answer", replyTo(e.botUser, inThread)), e.botUser)
	answersKrebs(t, got)
	if got.RelatesTo.Type != event.RelThread || got.RelatesTo.EventID != root || !got.RelatesTo.IsFallingBack {
		t.Errorf("threaded answer relates_to = %+v, want m.thread on %s falling back to %s", got.RelatesTo, root, inThread)
	}

	// Unthreaded: a plain reply to the question.
	plain := alice.ask(room, e.botUser, krebsQuestion)
	got = notice(alice.waitFor("reply", replyTo(e.botUser, plain)), e.botUser)
	answersKrebs(t, got)
	if got.RelatesTo.Type != "" {
		t.Errorf("unthreaded answer has rel_type %q, want a plain m.in_reply_to", got.RelatesTo.Type)
	}

	// The command prefix addresses the bot like a mention.
	prefixed := alice.say(room, &event.MessageEventContent{Body: "!BB " + krebsQuestion})
	answersKrebs(t, notice(alice.waitFor("answer to the prefixed question", replyTo(e.botUser, prefixed)), e.botUser))

	// A direct chat: no mention needed.
	dm := e.directChat(alice)
	direct := alice.say(dm, &event.MessageEventContent{Body: krebsQuestion})
	answersKrebs(t, notice(alice.waitFor("direct answer", replyTo(e.botUser, direct)), e.botUser))

	// The handler saw the chatter (and ignored it) but never the bot's own
	// notices, and every message once.
	var gotMsgs []string
	for _, m := range r.rec.messages() {
		if m.User == bot.UserID(e.botUser) {
			t.Errorf("the handler received the bot's own event %s", m.EventID)
		}
		gotMsgs = append(gotMsgs, string(m.EventID))
	}
	want := []string{string(chatter), string(root), string(inThread), string(plain), string(prefixed), string(direct)}
	// events of one sync batch are handled concurrently, so their order may
	// vary: each must arrive exactly once
	slices.Sort(gotMsgs)
	slices.Sort(want)
	if diff := cmp.Diff(gotMsgs, want); diff != "" {
		t.Errorf("messages delivered to the handler (-got +want):\n%s", diff)
	}
	for _, m := range r.rec.messages() {
		switch id.EventID(m.EventID) {
		case inThread:
			if m.Thread != bot.ThreadID(root) || !m.Mentioned || m.Direct || m.Text != krebsQuestion {
				t.Errorf("threaded question = %+v, want thread %s, mentioned, text without the mention", m, root)
			}
		case direct:
			if !m.Direct || m.Thread != bot.ThreadID(direct) {
				t.Errorf("direct message = %+v, want Direct and its own ID as thread", m)
			}
		case prefixed:
			if !m.Mentioned || m.Text != krebsQuestion {
				t.Errorf("prefixed question = %+v, want mentioned, text without the prefix", m)
			}
		case chatter:
			if m.Mentioned || m.Direct {
				t.Errorf("chatter = %+v, want neither mentioned nor direct", m)
			}
		}
	}
	if n := len(alice.find(replyTo(e.botUser, chatter))); n != 0 {
		t.Errorf("the bot answered unaddressed chatter %d times", n)
	}
}

// TestDendriteHistoryAndRestart: messages from before the first start are
// never answered; a message sent while the bot is down is answered exactly
// once after the restart, and nothing earlier is replayed; the password
// login's device is reused.
func TestDendriteHistoryAndRestart(t *testing.T) {
	skipIfShort(t)
	e := newEnv(t)
	alice := e.account("alice")
	alice.sync()

	// The bot is already in the room (joined by another client) before the
	// adapter ever ran, and questions are waiting there.
	room := alice.createRoom(&mautrix.ReqCreateRoom{Preset: "private_chat", Invite: []id.UserID{e.botUser}})
	other := e.login("briefbot", e.botPass)
	if _, err := other.cli.JoinRoomByID(t.Context(), room); err != nil {
		e.fatalf("the bot's other client joins: %v", err)
	}
	old1 := alice.ask(room, e.botUser, krebsQuestion)
	old2 := alice.ask(room, e.botUser, "Wat zei Ratcliffe?")
	// A room the bot is invited to before the first start: its history
	// arrives with the join and is skipped too.
	room2 := alice.createRoom(&mautrix.ReqCreateRoom{Preset: "private_chat"})
	old3 := alice.ask(room2, e.botUser, krebsQuestion)
	if _, err := alice.cli.InviteUser(t.Context(), room2, &mautrix.ReqInviteUser{UserID: e.botUser}); err != nil {
		e.fatalf("invite the bot: %v", err)
	}

	first := e.start(e.config(), nil)
	alice.waitFor("bot join of the second room", joined(room2, e.botUser))
	q1 := alice.ask(room, e.botUser, krebsQuestion)
	alice.waitFor("answer to q1", replyTo(e.botUser, q1))
	q1b := alice.ask(room2, e.botUser, krebsQuestion)
	alice.waitFor("answer to q1b", replyTo(e.botUser, q1b))
	device1, err := e.state.GetValue(t.Context(), newStateKeys(e.botUser).deviceID())
	if err != nil {
		t.Fatal(err)
	}
	first.stop(t)

	q2 := alice.ask(room, e.botUser, krebsQuestion) // while the bot is down
	second := e.start(e.config(), nil)
	alice.waitFor("answer to q2 after the restart", replyTo(e.botUser, q2))
	q3 := alice.ask(room, e.botUser, krebsQuestion)
	alice.waitFor("answer to q3", replyTo(e.botUser, q3))

	// q3's answer came after any replay would have: count everything now.
	for _, c := range []struct {
		name string
		evt  id.EventID
		want int
	}{
		{"old1", old1, 0}, {"old2", old2, 0}, {"old3", old3, 0},
		{"q1", q1, 1}, {"q1b", q1b, 1}, {"q2", q2, 1}, {"q3", q3, 1},
	} {
		if n := len(alice.find(replyTo(e.botUser, c.evt))); n != c.want {
			t.Errorf("%s answered %d times, want %d", c.name, n, c.want)
		}
	}
	// sorted: events of one sync batch are handled concurrently
	ids := func(ms []bot.Message) []string {
		var out []string
		for _, m := range ms {
			out = append(out, string(m.EventID))
		}
		slices.Sort(out)
		return out
	}
	sorted := func(evs ...id.EventID) []string {
		var out []string
		for _, e := range evs {
			out = append(out, string(e))
		}
		slices.Sort(out)
		return out
	}
	if diff := cmp.Diff(ids(first.rec.messages()), sorted(q1, q1b)); diff != "" {
		t.Errorf("first run's messages (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(ids(second.rec.messages()), sorted(q2, q3)); diff != "" {
		t.Errorf("second run's messages (-got +want):\n%s", diff)
	}
	device2, err := e.state.GetValue(t.Context(), newStateKeys(e.botUser).deviceID())
	if err != nil {
		t.Fatal(err)
	}
	who, err := second.a.cli.Whoami(t.Context())
	if err != nil {
		e.fatalf("whoami: %v", err)
	}
	if device1 == "" || device2 != device1 || string(who.DeviceID) != device1 {
		t.Errorf("device after restart = stored %q, whoami %q; want the first login's %q", device2, who.DeviceID, device1)
	}
}

// TestDendriteLongMessages: a 10,000-character question reaches the handler
// whole and its reply (the core's refusal) is posted; a reply longer than
// one Matrix event is split into several notices that the homeserver
// accepts, without cutting a word.
func TestDendriteLongMessages(t *testing.T) {
	skipIfShort(t)
	e := newEnv(t)
	alice := e.account("alice")
	alice.sync()
	r := e.start(e.config(), nil)
	room := e.directChat(alice)

	long := strings.Repeat("verkiezing ", 1000)[:10000]
	q := alice.say(room, &event.MessageEventContent{Body: long})
	got := notice(alice.waitFor("reply to the long question", replyTo(e.botUser, q)), e.botUser)
	if strings.TrimSpace(got.Body) == "" {
		t.Errorf("empty reply to the long question")
	}
	msgs := r.rec.messages()
	if len(msgs) != 1 || msgs[0].Text != long {
		t.Fatalf("handler got %d messages, the first of %d runes; want the whole %d-rune question once", len(msgs), utf8.RuneCountInString(msgs[0].Text), utf8.RuneCountInString(long))
	}
	r.stop(t)

	// A handler whose reply is far beyond one event.
	word := "desinformatiecampagne"
	var para strings.Builder
	for para.Len() < 70000 {
		para.WriteString(word + " ")
	}
	bigBody := strings.TrimSpace(para.String())
	e.start(e.config(), handlerFunc(func(ctx context.Context, from bot.Sender, m bot.Message) {
		if err := from.Send(ctx, bot.Target{Conversation: m.Conversation, Thread: m.Thread}, bot.Reply{Answer: "Lang antwoord", Body: []string{bigBody}}); err != nil {
			t.Errorf("Send of a long reply: %v", err)
		}
	}))
	q2 := alice.say(room, &event.MessageEventContent{Body: "geef me alles"})
	// Wait for the whole body to arrive, part by part.
	want := strings.Count(bigBody, word)
	var parts []*event.Event
	alice.waitUntil("every part of the long reply", func() bool {
		parts = alice.find(replyTo(e.botUser, q2))
		total := 0
		for _, p := range parts {
			total += strings.Count(notice(p, e.botUser).Body, word)
		}
		return total >= want
	})
	if len(parts) < 3 {
		t.Errorf("a %d-byte reply came in %d parts, want at least 3", len(bigBody), len(parts))
	}
	for i, p := range parts {
		c := notice(p, e.botUser)
		for _, w := range strings.Fields(c.Body) {
			if w != word && w != "Lang" && w != "antwoord" {
				t.Fatalf("part %d has a cut word %q", i, w)
			}
		}
		if len(c.Body) > 30000 {
			t.Errorf("part %d body is %d bytes, want under 30,000", i, len(c.Body))
		}
	}
}

// TestDendriteHomeserverRestart: Run survives the homeserver going away and
// coming back, and answers afterwards.
func TestDendriteHomeserverRestart(t *testing.T) {
	skipIfShort(t)
	e := newEnv(t)
	alice := e.account("alice")
	alice.sync()
	r := e.start(e.config(), nil)
	room := e.directChat(alice)
	q1 := alice.say(room, &event.MessageEventContent{Body: krebsQuestion})
	alice.waitFor("answer before the restart", replyTo(e.botUser, q1))

	// stop the homeserver until the adapter notices, then start it again
	r.settle(t) // the answer's send may not have returned yet
	e.hs.Stop()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond) // the adapter's state has no channel to wait on
	defer tick.Stop()
	for r.a.Connected() && time.Now().Before(deadline) {
		<-tick.C
	}
	if r.a.Connected() {
		t.Fatal("Connected() still true 20 s after the homeserver stopped")
	}
	e.hs.Start()

	q2 := alice.say(room, &event.MessageEventContent{Body: krebsQuestion})
	answersKrebs(t, notice(alice.waitFor("answer after the restart", replyTo(e.botUser, q2)), e.botUser))
	if !r.a.Connected() || r.a.Reconnects() != 1 {
		t.Errorf("Connected() = %v, Reconnects() = %d; want true and 1 after the homeserver restart", r.a.Connected(), r.a.Reconnects())
	}
	select {
	case err := <-r.done:
		t.Fatalf("Run returned %v during the homeserver restart", err)
	default:
	}
}

// TestDendriteTokenRejected: when the access token is logged out, Run stops
// with an error that says so and what to do.
func TestDendriteTokenRejected(t *testing.T) {
	skipIfShort(t)
	e := newEnv(t)
	session := e.login("briefbot", e.botPass)
	cfg := e.config()
	cfg.Password, cfg.AccessToken = "", session.cli.AccessToken
	a, err := New(cfg, Options{Logger: testLogger(t), State: e.state})
	if err != nil {
		t.Fatal(err)
	}
	a.minBackoff, a.maxBackoff, a.pollTimeout = 50*time.Millisecond, 500*time.Millisecond, time.Second
	done := make(chan error, 1)
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	started := make(chan struct{})
	go func() {
		done <- a.Run(ctx, handlerFunc(func(context.Context, bot.Sender, bot.Message) {}))
	}()
	// Wait until Run has logged in and stored a sync position, then log the
	// token out from another client.
	go func() {
		defer close(started)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for ctx.Err() == nil {
			if v, err := e.state.GetValue(ctx, a.keys.nextBatch()); err == nil && v != "" {
				return
			}
			<-tick.C
		}
	}()
	<-started
	if _, err := session.cli.Logout(t.Context()); err != nil {
		e.fatalf("log the token out: %v", err)
	}
	err = <-done
	if err == nil || !errors.Is(err, mautrix.MUnknownToken) ||
		!strings.Contains(err.Error(), "the Matrix access token for "+string(e.botUser)+" was rejected by the homeserver") {
		t.Fatalf("Run = %v, want the rejected-token error", err)
	}
}

// TestDendriteDeathReported: when the homeserver dies under a test, a wait
// for an event ends at once with the exit status and the end of the
// homeserver's log, instead of running into waitTimeout.
func TestDendriteDeathReported(t *testing.T) {
	skipIfShort(t)
	e := newEnv(t)
	alice := e.account("alice")
	alice.sync()
	r := e.start(e.config(), nil)
	room := e.directChat(alice)
	q := alice.say(room, &event.MessageEventContent{Body: krebsQuestion})
	alice.waitFor("answer while the homeserver runs", replyTo(e.botUser, q))
	r.settle(t)

	e.hs.Kill()
	killed := time.Now()
	err := alice.await("an event that never comes", waitTimeout, func() bool { return false })
	took := time.Since(killed)
	t.Logf("the wait ended %v after the kill with:\n%v", took.Round(time.Millisecond), err)
	if err == nil || !strings.Contains(err.Error(), "waiting for an event that never comes: homeserver exited: signal: killed; the last lines of its log") {
		t.Fatalf("await = %v, want the homeserver's exit", err)
	}
	if took > waitTimeout/2 {
		t.Errorf("the exit was reported %v after the kill, want at once", took)
	}
}
