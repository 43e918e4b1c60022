package bot_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/briefings"
)

// start is the fake clock's time in every test: Tuesday 24 Nov 2026.
var start = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

// fixture is a bot wired to the fake library, the real store in a
// temporary directory, a fake clock and a recording adapter.
type fixture struct {
	bot     *bot.Bot
	lib     *bottest.Library
	store   bot.Store
	path    string
	clock   *bottest.Clock
	adapter *bottest.Adapter
	opts    bot.Options
}

// newFixture builds a fixture; edit, when not nil, changes the options
// before bot.New.
func newFixture(t *testing.T, edit func(*bot.Options)) *fixture {
	t.Helper()
	f := &fixture{
		lib:     bottest.NewLibrary(start.Add(-4 * 24 * time.Hour)),
		clock:   bottest.NewClock(start),
		adapter: bottest.NewAdapter("test"),
	}
	st, path := bottest.TempStore(t)
	f.store, f.path = st, path
	f.opts = bot.Options{Briefings: f.lib, Store: st, Clock: f.clock.Now,
		// Only the rate limit tests limit; they set their own.
		UserLimit: bot.RateLimit{Events: -1}, ConversationLimit: bot.RateLimit{Events: -1}}
	if edit != nil {
		edit(&f.opts)
	}
	b, err := bot.New(f.opts)
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	f.bot = b
	return f
}

// send hands m to the bot through the recording adapter and returns the
// replies.
func (f *fixture) send(t *testing.T, m bot.Message) []bottest.Sent {
	t.Helper()
	return f.adapter.Handle(t, f.bot, m)
}

// dm is a direct message from user "U1" in conversation "D1".
func dm(event, text string) bot.Message {
	return bot.Message{Conversation: "D1", User: "U1", Text: text, EventID: bot.EventID(event), Direct: true}
}

// one returns the only reply, failing unless there is exactly one.
func one(t *testing.T, sent []bottest.Sent) bot.Reply {
	t.Helper()
	if len(sent) != 1 {
		t.Fatalf("got %d replies, want 1: %+v", len(sent), sent)
	}
	return sent[0].Reply
}

// view is the part of a Reply the command table checks.
type view struct {
	Title, Answer, Quote, Notice string
	Citations, SeeAlso, Items    []bot.ArticleID
	Body                         []string
	HasRef                       bool
}

func viewOf(r bot.Reply, withBody bool) view {
	v := view{Title: r.Title, Answer: r.Answer, Quote: r.Quote, Notice: r.Notice, HasRef: r.Ref != ""}
	for _, c := range r.Citations {
		v.Citations = append(v.Citations, c.Article)
	}
	for _, c := range r.SeeAlso {
		v.SeeAlso = append(v.SeeAlso, c.Article)
	}
	for _, it := range r.Items {
		v.Items = append(v.Items, it.Article)
	}
	if withBody {
		v.Body = r.Body
	}
	return v
}

const ratcliffeQuote = "Iran zou e-mails gestuurd hebben om de kiezers te intimideren, zei het hoofd van de inlichtingendiensten John Ratcliffe tijdens een persconferentie."

// TestCommands runs every command, in English and in Dutch, through the
// Handler interface in one conversation, in order (subscriptions build on
// each other).
func TestCommands(t *testing.T) {
	f := newFixture(t, nil)
	all := []bot.ArticleID{bottest.KrebsFired, bottest.ElectionData, bottest.TrumpPutin, bottest.PartyBriefing, bottest.Plasterk}
	tests := []struct {
		in       string
		want     view
		withBody bool     // compare Body exactly
		bodyHas  []string // else: strings the body must contain
	}{
		{in: "Who is the head of the intelligence services?",
			want: view{Answer: "John Ratcliffe", Quote: ratcliffeQuote, Citations: []bot.ArticleID{bottest.ElectionData}, HasRef: true}},
		{in: "Wie is het hoofd van de inlichtingendiensten?",
			want: view{Answer: "John Ratcliffe", Quote: ratcliffeQuote, Citations: []bot.ArticleID{bottest.ElectionData}, HasRef: true}},
		{in: "Who won the election in Hamburg?",
			want: view{Notice: "The articles don't say.", SeeAlso: []bot.ArticleID{bottest.TrumpPutin}, HasRef: true}},
		{in: "Wie won de verkiezingen in Hamburg?",
			want: view{Notice: "De artikelen zeggen het niet.", SeeAlso: []bot.ArticleID{bottest.TrumpPutin, bottest.ElectionData}, HasRef: true}},
		{in: "search hackers",
			want: view{Title: "Search: hackers", Items: []bot.ArticleID{bottest.TrumpPutin, bottest.Plasterk, bottest.KrebsFired}}},
		{in: "ZOEK Poetin",
			want: view{Title: "Zoeken: Poetin", Items: []bot.ArticleID{bottest.TrumpPutin}}},
		{in: "search", want: view{Notice: "Usage: search <words>"}},
		{in: "zoek voetbaluitslagen", want: view{Notice: "Geen artikelen gevonden voor “voetbaluitslagen”."}},
		{in: "article 004_496c433a0061d38d", withBody: true,
			want: view{Title: "Trump ontslaat cyberveiligheidschef Chris Krebs via Twitter", Body: []string{
				"004_496c433a0061d38d.txt",
				"De Amerikaanse president Donald Trump heeft Chris Krebs, de hoogste cyberveiligheidsfunctionaris van het land, ontslagen via Twitter.",
				"Krebs was het hoofd van het CISA. Daar had hij als taak om het verkiezingsproces te beschermen tegen inmenging door hackers.",
			}}},
		{in: "artikel 001_3a4517b0ca95c208.txt", bodyHas: []string{"2017-01 · 001_3a4517b0ca95c208.txt", "## Nederlandse verkiezingen in aantocht"},
			want: view{Title: "Partijen op het Binnenhof gebrieft over dreiging van hacks"}},
		{in: "artikel bestaatniet", want: view{Notice: "Er is geen artikel “bestaatniet”."}},
		{in: "latest", want: view{Title: "Latest articles", Items: all}},
		{in: "laatste interference", want: view{Title: "Laatste over interference", Items: all}},
		{in: "latest sports", want: view{Notice: "There is no topic “sports”. Known topics: interference."}},
		{in: "digest",
			want: view{Title: "Digest: interference · 17–24 Nov 2026 · 1 story", Items: []bot.ArticleID{bottest.KrebsFired}}},
		{in: "overzicht interference sinds 2020-01-01",
			want: view{Title: "Overzicht: interference · 1 jan 2020 – 24 nov 2026 · 2 artikelen", Items: []bot.ArticleID{bottest.KrebsFired, bottest.ElectionData}}},
		{in: "digest interference since 2026-11-23",
			want: view{Title: "Digest: interference · 23–24 Nov 2026 · 0 stories", Notice: "Nothing new on interference since 23 Nov 2026."}},
		{in: "digest since yesterday", want: view{Notice: "“yesterday” is not a date; use YYYY-MM-DD or YYYY-MM."}},
		{in: "subscriptions", want: view{Notice: "This conversation has no subscriptions."}},
		{in: "subscribe interference",
			want: view{Notice: "Subscribed: the interference digest will be posted here on schedule “0 7 * * *” (UTC). Next: Wed 25 Nov 2026 07:00 UTC."}},
		{in: "subscriptions", withBody: true,
			want: view{Title: "Subscriptions in this conversation", Body: []string{"interference — “0 7 * * *” (UTC), next: Wed 25 Nov 2026 07:00 UTC"}}},
		{in: "abonneer interference 30 6 * * 1-5 Europe/Amsterdam",
			want: view{Notice: "Geabonneerd: het overzicht interference komt hier volgens schema “30 6 * * 1-5” (Europe/Amsterdam). Volgende: wo 25 nov 2026 06:30 CET."}},
		{in: "abonnementen", withBody: true,
			want: view{Title: "Abonnementen in dit gesprek", Body: []string{"interference — “30 6 * * 1-5” (Europe/Amsterdam), volgende: wo 25 nov 2026 06:30 CET"}}},
		{in: "subscribe sports", want: view{Notice: "There is no topic “sports”. Known topics: interference."}},
		{in: "unsubscribe Interference", want: view{Notice: "Unsubscribed: no more interference digests here."}},
		{in: "opzeggen interference", want: view{Notice: "Dit gesprek heeft geen abonnement op interference."}},
		{in: "abonnementen", want: view{Notice: "Dit gesprek heeft geen abonnementen."}},
		{in: "help", bodyHas: []string{"search <words>", "subscribe <topic>", "Topics: interference"},
			want: view{Title: "briefbot: questions about the newsroom's articles"}},
		{in: "Hulp", bodyHas: []string{"zoek <woorden>", "abonneer <onderwerp>", "Onderwerpen: interference"},
			want: view{Title: "briefbot: vragen over de artikelen van de redactie"}},
		{in: "hello", bodyHas: []string{"search <words>"}, want: view{Title: "I didn't catch that. Here is what I can do:"}},
	}
	for i, tt := range tests {
		r := one(t, f.send(t, dm("cmd-"+string(rune('a'+i)), tt.in)))
		if diff := cmp.Diff(viewOf(r, tt.withBody), tt.want); diff != "" {
			t.Errorf("%q: reply mismatch (-got +want):\n%s", tt.in, diff)
		}
		body := strings.Join(r.Body, "\n")
		for _, s := range tt.bodyHas {
			if !strings.Contains(body, s) {
				t.Errorf("%q: body lacks %q:\n%s", tt.in, s, body)
			}
		}
	}
}

// TestRepliesGoToTheMessagesThread checks the reply's Target.
func TestRepliesGoToTheMessagesThread(t *testing.T) {
	f := newFixture(t, nil)
	sent := f.send(t, bot.Message{Conversation: "C1", Thread: "T9", User: "U1", Text: "help", Mentioned: true})
	if len(sent) != 1 {
		t.Fatalf("got %d replies, want 1", len(sent))
	}
	if diff := cmp.Diff(sent[0].To, bot.Target{Conversation: "C1", Thread: "T9"}); diff != "" {
		t.Errorf("target (-got +want):\n%s", diff)
	}
}

// TestAddressing: in a group conversation only mentions and prefixed
// messages are handled; direct messages always are.
func TestAddressing(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		m         bot.Message
		wantReply bool
		wantTitle string
	}{
		{bot.Message{Conversation: "C1", User: "U1", Text: "search hackers"}, false, ""},
		{bot.Message{Conversation: "C1", User: "U1", Text: "briefbotje zoek hackers"}, false, ""},
		{bot.Message{Conversation: "C1", User: "U1", Text: "search hackers", Mentioned: true}, true, "Search: hackers"},
		{bot.Message{Conversation: "C1", User: "U1", Text: "!b search hackers"}, true, "Search: hackers"},
		{bot.Message{Conversation: "C1", User: "U1", Text: "BriefBot: zoek Poetin"}, true, "Zoeken: Poetin"},
		{bot.Message{Conversation: "C1", User: "U1", Text: "!briefbot, search hackers"}, true, "Search: hackers"},
		{bot.Message{Conversation: "C1", User: "U1", Text: "!briefbot"}, true, "briefbot: questions about the newsroom's articles"},
		{bot.Message{Conversation: "D1", User: "U1", Text: "search hackers", Direct: true}, true, "Search: hackers"},
	}
	for _, tt := range tests {
		sent := f.send(t, tt.m)
		if got := len(sent) == 1; got != tt.wantReply {
			t.Errorf("%q: replied = %v, want %v (%d replies)", tt.m.Text, got, tt.wantReply, len(sent))
			continue
		}
		if tt.wantReply && sent[0].Reply.Title != tt.wantTitle {
			t.Errorf("%q: title %q, want %q", tt.m.Text, sent[0].Reply.Title, tt.wantTitle)
		}
	}
}

// TestRedeliveredEventAnsweredOnce: the same EventID on the same platform is
// answered once; on another platform it is a different event; without an
// EventID nothing is deduplicated.
func TestRedeliveredEventAnsweredOnce(t *testing.T) {
	f := newFixture(t, nil)
	m := dm("Ev1", "Who is the head of the intelligence services?")
	if got := len(f.send(t, m)); got != 1 {
		t.Fatalf("first delivery: %d replies, want 1", got)
	}
	if got := len(f.send(t, m)); got != 0 {
		t.Errorf("redelivery: %d replies, want 0", got)
	}
	other := bottest.NewAdapter("other")
	if got := len(other.Handle(t, f.bot, m)); got != 1 {
		t.Errorf("same event ID on another platform: %d replies, want 1", got)
	}
	m.EventID = ""
	for i := range 2 {
		if got := len(f.send(t, m)); got != 1 {
			t.Errorf("message without event ID, delivery %d: %d replies, want 1", i+1, got)
		}
	}
}

// TestConcurrentRedelivery: the same event delivered on many goroutines at
// once is answered exactly once.
func TestConcurrentRedelivery(t *testing.T) {
	f := newFixture(t, nil)
	m := dm("Ev-par", "search hackers")
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			f.bot.HandleMessage(bottest.Context(t), f.adapter, m)
		}()
	}
	for range 8 {
		<-done
	}
	if got := len(f.adapter.Sent()); got != 1 {
		t.Errorf("8 concurrent deliveries: %d replies, want 1", got)
	}
}

// TestRestart: processed events and subscriptions survive closing and
// reopening the store.
func TestRestart(t *testing.T) {
	f := newFixture(t, nil)
	one(t, f.send(t, dm("E-sub", "subscribe interference 0 6 * * * Europe/Amsterdam")))
	closer, ok := f.store.(interface{ Close() error })
	if !ok {
		t.Fatalf("store %T has no Close", f.store)
	}
	if err := closer.Close(); err != nil {
		t.Fatalf("close store: %v", err)
	}

	st := bottest.OpenStore(t, f.path)
	b, err := bot.New(bot.Options{Briefings: f.lib, Store: st, Clock: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	a := bottest.NewAdapter("test")
	if got := a.Handle(t, b, dm("E-sub", "subscribe interference 0 6 * * * Europe/Amsterdam")); len(got) != 0 {
		t.Errorf("event handled before the restart was answered again: %+v", got)
	}
	r := one(t, a.Handle(t, b, dm("E-list", "subscriptions")))
	want := []string{"interference — “0 6 * * *” (Europe/Amsterdam), next: Wed 25 Nov 2026 06:00 CET"}
	if diff := cmp.Diff(r.Body, want); diff != "" {
		t.Errorf("subscriptions after restart (-got +want):\n%s", diff)
	}
}

// TestRateLimit: a user over the limit gets one notice per window and then
// silence; tokens come back with time; other users are not affected until
// the conversation's own limit.
func TestRateLimit(t *testing.T) {
	f := newFixture(t, func(o *bot.Options) {
		o.UserLimit = bot.RateLimit{Events: 2, Window: time.Minute}
		o.ConversationLimit = bot.RateLimit{Events: 3, Window: time.Minute}
	})
	msg := func(user bot.UserID, i int) bot.Message {
		return bot.Message{Conversation: "C1", User: user, Text: "search hackers", Mentioned: true,
			EventID: bot.EventID(string(user) + "-" + string(rune('a'+i)))}
	}
	const busy = "You're asking faster than I can answer. Please wait a minute and try again."
	kinds := func(sent []bottest.Sent) []string {
		var out []string
		for _, s := range sent {
			if s.Reply.Notice == busy {
				out = append(out, "busy")
			} else {
				out = append(out, "answer")
			}
		}
		return out
	}
	var got []string
	for i := range 4 {
		got = append(got, kinds(f.send(t, msg("U1", i)))...)
	}
	if diff := cmp.Diff(got, []string{"answer", "answer", "busy"}); diff != "" {
		t.Errorf("U1's four messages (-got +want):\n%s", diff)
	}
	// U2 may ask once more before the conversation (3 per minute) is full.
	got = nil
	for i := range 3 {
		got = append(got, kinds(f.send(t, msg("U2", i)))...)
	}
	if diff := cmp.Diff(got, []string{"answer", "busy"}); diff != "" {
		t.Errorf("U2's three messages (-got +want):\n%s", diff)
	}
	// 20 s later U1 has 0.67 of a token back: refused, and silently, since
	// U1 was told 20 s ago.
	f.clock.Advance(20 * time.Second)
	if got := f.send(t, msg("U1", 10)); len(got) != 0 {
		t.Errorf("after 20 s: %v, want silence", kinds(got))
	}
	f.clock.Advance(time.Minute)
	if diff := cmp.Diff(kinds(f.send(t, msg("U1", 11))), []string{"answer"}); diff != "" {
		t.Errorf("after a window (-got +want):\n%s", diff)
	}
}

// TestRateLimitNoticeOncePerWindow: a flood gets one notice per window.
func TestRateLimitNoticeOncePerWindow(t *testing.T) {
	f := newFixture(t, func(o *bot.Options) { o.UserLimit = bot.RateLimit{Events: 1, Window: time.Minute} })
	count := func(n int, prefix string) int {
		total := 0
		for i := range n {
			total += len(f.send(t, dm(prefix+string(rune('a'+i)), "help")))
		}
		return total
	}
	if got := count(10, "x"); got != 2 { // one answer, one notice
		t.Errorf("10 messages in one instant: %d replies, want 2", got)
	}
	f.clock.Advance(59 * time.Second)
	if got := count(5, "y"); got != 0 {
		t.Errorf("5 more within the window: %d replies, want 0", got)
	}
	f.clock.Advance(2 * time.Second) // one token back
	if got := count(3, "z"); got != 2 {
		t.Errorf("3 after the window: %d replies, want 2 (answer, notice)", got)
	}
}

// TestConsoleIsNotRateLimited: the console platform is exempt by default,
// and can be limited with a non-nil Unlimited.
func TestConsoleIsNotRateLimited(t *testing.T) {
	for _, tt := range []struct {
		unlimited []string
		want      int
	}{{nil, 5}, {[]string{}, 1}} {
		f := newFixture(t, func(o *bot.Options) {
			o.UserLimit = bot.RateLimit{Events: 1, Window: time.Hour}
			o.Unlimited = tt.unlimited
		})
		a := bottest.NewAdapter("console")
		answers := 0
		for range 5 {
			for _, s := range a.Handle(t, f.bot, dm("", "search hackers")) {
				if s.Reply.Title != "" {
					answers++
				}
			}
		}
		if answers != tt.want {
			t.Errorf("Unlimited %v: %d answers, want %d", tt.unlimited, answers, tt.want)
		}
	}
}

// TestLongQuestionRefused counts characters, not bytes.
func TestLongQuestionRefused(t *testing.T) {
	f := newFixture(t, nil)
	ok := strings.Repeat("é", 999) + "?"
	r := one(t, f.send(t, dm("L1", ok)))
	if r.Notice != "The articles don't say." {
		t.Errorf("1000-character question: notice %q, want it asked", r.Notice)
	}
	r = one(t, f.send(t, dm("L2", ok+"?")))
	if want := "That question is too long (1001 characters; the limit is 1000). Please shorten it."; r.Notice != want {
		t.Errorf("1001-character question: notice %q, want %q", r.Notice, want)
	}
	if got := len(f.lib.Asked()); got != 1 {
		t.Errorf("library asked %d times, want 1 (the long question must not reach it)", got)
	}
	// Commands are bounded too, so nothing long is echoed back.
	r = one(t, f.send(t, dm("L3", "laatste "+strings.Repeat("x", 1000))))
	if want := "Dat bericht is te lang (1008 tekens; het maximum is 1000). Maak het korter."; r.Notice != want {
		t.Errorf("long command: notice %q, want %q", r.Notice, want)
	}
}

// TestNoPrefixes: with no prefixes, only mentions and direct messages
// address the bot, and help still works.
func TestNoPrefixes(t *testing.T) {
	f := newFixture(t, func(o *bot.Options) { o.Prefixes = []string{} })
	if got := f.send(t, bot.Message{Conversation: "C1", User: "U1", Text: "!b help"}); len(got) != 0 {
		t.Errorf("prefixed message answered without prefixes configured: %+v", got)
	}
	r := one(t, f.send(t, bot.Message{Conversation: "C1", User: "U1", Text: "help", Mentioned: true}))
	if !strings.Contains(strings.Join(r.Body, "\n"), "In a group conversation: mention the bot.") {
		t.Errorf("help without prefixes: %q", r.Body)
	}
}

// TestMassMentionsNeutralised: user text echoed back never carries a mass
// mention.
func TestMassMentionsNeutralised(t *testing.T) {
	f := newFixture(t, nil)
	for i, in := range []string{"zoek @channel", "zoek @Here", "zoek @everyone", "zoek @room", "zoek <!channel>", "zoek <!here>", "zoek <!everyone>", "article @everyone", "digest interference since @here"} {
		r := one(t, f.send(t, dm("M"+string(rune('a'+i)), in)))
		text := bot.RenderText(r)
		for _, m := range []string{"@channel", "@here", "@everyone", "@room", "<!channel>", "<!here>", "<!everyone>"} {
			if strings.Contains(strings.ToLower(text), m) {
				t.Errorf("%q: reply contains %q: %q", in, m, text)
			}
		}
		if !strings.Contains(text, "\u200d") {
			t.Errorf("%q: reply does not echo the neutralised text: %q", in, text)
		}
	}
}

func TestNeutralize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hi @channel!", "hi @\u200dchannel!"},
		{"@HERE and @Everyone", "@\u200dHERE and @\u200dEveryone"},
		{"@room", "@\u200droom"},
		{"<!channel> <!here> <!everyone>", "<\u200d!channel> <\u200d!here> <\u200d!everyone>"},
		{"mail me@example.com", "mail me@example.com"},
		{"@roomba", "@\u200droomba"},
		{"no mention", "no mention"},
		{"", ""},
		{"@", "@"},
		{"<!chan", "<!chan"},
	}
	for _, tt := range tests {
		if got := bot.Neutralize(tt.in); got != tt.want {
			t.Errorf("Neutralize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFollowUp: "and when?" in the same thread is asked about the previous
// answer's article, with the previous question's content; in another
// thread, or a day later, it is asked on its own.
func TestFollowUp(t *testing.T) {
	f := newFixture(t, nil)
	in := func(thread bot.ThreadID, event, text string) bot.Message {
		return bot.Message{Conversation: "C1", Thread: thread, User: "U1", Text: text, EventID: bot.EventID(event), Mentioned: true}
	}
	r := one(t, f.send(t, in("T1", "f1", "Who is the head of the intelligence services?")))
	if r.Answer != "John Ratcliffe" {
		t.Fatalf("first question: answer %q", r.Answer)
	}
	r = one(t, f.send(t, in("T1", "f2", "and when?")))
	if r.Answer != "October 2020" {
		t.Errorf("follow-up: answer %q, want October 2020", r.Answer)
	}
	r = one(t, f.send(t, in("T1", "f3", "En wanneer?")))
	if r.Answer != "oktober 2020" {
		t.Errorf("Dutch follow-up: answer %q, want oktober 2020", r.Answer)
	}
	r = one(t, f.send(t, in("T2", "f4", "and when?")))
	if r.Notice != "The articles don't say." {
		t.Errorf("follow-up in another thread: %+v, want not answered", r)
	}
	f.clock.Advance(25 * time.Hour)
	r = one(t, f.send(t, in("T1", "f5", "and when?")))
	if r.Notice != "The articles don't say." {
		t.Errorf("follow-up a day later: %+v, want not answered", r)
	}
	asker := "test:U1" // the platform and the user, for per-user limits of a model reader
	want := []bottest.Asked{
		{Question: "Who is the head of the intelligence services?", Options: briefings.AskOptions{Asker: asker}},
		{Question: "when head intelligence services?", Options: briefings.AskOptions{Article: bottest.ElectionData, Asker: asker}},
		{Question: "wanneer head intelligence services?", Options: briefings.AskOptions{Article: bottest.ElectionData, Asker: asker}},
		{Question: "and when?", Options: briefings.AskOptions{Asker: asker}},
		{Question: "and when?", Options: briefings.AskOptions{Asker: asker}},
	}
	if diff := cmp.Diff(f.lib.Asked(), want); diff != "" {
		t.Errorf("questions asked of the library (-got +want):\n%s", diff)
	}
}

// TestUnknownInputGetsHelp: input that is neither a command nor a question
// gets help, in the input's language when it can tell.
func TestUnknownInputGetsHelp(t *testing.T) {
	f := newFixture(t, nil)
	for i, in := range []string{"hello", "thanks!", "ok", "👍", "en", "help?"} {
		r := one(t, f.send(t, dm("u"+string(rune('a'+i)), in)))
		if len(r.Body) == 0 || !strings.Contains(strings.Join(r.Body, "\n"), "<") {
			t.Errorf("%q: got %+v, want help", in, r)
		}
	}
	if got := len(f.lib.Asked()); got != 0 {
		t.Errorf("library asked %d questions, want 0", got)
	}
	r := one(t, f.send(t, dm("u-nl", "de en")))
	if r.Title != "Dat begreep ik niet. Dit kan ik:" {
		t.Errorf("Dutch unknown input: title %q", r.Title)
	}
}

// TestFailuresBecomeNotices: library and store errors are answered with a
// polite notice, never silence.
func TestFailuresBecomeNotices(t *testing.T) {
	f := newFixture(t, nil)
	f.lib.Fail(errors.New("index unavailable"))
	const sorry = "Sorry, something went wrong on my side. Please try again in a moment."
	for i, in := range []string{"Who is the head of the intelligence services?", "search hackers", "latest", "digest"} {
		r := one(t, f.send(t, dm("x"+string(rune('a'+i)), in)))
		if r.Notice != sorry {
			t.Errorf("%q with a failing library: %+v", in, r)
		}
	}
	r := one(t, f.send(t, dm("x-nl", "zoek hackers")))
	if r.Notice != "Sorry, er ging bij mij iets mis. Probeer het zo nog eens." {
		t.Errorf("Dutch failure notice: %q", r.Notice)
	}
	f.lib.Fail(nil)

	if err := f.store.(interface{ Close() error }).Close(); err != nil {
		t.Fatal(err)
	}
	// ClaimEvent fails: the message is still answered.
	r = one(t, f.send(t, dm("y1", "search hackers")))
	if r.Title != "Search: hackers" {
		t.Errorf("search with a failing store: %+v", r)
	}
	for i, in := range []string{"subscribe interference", "unsubscribe interference", "subscriptions"} {
		r := one(t, f.send(t, dm("z"+string(rune('a'+i)), in)))
		if r.Notice != sorry {
			t.Errorf("%q with a failing store: %+v", in, r)
		}
	}
}

// TestSendFailureIsLogged: a failing Sender does not panic or retry.
func TestSendFailureIsLogged(t *testing.T) {
	f := newFixture(t, nil)
	f.adapter.FailSends(errors.New("platform down"))
	if got := len(f.send(t, dm("s1", "help"))); got != 0 {
		t.Errorf("%d replies recorded, want 0", got)
	}
}

type panicLibrary struct{ *bottest.Library }

func (panicLibrary) Search(context.Context, string, int) ([]briefings.SearchResult, error) {
	panic("boom")
}

// TestPanicBecomesNotice: a panicking library call is answered with a
// notice instead of crashing the adapter's goroutine.
func TestPanicBecomesNotice(t *testing.T) {
	f := newFixture(t, nil)
	b, err := bot.New(bot.Options{Briefings: panicLibrary{f.lib}, Store: f.store, Clock: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	r := one(t, f.adapter.Handle(t, b, dm("p1", "search hackers")))
	if !strings.HasPrefix(r.Notice, "Sorry") {
		t.Errorf("got %+v, want an apology", r)
	}
}

type fakeScheduler struct {
	calls int
	err   error
}

func (s *fakeScheduler) Refresh(context.Context) error { s.calls++; return s.err }

// TestAdminsAndScheduler: with admins configured only they may change
// subscriptions; every change refreshes the scheduler, whose failure is
// reported but keeps the change.
func TestAdminsAndScheduler(t *testing.T) {
	sched := &fakeScheduler{}
	f := newFixture(t, func(o *bot.Options) {
		o.Admins = map[string][]bot.UserID{"test": {"boss"}}
		o.Scheduler = sched
	})
	r := one(t, f.send(t, dm("a1", "subscribe interference")))
	if r.Notice != "Only the bot's admins can change subscriptions." {
		t.Errorf("non-admin subscribe: %+v", r)
	}
	r = one(t, f.send(t, dm("a1b", "opzeggen interference")))
	if r.Notice != "Alleen beheerders van de bot kunnen abonnementen wijzigen." {
		t.Errorf("non-admin unsubscribe: %+v", r)
	}
	boss := dm("a2", "subscribe interference")
	boss.User = "boss"
	r = one(t, f.send(t, boss))
	if !strings.HasPrefix(r.Notice, "Subscribed") || len(r.Body) != 0 {
		t.Errorf("admin subscribe: %+v", r)
	}
	sched.err = errors.New("cron stopped")
	boss.EventID, boss.Text = "a3", "unsubscribe interference"
	r = one(t, f.send(t, boss))
	if !strings.HasPrefix(r.Notice, "Unsubscribed") || len(r.Body) != 1 {
		t.Errorf("admin unsubscribe with failing scheduler: %+v", r)
	}
	if sched.calls != 2 {
		t.Errorf("scheduler refreshed %d times, want 2", sched.calls)
	}
	subs, err := f.store.Subscriptions(bottest.Context(t))
	if err != nil || len(subs) != 0 {
		t.Errorf("subscriptions after unsubscribe: %v, %v", subs, err)
	}
}

// TestSubscribeValidation: bad schedules and time zones are refused with
// the reason, and nothing is saved.
func TestSubscribeValidation(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct{ in, notice string }{
		{"subscribe interference 0 7 * *", "Usage: subscribe <topic> [<minute> <hour> <day> <month> <weekday> [<time zone>]], for example: subscribe interference 0 7 * * 1-5 Europe/Amsterdam"},
		{"subscribe interference 0 25 * * * UTC", "That schedule does not work: “0 25 * * *” is not a cron schedule (minute hour day month weekday): end of range (25) above maximum (23): 25."},
		{"subscribe interference 0 7 * * * Mars/Olympus", "Unknown time zone “Mars/Olympus”; use an IANA name such as Europe/Amsterdam."},
		{"subscribe interference 0 7 * * * Local", "Unknown time zone “Local”; use an IANA name such as Europe/Amsterdam."},
		{"subscribe interference */5 * * * *", "That schedule does not work: “*/5 * * * *” fires more often than once every 1h0m0s."},
		{"subscribe interference @every 1m", "That schedule does not work: “@every” is not supported; use five cron fields such as “0 7 * * *”."},
		{"abonneer interference 0 7 31 2 *", "Dat schema werkt niet: “0 7 31 2 *” never fires."},
		{"subscribe", "Usage: subscribe <topic> [<minute> <hour> <day> <month> <weekday> [<time zone>]], for example: subscribe interference 0 7 * * 1-5 Europe/Amsterdam"},
		{"abonneer sport", "Er is geen onderwerp “sport”. Bekende onderwerpen: interference."},
		{"unsubscribe", "Usage: unsubscribe <topic>"},
	}
	for i, tt := range tests {
		r := one(t, f.send(t, dm("v"+string(rune('a'+i)), tt.in)))
		if r.Notice != tt.notice {
			t.Errorf("%q:\n got notice %q\nwant notice %q", tt.in, r.Notice, tt.notice)
		}
	}
	r := one(t, f.send(t, dm("v-ok", "subscribe interference @daily Europe/Amsterdam")))
	if !strings.HasPrefix(r.Notice, "Subscribed") {
		t.Errorf("@daily: %q", r.Notice)
	}
	subs, err := f.store.Subscriptions(bottest.Context(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].Cron != "@daily" || subs[0].TimeZone != "Europe/Amsterdam" || subs[0].CreatedBy != "U1" || subs[0].Platform != "test" {
		t.Errorf("saved subscriptions: %+v, want only the @daily one", subs)
	}
}

// TestNewValidatesOptions: bad options fail with a message naming them.
func TestNewValidatesOptions(t *testing.T) {
	lib := bottest.NewLibrary(start)
	st, _ := bottest.TempStore(t)
	tests := []struct {
		name string
		opts bot.Options
		want string // substring of the error; "" means valid
	}{
		{"valid", bot.Options{Briefings: lib, Store: st}, ""},
		{"no library", bot.Options{Store: st}, "Briefings is required"},
		{"no store", bot.Options{Briefings: lib}, "Store is required"},
		{"bad zone", bot.Options{Briefings: lib, Store: st, DefaultTimeZone: "Nowhere/Land"}, "DefaultTimeZone"},
		{"bad cron", bot.Options{Briefings: lib, Store: st, DefaultCron: "daily"}, "DefaultCron"},
		{"negative length", bot.Options{Briefings: lib, Store: st, MaxQuestionLen: -1}, "MaxQuestionLen"},
		{"limit without window", bot.Options{Briefings: lib, Store: st, UserLimit: bot.RateLimit{Events: 3}}, "UserLimit"},
		{"bad prefix", bot.Options{Briefings: lib, Store: st, Prefixes: []string{"hey bot"}}, "prefix"},
		{"both admin settings", bot.Options{Briefings: lib, Store: st, Admins: map[string][]bot.UserID{}, IsAdmin: func(string, bot.UserID) bool { return true }}, "not both"},
		{"disabled limits", bot.Options{Briefings: lib, Store: st, UserLimit: bot.RateLimit{Events: -1}}, ""},
	}
	for _, tt := range tests {
		_, err := bot.New(tt.opts)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: error %v, want one mentioning %q", tt.name, err, tt.want)
		}
	}
}

// TestLogsNeverHoldMessageText: at every level, the logs name the command
// and the outcome but never the user's words.
func TestLogsNeverHoldMessageText(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	f := newFixture(t, func(o *bot.Options) {
		o.Logger = slog.New(slog.NewJSONHandler(lockedWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	f.lib.Fail(errors.New("index unavailable"))
	for i, in := range []string{"Who is the head of the Zyxwvut services?", "search Zyxwvut", "subscribe Zyxwvut"} {
		one(t, f.send(t, dm("log"+string(rune('a'+i)), in)))
	}
	f.lib.Fail(nil)
	one(t, f.send(t, dm("log-ok", "Who is the head of the Zyxwvut intelligence services?")))
	mu.Lock()
	defer mu.Unlock()
	if strings.Contains(logs.String(), "Zyxwvut") {
		t.Errorf("logs contain message text:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), `"command":"search"`) {
		t.Errorf("logs do not name the command:\n%s", logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestThroughAdapterRun drives the bot through a running adapter, as cmd
// does: messages delivered to Run are answered, and Run returns nil when
// ctx ends.
func TestThroughAdapterRun(t *testing.T) {
	f := newFixture(t, nil)
	ctx, cancel := context.WithCancel(bottest.Context(t))
	done := make(chan error, 1)
	go func() { done <- f.adapter.Run(ctx, f.bot) }()
	f.adapter.Deliver(t, dm("run1", "hulp"))
	f.adapter.Deliver(t, dm("run2", "zoek Poetin"))
	f.adapter.Deliver(t, dm("run2", "zoek Poetin")) // redelivered
	f.adapter.Deliver(t, dm("run3", "latest interference"))
	sent := f.adapter.WaitSent(t, 3)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	var titles []string
	for _, s := range f.adapter.Sent() {
		titles = append(titles, s.Reply.Title)
	}
	want := []string{"briefbot: vragen over de artikelen van de redactie", "Zoeken: Poetin", "Latest on interference"}
	if diff := cmp.Diff(titles, want); diff != "" || len(sent) != 3 {
		t.Errorf("replies (-got +want):\n%s", diff)
	}
}

type loadingLibrary struct{ *bottest.Library }

func (loadingLibrary) Answer(context.Context, string, briefings.AskOptions) (briefings.Answer, error) {
	return briefings.Answer{}, fmt.Errorf("gate: %w", bot.ErrLoading)
}

func (loadingLibrary) Search(context.Context, string, int) ([]briefings.SearchResult, error) {
	return nil, bot.ErrLoading
}

func (loadingLibrary) Latest(context.Context, string, int) ([]briefings.DigestItem, error) {
	return nil, bot.ErrLoading
}

// TestLoadingIsSaidNotFailed: while the articles are being indexed the bot
// says so, in the asker's language, rather than apologising for a failure
// or answering from nothing.
func TestLoadingIsSaidNotFailed(t *testing.T) {
	f := newFixture(t, nil)
	b, err := bot.New(bot.Options{Briefings: loadingLibrary{f.lib}, Store: f.store, Clock: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ msg, want string }{
		{"who fired Krebs?", "I am still reading the articles"},
		{"wie heeft Krebs ontslagen?", "Ik ben de artikelen nog aan het inlezen"},
		{"search hackers", "I am still reading the articles"},
		{"latest", "I am still reading the articles"},
	} {
		r := one(t, f.adapter.Handle(t, b, dm("l-"+tt.msg, tt.msg)))
		if !strings.HasPrefix(r.Notice, tt.want) || r.Answer != "" {
			t.Errorf("%q: got %+v, want a notice starting %q", tt.msg, r, tt.want)
		}
	}
}
