package ops

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
)

func TestHealthCheck(t *testing.T) {
	connected := false
	tests := []struct {
		name  string
		setup func(h *Health)
		want  Report
	}{
		{
			name:  "starting",
			setup: func(*Health) {},
			want: Report{Components: map[string]Component{"console": {State: "starting"}, "slack": {State: "starting"}},
				NotReady: []string{"articles: still loading", "console: starting", "slack: starting"}},
		},
		{
			name: "running but not connected",
			setup: func(h *Health) {
				h.ArticlesLoaded(5)
				h.Running("console", true, nil)
				h.Running("slack", false, func() bool { return connected })
			},
			want: Report{Articles: 5, Components: map[string]Component{"console": {State: "running"}, "slack": {State: "connecting"}},
				NotReady: []string{"slack: connecting"}},
		},
		{
			name: "ready; an optional component may stop",
			setup: func(h *Health) {
				h.ArticlesLoaded(5)
				h.Running("console", true, nil)
				h.Stopped("console", nil)
				h.Running("slack", false, nil)
			},
			want: Report{Ready: true, Articles: 5, Components: map[string]Component{"console": {State: "stopped"}, "slack": {State: "running"}}},
		},
		{
			name: "failed",
			setup: func(h *Health) {
				h.ArticlesLoaded(0)
				h.Running("console", true, nil)
				h.Running("slack", false, nil)
				h.Stopped("slack", errors.New("invalid_auth"))
			},
			want: Report{Components: map[string]Component{"console": {State: "running"}, "slack": {State: "failed", Detail: "invalid_auth"}},
				NotReady: []string{"slack: failed (invalid_auth)"}},
		},
		{
			// issue 12, item 15: a watcher that lost its directory
			name: "broken",
			setup: func(h *Health) {
				h.ArticlesLoaded(2)
				h.Running("console", true, nil)
				h.Running("slack", false, nil)
				h.Broken("slack", errors.New("article directory /srv/articles: no such file or directory"))
			},
			want: Report{Articles: 2, Components: map[string]Component{"console": {State: "running"},
				"slack": {State: "broken", Detail: "article directory /srv/articles: no such file or directory"}},
				NotReady: []string{"slack: broken (article directory /srv/articles: no such file or directory)"}},
		},
		{
			name: "broken, then running again",
			setup: func(h *Health) {
				h.ArticlesLoaded(2)
				h.Running("console", true, nil)
				h.Running("slack", false, nil)
				h.Broken("slack", errors.New("gone"))
				h.Running("slack", false, nil)
			},
			want: Report{Ready: true, Articles: 2, Components: map[string]Component{"console": {State: "running"}, "slack": {State: "running"}}},
		},
		{
			name: "a required component that stopped",
			setup: func(h *Health) {
				h.ArticlesLoaded(1)
				h.Running("console", true, nil)
				h.Running("slack", false, nil)
				h.Stopped("slack", nil)
			},
			want: Report{Articles: 1, Components: map[string]Component{"console": {State: "running"}, "slack": {State: "stopped"}},
				NotReady: []string{"slack: stopped"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHealth("console", "slack")
			tt.setup(h)
			if diff := cmp.Diff(h.Check(), tt.want); diff != "" {
				t.Errorf("Check (-got +want):\n%s", diff)
			}
		})
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestServer: the endpoints on a real loopback listener, a mounted handler,
// and a clean Serve return when ctx ends.
func TestServer(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "test_things_total", Help: "Things."})
	reg.MustRegister(c)
	c.Add(3)
	h := NewHealth("console")
	srv, err := Listen(Options{Addr: "127.0.0.1:0", Health: h, Gatherer: reg, Mount: map[string]http.Handler{
		"/slack/": http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }),
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	base := "http://" + srv.Addr().String()

	if code, body := get(t, base+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz = %d %q, want 200 ok", code, body)
	}
	code, body := get(t, base+"/readyz")
	var rep Report
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatalf("/readyz body %q: %v", body, err)
	}
	if code != http.StatusServiceUnavailable || rep.Ready || len(rep.NotReady) != 2 {
		t.Errorf("/readyz before start = %d %s, want 503 naming articles and console", code, body)
	}
	h.ArticlesLoaded(2)
	h.Running("console", false, nil)
	if code, body := get(t, base+"/readyz"); code != http.StatusOK || !strings.Contains(body, `"ready":true`) {
		t.Errorf("/readyz when ready = %d %s, want 200", code, body)
	}
	if code, body := get(t, base+"/metrics"); code != http.StatusOK || !strings.Contains(body, "test_things_total 3") {
		t.Errorf("/metrics = %d, want 200 with test_things_total 3:\n%s", code, body)
	}
	if code, _ := get(t, base+"/slack/events"); code != http.StatusTeapot {
		t.Errorf("mounted /slack/events = %d, want 418", code)
	}
	if code, _ := get(t, base+"/nothing"); code != http.StatusNotFound {
		t.Errorf("/nothing = %d, want 404", code)
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("Serve after ctx ended: %v, want nil", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("listener still answers after shutdown")
	}
}

func TestListenErrors(t *testing.T) {
	if _, err := Listen(Options{Addr: "127.0.0.1:0"}); err == nil {
		t.Error("Listen without Health and Gatherer succeeded")
	}
	if _, err := Listen(Options{Addr: "256.0.0.1:80", Health: NewHealth(), Gatherer: prometheus.NewRegistry()}); err == nil || !strings.Contains(err.Error(), "http.addr") {
		t.Errorf("Listen on a bad address: %v, want an error naming http.addr", err)
	}
}

// TestHealthCheckAnalysis: the analysis is described on every check and
// never makes the process unready, whatever Frog's state.
func TestHealthCheckAnalysis(t *testing.T) {
	failedAt := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		analysis Analysis
	}{
		{"built-in for good", Analysis{Serving: "builtin", State: "not_installed", Detail: "install frog and frogdata"}},
		{"frog starting", Analysis{Serving: "builtin", State: "starting", Frog: &FrogState{Processes: 1, PIDs: []int{42}}}},
		{"frog failing", Analysis{Serving: "builtin", State: "failing", Detail: "frog process 1 exited",
			Frog: &FrogState{Processes: 1, Restarts: 3, LastError: "frog process 1 exited", LastErrorAt: &failedAt}}},
		{"frog ready", Analysis{Serving: "frog", State: "ready", Frog: &FrogState{Processes: 1, ReadyProcesses: 1, PIDs: []int{42}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHealth("console")
			h.ArticlesLoaded(5)
			h.Running("console", false, nil)
			calls := 0
			h.SetAnalysis(func() Analysis { calls++; return tt.analysis })
			want := Report{Ready: true, Articles: 5, Components: map[string]Component{"console": {State: "running"}}, Analysis: &tt.analysis}
			if diff := cmp.Diff(h.Check(), want); diff != "" {
				t.Errorf("Check (-got +want):\n%s", diff)
			}
			h.Check()
			if calls != 2 {
				t.Errorf("the analysis was asked %d times in 2 checks, want 2 (it is current on every check)", calls)
			}
		})
	}

	t.Run("JSON", func(t *testing.T) {
		h := NewHealth()
		h.ArticlesLoaded(1)
		h.SetAnalysis(func() Analysis {
			return Analysis{Serving: "builtin", State: "starting", Frog: &FrogState{Processes: 1}}
		})
		data, err := json.Marshal(h.Check())
		if err != nil {
			t.Fatal(err)
		}
		want := `{"ready":true,"articles":1,"components":{},"analysis":{"serving":"builtin","state":"starting","frog":{"processes":1,"ready_processes":0,"restarts":0}}}`
		if string(data) != want {
			t.Errorf("/readyz body\n got %s\nwant %s", data, want)
		}
	})
	t.Run("not set", func(t *testing.T) {
		if a := NewHealth().Check().Analysis; a != nil {
			t.Errorf("Analysis = %+v without SetAnalysis, want nil", a)
		}
	})
}
