// Package console is the bot's terminal adapter: each line read is a direct
// message, each reply is printed as plain text. Piped input is answered in
// order, so `briefbot console < questions.txt` gives a transcript.
package console

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// MaxLine is the longest input line handled, in bytes. A longer line is
// skipped with a notice; reading continues with the next line.
const MaxLine = 1 << 20

// Conversation and User are the IDs every console message carries.
const (
	Conversation bot.ConversationID = "console"
	User         bot.UserID         = "console"
)

// Adapter reads messages from in and writes replies to out. Create it with
// New.
type Adapter struct {
	in     io.Reader
	out    io.Writer
	log    *slog.Logger
	prompt bool
	now    func() time.Time

	mu sync.Mutex // serialises writes to out
}

var _ bot.Adapter = (*Adapter)(nil)

// Option configures an Adapter.
type Option func(*Adapter)

// WithPrompt turns the "> " prompt on or off. By default it is on only when
// in is a terminal, so piped output holds nothing but replies.
func WithPrompt(on bool) Option { return func(a *Adapter) { a.prompt = on } }

// WithClock sets the clock that stamps messages' Received time; the default
// is time.Now.
func WithClock(now func() time.Time) Option { return func(a *Adapter) { a.now = now } }

// New returns an Adapter reading in and writing out. logger may be nil.
func New(in io.Reader, out io.Writer, logger *slog.Logger, opts ...Option) *Adapter {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	a := &Adapter{in: in, out: out, log: logger, prompt: isTerminal(in), now: time.Now}
	for _, o := range opts {
		o(a)
	}
	return a
}

// isTerminal reports whether r is a character device such as a terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Name implements bot.Adapter; it is "console".
func (a *Adapter) Name() string { return "console" }

// Send implements bot.Sender: it writes the reply as plain text followed by
// a blank line. It is safe for concurrent use; replies never interleave.
func (a *Adapter) Send(ctx context.Context, _ bot.Target, r bot.Reply) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := io.WriteString(a.out, printable(bot.RenderText(r))+"\n\n"); err != nil {
		return fmt.Errorf("console: write reply: %w", err)
	}
	return nil
}

// printable drops control characters (ESC, BEL, C1 controls, …) except line
// breaks and tabs: a reply can quote the user's input or an article, and
// neither may drive the operator's terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return -1
		}
		return r
	}, s)
}

// write prints s, for the prompt and the adapter's own notices.
func (a *Adapter) write(s string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := io.WriteString(a.out, s); err != nil {
		a.log.Debug("console write failed", "err", err)
	}
}

// line is one input line, or the end of input.
type line struct {
	text     string
	tooLong  bool
	err      error // the read error that ended input; nil at EOF
	finished bool
}

// Run implements bot.Adapter. It reads lines until EOF or ctx ends and hands
// each non-blank one to h as a direct message from the console user,
// waiting for h to finish (and so for the reply to be printed) before it
// reads the next line. Messages carry no EventID: the console never
// redelivers, so nothing is deduplicated. Run returns nil at EOF or when ctx
// ends, and the read error otherwise. When ctx ends during a read that
// cannot be interrupted (a terminal), Run returns at once; its reading
// goroutine ends when that read returns.
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	lines := make(chan line)
	next := make(chan struct{})
	done := make(chan struct{})
	defer close(done)
	go a.read(lines, next, done)

	for {
		if a.prompt {
			a.write("> ")
		}
		select {
		case <-ctx.Done():
			return nil
		case next <- struct{}{}:
		}
		var l line
		select {
		case <-ctx.Done():
			return nil
		case l = <-lines:
		}
		switch {
		case l.finished && l.err != nil:
			return fmt.Errorf("console: read input: %w", l.err)
		case l.finished:
			if a.prompt {
				a.write("\n")
			}
			return nil
		case l.tooLong:
			a.write(fmt.Sprintf("That line is longer than %d bytes and was skipped.\n\n", MaxLine))
			continue
		}
		text := strings.TrimSpace(l.text)
		if text == "" {
			continue
		}
		h.HandleMessage(ctx, a, bot.Message{
			Conversation: Conversation,
			User:         User,
			Text:         text,
			Direct:       true,
			Received:     a.now(),
		})
	}
}

// read scans lines, one per request on next, and sends them on lines; after
// the last it sends a finished line. It returns when done is closed.
func (a *Adapter) read(lines chan<- line, next <-chan struct{}, done <-chan struct{}) {
	sp := &splitter{max: MaxLine + 1}
	sc := bufio.NewScanner(a.in)
	sc.Buffer(make([]byte, 0, 64*1024), sp.max)
	sc.Split(sp.split)
	for {
		select {
		case <-next:
		case <-done:
			return
		}
		var l line
		if sc.Scan() {
			l = line{text: sc.Text(), tooLong: sp.skipped}
		} else {
			l = line{finished: true, err: sc.Err()}
		}
		select {
		case lines <- l:
		case <-done:
			return
		}
		if l.finished {
			return
		}
	}
}

// splitter splits input into lines like bufio.ScanLines, except that a line
// longer than max-1 bytes is consumed piecewise and returned as one empty
// token with skipped set, instead of stopping the scan with ErrTooLong.
type splitter struct {
	max      int
	skipping bool // inside an over-long line
	skipped  bool // the last token was an over-long line
}

func (s *splitter) split(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, s.token(data[:i]), nil
	}
	if atEOF {
		if len(data) == 0 {
			if s.skipping {
				return 0, s.token(nil), bufio.ErrFinalToken
			}
			return 0, nil, nil
		}
		return len(data), s.token(data), nil
	}
	if len(data) >= s.max {
		s.skipping = true
		return len(data), nil, nil
	}
	return 0, nil, nil // request more data
}

// token ends the current line, returning its text without a trailing "\r",
// or an empty token when it was too long.
func (s *splitter) token(b []byte) []byte {
	s.skipped = s.skipping
	if s.skipping {
		s.skipping = false
		return []byte{}
	}
	return bytes.TrimSuffix(b, []byte{'\r'})
}
