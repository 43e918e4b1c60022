package bot

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		in   string
		verb verb
		lang lang
		args []string
		unk  bool
	}{
		{"help", verbHelp, english, []string{}, false},
		{"HULP", verbHelp, dutch, []string{}, false},
		{"search russia iran", verbSearch, english, []string{"russia", "iran"}, false},
		{"Zoek: Rusland", verbSearch, dutch, []string{"Rusland"}, false},
		{"search why?", verbSearch, english, []string{"why?"}, false},
		{"article 004_x", verbArticle, english, []string{"004_x"}, false},
		{"artikel 004_x", verbArticle, dutch, []string{"004_x"}, false},
		{"latest", verbLatest, english, []string{}, false},
		{"latest?", verbLatest, english, []string{}, false},
		{"laatste interference", verbLatest, dutch, []string{"interference"}, false},
		{"laatste nieuws over Iran?", verbAsk, dutch, nil, false},
		{"digest interference since 2026-11-01", verbDigest, english, []string{"interference", "since", "2026-11-01"}, false},
		{"overzicht sinds 2026-11", verbDigest, dutch, []string{"sinds", "2026-11"}, false},
		{"subscribe interference 0 7 * * * UTC", verbSubscribe, english, []string{"interference", "0", "7", "*", "*", "*", "UTC"}, false},
		{"abonneer interference", verbSubscribe, dutch, []string{"interference"}, false},
		{"unsubscribe interference", verbUnsubscribe, english, []string{"interference"}, false},
		{"opzeggen interference", verbUnsubscribe, dutch, []string{"interference"}, false},
		{"subscriptions", verbSubscriptions, english, []string{}, false},
		{"abonnementen", verbSubscriptions, dutch, []string{}, false},
		{"help me find the minister?", verbAsk, english, nil, false},
		{"Who fired Krebs", verbAsk, english, nil, false},
		{"wanneer", verbAsk, dutch, nil, false},
		{"Krebs?", verbAsk, english, nil, false},
		{"Trump ontsloeg Krebs", verbAsk, english, nil, false}, // no frequent words: English
		{"Wie heeft Krebs ontslagen", verbAsk, dutch, nil, false},
		{"hello", verbHelp, english, nil, true},
		{"hallo daar", verbHelp, english, nil, true},
		{"de het", verbHelp, dutch, nil, true},
		{"", verbHelp, english, nil, false},
	}
	for _, tt := range tests {
		c := parseCommand(tt.in)
		got := struct {
			Verb, Lang string
			Args       []string
			Unknown    bool
		}{c.verb.String(), [...]string{"en", "nl"}[c.lang], c.args, c.unknown}
		want := struct {
			Verb, Lang string
			Args       []string
			Unknown    bool
		}{tt.verb.String(), [...]string{"en", "nl"}[tt.lang], tt.args, tt.unk}
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("parseCommand(%q) (-got +want):\n%s", tt.in, diff)
		}
	}
}

func TestStripPrefix(t *testing.T) {
	prefixes := []string{"!briefbot", "briefbot", "!b"}
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"!b help", "help", true},
		{"  !B: help", "help", true},
		{"briefbot, wie?", "wie?", true},
		{"!briefbot", "", true},
		{"!bla", "!bla", false},
		{"briefbots are fun", "briefbots are fun", false},
		{"say !b help", "say !b help", false},
	}
	for _, tt := range tests {
		got, ok := stripPrefix(tt.in, prefixes)
		if got != tt.want || ok != tt.ok {
			t.Errorf("stripPrefix(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFollowUpWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		ok   bool
	}{
		{"and when?", []string{"when"}, true},
		{"En wanneer?", []string{"wanneer"}, true},
		{"where?", []string{"where"}, true},
		{"and who?", []string{"who"}, true},
		{"and why did they do it?", []string{"why", "did", "they", "do", "it"}, true},
		{"en waar dan?", []string{"waar"}, true},
		{"Who won?", nil, false},
		{"when did Krebs leave?", nil, false},
		{"and then?", nil, false},
		{"", nil, false},
	}
	for _, tt := range tests {
		got, ok := followUpWords(tt.in)
		if ok != tt.ok || (ok && !cmp.Equal(got, tt.want)) {
			t.Errorf("followUpWords(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if got, want := combineFollowUp([]string{"wanneer"}, "Wie is het hoofd van de inlichtingendiensten?"), "wanneer hoofd inlichtingendiensten?"; got != want {
		t.Errorf("combineFollowUp = %q, want %q", got, want)
	}
}

// TestMemoryBounds: the least recently used thread is forgotten first, and
// turns expire after the TTL.
func TestMemoryBounds(t *testing.T) {
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	m := newMemory(2, time.Hour)
	k := func(th string) threadKey { return threadKey{platform: "p", conversation: "c", thread: ThreadID(th)} }
	m.put(k("a"), turn{question: "qa", article: "A", at: now})
	m.put(k("b"), turn{question: "qb", article: "B", at: now})
	if _, ok := m.get(k("a"), now); !ok { // a is now the most recent
		t.Fatal("a forgotten too early")
	}
	m.put(k("c"), turn{question: "qc", article: "C", at: now})
	if _, ok := m.get(k("b"), now); ok {
		t.Error("b should have been evicted as least recently used")
	}
	if got, ok := m.get(k("a"), now); !ok || got.article != "A" {
		t.Errorf("a: %+v, %v", got, ok)
	}
	if m.len() != 2 {
		t.Errorf("len = %d, want 2", m.len())
	}
	if _, ok := m.get(k("c"), now.Add(61*time.Minute)); ok {
		t.Error("c should have expired")
	}
	if m.len() != 1 {
		t.Errorf("len after expiry = %d, want 1", m.len())
	}
}

// TestLimiterPrune: quiet, refilled buckets are dropped once the map is
// over its bound, and pruning changes no decision.
func TestLimiterPrune(t *testing.T) {
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	l := newLimiter()
	l.maxKeys = 3
	lim := RateLimit{Events: 1, Window: time.Minute}
	for _, k := range []string{"a", "b", "c", "d"} {
		if ok, _ := l.take(now, check{key: k, limit: lim}); !ok {
			t.Fatalf("%s refused", k)
		}
	}
	if ok, notify := l.take(now, check{key: "a", limit: lim}); ok || !notify {
		t.Errorf("a again: ok=%v notify=%v, want refused with notice", ok, notify)
	}
	later := now.Add(2 * time.Minute)
	if ok, _ := l.take(later, check{key: "e", limit: lim}); !ok {
		t.Fatal("e refused")
	}
	l.mu.Lock()
	n := len(l.buckets)
	l.mu.Unlock()
	if n != 1 {
		t.Errorf("%d buckets after pruning, want 1 (only e)", n)
	}
}
