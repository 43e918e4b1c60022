package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// The process tests build briefbot once per test run and run it as a
// separate process, as an operator or a container would.
var build struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// briefbotBinary returns the path of a freshly built briefbot (with the
// goolm tag, like the Docker image).
func briefbotBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	build.once.Do(func() {
		dir, err := os.MkdirTemp("", "briefbot-test-bin")
		if err != nil {
			build.err = err
			return
		}
		build.path = filepath.Join(dir, "briefbot")
		cmd := exec.Command("go", "build", "-tags", "goolm", "-o", build.path, ".")
		build.out, build.err = cmd.CombinedOutput()
	})
	if build.err != nil {
		t.Fatalf("go build: %v\n%s", build.err, build.out)
	}
	return build.path
}

func TestMain(m *testing.M) {
	if os.Getenv("BRIEFBOT_TEST_CHILD") == "signals" {
		signalChild() // the test binary as a child process; never returns
	}
	code := m.Run()
	if build.path != "" {
		os.RemoveAll(filepath.Dir(build.path))
	}
	if bigCorpus.dir != "" {
		os.RemoveAll(bigCorpus.dir)
	}
	os.Exit(code)
}

// proc is a running briefbot serve.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string // stdout lines
	addr   chan string // the bound HTTP address, from the JSON log
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan error
}

// startServe starts `briefbot serve --config cfgPath` with a clean
// environment plus env.
func startServe(t *testing.T, cfgPath string, env ...string) *proc {
	t.Helper()
	bin := briefbotBinary(t)
	cmd := exec.Command(bin, "serve", "--config", cfgPath)
	cmd.Env = append(cleanEnv(t), env...)
	p := &proc{t: t, cmd: cmd, lines: make(chan string, 100), addr: make(chan string, 1), done: make(chan error, 1)}
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var readers sync.WaitGroup
	readers.Go(func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	})
	readers.Go(func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.stderr.WriteString(line + "\n")
			p.mu.Unlock()
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "http listening" {
				p.addr <- rec.Addr
			}
		}
	})
	go func() {
		readers.Wait() // all output is read before Wait closes the pipes
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("stderr of briefbot serve:\n%s", p.logs())
		}
	})
	return p
}

func (p *proc) logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// cleanEnv is the test's environment without BRIEFBOT_ variables, with a
// throw-away home, and Frog off: it would take 2 GB and seconds of CPU per
// serve and change the answers once loaded (analysis_test.go turns it on).
func cleanEnv(t *testing.T) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BRIEFBOT_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "XDG_") {
			env = append(env, kv)
		}
	}
	return append(env, "HOME="+t.TempDir(), "BRIEFBOT_FROG_MODE=off")
}

// baseURL waits for the listener's address in the log.
func (p *proc) baseURL() string {
	p.t.Helper()
	select {
	case a := <-p.addr:
		return "http://" + a
	case err := <-p.done:
		p.t.Fatalf("briefbot serve exited before listening: %v", err)
	case <-time.After(60 * time.Second):
		p.t.Fatal("briefbot serve did not log its HTTP address within 60s")
	}
	return ""
}

// waitLine reads stdout until a line contains want.
func (p *proc) waitLine(want string) {
	p.t.Helper()
	deadline := time.After(30 * time.Second)
	var seen []string
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("stdout ended without %q; got:\n%s", want, strings.Join(seen, "\n"))
			}
			if strings.Contains(l, want) {
				return
			}
			seen = append(seen, l)
		case <-deadline:
			p.t.Fatalf("no stdout line with %q within 30s; got:\n%s", want, strings.Join(seen, "\n"))
		}
	}
}

// terminate sends SIGTERM and expects exit status 0 within 5 seconds.
func (p *proc) terminate() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			p.t.Fatalf("briefbot serve after SIGTERM: %v, want exit status 0", err)
		}
	case <-time.After(5 * time.Second):
		p.t.Fatal("briefbot serve did not exit within 5s of SIGTERM")
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// waitReady polls /readyz until it answers 200 and returns its body.
func waitReady(t *testing.T, base string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond) // polling a real process: nothing to wait on
	defer tick.Stop()
	for {
		code, body := get(t, base+"/readyz")
		if code == http.StatusOK {
			return body
		}
		if code != http.StatusServiceUnavailable {
			t.Fatalf("/readyz answered %d, want 200 or 503: %s", code, body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still 503 after 60s: %s", body)
		}
		<-tick.C
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestServeProcess is the operator's view: a configured briefbot serve with
// the console on a pipe and the HTTP listener on a free port answers the
// health, readiness and metrics endpoints, answers a question, and exits 0
// within 5 seconds of SIGTERM, logging no message text.
func TestServeProcess(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "briefbot.yaml", `
data_dir: `+filepath.Join(dir, "data")+`
console: true
log: {level: info, format: json}
http: {addr: "127.0.0.1:0"}
digest:
  subscriptions:
    - {platform: console, conversation: console, topic: interference, cron: "0 7 * * *"}
`)
	p := startServe(t, cfg)
	base := p.baseURL()

	if code, body := get(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d %q, want 200", code, body)
	}
	var ready struct {
		Ready      bool
		Articles   int
		Components map[string]struct{ State string }
	}
	if err := json.Unmarshal([]byte(waitReady(t, base)), &ready); err != nil {
		t.Fatal(err)
	}
	if !ready.Ready || ready.Articles != 5 || ready.Components["console"].State != "running" || ready.Components["scheduler"].State != "running" {
		t.Errorf("/readyz = %+v, want ready, 5 articles, console and scheduler running", ready)
	}

	const question = "Who fired Krebs?"
	if _, err := io.WriteString(p.stdin, question+"\n"); err != nil {
		t.Fatal(err)
	}
	p.waitLine("Donald Trump")

	code, metrics := get(t, base+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d", code)
	}
	for _, want := range []string{
		`briefbot_questions_total{answered="true",platform="console"} 1`,
		`briefbot_answer_duration_seconds_count{platform="console"} 1`,
		`briefbot_articles_loaded 5`,
		`briefbot_adapter_up{adapter="console"} 1`,
		`briefbot_adapter_starts_total{adapter="console"} 1`,
		`briefbot_digests_total{platform="console",result="posted"} 0`,
		`go_goroutines `,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	p.terminate()
	logs := p.logs()
	if strings.Contains(logs, "Krebs") {
		t.Errorf("the logs contain the question's text:\n%s", logs)
	}
	if !strings.Contains(logs, `"msg":"stopped"`) {
		t.Errorf("no clean stop logged:\n%s", logs)
	}
}

// TestServeChatIgnoresEndOfInput: with a chat adapter configured (Slack in
// HTTP mode, which needs no network at start when bot_user_id is given) the
// console is off unless asked for, closed standard input does not stop the
// server (with console: true only the console stops, and the server stays
// ready), the Slack handler is mounted on the listener (an unsigned request
// is refused with 401), secrets come from a file and an environment
// variable, and SIGTERM stops it with exit 0.
func TestServeChatIgnoresEndOfInput(t *testing.T) {
	for _, console := range []bool{false, true} {
		t.Run(fmt.Sprintf("console=%v", console), func(t *testing.T) {
			dir := t.TempDir()
			secret := writeFile(t, dir, "signing_secret", "s3cr3t-signing\n")
			cfg := writeFile(t, dir, "briefbot.yaml", fmt.Sprintf(`
data_dir: %s
console: %v
log: {level: debug, format: json}
http: {addr: "127.0.0.1:0"}
slack:
  mode: http
  bot_user_id: U0BOT
  signing_secret_file: %s
`, filepath.Join(dir, "data"), console, secret))
			p := startServe(t, cfg, "BRIEFBOT_SLACK_BOT_TOKEN=xoxb-test-token-value")
			p.stdin.Close() // end of input at once
			base := p.baseURL()
			wantConsole := `"console"` // absent
			if console {
				wantConsole = `"console":{"state":"stopped"}`
			}
			body := waitReadyWith(t, base, wantConsole, console)
			if !strings.Contains(body, `"slack":{"state":"running"}`) {
				t.Errorf("/readyz = %s, want slack running", body)
			}
			resp, err := http.Post(base+"/slack/events", "application/json", strings.NewReader(`{"type":"url_verification","challenge":"x"}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("unsigned POST /slack/events = %d, want 401", resp.StatusCode)
			}
			p.terminate()
			if logs := p.logs(); strings.Contains(logs, "xoxb-test-token-value") || strings.Contains(logs, "s3cr3t-signing") {
				t.Errorf("a secret was logged:\n%s", logs)
			}
		})
	}
}

// waitReadyWith polls /readyz until it is 200 and its body contains sub
// (present) or does not contain it (!present).
func waitReadyWith(t *testing.T, base, sub string, present bool) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		body := waitReady(t, base)
		if strings.Contains(body, sub) == present {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz = %s; want %q present=%v", body, sub, present)
		}
		<-tick.C
	}
}

// TestServeWithoutConfig keeps the original behaviour: no configuration, a
// question piped in, the answer printed, exit 0 at the end of input.
func TestServeWithoutConfig(t *testing.T) {
	bin := briefbotBinary(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(cleanEnv(t), "BRIEFBOT_DATA="+t.TempDir())
	cmd.Stdin = strings.NewReader("Who fired Krebs?\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("briefbot serve: %v\n%s", err, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "Donald Trump\n") {
		t.Errorf("stdout = %q, want the answer Donald Trump first", stdout.String())
	}
}

// TestServeBadConfigExits2 checks that serve refuses a bad configuration
// with the usage exit code before starting anything.
func TestServeBadConfigExits2(t *testing.T) {
	bin := briefbotBinary(t)
	cfg := writeFile(t, t.TempDir(), "bad.yaml", "log: {level: loud}\n")
	cmd := exec.Command(bin, "serve", "--config", cfg)
	cmd.Env = cleanEnv(t)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("serve with a bad config: %v, want exit status 2\n%s", err, out)
	}
	if !strings.Contains(string(out), "log.level") {
		t.Errorf("output does not name log.level:\n%s", out)
	}
}

// TestHealthcheckCommand probes a real listener and a closed port.
func TestHealthcheckCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "briefbot.yaml", "data_dir: "+filepath.Join(dir, "data")+"\nconsole: true\nlog: {level: info, format: json}\nhttp: {addr: \"127.0.0.1:0\"}\n")
	p := startServe(t, cfg)
	base := p.baseURL()
	bin := briefbotBinary(t)
	if out, err := exec.Command(bin, "healthcheck", "--url", base+"/healthz").CombinedOutput(); err != nil {
		t.Errorf("healthcheck of a live server: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "healthcheck", "--url", base+"/nothing-here").CombinedOutput(); err == nil {
		t.Errorf("healthcheck of a 404 succeeded:\n%s", out)
	}
	p.terminate()
	if out, err := exec.Command(bin, "healthcheck", "--url", base+"/healthz", "--timeout", "2s").CombinedOutput(); err == nil {
		t.Errorf("healthcheck of a stopped server succeeded:\n%s", out)
	}
}

// handlerFunc adapts a function to bot.Handler.
type handlerFunc func(ctx context.Context, from bot.Sender, m bot.Message)

func (f handlerFunc) HandleMessage(ctx context.Context, from bot.Sender, m bot.Message) {
	f(ctx, from, m)
}

// TestDetachedHandler: a message being handled keeps its context when the
// adapter's context ends (shutdown), and loses it when the hard deadline
// passes.
func TestDetachedHandler(t *testing.T) {
	hard, hardCancel := context.WithCancel(context.Background())
	defer hardCancel()
	adapterCtx, stopAdapter := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "kept"))
	running, checked := make(chan context.Context), make(chan struct{})
	finished := make(chan error)
	h := detached{hard: hard, next: handlerFunc(func(ctx context.Context, _ bot.Sender, _ bot.Message) {
		running <- ctx
		<-checked
		<-ctx.Done()
		finished <- ctx.Err()
	})}
	go h.HandleMessage(adapterCtx, nil, bot.Message{})
	ctx := <-running
	stopAdapter()
	if err := ctx.Err(); err != nil {
		t.Errorf("handler context ended with the adapter's: %v", err)
	}
	if v, _ := ctx.Value(ctxKey{}).(string); v != "kept" {
		t.Errorf("handler context lost the adapter's values: %q", v)
	}
	close(checked)
	hardCancel()
	if err := <-finished; !errors.Is(err, context.Canceled) {
		t.Errorf("after the hard deadline the handler context ended with %v, want Canceled", err)
	}
}

type ctxKey struct{}
