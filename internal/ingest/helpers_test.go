package ingest

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/store"
)

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func openStore(t testing.TB, path string) *store.SQLite {
	t.Helper()
	s, err := store.Open(t.Context(), path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newStore(t testing.TB) *store.SQLite {
	return openStore(t, filepath.Join(t.TempDir(), "briefbot.db"))
}

// feedServer serves one feed document that tests change, with an ETag
// derived from its version, answering If-None-Match with 304. It records
// the validators each request sent.
type feedServer struct {
	*httptest.Server
	mu       sync.Mutex
	doc      string
	version  int
	status   int // when not 0, answer this status instead
	requests []string
	notMod   int
}

func newFeedServer(t testing.TB, doc string) *feedServer {
	fs := &feedServer{doc: doc, version: 1}
	fs.Server = httptest.NewServer(http.HandlerFunc(fs.serve))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *feedServer) serve(w http.ResponseWriter, r *http.Request) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.requests = append(fs.requests, r.Header.Get("If-None-Match"))
	if fs.status != 0 {
		http.Error(w, "storing", fs.status)
		return
	}
	etag := fmt.Sprintf(`"v%d"`, fs.version)
	if r.Header.Get("If-None-Match") == etag {
		fs.notMod++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	_, _ = io.WriteString(w, fs.doc)
}

// set changes the document (a new version) or the status.
func (fs *feedServer) set(doc string, status int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if doc != "" && doc != fs.doc {
		fs.doc = doc
		fs.version++
	}
	fs.status = status
}

func (fs *feedServer) lastValidator() string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.requests[len(fs.requests)-1]
}

// rssItem is one item of rssDoc.
type rssItem struct{ guid, title, body, date string }

// rssDoc writes an RSS 2.0 document shaped like a Dutch news site's: CDATA
// bodies in content:encoded, relative links, pubDate with an offset.
func rssDoc(items ...rssItem) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>NOS Nieuws</title><link>https://nos.nl</link><description>NOS</description>
`)
	for _, it := range items {
		fmt.Fprintf(&b, `<item><title><![CDATA[%s]]></title><link>/artikel/%s?utm_source=rss</link><guid isPermaLink="false">%s</guid>`, it.title, it.guid, it.guid)
		if it.date != "" {
			fmt.Fprintf(&b, `<pubDate>%s</pubDate>`, it.date)
		}
		fmt.Fprintf(&b, `<content:encoded><![CDATA[%s]]></content:encoded></item>
`, it.body)
	}
	b.WriteString("</channel></rss>\n")
	return b.String()
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		<-tick.C
	}
}
