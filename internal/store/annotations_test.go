package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/briefings/analysis"
)

// The analysis cache stores its annotations here.
var _ analysis.CacheStore = (*SQLite)(nil)

func annotationValues(from, n int) map[string][]byte {
	out := make(map[string][]byte, n)
	for i := from; i < from+n; i++ {
		out[fmt.Sprintf("key-%05d", i)] = []byte(fmt.Sprintf("value %d", i))
	}
	return out
}

func TestAnnotationsRoundTrip(t *testing.T) { forEachBackend(t, testAnnotationsRoundTrip) }

func testAnnotationsRoundTrip(t *testing.T, s backend) {
	ctx := t.Context()
	// More than one batch of IN (…) and of VALUES.
	vals := annotationValues(0, 2*annotationBatch+17)
	if err := s.PutAnnotations(ctx, vals); err != nil {
		t.Fatalf("PutAnnotations: %v", err)
	}
	keys := []string{"missing", "", "key-00000"} // unknown, empty and repeated keys
	for k := range vals {
		keys = append(keys, k)
	}
	got, err := s.GetAnnotations(ctx, keys)
	if err != nil {
		t.Fatalf("GetAnnotations: %v", err)
	}
	if diff := cmp.Diff(got, vals); diff != "" {
		t.Errorf("GetAnnotations (-got +want):\n%s", diff)
	}

	// A second put replaces and adds; a nil value is stored empty.
	if err := s.PutAnnotations(ctx, map[string][]byte{"key-00001": []byte("new"), "nil": nil}); err != nil {
		t.Fatal(err)
	}
	got, err = s.GetAnnotations(ctx, []string{"key-00001", "nil", "key-00002"})
	if err != nil {
		t.Fatal(err)
	}
	if string(got["key-00001"]) != "new" || string(got["key-00002"]) != "value 2" {
		t.Errorf("after a replace: %q", got)
	}
	if v, ok := got["nil"]; !ok || len(v) != 0 {
		t.Errorf("nil value: %q, %v; want present and empty", v, ok)
	}

	for _, keys := range [][]string{nil, {}, {""}} {
		got, err := s.GetAnnotations(ctx, keys)
		if err != nil || len(got) != 0 {
			t.Errorf("GetAnnotations(%q) = %v, %v; want an empty map", keys, got, err)
		}
	}
	if err := s.PutAnnotations(ctx, nil); err != nil {
		t.Errorf("PutAnnotations(nil) = %v", err)
	}
}

func TestAnnotationsSurviveReopen(t *testing.T) { forEachBackend(t, testAnnotationsSurviveReopen) }

func testAnnotationsSurviveReopen(t *testing.T, s backend) {
	if err := s.PutAnnotations(t.Context(), annotationValues(0, 3)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = s.testReopen(t)
	got, err := s.GetAnnotations(t.Context(), []string{"key-00000", "key-00002"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Errorf("after reopening: %q", got)
	}
}

func TestPutAnnotationsAllOrNothing(t *testing.T) { forEachBackend(t, testPutAnnotationsAllOrNothing) }

func testPutAnnotationsAllOrNothing(t *testing.T, s backend) {
	tests := []struct {
		name    string
		vals    map[string][]byte
		errText string
	}{
		{"empty key", map[string][]byte{"a": []byte("x"), "": []byte("y")}, "empty key"},
		{"value too large", map[string][]byte{"a": []byte("x"), "big": make([]byte, maxAnnotationValue+1)}, "over the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.PutAnnotations(t.Context(), tt.vals)
			if err == nil || !strings.Contains(err.Error(), tt.errText) {
				t.Fatalf("PutAnnotations = %v, want an error mentioning %q", err, tt.errText)
			}
			got, err := s.GetAnnotations(t.Context(), []string{"a"})
			if err != nil || len(got) != 0 {
				t.Errorf("after a refused put: %q, %v; want nothing stored", got, err)
			}
		})
	}

	// A put that fails half-way (its context ends) stores nothing either.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.PutAnnotations(ctx, annotationValues(0, 2*annotationBatch)); !errors.Is(err, context.Canceled) {
		t.Fatalf("PutAnnotations with a cancelled context = %v", err)
	}
	got, err := s.GetAnnotations(t.Context(), []string{"key-00000", fmt.Sprintf("key-%05d", 2*annotationBatch-1)})
	if err != nil || len(got) != 0 {
		t.Errorf("after a cancelled put: %q, %v", got, err)
	}
}

func TestAnnotationsHonourContext(t *testing.T) { forEachBackend(t, testAnnotationsHonourContext) }

func testAnnotationsHonourContext(t *testing.T, s backend) {
	if err := s.PutAnnotations(t.Context(), annotationValues(0, 10)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.GetAnnotations(ctx, []string{"key-00001"}); !errors.Is(err, context.Canceled) {
		t.Errorf("GetAnnotations with a cancelled context = %v", err)
	}
}

func TestPruneAnnotations(t *testing.T) { forEachBackend(t, testPruneAnnotations) }

func testPruneAnnotations(t *testing.T, s backend) {
	ctx := t.Context()
	if err := s.PutAnnotations(ctx, annotationValues(0, 4)); err != nil {
		t.Fatal(err)
	}
	// Two entries from long ago.
	if err := s.testExec(ctx, `UPDATE annotations SET created = ? WHERE key IN ('key-00000', 'key-00001')`,
		testTime.Add(-48*time.Hour).Unix()); err != nil {
		t.Fatal(err)
	}
	n, err := s.PruneAnnotations(ctx, testTime)
	if err != nil || n != 2 {
		t.Fatalf("PruneAnnotations = %d, %v; want 2", n, err)
	}
	got, err := s.GetAnnotations(ctx, []string{"key-00000", "key-00001", "key-00002", "key-00003"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, annotationValues(2, 2)); diff != "" {
		t.Errorf("after pruning (-got +want):\n%s", diff)
	}
}

func TestAnnotationsWithAnalysisCache(t *testing.T) {
	forEachBackend(t, testAnnotationsWithAnalysisCache)
}

func testAnnotationsWithAnalysisCache(t *testing.T, s backend) {
	inner := &countingAnalyzer{}
	first := analysis.Cached(inner, s, 10)
	in := []string{"President Donald Trump heeft Chris Krebs ontslagen.", "Een tweede zin."}
	want, err := first.Analyze(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	// A new cache (a restarted process) on the same store needs no analysis.
	second := analysis.Cached(inner, s, 10)
	got, err := second.Analyze(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
	if inner.calls != 1 {
		t.Errorf("inner analysed %d times, want once", inner.calls)
	}
}

// countingAnalyzer makes one token per word and counts its calls.
type countingAnalyzer struct{ calls int }

func (a *countingAnalyzer) Name() string { return "counting" }

func (a *countingAnalyzer) Analyze(_ context.Context, sentences []string) ([]analysis.Sentence, error) {
	a.calls++
	out := make([]analysis.Sentence, len(sentences))
	for i, s := range sentences {
		out[i].Text = s
		for j, w := range strings.Fields(s) {
			out[i].Tokens = append(out[i].Tokens, analysis.Token{Text: w, Lemma: strings.ToLower(w), Head: j - 1})
		}
	}
	return out, nil
}
