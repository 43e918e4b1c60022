// Package metrics counts what briefbot does, for Prometheus. It wraps the
// bot's collaborators (bot.Briefings, bot.Handler, bot.Sender) instead of
// changing them, and registers its collectors on a registry it is given:
// there is no global default registry.
package metrics

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
)

// Metrics holds briefbot's collectors. Its methods are safe for concurrent
// use.
type Metrics struct {
	questions   *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	abstentions *prometheus.CounterVec
	digests     *prometheus.CounterVec
	starts      *prometheus.CounterVec
	failures    *prometheus.CounterVec
	up          *prometheus.GaugeVec
	articles    prometheus.Gauge
	reloads     *prometheus.CounterVec
	// watchUp and watchFailures have no labels; vectors, so that they are
	// exported only once a watcher runs (not with the built-in samples).
	watchUp       *prometheus.GaugeVec
	watchFailures *prometheus.CounterVec
	reg           prometheus.Registerer
	now           func() time.Time
}

// New creates the collectors and registers them on reg. now is the clock
// answer latency is measured with; nil means time.Now.
func New(reg prometheus.Registerer, now func() time.Time) (*Metrics, error) {
	if now == nil {
		now = time.Now
	}
	m := &Metrics{
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_questions_total",
			Help: "Questions answered by the library, by platform and whether an answer was given.",
		}, []string{"platform", "answered"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "briefbot_answer_duration_seconds",
			Help:    "Time the library took to answer a question, by platform.",
			Buckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5},
		}, []string{"platform"}),
		abstentions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_abstentions_total",
			Help: "Questions the articles did not answer (the bot said so instead of guessing), by platform.",
		}, []string{"platform"}),
		digests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_digests_total",
			Help: "Scheduled digests handed to a platform, by platform and result (posted or failed).",
		}, []string{"platform", "result"}),
		starts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_adapter_starts_total",
			Help: "Times an adapter's Run was started. Reconnects inside an adapter are not visible here.",
		}, []string{"adapter"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_adapter_failures_total",
			Help: "Times an adapter's Run ended with an error.",
		}, []string{"adapter"}),
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "briefbot_adapter_up",
			Help: "1 while an adapter's Run is running, else 0.",
		}, []string{"adapter"}),
		articles: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "briefbot_articles_loaded",
			Help: "Articles in the library's current set.",
		}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_article_loads_total",
			Help: "Loads of the article set, by result (ok or failed).",
		}, []string{"result"}),
		watchUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "briefbot_article_watch_up",
			Help: "1 while the article directory is watched for changes, 0 while the watch is broken.",
		}, nil),
		watchFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_article_watch_failures_total",
			Help: "Times the watch of the article directory broke (the directory was deleted, or could not be watched again).",
		}, nil),
		reg: reg,
		now: now,
	}
	for _, c := range []prometheus.Collector{m.questions, m.latency, m.abstentions, m.digests, m.starts, m.failures, m.up, m.articles, m.reloads, m.watchUp, m.watchFailures} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// platformKey carries the platform of the message being handled from
// Handler to Briefings.
type platformKey struct{}

// platformFrom returns the platform Handler stored in ctx, or "unknown".
func platformFrom(ctx context.Context) string {
	if p, ok := ctx.Value(platformKey{}).(string); ok {
		return p
	}
	return "unknown"
}

// Handler wraps h so that the Briefings wrapper knows which platform a
// question came from (the Sender's Name).
func (m *Metrics) Handler(h bot.Handler) bot.Handler { return handler{h} }

type handler struct{ next bot.Handler }

func (h handler) HandleMessage(ctx context.Context, from bot.Sender, msg bot.Message) {
	p := "unknown"
	if n, ok := from.(interface{ Name() string }); ok && n.Name() != "" {
		p = n.Name()
	}
	h.next.HandleMessage(context.WithValue(ctx, platformKey{}, p), from, msg)
}

// Briefings wraps b: every Answer is timed and counted, abstentions too.
// A failed Answer (an error) is timed but not counted as a question.
func (m *Metrics) Briefings(b bot.Briefings) bot.Briefings { return library{Briefings: b, m: m} }

type library struct {
	bot.Briefings
	m *Metrics
}

func (l library) Answer(ctx context.Context, q string, opts briefings.AskOptions) (briefings.Answer, error) {
	start := l.m.now()
	a, err := l.Briefings.Answer(ctx, q, opts)
	p := platformFrom(ctx)
	l.m.latency.WithLabelValues(p).Observe(l.m.now().Sub(start).Seconds())
	if err != nil {
		return a, err
	}
	l.m.questions.WithLabelValues(p, strconv.FormatBool(a.Answered)).Inc()
	if !a.Answered {
		l.m.abstentions.WithLabelValues(p).Inc()
	}
	return a, nil
}

// DigestSender wraps the Sender the scheduler posts platform's digests
// with, counting each post as posted or failed.
func (m *Metrics) DigestSender(platform string, s bot.Sender) bot.Sender {
	// Touch both series so they are exported at 0 from the start.
	m.digests.WithLabelValues(platform, "posted")
	m.digests.WithLabelValues(platform, "failed")
	return digestSender{next: s, platform: platform, m: m}
}

type digestSender struct {
	next     bot.Sender
	platform string
	m        *Metrics
}

func (d digestSender) Send(ctx context.Context, to bot.Target, r bot.Reply) error {
	err := d.next.Send(ctx, to, r)
	result := "posted"
	if err != nil {
		result = "failed"
	}
	d.m.digests.WithLabelValues(d.platform, result).Inc()
	return err
}

// Name passes the wrapped Sender's name on, so the wrapper is
// indistinguishable from it where names matter.
func (d digestSender) Name() string { return d.platform }

// AdapterStarted records that adapter's Run started.
func (m *Metrics) AdapterStarted(adapter string) {
	m.starts.WithLabelValues(adapter).Inc()
	m.failures.WithLabelValues(adapter)
	m.up.WithLabelValues(adapter).Set(1)
}

// AdapterStopped records that adapter's Run returned err (nil: a clean stop).
func (m *Metrics) AdapterStopped(adapter string, err error) {
	m.up.WithLabelValues(adapter).Set(0)
	if err != nil {
		m.failures.WithLabelValues(adapter).Inc()
	}
}

// ArticlesLoaded records a load of the article set: n articles on success.
func (m *Metrics) ArticlesLoaded(n int, err error) {
	if err != nil {
		m.reloads.WithLabelValues("failed").Inc()
		return
	}
	m.reloads.WithLabelValues("ok").Inc()
	m.articles.Set(float64(n))
}

// ArticleWatch records the state of the article directory's watch, as
// briefings.WatchOptions.Status reports it: nil when it works, the reason
// when it broke.
func (m *Metrics) ArticleWatch(err error) {
	failures := m.watchFailures.WithLabelValues()
	if err != nil {
		failures.Inc()
		m.watchUp.WithLabelValues().Set(0)
		return
	}
	m.watchUp.WithLabelValues().Set(1)
}

// Reconnects exports an adapter's own count of reconnections as
// briefbot_adapter_reconnects_total{adapter}. Adapters that count them
// offer it as an optional method (Reconnects() uint64); the command wires
// it when present. count must be safe for concurrent use and never
// decrease.
func (m *Metrics) Reconnects(adapter string, count func() uint64) error {
	return m.reg.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name:        "briefbot_adapter_reconnects_total",
		Help:        "Reconnections an adapter made (for adapters that report them).",
		ConstLabels: prometheus.Labels{"adapter": adapter},
	}, func() float64 { return float64(count()) }))
}
