package metrics

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
)

// series gathers reg and lists its series whose names start with one of
// prefixes as `name{label="value"} value`, sorted.
func series(t *testing.T, reg prometheus.Gatherer, prefixes ...string) []string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, mf := range mfs {
		if !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(mf.GetName(), p) }) {
			continue
		}
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			name := mf.GetName()
			if len(labels) > 0 {
				name += "{" + strings.Join(labels, ",") + "}"
			}
			out = append(out, fmt.Sprintf("%s %g", name, v))
		}
	}
	slices.Sort(out)
	return out
}

// TestAnalysis: the serving gauge flips with the analysis answers use, and
// Frog's and the cache's counters are exported only with Frog, read at
// every scrape.
func TestAnalysis(t *testing.T) {
	tests := []struct {
		name  string
		stats AnalysisStats
		want  []string
	}{
		{
			name:  "built-in only",
			stats: AnalysisStats{Serving: "builtin"},
			want:  []string{`briefbot_analysis_serving{analyzer="builtin"} 1`, `briefbot_analysis_serving{analyzer="frog"} 0`},
		},
		{
			name:  "frog starting",
			stats: AnalysisStats{Serving: "builtin", Frog: true, Misses: 20},
			want: []string{
				`briefbot_analysis_cache_entries 0`,
				`briefbot_analysis_cache_hits_total{cache="memory"} 0`,
				`briefbot_analysis_cache_hits_total{cache="store"} 0`,
				`briefbot_analysis_cache_misses_total 20`,
				`briefbot_analysis_cache_store_errors_total 0`,
				`briefbot_analysis_sentences_total 0`,
				`briefbot_analysis_serving{analyzer="builtin"} 1`,
				`briefbot_analysis_serving{analyzer="frog"} 0`,
				`briefbot_frog_processes_ready 0`,
				`briefbot_frog_restarts_total 0`,
			},
		},
		{
			name: "frog ready",
			stats: AnalysisStats{Serving: "frog", Frog: true, Analysed: 40, MemoryHits: 7, StoreHits: 3, Misses: 60,
				StoreErrors: 1, CacheEntries: 47, Restarts: 2, ReadyProcesses: 1},
			want: []string{
				`briefbot_analysis_cache_entries 47`,
				`briefbot_analysis_cache_hits_total{cache="memory"} 7`,
				`briefbot_analysis_cache_hits_total{cache="store"} 3`,
				`briefbot_analysis_cache_misses_total 60`,
				`briefbot_analysis_cache_store_errors_total 1`,
				`briefbot_analysis_sentences_total 40`,
				`briefbot_analysis_serving{analyzer="builtin"} 0`,
				`briefbot_analysis_serving{analyzer="frog"} 1`,
				`briefbot_frog_processes_ready 1`,
				`briefbot_frog_restarts_total 2`,
			},
		},
	}
	reg := prometheus.NewRegistry()
	m, err := New(reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var current AnalysisStats
	if err := m.Analysis(func() AnalysisStats { mu.Lock(); defer mu.Unlock(); return current }); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		mu.Lock()
		current = tt.stats
		mu.Unlock()
		if diff := cmp.Diff(series(t, reg, "briefbot_analysis_", "briefbot_frog_"), tt.want); diff != "" {
			t.Errorf("%s: series (-got +want):\n%s", tt.name, diff)
		}
	}
	if err := m.Analysis(func() AnalysisStats { return AnalysisStats{} }); err == nil {
		t.Error("a second registration succeeded")
	}
}
