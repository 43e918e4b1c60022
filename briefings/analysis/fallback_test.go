package analysis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFallback(t *testing.T) {
	var logBuf bytes.Buffer
	frog, builtin := newFake("frog"), newFake("builtin")
	fb := Fallback(frog, builtin, slog.New(slog.NewTextHandler(&logBuf, nil)))
	ctx := t.Context()
	unavailable := fmt.Errorf("frog analysis: %w: no Frog process is ready", ErrUnavailable)

	steps := []struct {
		name        string
		ready       bool
		err         error
		wantServing string
		wantCalls   [2]int // frog, builtin
		wantLog     string // a new log line containing this, or "" for none
	}{
		{"starting", false, nil, "builtin", [2]int{0, 1}, "not ready yet"},
		{"still starting", false, nil, "builtin", [2]int{0, 1}, ""},
		{"ready", true, nil, "frog", [2]int{1, 0}, "frog is ready; switched to it from builtin"},
		{"ready again", true, nil, "frog", [2]int{1, 0}, ""},
		{"fails", true, unavailable, "builtin", [2]int{1, 1}, "switched from frog to builtin"},
		{"fails again", true, unavailable, "builtin", [2]int{1, 1}, ""},
		{"restarting", false, nil, "builtin", [2]int{0, 1}, ""},
		{"back", true, nil, "frog", [2]int{1, 0}, "works again"},
	}
	for _, st := range steps {
		frog.set(st.ready, st.err)
		logBuf.Reset()
		got, err := fb.Analyze(ctx, []string{"Een zin"})
		if err != nil {
			t.Fatalf("%s: Analyze: %v", st.name, err)
		}
		if diff := cmp.Diff(got, wantSentences(st.wantServing, "Een zin")); diff != "" {
			t.Errorf("%s: answer (-got +want):\n%s", st.name, diff)
		}
		if s := fb.Serving(); s != st.wantServing {
			t.Errorf("%s: Serving() = %q, want %q", st.name, s, st.wantServing)
		}
		if calls := [2]int{len(frog.takeCalls()), len(builtin.takeCalls())}; calls != st.wantCalls {
			t.Errorf("%s: calls (frog, builtin) %v, want %v", st.name, calls, st.wantCalls)
		}
		logged := logBuf.String()
		switch {
		case st.wantLog == "" && logged != "":
			t.Errorf("%s: logged %q, want nothing", st.name, logged)
		case st.wantLog != "" && (strings.Count(logged, "\n") != 1 || !strings.Contains(logged, st.wantLog)):
			t.Errorf("%s: logged %q, want one line with %q", st.name, logged, st.wantLog)
		}
	}
	if fb.Name() != "fallback(frog,builtin)" || !fb.Ready() {
		t.Errorf("Name %q Ready %v", fb.Name(), fb.Ready())
	}
}

func TestFallbackErrors(t *testing.T) {
	t.Run("cancelled call is not retried", func(t *testing.T) {
		frog, builtin := newFake("frog"), newFake("builtin")
		fb := Fallback(frog, builtin, nil)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := fb.Analyze(ctx, []string{"zin"}); !errors.Is(err, context.Canceled) {
			t.Errorf("Analyze = %v, want context.Canceled", err)
		}
		if n := len(builtin.takeCalls()); n != 0 {
			t.Errorf("builtin called %d times", n)
		}
		if fb.Serving() != "" {
			t.Errorf("Serving() = %q before any answer", fb.Serving())
		}
	})
	t.Run("both fail", func(t *testing.T) {
		frog, builtin := newFake("frog"), newFake("builtin")
		frog.set(true, errors.New("frog broke"))
		builtinErr := errors.New("builtin broke")
		builtin.set(false, builtinErr)
		fb := Fallback(frog, builtin, nil)
		_, err := fb.Analyze(t.Context(), []string{"zin"})
		if !errors.Is(err, builtinErr) || !strings.Contains(err.Error(), "frog broke") {
			t.Errorf("Analyze = %v, want both errors", err)
		}
	})
}
