// Package matrix connects briefbot to Matrix rooms through a homeserver's
// client-server API (maunium.net/go/mautrix). It answers mentions, direct
// messages and a command prefix, replies as HTML m.notice events in the
// question's thread (or as a reply), joins rooms when an allowed user
// invites it, keeps its sync position in the bot's state store so a restart
// neither replays nor misses messages, and speaks end-to-end encrypted rooms
// when built with -tags goolm.
package matrix

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/briefbot/briefbot/bot"
)

// Options are the adapter's collaborators. State is always required, and
// DataDir when encryption is on without DatabaseURL; every other zero value
// means the documented default.
type Options struct {
	// Logger receives operational logs; nil discards them. Message texts
	// and tokens are never logged.
	Logger *slog.Logger
	// DataDir holds the end-to-end encryption store (matrix-crypto.db and
	// its pickle key). Required when encryption is on and DatabaseURL is
	// empty.
	DataDir string
	// DatabaseURL, when set, is a PostgreSQL database (the one the bot's
	// replicas share) that keeps the end-to-end encryption store instead
	// of DataDir: the device's Olm account, its Olm and Megolm sessions and
	// the rooms' state, in the schema briefbot_matrix (unless the URL sets
	// search_path). Every replica then has the device's keys, so any of
	// them can take over the account. The pickle key comes from
	// matrix.pickle_key or, when that is empty, is generated once and kept
	// in State. Replicas (NewReplica) need it when encryption is on.
	DatabaseURL string
	// State keeps the sync position and, after a password login, the
	// session. The bot's store satisfies it.
	State State
	// Clock returns the current time; nil means time.Now. It stamps
	// Message.Received and dates the first start, before which no event is
	// answered.
	Clock func() time.Time
	// HTTPClient is used for every homeserver request; nil means a client
	// without a global timeout (syncs long-poll for 30 seconds).
	HTTPClient *http.Client
}

// Connected reports whether the adapter is logged in and its latest sync
// with the homeserver succeeded. The first sync of a run and the first
// after a failure do not long-poll, so Connected turns true as soon as the
// homeserver answers again.
func (a *Adapter) Connected() bool { return a.loggedIn.Load() && a.syncing.Load() }

// Reconnects counts the times syncing resumed after failing (a homeserver
// restart, network trouble) once it had succeeded in this run. The first
// sync of a run is not a reconnect, also when it follows failed attempts.
func (a *Adapter) Reconnects() uint64 { return a.recoveries.Load() }

// Tuning of the sync loop and of sends. The adapter's fields start from
// these; tests shorten them.
const (
	pollTimeout      = 30 * time.Second // /sync long-poll
	minBackoff       = time.Second      // first wait after a failed request
	maxBackoff       = 30 * time.Second // cap of the doubling wait
	maxRetryAfter    = 5 * time.Minute  // longest rate-limit wait honoured
	maxSendAttempts  = 8                // per message part, rate limits included
	handlerSlots     = 8                // messages handled at once
	recentEvents     = 4096             // event IDs remembered for dedupe
	rememberedThread = 4096             // thread roots remembered for replies
	// firstStartSkew tolerates a homeserver clock slightly behind ours when
	// events older than the first start are skipped.
	firstStartSkew = time.Minute
)

// Adapter is the Matrix adapter. Create it with New; Run receives messages
// and Send posts replies. Send is safe for concurrent use and may be called
// from handlers while Run is running; Run may be called once.
type Adapter struct {
	cfg     Config
	log     *slog.Logger
	dataDir string
	dbURL   string // the shared encryption store's database; "" for DataDir
	state   State
	keys    stateKeys
	now     func() time.Time
	allow   allowList
	user    id.UserID
	cli     *mautrix.Client
	syncer  *mautrix.DefaultSyncer
	store   *syncStore

	// Timing; defaults from the constants above.
	pollTimeout time.Duration
	minBackoff  time.Duration
	maxBackoff  time.Duration
	// wait blocks for d or until ctx ends; tests replace it to observe
	// rate-limit waits without sleeping.
	wait func(ctx context.Context, d time.Duration) error

	ran      atomic.Bool
	loggedIn atomic.Bool
	// syncing is true while the latest /sync succeeded; recoveries counts
	// its returns after failures (homeserver restarts, network trouble),
	// not the first success of a run.
	syncing    atomic.Bool
	recoveries atomic.Uint64
	crypto     encrypter // nil when encryption is off

	slots chan struct{} // handler concurrency semaphore

	mu          sync.Mutex
	started     time.Time
	firstStart  bool
	displayName string
	seen        *recent[id.EventID, struct{}]
	threads     *recent[id.EventID, id.EventID] // thread root -> latest question in it
	members     map[id.RoomID]int               // joined member counts
	direct      map[id.RoomID]bool              // rooms invited to as is_direct
}

// encrypter is what Send needs of the crypto helper.
type encrypter interface {
	Encrypt(ctx context.Context, room id.RoomID, evtType event.Type, content any) (*event.EncryptedEventContent, error)
	Close() error
}

// Compile-time check that Adapter is a bot.Adapter.
var _ bot.Adapter = (*Adapter)(nil)

// New validates cfg and opts and returns an Adapter. It does not contact the
// homeserver; Run logs in.
func New(cfg Config, opts Options) (*Adapter, error) {
	var errs []error
	if err := cfg.Validate(); err != nil {
		errs = append(errs, err)
	}
	if opts.State == nil {
		errs = append(errs, errors.New("matrix: Options.State is required: the adapter keeps its sync position there (pass the bot's store)"))
	}
	if cfg.EncryptionEnabled() {
		if !cryptoSupported {
			errs = append(errs, errors.New("matrix.encryption is on but this briefbot was built without end-to-end encryption; rebuild with `go build -tags goolm`, or set matrix.encryption: false"))
		}
		if opts.DataDir == "" && opts.DatabaseURL == "" {
			errs = append(errs, errors.New("matrix: Options.DataDir is required when matrix.encryption is on: the encryption keys are stored there"))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("adapter", "matrix")
	now := opts.Clock
	if now == nil {
		now = time.Now
	}
	user := id.UserID(cfg.UserID)
	cli, err := mautrix.NewClient(cfg.Homeserver, user, "")
	if err != nil {
		return nil, fmt.Errorf("matrix.homeserver: %w", err)
	}
	if opts.HTTPClient != nil {
		cli.Client = opts.HTTPClient
	}
	cli.Log = zerologFor(log)
	cli.UserAgent = "briefbot"
	// The adapter retries itself, honouring retry_after_ms and reusing
	// transaction IDs; mautrix's own sleeps would hide both.
	cli.DefaultHTTPRetries = 0
	cli.IgnoreRateLimit = true
	syncer := mautrix.NewDefaultSyncer()
	cli.Syncer = syncer
	keys := newStateKeys(user)
	store := &syncStore{state: opts.State, keys: keys}
	cli.Store = store

	a := &Adapter{
		cfg:         cfg,
		log:         log,
		dataDir:     opts.DataDir,
		dbURL:       opts.DatabaseURL,
		state:       opts.State,
		keys:        keys,
		now:         now,
		allow:       newAllowList(cfg.AutoJoin),
		user:        user,
		cli:         cli,
		syncer:      syncer,
		store:       store,
		pollTimeout: pollTimeout,
		minBackoff:  minBackoff,
		maxBackoff:  maxBackoff,
		wait:        sleepCtx,
		slots:       make(chan struct{}, handlerSlots),
		seen:        newRecent[id.EventID, struct{}](recentEvents),
		threads:     newRecent[id.EventID, id.EventID](rememberedThread),
		members:     map[id.RoomID]int{},
		direct:      map[id.RoomID]bool{},
	}
	return a, nil
}

// Name implements bot.Adapter.
func (a *Adapter) Name() string { return "matrix" }

// Run logs in, sets up encryption, and syncs until ctx ends, passing every
// new text message of other users to h, from its own goroutines (at most
// eight at once). It returns nil when ctx ends, and an error when the
// homeserver rejects the credentials or the crypto store cannot be opened.
// Transient failures (homeserver down or restarting, rate limits) are
// retried with a capped backoff. On the very first start (no stored sync
// position) nothing sent before the start is answered; later starts resume
// where the last one stopped.
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	if h == nil {
		return errors.New("matrix: Run needs a handler")
	}
	if !a.ran.CompareAndSwap(false, true) {
		return errors.New("matrix: Run was already called on this adapter; create a new one with New")
	}
	if err := a.login(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	if a.cfg.EncryptionEnabled() {
		enc, err := a.initCrypto(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		a.crypto = enc
		defer func() {
			if err := enc.Close(); err != nil {
				a.log.Warn("closing the Matrix crypto store failed", "err", err)
			}
		}()
	}
	// Send may run from now on; crypto is set, so it never posts in the
	// clear to an encrypted room.
	a.loggedIn.Store(true)
	defer a.syncing.Store(false)
	a.register(ctx, h)
	return a.syncLoop(ctx)
}

// register attaches the adapter's listeners to the syncer. Crypto's own
// listeners were attached by initCrypto.
func (a *Adapter) register(ctx context.Context, h bot.Handler) {
	a.syncer.OnSync(a.markHistory)
	a.syncer.OnEventType(event.StateMember, func(sctx context.Context, evt *event.Event) {
		a.onMember(sctx, evt)
	})
	a.syncer.OnEventType(event.EventMessage, func(sctx context.Context, evt *event.Event) {
		if m, ok := a.translate(sctx, evt); ok {
			a.deliver(ctx, h, m)
		}
	})
	if a.crypto == nil {
		a.syncer.OnEventType(event.EventEncrypted, func(_ context.Context, evt *event.Event) {
			a.log.Debug("ignoring an encrypted message: matrix.encryption is off", "room_id", string(evt.RoomID), "event_id", string(evt.ID))
		})
	}
}

// syncLoop long-polls /sync until ctx ends. Each batch is processed, its
// handlers are awaited, and only then is its next_batch token stored: a
// crash or stop mid-batch replays the batch on the next start (the core
// deduplicates by event ID) instead of losing it.
func (a *Adapter) syncLoop(ctx context.Context) error {
	since, err := a.store.LoadNextBatch(ctx, a.user)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	a.mu.Lock()
	a.firstStart = since == ""
	a.started = a.now()
	a.mu.Unlock()
	if a.firstStart {
		a.log.Info("first start: skipping the rooms' history, answering only new messages")
	}
	if name, err := a.cli.GetOwnDisplayName(ctx); err == nil && name != nil {
		a.setDisplayName(name.DisplayName)
	}

	var filterID string
	err = a.retry(ctx, "create the sync filter", func() error {
		resp, err := a.cli.CreateFilter(ctx, syncFilter())
		if err == nil {
			filterID = resp.FilterID
		}
		return err
	})
	if err != nil {
		return a.runError(ctx, err)
	}

	backoff := a.minBackoff
	connectedOnce := false // a sync of this run has succeeded
	for {
		timeout := a.pollTimeout
		if since == "" || !a.syncing.Load() {
			// The first sync of a run, and the first after a failure,
			// returns at once instead of long-polling: Connected turns
			// true as soon as the homeserver accepts a sync, not up to
			// pollTimeout later when nothing new has happened.
			timeout = 0
		}
		resp, err := a.cli.FullSyncRequest(ctx, mautrix.ReqSync{
			Timeout:  int(timeout / time.Millisecond),
			Since:    since,
			FilterID: filterID,
		})
		if err != nil {
			if ctx.Err() != nil {
				a.awaitHandlers()
				return nil
			}
			if errors.Is(err, mautrix.MUnknownToken) {
				a.awaitHandlers()
				return a.tokenError(err)
			}
			if d, limited := rateLimitDelay(err); limited {
				backoff = max(backoff, d)
			}
			a.syncing.Store(false)
			a.log.Warn("Matrix sync failed; retrying", "err", err, "retry_in", backoff)
			if a.wait(ctx, backoff) != nil {
				a.awaitHandlers()
				return nil
			}
			backoff = min(2*backoff, a.maxBackoff)
			continue
		}
		backoff = a.minBackoff
		if !a.syncing.Swap(true) && connectedOnce {
			a.recoveries.Add(1)
			a.log.Info("Matrix sync resumed after a failure", "reconnects", a.recoveries.Load())
		}
		connectedOnce = true
		if err := a.syncer.ProcessResponse(ctx, resp, since); err != nil {
			// Only a panicking listener gets here; skipping the batch keeps
			// one bad event from stopping the bot for good.
			a.log.Error("processing a Matrix sync batch failed; skipping it", "err", err)
		}
		a.awaitHandlers()
		if ctx.Err() != nil {
			return nil
		}
		if err := a.store.SaveNextBatch(ctx, a.user, resp.NextBatch); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			a.log.Error("cannot store the Matrix sync position; a restart may answer this batch's messages again", "err", err)
		}
		since = resp.NextBatch
	}
}

// syncFilter keeps /sync small: recent timeline only, no presence.
func syncFilter() *mautrix.Filter {
	return &mautrix.Filter{
		Presence: &mautrix.FilterPart{NotTypes: []event.Type{event.EphemeralEventPresence}},
		Room: &mautrix.RoomFilter{
			Timeline: &mautrix.FilterPart{Limit: 50},
		},
	}
}

// deliver runs h for m on its own goroutine, at most handlerSlots at once.
// It blocks while all slots are busy, which slows the sync loop down rather
// than piling up goroutines.
func (a *Adapter) deliver(ctx context.Context, h bot.Handler, m bot.Message) {
	select {
	case a.slots <- struct{}{}:
	case <-ctx.Done():
		return
	}
	go func() {
		defer func() { <-a.slots }()
		defer func() {
			if p := recover(); p != nil {
				a.log.Error("the message handler panicked", "room_id", string(m.Conversation), "event_id", string(m.EventID), "panic", fmt.Sprint(p))
			}
		}()
		h.HandleMessage(ctx, a, m)
	}()
}

// awaitHandlers blocks until every running handler has returned.
func (a *Adapter) awaitHandlers() {
	for range cap(a.slots) {
		a.slots <- struct{}{}
	}
	for range cap(a.slots) {
		<-a.slots
	}
}

// runError turns a startup failure into Run's result: nil when ctx ended.
func (a *Adapter) runError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	if errors.Is(err, mautrix.MUnknownToken) {
		return a.tokenError(err)
	}
	return err
}

// tokenError explains a rejected access token.
func (a *Adapter) tokenError(err error) error {
	how := "set a new matrix.access_token and restart briefbot"
	if a.cfg.Password != "" {
		how = "restart briefbot to log in again with matrix.password"
	}
	return fmt.Errorf("the Matrix access token for %s was rejected by the homeserver (logged out or deleted); log in again: %s: %w", a.user, how, err)
}

// retry runs fn until it succeeds, fails permanently, or ctx ends. Network
// errors, 5xx and 429 are transient and retried with a capped doubling
// backoff (or the homeserver's retry_after_ms).
func (a *Adapter) retry(ctx context.Context, what string, fn func() error) error {
	backoff := a.minBackoff
	for {
		err := fn()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		d, transient := retryDelay(err, backoff)
		if !transient {
			return fmt.Errorf("matrix: %s: %w", what, err)
		}
		a.log.Warn("Matrix request failed; retrying", "what", what, "err", err, "retry_in", d)
		if err := a.wait(ctx, d); err != nil {
			return err
		}
		backoff = min(2*backoff, a.maxBackoff)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a *Adapter) setDisplayName(name string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.displayName = name
}
