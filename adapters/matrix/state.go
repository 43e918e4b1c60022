package matrix

import (
	"context"
	"errors"
	"fmt"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/briefbot/briefbot/bot"
)

// State keeps the adapter's small persistent values: the sync position and,
// after a password login, the session. The bot's store (bot.Store)
// satisfies it. GetValue returns an error wrapping bot.ErrNotFound for a
// missing key. Both methods may block on I/O and honour ctx.
type State interface {
	GetValue(ctx context.Context, key string) (string, error)
	SetValue(ctx context.Context, key, value string) error
}

// stateKeys names the adapter's values in State. Every key is namespaced by
// the bot's user ID, so two Matrix accounts can share one store.
type stateKeys struct{ prefix string }

func newStateKeys(user id.UserID) stateKeys { return stateKeys{prefix: "matrix:" + string(user) + ":"} }

func (k stateKeys) nextBatch() string   { return k.prefix + "next_batch" }
func (k stateKeys) filterID() string    { return k.prefix + "filter_id" }
func (k stateKeys) accessToken() string { return k.prefix + "access_token" }
func (k stateKeys) deviceID() string    { return k.prefix + "device_id" }
func (k stateKeys) direct(room id.RoomID) string {
	return k.prefix + "direct:" + string(room)
}

// getOptional reads key, mapping a missing key to "".
func getOptional(ctx context.Context, s State, key string) (string, error) {
	v, err := s.GetValue(ctx, key)
	if errors.Is(err, bot.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s from the bot's state store: %w", key, err)
	}
	return v, nil
}

// syncStore implements mautrix.SyncStore on State, so the sync position
// survives restarts: a restart resumes exactly where the last stored batch
// ended.
type syncStore struct {
	state State
	keys  stateKeys
}

var _ mautrix.SyncStore = (*syncStore)(nil)

func (s *syncStore) SaveFilterID(ctx context.Context, _ id.UserID, filterID string) error {
	if err := s.state.SetValue(ctx, s.keys.filterID(), filterID); err != nil {
		return fmt.Errorf("save the Matrix sync filter ID: %w", err)
	}
	return nil
}

func (s *syncStore) LoadFilterID(ctx context.Context, _ id.UserID) (string, error) {
	return getOptional(ctx, s.state, s.keys.filterID())
}

func (s *syncStore) SaveNextBatch(ctx context.Context, _ id.UserID, token string) error {
	if err := s.state.SetValue(ctx, s.keys.nextBatch(), token); err != nil {
		return fmt.Errorf("save the Matrix sync position: %w", err)
	}
	return nil
}

func (s *syncStore) LoadNextBatch(ctx context.Context, _ id.UserID) (string, error) {
	return getOptional(ctx, s.state, s.keys.nextBatch())
}
