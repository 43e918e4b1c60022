package analysis

// Tests against the real Frog (frog and frogdata, Debian), sharing one pool
// of two processes with every module (see realFrog). They are skipped when
// frog is not installed, unless BRIEFBOT_REQUIRE_FROG=1.

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fixtureSentences reads testdata/sentences.txt: Dutch news sentences of
// about 25 words, written for these tests.
func fixtureSentences(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", "sentences.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestFrogKnownSentences(t *testing.T) {
	f := realFrog(t)
	type want struct {
		word, lemma, pos, entity string
		head                     string // the word of the head; "" for the root
		rel                      string
	}
	tests := []struct {
		sentence string
		want     []want
	}{
		{"President Donald Trump heeft Chris Krebs ontslagen.", []want{
			{word: "ontslagen", lemma: "ontslaan", pos: "WW", entity: "O", head: "heeft", rel: "vc"},
			{word: "Donald", lemma: "Donald", pos: "SPEC", entity: "B-PER", head: "President", rel: "app"},
			{word: "Trump", lemma: "Trump", pos: "SPEC", entity: "I-PER", head: "Donald", rel: "mwp"},
			{word: "Krebs", pos: "SPEC", entity: "I-PER", head: "Chris", rel: "mwp"},
			{word: "heeft", lemma: "hebben", pos: "WW", head: "", rel: "ROOT"},
		}},
		{"De Kremlinwoordvoerder zei dat Poetin niet naar Den Haag komt.", []want{
			{word: "zei", lemma: "zeggen", pos: "WW", head: "", rel: "ROOT"},
			{word: "Poetin", pos: "SPEC", entity: "B-PER"},
			{word: "Den", entity: "B-LOC"},
			{word: "Haag", entity: "I-LOC", head: "Den", rel: "mwp"},
			{word: "De", lemma: "de", pos: "LID"},
		}},
		{"Volgens de onderzoekers verspreidden nepaccounts berichten over de verkiezingen.", []want{
			{word: "verkiezingen", lemma: "verkiezing", pos: "N"},
			{word: "verspreidden", lemma: "verspreiden", pos: "WW"},
			{word: "Volgens", pos: "VZ"},
		}},
	}
	in := make([]string, len(tests))
	for i, tt := range tests {
		in[i] = tt.sentence
	}
	got, err := f.Analyze(t.Context(), in)
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	for i, tt := range tests {
		s := got[i]
		checkHeads(t, s)
		for _, w := range tt.want {
			_, tk := tok(t, s, w.word)
			if w.lemma != "" && tk.Lemma != w.lemma {
				t.Errorf("%q: lemma %q, want %q", w.word, tk.Lemma, w.lemma)
			}
			if w.pos != "" && tk.POS != w.pos {
				t.Errorf("%q: POS %q (%s), want %q", w.word, tk.POS, tk.Tag, w.pos)
			}
			if w.entity != "" && tk.Entity != w.entity {
				t.Errorf("%q: entity %q, want %q", w.word, tk.Entity, w.entity)
			}
			if w.rel != "" {
				head := ""
				if tk.Head >= 0 {
					head = s.Tokens[tk.Head].Text
				}
				if head != w.head || tk.Rel != w.rel {
					t.Errorf("%q: head %q rel %q, want %q %q", w.word, head, tk.Rel, w.head, w.rel)
				}
			}
		}
	}
	_, kw := tok(t, got[1], "Kremlinwoordvoerder")
	if len(kw.Parts) < 3 || kw.Parts[0] != "kremlin" || kw.Parts[1] != "woord" {
		t.Errorf("Kremlinwoordvoerder parts %q, want kremlin, woord, …", kw.Parts)
	}
}

func TestFrogKeepsSentencesApart(t *testing.T) {
	f := realFrog(t)
	words := strings.Fields(strings.Repeat("De minister zei dat de gemeente het plan steunt, ", 40)) // 400 words
	long := strings.Join(words, " ")
	in := []string{
		"",
		"Hij ging. Zij kwam ook.",
		`Hij zei: "Ik kom niet" en ‘zij’ — «nee» — ging… 😀 weg & c'est ça!`,
		"EOT",
		"EOT\nREADY\n",
		"Regel\neen\r\ntwee\tdrie\x00\x07 vier\u2028vijf.",
		"Ongeldig \xff\xfe UTF-8 en <utt> en een zero\u200bwidth spatie.",
		long,
		"   ",
		"Laatste zin.",
	}
	got, err := f.Analyze(t.Context(), in)
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	if len(got) != len(in) {
		t.Fatalf("%d sentences out, %d in", len(got), len(in))
	}
	for i, s := range got {
		if s.Text != in[i] {
			t.Errorf("sentence %d: Text %q, want the input %q", i, s.Text, in[i])
		}
		checkHeads(t, s)
		for _, tk := range s.Tokens {
			if tk.Text == "" || strings.ContainsAny(tk.Text, "\n\r\t\x00") {
				t.Errorf("sentence %d: token %q", i, tk.Text)
			}
		}
	}
	for _, i := range []int{0, 8} {
		if len(got[i].Tokens) != 0 {
			t.Errorf("blank sentence %d has tokens %+v", i, got[i].Tokens)
		}
	}
	if n := len(got[1].Tokens); n != 7 {
		t.Errorf("%q: %d tokens, want 7", in[1], n)
	}
	if len(got[3].Tokens) != 1 || got[3].Tokens[0].Text != "EOT" {
		t.Errorf("EOT: tokens %+v", got[3].Tokens)
	}
	if texts := tokenTexts(got[4]); !cmp.Equal(texts, []string{"EOT", "READY"}) {
		t.Errorf("EOT READY: tokens %q", texts)
	}
	if texts := tokenTexts(got[5]); !cmp.Equal(texts, []string{"Regel", "een", "twee", "drie", "vier", "vijf", "."}) {
		t.Errorf("line breaks and controls: tokens %q", texts)
	}
	if n := len(got[7].Tokens); n < 400 {
		t.Errorf("400-word sentence: %d tokens", n)
	}
	if texts := tokenTexts(got[9]); !cmp.Equal(texts, []string{"Laatste", "zin", "."}) {
		t.Errorf("last sentence: tokens %q", texts)
	}
}

func tokenTexts(s Sentence) []string {
	var out []string
	for _, tk := range s.Tokens {
		out = append(out, tk.Text)
	}
	return out
}

func TestFrogConcurrent(t *testing.T) {
	f := realFrog(t)
	sents := fixtureSentences(t)[:12]
	want, err := f.Analyze(t.Context(), sents)
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	const goroutines, batches = 4, 3
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*batches)
	for g := range goroutines {
		wg.Go(func() {
			for b := range batches {
				// Each goroutine asks for a different, overlapping window.
				lo := (g*3 + b) % 8
				got, err := f.Analyze(t.Context(), sents[lo:lo+4])
				if err != nil {
					errs <- err
					return
				}
				if diff := cmp.Diff(got, want[lo:lo+4]); diff != "" {
					t.Errorf("goroutine %d batch %d differs from the sequential answer (-got +want):\n%s", g, b, diff)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Analyze: %v", err)
	}
	if st := f.Status(); st.Restarts != 0 {
		t.Errorf("%d restarts: %s", st.Restarts, st.LastError)
	}
}

func TestFrogCancelMidRequest(t *testing.T) {
	f := realFrog(t)
	mustWaitStatus(t, f, 3*time.Minute, "all processes", func(s Status) bool { return s.ReadyProcesses == sharedProcesses })
	restarts := f.Status().Restarts
	// Two sentences of 150 words, one for each process, each taking Frog
	// well over a second.
	words := strings.Fields(strings.Join(fixtureSentences(t), " "))
	in := []string{strings.Join(words[:150], " "), strings.Join(words[150:300], " ")}
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := f.Analyze(ctx, in)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Analyze = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Analyze returned %s after it started, want soon after the cancel at 200 ms", d)
	}
	// The connections finish the sentence they were on, then serve again.
	got, err := f.Analyze(t.Context(), fixtureSentences(t)[:2])
	if err != nil || len(got) != 2 || len(got[0].Tokens) == 0 {
		t.Errorf("Analyze after a cancelled one = %v", err)
	}
	if st := f.Status(); st.Restarts != restarts || st.ReadyProcesses != sharedProcesses {
		t.Errorf("status %+v, want no restarts", st)
	}
}

// TestFrogKilledProcessRestarts kills one process of the shared pool; it
// waits for the restart, so it leaves the pool whole.
func TestFrogKilledProcessRestarts(t *testing.T) {
	f := realFrog(t)
	mustWaitStatus(t, f, 3*time.Minute, "all processes", func(s Status) bool { return s.ReadyProcesses == sharedProcesses })
	st := f.Status()
	victim := st.PIDs[0]
	if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	mustWaitStatus(t, f, 3*time.Minute, "the killed process restarted", func(s Status) bool {
		if s.Restarts <= st.Restarts || s.ReadyProcesses != sharedProcesses {
			return false
		}
		for _, p := range s.PIDs {
			if p == victim {
				return false
			}
		}
		return true
	})
	if !processGone(victim) {
		t.Errorf("killed process %d still exists", victim)
	}
	t.Logf("restarted after: %s", f.Status().LastError)
	// Enough sentences to use both processes.
	got, err := f.Analyze(t.Context(), fixtureSentences(t)[:4])
	if err != nil {
		t.Fatalf("Analyze after the restart: %v", err)
	}
	for _, s := range got {
		if len(s.Tokens) < 10 {
			t.Errorf("%q: %d tokens", s.Text, len(s.Tokens))
		}
	}
}
