package matrix

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/briefbot/briefbot/adapters/matrix/internal/dendritetest"
	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/internal/store"
)

// waitTimeout bounds every wait on the homeserver in the integration tests.
// A homeserver that dies ends the wait at once (dendritetest watches it), so
// this only has to cover a slow but working one on a loaded machine.
const waitTimeout = 45 * time.Second

// fatalf fails the test after a request to hs failed, saying so when hs has
// died: a request can fail a moment before the exit is noticed, so it waits
// up to 2 seconds for that.
func fatalf(t *testing.T, hs *dendritetest.Server, format string, args ...any) {
	t.Helper()
	wait := time.NewTimer(2 * time.Second)
	defer wait.Stop()
	select {
	case <-hs.Context().Done():
	case <-wait.C:
	}
	if err := hs.Err(); err != nil {
		t.Fatalf(format+"\n%v", append(args, err)...)
	}
	t.Fatalf(format, args...)
}

// fatalf is the package fatalf for e's homeserver.
func (e *env) fatalf(format string, args ...any) {
	e.t.Helper()
	fatalf(e.t, e.hs, format, args...)
}

// testLogger logs to the test's output, at debug when -v is given.
func testLogger(t *testing.T) *slog.Logger {
	level := slog.LevelInfo
	if testing.Verbose() {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: level}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// env is one integration test's world: a real Dendrite, the bot's account,
// the real state store, and the real bot core answering from the sample
// articles.
type env struct {
	t       *testing.T
	hs      *dendritetest.Server
	botUser id.UserID
	botPass string
	dir     string
	state   *store.SQLite
	lib     *briefings.Library
	core    *bot.Bot
}

func newEnv(t *testing.T) *env {
	t.Helper()
	hs := dendritetest.Start(t)
	e := &env{t: t, hs: hs, botPass: "bot-password-1", dir: t.TempDir()}
	e.botUser = id.UserID(hs.CreateAccount("briefbot", e.botPass))
	st, err := store.Open(t.Context(), filepath.Join(e.dir, "briefbot.db"), nil)
	if err != nil {
		t.Fatalf("open the state store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	e.state = st

	lib, err := briefings.NewLibrary(briefings.Options{})
	if err != nil {
		t.Fatalf("NewLibrary: %v", err)
	}
	res, err := briefings.LoadFS(t.Context(), briefings.SampleFS(), briefings.LoadOptions{})
	if err != nil {
		t.Fatalf("load the sample articles: %v", err)
	}
	if err := lib.Replace(t.Context(), res.Articles); err != nil {
		t.Fatalf("index the sample articles: %v", err)
	}
	e.lib = lib
	core, err := bot.New(bot.Options{Briefings: lib, Store: st, Logger: testLogger(t), Unlimited: []string{"matrix"}})
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	e.core = core
	return e
}

// config is the bot's adapter config: password login, alice's server on
// the auto-join list, encryption off unless the test turns it on.
func (e *env) config() Config {
	off := false
	return Config{
		Homeserver: e.hs.URL,
		UserID:     string(e.botUser),
		Password:   e.botPass,
		AutoJoin:   []string{"@alice:" + dendritetest.ServerName},
		Encryption: &off,
	}
}

// running is an adapter whose Run is in progress.
type running struct {
	a      *Adapter
	hs     *dendritetest.Server
	rec    *recorder
	cancel context.CancelFunc
	done   chan error
}

// start runs a new adapter (like a new process) with cfg and h (nil: the
// real core) until stop or the end of the test.
func (e *env) start(cfg Config, h bot.Handler) *running {
	e.t.Helper()
	return e.startTuned(cfg, h, nil)
}

// startTuned is start with tune (when not nil) applied to the adapter
// before Run: tests that need production timings set them there.
func (e *env) startTuned(cfg Config, h bot.Handler, tune func(*Adapter)) *running {
	e.t.Helper()
	if h == nil {
		h = e.core
	}
	rec := newRecorder(h)
	state := progressState{State: e.state, rec: rec, key: newStateKeys(id.UserID(cfg.UserID)).nextBatch()}
	a, err := New(cfg, Options{Logger: testLogger(e.t), DataDir: filepath.Join(e.dir, "matrix"), State: state})
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	a.minBackoff, a.maxBackoff = 50*time.Millisecond, 500*time.Millisecond
	a.pollTimeout = 5 * time.Second
	if tune != nil {
		tune(a)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{a: a, hs: e.hs, rec: rec, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- a.Run(ctx, r.rec) }()
	e.t.Cleanup(func() { r.stop(e.t) })
	return r
}

// stop settles the adapter, then cancels Run and requires it to return
// nil.
func (r *running) stop(t *testing.T) {
	t.Helper()
	if r.cancel == nil {
		return
	}
	r.settle(t)
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run returned %v after its context ended; want nil", err)
		}
	case <-time.After(waitTimeout):
		t.Errorf("Run did not return within %v of its context ending", waitTimeout)
	}
}

// settle waits until no message is being handled and the sync position
// after the last handled one is stored, failing the test after
// waitTimeout. Tests settle the adapter before they stop it (or the
// homeserver): a user sees the bot's reply (through their own sync) before
// the bot's send request has returned and well before the adapter stores
// the batch as done, and stopping in between makes a restarted adapter
// deliver the batch again (by design: the core deduplicates it). It does
// not wait when the homeserver has died: the handler may be retrying a
// send to it, and the death is the test's failure.
func (r *running) settle(t *testing.T) {
	t.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	for {
		r.rec.mu.Lock()
		active, finished, saved, changed := r.rec.active, r.rec.finished, r.rec.saved, r.rec.changed
		r.rec.mu.Unlock()
		if active == 0 && (finished == 0 || saved > finished) {
			return
		}
		select {
		case <-changed:
		case <-r.hs.Context().Done():
			return
		case <-deadline.C:
			t.Fatalf("the adapter did not settle within %v: %d messages being handled, sync position stored: %v", waitTimeout, active, saved > finished)
		}
	}
}

// settleAll settles the adapter and then waits until it stores its sync
// position once more, so that the stored position is past everything the
// homeserver had sent before: the events of the batch settle waited for,
// and the bot's own replies to them.
func (r *running) settleAll(t *testing.T) {
	t.Helper()
	r.settle(t)
	r.rec.mu.Lock()
	saved := r.rec.saved
	r.rec.mu.Unlock()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	for {
		r.rec.mu.Lock()
		now, changed := r.rec.saved, r.rec.changed
		r.rec.mu.Unlock()
		if now > saved {
			return
		}
		select {
		case <-changed:
		case <-r.hs.Context().Done():
			t.Fatalf("waiting for the adapter to store its sync position: %v", r.hs.Err())
		case <-deadline.C:
			t.Fatalf("the adapter did not store its sync position again within %v", waitTimeout)
		}
	}
}

// waitConnected waits until the adapter's Connected() is want, failing the
// test after within, and returns how long that took. The adapter's state
// has no channel to wait on, so it polls.
func (r *running) waitConnected(t *testing.T, want bool, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	for r.a.Connected() != want {
		select {
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("Connected() still %v %v later, want %v", !want, within, want)
		case <-r.hs.Context().Done():
			t.Fatalf("waiting for Connected() = %v: %v", want, r.hs.Err())
		}
	}
	return time.Since(start)
}

// recorder passes messages on to next and remembers them, and follows the
// adapter's progress for settle.
type recorder struct {
	next     bot.Handler
	mu       sync.Mutex
	msgs     []bot.Message
	active   int           // messages being handled
	seq      int           // orders the two below
	finished int           // seq when a handler last returned; 0: never
	saved    int           // seq when the sync position was last stored; 0: never
	changed  chan struct{} // closed (and replaced) on every change
}

func newRecorder(next bot.Handler) *recorder {
	return &recorder{next: next, changed: make(chan struct{})}
}

func (r *recorder) HandleMessage(ctx context.Context, from bot.Sender, m bot.Message) {
	r.update(func() {
		r.msgs = append(r.msgs, m)
		r.active++
	})
	defer r.update(func() {
		r.active--
		r.seq++
		r.finished = r.seq
	})
	r.next.HandleMessage(ctx, from, m)
}

// update changes the recorder under its lock and wakes its waiters.
func (r *recorder) update(change func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	change()
	close(r.changed)
	r.changed = make(chan struct{})
}

// progressState is the adapter's State, telling rec when the sync position
// (key) has been stored. The adapter stores a batch's position after all
// its handlers have returned, so a store that follows a handler's return
// covers that handler's message.
type progressState struct {
	State
	rec *recorder
	key string
}

func (s progressState) SetValue(ctx context.Context, key, value string) error {
	if err := s.State.SetValue(ctx, key, value); err != nil {
		return err
	}
	if key == s.key {
		s.rec.update(func() {
			s.rec.seq++
			s.rec.saved = s.rec.seq
		})
	}
	return nil
}

func (r *recorder) messages() []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Message(nil), r.msgs...)
}

// handlerFunc adapts a function to bot.Handler.
type handlerFunc func(ctx context.Context, from bot.Sender, m bot.Message)

func (f handlerFunc) HandleMessage(ctx context.Context, from bot.Sender, m bot.Message) {
	f(ctx, from, m)
}

// user is a person's Matrix client in a test: logged in with a password,
// syncing in the background, remembering every event it receives.
type user struct {
	t   *testing.T
	hs  *dendritetest.Server
	cli *mautrix.Client

	mu      sync.Mutex
	evs     []*event.Event
	changed chan struct{} // closed (and replaced) when an event arrives
}

// quickRetrySyncer retries failed syncs after 100 ms instead of mautrix's
// 10 s, so the user's client follows a homeserver restart quickly.
type quickRetrySyncer struct{ *mautrix.DefaultSyncer }

func (quickRetrySyncer) OnFailedSync(_ *mautrix.RespSync, err error) (time.Duration, error) {
	if errors.Is(err, mautrix.MUnknownToken) {
		return 0, err
	}
	return 100 * time.Millisecond, nil
}

// login logs localpart in. Call sync to start receiving events (after
// setting up encryption, when the test uses it).
func (e *env) login(localpart, password string) *user {
	e.t.Helper()
	cli, err := mautrix.NewClient(e.hs.URL, "", "")
	if err != nil {
		e.t.Fatalf("mautrix.NewClient: %v", err)
	}
	_, err = cli.Login(e.t.Context(), &mautrix.ReqLogin{
		Type:             mautrix.AuthTypePassword,
		Identifier:       mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: localpart},
		Password:         password,
		StoreCredentials: true,
	})
	if err != nil {
		e.fatalf("log in %s: %v", localpart, err)
	}
	u := &user{t: e.t, hs: e.hs, cli: cli, changed: make(chan struct{})}
	syncer := quickRetrySyncer{mautrix.NewDefaultSyncer()}
	syncer.OnEvent(func(_ context.Context, evt *event.Event) {
		u.mu.Lock()
		u.evs = append(u.evs, evt)
		close(u.changed)
		u.changed = make(chan struct{})
		u.mu.Unlock()
	})
	cli.Syncer = syncer
	return u
}

// directChat opens a direct chat from u to the bot and waits until the bot
// has joined it.
func (e *env) directChat(u *user) id.RoomID {
	e.t.Helper()
	room := u.createRoom(&mautrix.ReqCreateRoom{Preset: "trusted_private_chat", IsDirect: true, Invite: []id.UserID{e.botUser}})
	u.waitFor("bot join of the direct chat", joined(room, e.botUser))
	return room
}

// account creates localpart and logs it in.
func (e *env) account(localpart string) *user {
	e.t.Helper()
	e.hs.CreateAccount(localpart, localpart+"-password")
	return e.login(localpart, localpart+"-password")
}

// sync starts the user's background sync until the end of the test.
func (u *user) sync() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = u.cli.SyncWithContext(ctx)
	}()
	u.t.Cleanup(func() {
		cancel()
		<-done
	})
}

// waitFor returns the first received event pred accepts, failing the test
// after waitTimeout or when the homeserver dies.
func (u *user) waitFor(what string, pred func(*event.Event) bool) *event.Event {
	u.t.Helper()
	var got *event.Event
	err := u.await(what, waitTimeout, func() bool {
		if evs := u.find(pred); len(evs) > 0 {
			got = evs[0]
			return true
		}
		return false
	})
	if err != nil {
		u.t.Fatal(err)
	}
	return got
}

// waitUntil waits until cond, a condition on the received events, holds,
// failing the test after waitTimeout or when the homeserver dies.
func (u *user) waitUntil(what string, cond func() bool) {
	u.t.Helper()
	if err := u.await(what, waitTimeout, cond); err != nil {
		u.t.Fatal(err)
	}
}

// await waits until cond holds, checking it again whenever u receives an
// event. It returns an error when timeout passes first, or at once, with
// the exit status and the end of its log, when the homeserver dies.
func (u *user) await(what string, timeout time.Duration, cond func() bool) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		u.mu.Lock()
		changed := u.changed // taken before cond: no event goes unnoticed
		u.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-changed:
		case <-u.hs.Context().Done():
			if err := u.hs.Err(); err != nil {
				return fmt.Errorf("%s: waiting for %s: %w", u.cli.UserID, what, err)
			}
			return fmt.Errorf("%s: waiting for %s: %w", u.cli.UserID, what, context.Cause(u.hs.Context()))
		case <-deadline.C:
			return fmt.Errorf("%s: still waiting for %s after %v", u.cli.UserID, what, timeout)
		}
	}
}

// find lists the received events pred accepts, duplicates (same event
// delivered twice) once.
func (u *user) find(pred func(*event.Event) bool) []*event.Event {
	u.mu.Lock()
	defer u.mu.Unlock()
	var out []*event.Event
	seen := map[id.EventID]bool{}
	for _, evt := range u.evs {
		if !seen[evt.ID] && pred(evt) {
			seen[evt.ID] = true
			out = append(out, evt)
		}
	}
	return out
}

// createRoom creates a room with the bot invited.
func (u *user) createRoom(req *mautrix.ReqCreateRoom) id.RoomID {
	u.t.Helper()
	resp, err := u.cli.CreateRoom(u.t.Context(), req)
	if err != nil {
		fatalf(u.t, u.hs, "create room: %v", err)
	}
	return resp.RoomID
}

// say sends an m.text message and returns its event ID.
func (u *user) say(room id.RoomID, content *event.MessageEventContent) id.EventID {
	u.t.Helper()
	if content.MsgType == "" {
		content.MsgType = event.MsgText
	}
	resp, err := u.cli.SendMessageEvent(u.t.Context(), room, event.EventMessage, content)
	if err != nil {
		fatalf(u.t, u.hs, "send a message: %v", err)
	}
	return resp.EventID
}

// ask sends text addressed to the bot with an intentional mention.
func (u *user) ask(room id.RoomID, botUser id.UserID, text string) id.EventID {
	u.t.Helper()
	return u.say(room, &event.MessageEventContent{
		Body:     "briefbot: " + text,
		Mentions: &event.Mentions{UserIDs: []id.UserID{botUser}},
	})
}

// replyTo matches the bot's notices that answer question (as a reply or in
// a thread with the question as the fallback reply).
func replyTo(botUser id.UserID, question id.EventID) func(*event.Event) bool {
	return func(evt *event.Event) bool {
		c := notice(evt, botUser)
		return c != nil && c.RelatesTo.GetReplyTo() == question
	}
}

// notice returns the content of evt when it is an m.notice of botUser.
func notice(evt *event.Event, botUser id.UserID) *event.MessageEventContent {
	if evt.Sender != botUser || evt.Type != event.EventMessage {
		return nil
	}
	c, ok := evt.Content.Parsed.(*event.MessageEventContent)
	if !ok || c.MsgType != event.MsgNotice {
		return nil
	}
	return c
}

// joined matches who's join to room.
func joined(room id.RoomID, who id.UserID) func(*event.Event) bool {
	return membership(room, who, event.MembershipJoin)
}

func membership(room id.RoomID, who id.UserID, m event.Membership) func(*event.Event) bool {
	return func(evt *event.Event) bool {
		return evt.RoomID == room && evt.Type == event.StateMember && evt.GetStateKey() == string(who) &&
			evt.Content.AsMember().Membership == m
	}
}

// skipIfShort skips a real-homeserver test under -short.
func skipIfShort(t *testing.T) {
	t.Helper()
	if testing.Short() && os.Getenv("BRIEFBOT_REQUIRE_DENDRITE") != "1" {
		t.Skip("real-homeserver test skipped under -short")
	}
}

// newTestState opens the real state store in a temporary directory.
func newTestState(t *testing.T) *store.SQLite {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "state.db"), nil)
	if err != nil {
		t.Fatalf("open the state store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// errDiskGone is failingState's error.
var errDiskGone = errors.New("disk gone")

// failingState is a State whose every call fails.
type failingState struct{}

func (failingState) GetValue(context.Context, string) (string, error) { return "", errDiskGone }
func (failingState) SetValue(context.Context, string, string) error   { return errDiskGone }
