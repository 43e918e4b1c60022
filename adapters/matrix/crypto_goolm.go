//go:build goolm

package matrix

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
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

// initCrypto opens the crypto store (in DataDir, or in the shared
// database when DatabaseURL is set), loads or creates the device's Olm
// account, uploads its keys on the first start, and hooks decryption into
// the syncer: encrypted messages reach the handler like any other, and
// Send encrypts in encrypted rooms.
func (a *Adapter) initCrypto(ctx context.Context) (encrypter, error) {
	var (
		db     *dbutil.Database
		pickle []byte
		where  string // the store, for messages
		done   = func() {}
		err    error
	)
	if a.dbURL != "" {
		where = "in the database"
		var shared *sharedCryptoDB
		if shared, err = openSharedCryptoDB(ctx, a.dbURL); err != nil {
			return nil, err
		}
		if shared.schema != "" {
			where = "in the database schema " + shared.schema
		}
		db, done = shared.db, shared.unlock
		defer func() { done() }()
		if pickle, err = a.sharedPickleKey(ctx, db); err != nil {
			_ = db.Close()
			return nil, err
		}
	} else {
		if err := os.MkdirAll(a.dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("matrix: create the data directory for the encryption store: %w", err)
		}
		pickle = []byte(a.cfg.PickleKey)
		if len(pickle) == 0 {
			if pickle, err = loadOrCreatePickleKey(filepath.Join(a.dataDir, pickleKeyFile)); err != nil {
				return nil, err
			}
		}
		path := filepath.Join(a.dataDir, cryptoDBFile)
		where = path
		if db, err = openCryptoDB(path); err != nil {
			return nil, err
		}
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
		switch {
		case strings.Contains(err.Error(), "mismatching device ID"):
			return nil, fmt.Errorf("matrix: the encryption store %s belongs to another device than the session's %s: set matrix.device_id to the store's device, or move the store away to start a new device: %w", where, a.cli.DeviceID, err)
		case strings.Contains(err.Error(), "not marked as shared, but there are keys on the server"):
			return nil, fmt.Errorf("matrix: the homeserver has encryption keys for device %s, but the encryption store %s has none: they were made with another store%s. Restore that store, or set matrix.device_id to a new device name to log in as a new device: %w", a.cli.DeviceID, where, a.otherStoreHint(), err)
		}
		return nil, fmt.Errorf("matrix: start end-to-end encryption (store %s): %w", where, err)
	}
	a.cli.Crypto = helper
	a.log.Info("end-to-end encryption ready", "device_id", string(a.cli.DeviceID), "store", where)
	return helper, nil
}

// otherStoreHint says where the device's keys may be when the store in use
// lacks them.
func (a *Adapter) otherStoreHint() string {
	if a.dbURL == "" {
		return " (a store in the data directory exists only on the machine that made it: replicas of the bot need the shared store in the database)"
	}
	if a.dataDir != "" {
		if _, err := os.Stat(filepath.Join(a.dataDir, cryptoDBFile)); err == nil {
			return fmt.Sprintf(" (probably %s, from before the store moved into the database; briefbot does not copy it there)", filepath.Join(a.dataDir, cryptoDBFile))
		}
	}
	return ""
}

// sharedCryptoSchema is the PostgreSQL schema of the shared crypto store.
const sharedCryptoSchema = "briefbot_matrix"

// sharedCryptoDB is the crypto store's database, opened by
// openSharedCryptoDB; unlock must be called once it is set up.
type sharedCryptoDB struct {
	db     *dbutil.Database
	schema string // the schema created for it; "" when the URL sets search_path
	unlock func()
}

// openSharedCryptoDB opens the crypto store in the PostgreSQL database at
// rawURL, in the schema briefbot_matrix (created when missing) unless the
// URL sets a search_path. It takes a lock that serialises the stores'
// set-up (mautrix's schema upgrades), which several bot accounts on one
// database could otherwise run at the same time; unlock releases it.
func openSharedCryptoDB(ctx context.Context, rawURL string) (*sharedCryptoDB, error) {
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		// pgx's error may quote the URL, password included
		return nil, errors.New("matrix: the database URL for the encryption store is not a valid PostgreSQL URL")
	}
	schema := ""
	if _, ok := cfg.RuntimeParams["search_path"]; !ok {
		schema = sharedCryptoSchema
		cfg.RuntimeParams["search_path"] = schema
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "briefbot matrix crypto"
	}
	lock, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("matrix: connect to the database for the encryption store: %w", err)
	}
	closeLock := func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = lock.Close(cctx) // ends the session, and its lock
	}
	if _, err := lock.Exec(ctx, "SELECT pg_advisory_lock($1)", cryptoSetupLockKey()); err != nil {
		closeLock()
		return nil, fmt.Errorf("matrix: wait for the encryption store's set-up lock: %w", err)
	}
	if schema != "" {
		// looked up first: CREATE SCHEMA needs the CREATE privilege on the
		// database even when the schema exists (made by an administrator)
		var exists bool
		err := lock.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", schema).Scan(&exists)
		if err == nil && !exists {
			_, err = lock.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize())
		}
		if err != nil {
			closeLock()
			return nil, fmt.Errorf("matrix: create the schema %s for the encryption store (the database user needs the CREATE privilege on the database, or set search_path in the URL to an existing schema): %w", schema, err)
		}
	}
	raw := stdlib.OpenDB(*cfg)
	raw.SetMaxOpenConns(4)
	raw.SetMaxIdleConns(2)
	raw.SetConnMaxIdleTime(5 * time.Minute)
	db, err := dbutil.NewWithDB(raw, "postgres")
	if err != nil {
		_ = raw.Close()
		closeLock()
		return nil, fmt.Errorf("matrix: open the encryption store in the database: %w", err)
	}
	return &sharedCryptoDB{db: db, schema: schema, unlock: closeLock}, nil
}

// cryptoSetupLockKey is the advisory lock key that serialises the shared
// crypto stores' set-up: FNV-1a 64 of a fixed name, stable across versions.
func cryptoSetupLockKey() int64 {
	h := fnv.New64a()
	h.Write([]byte("briefbot:matrix-crypto-setup"))
	return int64(h.Sum64())
}

// pickleKey names the shared crypto store's pickle key in State.
func (k stateKeys) pickleKey() string { return k.prefix + "pickle_key" }

// sharedPickleKey returns the pickle key of the shared crypto store:
// matrix.pickle_key, else the one kept in State, else a new random one,
// stored in State for every replica. Only the leader sets up the store, so
// two replicas never race to create it. A missing key for an account the
// store already has is an error: a new key could not read the account.
func (a *Adapter) sharedPickleKey(ctx context.Context, db *dbutil.Database) ([]byte, error) {
	if a.cfg.PickleKey != "" {
		return []byte(a.cfg.PickleKey), nil
	}
	stored, err := getOptional(ctx, a.state, a.keys.pickleKey())
	if err != nil {
		return nil, fmt.Errorf("matrix: read the encryption store's pickle key: %w", err)
	}
	if stored != "" {
		return []byte(stored), nil
	}
	var known bool
	err = db.QueryRow(ctx, `SELECT to_regclass('crypto_account') IS NOT NULL`).Scan(&known)
	if err == nil && known {
		err = db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM crypto_account WHERE account_id = $1)`, string(a.user)).Scan(&known)
	}
	if err != nil {
		return nil, fmt.Errorf("matrix: look up the encryption store in the database: %w", err)
	}
	if known {
		return nil, fmt.Errorf("matrix: the encryption store in the database has keys for %s, but their pickle key is neither in matrix.pickle_key nor in the bot's state store (%s); restore it, or remove the account's rows from the store to start a new device", a.user, a.keys.pickleKey())
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, fmt.Errorf("matrix: generate a pickle key: %w", err)
	}
	key := hex.EncodeToString(raw[:])
	if err := a.state.SetValue(ctx, a.keys.pickleKey(), key); err != nil {
		return nil, fmt.Errorf("matrix: store the encryption store's pickle key: %w", err)
	}
	return []byte(key), nil
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
