//go:build goolm

package matrix

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto/cryptohelper"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// TestDendriteReplicaEncryptedFailover: two replicas of the bot with
// encryption on keep the device's encryption store in the shared database.
// The leader answers an encrypted question; when its lock connection is
// killed, the other replica takes over the same device and decrypts and
// answers the next encrypted question, with the room keys the first one
// received. Neither replica has a store in its data directory.
func TestDendriteReplicaEncryptedFailover(t *testing.T) {
	skipIfShort(t)
	w := newReplicaWorld(t)
	alice := w.account("alice")
	db, err := openCryptoDB(filepath.Join(t.TempDir(), "alice-crypto.db"))
	if err != nil {
		t.Fatal(err)
	}
	helper, err := cryptohelper.NewCryptoHelper(alice.cli, []byte("alice pickle key"), db)
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Init(t.Context()); err != nil {
		w.fatalf("alice's crypto: %v", err)
	}
	t.Cleanup(func() { _ = helper.Close() })
	alice.cli.Crypto = helper
	alice.sync()

	cfg := w.config()
	cfg.Encryption = nil // default: on
	reps := map[string]*replicaRun{}
	for _, name := range []string{"a", "b"} {
		reps[name] = w.startReplica(name, cfg)
	}
	first, _ := w.awaitLeader(reps, nil)

	room := alice.createRoom(&mautrix.ReqCreateRoom{
		Preset: "private_chat",
		Invite: []id.UserID{w.botUser},
		InitialState: []*event.Event{{
			Type:    event.StateEncryption,
			Content: event.Content{Parsed: &event.EncryptionEventContent{Algorithm: id.AlgorithmMegolmV1}},
		}},
	})
	alice.waitFor("bot join", joined(room, w.botUser))
	ask := func(name string) id.EventID {
		t.Helper()
		q := alice.ask(room, w.botUser, krebsQuestion)
		alice.waitFor(name+" sent encrypted", func(evt *event.Event) bool { return evt.ID == q && evt.Type == event.EventEncrypted })
		return q
	}
	answered := func(name string, q id.EventID) {
		t.Helper()
		ans := alice.waitFor(name, replyTo(w.botUser, q))
		if ans.Mautrix.EventSource&event.SourceDecrypted == 0 {
			t.Errorf("%s was not encrypted (source %v)", name, ans.Mautrix.EventSource)
		}
		answersKrebs(t, notice(ans, w.botUser))
	}
	q1 := ask("q1")
	answered("the first leader's answer", q1)
	device := first.r.current().cli.DeviceID

	killed := time.Now()
	w.terminateLock()
	next, synced := w.awaitLeader(reps, first)
	t.Logf("encrypted failover: %s's lock connection killed, %s synced as the leader %v later", first.name, next.name, synced.Sub(killed).Round(time.Millisecond))
	q2 := ask("q2")
	answered("the new leader's answer", q2)

	if got := next.r.current().cli.DeviceID; got != device {
		t.Errorf("the new leader runs device %s, want the first leader's %s", got, device)
	}
	for name, q := range map[string]id.EventID{"q1": q1, "q2": q2} {
		if n := len(alice.find(replyTo(w.botUser, q))); n != 1 {
			t.Errorf("%s answered %d times, want once", name, n)
		}
	}
	msgs := next.rec.messages()
	if len(msgs) == 0 || msgs[len(msgs)-1].Text != krebsQuestion {
		t.Errorf("the new leader's handler got %+v, want the decrypted q2", msgs)
	}
	for _, rr := range reps {
		if _, err := os.Stat(filepath.Join(w.dir, rr.name, "matrix", cryptoDBFile)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("replica %s has a local encryption store (%v); want it only in the database", rr.name, err)
		}
	}
	// the store is in the shared database, in its own schema
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	c, err := pgx.Connect(ctx, w.db)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var stored string
	if err := c.QueryRow(ctx, `SELECT device_id FROM briefbot_matrix.crypto_account WHERE account_id = $1`, string(w.botUser)).Scan(&stored); err != nil {
		t.Fatalf("the bot's account in the shared encryption store: %v", err)
	}
	if stored != string(device) {
		t.Errorf("the shared store's account is device %s, want %s", stored, device)
	}
	if key, err := w.state.GetValue(ctx, newStateKeys(w.botUser).pickleKey()); err != nil || len(key) != 64 {
		t.Errorf("the pickle key in the state store = %d characters, %v; want a generated 64-character key", len(key), err)
	}
	if n := w.overlaps.Load(); n != 0 {
		t.Errorf("two replicas' sync loops ran at once %d times", n)
	}
}
