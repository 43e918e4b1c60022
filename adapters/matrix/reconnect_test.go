package matrix

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix/event"
)

// readyWithin is how soon after the homeserver is reachable again (or
// after a start) the adapter must report Connected: a couple of seconds,
// far below the 30-second long-poll.
const readyWithin = 5 * time.Second

// outageProxy passes requests on to a homeserver until it is cut: then it
// ends the requests in flight and answers 502, as a gateway in front of
// an unreachable homeserver does, until it is restored.
type outageProxy struct {
	*httptest.Server
	proxy *httputil.ReverseProxy

	mu      sync.Mutex
	cut     bool
	flights context.Context // cancelled when the proxy is cut
	end     context.CancelFunc
}

func newOutageProxy(t *testing.T, target string) *outageProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &outageProxy{proxy: httputil.NewSingleHostReverseProxy(u)}
	p.flights, p.end = context.WithCancel(context.Background())
	p.Server = httptest.NewServer(p)
	t.Cleanup(func() {
		p.setCut(true)
		p.Close()
	})
	return p
}

func (p *outageProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	cut, flights := p.cut, p.flights
	p.mu.Unlock()
	if cut {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte(`{"errcode":"M_UNKNOWN","error":"the homeserver is unreachable"}`))
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(flights, cancel)
	defer stop()
	p.proxy.ServeHTTP(w, r.WithContext(ctx))
}

// setCut cuts the connection to the homeserver (ending the requests in
// flight) or restores it.
func (p *outageProxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		p.end()
	} else {
		p.flights, p.end = context.WithCancel(context.Background())
	}
}

// TestDendriteConnectedSoonAndReconnectsCounted: with the production
// long-poll of 30 seconds, Connected() turns true within a couple of
// seconds of a start (also a restart with a stored sync position), of the
// homeserver becoming reachable again after a network outage, and of a
// homeserver restart; Reconnects() counts the reconnects after the outage
// and the restart, not the first sync of each start.
func TestDendriteConnectedSoonAndReconnectsCounted(t *testing.T) {
	skipIfShort(t)
	e := newEnv(t)
	alice := e.account("alice")
	alice.sync()
	gw := newOutageProxy(t, e.hs.URL)
	cfg := e.config()
	cfg.Homeserver = gw.URL

	// The first run long-polls for 5 seconds (the tests' default), so
	// that settleAll returns soon.
	first := e.start(cfg, nil)
	took := first.waitConnected(t, true, waitTimeout)
	t.Logf("first start: Connected() after %v", took.Round(time.Millisecond))
	room := e.directChat(alice)
	q1 := alice.say(room, &event.MessageEventContent{Body: krebsQuestion})
	alice.waitFor("answer to q1", replyTo(e.botUser, q1))
	if n := first.a.Reconnects(); n != 0 {
		t.Errorf("Reconnects() = %d after the first start, want 0", n)
	}
	first.settleAll(t) // nothing new for the next start to sync
	first.stop(t)

	// A restart resumes from the stored sync position with nothing new:
	// a long-poll would hold the first sync for 30 seconds.
	production := func(a *Adapter) { a.pollTimeout = pollTimeout }
	second := e.startTuned(cfg, nil, production)
	took = second.waitConnected(t, true, waitTimeout)
	t.Logf("restart: Connected() after %v", took.Round(time.Millisecond))
	if took > readyWithin {
		t.Errorf("after a restart Connected() turned true after %v, want within %v", took.Round(time.Millisecond), readyWithin)
	}
	if n := second.a.Reconnects(); n != 0 {
		t.Errorf("Reconnects() = %d after a restart, want 0: the first sync of a start is no reconnect", n)
	}

	// A network outage: the homeserver keeps running, with nothing new
	// for the bot when it is reachable again.
	gw.setCut(true)
	second.waitConnected(t, false, waitTimeout)
	gw.setCut(false)
	took = second.waitConnected(t, true, waitTimeout)
	t.Logf("network outage: Connected() %v after the homeserver was reachable again", took.Round(time.Millisecond))
	if took > readyWithin {
		t.Errorf("Connected() turned true %v after the homeserver was reachable again, want within %v", took.Round(time.Millisecond), readyWithin)
	}
	if n := second.a.Reconnects(); n != 1 {
		t.Errorf("Reconnects() = %d after one outage, want 1", n)
	}

	// A homeserver restart.
	e.hs.Stop()
	second.waitConnected(t, false, waitTimeout)
	e.hs.Start()
	took = second.waitConnected(t, true, waitTimeout)
	t.Logf("homeserver restart: Connected() %v after it answered again", took.Round(time.Millisecond))
	if took > readyWithin {
		t.Errorf("Connected() turned true %v after the homeserver restarted, want within %v", took.Round(time.Millisecond), readyWithin)
	}
	if n := second.a.Reconnects(); n != 2 {
		t.Errorf("Reconnects() = %d after an outage and a restart, want 2", n)
	}

	q2 := alice.say(room, &event.MessageEventContent{Body: krebsQuestion})
	answersKrebs(t, notice(alice.waitFor("answer after the outages", replyTo(e.botUser, q2)), e.botUser))
	if n := second.a.Reconnects(); n != 2 {
		t.Errorf("Reconnects() = %d after answering, want still 2", n)
	}
}
