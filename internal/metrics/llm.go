package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/llmreader"
)

// LLM exports the language-model reader's counters, read from stats at
// every scrape: requests, what each question got from the model, the
// verification rejections and the fallbacks to the built-in reader by
// reason, the replies by reader, tokens and the answer cache. Every label
// value is exported from the start, at 0. stats must be safe for
// concurrent use and must not block (llmreader.Reader.Stats).
func (m *Metrics) LLM(stats func() llmreader.Stats) error {
	return m.reg.Register(&llmCollector{stats: stats})
}

var (
	llmRequestsDesc = prometheus.NewDesc("briefbot_llm_requests_total",
		"HTTP requests to the language model, by result (ok: a 200 reply; failed: an error, another status, or no reply).",
		[]string{"result"}, nil)
	llmOutcomesDesc = prometheus.NewDesc("briefbot_llm_outcomes_total",
		"Questions by what the language model contributed: accepted (a verified answer shown), abstained, rejected (failed verification), failed (not asked, or no usable reply). Cached answers count in briefbot_llm_cache_hits_total only.",
		[]string{"outcome"}, nil)
	llmRejectionsDesc = prometheus.NewDesc("briefbot_llm_rejections_total",
		"Language-model answers that failed verification and were not shown, by reason.",
		[]string{"reason"}, nil)
	llmFallbacksDesc = prometheus.NewDesc("briefbot_llm_fallbacks_total",
		"Questions the built-in reader answered because the language model could not be asked or gave no usable reply, by reason.",
		[]string{"reason"}, nil)
	llmReadersDesc = prometheus.NewDesc("briefbot_llm_replies_total",
		"Replies to questions (answers and abstentions) while the language-model reader is on, by the reader shown (llm or builtin).",
		[]string{"reader"}, nil)
	llmTokensDesc = prometheus.NewDesc("briefbot_llm_tokens_total",
		"Tokens the language model's server reported using, by kind (prompt or completion).",
		[]string{"kind"}, nil)
	llmCacheHitsDesc = prometheus.NewDesc("briefbot_llm_cache_hits_total",
		"Questions answered from the cache of verified language-model outcomes.", nil, nil)
	llmCacheMissesDesc = prometheus.NewDesc("briefbot_llm_cache_misses_total",
		"Questions the cache of verified language-model outcomes did not have.", nil, nil)
	llmCacheEntriesDesc = prometheus.NewDesc("briefbot_llm_cache_entries",
		"Verified language-model outcomes in the cache.", nil, nil)
)

type llmCollector struct {
	stats func() llmreader.Stats
}

func (c *llmCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{llmRequestsDesc, llmOutcomesDesc, llmRejectionsDesc, llmFallbacksDesc,
		llmReadersDesc, llmTokensDesc, llmCacheHitsDesc, llmCacheMissesDesc, llmCacheEntriesDesc} {
		ch <- d
	}
}

func (c *llmCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	counter(llmRequestsDesc, st.RequestsOK, "ok")
	counter(llmRequestsDesc, st.RequestsFailed, "failed")
	for _, o := range llmreader.Outcomes() {
		counter(llmOutcomesDesc, st.Outcomes[o], o)
	}
	for _, r := range llmreader.RejectionReasons() {
		counter(llmRejectionsDesc, st.Rejections[r], r)
	}
	for _, r := range llmreader.FallbackReasons() {
		counter(llmFallbacksDesc, st.Fallbacks[r], r)
	}
	for _, r := range []string{briefings.ReaderLLM, briefings.ReaderBuiltin} {
		counter(llmReadersDesc, st.Readers[r], r)
	}
	counter(llmTokensDesc, st.PromptTokens, "prompt")
	counter(llmTokensDesc, st.CompletionTokens, "completion")
	counter(llmCacheHitsDesc, st.CacheHits)
	counter(llmCacheMissesDesc, st.CacheMisses)
	ch <- prometheus.MustNewConstMetric(llmCacheEntriesDesc, prometheus.GaugeValue, float64(st.CacheEntries))
}
