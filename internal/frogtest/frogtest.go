// Package frogtest finds the real Frog program for tests and benchmarks
// that need it.
package frogtest

import (
	"os"
	"os/exec"
	"testing"
)

// Binary returns the frog program: BRIEFBOT_FROG_BIN, or frog on PATH.
// Without one the caller is skipped, unless BRIEFBOT_REQUIRE_FROG=1 (set
// by CI), which makes it a failure.
func Binary(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("BRIEFBOT_FROG_BIN"); p != "" {
		return p
	}
	p, err := exec.LookPath("frog")
	if err != nil {
		if os.Getenv("BRIEFBOT_REQUIRE_FROG") == "1" {
			tb.Fatalf("frog is not installed and BRIEFBOT_REQUIRE_FROG=1: %v (run .ci/frog.sh)", err)
		}
		tb.Skipf("frog is not installed (%v); BRIEFBOT_REQUIRE_FROG=1 makes this a failure", err)
	}
	return p
}
