package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeReloadsArticles: a running serve picks up a new, a changed and a
// deleted article file through the watcher within seconds, answers from the
// new article, and keeps serving.
func TestServeReloadsArticles(t *testing.T) {
	_, news, cfg := watchedNews(t)
	p := startServe(t, cfg)
	base := p.baseURL()
	waitArticles(t, base, 1)

	writeFile(t, news, "b.txt", " date 2024-05-30 Meta heeft ruim achtduizend nepaccounts verwijderd die desinformatie verspreidden.\n")
	waitArticles(t, base, 2)
	if _, err := io.WriteString(p.stdin, "Wie verwijderde de nepaccounts?\n"); err != nil {
		t.Fatal(err)
	}
	p.waitLine("Meta")

	if err := os.Remove(filepath.Join(news, "a.txt")); err != nil {
		t.Fatal(err)
	}
	waitArticles(t, base, 1)
	p.terminate()
}

// watchedNews makes a directory with an article directory ("news", one
// article in it) and a serve configuration watching it, with its data in
// dir/data; it returns the three paths.
func watchedNews(t *testing.T) (dir, news, cfg string) {
	t.Helper()
	dir = t.TempDir()
	news = filepath.Join(dir, "news")
	if err := os.Mkdir(news, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, news, "a.txt", " date 2024-03-12 De rechtbank in Arnhem heeft dinsdag de burgemeester van Zevenaar veroordeeld.\n")
	cfg = writeFile(t, dir, "briefbot.yaml", `
data_dir: `+filepath.Join(dir, "data")+`
articles_dir: `+news+`
watch_debounce: 100ms
console: true
log: {level: info, format: json}
http: {addr: "127.0.0.1:0"}
`)
	return dir, news, cfg
}

// waitArticles polls /readyz until the server reports n articles.
func waitArticles(t *testing.T, base string, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond) // polling a real process: nothing to wait on
	defer tick.Stop()
	last := ""
	for time.Now().Before(deadline) {
		_, body := get(t, base+"/readyz")
		last = body
		var r struct{ Articles int }
		if json.Unmarshal([]byte(body), &r) == nil && r.Articles == n {
			return
		}
		<-tick.C
	}
	t.Fatalf("/readyz never reported %d articles; last: %s", n, last)
}

// TestServeWatchesReplacedDirectory: when the article directory is deleted,
// /readyz says the watch is broken (503, with the reason) and the metrics
// show it; when the directory comes back, or is swapped by renames as deploy
// tools publish, serve watches and loads the new one (issue 12, item 15).
func TestServeWatchesReplacedDirectory(t *testing.T) {
	dir, news, cfg := watchedNews(t)
	p := startServe(t, cfg)
	base := p.baseURL()
	waitArticles(t, base, 1)
	if body := waitReady(t, base); !strings.Contains(body, `"watcher":{"state":"running"}`) {
		t.Errorf("/readyz = %s, want the watcher running", body)
	}

	if err := os.RemoveAll(news); err != nil {
		t.Fatal(err)
	}
	body := waitReadyz(t, base, http.StatusServiceUnavailable, `"watcher":{"state":"broken"`)
	if !strings.Contains(body, news) || !strings.Contains(body, `"articles":1`) {
		t.Errorf("/readyz = %s, want the missing directory named and the previous article still served", body)
	}
	if _, m := get(t, base+"/metrics"); !strings.Contains(m, "briefbot_article_watch_up 0") || !strings.Contains(m, "briefbot_article_watch_failures_total 1") {
		t.Errorf("/metrics does not show the broken watch:\n%s", grepLines(m, "article_watch"))
	}
	if !strings.Contains(p.logs(), "article directory is not watched") {
		t.Errorf("no warning about the broken watch:\n%s", p.logs())
	}

	if err := os.Mkdir(news, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, news, "b.txt", " date 2024-05-30 Meta heeft ruim achtduizend nepaccounts verwijderd die desinformatie verspreidden.\n")
	writeFile(t, news, "c.txt", " date 2024-06-01 De gemeenteraad van Utrecht stemde in met de nieuwe begroting.\n")
	waitArticles(t, base, 2)
	waitReadyz(t, base, http.StatusOK, `"watcher":{"state":"running"}`)
	if _, m := get(t, base+"/metrics"); !strings.Contains(m, "briefbot_article_watch_up 1") {
		t.Errorf("/metrics does not show the watch working again:\n%s", grepLines(m, "article_watch"))
	}

	// a deploy: the new release is renamed into place
	next := filepath.Join(dir, "news.new")
	if err := os.Mkdir(next, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, next, "d.txt", " date 2024-07-01 Het waterschap verhoogde de dijken langs de Lek.\n")
	if err := os.Rename(news, filepath.Join(dir, "news.old")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, news); err != nil {
		t.Fatal(err)
	}
	waitArticles(t, base, 1)
	writeFile(t, news, "e.txt", " date 2024-07-02 De provincie kocht een stuk natuurgebied bij Arnhem.\n")
	waitArticles(t, base, 2)
	p.terminate()
}

// waitReadyz polls /readyz until it answers code with a body containing
// sub, and returns the body.
func waitReadyz(t *testing.T, base string, code int, sub string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond) // polling a real process: nothing to wait on
	defer tick.Stop()
	last := ""
	for time.Now().Before(deadline) {
		c, body := get(t, base+"/readyz")
		if c == code && strings.Contains(body, sub) {
			return body
		}
		last = fmt.Sprintf("%d %s", c, body)
		<-tick.C
	}
	t.Fatalf("/readyz never answered %d with %q; last: %s", code, sub, last)
	return ""
}

func grepLines(text, sub string) string {
	var out []string
	for l := range strings.SplitSeq(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
