//go:build goolm

package matrix

import (
	"context"
	"strings"
	"testing"

	"go.mau.fi/util/dbutil"
	"maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/id"

	"github.com/briefbot/briefbot/adapters/matrix/internal/dendritetest"
)

// TestSharedPickleKey: on the real PostgreSQL, the shared store's pickle
// key is matrix.pickle_key when set; else it is generated once and kept in
// the state store; a store that already has the account's keys without a
// stored pickle key is refused rather than given a key that cannot read
// them.
func TestSharedPickleKey(t *testing.T) {
	url := dendritetest.Database(t)
	ctx := t.Context()
	shared, err := openSharedCryptoDB(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	shared.unlock()
	t.Cleanup(func() { _ = shared.db.Close() })
	if shared.schema != sharedCryptoSchema {
		t.Errorf("schema = %q, want %q", shared.schema, sharedCryptoSchema)
	}
	newAdapter := func(user, pickle string) *Adapter {
		t.Helper()
		cfg := Config{Homeserver: "https://m.example.org", UserID: user, Password: "pw", PickleKey: pickle}
		a, err := New(cfg, Options{State: newTestState(t), DatabaseURL: url})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}

	a := newAdapter("@one:example.org", "configured key")
	if k, err := a.sharedPickleKey(ctx, shared.db); err != nil || string(k) != "configured key" {
		t.Errorf("with matrix.pickle_key: %q, %v", k, err)
	}

	a = newAdapter("@two:example.org", "")
	k1, err := a.sharedPickleKey(ctx, shared.db)
	if err != nil || len(k1) != 64 {
		t.Fatalf("generated key = %q, %v; want 64 hex digits", k1, err)
	}
	k2, err := a.sharedPickleKey(ctx, shared.db)
	if err != nil || string(k2) != string(k1) {
		t.Errorf("second call = %q, %v; want the stored %q", k2, err, k1)
	}

	// the account is in the store, its key is not in this state store
	store := crypto.NewSQLCryptoStore(shared.db, dbutil.NoopLogger, "@three:example.org", id.DeviceID("DEV"), []byte("lost key"))
	if err := store.DB.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := shared.db.Exec(ctx, `INSERT INTO crypto_account (account_id, device_id, shared, sync_token, account) VALUES ($1, 'DEV', true, '', '\x00')`, "@three:example.org"); err != nil {
		t.Fatal(err)
	}
	a = newAdapter("@three:example.org", "")
	if _, err := a.sharedPickleKey(ctx, shared.db); err == nil || !strings.Contains(err.Error(), "has keys for @three:example.org, but their pickle key is neither") {
		t.Errorf("missing key for a stored account = %v, want the refusal", err)
	}
}

// TestSharedCryptoDBURLErrors: a bad URL is refused without quoting it (it
// may hold a password); a server that cannot be reached is an error, not a
// hang.
func TestSharedCryptoDBURLErrors(t *testing.T) {
	const secret = "pa55-s3cret"
	_, err := openSharedCryptoDB(t.Context(), "postgres://bot:"+secret+"@[::1/x")
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("bad URL: %v; want an error without the password", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := openSharedCryptoDB(ctx, "postgres://bot:"+secret+"@127.0.0.1:1/x?connect_timeout=1"); err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("unreachable server: %v; want an error without the password", err)
	}
}
