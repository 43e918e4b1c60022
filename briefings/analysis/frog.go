package analysis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// FrogOptions configures NewFrog. The zero value runs one Frog process,
// "frog" from PATH, with every module.
type FrogOptions struct {
	// Binary is the frog program; "" looks "frog" up on PATH. Unused with
	// Addresses.
	Binary string
	// Processes is how many Frog server processes to run; 0 means 1. Each
	// loads Frog's models: measured 1.8 GB resident with every module and
	// 1.3 GB without the parser, and 12–50 s of start-up (about 13 s of CPU
	// time). Unused with Addresses.
	Processes int
	// Connections is how many connections to open to each process (or
	// address); 0 means 1. Frog serves each connection in a child process
	// forked from the server, sharing the loaded models copy-on-write
	// (measured under 0.1 GB of its own), so connections, not processes,
	// are the cheap way to use more CPU cores. A failing connection takes
	// its whole process down for a restart.
	Connections int
	// Skip lists the Frog modules not to run, as Frog's --skip: p
	// (dependency parser: Token.Head and Rel), a (morphological analysis:
	// Token.Parts), m (multi-word units; also turns the parser off), n
	// (named entities), c (chunker), l (lemmatizer), t (tokenizer: words are
	// then split at spaces only). "" runs every module. Measured per CPU
	// second of one connection: about 150 words with every module, 315
	// with "p" and 500 with "amp".
	Skip string
	// Addresses, when set, are host:port of Frog servers already running,
	// used instead of starting processes: one supervised slot per address.
	// They must run with -n (one sentence per line) and should run with the
	// Skip given here, which only enters the cache version.
	Addresses []string
	// MaxWords bounds the words sent to Frog as one sentence; 0 means 150.
	// A longer sentence is sent in pieces of at most MaxWords words (broken
	// after a comma, semicolon or colon where one is near), analysed as
	// separate sentences, and its tokens are concatenated; words past
	// 8×MaxWords are dropped.
	MaxWords int
	// StartTimeout bounds the start of one process: loading its models
	// until it answers a test sentence; 0 means 2 minutes.
	StartTimeout time.Duration
	// RequestTimeout bounds the wait for a free connection and each round
	// trip to Frog: the answer for one sentence (or one piece of MaxWords
	// words). A process that does not answer in time is considered hung,
	// killed and restarted. 0 means 20 seconds. The whole Analyze call is
	// bounded by its ctx.
	RequestTimeout time.Duration
	// RestartBackoff is the wait before restarting a failed process; it
	// doubles, up to 64 times, while the process keeps failing before it has
	// run for a minute. 0 means 1 second.
	RestartBackoff time.Duration
	// Logger receives the pool's log (start-ups, failures, restarts; Frog's
	// own output at debug level); nil discards it. Sentence text is never
	// logged.
	Logger *slog.Logger
}

const (
	defaultMaxWords = 150
	// healthyAfter is how long a process must have run for its failure to
	// restart the backoff from RestartBackoff.
	healthyAfter = time.Minute
	// maxBackoffFactor bounds the restart backoff at this many times
	// RestartBackoff.
	maxBackoffFactor = 64
	// probeSentence is sent to every new connection before it is used.
	probeSentence = "Dit is een korte zin."
	// defaultFrogConfig is the Dutch configuration of the Debian frogdata
	// package, whose date enters Version.
	defaultFrogConfig = "/usr/share/frog/nld/frog.cfg"
)

// Frog is an Analyzer backed by a pool of Frog server processes (or of
// connections to Frog servers given as addresses). It is safe for
// concurrent use. Each connection serves one request at a time; a request
// for several sentences uses every connection idle at the time.
//
// Processes start in the background: Analyze fails with ErrUnavailable
// until one is ready (see Ready, WaitReady and Status), and while all are
// restarting. A process that dies, hangs past RequestTimeout or answers
// something that is not Frog's format is killed (SIGKILL, with the children
// Frog forks per connection) and restarted with exponential backoff.
//
// Frog's server listens on every network interface (it has no option to
// bind to loopback); the pool connects to 127.0.0.1 only.
type Frog struct {
	opts    FrogOptions // with defaults filled in
	log     *slog.Logger
	version string
	slots   int

	ctx    context.Context // the pool's life: ends at Close
	cancel context.CancelFunc
	idle   chan *frogConn // ready connections; may hold dead ones, which are skipped
	wg     sync.WaitGroup // supervisors and drains

	closeOnce sync.Once

	mu          sync.Mutex
	changed     chan struct{} // closed and replaced when live, closed or a slot changes
	closed      bool
	live        int // connections registered and not failed
	slotState   []slotState
	restarts    int
	lastErr     string
	lastErrAt   time.Time
	frogVersion string
}

type slotState struct {
	pid   int
	ready bool
}

// Status is a snapshot of a Frog pool for operators and health checks.
type Status struct {
	Name           string    // "frog"
	Ready          bool      // at least one connection can take a request
	Processes      int       // processes (or addresses) configured
	ReadyProcesses int       // of those, how many are running and answering
	Connections    int       // connections ready (idle or busy)
	Restarts       int       // restarts after a failure, since NewFrog
	LastError      string    // why a process last failed; "" if none has
	LastErrorAt    time.Time // when; zero if none has
	PIDs           []int     // server processes running (not their per-connection children); none with Addresses
	FrogVersion    string    // as Frog reports it at start-up ("0.20"); "" until known
	Version        string    // Version(), as the cache uses it
	Closed         bool
}

// NewFrog checks opts and starts the pool in the background; it does not
// wait for Frog to load (see WaitReady). ctx bounds the pool's life: when
// it ends, the processes are killed as by Close, which must still be
// called. It fails only for options that cannot work: a missing binary, a
// bad Skip letter or address, or non-Linux without Addresses.
func NewFrog(ctx context.Context, opts FrogOptions) (*Frog, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	skip, err := normalizeSkip(opts.Skip)
	if err != nil {
		return nil, err
	}
	opts.Skip = skip
	if opts.Processes <= 0 {
		opts.Processes = 1
	}
	if opts.Connections <= 0 {
		opts.Connections = 1
	}
	if opts.MaxWords <= 0 {
		opts.MaxWords = defaultMaxWords
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 2 * time.Minute
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 20 * time.Second
	}
	if opts.RestartBackoff <= 0 {
		opts.RestartBackoff = time.Second
	}
	version := fmt.Sprintf("frog-proto1 skip=%s words=%d", opts.Skip, opts.MaxWords)
	slots := opts.Processes
	if len(opts.Addresses) > 0 {
		opts.Addresses = slices.Clone(opts.Addresses)
		for _, a := range opts.Addresses {
			if _, _, err := net.SplitHostPort(a); err != nil {
				return nil, fmt.Errorf("frog: server address %q is not host:port: %w", a, err)
			}
		}
		slots = len(opts.Addresses)
		version += " remote"
	} else {
		if !canStartProcesses {
			return nil, errors.New("frog: starting Frog processes works on Linux only; give the addresses of running Frog servers instead")
		}
		bin := opts.Binary
		if bin == "" {
			bin = "frog"
		}
		path, err := exec.LookPath(bin)
		if err != nil {
			return nil, fmt.Errorf("frog: program %q not found (install the Debian packages frog and frogdata, or configure the path of frog): %w", bin, err)
		}
		opts.Binary = path
		// The dates of the program and of its Dutch models stand for their
		// versions, so an upgrade does not serve old cached annotations.
		for _, p := range []string{path, defaultFrogConfig} {
			if fi, err := os.Stat(p); err == nil {
				version += fmt.Sprintf(" %s=%d", p, fi.ModTime().Unix())
			}
		}
	}
	f := &Frog{
		opts:      opts,
		log:       log.With("analyser", "frog"),
		version:   version,
		slots:     slots,
		idle:      make(chan *frogConn, slots*opts.Connections),
		changed:   make(chan struct{}),
		slotState: make([]slotState, slots),
	}
	f.ctx, f.cancel = context.WithCancel(ctx)
	for i := range slots {
		f.wg.Add(1)
		go f.supervise(i)
	}
	return f, nil
}

// normalizeSkip checks Frog's --skip letters and sorts them.
func normalizeSkip(s string) (string, error) {
	var letters []rune
	for _, r := range strings.ToLower(s) {
		if !strings.ContainsRune("tlacmnp", r) {
			return "", fmt.Errorf("frog: skip %q: %q is not a Frog module (t, l, a, c, m, n or p)", s, r)
		}
		if !slices.Contains(letters, r) {
			letters = append(letters, r)
		}
	}
	slices.Sort(letters)
	return string(letters), nil
}

// Name implements Analyzer.
func (f *Frog) Name() string { return "frog" }

// Version implements Versioner: the protocol, Skip, MaxWords and the dates
// of the frog program and its Dutch configuration.
func (f *Frog) Version() string { return f.version }

// Ready implements Readier: whether a connection can take a request now.
func (f *Frog) Ready() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.live > 0 && !f.closed
}

// WaitReady blocks until a connection is ready, ctx ends or f is closed.
func (f *Frog) WaitReady(ctx context.Context) error {
	for {
		f.mu.Lock()
		live, closed, changed, lastErr := f.live, f.closed, f.changed, f.lastErr
		f.mu.Unlock()
		switch {
		case closed:
			return fmt.Errorf("frog: %w: the pool is closed", ErrUnavailable)
		case live > 0:
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			if lastErr != "" {
				return fmt.Errorf("frog: waiting for a process to start (last failure: %s): %w", lastErr, ctx.Err())
			}
			return fmt.Errorf("frog: waiting for a process to start: %w", ctx.Err())
		}
	}
}

// Status reports the pool's state; it does not block.
func (f *Frog) Status() Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := Status{
		Name:        f.Name(),
		Ready:       f.live > 0 && !f.closed,
		Processes:   f.slots,
		Connections: f.live,
		Restarts:    f.restarts,
		LastError:   f.lastErr,
		LastErrorAt: f.lastErrAt,
		FrogVersion: f.frogVersion,
		Version:     f.version,
		Closed:      f.closed,
	}
	for _, s := range f.slotState {
		if s.ready {
			st.ReadyProcesses++
		}
		if s.pid != 0 {
			st.PIDs = append(st.PIDs, s.pid)
		}
	}
	return st
}

// Close kills every Frog process (SIGKILL: Frog takes seconds to act on
// SIGTERM) and waits for them and for the pool's goroutines. Requests in
// flight fail with ErrUnavailable. Close may be called more than once.
func (f *Frog) Close() error {
	f.closeOnce.Do(func() {
		f.mu.Lock()
		f.closed = true
		f.notifyLocked()
		f.mu.Unlock()
		f.cancel()
		f.wg.Wait()
		f.log.Info("frog stopped")
	})
	return nil
}

func (f *Frog) notifyLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// Analyze implements Analyzer. Each sentence is cleaned before it is sent
// (see FrogOptions.MaxWords for long ones): control characters and line
// breaks become spaces, invisible format characters are dropped, and words
// over 128 bytes are cut, so a Token's Text can differ from the input in
// those characters. A sentence without words gets no tokens. Frog may find
// several sentences in one input sentence; their tokens are concatenated
// and each keeps its own root (Head -1).
//
// It fails with an error wrapping ErrUnavailable when no process is ready,
// none becomes free within RequestTimeout, or a process fails during the
// request, and with ctx's error when ctx ends first; it returns promptly
// then, and the connection is cleaned up in the background.
func (f *Frog) Analyze(ctx context.Context, sentences []string) ([]Sentence, error) {
	out := make([]Sentence, len(sentences))
	type piece struct {
		sent int
		line string
		toks []Token
	}
	var pieces []piece
	for i, s := range sentences {
		out[i].Text = s
		for _, line := range frogLines(s, f.opts.MaxWords) {
			pieces = append(pieces, piece{sent: i, line: line})
		}
	}
	if len(pieces) == 0 {
		return out, nil
	}
	conns, err := f.acquire(ctx, len(pieces))
	if err != nil {
		return nil, err
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		errOnce  sync.Once
		firstErr error
		wg       sync.WaitGroup
	)
	for _, c := range conns {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(pieces) || runCtx.Err() != nil {
					f.release(c)
					return
				}
				toks, how, err := c.roundTrip(runCtx, pieces[i].line)
				if err != nil && how == tripBroken && c.dead.Load() && runCtx.Err() == nil {
					// The connection was closed under us (its process is
					// being restarted): try once more on another one.
					if more, aerr := f.acquire(runCtx, 1); aerr == nil {
						c = more[0]
						toks, how, err = c.roundTrip(runCtx, pieces[i].line)
					}
				}
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					cancel()
					switch how {
					case tripClean:
						f.release(c)
					case tripDrain:
						f.drain(c)
					default:
						c.fail(err)
					}
					return
				}
				pieces[i].toks = toks
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("frog analysis of %d sentences: %w", len(sentences), err)
	}
	if firstErr != nil {
		return nil, fmt.Errorf("frog analysis of %d sentences: %w: %w", len(sentences), ErrUnavailable, firstErr)
	}
	for _, p := range pieces {
		s := &out[p.sent]
		off := len(s.Tokens)
		for _, t := range p.toks {
			if t.Head >= 0 {
				t.Head += off
			}
			s.Tokens = append(s.Tokens, t)
		}
	}
	return out, nil
}

// acquire waits for an idle connection and takes up to max-1 more that are
// idle too. It fails at once when no connection is live.
func (f *Frog) acquire(ctx context.Context, max int) ([]*frogConn, error) {
	timer := time.NewTimer(f.opts.RequestTimeout)
	defer timer.Stop()
	for {
		f.mu.Lock()
		closed, live, changed, lastErr := f.closed, f.live, f.changed, f.lastErr
		f.mu.Unlock()
		switch {
		case closed:
			return nil, fmt.Errorf("frog analysis: %w: the pool is closed", ErrUnavailable)
		case live == 0 && lastErr != "":
			return nil, fmt.Errorf("frog analysis: %w: no Frog process is ready; restarting after: %s", ErrUnavailable, lastErr)
		case live == 0:
			return nil, fmt.Errorf("frog analysis: %w: no Frog process is ready yet (starting)", ErrUnavailable)
		}
		select {
		case c := <-f.idle:
			if c.dead.Load() {
				continue
			}
			conns := []*frogConn{c}
			for len(conns) < max {
				if c := f.tryIdle(); c != nil {
					conns = append(conns, c)
					continue
				}
				break
			}
			return conns, nil
		case <-changed:
		case <-ctx.Done():
			return nil, fmt.Errorf("frog analysis: waiting for a free Frog connection: %w", ctx.Err())
		case <-timer.C:
			return nil, fmt.Errorf("frog analysis: %w: all Frog connections stayed busy for %s", ErrUnavailable, f.opts.RequestTimeout)
		}
	}
}

// tryIdle takes an idle live connection without waiting, or returns nil.
func (f *Frog) tryIdle() *frogConn {
	for {
		select {
		case c := <-f.idle:
			if !c.dead.Load() {
				return c
			}
		default:
			return nil
		}
	}
}

// release returns a connection after use; a dead one is dropped.
func (f *Frog) release(c *frogConn) {
	if c.dead.Load() {
		return
	}
	select {
	case f.idle <- c:
	default:
		// Cannot happen: the channel holds every live connection.
		c.fail(errors.New("connection pool overflow"))
	}
}

// purgeIdle drops dead connections from the idle channel, so a restarted
// process always finds room for its new ones.
func (f *Frog) purgeIdle() {
	var keep []*frogConn
	for c := f.tryIdle(); c != nil; c = f.tryIdle() {
		keep = append(keep, c)
	}
	for _, c := range keep {
		f.release(c)
	}
}

// drain reads, in the background, the rest of an answer whose request was
// cancelled, and then returns the connection to the pool; a process that
// does not finish within RequestTimeout is considered hung.
func (f *Frog) drain(c *frogConn) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		c.fail(errors.New("the pool is closed"))
		return
	}
	f.wg.Add(1)
	f.mu.Unlock()
	go func() {
		defer f.wg.Done()
		if err := c.nc.SetDeadline(time.Now().Add(f.opts.RequestTimeout)); err != nil {
			c.fail(err)
			return
		}
		if err := c.rr.skip(); err != nil {
			c.fail(fmt.Errorf("%s: no end of answer within %s after a cancelled request: %w", c.name, f.opts.RequestTimeout, err))
			return
		}
		f.release(c)
	}()
}

// supervise keeps slot's process running until the pool closes.
func (f *Frog) supervise(slot int) {
	defer f.wg.Done()
	backoff := f.opts.RestartBackoff
	for {
		readyAt, err := f.serve(slot)
		if f.ctx.Err() != nil {
			return
		}
		if err == nil {
			err = errors.New("stopped for no known reason")
		}
		if !readyAt.IsZero() && time.Since(readyAt) >= healthyAfter {
			backoff = f.opts.RestartBackoff
		}
		f.mu.Lock()
		f.restarts++
		f.lastErr = err.Error()
		f.lastErrAt = time.Now()
		f.notifyLocked()
		f.mu.Unlock()
		f.log.Warn("frog process failed; restarting it", "slot", slot+1, "error", err, "restart_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-f.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoffFactor*f.opts.RestartBackoff)
	}
}

// serve runs one process (or connects to one address) for slot until it
// fails or the pool closes, and reports when it became ready (zero if it
// never did) and why it stopped (nil when the pool closed).
func (f *Frog) serve(slot int) (readyAt time.Time, err error) {
	started := time.Now()
	var (
		addr string
		name string
		p    *frogProcess
	)
	if len(f.opts.Addresses) > 0 {
		addr = f.opts.Addresses[slot]
		name = "frog server " + addr
	} else {
		p, err = f.start(slot)
		if err != nil {
			return time.Time{}, err
		}
		addr, name = p.addr, fmt.Sprintf("frog process %d (pid %d)", slot+1, p.pid)
		f.setSlot(slot, slotState{pid: p.pid})
		defer func() {
			p.kill()
			f.setSlot(slot, slotState{})
		}()
	}

	startCtx, cancel := context.WithTimeout(f.ctx, f.opts.StartTimeout)
	conns, err := f.connect(startCtx, name, addr, p)
	cancel()
	if f.ctx.Err() != nil {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}

	broken := make(chan error, len(conns))
	for _, c := range conns {
		c.broken = broken
	}
	f.mu.Lock()
	f.live += len(conns)
	f.slotState[slot].ready = true
	if p != nil && f.frogVersion == "" {
		f.frogVersion = p.out.frogVersion()
	}
	f.notifyLocked()
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.slotState[slot].ready = false
		f.notifyLocked()
		f.mu.Unlock()
		for _, c := range conns {
			c.fail(errors.New("stopped"))
		}
		f.purgeIdle()
	}()
	for _, c := range conns {
		f.release(c)
	}
	readyAt = time.Now()
	f.log.Info("frog ready", "process", name, "connections", len(conns),
		"startup", readyAt.Sub(started).Round(time.Millisecond), "skip", f.opts.Skip)

	var exited <-chan struct{}
	if p != nil {
		exited = p.exited
	}
	select {
	case <-f.ctx.Done():
		return readyAt, nil
	case err := <-broken:
		return readyAt, err
	case <-exited:
		return readyAt, fmt.Errorf("%s exited: %s", name, p.exitReason())
	}
}

func (f *Frog) setSlot(slot int, s slotState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.slotState[slot] = s
	f.notifyLocked()
}

// connect opens and tests opts.Connections connections to addr, retrying
// while process p (nil for a server given by address) is still loading.
func (f *Frog) connect(ctx context.Context, name, addr string, p *frogProcess) ([]*frogConn, error) {
	var conns []*frogConn
	fail := func(err error) ([]*frogConn, error) {
		for _, c := range conns {
			c.nc.Close()
		}
		if p != nil {
			select {
			case <-p.exited:
				return nil, fmt.Errorf("%s exited during start-up: %s", name, p.exitReason())
			default:
			}
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%s did not start within %s (last output: %s): %w", name, f.opts.StartTimeout, p.out, err)
			}
		}
		return nil, err
	}
	for len(conns) < f.opts.Connections {
		nc, err := f.dial(ctx, addr, p)
		if err != nil {
			return fail(fmt.Errorf("%s: connect to %s: %w", name, addr, err))
		}
		c := &frogConn{f: f, nc: nc, rr: newResponseReader(nc), name: name}
		conns = append(conns, c)
		toks, _, err := c.roundTrip(ctx, probeSentence)
		if err == nil && len(toks) == 0 {
			err = fmt.Errorf("%w: no tokens for a test sentence", errProtocol)
		}
		if err != nil {
			return fail(fmt.Errorf("%s: test sentence (is it a Frog server started with -n?): %w", name, err))
		}
	}
	return conns, nil
}

// dial connects to addr; for a starting process it retries until the
// process listens, exits, or ctx ends.
func (f *Frog) dial(ctx context.Context, addr string, p *frogProcess) (net.Conn, error) {
	var d net.Dialer
	if p == nil {
		return d.DialContext(ctx, "tcp", addr)
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		nc, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return nc, nil
		}
		select {
		case <-p.exited:
			return nil, errors.New("the process exited")
		case <-ctx.Done():
			return nil, err
		case <-tick.C:
		}
	}
}

// start starts one Frog server process on a free loopback port, in its own
// process group and its own temporary working directory (Frog writes debug
// files into it).
func (f *Frog) start(slot int) (*frogProcess, error) {
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("frog process %d: find a free TCP port on 127.0.0.1: %w", slot+1, err)
	}
	dir, err := os.MkdirTemp("", "briefbot-frog-")
	if err != nil {
		return nil, fmt.Errorf("frog process %d: create its working directory: %w", slot+1, err)
	}
	args := []string{"-S", strconv.Itoa(port), "-n"}
	if f.opts.Skip != "" {
		args = append(args, "--skip="+f.opts.Skip)
	}
	cmd := exec.Command(f.opts.Binary, args...)
	cmd.Dir = dir
	out := &outputTail{log: f.log, slot: slot + 1}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = frogProcAttr()
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("frog process %d: start %s: %w", slot+1, f.opts.Binary, err)
	}
	p := &frogProcess{
		pid:    cmd.Process.Pid,
		addr:   net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		dir:    dir,
		out:    out,
		exited: make(chan struct{}),
	}
	f.log.Debug("frog process started", "slot", slot+1, "pid", p.pid, "port", port, "args", strings.Join(args, " "))
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// freePort asks the kernel for a TCP port that is free on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// frogProcess is one running Frog server.
type frogProcess struct {
	pid     int
	addr    string
	dir     string
	out     *outputTail
	exited  chan struct{} // closed when the process has been waited for
	waitErr error         // set before exited is closed
}

// kill kills the process and the children it forked for connections, waits
// for it and removes its working directory.
func (p *frogProcess) kill() {
	killGroup(p.pid)
	<-p.exited
	os.RemoveAll(p.dir)
}

// exitReason describes how an exited process ended, with its last output.
func (p *frogProcess) exitReason() string {
	<-p.exited
	hint := ""
	if strings.Contains(p.out.String(), "[tokenizer]") {
		// frog's tokenizer rules come in uctodata, only a Recommends of frog
		hint = "; its tokenizer rules are missing: install Debian's uctodata (apt-get install ucto uctodata)"
	}
	if p.waitErr == nil {
		return fmt.Sprintf("exit status 0 (last output: %s)%s", p.out, hint)
	}
	return fmt.Sprintf("%v (last output: %s)%s", p.waitErr, p.out, hint)
}

// frogConn is one connection to a Frog server, used by one request (or one
// drain) at a time.
type frogConn struct {
	f      *Frog
	nc     net.Conn
	rr     *responseReader
	name   string
	broken chan<- error // tells the process's supervisor; set before first use

	failOnce sync.Once
	dead     atomic.Bool
}

// trip is how a round trip ended, and so what becomes of its connection.
type trip int

const (
	tripOK     trip = iota
	tripClean       // failed before anything was sent: the connection can be reused
	tripDrain       // ctx ended while Frog was working: skip the answer, then reuse
	tripBroken      // the connection (and its process) cannot be trusted any more
)

// roundTrip sends one line and reads its answer.
func (c *frogConn) roundTrip(ctx context.Context, line string) ([]Token, trip, error) {
	if err := ctx.Err(); err != nil {
		return nil, tripClean, fmt.Errorf("%s: %w", c.name, context.Cause(ctx))
	}
	timeout := c.f.opts.RequestTimeout
	deadline := time.Now().Add(timeout)
	ctxDeadline, ok := ctx.Deadline()
	byCtx := ok && ctxDeadline.Before(deadline)
	if byCtx {
		deadline = ctxDeadline
	}
	if err := c.nc.SetDeadline(deadline); err != nil {
		return nil, tripBroken, fmt.Errorf("%s: %w", c.name, err)
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		_ = c.nc.SetDeadline(time.Unix(1, 0)) // in the past: interrupts the I/O
		close(fired)
	})
	defer func() {
		if !stop() {
			<-fired
		}
	}()
	interrupted := func(err error) bool {
		return errors.Is(err, os.ErrDeadlineExceeded) &&
			(ctx.Err() != nil || (byCtx && !time.Now().Before(deadline)))
	}
	cause := func() error {
		if err := context.Cause(ctx); err != nil {
			return err
		}
		return context.DeadlineExceeded
	}

	if n, err := io.WriteString(c.nc, line+"\n"); err != nil {
		if n == 0 && interrupted(err) {
			return nil, tripClean, fmt.Errorf("%s: %w", c.name, cause())
		}
		return nil, tripBroken, fmt.Errorf("%s: send a sentence: %w", c.name, err)
	}
	blocks, err := c.rr.next()
	switch {
	case err == nil:
		return assemble(blocks), tripOK, nil
	case interrupted(err):
		return nil, tripDrain, fmt.Errorf("%s: %w", c.name, cause())
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil, tripBroken, fmt.Errorf("%s: no answer within %s (hung?)", c.name, timeout)
	default:
		return nil, tripBroken, fmt.Errorf("%s: read the answer: %w", c.name, err)
	}
}

// fail closes a connection for good, takes it out of the live count and
// tells its process's supervisor, which then restarts the process.
func (c *frogConn) fail(err error) {
	c.failOnce.Do(func() {
		c.dead.Store(true)
		c.nc.Close()
		f := c.f
		f.mu.Lock()
		f.live--
		f.notifyLocked()
		f.mu.Unlock()
		select {
		case c.broken <- err:
		default:
		}
	})
}

// outputTail takes a Frog process's output: it keeps the last lines for
// error messages, notes Frog's version, and logs lines at debug level.
type outputTail struct {
	log  *slog.Logger
	slot int

	mu      sync.Mutex
	partial []byte
	lines   []string
	version string
}

const (
	tailLines     = 8
	tailLineBytes = 300
)

func (o *outputTail) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i]
		}
		if room := tailLineBytes - len(o.partial); room > 0 {
			o.partial = append(o.partial, chunk[:min(len(chunk), room)]...)
		}
		if i < 0 {
			break
		}
		o.line(strings.TrimSpace(string(o.partial)))
		o.partial = o.partial[:0]
		p = p[i+1:]
	}
	return n, nil
}

func (o *outputTail) line(s string) {
	// Every request and connection logs a line; they say nothing.
	if s == "" || strings.HasSuffix(s, "Processing...") || strings.HasSuffix(s, "New connection...") || strings.HasSuffix(s, "Connection closed.") {
		return
	}
	if o.version == "" {
		if rest, ok := strings.CutPrefix(s, "frog "); ok {
			o.version, _, _ = strings.Cut(rest, " ")
		}
	}
	o.log.Debug("frog output", "slot", o.slot, "line", s)
	if len(o.lines) == tailLines {
		o.lines = slices.Delete(o.lines, 0, 1)
	}
	o.lines = append(o.lines, s)
}

func (o *outputTail) frogVersion() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.version
}

// String is the last lines of output, joined.
func (o *outputTail) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.lines) == 0 {
		return "none"
	}
	return strings.Join(o.lines, " | ")
}
