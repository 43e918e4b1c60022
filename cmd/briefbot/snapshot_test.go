package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeRestartsFromSavedIndex: serve saves its index in the data
// directory; the next start serves it before reading the articles again,
// picks up what changed while it was down, and a damaged index is rebuilt
// with a warning instead of stopping the bot.
func TestServeRestartsFromSavedIndex(t *testing.T) {
	dir, news, cfg := watchedNews(t)
	data := filepath.Join(dir, "data")
	p := startServe(t, cfg)
	base := p.baseURL()
	waitArticles(t, base, 1)
	waitReady(t, base)
	p.terminate()
	if !strings.Contains(p.logs(), "no saved index yet") {
		t.Errorf("the first start does not say it builds the index:\n%s", p.logs())
	}
	saved := filepath.Join(data, "index", "articles.index")
	if _, err := os.Stat(saved); err != nil {
		t.Fatalf("no saved index after the first run: %v", err)
	}

	// unchanged articles: the saved index serves and is kept
	p = startServe(t, cfg)
	waitArticles(t, p.baseURL(), 1)
	p.waitLog("articles unchanged: the index stays")
	if !strings.Contains(p.logs(), "saved index opened") {
		t.Errorf("the restart did not open the saved index:\n%s", p.logs())
	}
	p.terminate()

	// an article added while the bot was down is found after the restart
	writeFile(t, news, "b.txt", " date 2024-05-30 Meta heeft ruim achtduizend nepaccounts verwijderd die desinformatie verspreidden.\n")
	p = startServe(t, cfg)
	waitArticles(t, p.baseURL(), 2)
	p.ask("Wie verwijderde de nepaccounts?", "Meta")
	p.terminate()

	// a damaged index: a warning, a rebuild, answers as before
	b, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-3] ^= 0xff
	if err := os.WriteFile(saved, b, 0o644); err != nil {
		t.Fatal(err)
	}
	p = startServe(t, cfg)
	waitArticles(t, p.baseURL(), 2)
	p.ask("Wie verwijderde de nepaccounts?", "Meta")
	p.terminate()
	if !strings.Contains(p.logs(), "the saved index cannot be used") || !strings.Contains(p.logs(), "checksum mismatch") {
		t.Errorf("no warning about the damaged index:\n%s", p.logs())
	}
}

// waitLog waits until the log has a line containing want.
func (p *proc) waitLog(want string) {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond) // polling a real process's log
	defer tick.Stop()
	for !strings.Contains(p.logs(), want) {
		if time.Now().After(deadline) {
			p.t.Fatalf("no log line with %q within 30s", want)
		}
		<-tick.C
	}
}

// ask types a question into the console and waits for a reply line with
// want.
func (p *proc) ask(q, want string) {
	p.t.Helper()
	if _, err := io.WriteString(p.stdin, q+"\n"); err != nil {
		p.t.Fatal(err)
	}
	p.waitLine(want)
}
