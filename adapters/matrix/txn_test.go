package matrix

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot"
)

// TestSendTransactionIDs: a reply to an event gets transaction IDs derived
// from the room, the event it answers, its content and the part, so that
// sending it again (a replay after a crash) reuses them and the homeserver
// posts it once; anything else differs. Posts to the room itself (digests)
// get fresh IDs each time: the same digest on another day is a new post.
func TestSendTransactionIDs(t *testing.T) {
	fake := &fakeSends{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	a, _ := newSendAdapter(t, srv)
	a.threads.add("$root", "$question")

	answer := bot.Reply{Answer: "Donald Trump"}
	long := bot.Reply{Answer: "Lang", Body: []string{strings.Repeat("desinformatie ", 3000)}}
	sends := []struct {
		name string
		to   bot.Target
		r    bot.Reply
	}{
		{"reply", bot.Target{Conversation: "!room:example.org", Thread: "$q1"}, answer},
		{"reply again", bot.Target{Conversation: "!room:example.org", Thread: "$q1"}, answer},
		{"another question", bot.Target{Conversation: "!room:example.org", Thread: "$q2"}, answer},
		{"another reply", bot.Target{Conversation: "!room:example.org", Thread: "$q1"}, bot.Reply{Answer: "Joe Biden"}},
		{"another room", bot.Target{Conversation: "!other:example.org", Thread: "$q1"}, answer},
		{"in a thread", bot.Target{Conversation: "!room:example.org", Thread: "$root"}, answer},
		{"in a thread again", bot.Target{Conversation: "!room:example.org", Thread: "$root"}, answer},
		{"room post", bot.Target{Conversation: "!room:example.org"}, answer},
		{"room post again", bot.Target{Conversation: "!room:example.org"}, answer},
		{"long reply", bot.Target{Conversation: "!room:example.org", Thread: "$q3"}, long},
		{"long reply again", bot.Target{Conversation: "!room:example.org", Thread: "$q3"}, long},
	}
	txns := map[string][]string{}
	for _, s := range sends {
		before := len(fake.requests)
		if err := a.Send(t.Context(), s.to, s.r); err != nil {
			t.Fatalf("%s: Send: %v", s.name, err)
		}
		for _, r := range fake.requests[before:] {
			txns[s.name] = append(txns[s.name], r.Txn)
		}
	}
	same := func(x, y string) bool { return strings.Join(txns[x], ",") == strings.Join(txns[y], ",") }
	for _, pair := range [][2]string{{"reply", "reply again"}, {"in a thread", "in a thread again"}, {"long reply", "long reply again"}} {
		if !same(pair[0], pair[1]) {
			t.Errorf("%s and %s have transaction IDs %v and %v, want the same", pair[0], pair[1], txns[pair[0]], txns[pair[1]])
		}
	}
	seen := map[string]string{}
	for _, s := range sends {
		if strings.HasSuffix(s.name, " again") && s.name != "room post again" {
			continue
		}
		for _, txn := range txns[s.name] {
			if other, dup := seen[txn]; dup {
				t.Errorf("%s reuses transaction ID %q of %s", s.name, txn, other)
			}
			seen[txn] = s.name
		}
	}
	if n := len(txns["long reply"]); n < 2 {
		t.Errorf("the long reply was sent in %d parts, want several", n)
	}
	if n := len(fake.posted); n != len(seen) {
		t.Errorf("%d events posted, want %d (one per distinct transaction)", n, len(seen))
	}
}
