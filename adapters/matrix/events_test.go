package matrix

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

const testBot = id.UserID("@briefbot:example.org")

func TestMentionDetectionAndStripping(t *testing.T) {
	cases := []struct {
		name      string
		content   event.MessageEventContent
		display   string
		mentioned bool
		text      string
	}{
		{"m.mentions", event.MessageEventContent{Body: "Briefbot: wie ontsloeg Krebs?", Mentions: &event.Mentions{UserIDs: []id.UserID{testBot}}},
			"Briefbot", true, "wie ontsloeg Krebs?"},
		{"pill in HTML", event.MessageEventContent{Body: "News Bot: wat zei Ratcliffe?",
			FormattedBody: `<a href="https://matrix.to/#/@briefbot:example.org">News Bot</a>: wat zei Ratcliffe?`},
			"News Bot", true, "wat zei Ratcliffe?"},
		{"escaped pill", event.MessageEventContent{Body: "hoi",
			FormattedBody: `<a href="https://matrix.to/#/%40briefbot%3Aexample.org">bot</a> hoi`}, "", true, "hoi"},
		{"user ID in the body", event.MessageEventContent{Body: "vraag voor @briefbot:example.org: wie?"}, "", true, "vraag voor : wie?"},
		{"@localpart", event.MessageEventContent{Body: "@briefbot, wie won?"}, "", true, "wie won?"},
		{"bare localpart first", event.MessageEventContent{Body: "briefbot wie won?"}, "", true, "wie won?"},
		{"display name anywhere", event.MessageEventContent{Body: "wat denkt News Bot hiervan"}, "News Bot", true, "wat denkt News Bot hiervan"},
		{"someone else's mention", event.MessageEventContent{Body: "@ed wie won?", Mentions: &event.Mentions{UserIDs: []id.UserID{"@ed:example.org"}}}, "", false, "@ed wie won?"},
		{"localpart inside a word", event.MessageEventContent{Body: "de briefbotten van vroeger"}, "", false, "de briefbotten van vroeger"},
		{"localpart later in the text", event.MessageEventContent{Body: "is briefbot er al?"}, "", false, "is briefbot er al?"},
		{"@room is not the bot", event.MessageEventContent{Body: "@room vergadering", Mentions: &event.Mentions{Room: true}}, "", false, "@room vergadering"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := mentions(&c.content, testBot) || mentionedInBody(c.content.Body, testBot, c.display)
			if got != c.mentioned {
				t.Errorf("mentioned = %v, want %v", got, c.mentioned)
			}
			if text := stripMention(c.content.Body, testBot, c.display); text != c.text {
				t.Errorf("text = %q, want %q", text, c.text)
			}
		})
	}
}

func TestCutPrefixFold(t *testing.T) {
	cases := []struct {
		in, prefix, rest string
		ok               bool
	}{
		{"!bb wie?", "!bb", "wie?", true},
		{"!BB: wie?", "!bb", "wie?", true},
		{"  !bb,wie?", "!bb", "wie?", true},
		{"!bb", "!bb", "", true},
		{"!bbc wie?", "!bb", "", false},
		{"wie? !bb", "!bb", "", false},
		{"!b", "!bb", "", false},
	}
	for _, c := range cases {
		rest, ok := cutPrefixFold(c.in, c.prefix)
		if rest != c.rest || ok != c.ok {
			t.Errorf("cutPrefixFold(%q, %q) = %q, %v; want %q, %v", c.in, c.prefix, rest, ok, c.rest, c.ok)
		}
	}
}

func TestStripReplyFallback(t *testing.T) {
	cases := map[string]string{
		"> <@ed:example.org> eerder\n> tweede regel\n\nbriefbot: en nu?": "briefbot: en nu?",
		"gewoon een vraag":             "gewoon een vraag",
		">geen fallback zonder spatie": ">geen fallback zonder spatie",
	}
	for in, want := range cases {
		if got := stripReplyFallback(in); got != want {
			t.Errorf("stripReplyFallback(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRecentForgetsOldest(t *testing.T) {
	r := newRecent[string, int](3)
	var firsts []bool
	for _, k := range []string{"a", "b", "a", "c", "d", "a", "b"} {
		firsts = append(firsts, r.add(k, len(firsts)))
	}
	// a,b new; a known; c new (full); d evicts a; a new again (evicts b); b new.
	if diff := cmp.Diff(firsts, []bool{true, true, false, true, true, true, true}); diff != "" {
		t.Errorf("add results (-got +want):\n%s", diff)
	}
	if _, ok := r.get("c"); ok {
		t.Errorf("c should have been evicted by b")
	}
	if v, ok := r.get("a"); !ok || v != 5 {
		t.Errorf("get(a) = %d, %v; want 5, true", v, ok)
	}
}

func TestMarkHistorySkipsEventsBeforeOwnJoin(t *testing.T) {
	a := &Adapter{user: testBot, seen: newRecent[id.EventID, struct{}](16)}
	self := string(testBot)
	other := "@alice:example.org"
	member := func(evtID id.EventID, who, membership, prev string) *event.Event {
		evt := &event.Event{ID: evtID, Type: event.StateMember, StateKey: &who,
			Content: event.Content{Raw: map[string]any{"membership": membership}}}
		if prev != "" {
			evt.Unsigned.PrevContent = &event.Content{Raw: map[string]any{"membership": prev}}
		}
		return evt
	}
	msg := func(evtID id.EventID) *event.Event { return &event.Event{ID: evtID, Type: event.EventMessage} }
	resp := syncWith(map[id.RoomID][]*event.Event{
		"!joined-now:example.org": {msg("$old1"), member("$inv", self, "invite", ""), msg("$old2"), member("$join", self, "join", "invite"), msg("$new")},
		// a display name change is not a join
		"!member-already:example.org": {msg("$keep1"), member("$rename", self, "join", "join"), msg("$keep2")},
		"!others:example.org":         {msg("$keep3"), member("$alicejoin", other, "join", "invite")},
	})
	a.markHistory(t.Context(), resp, "s1")
	for evtID, wantSeen := range map[id.EventID]bool{
		"$old1": true, "$inv": true, "$old2": true, "$join": true, "$new": false,
		"$keep1": false, "$rename": false, "$keep2": false, "$keep3": false, "$alicejoin": false,
	} {
		if _, seen := a.seen.get(evtID); seen != wantSeen {
			t.Errorf("%s marked seen = %v, want %v", evtID, seen, wantSeen)
		}
	}
}

// syncWith builds a /sync response with the given joined rooms' timelines.
func syncWith(rooms map[id.RoomID][]*event.Event) *mautrix.RespSync {
	resp := &mautrix.RespSync{NextBatch: "s2", Rooms: mautrix.RespSyncRooms{Join: map[id.RoomID]*mautrix.SyncJoinedRoom{}}}
	for room, evts := range rooms {
		resp.Rooms.Join[room] = &mautrix.SyncJoinedRoom{Timeline: mautrix.SyncTimeline{SyncEventsList: mautrix.SyncEventsList{Events: evts}}}
	}
	return resp
}
