package store

import (
	"database/sql"
	"errors"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// TestClaimDigestChecksSchedule: a process still holding a subscription's
// old schedule cannot claim (or renew) a slot once another process changed
// the schedule in the store, nor after it removed the subscription.
func TestClaimDigestChecksSchedule(t *testing.T) { forEachBackend(t, testClaimDigestChecksSchedule) }

func testClaimDigestChecksSchedule(t *testing.T, s backend) {
	ctx := t.Context()
	old, err := s.AddSubscription(ctx, sub("slack", "C1", "interference", "0 7 * * *", testTime))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := s.ClaimDigest(ctx, old, testTime, "a", testTime, time.Minute, 3); err != nil || !ok {
		t.Fatalf("ClaimDigest with the current schedule = %v, %v", ok, err)
	}
	moved := old
	moved.Cron = "0 8 * * *"
	if _, err := s.AddSubscription(ctx, moved); err != nil {
		t.Fatal(err)
	}
	rezoned := old
	rezoned.TimeZone = "America/New_York"
	later := testTime.Add(24 * time.Hour)
	for _, tt := range []struct {
		name string
		call func() (bool, error)
		want error
	}{
		{"claim a new slot with the old schedule", func() (bool, error) {
			return s.ClaimDigest(ctx, old, later, "b", later, time.Minute, 3)
		}, bot.ErrScheduleChanged},
		{"take over an expired claim with the old schedule", func() (bool, error) {
			return s.ClaimDigest(ctx, old, testTime, "b", testTime.Add(time.Hour), time.Minute, 3)
		}, bot.ErrScheduleChanged},
		{"renew with the old schedule", func() (bool, error) {
			return s.RenewDigest(ctx, old, testTime, "a", testTime.Add(time.Second))
		}, bot.ErrScheduleChanged},
		{"another time zone is another schedule", func() (bool, error) {
			return s.ClaimDigest(ctx, rezoned, later, "b", later, time.Minute, 3)
		}, bot.ErrScheduleChanged},
		{"the new schedule claims", func() (bool, error) {
			return s.ClaimDigest(ctx, moved, later.Add(time.Hour), "b", later, time.Minute, 3)
		}, nil},
	} {
		ok, err := tt.call()
		if !errors.Is(err, tt.want) || (tt.want != nil && ok) {
			t.Errorf("%s = %v, %v; want error %v", tt.name, ok, err, tt.want)
		}
	}
	if err := s.RemoveSubscription(ctx, "slack", "C1", "interference"); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.RenewDigest(ctx, moved, later.Add(time.Hour), "b", later); !errors.Is(err, bot.ErrNotFound) || ok {
		t.Errorf("RenewDigest of a removed subscription = %v, %v; want ErrNotFound", ok, err)
	}
}

// TestRenewDigest: the holder of an unsent claim restarts its lease without
// spending an attempt; nobody else can, nor anyone after it was sent or
// taken over.
func TestRenewDigest(t *testing.T) { forEachBackend(t, testRenewDigest) }

func testRenewDigest(t *testing.T, s backend) {
	ctx := t.Context()
	subA, err := s.AddSubscription(ctx, sub("slack", "C1", "interference", "0 7 * * *", testTime))
	if err != nil {
		t.Fatal(err)
	}
	const lease, maxAttempts = 10 * time.Minute, 2
	at := func(d time.Duration) time.Time { return testTime.Add(d) }
	steps := []struct {
		name  string
		renew bool // else claim
		owner string
		now   time.Time
		want  bool
	}{
		{"claim", false, "a", at(0), true},
		{"renewed by its holder", true, "a", at(9 * time.Minute), true},
		{"the renewed claim is live", false, "b", at(lease + time.Minute), false},
		{"not renewed by another", true, "b", at(lease + time.Minute), false},
		{"renewed after its lease, while nobody took it", true, "a", at(30 * time.Minute), true},
		// Were renewals attempts, the slot would be used up by now.
		{"taken over after the lease: attempt 2 of 2", false, "b", at(30*time.Minute + lease), true},
		{"the old holder lost it", true, "a", at(41 * time.Minute), false},
		{"the new holder renews", true, "b", at(41 * time.Minute), true},
	}
	for _, st := range steps {
		var got bool
		var err error
		if st.renew {
			got, err = s.RenewDigest(ctx, subA, testTime, st.owner, st.now)
		} else {
			got, err = s.ClaimDigest(ctx, subA, testTime, st.owner, st.now, lease, maxAttempts)
		}
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got != st.want {
			t.Errorf("%s = %v, want %v", st.name, got, st.want)
		}
	}
	if err := s.MarkDigestSent(ctx, subA.ID, testTime, at(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.RenewDigest(ctx, subA, testTime, "b", at(time.Hour)); err != nil || ok {
		t.Errorf("RenewDigest of a sent digest = %v, %v; want false", ok, err)
	}
}

// TestMigrationKeepsHandledEvents: events recorded by a version before
// event claims (schema 3, where an event was marked when first seen) stay
// handled after the upgrade, and the rest of the state survives it.
func TestMigrationKeepsHandledEvents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	ctx := t.Context()
	db, err := sql.Open("sqlite", dsn(path, url.Values{"_txlock": {"immediate"}}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range migrations[:3] {
		if _, err := db.ExecContext(ctx, m.sql); err != nil {
			t.Fatalf("schema step %d: %v", m.version, err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, ?, ?)`, m.version, m.name, formatTime(testTime)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO processed_events (platform, event_id, processed_at) VALUES ('matrix', '$ev1', ?)`, formatTime(testTime)); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s := openStore(t, path)
	if v, err := s.SchemaVersion(ctx); err != nil || v != len(migrations) {
		t.Fatalf("schema version after Open = %d, %v; want %d", v, err, len(migrations))
	}
	state, err := s.ClaimEvent(ctx, "matrix", "$ev1", "a", testTime.Add(time.Hour), time.Minute)
	if err != nil || state != bot.EventDone {
		t.Errorf("event handled before the upgrade: ClaimEvent = %v, %v; want done", state, err)
	}
	if state, err := s.ClaimEvent(ctx, "matrix", "$ev2", "a", testTime.Add(time.Hour), time.Minute); err != nil || state != bot.EventClaimed {
		t.Errorf("new event after the upgrade: ClaimEvent = %v, %v; want claimed", state, err)
	}
	n, err := s.PruneProcessed(ctx, testTime.Add(time.Minute))
	if err != nil || n != 1 {
		t.Errorf("PruneProcessed of the old event = %d, %v; want 1", n, err)
	}
}
