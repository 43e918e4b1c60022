package matrix

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/briefbot/briefbot/adapters/matrix/internal/dendritetest"
	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/internal/leader"
	"github.com/briefbot/briefbot/internal/store"
)

// replicaWorld is an integration test's world for replicas of the bot: the
// env (Dendrite, the bot's account, the state store file) plus the
// PostgreSQL database the replicas share for their leader election (and,
// with encryption, the encryption store), and a count of the sync loops
// running at once.
type replicaWorld struct {
	*env
	db       string
	active   atomic.Int32
	overlaps atomic.Int32
}

func newReplicaWorld(t *testing.T) *replicaWorld {
	t.Helper()
	return &replicaWorld{env: newEnv(t), db: dendritetest.Database(t)}
}

// replicaRun is one replica in a test, as another process would be: its
// own handle on the shared state store, its own core (with its own claim
// owner), an Elector on the shared database, and the Replica.
type replicaRun struct {
	name   string
	r      *Replica
	el     *leader.Elector
	rec    *recorder
	cancel context.CancelFunc
	done   chan error
}

// counted is a Leadership that counts the terms running at once across
// the test's replicas: the work of two must never overlap.
type counted struct {
	Leadership
	w *replicaWorld
}

func (c counted) Run(ctx context.Context, fn func(context.Context) error) error {
	return c.Leadership.Run(ctx, func(ctx context.Context) error {
		if c.w.active.Add(1) > 1 {
			c.w.overlaps.Add(1)
		}
		defer c.w.active.Add(-1)
		return fn(ctx)
	})
}

// leadership is the election's name for the bot's account.
func (w *replicaWorld) leadership() string { return "matrix:" + string(w.botUser) }

// startReplica starts replica name with cfg and the production timings of
// the leader election, until it is stopped or the test ends.
func (w *replicaWorld) startReplica(name string, cfg Config) *replicaRun {
	t := w.t
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(w.dir, "briefbot.db"), nil)
	if err != nil {
		t.Fatalf("open the state store for replica %s: %v", name, err)
	}
	t.Cleanup(func() { _ = st.Close() })
	log := testLogger(t).With("replica", name)
	core, err := bot.New(bot.Options{Briefings: w.lib, Store: st, Logger: log, Unlimited: []string{"matrix"}, Owner: "replica-" + name})
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	el, err := leader.New(w.db, w.leadership(), leader.Options{Logger: log})
	if err != nil {
		t.Fatalf("leader.New: %v", err)
	}
	// As briefbot serve does, answers in progress when the replica stops
	// are finished rather than cut.
	rec := newRecorder(detachedHandler{next: core, hard: t.Context()})
	state := progressState{State: st, rec: rec, key: newStateKeys(id.UserID(cfg.UserID)).nextBatch()}
	r, err := NewReplica(cfg, Options{Logger: log, DataDir: filepath.Join(w.dir, name, "matrix"), State: state, DatabaseURL: w.db}, counted{el, w})
	if err != nil {
		t.Fatalf("NewReplica: %v", err)
	}
	r.tune = func(a *Adapter) {
		a.minBackoff, a.maxBackoff = 50*time.Millisecond, 500*time.Millisecond
		a.pollTimeout = 5 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	rr := &replicaRun{name: name, r: r, el: el, rec: rec, cancel: cancel, done: make(chan error, 1)}
	go func() { rr.done <- r.Run(ctx, rec) }()
	t.Cleanup(func() { rr.stop(t) })
	return rr
}

// detachedHandler lets a message being handled finish after the adapter's
// context ends, until hard ends, as cmd/briefbot's serve does on shutdown.
type detachedHandler struct {
	next bot.Handler
	hard context.Context
}

func (d detachedHandler) HandleMessage(ctx context.Context, from bot.Sender, m bot.Message) {
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(d.hard, cancel)
	defer stop()
	d.next.HandleMessage(hctx, from, m)
}

// stop cancels the replica's Run and requires it to return nil.
func (rr *replicaRun) stop(t *testing.T) {
	t.Helper()
	if rr.cancel == nil {
		return
	}
	rr.cancel()
	rr.cancel = nil
	select {
	case err := <-rr.done:
		if err != nil {
			t.Errorf("replica %s: Run = %v after its context ended, want nil", rr.name, err)
		}
	case <-time.After(waitTimeout):
		t.Errorf("replica %s: Run did not return within %v of its context ending", rr.name, waitTimeout)
	}
}

// awaitLeader waits until one of reps, other than not, has completed a
// sync as the leader, and returns it and when it was seen; it fails when
// two are Connected at once.
func (w *replicaWorld) awaitLeader(reps map[string]*replicaRun, not *replicaRun) (*replicaRun, time.Time) {
	w.t.Helper()
	res := <-w.watchLeader(reps, not)
	if res.err != nil {
		w.t.Fatal(res.err)
	}
	return res.rr, res.at
}

type leaderSeen struct {
	rr  *replicaRun
	at  time.Time
	err error
}

// watchLeader is awaitLeader on a goroutine of its own, so that the test
// can go on (ask a question during the move) while it measures. It polls
// every millisecond: the adapter has no channel to wait on.
func (w *replicaWorld) watchLeader(reps map[string]*replicaRun, not *replicaRun) <-chan leaderSeen {
	var candidates []*replicaRun
	for _, rr := range reps {
		if rr != not {
			candidates = append(candidates, rr)
		}
	}
	out := make(chan leaderSeen, 1)
	go func() {
		deadline := time.NewTimer(waitTimeout)
		defer deadline.Stop()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			var connected []*replicaRun
			for _, rr := range candidates {
				if rr.r.Connected() {
					connected = append(connected, rr)
				}
			}
			switch len(connected) {
			case 1:
				out <- leaderSeen{rr: connected[0], at: time.Now()}
				return
			case 0:
			default:
				out <- leaderSeen{err: fmt.Errorf("%d replicas are Connected at once", len(connected))}
				return
			}
			select {
			case <-tick.C:
			case <-deadline.C:
				out <- leaderSeen{err: fmt.Errorf("no replica led and synced within %v", waitTimeout)}
				return
			case <-w.hs.Context().Done():
				out <- leaderSeen{err: fmt.Errorf("waiting for a leader: %w", w.hs.Err())}
				return
			}
		}
	}()
	return out
}

// terminateLock kills the database session holding the leadership's lock,
// as pg_terminate_backend by an administrator (or a failover of the
// database server's connections) would.
func (w *replicaWorld) terminateLock() {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	c, err := pgx.Connect(ctx, w.db)
	if err != nil {
		w.t.Fatalf("connect to the shared database: %v", err)
	}
	defer c.Close(ctx)
	var ok bool
	err = c.QueryRow(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1`, leader.Key(w.leadership())).Scan(&ok)
	if err != nil || !ok {
		w.t.Fatalf("terminate the lock's session: %v (terminated: %v)", err, ok)
	}
}

// killMode says how a test kills the leader.
type killMode int

const (
	killCancel    killMode = iota + 1 // the leader's process stops: its context ends
	killTerminate                     // its lock's database session is killed; the process runs on
)

// TestDendriteReplicaFailoverStop: two replicas of the bot on one account;
// only the leader syncs and answers, the standby is not Connected and
// refuses to send. When the leader stops, the standby takes over; every
// question, sent before, during and after each move, is answered exactly
// once. It reports the failover time: leader stopped → the standby's first
// sync.
func TestDendriteReplicaFailoverStop(t *testing.T) {
	testReplicaFailover(t, killCancel)
}

// TestDendriteReplicaFailoverTerminate is TestDendriteReplicaFailoverStop
// with the leader's lock connection killed by pg_terminate_backend instead:
// the leader stops syncing at once and stands by; the other replica takes
// over.
func TestDendriteReplicaFailoverTerminate(t *testing.T) {
	testReplicaFailover(t, killTerminate)
}

func testReplicaFailover(t *testing.T, kill killMode) {
	skipIfShort(t)
	w := newReplicaWorld(t)
	alice := w.account("alice")
	alice.sync()
	cfg := w.config()
	reps := map[string]*replicaRun{}
	for _, name := range []string{"a", "b"} {
		reps[name] = w.startReplica(name, cfg)
	}
	cur, _ := w.awaitLeader(reps, nil)
	room := w.directChat(alice)

	var asked []id.EventID
	ask := func() id.EventID {
		t.Helper()
		q := alice.say(room, &event.MessageEventContent{Body: krebsQuestion})
		asked = append(asked, q)
		return q
	}
	answer := func(what string, q id.EventID) time.Time {
		t.Helper()
		alice.waitFor(what, replyTo(w.botUser, q))
		return time.Now()
	}
	answer("answer to the first question", ask())

	// the standby neither syncs nor posts
	for _, rr := range reps {
		if rr == cur {
			continue
		}
		if rr.r.Connected() || rr.r.Leader() || rr.el.Leader() {
			t.Errorf("standby %s: Connected %v, Leader %v, elector Leader %v; want all false", rr.name, rr.r.Connected(), rr.r.Leader(), rr.el.Leader())
		}
		err := rr.r.Send(t.Context(), bot.Target{Conversation: bot.ConversationID(room)}, bot.Reply{Notice: "from the standby"})
		if !errors.Is(err, ErrStandby) {
			t.Errorf("standby %s: Send = %v, want ErrStandby", rr.name, err)
		}
		if msgs := rr.rec.messages(); len(msgs) != 0 {
			t.Errorf("standby %s handled %d messages", rr.name, len(msgs))
		}
	}

	const rounds = 3
	var failovers, firstAnswers []time.Duration
	for round := range rounds {
		answer("answer before the move", ask())
		inFlight := ask() // likely being answered when the leader goes
		seen := w.watchLeader(reps, cur)
		killed := time.Now()
		switch kill {
		case killCancel:
			cur.cancel()
		case killTerminate:
			w.terminateLock()
		}
		during := ask() // while no replica syncs
		res := <-seen
		if res.err != nil {
			t.Fatal(res.err)
		}
		next, took := res.rr, res.at.Sub(killed)
		failovers = append(failovers, took)
		if kill == killTerminate && (cur.r.Connected() || cur.r.Leader()) {
			t.Errorf("round %d: %s still leads after its lock connection was killed", round, cur.name)
		}
		after := ask()
		answered := answer("answer to the question sent during the move", during)
		firstAnswers = append(firstAnswers, answered.Sub(killed))
		answer("answer to the question in flight at the move", inFlight)
		answer("answer after the move", after)
		t.Logf("round %d: leader %s killed (%s); %s synced as the new leader %v later; the question sent during the move was answered after %v",
			round, cur.name, kill, next.name, took.Round(time.Millisecond), answered.Sub(killed).Round(time.Millisecond))
		if kill == killCancel {
			select {
			case err := <-cur.done:
				if err != nil {
					t.Errorf("the stopped leader's Run = %v, want nil", err)
				}
			case <-time.After(waitTimeout):
				t.Fatalf("the stopped leader's Run did not return")
			}
			cur.cancel = nil
			reps[cur.name] = w.startReplica(cur.name, cfg) // it comes back as a standby
		}
		cur = next
	}
	// a last question's answer comes after any late duplicate would have
	answer("the last answer", ask())
	for i, q := range asked {
		if n := len(alice.find(replyTo(w.botUser, q))); n != 1 {
			t.Errorf("question %d (%s) answered %d times, want once", i, q, n)
		}
	}
	if n := w.overlaps.Load(); n != 0 {
		t.Errorf("two replicas' sync loops ran at once %d times", n)
	}
	t.Logf("failover (%s, leader killed → new leader's first sync): %s; question sent during the move answered after: %s",
		kill, summary(failovers), summary(firstAnswers))
}

func (k killMode) String() string {
	switch k {
	case killCancel:
		return "stopped"
	case killTerminate:
		return "lock connection terminated"
	}
	return fmt.Sprintf("killMode(%d)", int(k))
}

// summary formats durations as min/median/max.
func summary(ds []time.Duration) string {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return "none"
	}
	return fmt.Sprintf("min %v, median %v, max %v (n=%d)", s[0].Round(time.Millisecond), s[len(s)/2].Round(time.Millisecond), s[len(s)-1].Round(time.Millisecond), len(s))
}
