package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/internal/store"
)

const (
	cmsToken  = "cms-0123456789abcdef"
	wireToken = "anp-fedcba9876543210"
)

type apiEnv struct {
	srv     *httptest.Server
	st      *store.SQLite
	changes int
	mu      sync.Mutex
	now     time.Time
}

func newAPIEnv(t *testing.T, maxBody int64, limit RateLimit) *apiEnv {
	t.Helper()
	e := &apiEnv{st: newStore(t), now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	api, err := NewAPI(APIOptions{
		Store: e.st, MaxBody: maxBody, Logger: testLogger(t),
		Tokens: []Token{{Name: "cms", Secret: cmsToken, Limit: limit}, {Name: "anp", Secret: wireToken, Limit: RateLimit{Events: -1}}},
		Changed: func() {
			e.mu.Lock()
			e.changes++
			e.mu.Unlock()
		},
		Now: func() time.Time {
			e.mu.Lock()
			defer e.mu.Unlock()
			return e.now
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", api)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *apiEnv) do(t testing.TB, method, path, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func decodePost(t testing.TB, body string) PostResponse {
	t.Helper()
	var r PostResponse
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("answer %q: %v", body, err)
	}
	return r
}

const article1 = `{"id": "cms-1001", "title": "Desinformatie over stemmen per brief", "date": "2026-03-02T00:30:00+01:00", "url": "https://www.example.nl/a/1001?utm_source=x", "source": "Het Dagblad", "author": "Jan de Vries", "body": "Op sociale media circuleren berichten dat stemmen per brief niet mogelijk is.\n\nDe Kiesraad spreekt dat tegen."}`

func TestAPIAuth(t *testing.T) {
	e := newAPIEnv(t, 0, RateLimit{})
	for _, tc := range []struct {
		name, header string
		want         int
	}{
		{"none", "", http.StatusUnauthorized},
		{"wrong", "Bearer cms-0123456789abcdeX", http.StatusUnauthorized},
		{"prefix of a token", "Bearer cms-0123", http.StatusUnauthorized},
		{"not bearer", "Basic " + cmsToken, http.StatusUnauthorized},
		{"empty bearer", "Bearer ", http.StatusUnauthorized},
		{"good", "Bearer " + cmsToken, http.StatusOK},
		{"scheme in lower case", "bearer " + wireToken, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+"/api/v1/articles", strings.NewReader(article1))
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if tc.want == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

// TestAPIPostFormats: one object, an array and JSON Lines are accepted;
// each article gets its result; the same article again is unchanged, a
// change is an update; records without a body are rejected with the reason.
func TestAPIPostFormats(t *testing.T) {
	e := newAPIEnv(t, 0, RateLimit{Events: -1})
	changed := strings.Replace(article1, "Desinformatie over", "Nepnieuws over", 1)
	noID := `{"title": "Zonder id", "url": "https://www.example.nl/b/7?fbclid=1", "body": "Een bericht zonder id maar met een link."}`
	noIDOtherTracking := `{"title": "Zonder id", "url": "https://www.example.nl/b/7?utm_medium=2", "body": "Een bericht zonder id maar met een link."}`
	bare := `{"body": "Alleen een tekst, zonder id of link."}`
	type res struct{ ID, Result, Reason string }
	for _, tc := range []struct {
		name, body string
		want       []res
	}{
		{"object", article1, []res{{"cms-1001", "created", ""}}},
		{"object again", article1, []res{{"cms-1001", "unchanged", ""}}},
		{"array", "[" + changed + "," + noID + "]", []res{{"cms-1001", "updated", ""}, {"live-", "created", ""}}},
		{"jsonl", noIDOtherTracking + "\n\n" + bare + "\n" + `{"id": "x"}` + "\n" + `{"id": 5, "body": "nummer"` + "\n" + bare + "\n",
			[]res{{"live-", "unchanged", ""}, {"live-", "created", ""}, {"", "rejected", "field body is missing or empty"},
				{"", "rejected", "line 5 is not JSON"}, {"live-", "unchanged", ""}}},
		{"array of non-objects", `[1, "twee"]`, []res{{"", "rejected", "not a JSON article object"}, {"", "rejected", "not a JSON article object"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := e.do(t, http.MethodPost, "/api/v1/articles", cmsToken, tc.body)
			if code != http.StatusOK {
				t.Fatalf("status %d: %s", code, body)
			}
			r := decodePost(t, body)
			var got []res
			for _, x := range r.Results {
				id := x.ID
				if strings.HasPrefix(id, "live-") {
					id = "live-"
				}
				reason := x.Reason
				for _, w := range tc.want {
					if w.Reason != "" && strings.Contains(reason, w.Reason) {
						reason = w.Reason
					}
				}
				got = append(got, res{id, x.Result, reason})
			}
			if diff := cmp.Diff(got, tc.want); diff != "" {
				t.Errorf("results (-got +want):\n%s\n%s", diff, body)
			}
		})
	}
	arts, err := e.st.LiveArticles(t.Context())
	if err != nil || len(arts) != 3 {
		t.Fatalf("stored %d articles, %v; want 3", len(arts), err)
	}
	a := arts[0] // cms-1001 sorts first
	if a.ID != "cms-1001" || a.Title != "Nepnieuws over stemmen per brief" || a.Date.String() != "2026-03-02" ||
		a.URL != "https://www.example.nl/a/1001" || a.Publisher != "Het Dagblad" || a.Author != "Jan de Vries" {
		t.Errorf("stored %+v", a)
	}
}

func TestAPIBadRequests(t *testing.T) {
	e := newAPIEnv(t, 4096, RateLimit{Events: -1})
	for _, tc := range []struct {
		name, method, path, body string
		want                     int
		msg                      string
	}{
		{"empty", "POST", "/api/v1/articles", "  \n", http.StatusBadRequest, "empty"},
		{"not JSON", "POST", "/api/v1/articles", "title=x&body=y", http.StatusBadRequest, "not JSON"},
		{"broken array", "POST", "/api/v1/articles", `[{"body": "x"}`, http.StatusBadRequest, "not a JSON array"},
		{"broken object", "POST", "/api/v1/articles", `{"body": "x"`, http.StatusBadRequest, "not JSON"},
		{"empty array", "POST", "/api/v1/articles", `[]`, http.StatusBadRequest, "empty array"},
		{"oversize", "POST", "/api/v1/articles", `{"body": "` + strings.Repeat("x", 5000) + `"}`, http.StatusRequestEntityTooLarge, "larger than the limit of 4096 bytes"},
		{"wrong method", "GET", "/api/v1/articles", "", http.StatusMethodNotAllowed, ""},
		{"unknown path", "POST", "/api/v1/other", "{}", http.StatusNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := e.do(t, tc.method, tc.path, cmsToken, tc.body)
			if code != tc.want || !strings.Contains(body, tc.msg) {
				t.Errorf("%s %s: %d %s; want %d with %q", tc.method, tc.path, code, body, tc.want, tc.msg)
			}
		})
	}
	if arts, _ := e.st.LiveArticles(t.Context()); len(arts) != 0 {
		t.Errorf("bad requests stored %d articles", len(arts))
	}
}

// TestAPIRateLimit: each client has its own bucket; an empty bucket is a
// 429 with Retry-After, refilled as the clock moves on.
func TestAPIRateLimit(t *testing.T) {
	e := newAPIEnv(t, 0, RateLimit{Events: 2, Window: time.Minute})
	post := func(token string) *http.Response {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+"/api/v1/articles", strings.NewReader(article1))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i, want := range []int{200, 200, 429} {
		if resp := post(cmsToken); resp.StatusCode != want {
			t.Fatalf("request %d: %d, want %d", i+1, resp.StatusCode, want)
		} else if want == 429 && resp.Header.Get("Retry-After") != "30" {
			t.Errorf("Retry-After %q, want 30", resp.Header.Get("Retry-After"))
		}
	}
	if resp := post(wireToken); resp.StatusCode != 200 {
		t.Errorf("another client was limited too: %d", resp.StatusCode)
	}
	e.mu.Lock()
	e.now = e.now.Add(30 * time.Second)
	e.mu.Unlock()
	if resp := post(cmsToken); resp.StatusCode != 200 {
		t.Errorf("after 30s: %d, want 200", resp.StatusCode)
	}
}

// TestAPIThousandLines: 1,000 articles in one JSON Lines post are stored
// in one go; posting them again changes nothing.
func TestAPIThousandLines(t *testing.T) {
	e := newAPIEnv(t, 0, RateLimit{Events: -1})
	body := jsonLines(0, 1000)
	for _, want := range []PostResponse{{Created: 1000}, {Unchanged: 1000}} {
		code, out := e.do(t, http.MethodPost, "/api/v1/articles", wireToken, body)
		if code != http.StatusOK {
			t.Fatalf("status %d: %.300s", code, out)
		}
		r := decodePost(t, out)
		r.Results = nil
		if !cmp.Equal(r, want) {
			t.Errorf("counts %+v, want %+v", r, want)
		}
	}
	if arts, _ := e.st.LiveArticles(t.Context()); len(arts) != 1000 {
		t.Errorf("stored %d", len(arts))
	}
	if e.changes != 1 {
		t.Errorf("Changed called %d times, want once (the second post changed nothing)", e.changes)
	}
}

// jsonLines makes articles from..from+n as JSON Lines.
func jsonLines(from, n int) string {
	var b bytes.Buffer
	for i := from; i < from+n; i++ {
		rec := map[string]string{
			"id":     fmt.Sprintf("anp-%06d", i),
			"title":  fmt.Sprintf("Bericht %d van het ANP", i),
			"date":   "2026-03-02",
			"source": "ANP",
			"body": fmt.Sprintf("Het ANP meldt in bericht %d dat de gemeente Zwolle%d een nieuw plan heeft voor fietspaden. "+
				"De wethouder noemt het plan ambitieus.\n\nDe gemeenteraad stemt volgende maand over bericht %d.", i, i, i),
		}
		line, _ := json.Marshal(rec)
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestAPIConcurrentSamePost: clients racing to post the same article
// make one article: exactly one request creates it.
func TestAPIConcurrentSamePost(t *testing.T) {
	e := newAPIEnv(t, 0, RateLimit{Events: -1})
	const n = 16
	results := make([]PostResponse, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			code, body := e.do(t, http.MethodPost, "/api/v1/articles", wireToken, article1)
			if code != http.StatusOK {
				t.Errorf("status %d: %s", code, body)
				return
			}
			results[i] = decodePost(t, body)
		})
	}
	wg.Wait()
	created := 0
	for _, r := range results {
		created += r.Created
	}
	if created != 1 {
		t.Errorf("%d posts created the article, want 1", created)
	}
	if arts, _ := e.st.LiveArticles(t.Context()); len(arts) != 1 {
		t.Errorf("stored %d articles, want 1", len(arts))
	}
}

func TestAPIDelete(t *testing.T) {
	e := newAPIEnv(t, 0, RateLimit{Events: -1})
	if code, body := e.do(t, http.MethodPost, "/api/v1/articles", cmsToken, article1); code != 200 {
		t.Fatalf("post: %d %s", code, body)
	}
	for _, tc := range []struct {
		token string
		code  int
		want  string
	}{
		{"", http.StatusUnauthorized, "bearer token"},
		{cmsToken, http.StatusOK, `"result":"deleted"`},
		{cmsToken, http.StatusOK, `"result":"already_deleted"`},
	} {
		code, body := e.do(t, http.MethodDelete, "/api/v1/articles/cms-1001", tc.token, "")
		if code != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("DELETE: %d %s; want %d with %s", code, body, tc.code, tc.want)
		}
	}
	if code, body := e.do(t, http.MethodDelete, "/api/v1/articles/nope", cmsToken, ""); code != http.StatusNotFound {
		t.Errorf("DELETE unknown: %d %s", code, body)
	}
	if arts, _ := e.st.LiveArticles(t.Context()); len(arts) != 0 {
		t.Errorf("%d articles after the retraction", len(arts))
	}
	// posting it again is an explicit restore
	if code, body := e.do(t, http.MethodPost, "/api/v1/articles", cmsToken, article1); code != 200 || !strings.Contains(body, `"created"`) {
		t.Errorf("post after delete: %d %s", code, body)
	}
}
