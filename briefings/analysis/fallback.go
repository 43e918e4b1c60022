package analysis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
)

// FallbackAnalyzer uses a primary Analyzer when it can and a secondary one
// otherwise. See Fallback.
type FallbackAnalyzer struct {
	primary, secondary Analyzer
	log                *slog.Logger

	mu            sync.Mutex
	serving       int  // 0 before the first answer, 1 primary, 2 secondary
	primaryServed bool // primary has answered before
}

// Fallback returns an Analyzer that answers with primary when primary is
// ready (see Readier) and succeeds, and otherwise with secondary. A call
// whose ctx ends is not retried with secondary. It logs each switch from
// one analyser to the other (not each request) to log, which may be nil.
//
// Fallback returns its concrete type so that Serving can be called.
func Fallback(primary, secondary Analyzer, log *slog.Logger) *FallbackAnalyzer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &FallbackAnalyzer{primary: primary, secondary: secondary, log: log}
}

// Name implements Analyzer: "fallback(PRIMARY,SECONDARY)". The analyser
// that answered is Serving.
func (f *FallbackAnalyzer) Name() string {
	return "fallback(" + f.primary.Name() + "," + f.secondary.Name() + ")"
}

// Ready implements Readier: whether either analyser is ready.
func (f *FallbackAnalyzer) Ready() bool { return ready(f.primary) || ready(f.secondary) }

func ready(a Analyzer) bool {
	r, ok := a.(Readier)
	return !ok || r.Ready()
}

// Serving is the Name of the analyser that gave the latest answer, "" before
// the first.
func (f *FallbackAnalyzer) Serving() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch f.serving {
	case 1:
		return f.primary.Name()
	case 2:
		return f.secondary.Name()
	}
	return ""
}

var errNotReady = errors.New("not ready")

// Analyze implements Analyzer.
func (f *FallbackAnalyzer) Analyze(ctx context.Context, sentences []string) ([]Sentence, error) {
	reason := errNotReady
	if ready(f.primary) {
		out, err := f.primary.Analyze(ctx, sentences)
		if err == nil {
			f.served(1, nil)
			return out, nil
		}
		if ctx.Err() != nil {
			return nil, err
		}
		reason = err
	}
	out, err := f.secondary.Analyze(ctx, sentences)
	if err != nil {
		return nil, fmt.Errorf("analysis: %s failed (%v), and so did %s: %w", f.primary.Name(), reason, f.secondary.Name(), err)
	}
	f.served(2, reason)
	return out, nil
}

// served records who answered and logs a change.
func (f *FallbackAnalyzer) served(who int, reason error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.serving == who {
		return
	}
	first := f.serving == 0
	before := f.primaryServed
	f.serving = who
	f.primaryServed = f.primaryServed || who == 1
	switch {
	case who == 1 && first:
		f.log.Info("analysis: using "+f.primary.Name(), "analyser", f.primary.Name())
	case who == 1 && !before:
		f.log.Info("analysis: "+f.primary.Name()+" is ready; switched to it from "+f.secondary.Name(),
			"analyser", f.primary.Name())
	case who == 1:
		f.log.Info("analysis: "+f.primary.Name()+" works again; switched back to it from "+f.secondary.Name(),
			"analyser", f.primary.Name())
	case first && errors.Is(reason, errNotReady):
		f.log.Info("analysis: "+f.primary.Name()+" is not ready yet; using "+f.secondary.Name()+" meanwhile",
			"analyser", f.secondary.Name())
	default:
		f.log.Warn("analysis: switched from "+f.primary.Name()+" to "+f.secondary.Name(),
			"analyser", f.secondary.Name(), "reason", reason)
	}
}
