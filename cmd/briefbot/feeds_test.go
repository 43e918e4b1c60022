package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testFeed serves an RSS document in the shape of a Dutch news site's, with
// an ETag, answering If-None-Match with 304, and counts the 304s.
type testFeed struct {
	*httptest.Server
	mu      sync.Mutex
	doc     string
	notMod  int
	lastINM string
}

func newTestFeed(t *testing.T, items ...string) *testFeed {
	f := &testFeed{doc: feedDoc(items...)}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.lastINM = r.Header.Get("If-None-Match")
		etag := fmt.Sprintf(`"%x"`, len(f.doc))
		if f.lastINM == etag {
			f.notMod++
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		io.WriteString(w, f.doc)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *testFeed) stats() (notMod int, lastINM string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.notMod, f.lastINM
}

// feedDoc makes an RSS document of items, each "guid|title|body".
func feedDoc(items ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>NOS</title><link>https://nos.nl</link>`)
	for _, it := range items {
		p := strings.SplitN(it, "|", 3)
		fmt.Fprintf(&b, `<item><title><![CDATA[%s]]></title><link>/artikel/%s?utm_source=rss</link><guid isPermaLink="false">%s</guid><pubDate>Mon, 02 Mar 2026 00:30:00 +0100</pubDate><content:encoded><![CDATA[<p>%s</p>]]></content:encoded></item>`, p[1], p[0], p[0], p[2])
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

const testToken = "cms-test-token-0123456789"

func postArticles(t *testing.T, base, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, base+"/api/v1/articles", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

type readyReport struct {
	Ready    bool
	Articles int
	Feeds    []struct {
		Name      string
		State     string
		ItemsSeen int    `json:"items_seen"`
		LastError string `json:"last_error"`
	}
}

func readyReportOf(t *testing.T, base string) readyReport {
	t.Helper()
	var r readyReport
	if err := json.Unmarshal([]byte(waitReady(t, base)), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// waitLibrary polls /readyz until the library has n articles.
func waitLibrary(t *testing.T, base string, n int) readyReport {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond) // polling a real process
	defer tick.Stop()
	for {
		r := readyReportOf(t, base)
		if r.Articles == n {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz has %d articles after 30s, want %d: %+v", r.Articles, n, r)
		}
		<-tick.C
	}
}

// TestServeFeedsAndIngest is the operator's view of issue 14: serve polls
// a feed and serves the ingest API; a feed item and a posted article are
// answerable; /readyz and /metrics show the feed; a kill -9 in the middle
// of a large post loses nothing half-way and, after a restart, the feed
// resumes with its stored validator and nothing is added twice.
func TestServeFeedsAndIngest(t *testing.T) {
	dir := t.TempDir()
	feed := newTestFeed(t,
		"nos-1|Kiesraad: stemmen per brief blijft mogelijk|De Kiesraad zegt dat stemmen per brief mogelijk blijft. Volgens voorzitter Kummeling gaat het om desinformatie.",
		"nos-2|Storing bij ProRail|Rond Utrecht rijden geen treinen door een storing in de beveiliging van het spoor.")
	tokenFile := writeFile(t, dir, "cms-token", testToken+"\n")
	cfg := writeFile(t, dir, "briefbot.yaml", `
data_dir: `+filepath.Join(dir, "data")+`
console: true
log: {level: info, format: json}
http: {addr: "127.0.0.1:0"}
feeds:
  - {name: nos, url: "`+feed.URL+`", interval: 1s}
ingest:
  tokens:
    - {name: cms, token_file: `+tokenFile+`, limit: {events: -1}}
`)
	p := startServe(t, cfg)
	base := p.baseURL()
	r := waitLibrary(t, base, 7) // 5 samples and 2 feed items
	if len(r.Feeds) != 1 || r.Feeds[0].Name != "nos" || r.Feeds[0].ItemsSeen != 2 || r.Feeds[0].State != "ok" {
		t.Errorf("/readyz feeds = %+v", r.Feeds)
	}
	if _, err := io.WriteString(p.stdin, "Wie is voorzitter van de Kiesraad?\n"); err != nil {
		t.Fatal(err)
	}
	p.waitLine("Kummeling")

	code, body := postArticles(t, base, `{"id": "cms-1", "title": "Gemeente Zwolle opent fietsbrug", "date": "2026-03-02", "body": "De gemeente Zwolle heeft de nieuwe fietsbrug over de IJssel geopend. Wethouder Annelies Brink knipte het lint door."}`)
	if code != http.StatusOK || !strings.Contains(body, `"created":1`) {
		t.Fatalf("POST = %d %s", code, body)
	}
	waitLibrary(t, base, 8)
	if _, err := io.WriteString(p.stdin, "Welke wethouder opende de fietsbrug in Zwolle?\n"); err != nil {
		t.Fatal(err)
	}
	p.waitLine("Gemeente Zwolle opent fietsbrug (2026-03-02, api cms: cms-1)") // cited

	_, metrics := get(t, base+"/metrics")
	for _, want := range []string{`briefbot_feed_up{feed="nos"} 1`, `briefbot_feed_items_seen{feed="nos"} 2`, `briefbot_articles_loaded 8`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	// kill -9 while a post of 1,000 articles is being stored
	var big strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&big, `{"id": "anp-%04d", "title": "Bericht %d", "body": "Het ANP meldt in bericht %d dat gemeente Plaats%d een nieuw plan voor fietspaden heeft."}`+"\n", i, i, i, i)
	}
	postDone := make(chan struct{})
	go func() {
		defer close(postDone)
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/articles", strings.NewReader(big.String()))
		req.Header.Set("Authorization", "Bearer "+testToken)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	time.Sleep(20 * time.Millisecond) //nolint:forbidigo // the kill must land mid-request: there is no event to wait on in another process
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
	<-postDone

	p2 := startServe(t, cfg)
	base = p2.baseURL()
	r = readyReportOf(t, base)
	// all of the post or none of it, never part
	if r.Articles != 8 && r.Articles != 1008 {
		t.Fatalf("after kill -9 and restart: %d articles, want 8 or 1008 (all or nothing)", r.Articles)
	}
	t.Logf("after kill -9: %d articles (the post was %s)", r.Articles, map[bool]string{true: "stored", false: "lost whole"}[r.Articles == 1008])
	// the client retries: now everything is there, each article once
	code, body = postArticles(t, base, big.String())
	if code != http.StatusOK {
		t.Fatalf("repost: %d %.200s", code, body)
	}
	var res struct{ Created, Unchanged int }
	_ = json.Unmarshal([]byte(body), &res)
	if res.Created+res.Unchanged != 1000 || (res.Created != 0 && res.Created != 1000) {
		t.Errorf("repost after the crash: %+v", res)
	}
	waitLibrary(t, base, 1008)
	// the feed resumed with its validator: a 304, nothing new
	deadline := time.Now().Add(10 * time.Second)
	for {
		if n, inm := feed.stats(); n > 0 && inm != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the restarted serve sent no conditional GET to the feed")
		}
		time.Sleep(50 * time.Millisecond) //nolint:forbidigo // polling another process's requests
	}
	if r := readyReportOf(t, base); r.Articles != 1008 || r.Feeds[0].ItemsSeen != 2 {
		t.Errorf("after restart: %d articles, feed %+v", r.Articles, r.Feeds)
	}
	p2.terminate()
	if logs := p.logs() + p2.logs(); strings.Contains(logs, testToken) {
		t.Error("the logs contain the ingest token")
	}
}

// TestFeedsCheck: briefbot feeds check lists what each feed would bring
// in, reports a failing feed and exits 1. (It opens no store.)
func TestFeedsCheck(t *testing.T) {
	dir := t.TempDir()
	good := newTestFeed(t, "nos-1|Kiesraad: stemmen per brief blijft mogelijk|De Kiesraad zegt dat stemmen per brief mogelijk blijft.")
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusBadGateway) }))
	defer bad.Close()
	data := filepath.Join(dir, "data")
	cfg := writeFile(t, dir, "briefbot.yaml", `
data_dir: `+data+`
feeds:
  - {name: nos, url: "`+good.URL+`"}
  - {name: rtl, url: "`+bad.URL+`"}
`)
	code, stdout, stderr := runCLI(t, "feeds", "check", "--config", cfg)
	if code != 1 || !strings.Contains(stderr, "1 of 2 feeds could not be fetched") {
		t.Errorf("exit %d, stderr %q; want 1 naming the failed feed", code, stderr)
	}
	for _, want := range []string{"nos  " + good.URL, "1 articles would be ingested", "Kiesraad: stemmen per brief blijft mogelijk", "https://nos.nl/artikel/nos-1", "2026-03-02", "rtl  ", "FAILED: feed " + bad.URL + " answered 502 Bad Gateway"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = runCLI(t, "feeds", "check", "--config", cfg, "--format", "json")
	var out []feedCheck
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || code != 1 || len(out) != 2 || len(out[0].Articles) != 1 || out[1].Error == "" {
		t.Errorf("JSON: exit %d, %v, %+v", code, err, out)
	}
}
