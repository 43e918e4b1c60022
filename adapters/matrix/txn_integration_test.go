package matrix

import (
	"context"
	"sync"
	"testing"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/briefbot/briefbot/bot"
)

// TestDendriteReplayedReplyPostedOnce: a reply sent again to the same
// question (the core answering a replayed event after a crash, in the same
// process or after a restart on the same session) is posted once: the
// transaction ID is derived from the question and the reply, and the
// homeserver deduplicates it.
func TestDendriteReplayedReplyPostedOnce(t *testing.T) {
	skipIfShort(t)
	e := newEnv(t)
	alice := e.account("alice")
	alice.sync()
	reply := bot.Reply{Answer: "Donald Trump", Citations: []bot.Citation{krebsCitation}}

	var mu sync.Mutex
	var targets []bot.Target
	answer := handlerFunc(func(ctx context.Context, from bot.Sender, m bot.Message) {
		to := bot.Target{Conversation: m.Conversation, Thread: m.Thread}
		mu.Lock()
		targets = append(targets, to)
		mu.Unlock()
		// sent twice, as a handler retrying after a failure would
		for range 2 {
			if err := from.Send(ctx, to, reply); err != nil {
				t.Errorf("Send: %v", err)
			}
		}
	})
	first := e.start(e.config(), answer)
	room := e.directChat(alice)
	q1 := alice.say(room, &event.MessageEventContent{Body: krebsQuestion})
	alice.waitFor("answer to q1", replyTo(e.botUser, q1))
	first.settle(t)
	first.stop(t)

	// A new process on the same session sends the reply once more.
	second := e.start(e.config(), answer)
	second.waitConnected(t, true, waitTimeout)
	mu.Lock()
	to := targets[0]
	mu.Unlock()
	if err := second.a.Send(t.Context(), to, reply); err != nil {
		t.Fatalf("Send after the restart: %v", err)
	}
	// A later question's answer arrives after every earlier reply would.
	q2 := alice.say(room, &event.MessageEventContent{Body: krebsQuestion})
	alice.waitFor("answer to q2", replyTo(e.botUser, q2))

	for name, q := range map[string]id.EventID{"q1": q1, "q2": q2} {
		if n := len(alice.find(replyTo(e.botUser, q))); n != 1 {
			t.Errorf("%s answered %d times, want once", name, n)
		}
	}
}
