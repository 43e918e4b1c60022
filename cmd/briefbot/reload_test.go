package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestServeReloadsArticles: a running serve picks up a new, a changed and a
// deleted article file through the watcher within seconds, answers from the
// new article, and keeps serving.
func TestServeReloadsArticles(t *testing.T) {
	dir := t.TempDir()
	news := filepath.Join(dir, "news")
	if err := os.Mkdir(news, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, news, "a.txt", " date 2024-03-12 De rechtbank in Arnhem heeft dinsdag de burgemeester van Zevenaar veroordeeld.\n")
	cfg := writeFile(t, dir, "briefbot.yaml", `
data_dir: `+filepath.Join(dir, "data")+`
articles_dir: `+news+`
watch_debounce: 100ms
console: true
log: {level: info, format: json}
http: {addr: "127.0.0.1:0"}
`)
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
