package metrics

import "github.com/prometheus/client_golang/prometheus"

// AnalysisStats is a snapshot of the linguistic analysis of answers, for
// Analysis. Counters count from the start of the process and never
// decrease.
type AnalysisStats struct {
	// Serving is the analysis answers use now: "frog" or "builtin".
	Serving string
	// Frog is whether Frog is configured and started: without it only
	// briefbot_analysis_serving is exported.
	Frog bool
	// Analysed is the sentences Frog analysed (those it failed on, or that
	// came from the cache, are not counted).
	Analysed uint64
	// MemoryHits and StoreHits are the sentences the annotation cache
	// answered from memory and from the database; Misses those it sent to
	// Frog; StoreErrors its failed database calls.
	MemoryHits, StoreHits, Misses, StoreErrors uint64
	// CacheEntries is the sentences in the in-memory cache now.
	CacheEntries int
	// Restarts is the Frog processes restarted after a failure;
	// ReadyProcesses those answering now.
	Restarts       int
	ReadyProcesses int
}

// analyzers are the values of briefbot_analysis_serving's label.
var analyzers = []string{"frog", "builtin"}

// Analysis exports the linguistic analysis's state, read from stats at
// every scrape: briefbot_analysis_serving{analyzer} (1 for the analysis
// answers use now, 0 for the other), and with Frog the sentences it
// analysed, the annotation cache's hits and misses, and Frog's restarts
// and ready processes. stats must be safe for concurrent use and must not
// block.
func (m *Metrics) Analysis(stats func() AnalysisStats) error {
	return m.reg.Register(&analysisCollector{stats: stats})
}

var (
	analysisServingDesc = prometheus.NewDesc("briefbot_analysis_serving",
		"1 for the linguistic analysis answers use now (frog, or builtin while Frog is off, missing, starting or failing), 0 for the other.",
		[]string{"analyzer"}, nil)
	analysisSentencesDesc = prometheus.NewDesc("briefbot_analysis_sentences_total",
		"Sentences Frog analysed for answers (not those answered from the annotation cache).", nil, nil)
	analysisHitsDesc = prometheus.NewDesc("briefbot_analysis_cache_hits_total",
		"Sentences whose annotations the cache had, by where (memory or store: the database, kept across restarts).",
		[]string{"cache"}, nil)
	analysisMissesDesc = prometheus.NewDesc("briefbot_analysis_cache_misses_total",
		"Sentences the annotation cache did not have and sent to Frog.", nil, nil)
	analysisStoreErrorsDesc = prometheus.NewDesc("briefbot_analysis_cache_store_errors_total",
		"Failed reads and writes of cached annotations in the database (the cache then acts as empty).", nil, nil)
	analysisEntriesDesc = prometheus.NewDesc("briefbot_analysis_cache_entries",
		"Sentences in the in-memory annotation cache.", nil, nil)
	frogRestartsDesc = prometheus.NewDesc("briefbot_frog_restarts_total",
		"Frog processes restarted after a failure (exit, hang, garbage).", nil, nil)
	frogReadyDesc = prometheus.NewDesc("briefbot_frog_processes_ready",
		"Frog processes (or servers) answering now.", nil, nil)
)

// analysisCollector reads AnalysisStats once per scrape.
type analysisCollector struct {
	stats func() AnalysisStats
}

func (c *analysisCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{analysisServingDesc, analysisSentencesDesc, analysisHitsDesc, analysisMissesDesc,
		analysisStoreErrorsDesc, analysisEntriesDesc, frogRestartsDesc, frogReadyDesc} {
		ch <- d
	}
}

func (c *analysisCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	for _, a := range analyzers {
		v := 0.0
		if st.Serving == a {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(analysisServingDesc, prometheus.GaugeValue, v, a)
	}
	if !st.Frog {
		return
	}
	ch <- prometheus.MustNewConstMetric(analysisSentencesDesc, prometheus.CounterValue, float64(st.Analysed))
	ch <- prometheus.MustNewConstMetric(analysisHitsDesc, prometheus.CounterValue, float64(st.MemoryHits), "memory")
	ch <- prometheus.MustNewConstMetric(analysisHitsDesc, prometheus.CounterValue, float64(st.StoreHits), "store")
	ch <- prometheus.MustNewConstMetric(analysisMissesDesc, prometheus.CounterValue, float64(st.Misses))
	ch <- prometheus.MustNewConstMetric(analysisStoreErrorsDesc, prometheus.CounterValue, float64(st.StoreErrors))
	ch <- prometheus.MustNewConstMetric(analysisEntriesDesc, prometheus.GaugeValue, float64(st.CacheEntries))
	ch <- prometheus.MustNewConstMetric(frogRestartsDesc, prometheus.CounterValue, float64(st.Restarts))
	ch <- prometheus.MustNewConstMetric(frogReadyDesc, prometheus.GaugeValue, float64(st.ReadyProcesses))
}
