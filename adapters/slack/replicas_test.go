package slack

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/internal/pgtest"
	"github.com/briefbot/briefbot/internal/store"
)

// TestReplicasAnswerEachMessageOnce: two replicas of the bot, each with its
// own Slack adapter (Events API) and its own connections to one real
// PostgreSQL database. 100 direct messages that mention the bot each come
// as message.im and as app_mention, to different replicas, and each
// message.im is redelivered to the other replica too: 300 deliveries,
// concurrently. Every message is answered exactly once.
func TestReplicasAnswerEachMessageOnce(t *testing.T) {
	dbURL := pgtest.Database(t)
	f := newFakeSlack(t, nil)
	var srvs [2]string
	for i := range srvs {
		st, err := store.OpenPostgres(t.Context(), dbURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		b, err := bot.New(bot.Options{Briefings: bottest.NewLibrary(testNow.AddDate(0, 0, -4)), Store: st,
			Owner: fmt.Sprintf("replica-%d", i), Logger: testLogger(t),
			UserLimit: bot.RateLimit{Events: -1}, ConversationLimit: bot.RateLimit{Events: -1}})
		if err != nil {
			t.Fatal(err)
		}
		_, srvs[i] = httpAdapter(t, f, b, Options{SharedState: true, Workers: 4})
	}

	const messages = 100
	type delivery struct {
		replica int
		body    []byte
	}
	var all []delivery
	for k := range messages {
		ts := fmt.Sprintf("1764000100.%06d", k)
		text := "<@" + testBotID + "> wie heeft Krebs ontslagen?"
		am := appMention("U0REPORTER", text, ts)
		am["channel"] = "D0DIRECT1"
		im := eventCallback(fmt.Sprintf("Ev%03dIM", k), directMessage("U0REPORTER", text, ts))
		mention := eventCallback(fmt.Sprintf("Ev%03dMENTION", k), am)
		all = append(all,
			delivery{k % 2, im},
			delivery{(k + 1) % 2, mention},
			delivery{(k + 1) % 2, im}, // Slack's redelivery (X-Slack-Retry-Num) to the other replica
		)
	}
	var wg sync.WaitGroup
	for i, d := range all {
		wg.Go(func() {
			req := signed(t, srvs[d.replica], "/slack/events", jsonType, d.body, testSecret, testNow)
			if i%3 == 2 {
				req.Header.Set("X-Slack-Retry-Num", "1")
				req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
			}
			if status, _ := do(t, req); status != http.StatusOK {
				t.Errorf("delivery %d: status %d", i, status)
			}
		})
	}
	wg.Wait()

	// every message answered: wait for 100 answers, then for both
	// replicas to have finished every claim (a busy claim waits for its
	// holder), then count per message
	deadline := time.Now().Add(60 * time.Second)
	for len(f.Posts()) < messages && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) //nolint:forbidigo // answers are posted by other goroutines of two adapters
	}
	sentinel := func(r int) {
		ts := fmt.Sprintf("1764000200.%06d", r)
		body := eventCallback("Ev0SENTINEL"+ts, directMessage("U0REPORTER", "wie heeft Krebs ontslagen?", ts))
		if status, _ := do(t, signed(t, srvs[r], "/slack/events", jsonType, body, testSecret, testNow)); status != http.StatusOK {
			t.Fatalf("sentinel: %d", status)
		}
	}
	sentinel(0)
	sentinel(1)
	for len(f.Posts()) < messages+2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) //nolint:forbidigo // as above
	}
	perMessage := map[string]int{}
	for _, p := range f.Posts() {
		perMessage[p.ThreadTS]++
	}
	for k := range messages {
		ts := fmt.Sprintf("1764000100.%06d", k)
		if n := perMessage[ts]; n != 1 {
			t.Errorf("message %s answered %d times, want once", ts, n)
		}
	}
	if n := len(f.Posts()); n != messages+2 {
		t.Errorf("%d answers posted, want %d (each message once, two sentinels)", n, messages+2)
	}
}
