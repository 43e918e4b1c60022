package metrics

import (
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/briefbot/briefbot/briefings/llmreader"
)

// TestLLM exports the reader's counters by label, every reason at 0 from
// the start.
func TestLLM(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := New(reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := llmreader.Stats{
		RequestsOK: 7, RequestsFailed: 2,
		Outcomes:     map[string]uint64{llmreader.OutcomeAccepted: 4, llmreader.OutcomeRejected: 2},
		Rejections:   map[string]uint64{llmreader.RejectQuote: 1, llmreader.RejectUnsupported: 1},
		Fallbacks:    map[string]uint64{llmreader.FailTimeout: 2},
		Readers:      map[string]uint64{"llm": 4, "builtin": 5},
		PromptTokens: 7000, CompletionTokens: 300, CacheHits: 3, CacheMisses: 9, CacheEntries: 4,
	}
	if err := m.LLM(func() llmreader.Stats { return st }); err != nil {
		t.Fatal(err)
	}
	got := series(t, reg, "briefbot_llm_")
	for _, w := range []string{
		`briefbot_llm_requests_total{result="ok"} 7`, `briefbot_llm_requests_total{result="failed"} 2`,
		`briefbot_llm_outcomes_total{outcome="accepted"} 4`, `briefbot_llm_outcomes_total{outcome="failed"} 0`,
		`briefbot_llm_rejections_total{reason="quote_not_found"} 1`, `briefbot_llm_rejections_total{reason="unsupported_answer"} 1`,
		`briefbot_llm_rejections_total{reason="unknown_article"} 0`,
		`briefbot_llm_fallbacks_total{reason="timeout"} 2`, `briefbot_llm_fallbacks_total{reason="unreachable"} 0`,
		`briefbot_llm_replies_total{reader="llm"} 4`, `briefbot_llm_replies_total{reader="builtin"} 5`,
		`briefbot_llm_tokens_total{kind="prompt"} 7000`, `briefbot_llm_tokens_total{kind="completion"} 300`,
		`briefbot_llm_cache_hits_total 3`, `briefbot_llm_cache_misses_total 9`, `briefbot_llm_cache_entries 4`,
	} {
		if !slices.Contains(got, w) {
			t.Errorf("missing %s in:\n%v", w, got)
		}
	}
	if n := len(got); n != 2+4+len(llmreader.RejectionReasons())+len(llmreader.FallbackReasons())+2+2+3 {
		t.Errorf("%d series: %v", n, got)
	}
}
