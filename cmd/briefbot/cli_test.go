package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// runCLI runs one command line in-process and returns its exit code and
// output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	args = append(args, "--data", t.TempDir())
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// The JSON contracts other tools depend on: exact keys, as documented.
func TestJSONContracts(t *testing.T) {
	tests := []struct {
		args []string
		keys []string // top-level keys
		sub  string   // a list field whose elements are checked
		item []string // keys of each element of sub
	}{
		{[]string{"ask", "--format", "json", "Who fired Krebs?"},
			[]string{"answer", "answered", "citations", "confidence", "question", "reader"},
			"citations", []string{"article", "date", "quote", "source", "title"}},
		{[]string{"search", "--format", "json", "Poetin"},
			[]string{"query", "results"},
			"results", []string{"article", "date", "score", "snippet", "source", "title"}},
		{[]string{"digest", "--format", "json", "--topic", "interference"},
			[]string{"items", "since", "topic", "until"},
			"items", []string{"article", "date", "matched", "score", "source", "summary", "title"}},
		{[]string{"article", "--format", "json", "004_496c433a0061d38d"},
			[]string{"added", "date", "id", "paragraphs", "source", "title"},
			"paragraphs", []string{"text"}},
	}
	for _, tt := range tests {
		t.Run(tt.args[0], func(t *testing.T) {
			code, out, errs := runCLI(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("not one JSON object: %v\n%s", err, out)
			}
			if diff := cmp.Diff(sortedKeys(v), tt.keys); diff != "" {
				t.Errorf("keys (-got +want):\n%s", diff)
			}
			list, _ := v[tt.sub].([]any)
			if len(list) == 0 {
				t.Fatalf("%s is empty: %s", tt.sub, out)
			}
			for _, el := range list {
				m, _ := el.(map[string]any)
				got := sortedKeys(m)
				for _, k := range tt.item {
					if _, ok := m[k]; !ok {
						t.Errorf("%s element lacks %q: has %v", tt.sub, k, got)
					}
				}
			}
		})
	}
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

// `briefbot ask "Who fired Krebs?"` with no flags answers from the sample
// set; unanswerable questions say so; --articles reads a directory.
func TestAsk(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte(" date 2024-03-12 De rechtbank in Arnhem heeft dinsdag de burgemeester van Zevenaar veroordeeld.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"ask", "Who fired Krebs?"}, []string{"Donald Trump", "004_496c433a0061d38d.txt"}},
		{[]string{"ask", "Wie", "heeft", "Krebs", "ontslagen?"}, []string{"Donald Trump"}},
		{[]string{"ask", "Wie is de premier van België?"}, []string{"The articles don't answer that."}},
		{[]string{"ask", "--articles", dir, "Which court convicted the mayor?"}, []string{"rechtbank in Arnhem", "a.txt, 2024-03-12"}},
	}
	for _, tt := range tests {
		code, out, errs := runCLI(t, tt.args...)
		if code != 0 {
			t.Errorf("%v: exit %d: %s", tt.args, code, errs)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", tt.args, w, out)
			}
		}
	}
}

// Exit codes: 0 ok, 1 runtime error, 2 usage error; each with a message.
func TestExitCodes(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"version"}, 0, ""},
		{[]string{"ask"}, 2, "ask needs a question"},
		{[]string{"ask", "--format", "xml", "q?"}, 2, `--format "xml"`},
		{[]string{"search", "--limit", "0", "x"}, 2, "--limit 0"},
		{[]string{"article", "a", "b"}, 2, "one article ID"},
		{[]string{"digest", "--since", "2020-13-01"}, 2, "--since"},
		{[]string{"digest", "--since", "2021-01-02", "--until", "2021-01-01"}, 2, "before --since"},
		{[]string{"digest", "--topic", "sport"}, 2, `no topic "sport"`},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"ask", "--bogus", "q?"}, 2, "unknown flag"},
		{[]string{"ask", "--articles", missing, "q?"}, 1, "nope"},
		{[]string{"article", "999_none"}, 1, "no article has the ID"},
		{[]string{"eval", missing}, 1, "read evaluation file"},
		// issue 12, item 21: values out of range are usage errors
		{[]string{"ask", "--min-confidence", "5", "q?"}, 2, "--min-confidence 5"},
		{[]string{"ask", "--min-confidence", "-0.5", "q?"}, 2, "--min-confidence -0.5"},
		{[]string{"ask", "--min-confidence", "NaN", "q?"}, 2, "--min-confidence NaN"},
		{[]string{"digest", "--limit", "-5"}, 2, "--limit -5"},
		{[]string{"train", "--set", "a=" + missing, "--folds", "-1"}, 2, "--folds -1"},
		{[]string{"train", "--set", "a=" + missing, "--target-precision", "1.5"}, 2, "--target-precision 1.5"},
		{[]string{"train", "--set", "a=" + missing, "--l2", "-1"}, 2, "--l2 -1"},
		{[]string{"train", "--set", "a=" + missing, "--exclude-features", "fit,nope"}, 2, `no feature "nope"`},
		{[]string{"train", "--set", "a=" + missing, "--frog", "--frog-processes", "0"}, 2, "--frog-processes 0"},
		{[]string{"serve", "--watch-debounce", "-1s"}, 2, "--watch-debounce -1s"},
		{[]string{"train", "--set", "a=" + missing, "--folds", "1"}, 2, "--folds 1"},
		{[]string{"train", "--set", "a=" + missing, "--calibrate", "nope.yaml"}, 2, `--calibrate "nope.yaml"`},
		{[]string{"eval", "--frog-processes", "-2", missing}, 2, "--frog-processes -2"},
		{[]string{"healthcheck", "--timeout", "-1s"}, 2, "--timeout -1s"},
	}
	for _, tt := range tests {
		code, _, errs := runCLI(t, tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.msg) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tt.args, code, errs, tt.code, tt.msg)
		}
	}
}

// eval scores a question file stage by stage: on the shared development
// set (which the ranker was fitted on) every stage finds the answer and the
// ranker picks it; --explain traces one question; JSON carries the stages.
func TestEval(t *testing.T) {
	code, out, errs := runCLI(t, "eval", "../../briefings/testdata/eval/seed-dev.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, w := range []string{
		"group            items  art@1  art@5   sent   cand   extr forced",
		"all                 12   1.00   1.00   1.00   1.00   1.00   1.00",
		"lang:nl", "type:who", "calibration (confidence -> share right):",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("eval output lacks %q:\n%s", w, out)
		}
	}
	code, out, errs = runCLI(t, "eval", "../../briefings/testdata/eval/seed-dev.yaml", "--explain", "d01")
	if code != 0 {
		t.Fatalf("--explain: exit %d: %s", code, errs)
	}
	for _, w := range []string{"type who", "articles:", "sentences examined:", "candidates (learned ranker):", "Donald Trump"} {
		if !strings.Contains(out, w) {
			t.Errorf("--explain output lacks %q:\n%s", w, out)
		}
	}
	code, out, errs = runCLI(t, "eval", "../../briefings/testdata/eval/seed-dev.yaml", "--format", "json")
	if code != 0 {
		t.Fatalf("json: exit %d: %s", code, errs)
	}
	var rep struct {
		Stages struct {
			Rows []struct {
				Group  string  `json:"group"`
				Forced float64 `json:"forced_accuracy"`
			} `json:"rows"`
		} `json:"stages"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Stages.Rows) == 0 {
		t.Fatalf("json stages: %v in %s", err, out)
	}
	if r := rep.Stages.Rows[0]; r.Group != "all" || r.Forced != 1 {
		t.Errorf("first stage row %+v; want all with forced accuracy 1", r)
	}
	code, _, errs = runCLI(t, "eval", "../../briefings/testdata/eval/seed-dev.yaml", "--explain", "nope")
	if code != 2 || !strings.Contains(errs, "no question has that id") {
		t.Errorf("--explain nope: exit %d, %q; want 2 and a clear error", code, errs)
	}
}

// index stores the articles; a second run reports them unchanged.
func TestIndex(t *testing.T) {
	data := t.TempDir()
	var out bytes.Buffer
	for i, want := range []string{"5 added", "5 unchanged"} {
		out.Reset()
		if code := run(context.Background(), []string{"index", "--data", data}, strings.NewReader(""), &out, &out); code != 0 {
			t.Fatalf("run %d: exit %d: %s", i, code, out.String())
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("run %d: %q lacks %q", i, out.String(), want)
		}
	}
}

// A file name from the article directory cannot forge a line of the
// warnings (issue 12, item 3): names and reasons are quoted.
func TestSkippedFileNamesQuoted(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "goed.txt"), []byte("Titel\n\nDe raad vergaderde dinsdag over de begroting."), 0o644); err != nil {
		t.Fatal(err)
	}
	forged := "x\nbriefbot: all articles verified.txt"
	if err := os.WriteFile(filepath.Join(dir, forged), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(t, "search", "--articles", dir, "begroting")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, line := range strings.Split(errs, "\n") {
		if strings.HasPrefix(line, "briefbot: all articles verified") {
			t.Errorf("a file name forged a line of output: %q", errs)
		}
	}
	if !strings.Contains(errs, `"x\nbriefbot: all articles verified.txt"`) {
		t.Errorf("skipped file not named, quoted: %q", errs)
	}
}

// Each skipped file is reported once on the command line, as the README
// says (issue 12, item 21), not as a log line and a plain line; a UTF-16
// file is named as such, with the command that converts it.
func TestSkippedFileReportedOnce(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"goed.txt":  "Titel\n\nDe raad vergaderde dinsdag over de begroting.",
		"leeg.txt":  "",
		"utf16.txt": "\xff\xfeD\x00e\x00 \x00r\x00a\x00a\x00d\x00.\x00",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, level := range []string{"warn", "info"} {
		code, _, errs := runCLI(t, "search", "--articles", dir, "--log-level", level, "begroting")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		for _, name := range []string{"leeg.txt", "utf16.txt"} {
			if n := strings.Count(errs, name); n != 1 {
				t.Errorf("--log-level %s: %s reported %d times, want once:\n%s", level, name, n, errs)
			}
		}
		if !strings.Contains(errs, "iconv -f UTF-16 -t UTF-8") {
			t.Errorf("--log-level %s: the UTF-16 file's report does not say how to convert it:\n%s", level, errs)
		}
	}
}

// `briefbot article` finds an article by the ID search and answers show,
// including IDs made unique from a duplicate (the source, extension
// included) and record IDs with a dot; a file name with its extension
// still works (issue 12, item 20).
func TestArticleLookup(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"a.txt":      "Eerste\n\nDe raad vergaderde dinsdag over de begroting.",
		"sub/a.txt":  "Tweede\n\nDe burgemeester opende woensdag het nieuwe zwembad.",
		"feed.jsonl": `{"id": "ap.123", "title": "Derde", "body": "De provincie kocht donderdag een stuk natuurgebied."}` + "\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct{ id, title string }{
		{"a", "Eerste"},
		{"a.txt", "Eerste"},
		{"sub/a.txt", "Tweede"},
		{"ap.123", "Derde"},
	} {
		code, out, errs := runCLI(t, "article", "--articles", dir, tt.id)
		if code != 0 || !strings.HasPrefix(out, tt.title+"\n") {
			t.Errorf("article %s: exit %d, output %q, stderr %q; want the article %q", tt.id, code, out, errs, tt.title)
		}
	}
}
