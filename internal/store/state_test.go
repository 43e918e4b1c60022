package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
)

// TestEventClaims walks one store through the life of events: claimed,
// busy while live, taken over after the lease, finished, released.
func TestEventClaims(t *testing.T) { forEachBackend(t, testEventClaims) }

func testEventClaims(t *testing.T, s backend) {
	ctx := t.Context()
	const lease = time.Minute
	at := func(d time.Duration) time.Time { return testTime.Add(d) }
	type step struct {
		name     string
		do       string // claim, renew, finish, release
		platform string
		id       bot.EventID
		owner    string
		now      time.Time
		want     bot.EventState // claim
		held     bool           // renew
	}
	steps := []step{
		{"new event", "claim", "slack", "Ev1", "a", at(0), bot.EventClaimed, false},
		{"redelivery while live", "claim", "slack", "Ev1", "b", at(lease - time.Nanosecond), bot.EventBusy, false},
		{"the holder itself is busy too", "claim", "slack", "Ev1", "a", at(time.Second), bot.EventBusy, false},
		{"same ID on another platform", "claim", "matrix", "Ev1", "a", at(0), bot.EventClaimed, false},
		{"renewed by its holder", "renew", "slack", "Ev1", "a", at(50 * time.Second), 0, true},
		{"renewal keeps it live", "claim", "slack", "Ev1", "b", at(lease + time.Second), bot.EventBusy, false},
		{"not renewed by another", "renew", "slack", "Ev1", "b", at(lease + time.Second), 0, false},
		{"expired claim taken over (the holder died)", "claim", "slack", "Ev1", "b", at(50*time.Second + lease), bot.EventClaimed, false},
		{"the old holder lost it", "renew", "slack", "Ev1", "a", at(2 * lease), 0, false},
		{"the old holder cannot release it", "release", "slack", "Ev1", "a", at(2 * lease), 0, false},
		{"still held by the new holder", "claim", "slack", "Ev1", "c", at(2 * lease), bot.EventBusy, false},
		{"finished", "finish", "slack", "Ev1", "", at(2 * lease), 0, false},
		{"finished is done", "claim", "slack", "Ev1", "c", at(10 * lease), bot.EventDone, false},
		{"finished cannot be renewed", "renew", "slack", "Ev1", "b", at(10 * lease), 0, false},
		{"finished cannot be released", "release", "slack", "Ev1", "b", at(10 * lease), 0, false},
		{"and stays done", "claim", "slack", "Ev1", "c", at(10 * lease), bot.EventDone, false},
		{"released (its reply could not be sent)", "release", "matrix", "Ev1", "a", at(time.Second), 0, false},
		{"released is claimed again at once", "claim", "matrix", "Ev1", "b", at(2 * time.Second), bot.EventClaimed, false},
		{"finishing an unclaimed event records it", "finish", "slack", "Ev2", "", at(0), 0, false},
		{"and makes it done", "claim", "slack", "Ev2", "a", at(0), bot.EventDone, false},
	}
	for _, st := range steps {
		switch st.do {
		case "claim":
			got, err := s.ClaimEvent(ctx, st.platform, st.id, st.owner, st.now, lease)
			if err != nil {
				t.Fatalf("%s: ClaimEvent: %v", st.name, err)
			}
			if got != st.want {
				t.Errorf("%s: ClaimEvent = %v, want %v", st.name, got, st.want)
			}
		case "renew":
			got, err := s.RenewEvent(ctx, st.platform, st.id, st.owner, st.now, lease)
			if err != nil {
				t.Fatalf("%s: RenewEvent: %v", st.name, err)
			}
			if got != st.held {
				t.Errorf("%s: RenewEvent = %v, want %v", st.name, got, st.held)
			}
		case "finish":
			if err := s.FinishEvent(ctx, st.platform, st.id, st.now); err != nil {
				t.Fatalf("%s: FinishEvent: %v", st.name, err)
			}
		case "release":
			if err := s.ReleaseEvent(ctx, st.platform, st.id, st.owner); err != nil {
				t.Fatalf("%s: ReleaseEvent: %v", st.name, err)
			}
		}
	}
	for _, bad := range []struct {
		platform string
		id       bot.EventID
		owner    string
		lease    time.Duration
	}{{"", "x", "a", lease}, {"slack", "", "a", lease}, {"slack", "x", "", lease}, {"slack", "x", "a", 0}} {
		if _, err := s.ClaimEvent(ctx, bad.platform, bad.id, bad.owner, testTime, bad.lease); err == nil {
			t.Errorf("ClaimEvent(%q, %q, %q, %v) accepted bad input", bad.platform, bad.id, bad.owner, bad.lease)
		}
	}
	if err := s.FinishEvent(ctx, "", "x", testTime); err == nil {
		t.Error("FinishEvent accepted an empty platform")
	}
}

// TestClaimEventConcurrentOneWinner races two handles on one database (as
// two processes would).
func TestClaimEventConcurrentOneWinner(t *testing.T) {
	forEachBackend(t, testClaimEventConcurrentOneWinner)
}

func testClaimEventConcurrentOneWinner(t *testing.T, s backend) {
	stores := []backend{s, s.testReopen(t)}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		winners int
	)
	for g := range 16 {
		wg.Go(func() {
			state, err := stores[g%2].ClaimEvent(t.Context(), "slack", "Ev-race", fmt.Sprint("p", g), testTime, time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			if state == bot.EventClaimed {
				mu.Lock()
				winners++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if winners != 1 {
		t.Errorf("%d callers claimed the event, want 1", winners)
	}
}

func TestPruneProcessed(t *testing.T) { forEachBackend(t, testPruneProcessed) }

func testPruneProcessed(t *testing.T, s backend) {
	ctx := t.Context()
	for i := range 5 {
		id := bot.EventID(fmt.Sprint("Ev", i))
		if _, err := s.ClaimEvent(ctx, "slack", id, "a", testTime.Add(time.Duration(i)*time.Hour), time.Minute); err != nil {
			t.Fatal(err)
		}
		if i != 1 { // Ev1 stays in flight: its holder died
			if err := s.FinishEvent(ctx, "slack", id, testTime.Add(time.Duration(i)*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
	}
	n, err := s.PruneProcessed(ctx, testTime.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("PruneProcessed dropped %d, want 2 (Ev0, Ev1)", n)
	}
	for i, want := range []bot.EventState{bot.EventClaimed, bot.EventClaimed, bot.EventDone, bot.EventDone, bot.EventDone} {
		got, err := s.ClaimEvent(ctx, "slack", bot.EventID(fmt.Sprint("Ev", i)), "b", testTime.Add(10*time.Hour), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("after prune, ClaimEvent(Ev%d) = %v, want %v", i, got, want)
		}
	}
}

func sub(platform, conv, topic, cron string, created time.Time) bot.Subscription {
	return bot.Subscription{Platform: platform, Conversation: bot.ConversationID(conv), Topic: topic,
		Cron: cron, TimeZone: "Europe/Amsterdam", CreatedBy: "U1", Created: created}
}

func TestSubscriptions(t *testing.T) { forEachBackend(t, testSubscriptions) }

func testSubscriptions(t *testing.T, s backend) {
	ctx := t.Context()

	a, err := s.AddSubscription(ctx, sub("slack", "C1", "interference", "0 7 * * *", testTime))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.AddSubscription(ctx, sub("matrix", "!room", "interference", "0 8 * * 1", testTime.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	// Added later but created earlier: lists first.
	c, err := s.AddSubscription(ctx, sub("slack", "C2", "elections", "30 6 * * *", testTime.Add(-time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || b.ID == 0 || c.ID == 0 || a.ID == b.ID || b.ID == c.ID {
		t.Fatalf("IDs %d, %d, %d: want distinct and non-zero", a.ID, b.ID, c.ID)
	}

	// Replacing keeps ID, CreatedBy and Created, takes Cron and TimeZone.
	repl := sub("slack", "C1", "interference", "0 9 * * *", testTime.Add(48*time.Hour))
	repl.TimeZone, repl.CreatedBy, repl.ID = "UTC", "U2", 999
	got, err := s.AddSubscription(ctx, repl)
	if err != nil {
		t.Fatal(err)
	}
	wantA := a
	wantA.Cron, wantA.TimeZone = "0 9 * * *", "UTC"
	if diff := cmp.Diff(got, wantA); diff != "" {
		t.Errorf("replaced subscription (-got +want):\n%s", diff)
	}

	list, err := s.Subscriptions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(list, []bot.Subscription{c, wantA, b}); diff != "" {
		t.Errorf("Subscriptions, oldest first (-got +want):\n%s", diff)
	}

	if err := s.RemoveSubscription(ctx, "slack", "C2", "elections"); err != nil {
		t.Fatalf("RemoveSubscription: %v", err)
	}
	removes := []struct {
		platform, conv, topic string
	}{
		{"slack", "C2", "elections"},     // already removed
		{"slack", "C1", "elections"},     // never there
		{"matrix", "C1", "interference"}, // other platform
	}
	for _, r := range removes {
		err := s.RemoveSubscription(ctx, r.platform, bot.ConversationID(r.conv), r.topic)
		if !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("RemoveSubscription(%v) = %v, want ErrNotFound", r, err)
		}
	}
	list, err = s.Subscriptions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(list, []bot.Subscription{wantA, b}); diff != "" {
		t.Errorf("Subscriptions after remove (-got +want):\n%s", diff)
	}

	bad := []bot.Subscription{
		sub("", "C1", "t", "* * * * *", testTime),
		sub("slack", "", "t", "* * * * *", testTime),
		sub("slack", "C1", "", "* * * * *", testTime),
		sub("slack", "C1", "t", "", testTime),
		sub("slack", "C1", "t", "* * * * *", time.Time{}),
	}
	for _, in := range bad {
		if _, err := s.AddSubscription(ctx, in); err == nil {
			t.Errorf("AddSubscription(%+v) accepted incomplete input", in)
		}
	}
}

func TestStateSurvivesRestart(t *testing.T) { forEachBackend(t, testStateSurvivesRestart) }

func testStateSurvivesRestart(t *testing.T, s backend) {
	ctx := t.Context()
	saved, err := s.AddSubscription(ctx, sub("slack", "C1", "interference", "0 7 * * *", testTime))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimEvent(ctx, "slack", "Ev1", "a", testTime, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishEvent(ctx, "slack", "Ev1", testTime); err != nil {
		t.Fatal(err)
	}
	if err := s.SetValue(ctx, "matrix/next_batch", "s72594_4483_1934"); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.ClaimDigest(ctx, saved, testTime, "a", testTime, time.Minute, 3); err != nil || !ok {
		t.Fatalf("ClaimDigest = %v, %v", ok, err)
	}
	if err := s.MarkDigestSent(ctx, saved.ID, testTime, testTime.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = s.testReopen(t)
	state, err := s.ClaimEvent(ctx, "slack", "Ev1", "b", testTime.Add(time.Hour), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if state != bot.EventDone {
		t.Errorf("an event handled before the restart is %v after it, want done", state)
	}
	list, err := s.Subscriptions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(list, []bot.Subscription{saved}); diff != "" {
		t.Errorf("Subscriptions after restart (-got +want):\n%s", diff)
	}
	if v, err := s.GetValue(ctx, "matrix/next_batch"); err != nil || v != "s72594_4483_1934" {
		t.Errorf("GetValue after restart = %q, %v", v, err)
	}
	if ok, err := s.ClaimDigest(ctx, saved, testTime, "b", testTime.Add(time.Hour), time.Minute, 3); err != nil || ok {
		t.Errorf("ClaimDigest of a digest sent before the restart = %v, %v; want false", ok, err)
	}
}

func TestClaimDigest(t *testing.T) { forEachBackend(t, testClaimDigest) }

func testClaimDigest(t *testing.T, s backend) {
	ctx := t.Context()
	subA, err := s.AddSubscription(ctx, sub("slack", "C1", "interference", "0 7 * * *", testTime))
	if err != nil {
		t.Fatal(err)
	}
	const lease, maxAttempts = 10 * time.Minute, 3
	slot1, slot2, slot3 := testTime, testTime.Add(24*time.Hour), testTime.Add(48*time.Hour)

	steps := []struct {
		name  string
		slot  time.Time
		owner string
		now   time.Time
		sent  bool // mark the slot sent at now instead of claiming
		want  bool
	}{
		{"fresh slot", slot1, "a", slot1, false, true},
		{"live claim refused", slot1, "b", slot1.Add(lease - time.Nanosecond), false, false},
		{"the holder itself is refused too", slot1, "a", slot1.Add(time.Minute), false, false},
		{"expired lease reclaimed", slot1, "b", slot1.Add(lease), false, true},
		{"reclaimed claim is live again", slot1, "c", slot1.Add(lease + time.Minute), false, false},
		{"second reclaim, attempt 3", slot1, "c", slot1.Add(2 * lease), false, true},
		{"attempts exhausted", slot1, "d", slot1.Add(10 * lease), false, false},
		{"other slot is fresh", slot2, "a", slot2, false, true},
		{"mark slot 2 sent", slot2, "", slot2.Add(time.Minute), true, false},
		{"sent refused", slot2, "b", slot2.Add(time.Hour), false, false},
		{"slot in another zone is the same instant", slot3.In(time.FixedZone("CET", 3600)), "a", slot3, false, true},
		{"and is held", slot3, "b", slot3, false, false},
	}
	for _, st := range steps {
		if st.sent {
			if err := s.MarkDigestSent(ctx, subA.ID, st.slot, st.now); err != nil {
				t.Fatalf("%s: MarkDigestSent: %v", st.name, err)
			}
			continue
		}
		got, err := s.ClaimDigest(ctx, subA, st.slot, st.owner, st.now, lease, maxAttempts)
		if err != nil {
			t.Fatalf("%s: ClaimDigest: %v", st.name, err)
		}
		if got != st.want {
			t.Errorf("%s: ClaimDigest = %v, want %v", st.name, got, st.want)
		}
	}

	last, err := s.LastDigest(ctx, subA.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := bot.DigestClaim{Subscription: subA.ID, Slot: slot2, Owner: "a", Attempts: 1, ClaimedAt: slot2, SentAt: slot2.Add(time.Minute)}
	if diff := cmp.Diff(last, want); diff != "" {
		t.Errorf("LastDigest (-got +want):\n%s", diff)
	}

	// Slot 1 was never sent: after it is, LastDigest still reports the
	// later slot 2; after slot 3 is sent, slot 3. A second MarkDigestSent
	// keeps the first time.
	for _, mark := range []struct {
		slot time.Time
		at   time.Time
	}{{slot1, slot1.Add(3 * lease)}, {slot3, slot3.Add(time.Minute)}, {slot3, slot3.Add(time.Hour)}} {
		if err := s.MarkDigestSent(ctx, subA.ID, mark.slot, mark.at); err != nil {
			t.Fatal(err)
		}
	}
	last, err = s.LastDigest(ctx, subA.ID)
	if err != nil {
		t.Fatal(err)
	}
	want = bot.DigestClaim{Subscription: subA.ID, Slot: slot3, Owner: "a", Attempts: 1, ClaimedAt: slot3, SentAt: slot3.Add(time.Minute)}
	if diff := cmp.Diff(last, want); diff != "" {
		t.Errorf("LastDigest after more sends (-got +want):\n%s", diff)
	}
}

func TestClaimDigestErrors(t *testing.T) { forEachBackend(t, testClaimDigestErrors) }

func testClaimDigestErrors(t *testing.T, s backend) {
	ctx := t.Context()
	subA, err := s.AddSubscription(ctx, sub("slack", "C1", "interference", "0 7 * * *", testTime))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		sub         bot.Subscription
		owner       string
		lease       time.Duration
		maxAttempts int
		notFound    bool
	}{
		{"unknown subscription", bot.Subscription{ID: subA.ID + 100, Cron: subA.Cron, TimeZone: subA.TimeZone}, "a", time.Minute, 3, true},
		{"zero lease", subA, "a", 0, 3, false},
		{"zero attempts", subA, "a", time.Minute, 0, false},
		{"no owner", subA, "", time.Minute, 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := s.ClaimDigest(ctx, tt.sub, testTime, tt.owner, testTime, tt.lease, tt.maxAttempts)
			if err == nil || ok {
				t.Fatalf("ClaimDigest = %v, %v; want an error", ok, err)
			}
			if errors.Is(err, bot.ErrNotFound) != tt.notFound {
				t.Errorf("errors.Is(%v, ErrNotFound) = %v, want %v", err, !tt.notFound, tt.notFound)
			}
		})
	}

	if err := s.MarkDigestSent(ctx, subA.ID, testTime, testTime); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("MarkDigestSent of an unclaimed slot = %v, want ErrNotFound", err)
	}
	if _, err := s.LastDigest(ctx, subA.ID); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("LastDigest with nothing sent = %v, want ErrNotFound", err)
	}

	// Removing the subscription forgets its claims.
	if ok, err := s.ClaimDigest(ctx, subA, testTime, "a", testTime, time.Minute, 3); err != nil || !ok {
		t.Fatalf("ClaimDigest = %v, %v", ok, err)
	}
	if err := s.RemoveSubscription(ctx, "slack", "C1", "interference"); err != nil {
		t.Fatal(err)
	}
	n, err := s.testQueryInt(ctx, `SELECT count(*) FROM digest_claims`)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d digest claims left after their subscription was removed", n)
	}
}

// TestClaimDigestRace races two handles on one database (as two processes
// would) with 8 goroutines each, over several slots: every slot has one
// winner.
func TestClaimDigestRace(t *testing.T) { forEachBackend(t, testClaimDigestRace) }

func testClaimDigestRace(t *testing.T, s backend) {
	stores := []backend{s, s.testReopen(t)}
	ctx := t.Context()
	subA, err := stores[0].AddSubscription(ctx, sub("slack", "C1", "interference", "0 7 * * *", testTime))
	if err != nil {
		t.Fatal(err)
	}
	const slots, perStore = 50, 8
	for i := range slots {
		slot := testTime.Add(time.Duration(i) * 24 * time.Hour)
		start := make(chan struct{})
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			winners []string
		)
		for si, st := range stores {
			for g := range perStore {
				owner := fmt.Sprintf("store%d-g%d", si, g)
				wg.Go(func() {
					<-start
					ok, err := st.ClaimDigest(ctx, subA, slot, owner, slot, time.Minute, 3)
					if err != nil {
						t.Errorf("%s: ClaimDigest: %v", owner, err)
						return
					}
					if ok {
						mu.Lock()
						winners = append(winners, owner)
						mu.Unlock()
					}
				})
			}
		}
		close(start)
		wg.Wait()
		if len(winners) != 1 {
			t.Errorf("slot %d: winners %v, want exactly one", i, winners)
		}
	}
}

func TestFeedback(t *testing.T) { forEachBackend(t, testFeedback) }

func testFeedback(t *testing.T, s backend) {
	ctx := t.Context()
	steps := []struct {
		ref     string
		user    bot.UserID
		helpful bool
		at      time.Time
	}{
		{"r1", "U1", true, testTime},
		{"r1", "U2", false, testTime.Add(time.Minute)},
		{"r2", "U1", false, testTime.Add(2 * time.Minute)},
		{"r1", "U1", false, testTime.Add(3 * time.Minute)}, // U1 changes their mind
	}
	for _, st := range steps {
		if err := s.RecordFeedback(ctx, "slack", st.ref, st.user, st.helpful, st.at); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Feedback(ctx, "slack", "r1")
	if err != nil {
		t.Fatal(err)
	}
	want := []Feedback{
		{Platform: "slack", Ref: "r1", User: "U2", Helpful: false, At: testTime.Add(time.Minute)},
		{Platform: "slack", Ref: "r1", User: "U1", Helpful: false, At: testTime.Add(3 * time.Minute)},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("Feedback(r1) (-got +want):\n%s", diff)
	}
	if got, err := s.Feedback(ctx, "matrix", "r1"); err != nil || len(got) != 0 {
		t.Errorf("Feedback on another platform = %v, %v; want none", got, err)
	}
	if err := s.RecordFeedback(ctx, "slack", "", "U1", true, testTime); err == nil {
		t.Error("RecordFeedback without a ref succeeded")
	}
}

func TestKeyValue(t *testing.T) { forEachBackend(t, testKeyValue) }

func testKeyValue(t *testing.T, s backend) {
	ctx := t.Context()
	if _, err := s.GetValue(ctx, "matrix/next_batch"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("GetValue of a missing key = %v, want ErrNotFound", err)
	}
	steps := []struct{ key, value string }{
		{"matrix/next_batch", "s1"},
		{"matrix/next_batch", "s2"}, // replaced
		{"slack/team", ""},          // empty values are values
		{"unicode/ключ", "wäarde ✓"},
	}
	for _, st := range steps {
		if err := s.SetValue(ctx, st.key, st.value); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{"matrix/next_batch": "s2", "slack/team": "", "unicode/ключ": "wäarde ✓"}
	got := map[string]string{}
	for k := range want {
		v, err := s.GetValue(ctx, k)
		if err != nil {
			t.Fatalf("GetValue(%q): %v", k, err)
		}
		got[k] = v
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("values (-got +want):\n%s", diff)
	}
	if err := s.SetValue(ctx, "", "x"); err == nil {
		t.Error("SetValue with an empty key succeeded")
	}
}

func TestStateHonoursContext(t *testing.T) { forEachBackend(t, testStateHonoursContext) }

func testStateHonoursContext(t *testing.T, s backend) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := map[string]func() error{
		"ClaimEvent":  func() error { _, err := s.ClaimEvent(ctx, "slack", "Ev", "a", testTime, time.Minute); return err },
		"FinishEvent": func() error { return s.FinishEvent(ctx, "slack", "Ev", testTime) },
		"AddSubscription": func() error {
			_, err := s.AddSubscription(ctx, sub("slack", "C1", "t", "* * * * *", testTime))
			return err
		},
		"Subscriptions": func() error { _, err := s.Subscriptions(ctx); return err },
		"ClaimDigest": func() error {
			_, err := s.ClaimDigest(ctx, bot.Subscription{ID: 1, Cron: "* * * * *"}, testTime, "a", testTime, time.Minute, 1)
			return err
		},
		"SetValue": func() error { return s.SetValue(ctx, "k", "v") },
		"GetValue": func() error { _, err := s.GetValue(ctx, "k"); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context = %v, want context.Canceled", name, err)
		}
	}
	// Nothing was written.
	if state, err := s.ClaimEvent(t.Context(), "slack", "Ev", "a", testTime, time.Minute); err != nil || state != bot.EventClaimed {
		t.Errorf("ClaimEvent after the cancelled ones = %v, %v; want claimed", state, err)
	}
}
