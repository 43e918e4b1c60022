package analysis

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// readFixture parses testdata/frog-output.txt, the answers Frog 0.20 gave
// (frog -S PORT -n, every module) to the lines of testdata/frog-input.txt.
func readFixture(t *testing.T) (inputs []string, got []Sentence) {
	t.Helper()
	in, err := os.ReadFile(filepath.Join("testdata", "frog-input.txt"))
	if err != nil {
		t.Fatal(err)
	}
	inputs = strings.Split(strings.TrimSuffix(string(in), "\n"), "\n")
	f, err := os.Open(filepath.Join("testdata", "frog-output.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rr := newResponseReader(f)
	for i, line := range inputs {
		blocks, err := rr.next()
		if err != nil {
			t.Fatalf("answer %d (to %q): %v", i+1, line, err)
		}
		got = append(got, Sentence{Text: line, Tokens: assemble(blocks)})
	}
	// Nothing but the empty line after the last READY is left.
	if line, err := rr.line(); err != nil || line != "" {
		t.Errorf("after the last answer: %q, %v; want the empty line", line, err)
	}
	if _, err := rr.line(); !errors.Is(err, io.EOF) {
		t.Errorf("after the last answer: %v, want EOF", err)
	}
	return inputs, got
}

func TestParseFixtureGolden(t *testing.T) {
	_, got := readFixture(t)
	golden := filepath.Join("testdata", "frog-output.golden.json")
	b, err := json.MarshalIndent(got, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(golden, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	var wantS []Sentence
	if err := json.Unmarshal(want, &wantS); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, wantS); diff != "" {
		t.Errorf("parsed fixture differs from %s (-got +want):\n%s", golden, diff)
	}
}

// tok finds the first token with text w in s.
func tok(t *testing.T, s Sentence, w string) (int, Token) {
	t.Helper()
	for i, tk := range s.Tokens {
		if tk.Text == w {
			return i, tk
		}
	}
	t.Fatalf("no token %q in %q", w, s.Text)
	return 0, Token{}
}

func TestParseFixture(t *testing.T) {
	_, got := readFixture(t)
	tests := []struct {
		name  string
		sent  int
		check func(t *testing.T, s Sentence)
	}{
		{"multi-word names split, heads 0-based", 0, func(t *testing.T, s Sentence) {
			want := []Token{
				{Text: "President", Lemma: "president", POS: "N", Tag: "N(soort,ev,basis,zijd,stan)", Parts: []string{"presideer", "ent"}, Entity: "O", Chunk: "B-NP", Head: 3, Rel: "su"},
				{Text: "Donald", Lemma: "Donald", POS: "SPEC", Tag: "SPEC(deeleigen)", Parts: []string{"Donald"}, Entity: "B-PER", Chunk: "B-NP", Head: 0, Rel: "app"},
				{Text: "Trump", Lemma: "Trump", POS: "SPEC", Tag: "SPEC(deeleigen)", Parts: []string{"Trump"}, Entity: "I-PER", Chunk: "I-NP", Head: 1, Rel: "mwp"},
				{Text: "heeft", Lemma: "hebben", POS: "WW", Tag: "WW(pv,tgw,met-t)", Parts: []string{"heb", "t"}, Entity: "O", Chunk: "B-VP", Head: -1, Rel: "ROOT"},
				{Text: "Chris", Lemma: "Chris", POS: "SPEC", Tag: "SPEC(deeleigen)", Parts: []string{"Chris"}, Entity: "B-PER", Chunk: "B-NP", Head: 3, Rel: "su"},
				{Text: "Krebs", Lemma: "Krebs", POS: "SPEC", Tag: "SPEC(deeleigen)", Parts: []string{"Krebs"}, Entity: "I-PER", Chunk: "I-NP", Head: 4, Rel: "mwp"},
				{Text: "ontslagen", Lemma: "ontslaan", POS: "WW", Tag: "WW(vd,vrij,zonder)", Parts: []string{"ontslagen"}, Entity: "O", Chunk: "B-VP", Head: 3, Rel: "vc"},
				{Text: ".", Lemma: ".", POS: "LET", Tag: "LET()", Parts: []string{"."}, Entity: "O", Chunk: "O", Head: 6, Rel: "punct"},
			}
			if diff := cmp.Diff(s.Tokens, want); diff != "" {
				t.Errorf("tokens (-got +want):\n%s", diff)
			}
		}},
		{"compound parts", 1, func(t *testing.T, s Sentence) {
			_, tk := tok(t, s, "Kremlinwoordvoerder")
			if diff := cmp.Diff(tk.Parts, []string{"kremlin", "woord", "voer", "der"}); diff != "" {
				t.Errorf("parts (-got +want):\n%s", diff)
			}
			i, _ := tok(t, s, "komt")
			if _, p := tok(t, s, "Poetin"); p.Head != i || p.Entity != "B-PER" {
				t.Errorf("Poetin: head %d entity %q, want %d B-PER", p.Head, p.Entity, i)
			}
		}},
		{"two sentences in one line concatenated, each with its root", 2, func(t *testing.T, s Sentence) {
			if len(s.Tokens) != 7 {
				t.Fatalf("%d tokens, want 7", len(s.Tokens))
			}
			var roots []int
			for i, tk := range s.Tokens {
				if tk.Head == -1 {
					roots = append(roots, i)
				}
			}
			if diff := cmp.Diff(roots, []int{1, 4}); diff != "" {
				t.Errorf("roots (-got +want):\n%s", diff)
			}
			if s.Tokens[6].Head != 5 { // "." -> "ook", offset by the first sentence
				t.Errorf("head of the last token = %d, want 5", s.Tokens[6].Head)
			}
		}},
		{"empty line", 3, func(t *testing.T, s Sentence) {
			if len(s.Tokens) != 0 {
				t.Errorf("%d tokens, want none", len(s.Tokens))
			}
		}},
		{"EOT is a word", 4, func(t *testing.T, s Sentence) {
			if len(s.Tokens) != 1 || s.Tokens[0].Text != "EOT" {
				t.Errorf("tokens %+v, want the word EOT", s.Tokens)
			}
		}},
		{"four-word unit", 5, func(t *testing.T, s Sentence) {
			i, first := tok(t, s, "The")
			if first.Entity != "B-PRO" || first.Rel != "su" {
				t.Errorf("The: %+v", first)
			}
			for j, w := range []string{"New", "York", "Times"} {
				k, tk := tok(t, s, w)
				if k != i+1+j || tk.Head != i || tk.Rel != "mwp" || tk.Entity != "I-PRO" || tk.Chunk != "I-NP" {
					t.Errorf("%s at %d: %+v; want at %d, head %d, mwp, I-PRO, I-NP", w, k, tk, i+1+j, i)
				}
			}
			_, haag := tok(t, s, "Haag")
			if haag.Entity != "I-LOC" {
				t.Errorf("Haag entity %q, want I-LOC", haag.Entity)
			}
		}},
		{"underscore inside a word is no unit", 6, func(t *testing.T, s Sentence) {
			_, tk := tok(t, s, "https://example.org/pad_met_underscore")
			if tk.Tag != "SPEC(symb)" {
				t.Errorf("tag %q", tk.Tag)
			}
		}},
		{"relation None is unknown", 8, func(t *testing.T, s Sentence) {
			_, tk := tok(t, s, "&")
			if tk.Rel != "" {
				t.Errorf("rel %q, want empty", tk.Rel)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, got[tt.sent]) })
	}
	for _, s := range got {
		checkHeads(t, s)
	}
}

// checkHeads checks that every head is a token index or -1, and no token
// heads itself.
func checkHeads(t *testing.T, s Sentence) {
	t.Helper()
	for i, tk := range s.Tokens {
		if tk.Head < -1 || tk.Head >= len(s.Tokens) || tk.Head == i {
			t.Errorf("%q: token %d (%q) has head %d of %d tokens", clip(s.Text), i, tk.Text, tk.Head, len(s.Tokens))
		}
	}
}

func TestParseSkippedModules(t *testing.T) {
	// frog -S PORT -n --skip=pam: empty morph, head and relation columns.
	answer := "1\tPresident\tpresident\t\tN(soort,ev,basis,zijd,stan)\t0.987347\tO\tB-NP\t\t\t\t\n" +
		"2\tDonald\tDonald\t\tSPEC(deeleigen)\t1.000000\tB-PER\tB-NP\t\t\t\t\n\nREADY\n\n"
	rr := newResponseReader(strings.NewReader(answer))
	blocks, err := rr.next()
	if err != nil {
		t.Fatal(err)
	}
	want := []Token{
		{Text: "President", Lemma: "president", POS: "N", Tag: "N(soort,ev,basis,zijd,stan)", Entity: "O", Chunk: "B-NP", Head: -1},
		{Text: "Donald", Lemma: "Donald", POS: "SPEC", Tag: "SPEC(deeleigen)", Entity: "B-PER", Chunk: "B-NP", Head: -1},
	}
	if diff := cmp.Diff(assemble(blocks), want); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
}

func TestParseMWUEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		row  frogRow
		want []Token
	}{
		{
			name: "one IOB tag for the unit continues",
			row:  frogRow{word: "Den_Haag", lemma: "Den_Haag", tag: "SPEC(deeleigen)_SPEC(deeleigen)", ner: "B-LOC", chunk: "B-NP", head: 0, rel: "ROOT"},
			want: []Token{
				{Text: "Den", Lemma: "Den", POS: "SPEC", Tag: "SPEC(deeleigen)", Entity: "B-LOC", Chunk: "B-NP", Head: -1, Rel: "ROOT"},
				{Text: "Haag", Lemma: "Haag", POS: "SPEC", Tag: "SPEC(deeleigen)", Entity: "I-LOC", Chunk: "I-NP", Head: 0, Rel: "mwp"},
			},
		},
		{
			name: "a word with its own underscore stays one token",
			row:  frogRow{word: "a_b_c", lemma: "a_b_c", morph: "[a_b]_[c]", tag: "SPEC(deeleigen)_SPEC(deeleigen)", ner: "B-PER_I-PER", chunk: "B-NP_I-NP", head: -1},
			want: []Token{
				{Text: "a_b_c", Lemma: "a_b_c", POS: "SPEC", Tag: "SPEC(deeleigen)", Parts: []string{"a_b", "c"}, Entity: "B-PER", Chunk: "B-NP", Head: -1},
			},
		},
		{
			name: "lemma and morphemes that do not split",
			row:  frogRow{word: "ten_slotte", lemma: "tenslotte", morph: "[ten][slot][te]", tag: "VZ(versm)_N(soort,ev,basis,dat)", ner: "O_O", chunk: "B-PP_I-PP", head: -1},
			want: []Token{
				{Text: "ten", Lemma: "ten", POS: "VZ", Tag: "VZ(versm)", Entity: "O", Chunk: "B-PP", Head: -1},
				{Text: "slotte", Lemma: "slotte", POS: "N", Tag: "N(soort,ev,basis,dat)", Entity: "O", Chunk: "I-PP", Head: 0, Rel: "mwp"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := assemble([][]frogRow{{tt.row}})
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
		})
	}
}

func TestParseRejectsForeignAnswers(t *testing.T) {
	tests := []struct {
		name, answer string
	}{
		{"not tab-separated", "hello world\nREADY\n"},
		{"token numbers out of order", "1\ta\ta\t[a]\tN()\t1\tO\tB-NP\t0\tROOT\n3\tb\tb\t[b]\tN()\t1\tO\tB-NP\t1\tmod\nREADY\n"},
		{"line too long", strings.Repeat("x", maxLineBytes+10) + "\nREADY\n"},
		{"answer too large", strings.Repeat("1\t"+strings.Repeat("x", 1000)+"\ta\t\tN()\t1\tO\tO\n\n", maxResponseBytes/1000+10) + "READY\n"},
		{"too many tokens", func() string {
			var b strings.Builder
			for range maxResponseRows + 1 {
				b.WriteString("1\tx\tx\t\tN()\t1\tO\tO\n\n")
			}
			return b.String() + "READY\n"
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rr := newResponseReader(strings.NewReader(tt.answer))
			_, err := rr.next()
			if !errors.Is(err, errProtocol) {
				t.Errorf("next() = %v, want a protocol error", err)
			}
		})
	}
}

// slowReader returns its data in pieces, each followed by a deadline error,
// like a connection whose reads time out mid-line.
type slowReader struct {
	parts []string
	fail  bool
}

func (r *slowReader) Read(p []byte) (int, error) {
	if r.fail {
		r.fail = false
		return 0, os.ErrDeadlineExceeded
	}
	if len(r.parts) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.parts[0])
	r.parts[0] = r.parts[0][n:]
	if r.parts[0] == "" {
		r.parts = r.parts[1:]
		r.fail = true
	}
	return n, nil
}

func TestResponseReaderResumesAfterTimeout(t *testing.T) {
	// An answer interrupted in the middle of "READY" is skipped correctly,
	// and the next answer reads whole.
	r := &slowReader{parts: []string{"1\tHij\thij\t[hij]\tVNW()\t1\tO\tB-NP\t0\tROOT\n\nREA", "DY\n\n1\tJa\tja\t[ja]\tTSW()\t1\tO\tO\t0\tROOT\n\nREADY\n\n"}}
	rr := &responseReader{r: bufio.NewReaderSize(r, 16)}
	if _, err := rr.next(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("first read: %v, want a deadline error", err)
	}
	if err := rr.skip(); err != nil {
		t.Fatalf("skip: %v", err)
	}
	blocks, err := rr.next()
	if err != nil {
		t.Fatalf("next answer: %v", err)
	}
	if toks := assemble(blocks); len(toks) != 1 || toks[0].Text != "Ja" {
		t.Errorf("next answer: %+v, want the token Ja", toks)
	}
}

func TestFrogLines(t *testing.T) {
	words := func(n int, sep string) string {
		w := make([]string, n)
		for i := range w {
			w[i] = "woord"
		}
		return strings.Join(w, sep)
	}
	long := strings.Repeat("x", 200)
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"plain", "De kat zit op de mat.", []string{"De kat zit op de mat."}},
		{"empty", "", nil},
		{"only space and controls", " \t\r\n\x00\x07 ", nil},
		{"line breaks and tabs", "De kat\nzit\top\r\nde mat.", []string{"De kat zit op de mat."}},
		{"unicode separators and nbsp", "tien\u00a0000\u2028euro\u2029nu\u0085hier", []string{"tien 000 euro nu hier"}},
		{"soft hyphen, zero width and bom dropped", "\ufeffverkie\u00adzingen\u200b in\u200e Den Haag", []string{"verkiezingen in Den Haag"}},
		{"invalid UTF-8", "ge\xffld", []string{"ge ld"}},
		{"EOT alone", "EOT", []string{"EOT "}},
		{"EOT in a sentence", "EOT werd gezegd.", []string{"EOT werd gezegd."}},
		{"long word cut", "een " + long + " woord", []string{"een " + long[:maxWordBytes] + " woord"}},
		{"long word cut at a character boundary", strings.Repeat("é", 100), []string{strings.Repeat("é", maxWordBytes/2)}},
		{"150 words in one", words(150, " "), []string{words(150, " ")}},
		{"151 words in two", words(151, " "), []string{words(150, " "), "woord"}},
		{"split after a comma", words(100, " ") + ", " + words(100, " "), []string{words(100, " ") + ",", words(100, " ")}},
		{"over 8 pieces dropped", words(150*8+7, " "), func() []string {
			out := make([]string, 8)
			for i := range out {
				out[i] = words(150, " ")
			}
			return out
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := frogLines(tt.in, 150)
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("frogLines (-got +want):\n%s", diff)
			}
			for _, l := range got {
				if l == "EOT" || strings.ContainsAny(l, "\n\r\t") {
					t.Errorf("unsafe line %q", l)
				}
			}
		})
	}
}
