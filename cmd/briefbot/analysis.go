package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/internal/metrics"
	"github.com/briefbot/briefbot/internal/ops"
)

// Serve's Frog settings that are not configurable.
const (
	// defaultFrogConnections is frog.connections' default: both cores of
	// a small machine analyse one answer's sentences.
	defaultFrogConnections = 2
	// analysisCacheSentences bounds the annotations kept in memory (about
	// 1.5 KB each, so some 30 MB); the database keeps all of them.
	analysisCacheSentences = 20_000
	// frogWatchEvery is how often serve looks at Frog's state to log a
	// change (ready, failing, working again); /readyz and /metrics read
	// the state itself, not this.
	frogWatchEvery = time.Second
	// requiredFrogRepeat is how often a required Frog (frog.mode: on) that
	// keeps failing is logged again as an error.
	requiredFrogRepeat = 10 * time.Minute
	// finishTimeout bounds the analysis an answer stopped waiting for,
	// which goes on in the background to fill the cache.
	finishTimeout = 2 * time.Minute
)

// Analysis states, as /readyz reports them.
const (
	stateReady        = "ready"
	stateStarting     = "starting"
	stateFailing      = "failing"
	stateStopped      = "stopped"
	stateOff          = "off"
	stateNotInstalled = "not_installed"
)

// serveAnalysis is the linguistic analysis of a serve run: Frog processes
// (or servers given by address) behind the annotation cache in serve's
// database, or none, in which case answers use the built-in analysis.
//
// Frog starts in the background and never delays start-up or an answer:
// while it loads its models (10–50 s), restarts or fails, Frog's Analyze
// fails at once and the library answers with the built-in analysis (and
// the ranker fitted for it). Sentences already in the cache are answered
// from it even then. That is what analysis.Fallback would do with a second
// analyser; the built-in analysis is no analysis.Analyzer, though, but the
// library's own path when it has no analysis, so the library gets Frog
// alone: finishing (analyses an answer gave up on go on to fill the cache),
// then the cache (memory, then the database), then countedFrog (counts for
// the metrics), then the pool.
type serveAnalysis struct {
	log  *slog.Logger
	mode string // config.FrogAuto or config.FrogOn; config.FrogOff without Frog

	// Without Frog: why, for /readyz.
	state, detail string

	// With Frog.
	frog    *analysis.Frog
	counted *countedFrog
	cache   *analysis.Cache
	finish  *finishing
	started time.Time
	cancel  context.CancelFunc // ends the pool's life and the watcher
	watched sync.WaitGroup
	closed  sync.Once
}

// analysisTuning holds what tests shorten.
type analysisTuning struct {
	watchEvery     time.Duration // 0: frogWatchEvery
	restartBackoff time.Duration // 0: analysis.FrogOptions' default
}

// startAnalysis starts Frog as cfg says, in the background, with its
// annotations cached in store (nil: memory only), and logs one line saying
// which analysis serves. It does not fail: Frog that cannot start leaves
// the built-in analysis serving, with the reason logged (an error when
// frog.mode is on). Close must be called.
//
// The pool lives until Close, not until ctx ends: replies still being
// written after the stop signal may use it.
func startAnalysis(ctx context.Context, cfg config.Frog, store analysis.CacheStore, log *slog.Logger) *serveAnalysis {
	return startAnalysisTuned(ctx, cfg, store, log, analysisTuning{})
}

func startAnalysisTuned(ctx context.Context, cfg config.Frog, store analysis.CacheStore, log *slog.Logger, tune analysisTuning) *serveAnalysis {
	a := &serveAnalysis{log: log, mode: cfg.EffectiveMode()}
	if a.mode == config.FrogOff {
		a.state, a.detail = stateOff, "frog.mode is off: answers use the built-in analysis"
		log.Info("analysis: built-in (frog.mode: off)", "analyser", "builtin")
		return a
	}
	bin := cmp.Or(cfg.Bin, "frog")
	if len(cfg.Addresses) == 0 {
		path, err := exec.LookPath(bin)
		if err != nil {
			a.state = stateNotInstalled
			a.detail = fmt.Sprintf("frog program %q not found: answers use the built-in analysis; install the Debian packages frog and frogdata for better answers (see docs/configuration.md)", bin)
			if a.mode == config.FrogOn {
				log.Error("analysis: Frog is required (frog.mode: on) but its program is not found; answers use the built-in analysis",
					"analyser", "builtin", "bin", bin, "err", err)
			} else {
				log.Info("analysis: built-in — install Debian packages frog and frogdata for better answers (see docs)",
					"analyser", "builtin", "bin", bin)
			}
			return a
		}
		bin = path
	}
	processes := cmp.Or(cfg.Processes, 1)
	if len(cfg.Addresses) > 0 {
		processes = len(cfg.Addresses)
	}
	connections := cmp.Or(cfg.Connections, defaultFrogConnections)
	life, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f, err := analysis.NewFrog(life, analysis.FrogOptions{
		Binary: bin, Processes: cfg.Processes, Connections: connections, Skip: cfg.Skip, Addresses: cfg.Addresses,
		RequestTimeout: cfg.RequestTimeout, RestartBackoff: tune.restartBackoff, Logger: log,
	})
	if err != nil {
		cancel()
		a.state, a.detail = stateFailing, fmt.Sprintf("Frog cannot start: %v; answers use the built-in analysis", err)
		a.logFailure("analysis: Frog cannot start; answers use the built-in analysis", err)
		return a
	}
	a.frog = f
	a.counted = &countedFrog{Frog: f}
	a.cache = analysis.Cached(a.counted, store, analysisCacheSentences, analysis.CacheLogger(log))
	a.finish = &finishing{inner: a.cache, slots: make(chan struct{}, processes*connections), timeout: finishTimeout}
	a.started = time.Now()
	what := fmt.Sprintf("processes=%d", processes)
	if len(cfg.Addresses) > 0 {
		what = fmt.Sprintf("servers=%d", processes)
	}
	log.Info("analysis: frog starting ("+what+") — answers use the built-in analysis until it is ready",
		"analyser", "frog", "mode", a.mode, "bin", bin, "addresses", cfg.Addresses, "connections", connections, "skip", cfg.Skip)
	a.cancel = cancel
	a.watched.Go(func() { a.watch(life, cmp.Or(tune.watchEvery, frogWatchEvery)) })
	return a
}

// Analyzer is what the library analyses sentences with; nil without Frog
// (then the library uses the built-in analysis only).
func (a *serveAnalysis) Analyzer() analysis.Analyzer {
	if a.finish == nil {
		return nil
	}
	return a.finish
}

// Close stops Frog (its processes are killed) and the watcher. It may be
// called more than once.
func (a *serveAnalysis) Close() {
	if a.frog == nil {
		return
	}
	a.closed.Do(func() {
		a.frog.Close() // the analyses finishing in the background fail now
		a.finish.wait()
		a.cancel()
		a.watched.Wait()
	})
}

// frogState classifies a pool's status.
func frogState(st analysis.Status) string {
	switch {
	case st.Closed:
		return stateStopped
	case st.Ready:
		return stateReady
	case st.LastError != "":
		return stateFailing
	default:
		return stateStarting
	}
}

// watch logs Frog's changes of state until ctx ends: ready, failing,
// working again. A required Frog that keeps failing is logged again every
// requiredFrogRepeat.
func (a *serveAnalysis) watch(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	last, everReady := stateStarting, false
	var loudAt time.Time
	for {
		st := a.frog.Status()
		state := frogState(st)
		switch {
		case state == last && state == stateFailing && a.mode == config.FrogOn && time.Since(loudAt) >= requiredFrogRepeat:
			loudAt = time.Now()
			a.logFailure("analysis: Frog is required (frog.mode: on) and still failing; answers use the built-in analysis",
				errors.New(st.LastError), "restarts", st.Restarts)
		case state == last:
		case state == stateReady && !everReady:
			everReady = true
			a.log.Info("analysis: frog ready — answers use it", "analyser", "frog",
				"startup", time.Since(a.started).Round(100*time.Millisecond), "ready_processes", st.ReadyProcesses,
				"processes", st.Processes, "frog_version", st.FrogVersion)
		case state == stateReady:
			a.log.Info("analysis: frog works again — answers use it", "analyser", "frog",
				"ready_processes", st.ReadyProcesses, "processes", st.Processes, "restarts", st.Restarts)
		case state == stateFailing:
			loudAt = time.Now()
			a.logFailure("analysis: frog failed — answers use the built-in analysis until it works again",
				errors.New(st.LastError), "restarts", st.Restarts)
		}
		last = state
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// logFailure logs a Frog failure: an error when Frog is required, else a
// warning.
func (a *serveAnalysis) logFailure(msg string, err error, args ...any) {
	args = append([]any{"analyser", "builtin", "err", err}, args...)
	if a.mode == config.FrogOn {
		a.log.Error(msg, args...)
		return
	}
	a.log.Warn(msg, args...)
}

// Report is the /readyz detail on the analysis. It does not block.
func (a *serveAnalysis) Report() ops.Analysis {
	if a.frog == nil {
		return ops.Analysis{Serving: "builtin", State: a.state, Detail: a.detail}
	}
	st := a.frog.Status()
	r := ops.Analysis{Serving: "builtin", State: frogState(st), Frog: &ops.FrogState{
		Processes: st.Processes, ReadyProcesses: st.ReadyProcesses, PIDs: st.PIDs,
		Restarts: st.Restarts, LastError: st.LastError,
	}}
	if !st.LastErrorAt.IsZero() {
		at := st.LastErrorAt.UTC()
		r.Frog.LastErrorAt = &at
	}
	switch r.State {
	case stateReady:
		r.Serving = "frog"
		r.Detail = fmt.Sprintf("frog ready (%d of %d processes): answers use it", st.ReadyProcesses, st.Processes)
	case stateStarting:
		r.Detail = fmt.Sprintf("frog is loading its models (for %s; usually 10–50 s): answers use the built-in analysis until it is ready",
			time.Since(a.started).Round(time.Second))
	case stateFailing:
		r.Detail = "frog failed (" + st.LastError + ") and is restarting: answers use the built-in analysis until it works again"
	case stateStopped:
		r.Detail = "frog was stopped (serve is shutting down)"
	}
	return r
}

// Stats is the analysis's state for the metrics. It does not block.
func (a *serveAnalysis) Stats() metrics.AnalysisStats {
	if a.frog == nil {
		return metrics.AnalysisStats{Serving: "builtin"}
	}
	st := a.frog.Status()
	cs := a.cache.Stats()
	serving := "builtin"
	if st.Ready {
		serving = "frog"
	}
	return metrics.AnalysisStats{
		Serving: serving, Frog: true, Analysed: a.counted.analysed.Load(),
		MemoryHits: uint64(cs.Hits), StoreHits: uint64(cs.StoreHits), Misses: uint64(cs.Misses), StoreErrors: uint64(cs.StoreErrors),
		CacheEntries: cs.Entries, Restarts: st.Restarts, ReadyProcesses: st.ReadyProcesses,
	}
}

// countedFrog counts the sentences Frog analysed; everything else is
// Frog's (Name, Version and Ready, which the cache uses).
type countedFrog struct {
	*analysis.Frog
	analysed atomic.Uint64
}

// Analyze implements analysis.Analyzer.
func (c *countedFrog) Analyze(ctx context.Context, sentences []string) ([]analysis.Sentence, error) {
	out, err := c.Frog.Analyze(ctx, sentences)
	if err == nil {
		c.analysed.Add(uint64(len(out)))
	}
	return out, err
}

// finishing lets the analysis of an answer that stopped waiting for it
// (frog.answer_timeout) go on in the background, so that its sentences are
// cached for the next question instead of thrown away: Frog finishes the
// sentence it is working on anyway. At most cap(slots) analyses run so
// detached; past that, and while inner is not ready (it then fails at
// once), Analyze is inner's own.
type finishing struct {
	inner   analysis.Analyzer
	slots   chan struct{}
	timeout time.Duration
	running sync.WaitGroup
}

// Name implements analysis.Analyzer.
func (f *finishing) Name() string { return f.inner.Name() }

// Ready implements analysis.Readier.
func (f *finishing) Ready() bool {
	r, ok := f.inner.(analysis.Readier)
	return !ok || r.Ready()
}

// Analyze implements analysis.Analyzer: inner's answer, or ctx's error
// when ctx ends first while the analysis goes on for up to timeout.
func (f *finishing) Analyze(ctx context.Context, sentences []string) ([]analysis.Sentence, error) {
	if !f.Ready() {
		return f.inner.Analyze(ctx, sentences)
	}
	select {
	case f.slots <- struct{}{}:
	default:
		return f.inner.Analyze(ctx, sentences)
	}
	type result struct {
		out []analysis.Sentence
		err error
	}
	done := make(chan result, 1)
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), f.timeout)
	f.running.Go(func() {
		defer func() { <-f.slots }()
		defer cancel()
		out, err := f.inner.Analyze(bg, sentences)
		done <- result{out, err}
	})
	select {
	case r := <-done:
		return r.out, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("analysis of %d sentences (it goes on in the background for the cache): %w", len(sentences), ctx.Err())
	}
}

// wait waits for the analyses running in the background.
func (f *finishing) wait() { f.running.Wait() }
