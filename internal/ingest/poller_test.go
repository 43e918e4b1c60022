package ingest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/internal/store"
)

var (
	itemTrollen = rssItem{"nos-1", "Russische trollen actief rond verkiezingen",
		"<p>Honderden nepaccounts verspreidden berichten over de Tweede Kamerverkiezingen, meldt de AIVD.</p><h2>Onderzoek</h2><p>De AIVD onderzoekt de accounts.</p>",
		"Mon, 02 Mar 2026 00:30:00 +0100"}
	itemStoring = rssItem{"nos-2", "Storing bij ProRail", "<p>Rond Utrecht rijden geen treinen door een storing in de beveiliging.</p>", ""}
)

func newPoller(t *testing.T, st FeedStore, url string, changed func()) *Poller {
	t.Helper()
	p, err := NewPoller(PollerOptions{Feeds: []Feed{{Name: "nos", URL: url, Interval: time.Hour}}, Store: st, Logger: testLogger(t), Changed: changed})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPollSequence walks one feed through the cases of its life: new
// items, an unchanged document (304), a changed title, a server error,
// invalid XML, recovery. Each step checks what was stored and the status.
func TestPollSequence(t *testing.T) {
	ctx := t.Context()
	st := newStore(t)
	fs := newFeedServer(t, rssDoc(itemTrollen, itemStoring))
	changes := 0
	p := newPoller(t, st, fs.URL, func() { changes++ })

	type want struct {
		rep       PollReport
		err       string
		validator string // If-None-Match the request sent
		changes   int
		failures  int
		seen      int
	}
	renamed := itemTrollen
	renamed.title = "AIVD: Russische trollen actief rond verkiezingen"
	for _, step := range []struct {
		name   string
		doc    string
		status int
		want   want
	}{
		{"first", "", 0, want{rep: PollReport{Items: 2, Created: 2}, changes: 1, seen: 2}},
		{"not modified", "", 0, want{rep: PollReport{NotModified: true}, validator: `"v1"`, changes: 1, seen: 2}},
		{"title changed", rssDoc(renamed, itemStoring), 0, want{rep: PollReport{Items: 2, Updated: 1, Unchanged: 1}, validator: `"v1"`, changes: 2, seen: 2}},
		{"500", "", http.StatusInternalServerError, want{err: "answered 500", validator: `"v2"`, changes: 2, failures: 1, seen: 2}},
		{"invalid XML", `<rss version="2.0"><channel><item><title>kapot`, 0, want{err: "not a readable RSS", validator: `"v2"`, changes: 2, failures: 2, seen: 2}},
		{"recovered", rssDoc(renamed, itemStoring), 0, want{rep: PollReport{Items: 2, Unchanged: 2}, validator: `"v2"`, changes: 2, seen: 2}},
	} {
		fs.set(step.doc, step.status)
		rep, err := p.Poll(ctx, "nos")
		if step.want.err == "" && err != nil || step.want.err != "" && (err == nil || !strings.Contains(err.Error(), step.want.err)) {
			t.Fatalf("%s: Poll error = %v, want %q", step.name, err, step.want.err)
		}
		if diff := cmp.Diff(rep, step.want.rep, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: report (-got +want):\n%s", step.name, diff)
		}
		if got := fs.lastValidator(); got != step.want.validator {
			t.Errorf("%s: sent If-None-Match %q, want %q", step.name, got, step.want.validator)
		}
		s := p.Status()[0]
		if changes != step.want.changes || s.Failures != step.want.failures || s.ItemsSeen != step.want.seen {
			t.Errorf("%s: changes %d, status failures %d, items seen %d; want %d, %d, %d", step.name,
				changes, s.Failures, s.ItemsSeen, step.want.changes, step.want.failures, step.want.seen)
		}
		if (s.LastError != "") != (step.want.err != "") {
			t.Errorf("%s: status last error %q", step.name, s.LastError)
		}
	}
	arts, err := st.LiveArticles(ctx)
	if err != nil || len(arts) != 2 {
		t.Fatalf("LiveArticles = %d, %v", len(arts), err)
	}
	var titles []string
	for _, a := range arts {
		titles = append(titles, a.Title)
		if a.Publisher != "nos" || !strings.HasPrefix(a.URL, "https://nos.nl/artikel/") {
			t.Errorf("article %s: publisher %q, url %q", a.ID, a.Publisher, a.URL)
		}
		if a.Title == renamed.title && a.Date != (briefings.Date{Year: 2026, Month: 3, Day: 2}) {
			t.Errorf("date %v: the feed's time zone was not kept", a.Date)
		}
	}
	if !strings.Contains(strings.Join(titles, "|"), renamed.title) {
		t.Errorf("titles %q: the renamed item was not updated", titles)
	}
}

// TestPollResumesAfterRestart: the validators are stored with the items,
// so a new process (the store reopened, a new poller) sends them at once
// and gets a 304, and nothing is created twice.
func TestPollResumesAfterRestart(t *testing.T) {
	ctx := t.Context()
	path := t.TempDir() + "/briefbot.db"
	fs := newFeedServer(t, rssDoc(itemTrollen, itemStoring))
	st := openStore(t, path)
	if rep, err := newPoller(t, st, fs.URL, nil).Poll(ctx, "nos"); err != nil || rep.Created != 2 {
		t.Fatalf("first process: %+v, %v", rep, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = openStore(t, path)
	p := newPoller(t, st, fs.URL, nil)
	if s := p.Status()[0]; s.ItemsSeen != 0 {
		t.Fatalf("status before the first poll: %+v", s)
	}
	rep, err := p.Poll(ctx, "nos")
	if err != nil || !rep.NotModified || fs.lastValidator() != `"v1"` {
		t.Fatalf("after restart: %+v, %v, sent %q; want a 304 for \"v1\"", rep, err, fs.lastValidator())
	}
	if s := p.Status()[0]; s.ItemsSeen != 2 || s.LastSuccess.IsZero() {
		t.Errorf("status after restart: %+v", s)
	}
	// even without validators (the feed ignores them), nothing is posted twice
	fs.set(rssDoc(itemStoring, itemTrollen), 0)
	if rep, err := p.Poll(ctx, "nos"); err != nil || rep.Created != 0 || rep.Unchanged != 2 {
		t.Errorf("whole document again: %+v, %v", rep, err)
	}
}

// crashingStore fails PutLive as a process killed before its commit would:
// nothing of the poll is stored.
type crashingStore struct {
	*store.SQLite
	crash bool
}

func (c *crashingStore) PutLive(ctx context.Context, items []store.LiveItem, opts store.PutOptions) ([]store.Outcome, error) {
	if c.crash {
		return nil, errors.New("killed")
	}
	return c.SQLite.PutLive(ctx, items, opts)
}

// TestCrashBeforeStoreRefetches: when storing the items fails, the
// validators are not stored either, so the next poll (or process) reads
// the whole document and loses no item.
func TestCrashBeforeStoreRefetches(t *testing.T) {
	ctx := t.Context()
	st := &crashingStore{SQLite: newStore(t), crash: true}
	fs := newFeedServer(t, rssDoc(itemTrollen, itemStoring))
	if _, err := newPoller(t, st, fs.URL, nil).Poll(ctx, "nos"); err == nil {
		t.Fatal("Poll with a failing store succeeded")
	}
	st.crash = false
	rep, err := newPoller(t, st, fs.URL, nil).Poll(ctx, "nos")
	if err != nil || rep.Created != 2 || fs.lastValidator() != "" {
		t.Fatalf("after the crash: %+v, %v, sent %q; want the whole document, 2 created", rep, err, fs.lastValidator())
	}
}

func TestNextWait(t *testing.T) {
	for _, tc := range []struct {
		interval time.Duration
		failures int
		u        float64
		want     time.Duration
	}{
		{5 * time.Minute, 0, 0.5, 5 * time.Minute},
		{5 * time.Minute, 1, 0.5, 5 * time.Minute},
		{5 * time.Minute, 2, 0.5, 10 * time.Minute},
		{5 * time.Minute, 4, 0.5, 40 * time.Minute},
		{5 * time.Minute, 5, 0.5, time.Hour},
		{5 * time.Minute, 50, 0.5, time.Hour},
		{2 * time.Hour, 3, 0.5, 2 * time.Hour},
		{10 * time.Minute, 0, 0, 9 * time.Minute},
		{10 * time.Minute, 0, 0.999999, 11 * time.Minute},
	} {
		got := NextWait(tc.interval, tc.failures, tc.u)
		if d := got - tc.want; d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("NextWait(%v, %d, %v) = %v, want %v", tc.interval, tc.failures, tc.u, got, tc.want)
		}
	}
}

// TestPollerRunBacksOff: a failing feed is retried later and later while
// the poller runs, and the status says why.
func TestPollerRunBacksOff(t *testing.T) {
	st := newStore(t)
	fs := newFeedServer(t, "")
	fs.set("", http.StatusInternalServerError)
	p, err := NewPoller(PollerOptions{Feeds: []Feed{{Name: "nos", URL: fs.URL, Interval: 20 * time.Millisecond}}, Store: st, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- p.Run(ctx) }()
	var s Status
	waitFor(t, 5*time.Second, "three failed polls and the next one planned", func() bool {
		s = p.Status()[0]
		return s.Failures >= 3 && s.NextPoll.After(s.LastErrorAt)
	})
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	if !strings.Contains(s.LastError, "500") || s.PollErrors < 3 {
		t.Errorf("status: %+v", s)
	}
	// the wait after n failures is the interval doubled n-1 times
	if w := s.NextPoll.Sub(s.LastErrorAt); w < 20*time.Millisecond<<(s.Failures-1)*9/10 {
		t.Errorf("after %d failures the next poll is in %v", s.Failures, w)
	}
}
