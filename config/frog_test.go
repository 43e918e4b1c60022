package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestLoadFrog: the frog section from the file and the environment, with
// the environment winning and lists from commas.
func TestLoadFrog(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		env  []string
		want Frog
	}{
		{name: "nothing: auto", want: Frog{}},
		{
			name: "file",
			yaml: "frog: {mode: auto, bin: /opt/frog/bin/frog, processes: 2, connections: 3, skip: p, request_timeout: 30s, answer_timeout: 2s}\n",
			want: Frog{Mode: "auto", Bin: "/opt/frog/bin/frog", Processes: 2, Connections: 3, Skip: "p",
				RequestTimeout: 30 * time.Second, AnswerTimeout: 2 * time.Second},
		},
		{
			name: "environment wins",
			yaml: "frog: {mode: auto, processes: 2}\n",
			env: []string{"BRIEFBOT_FROG_MODE=off", "BRIEFBOT_FROG_BIN=/missing/frog", "BRIEFBOT_FROG_PROCESSES=1",
				"BRIEFBOT_FROG_SKIP=amp", "BRIEFBOT_FROG_ANSWER_TIMEOUT=5s"},
			want: Frog{Mode: "off", Bin: "/missing/frog", Processes: 1, Skip: "amp", AnswerTimeout: 5 * time.Second},
		},
		{
			name: "servers from the environment",
			env:  []string{"BRIEFBOT_FROG_ADDRESSES=127.0.0.1:7001, frog.internal:7002", "BRIEFBOT_FROG_MODE=On"},
			want: Frog{Mode: "On", Addresses: []string{"127.0.0.1:7001", "frog.internal:7002"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.yaml != "" {
				path = write(t, "briefbot.yaml", tt.yaml)
			}
			got, err := Load(path, tt.env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if diff := cmp.Diff(got.Frog, tt.want); diff != "" {
				t.Errorf("frog section (-got +want):\n%s", diff)
			}
		})
	}
}

// TestFrogEffectiveMode: empty is auto; case does not matter.
func TestFrogEffectiveMode(t *testing.T) {
	for mode, want := range map[string]string{"": FrogAuto, "auto": FrogAuto, "ON": FrogOn, " off ": FrogOff, "maybe": "maybe"} {
		if got := (Frog{Mode: mode}).EffectiveMode(); got != want {
			t.Errorf("EffectiveMode of %q = %q, want %q", mode, got, want)
		}
	}
}

// TestFrogValidate: each mistake in the frog section is one problem with
// its key and the fix; a required Frog must be installed.
func TestFrogValidate(t *testing.T) {
	// a stand-in frog program: mode on only checks that it can be run
	fake := filepath.Join(t.TempDir(), "frog")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "no-frog-here")
	tests := []struct {
		name string
		f    Frog
		keys []string // problem keys, in order
		msg  string   // in the first problem's message
	}{
		{name: "zero value", f: Frog{}},
		{name: "off ignores the program", f: Frog{Mode: "off", Bin: missing}},
		{name: "auto without the program is fine", f: Frog{Mode: "auto", Bin: missing}},
		{name: "on with the program", f: Frog{Mode: "on", Bin: fake, Processes: 2, Connections: 4, Skip: "PA"}},
		{name: "on with servers needs no program", f: Frog{Mode: "on", Bin: missing, Addresses: []string{"127.0.0.1:7001", "[::1]:7002"}}},
		{name: "unknown mode", f: Frog{Mode: "yes"}, keys: []string{"frog.mode"}, msg: "use auto (Frog when it is installed), on (Frog required) or off"},
		{name: "on without the program", f: Frog{Mode: "on", Bin: missing}, keys: []string{"frog.bin"}, msg: "install the Debian packages frog and frogdata"},
		{name: "negative numbers", f: Frog{Processes: -1, Connections: -2, RequestTimeout: -time.Second, AnswerTimeout: -time.Second},
			keys: []string{"frog.processes", "frog.connections", "frog.request_timeout", "frog.answer_timeout"}, msg: "1.3–1.9 GB"},
		{name: "processes and servers", f: Frog{Processes: 2, Addresses: []string{"127.0.0.1:7001"}}, keys: []string{"frog.processes"}, msg: "remove one of them"},
		{name: "bad skip letter", f: Frog{Skip: "px"}, keys: []string{"frog.skip"}, msg: `'x' is not a Frog module`},
		{name: "bad addresses", f: Frog{Addresses: []string{"localhost", ":7001", "127.0.0.1:99999"}},
			keys: []string{"frog.addresses[0]", "frog.addresses[1]", "frog.addresses[2]"}, msg: "not host:port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := tt.f.Validate()
			var keys []string
			for _, p := range ps {
				keys = append(keys, p.Key)
			}
			if diff := cmp.Diff(keys, tt.keys); diff != "" {
				t.Fatalf("problem keys (-got +want):\n%s\n%v", diff, ps)
			}
			if tt.msg != "" && !strings.Contains(ps[0].Message, tt.msg) {
				t.Errorf("problem %q lacks %q", ps[0], tt.msg)
			}
		})
	}
}

// TestLoadFrogProblems: Load reports the frog section's problems with the
// others, and a misspelt BRIEFBOT_FROG_ variable.
func TestLoadFrogProblems(t *testing.T) {
	path := write(t, "briefbot.yaml", "frog: {mode: sometimes, request_timeout: soon}\n")
	_, err := Load(path, []string{"BRIEFBOT_FROG_PROCESES=2"})
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Load: %v, want Problems", err)
	}
	var keys []string
	for _, p := range ps {
		keys = append(keys, p.Key)
	}
	want := []string{"frog.request_timeout", "BRIEFBOT_FROG_PROCESES", "frog.mode"}
	if diff := cmp.Diff(keys, want); diff != "" {
		t.Errorf("problem keys (-got +want):\n%s\n%v", diff, err)
	}
}
