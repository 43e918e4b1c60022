package matrix

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot"
)

// neverLeads is a Leadership under which this replica never leads: Run
// waits for ctx. (The real election is internal/leader's, tested there and
// in the Dendrite tests.)
type neverLeads struct{}

func (neverLeads) Run(ctx context.Context, _ func(context.Context) error) error {
	<-ctx.Done()
	return nil
}

func TestNewReplicaValidates(t *testing.T) {
	cfg := Config{Homeserver: "https://m.example.org", UserID: "@b:example.org", Password: "pw"}
	st := newTestState(t)
	if _, err := NewReplica(cfg, Options{State: st, DataDir: t.TempDir()}, neverLeads{}); err == nil ||
		!strings.Contains(err.Error(), "need the encryption store in the shared database (Options.DatabaseURL)") {
		t.Errorf("NewReplica with encryption on and no DatabaseURL = %v, want the shared-store error", err)
	}
	off := false
	cfg.Encryption = &off
	if _, err := NewReplica(cfg, Options{State: st}, nil); err == nil {
		t.Error("NewReplica without a Leadership succeeded")
	}
	if _, err := NewReplica(cfg, Options{}, neverLeads{}); err == nil || !strings.Contains(err.Error(), "Options.State is required") {
		t.Errorf("NewReplica without State = %v, want New's error", err)
	}
	if cryptoSupported {
		cfg.Encryption = nil
		if _, err := New(cfg, Options{State: st, DatabaseURL: "postgres://briefbot@db.example.org/briefbot"}); err != nil {
			t.Errorf("New with encryption, DatabaseURL and no DataDir = %v, want nil (the store is in the database)", err)
		}
	}
}

// TestReplicaStandby: a replica that does not lead is not Connected, does
// not send, and its Run returns nil when its context ends.
func TestReplicaStandby(t *testing.T) {
	off := false
	cfg := Config{Homeserver: "https://m.example.org", UserID: "@b:example.org", Password: "pw", Encryption: &off}
	r, err := NewReplica(cfg, Options{State: newTestState(t)}, neverLeads{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, handlerFunc(func(context.Context, bot.Sender, bot.Message) {})) }()
	if r.Connected() || r.Leader() || r.Reconnects() != 0 || r.Terms() != 0 {
		t.Errorf("standby: Connected %v, Leader %v, Reconnects %d, Terms %d; want false, false, 0, 0", r.Connected(), r.Leader(), r.Reconnects(), r.Terms())
	}
	if err := r.Send(t.Context(), bot.Target{Conversation: "!room:example.org"}, bot.Reply{Notice: "hi"}); !errors.Is(err, ErrStandby) {
		t.Errorf("Send on a standby = %v, want ErrStandby", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v after its context ended, want nil", err)
	}
	if err := r.Run(t.Context(), handlerFunc(func(context.Context, bot.Sender, bot.Message) {})); err == nil {
		t.Error("a second Run succeeded")
	}
}
