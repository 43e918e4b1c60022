package feeds

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const tinyRSS = `<rss version="2.0"><channel><title>t</title><item><title>a</title><guid>1</guid><description>b</description></item></channel></rss>`

func TestFetchConditional(t *testing.T) {
	var gotINM, gotIMS string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotINM, gotIMS = r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
		if gotINM == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Mon, 02 Mar 2026 08:00:00 GMT")
		io.WriteString(w, tinyRSS)
	}))
	defer srv.Close()
	var f Fetcher
	res, err := f.Fetch(t.Context(), Request{URL: srv.URL})
	if err != nil || res.NotModified || string(res.Body) != tinyRSS || res.ETag != `"v1"` {
		t.Fatalf("first fetch = %+v, %v", res, err)
	}
	res2, err := f.Fetch(t.Context(), Request{URL: srv.URL, ETag: res.ETag, LastModified: res.LastModified})
	if err != nil || !res2.NotModified || len(res2.Body) != 0 {
		t.Fatalf("second fetch = %+v, %v; want 304", res2, err)
	}
	if gotINM != `"v1"` || gotIMS != "Mon, 02 Mar 2026 08:00:00 GMT" {
		t.Errorf("validators sent: If-None-Match %q, If-Modified-Since %q", gotINM, gotIMS)
	}
	if res2.ETag != `"v1"` || res2.LastModified != res.LastModified {
		t.Errorf("304 lost the validators: %+v", res2)
	}
}

func TestFetchFailures(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	mux := http.NewServeMux()
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	mux.HandleFunc("/slowbody", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<rss>")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	// 50 MB, announced
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "52428800")
		for range 50 {
			if _, err := io.WriteString(w, big); err != nil {
				return
			}
		}
	})
	// 50 MB, chunked: no length announced
	mux.HandleFunc("/huge-chunked", func(w http.ResponseWriter, r *http.Request) {
		for range 50 {
			if _, err := io.WriteString(w, big); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.org/x", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, tc := range []struct {
		path    string
		timeout time.Duration
		want    string
		tooBig  bool
	}{
		{"/500", 0, "answered 500 Internal Server Error", false},
		{"/slow", 100 * time.Millisecond, "did not answer within 100ms", false},
		{"/slowbody", 100 * time.Millisecond, "did not send its body within 100ms", false},
		{"/huge", 0, "52428800 bytes announced, the limit is 10485760", true},
		{"/huge-chunked", 0, "more than the limit of 10485760 bytes", true},
		{"/loop", 0, "more than 5 redirects", false},
		{"/ftp", 0, `redirect to a "ftp" URL`, false},
	} {
		t.Run(tc.path, func(t *testing.T) {
			var f Fetcher
			start := time.Now()
			_, err := f.Fetch(t.Context(), Request{URL: srv.URL + tc.path, Timeout: tc.timeout})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Fetch(%s) error = %v, want one containing %q", tc.path, err, tc.want)
			}
			if errors.Is(err, ErrTooLarge) != tc.tooBig {
				t.Errorf("errors.Is(err, ErrTooLarge) = %v, want %v", !tc.tooBig, tc.tooBig)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Fetch(%s) took %v", tc.path, d)
			}
		})
	}
}

// TestFetchRedirect: a feed that moved is followed, the final URL is the
// base for relative links, and an auth header never goes to another host.
func TestFetchRedirect(t *testing.T) {
	var otherAuth, sameAuth string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherAuth = r.Header.Get("X-Api-Key")
		io.WriteString(w, tinyRSS)
	}))
	defer other.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusMovedPermanently) })
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) {
		sameAuth = r.Header.Get("X-Api-Key")
		io.WriteString(w, tinyRSS)
	})
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		// localhost is another host name than 127.0.0.1, on loopback
		http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+"/feed", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	var f Fetcher
	res, err := f.Fetch(t.Context(), Request{URL: srv.URL + "/old", AuthHeader: "X-Api-Key", AuthValue: "geheim"})
	if err != nil || res.URL.Path != "/new" || string(res.Body) != tinyRSS {
		t.Fatalf("Fetch(/old) = %+v, %v", res, err)
	}
	if sameAuth != "geheim" {
		t.Errorf("same-host redirect: auth header %q, want it kept", sameAuth)
	}
	if _, err := f.Fetch(t.Context(), Request{URL: srv.URL + "/away", AuthHeader: "X-Api-Key", AuthValue: "geheim"}); err != nil {
		t.Fatal(err)
	}
	if otherAuth != "" {
		t.Errorf("cross-host redirect sent the auth header %q", otherAuth)
	}
}

func TestFetchCancelled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var f Fetcher
	if _, err := f.Fetch(ctx, Request{URL: srv.URL}); !errors.Is(err, context.Canceled) {
		t.Errorf("Fetch with an ended context: %v, want context.Canceled", err)
	}
}
