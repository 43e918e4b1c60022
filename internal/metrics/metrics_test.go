package metrics

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
)

// fakeLibrary answers "yes?" and abstains otherwise; "fail" fails.
type fakeLibrary struct{ bot.Briefings }

func (fakeLibrary) Answer(_ context.Context, q string, _ briefings.AskOptions) (briefings.Answer, error) {
	switch q {
	case "fail":
		return briefings.Answer{}, errors.New("index closed")
	case "yes?":
		return briefings.Answer{Answered: true}, nil
	}
	return briefings.Answer{}, nil
}

// askingHandler asks its question through lib, as the bot does.
type askingHandler struct{ lib bot.Briefings }

func (h askingHandler) HandleMessage(ctx context.Context, _ bot.Sender, m bot.Message) {
	_, _ = h.lib.Answer(ctx, m.Text, briefings.AskOptions{})
}

type namedSender struct {
	name string
	err  error
}

func (s namedSender) Name() string                                      { return s.name }
func (s namedSender) Send(context.Context, bot.Target, bot.Reply) error { return s.err }

// stepClock advances 20ms per reading.
func stepClock() func() time.Time {
	t := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(20 * time.Millisecond); return t }
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := New(reg, stepClock())
	if err != nil {
		t.Fatal(err)
	}
	h := m.Handler(askingHandler{lib: m.Briefings(fakeLibrary{})})
	ctx := context.Background()
	for _, q := range []struct{ platform, text string }{
		{"slack", "yes?"}, {"slack", "no?"}, {"matrix", "yes?"}, {"slack", "fail"},
	} {
		h.HandleMessage(ctx, namedSender{name: q.platform}, bot.Message{Text: q.text})
	}
	h.HandleMessage(ctx, namedSender{}, bot.Message{Text: "yes?"}) // a Sender without a name

	ok := m.DigestSender("slack", namedSender{name: "slack"})
	bad := m.DigestSender("matrix", namedSender{name: "matrix", err: errors.New("room gone")})
	_ = ok.Send(ctx, bot.Target{}, bot.Reply{})
	_ = ok.Send(ctx, bot.Target{}, bot.Reply{})
	if err := bad.Send(ctx, bot.Target{}, bot.Reply{}); err == nil {
		t.Error("DigestSender swallowed the Send error")
	}

	m.AdapterStarted("slack")
	m.AdapterStopped("slack", errors.New("invalid_auth"))
	m.AdapterStarted("slack")
	m.AdapterStarted("matrix")
	m.ArticlesLoaded(42, nil)
	m.ArticlesLoaded(7, errors.New("disk")) // a failed reload keeps the gauge

	want := `
# HELP briefbot_abstentions_total Questions the articles did not answer (the bot said so instead of guessing), by platform.
# TYPE briefbot_abstentions_total counter
briefbot_abstentions_total{platform="slack"} 1
# HELP briefbot_adapter_failures_total Times an adapter's Run ended with an error.
# TYPE briefbot_adapter_failures_total counter
briefbot_adapter_failures_total{adapter="matrix"} 0
briefbot_adapter_failures_total{adapter="slack"} 1
# HELP briefbot_adapter_starts_total Times an adapter's Run was started. Reconnects inside an adapter are not visible here.
# TYPE briefbot_adapter_starts_total counter
briefbot_adapter_starts_total{adapter="matrix"} 1
briefbot_adapter_starts_total{adapter="slack"} 2
# HELP briefbot_adapter_up 1 while an adapter's Run is running, else 0.
# TYPE briefbot_adapter_up gauge
briefbot_adapter_up{adapter="matrix"} 1
briefbot_adapter_up{adapter="slack"} 1
# HELP briefbot_article_loads_total Loads of the article set, by result (ok or failed).
# TYPE briefbot_article_loads_total counter
briefbot_article_loads_total{result="failed"} 1
briefbot_article_loads_total{result="ok"} 1
# HELP briefbot_articles_loaded Articles in the library's current set.
# TYPE briefbot_articles_loaded gauge
briefbot_articles_loaded 42
# HELP briefbot_digests_total Scheduled digests handed to a platform, by platform and result (posted or failed).
# TYPE briefbot_digests_total counter
briefbot_digests_total{platform="matrix",result="failed"} 1
briefbot_digests_total{platform="matrix",result="posted"} 0
briefbot_digests_total{platform="slack",result="failed"} 0
briefbot_digests_total{platform="slack",result="posted"} 2
# HELP briefbot_questions_total Questions answered by the library, by platform and whether an answer was given.
# TYPE briefbot_questions_total counter
briefbot_questions_total{answered="false",platform="slack"} 1
briefbot_questions_total{answered="true",platform="matrix"} 1
briefbot_questions_total{answered="true",platform="slack"} 1
briefbot_questions_total{answered="true",platform="unknown"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"briefbot_abstentions_total", "briefbot_adapter_failures_total", "briefbot_adapter_starts_total", "briefbot_adapter_up",
		"briefbot_article_loads_total", "briefbot_articles_loaded", "briefbot_digests_total", "briefbot_questions_total"); err != nil {
		t.Error(err)
	}
	// Every Answer is timed, the failed one too: 3 slack, each 20ms.
	if n := testutil.CollectAndCount(m.latency); n != 3 {
		t.Errorf("latency series = %d, want 3 (slack, matrix, unknown)", n)
	}
	got, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range got {
		if mf.GetName() != "briefbot_answer_duration_seconds" {
			continue
		}
		for _, mm := range mf.GetMetric() {
			if mm.GetLabel()[0].GetValue() == "slack" {
				if c, s := mm.GetHistogram().GetSampleCount(), mm.GetHistogram().GetSampleSum(); c != 3 || s < 0.0599 || s > 0.0601 {
					t.Errorf("slack latency count %d sum %v, want 3 and 0.06", c, s)
				}
			}
		}
	}
}

func TestNewRefusesDoubleRegistration(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := New(reg, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := New(reg, nil); err == nil {
		t.Error("a second New on one registry succeeded")
	}
}

func TestReconnects(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := New(reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Uint64
	if err := m.Reconnects("slack", n.Load); err != nil {
		t.Fatal(err)
	}
	n.Add(3)
	want := `
# HELP briefbot_adapter_reconnects_total Reconnections an adapter made (for adapters that report them).
# TYPE briefbot_adapter_reconnects_total counter
briefbot_adapter_reconnects_total{adapter="slack"} 3
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "briefbot_adapter_reconnects_total"); err != nil {
		t.Error(err)
	}
	if err := m.Reconnects("slack", n.Load); err == nil {
		t.Error("a second registration for one adapter succeeded")
	}
}

// The article watch is exported once a watcher runs: up or not, and how
// often it broke (issue 12, item 15).
func TestArticleWatch(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := New(reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := testutil.GatherAndCount(reg, "briefbot_article_watch_up", "briefbot_article_watch_failures_total"); err != nil || n != 0 {
		t.Errorf("before a watcher runs: %d series (%v), want none", n, err)
	}
	steps := []struct {
		err  error
		want string
	}{
		{nil, "briefbot_article_watch_up 1\nbriefbot_article_watch_failures_total 0\n"},
		{errors.New("gone"), "briefbot_article_watch_up 0\nbriefbot_article_watch_failures_total 1\n"},
		{nil, "briefbot_article_watch_up 1\nbriefbot_article_watch_failures_total 1\n"},
		{errors.New("gone again"), "briefbot_article_watch_up 0\nbriefbot_article_watch_failures_total 2\n"},
	}
	for i, st := range steps {
		m.ArticleWatch(st.err)
		want := "# HELP briefbot_article_watch_failures_total Times the watch of the article directory broke (the directory was deleted, or could not be watched again).\n" +
			"# TYPE briefbot_article_watch_failures_total counter\n" +
			strings.Split(st.want, "\n")[1] + "\n" +
			"# HELP briefbot_article_watch_up 1 while the article directory is watched for changes, 0 while the watch is broken.\n" +
			"# TYPE briefbot_article_watch_up gauge\n" +
			strings.Split(st.want, "\n")[0] + "\n"
		if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "briefbot_article_watch_up", "briefbot_article_watch_failures_total"); err != nil {
			t.Errorf("step %d: %v", i, err)
		}
	}
}
