package matrix

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// Leadership elects one leader among the replicas of the bot: Run runs fn
// while this replica is the leader, cancelling fn's context as soon as it
// no longer is, and competes again after fn has returned, until ctx ends;
// it returns nil when ctx ends. It must never let two replicas' fn run at
// once. *leader.Elector (internal/leader) satisfies it.
type Leadership interface {
	Run(ctx context.Context, fn func(ctx context.Context) error) error
}

// ErrStandby is Send's error on a replica that is not the leader: the
// leader posts. The scheduler does not send through a standby, since it is
// not Connected.
var ErrStandby = errors.New("matrix: this replica is on standby; the leader replica posts")

// Replica is the Matrix adapter of one of several replicas of the bot that
// share one bot account and one database: only the leader syncs and
// answers; the others stand by, reporting not Connected (so their digest
// schedulers do not post), until the leadership passes to them.
//
// Each term of leadership runs a new Adapter, as a restart of the bot
// would: it resumes the session (access token and device) and the sync
// position from State, which the replicas share, so a takeover neither
// replays answered messages nor misses any. Messages being answered when
// the leadership is lost get a grace period to finish, and the next leader
// starts only after they have (the election's fence), so an answer is not
// cut in the middle of its post. A message the old leader did not answer
// is delivered again to the new one, whose core answers it once: its event
// claims are in the shared store. (A replica that dies in the middle of a
// post can still leave the reply posted but unrecorded; the new leader
// then posts it again unless the homeserver recognises the transaction ID,
// which the replicas share with the session. Dendrite does not when the
// cut request was still being processed.) With encryption on, the
// encryption store must be shared too: NewReplica requires
// Options.DatabaseURL then.
//
// Use one Leadership per bot account, named after it (for example
// leader.New(url, "matrix:"+user_id, …)), and one Replica per Leadership.
type Replica struct {
	cfg  Config
	opts Options
	lead Leadership
	log  *slog.Logger
	// grace bounds how long the messages being answered when the
	// leadership is lost may take to finish; defaultLeadershipGrace.
	grace time.Duration
	// tune, when set (by tests), adjusts each term's adapter before Run.
	tune func(*Adapter)

	ran atomic.Bool

	mu         sync.Mutex
	cur        *Adapter // the term's adapter; nil on standby
	reconnects uint64   // of the finished terms
	terms      uint64
	fatal      error // a term's permanent failure, which ends Run
}

// defaultLeadershipGrace is how long answers in progress when the
// leadership is lost may take to finish before they are cancelled. The
// next leader starts only after they have (the election's fence), so an
// answer is neither cut in the middle of its post (which the homeserver
// may have accepted: the new leader would post it again) nor posted by two
// replicas.
const defaultLeadershipGrace = 10 * time.Second

// Compile-time check that Replica is a bot.Adapter.
var _ bot.Adapter = (*Replica)(nil)

// NewReplica validates cfg and opts like New and returns a Replica that
// syncs only while lead says it leads. With encryption on, opts.DatabaseURL
// is required: an encryption store in DataDir exists only on the replica
// that made it, and the others could neither decrypt the rooms' messages
// nor know which rooms are encrypted.
func NewReplica(cfg Config, opts Options, lead Leadership) (*Replica, error) {
	if lead == nil {
		return nil, errors.New("matrix: NewReplica needs the leader election (Leadership)")
	}
	if cfg.EncryptionEnabled() && opts.DatabaseURL == "" {
		return nil, errors.New("matrix: several replicas with matrix.encryption on need the encryption store in the shared database (Options.DatabaseURL): a store in the data directory exists only on one replica, and another one taking over could not decrypt messages or tell encrypted rooms apart; configure the PostgreSQL database, or set matrix.encryption: false")
	}
	if _, err := New(cfg, opts); err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Replica{cfg: cfg, opts: opts, lead: lead, log: log.With("adapter", "matrix"), grace: defaultLeadershipGrace}, nil
}

// Name implements bot.Adapter.
func (r *Replica) Name() string { return "matrix" }

// Run competes for the leadership until ctx ends and, while this replica
// leads, runs the adapter (see Adapter.Run) with h. When the leadership is
// lost, syncing stops at once and the messages being answered get up to
// ten seconds to finish; when ctx ends, their context ends too, as with
// Adapter.Run. It returns nil when ctx ends, and an error when a term
// fails for good (the homeserver rejects the credentials, the encryption
// store cannot be opened), as Adapter.Run does; the leadership then passes
// to another replica.
func (r *Replica) Run(ctx context.Context, h bot.Handler) error {
	if h == nil {
		return errors.New("matrix: Run needs a handler")
	}
	if !r.ran.CompareAndSwap(false, true) {
		return errors.New("matrix: Run was already called on this replica; create a new one with NewReplica")
	}
	rctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	h = graceHandler{next: h, hard: ctx, grace: r.grace}
	r.log.Info("Matrix replica standing by until it leads")
	err := r.lead.Run(rctx, func(tctx context.Context) error {
		a, err := New(r.cfg, r.opts)
		if err == nil {
			if r.tune != nil {
				r.tune(a)
			}
			r.begin(a)
			r.log.Info("this replica leads: starting the Matrix sync")
			err = a.Run(tctx, h)
			r.end(a)
		}
		if err != nil {
			r.mu.Lock()
			r.fatal = err
			r.mu.Unlock()
			stop(err)
			return err
		}
		if ctx.Err() == nil {
			r.log.Info("this replica no longer leads: the Matrix sync stopped; standing by")
		}
		return nil
	})
	r.mu.Lock()
	fatal := r.fatal
	r.mu.Unlock()
	switch {
	case fatal != nil:
		return fatal
	case err != nil && ctx.Err() == nil:
		return err
	}
	return nil
}

func (r *Replica) begin(a *Adapter) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cur = a
	r.terms++
}

func (r *Replica) end(a *Adapter) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == a {
		r.cur = nil
	}
	r.reconnects += a.Reconnects()
}

func (r *Replica) current() *Adapter {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cur
}

// Leader reports whether this replica leads: its adapter is running (it
// may still be logging in or reconnecting; Connected says whether it
// syncs).
func (r *Replica) Leader() bool { return r.current() != nil }

// Terms counts the times this replica started leading.
func (r *Replica) Terms() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.terms
}

// Connected reports whether this replica leads and its latest sync
// succeeded (Adapter.Connected). A standby is never Connected.
func (r *Replica) Connected() bool {
	a := r.current()
	return a != nil && a.Connected()
}

// Reconnects counts the times syncing resumed after failing, over all of
// this replica's terms. A takeover is not a reconnect.
func (r *Replica) Reconnects() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.reconnects
	if r.cur != nil {
		n += r.cur.Reconnects()
	}
	return n
}

// Send posts r through the leading term's adapter (Adapter.Send). On a
// standby it fails with ErrStandby.
func (r *Replica) Send(ctx context.Context, to bot.Target, reply bot.Reply) error {
	a := r.current()
	if a == nil {
		return ErrStandby
	}
	return a.Send(ctx, to, reply)
}

// graceHandler lets a message being handled when its term ends (the
// leadership was lost) finish for up to grace; when hard (Run's context)
// ends, its context ends at once.
type graceHandler struct {
	next  bot.Handler
	hard  context.Context
	grace time.Duration
}

func (g graceHandler) HandleMessage(term context.Context, from bot.Sender, m bot.Message) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(term))
	defer cancel()
	stopHard := context.AfterFunc(g.hard, cancel)
	defer stopHard()
	stopTerm := context.AfterFunc(term, func() {
		t := time.NewTimer(g.grace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel()
		case <-ctx.Done():
		}
	})
	defer stopTerm()
	g.next.HandleMessage(ctx, from, m)
}
