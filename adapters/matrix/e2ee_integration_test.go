//go:build goolm

package matrix

import (
	"path/filepath"
	"testing"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto/cryptohelper"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// TestDendriteEncryptedRoom: in an end-to-end encrypted room, a question
// encrypted by a real client (mautrix cryptohelper, goolm) is decrypted by
// the bot, answered from the right article, and the answer arrives
// encrypted and decrypts to the threaded, cited notice. A restart reuses
// the device and its keys and still answers encrypted questions.
func TestDendriteEncryptedRoom(t *testing.T) {
	skipIfShort(t)
	e := newEnv(t)
	alice := e.account("alice")
	db, err := openCryptoDB(filepath.Join(t.TempDir(), "alice-crypto.db"))
	if err != nil {
		t.Fatal(err)
	}
	helper, err := cryptohelper.NewCryptoHelper(alice.cli, []byte("alice pickle key"), db)
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Init(t.Context()); err != nil {
		e.fatalf("alice's crypto: %v", err)
	}
	t.Cleanup(func() { _ = helper.Close() })
	alice.cli.Crypto = helper
	alice.sync()

	cfg := e.config()
	cfg.Encryption = nil // default: on
	first := e.start(cfg, nil)

	room := alice.createRoom(&mautrix.ReqCreateRoom{
		Preset: "private_chat",
		Invite: []id.UserID{e.botUser},
		InitialState: []*event.Event{{
			Type:    event.StateEncryption,
			Content: event.Content{Parsed: &event.EncryptionEventContent{Algorithm: id.AlgorithmMegolmV1}},
		}},
	})
	alice.waitFor("bot join", joined(room, e.botUser))

	ask := func(name string) id.EventID {
		t.Helper()
		q := alice.ask(room, e.botUser, krebsQuestion)
		if enc := alice.find(func(evt *event.Event) bool { return evt.ID == q && evt.Type == event.EventEncrypted }); len(enc) == 0 {
			alice.waitFor(name+" sent encrypted", func(evt *event.Event) bool { return evt.ID == q && evt.Type == event.EventEncrypted })
		}
		return q
	}
	q1 := ask("q1")
	ans := alice.waitFor("decrypted answer", replyTo(e.botUser, q1))
	if ans.Mautrix.EventSource&event.SourceDecrypted == 0 {
		t.Errorf("the answer was not encrypted (source %v)", ans.Mautrix.EventSource)
	}
	answersKrebs(t, notice(ans, e.botUser))
	if msgs := first.rec.messages(); len(msgs) != 1 || msgs[0].Text != krebsQuestion || !msgs[0].Mentioned {
		t.Errorf("handler got %+v, want the decrypted question once", msgs)
	}
	first.stop(t)

	second := e.start(cfg, nil)
	q2 := ask("q2")
	ans = alice.waitFor("decrypted answer after the restart", replyTo(e.botUser, q2))
	if ans.Mautrix.EventSource&event.SourceDecrypted == 0 {
		t.Errorf("the answer after the restart was not encrypted")
	}
	answersKrebs(t, notice(ans, e.botUser))
	if n := len(alice.find(replyTo(e.botUser, q1))); n != 1 {
		t.Errorf("q1 answered %d times, want once", n)
	}
	if got, want := second.a.cli.DeviceID, first.a.cli.DeviceID; got != want {
		t.Errorf("device after restart = %s, want %s (the crypto store's)", got, want)
	}
}
