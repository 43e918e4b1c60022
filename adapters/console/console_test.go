package console_test

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/adapters/console"
	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var start = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

// newBot returns a bot on the fake library and the real store, with a
// fixed clock.
func newBot(t *testing.T) *bot.Bot {
	t.Helper()
	st, _ := bottest.TempStore(t)
	clock := bottest.NewClock(start)
	b, err := bot.New(bot.Options{Briefings: bottest.NewLibrary(start.Add(-96 * time.Hour)), Store: st, Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// run feeds input to a console adapter in piped mode and returns what it
// printed; Run must return nil.
func run(t *testing.T, h bot.Handler, input string, opts ...console.Option) string {
	t.Helper()
	var out bytes.Buffer
	a := console.New(strings.NewReader(input), &out, nil, opts...)
	if err := a.Run(bottest.Context(t), h); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out.String()
}

// session exercises every command in English and Dutch, including a
// follow-up, unknown input and blank lines.
const session = `Who is the head of the intelligence services?
and when?
Wie is het hoofd van de inlichtingendiensten?
en wanneer?
Who won the election in Hamburg?

search hackers
zoek Poetin
article 004_496c433a0061d38d
artikel 001_3a4517b0ca95c208
latest
laatste interference
digest
overzicht interference sinds 2020-01-01
subscribe interference
abonneer interference 30 6 * * 1-5 Europe/Amsterdam
subscriptions
abonnementen
unsubscribe interference
opzeggen interference
help
hulp
hello
   
zoek @everyone
`

// TestSession runs the session through piped input: every line is
// answered, in order, and Run returns nil at EOF. The transcript is
// compared with testdata/session.golden (go test -update rewrites it).
func TestSession(t *testing.T) {
	got := run(t, newBot(t), session)
	path := filepath.Join("testdata", "session.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(got, string(want)); diff != "" {
		t.Errorf("transcript mismatch (-got +want):\n%s", diff)
	}
	for _, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(line, "> ") {
			t.Errorf("piped mode printed a prompt: %q", line)
		}
	}
}

// recorder is a Handler that answers every message with its text, to check
// what the console delivers.
type recorder struct {
	mu   sync.Mutex
	msgs []bot.Message
}

func (r *recorder) HandleMessage(ctx context.Context, from bot.Sender, m bot.Message) {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
	_ = from.Send(ctx, bot.Target{Conversation: m.Conversation}, bot.Reply{Notice: "echo " + m.Text})
}

// TestMessages checks the messages the console hands to the bot and that
// each reply is printed before the next line is handled.
func TestMessages(t *testing.T) {
	rec := &recorder{}
	got := run(t, rec, "one\r\n\n  two  \nthree")
	if want := "echo one\n\necho two\n\necho three\n\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
	want := []bot.Message{
		{Conversation: "console", User: "console", Text: "one", Direct: true},
		{Conversation: "console", User: "console", Text: "two", Direct: true},
		{Conversation: "console", User: "console", Text: "three", Direct: true},
	}
	for i := range rec.msgs {
		if rec.msgs[i].Received.IsZero() {
			t.Errorf("message %d has no Received time", i)
		}
		rec.msgs[i].Received = time.Time{}
	}
	if diff := cmp.Diff(rec.msgs, want); diff != "" {
		t.Errorf("messages (-got +want):\n%s", diff)
	}
}

// TestLongLines: a 1 MiB line is delivered whole; a longer one is skipped
// with a notice and the next line still handled.
func TestLongLines(t *testing.T) {
	rec := &recorder{}
	big := strings.Repeat("a", console.MaxLine)
	input := big + "\n" + big + "bb\nafter\n" + big + "c"
	got := run(t, rec, input)
	if len(rec.msgs) != 2 || rec.msgs[0].Text != big || rec.msgs[1].Text != "after" {
		t.Errorf("handled %d messages, want the 1 MiB line and \"after\"", len(rec.msgs))
	}
	if n := strings.Count(got, "was skipped"); n != 2 {
		t.Errorf("%d skip notices, want 2", n)
	}
}

// TestBotRefusesLongLine: the bot refuses a 1 MiB question politely.
func TestBotRefusesLongLine(t *testing.T) {
	got := run(t, newBot(t), strings.Repeat("ö", console.MaxLine/2-1)+"?\n")
	if !strings.HasPrefix(got, "That question is too long (524288 characters; the limit is 1000).") {
		t.Errorf("output %.100q", got)
	}
}

// TestPrompt: with the prompt on, "> " precedes every read.
func TestPrompt(t *testing.T) {
	got := run(t, &recorder{}, "x\ny\n", console.WithPrompt(true))
	if want := "> echo x\n\n> echo y\n\n> \n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

// TestRunReturnsWhenContextEnds: a read that never returns does not keep
// Run from returning nil when ctx is cancelled.
func TestRunReturnsWhenContextEnds(t *testing.T) {
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	a := console.New(pr, io.Discard, nil)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, &recorder{}) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(bottest.Timeout):
		t.Fatal("Run did not return after ctx was cancelled")
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }

// TestReadError: a read error other than EOF is returned.
func TestReadError(t *testing.T) {
	a := console.New(failingReader{}, io.Discard, nil)
	if err := a.Run(bottest.Context(t), &recorder{}); err == nil || !strings.Contains(err.Error(), "read input") {
		t.Errorf("Run = %v, want a read error", err)
	}
}

// TestSendConcurrent: concurrent sends never interleave.
func TestSendConcurrent(t *testing.T) {
	var out bytes.Buffer
	a := console.New(strings.NewReader(""), &out, nil)
	var wg sync.WaitGroup
	line := strings.Repeat("x", 1000)
	for range 20 {
		wg.Go(func() {
			if err := a.Send(t.Context(), bot.Target{}, bot.Reply{Notice: line}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if want := strings.Repeat(line+"\n\n", 20); out.String() != want {
		t.Errorf("concurrent sends interleaved")
	}
	if a.Name() != "console" {
		t.Errorf("Name = %q", a.Name())
	}
}

// Terminal escape sequences in the input (or in an article) are not echoed
// to the operator's terminal (issue 12, item 3).
func TestControlCharactersNotEchoed(t *testing.T) {
	got := run(t, &recorder{}, "\x1b]0;pwned\x07hallo\x1b[2J\u009b31m")
	if strings.ContainsAny(got, "\x1b\x07\u009b") {
		t.Errorf("output %q carries control characters", got)
	}
	if !strings.Contains(got, "hallo") {
		t.Errorf("output %q lost the text", got)
	}
}
