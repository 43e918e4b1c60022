// Package ops is briefbot's operations listener: liveness (/healthz),
// readiness (/readyz) and Prometheus metrics (/metrics), plus whatever the
// command mounts next to them (Slack's HTTP mode under /slack/).
package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Health tracks what readiness depends on: the article set and each
// enabled component. It is safe for concurrent use.
type Health struct {
	mu       sync.Mutex
	articles int
	loaded   bool
	comps    map[string]compState
	analysis func() Analysis // nil: not reported
	feeds    func() []Feed   // nil: not reported (see feeds.go)
	database func() Database // nil: not reported (see database.go)
}

type compState struct {
	state    string // "starting", "running", "broken", "stopped", "failed"
	optional bool   // stopped counts as ready (the console after end of input)
	detail   string
	ready    func() bool // optional: the component's own connectivity check
}

// NewHealth returns a Health expecting the named components, all
// "starting".
func NewHealth(components ...string) *Health {
	h := &Health{comps: map[string]compState{}}
	for _, c := range components {
		h.comps[c] = compState{state: "starting"}
	}
	return h
}

// ArticlesLoaded records that the article set (n articles) is loaded.
func (h *Health) ArticlesLoaded(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.articles, h.loaded = n, true
}

// Running records that component runs. ready, when not nil, is asked on
// every readiness check whether the component is connected; optional means
// a clean stop still counts as ready.
func (h *Health) Running(component string, optional bool, ready func() bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.comps[component] = compState{state: "running", optional: optional, ready: ready}
}

// Broken records that component runs but does not work, err saying why
// (the article watcher without its directory): it is not ready, with err as
// the detail, until Running is called again.
func (h *Health) Broken(component string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.comps[component]
	c.state, c.detail, c.ready = "broken", err.Error(), nil
	h.comps[component] = c
}

// Stopped records that component stopped, with err when it failed.
func (h *Health) Stopped(component string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.comps[component]
	c.state, c.detail, c.ready = "stopped", "", nil
	if err != nil {
		c.state, c.detail = "failed", err.Error()
	}
	h.comps[component] = c
}

// SetAnalysis makes every readiness check describe the linguistic analysis
// answers use, as report returns it. report is called on every check, so it
// must not block; it never makes the process unready (answers go on with
// the built-in analysis while Frog starts or fails).
func (h *Health) SetAnalysis(report func() Analysis) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.analysis = report
}

// Report is the /readyz body.
type Report struct {
	Ready      bool                 `json:"ready"`
	Articles   int                  `json:"articles"`
	Components map[string]Component `json:"components"`
	// Analysis describes the linguistic analysis; detail only, never a
	// reason to be unready. Nil unless SetAnalysis was called.
	Analysis *Analysis `json:"analysis,omitempty"`
	// Feeds is each feed's polling status; detail only, never a reason to
	// be unready (a newsroom's feed being down is not briefbot's). Nil
	// unless SetFeeds was called.
	Feeds []Feed `json:"feeds,omitempty"`
	// Database is the state database's status; detail only. Nil unless
	// SetDatabase was called.
	Database *Database `json:"database,omitempty"`
	// NotReady lists, in words, what keeps the process from being ready.
	NotReady []string `json:"not_ready,omitempty"`
}

// Analysis is the /readyz detail on the linguistic analysis of answers.
type Analysis struct {
	// Serving is the analysis answers use now: "frog" or "builtin".
	Serving string `json:"serving"`
	// State is Frog's: "ready", "starting", "failing" or, at shutdown,
	// "stopped"; or, when answers use the built-in analysis for good, "off"
	// (frog.mode: off) or "not_installed".
	State string `json:"state"`
	// Detail says the same in words, with what to do.
	Detail string `json:"detail,omitempty"`
	// Frog is the process pool's state; nil without Frog.
	Frog *FrogState `json:"frog,omitempty"`
}

// FrogState is a Frog pool's state in an Analysis.
type FrogState struct {
	Processes      int        `json:"processes"`       // configured (or servers given by address)
	ReadyProcesses int        `json:"ready_processes"` // of those, answering now
	PIDs           []int      `json:"pids,omitempty"`  // processes running (none for servers given by address)
	Restarts       int        `json:"restarts"`        // after failures, since start-up
	LastError      string     `json:"last_error,omitempty"`
	LastErrorAt    *time.Time `json:"last_error_at,omitempty"`
}

// Component is one component's state in a Report.
type Component struct {
	State  string `json:"state"`
	Detail string `json:"detail,omitempty"`
}

// Check reports readiness: the articles are loaded and every component runs
// (and, where it says, is connected).
func (h *Health) Check() Report {
	h.mu.Lock()
	comps := maps.Clone(h.comps)
	r := Report{Articles: h.articles, Components: map[string]Component{}}
	loaded, analysis, feeds, database := h.loaded, h.analysis, h.feeds, h.database
	h.mu.Unlock()
	if database != nil {
		d := database()
		r.Database = &d
	}
	if analysis != nil {
		a := analysis()
		r.Analysis = &a
	}
	if feeds != nil {
		r.Feeds = feeds()
	}
	if !loaded {
		r.NotReady = append(r.NotReady, "articles: still loading")
	}
	for _, name := range slices.Sorted(maps.Keys(comps)) {
		c := comps[name]
		out := Component{State: c.state, Detail: c.detail}
		ok := c.state == "running" || (c.optional && c.state == "stopped")
		if c.state == "running" && c.ready != nil && !c.ready() {
			out.State, ok = "connecting", false
		}
		if !ok {
			msg := fmt.Sprintf("%s: %s", name, out.State)
			if out.Detail != "" {
				msg += " (" + out.Detail + ")"
			}
			r.NotReady = append(r.NotReady, msg)
		}
		r.Components[name] = out
	}
	r.Ready = len(r.NotReady) == 0
	return r
}

// Options configure a Server.
type Options struct {
	// Addr is host:port; port 0 picks a free port (see Server.Addr).
	Addr     string
	Health   *Health
	Gatherer prometheus.Gatherer
	Logger   *slog.Logger
	// Mount adds handlers by ServeMux pattern ("/slack/").
	Mount map[string]http.Handler
	// ShutdownTimeout bounds Serve's graceful shutdown; 0 means 10s.
	ShutdownTimeout time.Duration
}

// Server is the HTTP listener. Create it with Listen.
type Server struct {
	ln      net.Listener
	srv     *http.Server
	log     *slog.Logger
	timeout time.Duration
}

// Listen binds opts.Addr and prepares the routes; Serve serves them.
func Listen(opts Options) (*Server, error) {
	if opts.Health == nil || opts.Gatherer == nil {
		return nil, errors.New("ops: Health and Gatherer are required")
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		rep := opts.Health.Check()
		w.Header().Set("Content-Type", "application/json")
		if !rep.Ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(rep)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(opts.Gatherer, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelError),
	}))
	for pattern, h := range opts.Mount {
		mux.Handle(pattern, h)
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("http.addr %s: cannot listen: %w", opts.Addr, err)
	}
	timeout := opts.ShutdownTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return &Server{
		ln:  ln,
		log: log,
		srv: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
		},
		timeout: timeout,
	}, nil
}

// Addr is the bound address (with the real port when Addr asked for 0).
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Serve serves until ctx ends, then shuts down gracefully: no new
// connections, requests in flight get up to the shutdown timeout. It
// returns nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http listener: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.timeout)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil {
		s.log.Warn("http listener did not shut down cleanly", "err", err)
		_ = s.srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http listener: %w", err)
	}
	return nil
}
