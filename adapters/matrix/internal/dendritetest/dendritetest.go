// Package dendritetest runs a real Dendrite homeserver on loopback for
// tests: federation off, no rate limiting, accounts created with the
// registration shared secret.
//
// The binaries come from .ci/dendrite.sh. They are looked up in
// $BRIEFBOT_DENDRITE_BIN, else in
// ${BRIEFBOT_CACHE:-$HOME/.cache/briefbot}/dendrite-v0.15.2/bin. When they
// are missing the test is skipped, unless BRIEFBOT_REQUIRE_DENDRITE=1, which
// makes it fail (CI sets it).
//
// Each homeserver keeps its data in a fresh PostgreSQL database on the
// server BRIEFBOT_TEST_DATABASE_URL names (scripts/postgres.sh starts one),
// dropped when the test ends. Without that variable it uses SQLite files in
// the test's temporary directory, which is fine for a quick local run but
// not under load: Dendrite's SQLite mode (the pure-Go driver) panics under
// concurrent writes ("cannot start a transaction within a transaction"), so
// BRIEFBOT_REQUIRE_DENDRITE=1 also requires BRIEFBOT_TEST_DATABASE_URL.
//
// The homeserver is watched: when it exits on its own, Context is cancelled
// and Err says how it ended and what it logged last, so a test waiting for
// an event can fail at once with the reason.
package dendritetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"gopkg.in/yaml.v3"
)

// Version is the Dendrite release .ci/dendrite.sh builds.
const Version = "v0.15.2"

// ServerName is the homeserver's name: user IDs are "@name:localhost".
const ServerName = "localhost"

// DatabaseURLEnv names the environment variable with the PostgreSQL server
// for the homeservers' databases, a superuser's URL such as
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const DatabaseURLEnv = "BRIEFBOT_TEST_DATABASE_URL"

// logTailLines is how many of the homeserver's last log lines an ExitError
// carries.
const logTailLines = 30

// Server is one running Dendrite. Its methods, except Context and Err, must
// be called from the test goroutine.
type Server struct {
	// URL is the client-server API base URL, "http://127.0.0.1:PORT".
	URL string

	t        testing.TB
	bin      string
	dir      string
	addr     string
	database string // PostgreSQL connection string; "" for SQLite
	log      *os.File

	// ctx is cancelled, with an *ExitError as its cause, when the process
	// exits without Stop; and when the test ends.
	ctx      context.Context
	cancel   context.CancelCauseFunc
	reported atomic.Bool // Err has handed out the exit error

	proc *process // nil when stopped
}

// process is one run of the dendrite binary.
type process struct {
	cmd      *exec.Cmd
	done     chan struct{} // closed when cmd has exited
	stopping atomic.Bool   // the exit is Stop's doing
	killed   bool          // Kill has been called (test goroutine only)
	exit     *ExitError    // the exit when it was not Stop's doing; set before done is closed
}

// ExitError says that a homeserver exited while it was meant to be running.
type ExitError struct {
	// Status is how the process ended: "exit status 2", "signal: killed".
	Status string
	// LogPath is the homeserver's log file and LogTail its last lines.
	LogPath string
	LogTail string
}

func (e *ExitError) Error() string {
	return fmt.Sprintf("homeserver exited: %s; the last lines of its log (%s):\n%s", e.Status, e.LogPath, e.LogTail)
}

// errTestEnded cancels Context when the test is over.
var errTestEnded = errors.New("dendritetest: the test has ended")

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

// Start runs a fresh homeserver with a fresh database and stops it when the
// test ends. It skips the test when the binaries are missing (fails with
// BRIEFBOT_REQUIRE_DENDRITE=1).
func Start(t testing.TB) *Server {
	t.Helper()
	require := os.Getenv("BRIEFBOT_REQUIRE_DENDRITE") == "1"
	bin, err := BinDir()
	if err != nil {
		if require {
			t.Fatalf("BRIEFBOT_REQUIRE_DENDRITE=1: %v", err)
		}
		t.Skipf("skipping the real-homeserver test: %v", err)
	}
	baseURL := os.Getenv(DatabaseURLEnv)
	if baseURL == "" && require {
		t.Fatalf("BRIEFBOT_REQUIRE_DENDRITE=1 needs %s: Dendrite on SQLite is not safe under concurrent writes, so the required tests run it on PostgreSQL (run them through scripts/postgres.sh, which starts a throw-away server and sets the variable)", DatabaseURLEnv)
	}
	dir := t.TempDir()
	s := &Server{t: t, bin: bin, dir: dir, addr: freeAddr(t)}
	s.URL = "http://" + s.addr
	s.ctx, s.cancel = context.WithCancelCause(context.Background())
	if baseURL != "" {
		// registered before the cleanup below, so it runs after the
		// homeserver has stopped
		s.database = createDatabase(t, baseURL, "dendrite")
	}
	s.writeConfig()
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() && !s.reported.Load() {
			if err := s.exitError(); err != nil {
				t.Logf("dendritetest: %v", err)
			} else {
				s.dumpLog()
			}
		}
		s.cancel(errTestEnded)
		if s.log != nil {
			_ = s.log.Close()
		}
	})
	s.start()
	return s
}

// Database creates a fresh, empty PostgreSQL database on the server
// BRIEFBOT_TEST_DATABASE_URL names, for the test's own use next to its
// homeservers (the database that replicas of the bot share), drops it when
// the test ends, and returns its URL (a superuser's). It skips the test
// when the variable is not set, unless BRIEFBOT_REQUIRE_DENDRITE=1 or
// BRIEFBOT_REQUIRE_POSTGRES=1, which make it fail.
func Database(t testing.TB) string {
	t.Helper()
	baseURL := os.Getenv(DatabaseURLEnv)
	if baseURL == "" {
		if os.Getenv("BRIEFBOT_REQUIRE_DENDRITE") == "1" || os.Getenv("BRIEFBOT_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("the test needs a PostgreSQL server: set %s (scripts/postgres.sh starts one and sets it)", DatabaseURLEnv)
		}
		t.Skipf("skipping: the test needs a PostgreSQL server and %s is not set (scripts/postgres.sh starts one)", DatabaseURLEnv)
	}
	return createDatabase(t, baseURL, "briefbot")
}

// createDatabase creates a database named after prefix and the test on
// the server at baseURL, drops it when the test ends, and returns its
// connection string.
func createDatabase(t testing.TB, baseURL, prefix string) string {
	t.Helper()
	name := databaseName(prefix, t.Name())
	dsn, err := databaseURL(baseURL, name)
	if err != nil {
		t.Fatalf("dendritetest: %s: %v", DatabaseURLEnv, err)
	}
	if err := execAdmin(baseURL, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" ENCODING 'UTF8' LOCALE 'C' TEMPLATE template0"); err != nil {
		t.Fatalf("dendritetest: create the database %s: %v", name, err)
	}
	t.Cleanup(func() {
		// FORCE: a killed homeserver's connections may not be gone yet
		if err := execAdmin(baseURL, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("dendritetest: drop the database %s: %v", name, err)
		}
	})
	return dsn
}

// execAdmin runs one statement on the server at baseURL.
func execAdmin(baseURL, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, baseURL)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", DatabaseURLEnv, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}

// databaseName returns a new database name that shows which test made it.
func databaseName(prefix, testName string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(testName) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 32 {
			break
		}
	}
	return fmt.Sprintf("%s_%s_%d_%d", prefix, b.String(), os.Getpid(), dbSeq.Add(1))
}

var dbSeq atomic.Int64

// databaseURL is baseURL with its database replaced by name.
func databaseURL(baseURL, name string) (string, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return "", fmt.Errorf("parse the URL: %w", err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", fmt.Errorf("want a postgres:// URL, got scheme %q", u.Scheme)
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}

// writeConfig generates the CI config and key and adjusts the config:
// federation off, the PostgreSQL database when there is one, JetStream on
// disk (so Restart keeps the event streams), logs at info to a file in the
// data directory.
func (s *Server) writeConfig() {
	s.t.Helper()
	args := []string{"-ci", "-dir", s.dir}
	if s.database != "" {
		// -db sets global.database.connection_string and leaves the
		// components' own databases unset, so they all share it
		args = append(args, "-db", s.database)
	}
	out := s.run("generate-config", args...)
	var cfg map[string]any
	if err := yaml.Unmarshal(out, &cfg); err != nil {
		s.t.Fatalf("dendritetest: parse generated config: %v", err)
	}
	global := section(s.t, cfg, "global")
	global["private_key"] = filepath.Join(s.dir, "matrix_key.pem")
	global["disable_federation"] = true
	if s.database != "" {
		db := section(s.t, global, "database")
		if db["connection_string"] != s.database {
			s.t.Fatalf("dendritetest: generate-config -db did not set global.database.connection_string")
		}
		// Dendrite's default is 90 per process; the cluster is shared
		// with other tests
		db["max_open_conns"] = 40
		db["max_idle_conns"] = 5
	}
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
func (s *Server) logPath() string    { return filepath.Join(s.dir, "dendrite.log") }

// start launches dendrite and waits until it answers /versions.
func (s *Server) start() {
	s.t.Helper()
	if p := s.proc; p != nil {
		// it died or was killed: starting it again is allowed
		select {
		case <-p.done:
		default:
			if !p.killed {
				s.t.Fatalf("dendritetest: Start while the homeserver is running")
			}
			<-p.done
		}
		s.proc = nil
	}
	if s.log == nil {
		f, err := os.Create(s.logPath())
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
	p := &process{cmd: cmd, done: make(chan struct{})}
	s.proc = p
	go s.watch(p)
	s.waitReady(p, 60*time.Second)
}

// watch waits for p to exit and, unless Stop ended it, cancels the
// server's context with the exit status and the log's last lines. p.done is
// closed first, so a cancelled context means the process is gone.
func (s *Server) watch(p *process) {
	err := p.cmd.Wait()
	if !p.stopping.Load() {
		status := "exit status 0"
		if err != nil {
			status = err.Error()
		}
		p.exit = &ExitError{Status: status, LogPath: s.logPath(), LogTail: s.logTail(logTailLines)}
	}
	close(p.done)
	if p.exit != nil {
		s.cancel(p.exit)
	}
}

// waitReady polls /_matrix/client/versions until it answers 200.
func (s *Server) waitReady(p *process, timeout time.Duration) {
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
		case <-p.done:
			if p.exit != nil {
				s.reported.Store(true)
				s.t.Fatalf("dendritetest: dendrite exited before it was ready: %v", p.exit)
			}
			s.t.Fatalf("dendritetest: dendrite was stopped before it was ready")
		case <-deadline.C:
			s.dumpLog()
			s.t.Fatalf("dendritetest: dendrite not ready after %v", timeout)
		case <-tick.C:
		}
	}
}

// Context is cancelled when the homeserver exits without Stop being
// called (then context.Cause and Err return an *ExitError), and when the
// test ends. A test waiting for the homeserver to do something should
// also wait on Context().Done() and fail with Err. Context stays cancelled
// after an exit, even if the homeserver is started again.
func (s *Server) Context() context.Context { return s.ctx }

// Err returns the *ExitError when the homeserver has exited on its own,
// nil while it runs or after Stop.
func (s *Server) Err() error {
	err := s.exitError()
	if err != nil {
		s.reported.Store(true)
	}
	return err
}

func (s *Server) exitError() error {
	var ee *ExitError
	if errors.As(context.Cause(s.ctx), &ee) {
		return ee
	}
	return nil
}

// Stop stops the homeserver (SIGTERM, then SIGKILL after 10 seconds). It is
// a no-op when it is not running.
func (s *Server) Stop() {
	p := s.proc
	if p == nil {
		return
	}
	s.proc = nil
	p.stopping.Store(true)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// Kill kills the homeserver with SIGKILL, as a crash would, and returns
// without waiting: Context and Err report the exit. For testing the tests.
func (s *Server) Kill() {
	s.t.Helper()
	if s.proc == nil {
		s.t.Fatalf("dendritetest: Kill while the homeserver is not running")
	}
	s.proc.killed = true
	if err := s.proc.cmd.Process.Kill(); err != nil {
		s.t.Fatalf("dendritetest: kill the homeserver: %v", err)
	}
}

// Start starts a stopped homeserver again on the same address and data
// (and database) and waits until it answers.
func (s *Server) Start() {
	s.t.Helper()
	s.start()
}

// Restart stops the homeserver and starts it again on the same address and
// data (and database), like an operator's restart.
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
// its standard output; it fails the test with the tool's output on error
// (and the homeserver's exit, when that is why).
func (s *Server) run(tool string, args ...string) []byte {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, tool), args...)
	cmd.Dir = s.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if exit := s.Err(); exit != nil {
			s.t.Fatalf("dendritetest: %s %s: %v: %v", tool, strings.Join(args, " "), err, exit)
		}
		s.t.Fatalf("dendritetest: %s %s: %v\n%s%s", tool, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.Bytes()
}

// dumpLog prints the last lines of the homeserver's log to the test log.
func (s *Server) dumpLog() {
	s.t.Logf("dendrite log (%s), the last lines:\n%s", s.logPath(), s.logTail(40))
}

// logTail returns the last n lines of the homeserver's log.
func (s *Server) logTail(n int) string {
	f, err := os.Open(s.logPath())
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	defer f.Close()
	// the last 64 KiB hold n lines unless they are very long
	const window = 64 << 10
	if fi, err := f.Stat(); err == nil && fi.Size() > window {
		if _, err := f.Seek(fi.Size()-window, io.SeekStart); err != nil {
			return fmt.Sprintf("(cannot read the log: %v)", err)
		}
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return fmt.Sprintf("(cannot read the log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
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
