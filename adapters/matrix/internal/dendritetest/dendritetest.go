// Package dendritetest runs a real Dendrite homeserver on loopback for
// tests: SQLite in t.TempDir(), federation off, no rate limiting, accounts
// created with the registration shared secret.
//
// The binaries come from .ci/dendrite.sh. They are looked up in
// $BRIEFBOT_DENDRITE_BIN, else in
// ${BRIEFBOT_CACHE:-$HOME/.cache/briefbot}/dendrite-v0.15.2/bin. When they
// are missing the test is skipped, unless BRIEFBOT_REQUIRE_DENDRITE=1, which
// makes it fail (CI sets it).
package dendritetest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// Version is the Dendrite release .ci/dendrite.sh builds.
const Version = "v0.15.2"

// ServerName is the homeserver's name: user IDs are "@name:localhost".
const ServerName = "localhost"

// Server is one running Dendrite. Its methods must be called from the test
// goroutine.
type Server struct {
	// URL is the client-server API base URL, "http://127.0.0.1:PORT".
	URL string

	t    testing.TB
	bin  string
	dir  string
	addr string
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	log  *os.File
}

// BinDir returns the directory holding the Dendrite binaries, or an error
// saying where they were looked for and how to build them.
func BinDir() (string, error) {
	dir := os.Getenv("BRIEFBOT_DENDRITE_BIN")
	if dir == "" {
		cache := os.Getenv("BRIEFBOT_CACHE")
		if cache == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", fmt.Errorf("no BRIEFBOT_DENDRITE_BIN, no BRIEFBOT_CACHE and no home directory: %w", err)
			}
			cache = filepath.Join(home, ".cache", "briefbot")
		}
		dir = filepath.Join(cache, "dendrite-"+Version, "bin")
	}
	for _, tool := range []string{"dendrite", "generate-keys", "generate-config", "create-account"} {
		if _, err := os.Stat(filepath.Join(dir, tool)); err != nil {
			return "", fmt.Errorf("the Dendrite %s binary %q is not in %s (build them with .ci/dendrite.sh, about 2-3 minutes, or point BRIEFBOT_DENDRITE_BIN at them)", Version, tool, dir)
		}
	}
	return dir, nil
}

// Start runs a fresh homeserver and stops it when the test ends. It skips
// the test when the binaries are missing (fails with
// BRIEFBOT_REQUIRE_DENDRITE=1).
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := BinDir()
	if err != nil {
		if os.Getenv("BRIEFBOT_REQUIRE_DENDRITE") == "1" {
			t.Fatalf("BRIEFBOT_REQUIRE_DENDRITE=1: %v", err)
		}
		t.Skipf("skipping the real-homeserver test: %v", err)
	}
	dir := t.TempDir()
	s := &Server{t: t, bin: bin, dir: dir, addr: freeAddr(t)}
	s.URL = "http://" + s.addr
	s.writeConfig()
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			s.dumpLog()
		}
		if s.log != nil {
			_ = s.log.Close()
		}
	})
	s.start()
	return s
}

// writeConfig generates the CI config and key and adjusts the config:
// federation off, JetStream on disk (so Restart keeps the event streams),
// logs at info to a file in the data directory.
func (s *Server) writeConfig() {
	s.t.Helper()
	out := s.run("generate-config", "-ci", "-dir", s.dir)
	var cfg map[string]any
	if err := yaml.Unmarshal(out, &cfg); err != nil {
		s.t.Fatalf("dendritetest: parse generated config: %v", err)
	}
	global := section(s.t, cfg, "global")
	global["private_key"] = filepath.Join(s.dir, "matrix_key.pem")
	global["disable_federation"] = true
	js := section(s.t, global, "jetstream")
	js["in_memory"] = false
	js["storage_path"] = s.dir
	cfg["logging"] = []any{map[string]any{"type": "std", "level": "info"}}
	b, err := yaml.Marshal(cfg)
	if err != nil {
		s.t.Fatalf("dendritetest: write config: %v", err)
	}
	if err := os.WriteFile(s.configPath(), b, 0o600); err != nil {
		s.t.Fatalf("dendritetest: write config: %v", err)
	}
	s.run("generate-keys", "--private-key", filepath.Join(s.dir, "matrix_key.pem"))
}

func section(t testing.TB, m map[string]any, key string) map[string]any {
	t.Helper()
	v, ok := m[key].(map[string]any)
	if !ok {
		t.Fatalf("dendritetest: generated config has no %q section", key)
	}
	return v
}

func (s *Server) configPath() string { return filepath.Join(s.dir, "dendrite.yaml") }

// start launches dendrite and waits until it answers /versions.
func (s *Server) start() {
	s.t.Helper()
	if s.log == nil {
		f, err := os.Create(filepath.Join(s.dir, "dendrite.log"))
		if err != nil {
			s.t.Fatalf("dendritetest: create log: %v", err)
		}
		s.log = f
	}
	cmd := exec.Command(filepath.Join(s.bin, "dendrite"),
		"--config", s.configPath(),
		"--http-bind-address", s.addr,
		// open registration is only reachable on loopback; Dendrite
		// insists on the flag when registration is enabled
		"--really-enable-open-registration")
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = s.log, s.log
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("dendritetest: start dendrite: %v", err)
	}
	s.cmd = cmd
	s.done = make(chan struct{})
	go func(done chan struct{}) {
		_ = cmd.Wait()
		close(done)
	}(s.done)
	s.waitReady(60 * time.Second)
}

// waitReady polls /_matrix/client/versions until it answers 200.
func (s *Server) waitReady(timeout time.Duration) {
	s.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := client.Get(s.URL + "/_matrix/client/versions")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-s.done:
			s.dumpLog()
			s.t.Fatalf("dendritetest: dendrite exited before it was ready")
		case <-deadline.C:
			s.dumpLog()
			s.t.Fatalf("dendritetest: dendrite not ready after %v", timeout)
		case <-tick.C:
		}
	}
}

// Stop stops the homeserver (SIGTERM, then SIGKILL after 10 seconds). It is
// a no-op when it is not running.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	select {
	case <-s.done:
	case <-t.C:
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// Start starts a stopped homeserver again on the same address and data and
// waits until it answers.
func (s *Server) Start() {
	s.t.Helper()
	s.start()
}

// Restart stops the homeserver and starts it again on the same address and
// data, like an operator's restart.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.start()
}

// CreateAccount registers localpart with password through the shared
// secret and returns the full user ID.
func (s *Server) CreateAccount(localpart, password string) string {
	s.t.Helper()
	s.run("create-account", "-config", s.configPath(), "-username", localpart, "-password", password, "-url", s.URL)
	return "@" + localpart + ":" + ServerName
}

// run executes one of the helper tools in the data directory and returns
// its standard output; it fails the test with the tool's output on error.
func (s *Server) run(tool string, args ...string) []byte {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, tool), args...)
	cmd.Dir = s.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		s.t.Fatalf("dendritetest: %s %s: %v\n%s%s", tool, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.Bytes()
}

// dumpLog prints the last lines of the homeserver's log to the test log.
func (s *Server) dumpLog() {
	b, err := os.ReadFile(filepath.Join(s.dir, "dendrite.log"))
	if err != nil {
		return
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	s.t.Logf("dendrite log (last %d lines):\n%s", len(lines), strings.Join(lines, "\n"))
}

// freeAddr picks a free loopback port.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("dendritetest: find a free port: %v", err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}
