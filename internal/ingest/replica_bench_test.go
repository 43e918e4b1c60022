package ingest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/pgtest"
	"github.com/briefbot/briefbot/internal/store"
)

// BenchmarkReplicaCatchUp measures how long another replica takes to
// answer from 10,000 new articles posted to one replica on a shared
// PostgreSQL database: replica A stores them (one POST of JSON Lines to
// its ingest API), replica B hears the notification and rebuilds its
// library from the database, as serve wires them. Reported: post-s (A's
// POST, store included), catchup-s (from A's answer to B's library
// having them) and total-s.
func BenchmarkReplicaCatchUp(b *testing.B) {
	const batch = 10_000
	url := pgtest.Database(b)
	open := func() *store.Postgres {
		st, err := store.OpenPostgres(context.Background(), url, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = st.Close() })
		return st
	}
	stA, stB := open(), open()
	api, err := NewAPI(APIOptions{Store: stA, Tokens: []Token{{Name: "anp", Secret: wireToken, Limit: RateLimit{Events: -1}}},
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(api)
	b.Cleanup(srv.Close)
	libB := newLibrary(b)
	refB := NewRefresher(stB, libB, "none", nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = refB.Run(ctx) }()
	go func() {
		_ = stB.Listen(ctx, func(ch string) {
			if ch == store.ArticlesChannel {
				refB.Kick()
			}
		})
	}()

	var post, catchup time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		body := jsonLines(i*batch, batch)
		want := (i + 1) * batch
		b.StartTimer()
		start := time.Now()
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
		posted := time.Now()
		deadline := posted.Add(5 * time.Minute)
		for libB.Len() < want {
			if time.Now().After(deadline) {
				b.Fatalf("replica B has %d articles after 5 min, want %d", libB.Len(), want)
			}
			time.Sleep(time.Millisecond) //nolint:forbidigo // B's refresh runs on its own goroutine
		}
		post += posted.Sub(start)
		catchup += time.Since(posted)
	}
	b.ReportMetric(post.Seconds()/float64(b.N), "post-s")
	b.ReportMetric(catchup.Seconds()/float64(b.N), "catchup-s")
	b.ReportMetric((post+catchup).Seconds()/float64(b.N), "total-s")
}
