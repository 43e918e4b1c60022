//go:build goolm

package matrix

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"go.mau.fi/util/dbutil"
	"maunium.net/go/mautrix/crypto/cryptohelper"
	"maunium.net/go/mautrix/event"
	_ "modernc.org/sqlite" // the pure-Go "sqlite" driver for the crypto store
)

// cryptoSupported: this build has end-to-end encryption (pure-Go goolm).
const cryptoSupported = true

// Files in Options.DataDir.
const (
	cryptoDBFile  = "matrix-crypto.db"
	pickleKeyFile = "matrix-pickle-key"
)

// initCrypto opens the crypto store in DataDir, loads or creates the
// device's Olm account, uploads its keys on the first start, and hooks
// decryption into the syncer: encrypted messages reach the handler like any
// other, and Send encrypts in encrypted rooms.
func (a *Adapter) initCrypto(ctx context.Context) (encrypter, error) {
	if err := os.MkdirAll(a.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("matrix: create the data directory for the encryption store: %w", err)
	}
	pickle := []byte(a.cfg.PickleKey)
	if len(pickle) == 0 {
		var err error
		if pickle, err = loadOrCreatePickleKey(filepath.Join(a.dataDir, pickleKeyFile)); err != nil {
			return nil, err
		}
	}
	path := filepath.Join(a.dataDir, cryptoDBFile)
	db, err := openCryptoDB(path)
	if err != nil {
		return nil, err
	}
	helper, err := cryptohelper.NewCryptoHelper(a.cli, pickle, db)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("matrix: set up end-to-end encryption: %w", err)
	}
	helper.DBAccountID = string(a.user)
	helper.DecryptErrorCallback = func(evt *event.Event, err error) {
		a.log.Warn("cannot decrypt a Matrix message; the sender's device did not share its key with the bot",
			"room_id", string(evt.RoomID), "event_id", string(evt.ID), "sender", string(evt.Sender), "err", err)
	}
	if err := helper.Init(ctx); err != nil {
		_ = helper.Close()
		if strings.Contains(err.Error(), "mismatching device ID") {
			return nil, fmt.Errorf("matrix: the encryption store %s belongs to another device than the session's %s: set matrix.device_id to the store's device, or move the store away to start a new device: %w", path, a.cli.DeviceID, err)
		}
		return nil, fmt.Errorf("matrix: start end-to-end encryption (store %s): %w", path, err)
	}
	a.cli.Crypto = helper
	a.log.Info("end-to-end encryption ready", "device_id", string(a.cli.DeviceID))
	return helper, nil
}

// openCryptoDB opens a mautrix database on the pure-Go SQLite driver, with
// the pragmas mautrix's own "sqlite3-fk-wal" driver sets (foreign keys,
// WAL, busy timeout) and immediate write transactions.
func openCryptoDB(path string) (*dbutil.Database, error) {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Set("_txlock", "immediate")
	raw, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("matrix: open the encryption store %s: %w", path, err)
	}
	db, err := dbutil.NewWithDB(raw, "sqlite")
	if err != nil {
		_ = raw.Close()
		return nil, fmt.Errorf("matrix: open the encryption store %s: %w", path, err)
	}
	return db, nil
}

// loadOrCreatePickleKey reads the pickle key kept next to the crypto store,
// creating a random one (mode 0600) on the first start.
func loadOrCreatePickleKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		key := strings.TrimSpace(string(b))
		if key == "" {
			return nil, fmt.Errorf("matrix: the pickle key file %s is empty; restore it from a backup, or remove it together with %s to start a new device", path, cryptoDBFile)
		}
		return []byte(key), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("matrix: read the pickle key: %w", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(path), cryptoDBFile)); err == nil {
		return nil, fmt.Errorf("matrix: the encryption store exists but its pickle key %s is missing; restore the key or set matrix.pickle_key, or move %s away to start a new device", path, cryptoDBFile)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, fmt.Errorf("matrix: generate a pickle key: %w", err)
	}
	key := hex.EncodeToString(raw[:])
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("matrix: store the pickle key: %w", err)
	}
	return []byte(key), nil
}
