package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/store"
)

func benchAPI(b *testing.B, st *store.SQLite, changed func()) *httptest.Server {
	api, err := NewAPI(APIOptions{Store: st, Tokens: []Token{{Name: "anp", Secret: wireToken, Limit: RateLimit{Events: -1}}},
		Logger: slog.New(slog.DiscardHandler), Changed: changed})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(api)
	b.Cleanup(srv.Close)
	return srv
}

func benchPost(b *testing.B, srv *httptest.Server, body string) {
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/articles", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+wireToken)
	resp, err := srv.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("POST: %d", resp.StatusCode)
	}
}

// BenchmarkIngestAPI posts batches of 1,000 new articles as JSON Lines:
// into the store only, and into the store and the index (a refresh of the
// library after each batch, which re-indexes everything stored so far).
func BenchmarkIngestAPI(b *testing.B) {
	const batch = 1000
	for _, withIndex := range []bool{false, true} {
		name := "store"
		if withIndex {
			name = "store+index"
		}
		b.Run(name, func(b *testing.B) {
			st := newStore(b)
			lib := newLibrary(b)
			ref := NewRefresher(st, lib, "none", nil, nil)
			srv := benchAPI(b, st, nil)
			b.SetBytes(int64(len(jsonLines(0, batch))))
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				body := jsonLines(i*batch, batch)
				b.StartTimer()
				benchPost(b, srv, body)
				if withIndex {
					if err := ref.Refresh(b.Context()); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "articles/s")
		})
	}
}

// BenchmarkPostToAnswerable measures the time from a POST of one article to
// the moment Search finds it, with the Refresher running as serve runs it,
// over a library that already holds n articles.
func BenchmarkPostToAnswerable(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("library=%d", n), func(b *testing.B) {
			st := newStore(b)
			lib := newLibrary(b)
			ref := NewRefresher(st, lib, "none", nil, nil)
			srv := benchAPI(b, st, ref.Kick)
			for i := 0; i < n; i += 1000 {
				benchPost(b, srv, jsonLines(i, min(1000, n-i)))
			}
			if err := ref.Refresh(b.Context()); err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(b.Context())
			defer cancel()
			go func() { _ = ref.Run(ctx) }()
			b.ResetTimer()
			for i := range b.N {
				word := fmt.Sprintf("Zoekwoordq%dx", i)
				benchPost(b, srv, fmt.Sprintf(`{"id": "bench-%d", "title": "Nieuw bericht %d", "body": "Het woord %s staat alleen in dit bericht over de gemeenteraad."}`, i, i, word))
				deadline := time.Now().Add(30 * time.Second)
				for {
					res, err := lib.Search(ctx, word, 1)
					if err == nil && len(res) > 0 {
						break
					}
					if time.Now().After(deadline) {
						b.Fatalf("article %d not searchable after 30s", i)
					}
					time.Sleep(time.Millisecond)
				}
			}
		})
	}
}
