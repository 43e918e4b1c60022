package analysis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeAnalyzer analyses by splitting at spaces and records what it was
// asked.
type fakeAnalyzer struct {
	name, version string

	mu    sync.Mutex
	calls [][]string
	err   error
	ready bool
}

func newFake(name string) *fakeAnalyzer { return &fakeAnalyzer{name: name, ready: true} }

func (a *fakeAnalyzer) Name() string    { return a.name }
func (a *fakeAnalyzer) Version() string { return a.version }

func (a *fakeAnalyzer) Ready() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ready
}

func (a *fakeAnalyzer) set(ready bool, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ready, a.err = ready, err
}

func (a *fakeAnalyzer) Analyze(ctx context.Context, sentences []string) ([]Sentence, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, sentences)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if a.err != nil {
		return nil, a.err
	}
	out := make([]Sentence, len(sentences))
	for i, s := range sentences {
		out[i] = fakeSentence(a.name, s)
	}
	return out, nil
}

// fakeSentence is what fakeAnalyzer named name makes of s.
func fakeSentence(name, s string) Sentence {
	out := Sentence{Text: s}
	for i, w := range strings.Fields(s) {
		out.Tokens = append(out.Tokens, Token{
			Text: w, Lemma: strings.ToLower(w), POS: "N", Tag: "N(" + name + ")",
			Parts: []string{w}, Entity: "O", Chunk: "B-NP", Head: i - 1, Rel: "mod",
		})
	}
	return out
}

func (a *fakeAnalyzer) takeCalls() [][]string {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.calls
	a.calls = nil
	return c
}

// memStore is a CacheStore in memory that can be made to fail.
type memStore struct {
	mu       sync.Mutex
	m        map[string][]byte
	fail     error
	gets     int
	puts     int
	lastKeys []string
}

func newMemStore() *memStore { return &memStore{m: map[string][]byte{}} }

func (s *memStore) GetAnnotations(ctx context.Context, keys []string) (map[string][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gets++
	s.lastKeys = keys
	if s.fail != nil {
		return nil, s.fail
	}
	out := map[string][]byte{}
	for _, k := range keys {
		if v, ok := s.m[k]; ok {
			out[k] = v
		}
	}
	return out, nil
}

func (s *memStore) PutAnnotations(ctx context.Context, values map[string][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.puts++
	if s.fail != nil {
		return s.fail
	}
	for k, v := range values {
		s.m[k] = v
	}
	return nil
}

func (s *memStore) setFail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}

func wantSentences(name string, in ...string) []Sentence {
	out := make([]Sentence, len(in))
	for i, s := range in {
		out[i] = fakeSentence(name, s)
	}
	return out
}

func TestCacheHitsDoNotReachInner(t *testing.T) {
	inner := newFake("frog")
	store := newMemStore()
	c := Cached(inner, store, 100)
	ctx := t.Context()

	got, err := c.Analyze(ctx, []string{"Een zin", "Twee zinnen hier", "Een zin"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, wantSentences("frog", "Een zin", "Twee zinnen hier", "Een zin")); diff != "" {
		t.Errorf("first answer (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(inner.takeCalls(), [][]string{{"Een zin", "Twee zinnen hier"}}); diff != "" {
		t.Errorf("inner calls, a repeated sentence once (-got +want):\n%s", diff)
	}

	got, err = c.Analyze(ctx, []string{"Twee zinnen hier", "Drie", "Een zin"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, wantSentences("frog", "Twee zinnen hier", "Drie", "Een zin")); diff != "" {
		t.Errorf("second answer (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(inner.takeCalls(), [][]string{{"Drie"}}); diff != "" {
		t.Errorf("inner calls, only the new sentence (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(store.lastKeys, []string{c.Key("Drie")}); diff != "" {
		t.Errorf("store asked only for what memory lacked (-got +want):\n%s", diff)
	}

	// All in memory: neither inner nor the store is asked.
	gets := store.gets
	if _, err := c.Analyze(ctx, []string{"Drie", "Een zin"}); err != nil {
		t.Fatal(err)
	}
	if calls := inner.takeCalls(); len(calls) != 0 || store.gets != gets {
		t.Errorf("memory hits reached inner (%v) or the store (%d gets)", calls, store.gets-gets)
	}
	want := CacheStats{Hits: 4, Misses: 3, Entries: 3}
	if diff := cmp.Diff(c.Stats(), want); diff != "" {
		t.Errorf("stats (-got +want):\n%s", diff)
	}
}

func TestCacheStoreSurvivesRestart(t *testing.T) {
	store := newMemStore()
	first := newFake("frog")
	if _, err := Cached(first, store, 10).Analyze(t.Context(), []string{"a b", "c"}); err != nil {
		t.Fatal(err)
	}
	// A new process: empty memory, same store.
	second := newFake("frog")
	c := Cached(second, store, 10)
	got, err := c.Analyze(t.Context(), []string{"c", "a b", "d"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, wantSentences("frog", "c", "a b", "d")); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(second.takeCalls(), [][]string{{"d"}}); diff != "" {
		t.Errorf("inner calls (-got +want):\n%s", diff)
	}
	if st := c.Stats(); st.StoreHits != 2 || st.Misses != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestCacheKeyNamesTheAnalyser(t *testing.T) {
	store := newMemStore()
	frog := newFake("frog")
	frog.version = "skip=p"
	if _, err := Cached(frog, store, 10).Analyze(t.Context(), []string{"zin"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, version string
		hit           bool
	}{
		{"frog", "skip=p", true},
		{"frog", "skip=", false},
		{"builtin", "skip=p", false},
	}
	for _, tt := range tests {
		a := newFake(tt.name)
		a.version = tt.version
		c := Cached(a, store, 10)
		got, err := c.Analyze(t.Context(), []string{"zin"})
		if err != nil {
			t.Fatal(err)
		}
		if hit := len(a.takeCalls()) == 0; hit != tt.hit {
			t.Errorf("%s %s: hit %v, want %v", tt.name, tt.version, hit, tt.hit)
		}
		wantName := tt.name
		if tt.hit {
			wantName = "frog"
		}
		if diff := cmp.Diff(got, wantSentences(wantName, "zin")); diff != "" {
			t.Errorf("%s %s (-got +want):\n%s", tt.name, tt.version, diff)
		}
	}
}

func TestCacheBrokenStoreStillAnswers(t *testing.T) {
	var logBuf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logBuf, nil))
	inner := newFake("frog")
	store := newMemStore()
	store.setFail(errors.New("disk I/O error"))
	c := Cached(inner, store, 0, CacheLogger(log)) // no memory: every call reaches the store

	for i := range 5 {
		in := []string{"zin een", fmt.Sprintf("zin %d", i)}
		got, err := c.Analyze(t.Context(), in)
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if diff := cmp.Diff(got, wantSentences("frog", in...)); diff != "" {
			t.Errorf("call %d (-got +want):\n%s", i, diff)
		}
	}
	if n := len(inner.takeCalls()); n != 5 {
		t.Errorf("inner called %d times, want 5", n)
	}
	if st := c.Stats(); st.StoreErrors != 10 {
		t.Errorf("%d store errors, want 10 (a read and a write per call)", st.StoreErrors)
	}
	if n := strings.Count(logBuf.String(), "level=WARN"); n != 1 {
		t.Errorf("%d warnings for a store that stayed broken, want 1:\n%s", n, logBuf.String())
	}

	store.setFail(nil)
	if _, err := c.Analyze(t.Context(), []string{"zin een"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logBuf.String(), "works again") {
		t.Errorf("no recovery logged:\n%s", logBuf.String())
	}
	if _, ok := store.m[c.Key("zin een")]; !ok {
		t.Error("the recovered store was not written")
	}
}

func TestCacheDamagedEntry(t *testing.T) {
	inner := newFake("frog")
	store := newMemStore()
	c := Cached(inner, store, 10)
	store.m[c.Key("zin")] = []byte{encodingVersion, 0xff, 0xff} // truncated
	other := encodeSentence(fakeSentence("frog", "andere zin"))
	store.m[c.Key("twee")] = other // another sentence's entry under this key
	got, err := c.Analyze(t.Context(), []string{"zin", "twee"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, wantSentences("frog", "zin", "twee")); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(inner.takeCalls(), [][]string{{"zin", "twee"}}); diff != "" {
		t.Errorf("inner calls (-got +want):\n%s", diff)
	}
}

// failingAfter fails every call after the first n.
type failingAfter struct {
	*fakeAnalyzer
	n int
}

func (a *failingAfter) Analyze(ctx context.Context, sentences []string) ([]Sentence, error) {
	if a.n == 0 {
		return nil, fmt.Errorf("frog: %w: killed", ErrUnavailable)
	}
	a.n--
	return a.fakeAnalyzer.Analyze(ctx, sentences)
}

func TestCacheKeepsPartsOfAFailedBatch(t *testing.T) {
	in := make([]string, 2*innerBatch+10)
	for i := range in {
		in[i] = fmt.Sprintf("zin nummer %d", i)
	}
	store := newMemStore()
	inner := &failingAfter{fakeAnalyzer: newFake("frog"), n: 1}
	if _, err := Cached(inner, store, 0).Analyze(t.Context(), in); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Analyze = %v, want the inner error", err)
	}
	if n := len(store.m); n != innerBatch {
		t.Errorf("%d sentences stored, want the first part's %d", n, innerBatch)
	}
	// A retry analyses only the rest, in parts of at most innerBatch.
	retry := newFake("frog")
	got, err := Cached(retry, store, 0).Analyze(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, wantSentences("frog", in...)); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
	var sizes []int
	for _, c := range retry.takeCalls() {
		sizes = append(sizes, len(c))
	}
	if diff := cmp.Diff(sizes, []int{innerBatch, 10}); diff != "" {
		t.Errorf("inner call sizes (-got +want):\n%s", diff)
	}
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	inner := newFake("frog")
	c := Cached(inner, nil, 2)
	for _, s := range []string{"a", "b", "a", "c"} { // b is the least recently used
		if _, err := c.Analyze(t.Context(), []string{s}); err != nil {
			t.Fatal(err)
		}
	}
	inner.takeCalls()
	if _, err := c.Analyze(t.Context(), []string{"a", "c", "b"}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(inner.takeCalls(), [][]string{{"b"}}); diff != "" {
		t.Errorf("inner calls (-got +want):\n%s", diff)
	}
	if n := c.Stats().Entries; n != 2 {
		t.Errorf("%d entries, want 2", n)
	}
}

func TestCacheAnswersAreCopies(t *testing.T) {
	c := Cached(newFake("frog"), nil, 10)
	got, err := c.Analyze(t.Context(), []string{"a b"})
	if err != nil {
		t.Fatal(err)
	}
	got[0].Tokens[0].Lemma = "changed"
	got[0].Tokens[0].Parts[0] = "changed"
	again, err := c.Analyze(t.Context(), []string{"a b"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(again, wantSentences("frog", "a b")); diff != "" {
		t.Errorf("the caller's change reached the cache (-got +want):\n%s", diff)
	}
}

func TestCachePassesInnerErrors(t *testing.T) {
	inner := newFake("frog")
	inner.set(false, fmt.Errorf("frog: %w: starting", ErrUnavailable))
	store := newMemStore()
	c := Cached(inner, store, 10)
	if _, err := c.Analyze(t.Context(), []string{"zin"}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Analyze = %v, want ErrUnavailable", err)
	}
	if c.Ready() {
		t.Error("Ready while inner is not")
	}
	if len(store.m) != 0 {
		t.Errorf("a failed analysis was stored: %v", store.m)
	}
	if c.Name() != "frog" || c.Version() != "" {
		t.Errorf("Name %q Version %q", c.Name(), c.Version())
	}
}

func TestCacheConcurrent(t *testing.T) {
	c := Cached(newFake("frog"), newMemStore(), 5)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				in := []string{fmt.Sprintf("zin %d", i%7), fmt.Sprintf("zin %d", (i+g)%11)}
				got, err := c.Analyze(t.Context(), in)
				if err != nil {
					t.Error(err)
					return
				}
				if diff := cmp.Diff(got, wantSentences("frog", in...)); diff != "" {
					t.Errorf("(-got +want):\n%s", diff)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestEncodeSentenceRoundTrip(t *testing.T) {
	tests := []Sentence{
		{},
		{Text: "leeg"},
		fakeSentence("frog", "Een gewone zin met woorden ."),
		{Text: "randgevallen", Tokens: []Token{
			{Text: "nil", Parts: nil, Head: -1},
			{Text: "leeg", Parts: []string{}, Head: 0},
			{Text: "ü😀\x00", Lemma: strings.Repeat("x", 300), Parts: []string{"", "a"}, Head: 1, Rel: "mwp"},
		}},
	}
	for _, s := range tests {
		b := encodeSentence(s)
		got, err := decodeSentence(b)
		if err != nil {
			t.Errorf("%q: decode: %v", s.Text, err)
			continue
		}
		if diff := cmp.Diff(got, s); diff != "" {
			t.Errorf("%q: round trip (-got +want):\n%s", s.Text, diff)
		}
	}
}

func TestDecodeSentenceRejectsDamage(t *testing.T) {
	good := encodeSentence(fakeSentence("frog", "Een zin met vijf woorden"))
	tests := map[string][]byte{
		"empty":             nil,
		"unknown version":   append([]byte{99}, good[1:]...),
		"truncated":         good[:len(good)-3],
		"extra bytes":       append(append([]byte{}, good...), 0),
		"huge count":        {encodingVersion, 0, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"head out of range": encodeSentence(Sentence{Tokens: []Token{{Head: 5}}}),
	}
	for name, b := range tests {
		if _, err := decodeSentence(b); !errors.Is(err, errBadEncoding) {
			t.Errorf("%s: decode = %v, want errBadEncoding", name, err)
		}
	}
}

func FuzzDecodeSentence(f *testing.F) {
	f.Add(encodeSentence(fakeSentence("frog", "Een zin met vijf woorden")))
	f.Add([]byte{encodingVersion, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeSentence(b)
		if err != nil {
			return
		}
		// What decodes survives a round trip.
		again, err := decodeSentence(encodeSentence(s))
		if err != nil {
			t.Fatalf("decoding the re-encoding of %x: %v", b, err)
		}
		if diff := cmp.Diff(again, s); diff != "" {
			t.Errorf("round trip of %x (-got +want):\n%s", b, diff)
		}
	})
}
