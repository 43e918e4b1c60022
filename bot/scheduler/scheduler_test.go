package scheduler_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/bot/scheduler"
	"github.com/briefbot/briefbot/briefings"
)

// recorder is the real article library with a record of the digests asked.
type recorder struct {
	*briefings.Library
	mu   sync.Mutex
	reqs []briefings.DigestRequest
}

func (r *recorder) Digest(ctx context.Context, req briefings.DigestRequest) (briefings.Digest, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.mu.Unlock()
	return r.Library.Digest(ctx, req)
}

func (r *recorder) requests() []briefings.DigestRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.reqs)
}

// newLibrary loads a few interference articles around November 2026 into the
// real library.
func newLibrary(t *testing.T) *recorder {
	t.Helper()
	docs := []struct{ id, title, date, body string }{
		{"moldavie", "Meta haalt Russisch netwerk van nepaccounts offline", "2026-10-24",
			"Meta heeft een netwerk van nepaccounts verwijderd dat kiezers in Moldavië probeerde te beïnvloeden voor de verkiezingen."},
		{"kiesraad", "Kiesraad laat uitslagensoftware extra testen", "2026-11-19",
			"De Kiesraad laat de software waarmee gemeenten de uitslagen van de verkiezingen berekenen doorlichten op kwetsbaarheden voor hackers."},
		{"tiktok", "TikTok verwijdert nepaccounts rond Tweede Kamerverkiezingen", "2026-11-20",
			"TikTok heeft nepaccounts verwijderd die vanuit het buitenland desinformatie over de verkiezingen verspreidden."},
		{"sport", "Ajax wint van PSV", "2026-11-20", "Ajax won de wedstrijd in de eredivisie met 2-1."},
	}
	var arts []briefings.Article
	for _, d := range docs {
		md := fmt.Sprintf("---\ntitle: %q\ndate: %s\nsource: NOS\n---\n\n%s\n", d.title, d.date, d.body)
		parsed, err := briefings.ParseFile(d.id+".md", []byte(md))
		if err != nil {
			t.Fatal(err)
		}
		arts = append(arts, parsed...)
	}
	lib, err := briefings.NewLibrary(briefings.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Replace(bottest.Context(t), arts); err != nil {
		t.Fatal(err)
	}
	return &recorder{Library: lib}
}

// syncBuffer collects log output from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type setup struct {
	store bot.Store
	lib   scheduler.Digester
	chat  *bottest.Adapter
	clock *bottest.Clock
	owner string
	logs  *syncBuffer
	opts  func(*scheduler.Options)
}

func newScheduler(t *testing.T, s setup) *scheduler.Scheduler {
	t.Helper()
	logs := s.logs
	if logs == nil {
		logs = &syncBuffer{}
	}
	o := scheduler.Options{
		Store:    s.store,
		Digester: s.lib,
		Senders:  map[string]bot.Sender{"console": s.chat},
		Logger:   slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Clock:    s.clock.Now,
		Owner:    s.owner,
	}
	if s.opts != nil {
		s.opts(&o)
	}
	sch, err := scheduler.New(o)
	if err != nil {
		t.Fatalf("scheduler.New: %v", err)
	}
	return sch
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func subscribe(t *testing.T, st bot.Store, conv, tz string, created time.Time) bot.Subscription {
	t.Helper()
	sub, err := st.AddSubscription(bottest.Context(t), bot.Subscription{
		Platform: "console", Conversation: bot.ConversationID(conv), Topic: "interference",
		Cron: "0 7 * * *", TimeZone: tz, CreatedBy: "U1", Created: created,
	})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func lastSlot(t *testing.T, st bot.Store, id int64) time.Time {
	t.Helper()
	c, err := st.LastDigest(bottest.Context(t), id)
	if errors.Is(err, bot.ErrNotFound) {
		return time.Time{}
	}
	if err != nil {
		t.Fatal(err)
	}
	return c.Slot
}

// TestDailyDigestAcrossDST: "0 7 * * *" fires at 07:00 local in Amsterdam
// (DST ends 25 Oct 2026) and New York (DST ends 1 Nov 2026), and each digest
// covers exactly the period since the previous one.
func TestDailyDigestAcrossDST(t *testing.T) {
	ctx := bottest.Context(t)
	st, _ := bottest.TempStore(t)
	start := mustTime(t, "2026-10-22T12:00:00Z")
	clock := bottest.NewClock(start)
	ams := subscribe(t, st, "ams", "Europe/Amsterdam", start)
	nyc := subscribe(t, st, "nyc", "America/New_York", start)
	lib := newLibrary(t)
	s := newScheduler(t, setup{store: st, lib: lib, chat: bottest.NewAdapter("console"), clock: clock, owner: "a"})
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}

	got := map[int64][]time.Time{}
	for clock.Now().Before(mustTime(t, "2026-11-03T00:00:00Z")) {
		clock.Advance(time.Hour)
		if err := s.RunDue(ctx, clock.Now()); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{ams.ID, nyc.ID} {
			if l := lastSlot(t, st, id); !l.IsZero() && (len(got[id]) == 0 || !got[id][len(got[id])-1].Equal(l)) {
				got[id] = append(got[id], l)
			}
		}
	}
	days := func(from, to int, month time.Month, hourUTC int) []time.Time {
		var out []time.Time
		for d := from; d <= to; d++ {
			out = append(out, time.Date(2026, month, d, hourUTC, 0, 0, 0, time.UTC))
		}
		return out
	}
	want := map[int64][]time.Time{
		// CEST (UTC+2) until 25 Oct 03:00, then CET (UTC+1)
		ams.ID: slices.Concat(days(23, 24, time.October, 5), days(25, 31, time.October, 6), days(1, 2, time.November, 6)),
		// EDT (UTC-4) until 1 Nov 02:00, then EST (UTC-5)
		nyc.ID: slices.Concat(days(23, 31, time.October, 11), days(1, 2, time.November, 12)),
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("digest slots in UTC (-got +want):\n%s", diff)
	}

	// periods are contiguous: each digest starts where the previous ended;
	// the first covers the one interval before its slot
	since := map[time.Time]time.Time{}
	for _, r := range lib.requests() {
		since[r.Until] = r.Since
	}
	for id, slots := range want {
		prev := slots[0].AddDate(0, 0, -1)
		for _, slot := range slots {
			if !since[slot].Equal(prev) {
				t.Errorf("subscription %d digest until %s covers since %s, want since %s", id, slot, since[slot], prev)
			}
			prev = slot
		}
	}

	// the schedule cron runs is the same
	for _, tc := range []struct {
		id    int64
		after string
		want  string
	}{
		{ams.ID, "2026-10-24T06:00:00Z", "2026-10-25T06:00:00Z"},
		{nyc.ID, "2026-10-31T12:00:00Z", "2026-11-01T12:00:00Z"},
	} {
		if next, ok := s.Next(tc.id, mustTime(t, tc.after)); !ok || !next.Equal(mustTime(t, tc.want)) {
			t.Errorf("Next(%d, %s) = %s, %v; want %s", tc.id, tc.after, next, ok, tc.want)
		}
	}
}

// TestRestartMidDigest: a process that claimed a digest and died before
// posting it is retried once after the lease, never before, never twice.
func TestRestartMidDigest(t *testing.T) {
	ctx := bottest.Context(t)
	st, path := bottest.TempStore(t)
	slot := mustTime(t, "2026-11-20T06:00:00Z") // 07:00 in Amsterdam
	sub := subscribe(t, st, "desk", "Europe/Amsterdam", slot.AddDate(0, 0, -10))
	lib := newLibrary(t)
	chat := bottest.NewAdapter("console")

	// process a claims the slot and dies before posting (its send fails)
	clock := bottest.NewClock(slot.Add(time.Minute))
	dying := bottest.NewAdapter("console")
	dying.FailSends(errors.New("process killed"))
	logs := &syncBuffer{}
	a := newScheduler(t, setup{store: st, lib: lib, chat: dying, clock: clock, owner: "a", logs: logs})
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "process killed") {
		t.Fatalf("first attempt: the failed post is not logged:\n%s", logs.String())
	}

	steps := []struct {
		name  string
		at    time.Duration // after the slot
		owner string
		posts int // total posts after this step
	}{
		{"restart within the lease: the claim is live", 5 * time.Minute, "b", 0},
		{"restart after the lease: one retry", 12 * time.Minute, "c", 1},
		{"another restart: already sent", 40 * time.Minute, "d", 1},
	}
	for _, step := range steps {
		reopened := bottest.OpenStore(t, path)
		s := newScheduler(t, setup{store: reopened, lib: lib, chat: chat, clock: bottest.NewClock(slot.Add(step.at)), owner: step.owner})
		if err := s.Refresh(ctx); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if n := len(chat.Sent()); n != step.posts {
			t.Errorf("%s: %d digests posted, want %d", step.name, n, step.posts)
		}
	}
	if got := lastSlot(t, st, sub.ID); !got.Equal(slot) {
		t.Errorf("last sent slot = %s, want %s", got, slot)
	}
	if sent := chat.Sent(); len(sent) == 1 && !strings.HasPrefix(sent[0].Reply.Title, "Digest: interference") {
		t.Errorf("posted reply title %q, want a digest", sent[0].Reply.Title)
	}
}

// TestRetriesAreBounded: after MaxAttempts failed posts the slot is given up.
func TestRetriesAreBounded(t *testing.T) {
	ctx := bottest.Context(t)
	st, _ := bottest.TempStore(t)
	slot := mustTime(t, "2026-11-20T06:00:00Z")
	subscribe(t, st, "desk", "Europe/Amsterdam", slot.AddDate(0, 0, -10))
	lib := newLibrary(t)
	chat := bottest.NewAdapter("console")
	chat.FailSends(errors.New("platform down"))
	for i, after := range []time.Duration{time.Minute, 15 * time.Minute, 30 * time.Minute} {
		if i == 2 {
			chat.FailSends(nil)
		}
		s := newScheduler(t, setup{store: st, lib: lib, chat: chat, clock: bottest.NewClock(slot.Add(after)), owner: fmt.Sprint("p", i)})
		if err := s.Refresh(ctx); err != nil { // the first two fail to post, and log it
			t.Fatal(err)
		}
	}
	if n := len(chat.Sent()); n != 0 {
		t.Errorf("%d digests posted after %d failed attempts, want 0 (MaxAttempts is 2)", n, scheduler.DefaultMaxAttempts)
	}
}

// gate is a Sender that holds every post until released, so a test can see
// whether a second poster arrives while the first is still posting.
type gate struct {
	bot.Sender
	entered chan struct{}
	mu      sync.Mutex
	release chan struct{}
}

func (g *gate) Send(ctx context.Context, to bot.Target, r bot.Reply) error {
	g.entered <- struct{}{}
	g.mu.Lock()
	release := g.release
	g.mu.Unlock()
	select {
	case <-release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.Sender.Send(ctx, to, r)
}

// TestTwoSchedulersOneStore: two processes on one database, racing for the
// same slots, post each digest once: while one is posting, the other finds
// the slot claimed and returns without posting.
func TestTwoSchedulersOneStore(t *testing.T) {
	ctx := bottest.Context(t)
	st1, path := bottest.TempStore(t)
	st2 := bottest.OpenStore(t, path)
	start := mustTime(t, "2026-11-09T06:30:00Z") // half an hour after a slot
	subscribe(t, st1, "desk", "Europe/Amsterdam", start)
	lib := newLibrary(t)
	chat := bottest.NewAdapter("console")
	g := &gate{Sender: chat, entered: make(chan struct{}, 2)}
	clock := bottest.NewClock(start)
	a := newScheduler(t, setup{store: st1, lib: lib, chat: chat, clock: clock, owner: "a",
		opts: func(o *scheduler.Options) { o.Senders = map[string]bot.Sender{"console": g} }})
	b := newScheduler(t, setup{store: st2, lib: lib, chat: chat, clock: clock, owner: "b",
		opts: func(o *scheduler.Options) { o.Senders = map[string]bot.Sender{"console": g} }})
	for _, s := range []*scheduler.Scheduler{a, b} {
		if err := s.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	const days = 4
	for day := range days {
		clock.Advance(24 * time.Hour)
		now := clock.Now()
		g.mu.Lock()
		g.release = make(chan struct{})
		g.mu.Unlock()
		done := make(chan error, 2)
		for _, s := range []*scheduler.Scheduler{a, b} {
			go func() { done <- s.RunDue(ctx, now) }()
		}
		select {
		case <-g.entered:
		case <-time.After(bottest.Timeout):
			t.Fatalf("day %d: nobody posted the digest", day)
		}
		select {
		case err := <-done: // the other scheduler gave way
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(bottest.Timeout):
			t.Fatalf("day %d: the second scheduler did not return while the first was posting: it is posting too", day)
		}
		g.mu.Lock()
		close(g.release)
		g.mu.Unlock()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if n := len(g.entered); n != 0 {
			t.Errorf("day %d: %d more posts started", day, n)
		}
	}
	if n := len(chat.Sent()); n != days {
		t.Errorf("%d digests posted by two schedulers over %d days, want %d", n, days, days)
	}
}

// TestMissedSlotAfterRestart: a slot missed while down is posted once if the
// restart is within the grace window, else skipped and logged; the next
// digest covers the gap either way.
func TestMissedSlotAfterRestart(t *testing.T) {
	tests := []struct {
		name     string
		late     time.Duration
		posted   int
		logged   string
		nextFrom string // Since of the following day's digest
	}{
		{"within grace", 2 * time.Hour, 1, "posting missed digest", "2026-11-20T06:00:00Z"},
		{"outside grace", 8 * time.Hour, 0, "missed digest skipped: older than the grace window", "2026-11-19T06:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := bottest.Context(t)
			st, path := bottest.TempStore(t)
			day19 := mustTime(t, "2026-11-19T06:00:00Z")
			sub := subscribe(t, st, "desk", "Europe/Amsterdam", day19.AddDate(0, 0, -5))
			lib := newLibrary(t)
			chat := bottest.NewAdapter("console")

			// running normally on the 19th
			clock := bottest.NewClock(day19.Add(-time.Hour))
			before := newScheduler(t, setup{store: st, lib: lib, chat: chat, clock: clock, owner: "a"})
			if err := before.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			clock.Advance(2 * time.Hour)
			if err := before.RunDue(ctx, clock.Now()); err != nil {
				t.Fatal(err)
			}
			if n := len(chat.Sent()); n != 1 {
				t.Fatalf("%d digests on the 19th, want 1", n)
			}

			// down over the 20th's slot; restart tt.late after it, twice
			logs := &syncBuffer{}
			day20 := day19.AddDate(0, 0, 1)
			clock = bottest.NewClock(day20.Add(tt.late))
			var after *scheduler.Scheduler
			for i := range 2 {
				after = newScheduler(t, setup{store: bottest.OpenStore(t, path), lib: lib, chat: chat, clock: clock, owner: fmt.Sprint("b", i), logs: logs})
				if err := after.Refresh(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if n := len(chat.Sent()) - 1; n != tt.posted {
				t.Errorf("missed slot posted %d times, want %d", n, tt.posted)
			}
			if !strings.Contains(logs.String(), tt.logged) {
				t.Errorf("logs lack %q:\n%s", tt.logged, logs.String())
			}
			if tt.posted == 1 {
				r := chat.Sent()[1].Reply
				if len(r.Items) == 0 || r.Items[0].Article != "tiktok" || len(r.Items[0].Matched) == 0 {
					t.Errorf("missed digest items = %+v, want the 20 Nov interference story with its matched terms", r.Items)
				}
			}

			// the 21st
			clock.Advance(24*time.Hour - tt.late + time.Minute)
			if err := after.RunDue(ctx, clock.Now()); err != nil {
				t.Fatal(err)
			}
			reqs := lib.requests()
			last := reqs[len(reqs)-1]
			if want := mustTime(t, tt.nextFrom); !last.Since.Equal(want) || !last.Until.Equal(day20.AddDate(0, 0, 1)) {
				t.Errorf("next digest covers %s – %s, want %s – %s", last.Since, last.Until, want, day20.AddDate(0, 0, 1))
			}
			if got := lastSlot(t, st, sub.ID); !got.Equal(day20.AddDate(0, 0, 1)) {
				t.Errorf("last sent slot %s, want the 21st", got)
			}
		})
	}
}

// TestEmptyPeriod: nothing new gives a short notice, or nothing with
// SkipEmpty; either way the slot is done.
func TestEmptyPeriod(t *testing.T) {
	for _, skip := range []bool{false, true} {
		t.Run(fmt.Sprint("SkipEmpty=", skip), func(t *testing.T) {
			ctx := bottest.Context(t)
			st, _ := bottest.TempStore(t)
			slot := mustTime(t, "2026-11-03T06:00:00Z") // no article dated 2–3 Nov
			sub := subscribe(t, st, "desk", "Europe/Amsterdam", slot.AddDate(0, 0, -3))
			chat := bottest.NewAdapter("console")
			s := newScheduler(t, setup{store: st, lib: newLibrary(t), chat: chat, clock: bottest.NewClock(slot.Add(time.Minute)), owner: "a",
				opts: func(o *scheduler.Options) { o.SkipEmpty = skip }})
			if err := s.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			var notices []string
			for _, m := range chat.Sent() {
				if len(m.Reply.Items) > 0 {
					t.Errorf("empty period posted items %+v", m.Reply.Items)
				}
				notices = append(notices, m.Reply.Notice)
			}
			want := []string{"Nothing new on interference since 2 Nov 2026."}
			if skip {
				want = nil
			}
			if diff := cmp.Diff(notices, want); diff != "" {
				t.Errorf("posted notices (-got +want):\n%s", diff)
			}
			if got := lastSlot(t, st, sub.ID); !got.Equal(slot) {
				t.Errorf("last handled slot %s, want %s", got, slot)
			}
		})
	}
}

// TestConfiguredAndStoredSubscriptions: configured subscriptions are saved
// once; Refresh follows the store's subscribe and unsubscribe.
func TestConfiguredAndStoredSubscriptions(t *testing.T) {
	ctx := bottest.Context(t)
	st, _ := bottest.TempStore(t)
	clock := bottest.NewClock(mustTime(t, "2026-11-20T12:00:00Z"))
	configured := bot.Subscription{Platform: "console", Conversation: "newsroom", Topic: "interference", Cron: "0 7 * * 1-5", TimeZone: "Europe/Amsterdam"}
	lib := newLibrary(t)
	chat := bottest.NewAdapter("console")
	withConfig := func(o *scheduler.Options) { o.Subscriptions = []bot.Subscription{configured} }

	var first []bot.Subscription
	for i := range 2 { // two starts with the same configuration
		s := newScheduler(t, setup{store: st, lib: lib, chat: chat, clock: clock, owner: "a", opts: withConfig})
		if err := s.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		subs, err := st.Subscriptions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(subs) != 1 || subs[0].CreatedBy != "config" || subs[0].Cron != configured.Cron {
			t.Fatalf("start %d: stored subscriptions %+v, want the configured one", i, subs)
		}
		if i == 0 {
			first = subs
		} else if diff := cmp.Diff(subs, first); diff != "" {
			t.Errorf("second start changed the stored subscription (-got +want):\n%s", diff)
		}
		if _, ok := s.Next(subs[0].ID, clock.Now()); !ok {
			t.Errorf("start %d: configured subscription not scheduled", i)
		}
	}

	s := newScheduler(t, setup{store: st, lib: lib, chat: chat, clock: clock, owner: "a"})
	added := subscribe(t, st, "desk", "America/New_York", clock.Now())
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if next, ok := s.Next(added.ID, clock.Now()); !ok || !next.Equal(mustTime(t, "2026-11-21T12:00:00Z")) {
		t.Errorf("new subscription next digest %s, %v; want 2026-11-21 12:00 UTC", next, ok)
	}
	// a stored subscription that is no longer valid is skipped, not fatal
	bad, err := st.AddSubscription(ctx, bot.Subscription{Platform: "console", Conversation: "sports", Topic: "sport",
		Cron: "0 7 * * *", CreatedBy: "U2", Created: clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Refresh(ctx); err != nil {
		t.Errorf("Refresh with an invalid stored subscription: %v, want it skipped", err)
	}
	if _, ok := s.Next(bad.ID, clock.Now()); ok {
		t.Error("subscription to an unknown topic is scheduled")
	}
	if _, ok := s.Next(added.ID, clock.Now()); !ok {
		t.Error("valid subscription dropped because another one is invalid")
	}
	if err := st.RemoveSubscription(ctx, "console", "desk", "interference"); err != nil {
		t.Fatal(err)
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Next(added.ID, clock.Now()); ok {
		t.Error("removed subscription is still scheduled")
	}
	if n := len(chat.Sent()); n != 0 {
		t.Errorf("%d digests posted, want none (nothing was due)", n)
	}
}

func TestNewRejectsBadSubscriptions(t *testing.T) {
	st, _ := bottest.TempStore(t)
	lib := newLibrary(t)
	ok := bot.Subscription{Platform: "console", Conversation: "c", Topic: "interference", Cron: "0 7 * * *"}
	tests := []struct {
		name string
		edit func(*bot.Subscription)
		want string
	}{
		{"bad cron", func(s *bot.Subscription) { s.Cron = "0 25 * * *" }, `cron spec "0 25 * * *"`},
		{"six fields", func(s *bot.Subscription) { s.Cron = "0 0 7 * * *" }, "five fields"},
		{"bad zone", func(s *bot.Subscription) { s.TimeZone = "Mars/Olympus" }, `unknown time zone "Mars/Olympus"`},
		{"zone in spec", func(s *bot.Subscription) { s.Cron = "CRON_TZ=UTC 0 7 * * *" }, "names a time zone"},
		{"every", func(s *bot.Subscription) { s.Cron = "@every 1h" }, "not a calendar schedule"},
		{"unknown topic", func(s *bot.Subscription) { s.Topic = "sport" }, `unknown topic "sport"`},
		{"unknown platform", func(s *bot.Subscription) { s.Platform = "irc" }, `no adapter "irc" is running (have console)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub := ok
			tt.edit(&sub)
			_, err := scheduler.New(scheduler.Options{Store: st, Digester: lib, Senders: map[string]bot.Sender{"console": bottest.NewAdapter("console")},
				Subscriptions: []bot.Subscription{sub}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestRunPostsMissedAndStops: Run catches up on start and returns when its
// context ends.
func TestRunPostsMissedAndStops(t *testing.T) {
	st, _ := bottest.TempStore(t)
	slot := mustTime(t, "2026-11-20T06:00:00Z")
	subscribe(t, st, "desk", "Europe/Amsterdam", slot.AddDate(0, 0, -1))
	chat := bottest.NewAdapter("console")
	s := newScheduler(t, setup{store: st, lib: newLibrary(t), chat: chat, clock: bottest.NewClock(slot.Add(time.Hour)), owner: "a"})
	ctx, cancel := context.WithCancel(bottest.Context(t))
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	chat.WaitSent(t, 1)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v, want nil after cancel", err)
		}
	case <-time.After(bottest.Timeout):
		t.Fatal("Run did not return after its context ended")
	}
}
