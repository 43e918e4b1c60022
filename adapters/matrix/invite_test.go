package matrix

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// Dendrite tells the invitee of an invite before the invite is in the
// room's state (element-hq/dendrite#3123): a join right away is refused
// with M_FORBIDDEN. The adapter tries again a few times, then gives up.
func TestInviteJoinRetriedWhileRefused(t *testing.T) {
	for _, tt := range []struct {
		name      string
		refusals  int
		wantJoins int
		wantWaits []time.Duration
	}{
		{"joined at once", 0, 1, nil},
		{"refused twice", 2, 3, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}},
		{"always refused", 100, inviteAttempts,
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var joins atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				if !strings.Contains(r.URL.Path, "/join") {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				if int(joins.Add(1)) <= tt.refusals {
					w.WriteHeader(http.StatusForbidden)
					_, _ = io.WriteString(w, `{"errcode":"M_FORBIDDEN","error":"InputWasRejected"}`)
					return
				}
				_, _ = io.WriteString(w, `{"room_id":"!room:example.org"}`)
			}))
			defer srv.Close()
			a, waits := newSendAdapter(t, srv)
			a.allow = newAllowList([]string{"@alice:example.org"})
			evt := &event.Event{RoomID: id.RoomID("!room:example.org"), Sender: id.UserID("@alice:example.org")}
			a.handleInvite(context.Background(), evt, &event.MemberEventContent{Membership: event.MembershipInvite})
			if got := int(joins.Load()); got != tt.wantJoins {
				t.Errorf("%d join requests; want %d", got, tt.wantJoins)
			}
			if len(*waits) != len(tt.wantWaits) {
				t.Fatalf("waits %v; want %v", *waits, tt.wantWaits)
			}
			for i, w := range tt.wantWaits {
				if (*waits)[i] != w {
					t.Errorf("wait %d = %v; want %v", i, (*waits)[i], w)
				}
			}
		})
	}
}
