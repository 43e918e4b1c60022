package briefings_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/internal/corpus"
)

// promptly bounds how long a cancelled load or index build may go on:
// generous for a loaded test machine, far below the seconds the work takes.
// The two longest tests also accept a quarter of the whole run measured
// next to them, since a machine loaded enough slows both alike.
const promptly = 500 * time.Millisecond

// cancelOn is a slog.Handler that cancels a context at the first record
// with the message msg: a way to cancel in the middle of one stage.
type cancelOn struct {
	msg    string
	cancel context.CancelFunc
	at     chan time.Time
}

func (c *cancelOn) Enabled(context.Context, slog.Level) bool { return true }
func (c *cancelOn) Handle(_ context.Context, r slog.Record) error {
	if r.Message == c.msg {
		select {
		case c.at <- time.Now():
			c.cancel()
		default:
		}
	}
	return nil
}
func (c *cancelOn) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *cancelOn) WithGroup(string) slog.Handler      { return c }

// templatedFS is n short generated articles that share most of their words
// (so that folding compares each with many others), plus two identical ones
// that sort first.
func templatedFS(n int) fstest.MapFS {
	fsys := fstest.MapFS{
		"0000000a.txt": {Data: []byte("Dubbel bericht over de begroting van de gemeente, twee keer geleverd.")},
		"0000000b.txt": {Data: []byte("Dubbel bericht over de begroting van de gemeente, twee keer geleverd.")},
	}
	for i := range n {
		body := fmt.Sprintf("Bericht %d over de stand van zaken in gemeente %d op dag %d met %d bezoekers en %d meldingen.", i, i%977, i%31, i*7, i*13)
		fsys[fmt.Sprintf("%08d.txt", i+1)] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

// A load cancelled while it folds near-duplicates stops folding and
// returns ctx.Err() (issue 12, item 7); before, folding ran
// to the end and the load succeeded.
func TestLoadCancelledWhileFolding(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 20,000 articles")
	}
	fsys := templatedFS(20_000)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	h := &cancelOn{msg: "folded near-identical article", cancel: cancel, at: make(chan time.Time, 1)}
	res, err := briefings.LoadFS(ctx, fsys, briefings.LoadOptions{Logger: slog.New(h)})
	done := time.Now()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("LoadFS cancelled while folding: %d articles, err %v; want context.Canceled", len(res.Articles), err)
	}
	if took := done.Sub(<-h.at); took > promptly {
		t.Errorf("LoadFS returned %v after the cancellation, want within %v", took, promptly)
	}
}

// LoadFS with a context that has ended returns ctx.Err() at once, without
// reading the files.
func TestLoadCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	if _, err := briefings.LoadFS(ctx, templatedFS(10_000), briefings.LoadOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("LoadFS with an ended context: %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > promptly {
		t.Errorf("LoadFS with an ended context took %v", took)
	}
}

// Replace with an ended context fails with ctx.Err(), whatever the size of
// the set, promptly, and keeps the previous set.
func TestReplaceCancelled(t *testing.T) {
	big, err := briefings.LoadFS(t.Context(), templatedFS(20_000), briefings.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lib, err := briefings.NewLibrary(briefings.Options{FreeDictDir: "-"})
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Replace(t.Context(), big.Articles[:3]); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, n := range []int{1, 10, len(big.Articles)} {
		for range 20 { // the check must not be a matter of chance
			start := time.Now()
			err := lib.Replace(ctx, big.Articles[:n])
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Replace(%d articles) with an ended context: %v, want context.Canceled", n, err)
			}
			if took := time.Since(start); took > promptly {
				t.Fatalf("Replace(%d articles) with an ended context took %v", n, took)
			}
			if lib.Len() != 3 {
				t.Fatalf("after a cancelled Replace the library has %d articles, want the previous 3", lib.Len())
			}
		}
	}
}

// A load cancelled while it parses one large multi-article file stops
// within the file (issue 12, item 7): parsing the 5 MiB JSONL file below
// takes seconds.
func TestLoadCancelledWhileParsing(t *testing.T) {
	if testing.Short() {
		t.Skip("parses a 5 MiB file")
	}
	var b strings.Builder
	for i := 0; b.Len() < briefings.DefaultMaxFileSize-400; i++ {
		fmt.Fprintf(&b, `{"id": "r%d", "title": "Bericht %d", "body": "Bericht %d over de stand van zaken in gemeente %d op dag %d. De raad sprak over de begroting van dit jaar."}`+"\n", i, i, i, i%977, i%31)
	}
	fsys := fstest.MapFS{"feed.jsonl": {Data: []byte(b.String())}}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const after = 20 * time.Millisecond
	cancelled := make(chan time.Time, 1)
	stop := time.AfterFunc(after, func() { cancelled <- time.Now(); cancel() })
	defer stop.Stop()
	_, err := briefings.LoadFS(ctx, fsys, briefings.LoadOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("LoadFS cancelled after %v: %v, want context.Canceled", after, err)
	}
	took := time.Since(<-cancelled)
	// measured against the whole load on this machine now, so that a
	// loaded CI machine slows both alike
	start := time.Now()
	if _, err := briefings.LoadFS(t.Context(), fsys, briefings.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if full := time.Since(start); took > promptly && took > full/4 {
		t.Errorf("LoadFS returned %v after the cancellation; the whole load takes %v", took, full)
	}
}

// A digest over many articles stops when its context ends (issue 12, item
// 7: `briefbot digest` went on for seconds after SIGTERM).
func TestDigestCancelled(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 20,000 articles")
	}
	lib, err := briefings.NewLibrary(briefings.Options{FreeDictDir: "-"})
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Replace(t.Context(), corpus.Generate(20_000, 3)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const after = 20 * time.Millisecond
	cancelled := make(chan time.Time, 1)
	stop := time.AfterFunc(after, func() { cancelled <- time.Now(); cancel() })
	defer stop.Stop()
	d, err := lib.Digest(ctx, briefings.DigestRequest{Topic: "interference"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Digest cancelled after %v: %d items, err %v; want context.Canceled", after, len(d.Items), err)
	}
	took := time.Since(<-cancelled)
	// against the rest of the digest (the articles the cancelled one did
	// not get to), so that a loaded CI machine slows both alike
	start := time.Now()
	if _, err := lib.Digest(t.Context(), briefings.DigestRequest{Topic: "interference"}); err != nil {
		t.Fatal(err)
	}
	if rest := time.Since(start); took > promptly && took > rest/4 {
		t.Errorf("Digest returned %v after the cancellation; the rest of the digest takes %v", took, rest)
	}
}
