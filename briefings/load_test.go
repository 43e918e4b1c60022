package briefings_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/internal/corpus"
)

// loadLogRecord is one JSON log line written by the handler of captureLogger.
type loadLogRecord struct {
	Level  string `json:"level"`
	Msg    string `json:"msg"`
	File   string `json:"file"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// captureLogger returns a logger writing JSON lines to a buffer and a
// function that decodes them.
func captureLoadLogs(t *testing.T) (*slog.Logger, func() []loadLogRecord) {
	t.Helper()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return logger, func() []loadLogRecord {
		var out []loadLogRecord
		for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
			if len(line) == 0 {
				continue
			}
			var r loadLogRecord
			if err := json.Unmarshal(line, &r); err != nil {
				t.Fatalf("log line %q: %v", line, err)
			}
			out = append(out, r)
		}
		return out
	}
}

func warnRecords(recs []loadLogRecord) []loadLogRecord {
	var out []loadLogRecord
	for _, r := range recs {
		if r.Level == "WARN" {
			out = append(out, r)
		}
	}
	return out
}

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func articleIDs(arts []briefings.Article) []briefings.ArticleID {
	var out []briefings.ArticleID
	for _, a := range arts {
		out = append(out, a.ID)
	}
	return out
}

func TestLoadSample(t *testing.T) {
	res, err := briefings.LoadFS(t.Context(), briefings.SampleFS(), briefings.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	type idDate struct {
		ID   briefings.ArticleID
		Date string
	}
	var got []idDate
	for _, a := range res.Articles {
		got = append(got, idDate{a.ID, a.Date.String()})
		if a.Title == "" || len(a.Sentences) == 0 || a.Hash == "" {
			t.Errorf("%s: title %q, %d sentences, hash %q", a.ID, a.Title, len(a.Sentences), a.Hash)
		}
	}
	want := []idDate{
		{"000_84c18d6e44010aaa", "2020-10"},
		{"001_3a4517b0ca95c208", "2017-01"},
		{"002_e5491d042b67adbc", "2017-07"},
		{"003_b80da3bb4248e633", "2017-01"},
		{"004_496c433a0061d38d", ""},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("sample articles (-got +want):\n%s", diff)
	}
	if len(res.Skipped) != 0 || len(res.Folded) != 0 {
		t.Errorf("Skipped %v, Folded %v; want none", res.Skipped, res.Folded)
	}
}

func TestLoadDirStableAcrossReloads(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for _, name := range []string{"000_84c18d6e44010aaa.txt", "001_3a4517b0ca95c208.txt", "004_496c433a0061d38d.txt"} {
		files[name] = string(sampleFile(t, name))
	}
	files["2021/krebs.md"] = "---\ntitle: Krebs\n---\nKrebs is ontslagen door de president van de Verenigde Staten."
	files["feed.jsonl"] = `{"id": "n1", "body": "Een bericht over de verkiezingen in Nederland."}`
	writeTree(t, dir, files)
	first, err := briefings.LoadDir(t.Context(), dir, briefings.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := []briefings.ArticleID{"000_84c18d6e44010aaa", "001_3a4517b0ca95c208", "004_496c433a0061d38d", "krebs", "n1"}
	if diff := cmp.Diff(articleIDs(first.Articles), wantIDs); diff != "" {
		t.Errorf("IDs (-got +want):\n%s", diff)
	}
	second, err := briefings.LoadDir(t.Context(), dir, briefings.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("reload differs (-first +second):\n%s", diff)
	}
}

// failOpenFS makes Open fail for some paths, as an unreadable file or
// directory would (the tests run as root, who can read anything).
type failOpenFS struct {
	fs.FS
	fail map[string]error
}

func (f failOpenFS) Open(name string) (fs.File, error) {
	if err, ok := f.fail[name]; ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return f.FS.Open(name)
}

func TestLoadSkipsBadInput(t *testing.T) {
	const good = "De Kiesraad stuurt de software op CD-ROM naar de gemeenten. Volgens Plasterk is dat veilig."
	fsys := failOpenFS{
		FS: fstest.MapFS{
			"good.txt":            {Data: []byte(good)},
			"sub/good.md":         {Data: []byte("---\ntitle: Goed\n---\nDit is een goed artikel over iets heel anders dan de rest.")},
			"empty.txt":           {Data: nil},
			"blank.md":            {Data: []byte(" \n\t\n")},
			"binary.txt":          {Data: []byte("PK\x03\x04\x00\x00 zip")},
			"latin1.txt":          {Data: []byte("Caf\xe9 in Utrecht.")},
			"big.txt":             {Data: bytes.Repeat([]byte("Een zin. "), 200)},
			"bad.json":            {Data: []byte(`{"title": "x", "body": `)},
			"feed.jsonl":          {Data: []byte("{\"id\": \"f1\", \"body\": \"Een goed bericht over de Kiesraad.\"}\n{kapot\n")},
			"locked.txt":          {Data: []byte("Niet leesbaar.")},
			"locked/inner.txt":    {Data: []byte("Niet bereikbaar.")},
			"notes.pdf":           {Data: []byte("%PDF")},
			"README.md":           {Data: []byte("# Articles\nThis folder holds articles.")},
			"LICENSE.txt":         {Data: []byte("MIT")},
			".hidden.txt":         {Data: []byte("Verborgen tekst.")},
			".git/config.txt":     {Data: []byte("Verborgen map.")},
			"sub/.swp/x.txt":      {Data: []byte("Verborgen map.")},
			"sub/.editor.md.swp":  {Data: []byte("x")},
			"sub/deeper/ok.jsonl": {Data: []byte(`{"id": "d1", "body": "Nog een artikel, over de Tweede Kamer."}`)},
			"baddate.txt":         {Data: []byte(" date 2020-13 Een artikel met een onmogelijke datum.")},
		},
		fail: map[string]error{"locked.txt": fs.ErrPermission, "locked": fs.ErrPermission},
	}
	logger, logs := captureLoadLogs(t)
	res, err := briefings.LoadFS(t.Context(), fsys, briefings.LoadOptions{MaxFileSize: 1000, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	// good.txt and sub/good.md share the stem "good": the first source keeps
	// it, the other gets its source as ID.
	if diff := cmp.Diff(articleIDs(res.Articles), []briefings.ArticleID{"baddate", "d1", "f1", "good", "sub/good.md"}); diff != "" {
		t.Errorf("loaded IDs (-got +want):\n%s", diff)
	}
	for _, a := range res.Articles {
		if a.ID == "baddate" && (!a.Date.IsZero() || a.Sentences[0].Text != "Een artikel met een onmogelijke datum.") {
			t.Errorf("baddate.txt: date %v, first sentence %q; want undated and the prefix gone", a.Date, a.Sentences[0].Text)
		}
	}

	wantReasons := map[string]string{
		"empty.txt":  "file is empty",
		"blank.md":   "file is empty",
		"binary.txt": "file is binary: it contains a NUL byte at offset 4",
		"latin1.txt": "file is not valid UTF-8 text (first bad byte at offset 3)",
		"big.txt":    "file is 1800 bytes, over the limit of 1000 bytes",
		"bad.json":   "not a JSON article object",
		"locked.txt": "cannot be opened: permission denied",
		"locked":     "cannot be read: permission denied",
		"feed.jsonl": "line 2 skipped: invalid character",
	}
	got := map[string]string{}
	for _, s := range res.Skipped {
		if _, dup := got[s.Path]; dup {
			t.Errorf("%s skipped twice", s.Path)
		}
		got[s.Path] = s.Reason
	}
	for p, want := range wantReasons {
		if !strings.Contains(got[p], want) {
			t.Errorf("%s: skip reason %q, want one saying %q", p, got[p], want)
		}
	}
	for p := range got {
		if _, ok := wantReasons[p]; !ok {
			t.Errorf("%s skipped (%s); want it loaded or ignored", p, got[p])
		}
	}

	// one warning per skipped file, naming it and the reason; one for the bad
	// JSONL line; none for ignored files
	warned := map[string]int{}
	var lineWarning bool
	for _, w := range warnRecords(logs()) {
		warned[w.File]++
		if w.File == "feed.jsonl" && w.Line == 2 && strings.Contains(w.Reason, "line 2") {
			lineWarning = true
		}
		if w.File == "" || w.Reason == "" {
			t.Errorf("warning %+v lacks the file or the reason", w)
		}
	}
	if warned["baddate.txt"] != 1 {
		t.Errorf("baddate.txt: %d warnings, want 1 about the date", warned["baddate.txt"])
	}
	for p := range wantReasons {
		if warned[p] != 1 {
			t.Errorf("%s: %d warnings, want 1", p, warned[p])
		}
	}
	if !lineWarning {
		t.Errorf("no warning for feed.jsonl line 2; warnings: %v", warned)
	}
	for _, p := range []string{"notes.pdf", "README.md", "LICENSE.txt", ".hidden.txt", ".git/config.txt", "sub/.swp/x.txt", "sub/.editor.md.swp"} {
		if warned[p] != 0 {
			t.Errorf("%s: warned about an ignored file", p)
		}
	}
}

func TestLoadDuplicateIDs(t *testing.T) {
	fsys := fstest.MapFS{
		"a.txt":     {Data: []byte("De minister sprak maandag met de Kamer over de verkiezingen.")},
		"sub/a.txt": {Data: []byte("Een heel ander verhaal over de Russische hackers en de AIVD.")},
		"x.jsonl":   {Data: []byte("{\"id\": \"k\", \"body\": \"Eerste bericht over de NAVO-top.\"}\n{\"id\": \"k\", \"body\": \"Tweede bericht, over de gemeenteraad van Utrecht.\"}\n")},
	}
	res, err := briefings.LoadFS(t.Context(), fsys, briefings.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	type idSource struct {
		ID     briefings.ArticleID
		Source string
	}
	var got []idSource
	for _, a := range res.Articles {
		got = append(got, idSource{a.ID, a.Source})
	}
	want := []idSource{{"a", "a.txt"}, {"k", "x.jsonl#k"}, {"sub/a.txt", "sub/a.txt"}}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("articles (-got +want):\n%s", diff)
	}
	// the second "k" record has the same source as the first: it is skipped
	if len(res.Skipped) != 1 || res.Skipped[0].Path != "x.jsonl#k" || !strings.Contains(res.Skipped[0].Reason, "already used") {
		t.Errorf("Skipped = %v, want x.jsonl#k as a duplicate", res.Skipped)
	}
}

func TestLoadFoldsNearIdenticalFiles(t *testing.T) {
	base := string(sampleFile(t, "004_496c433a0061d38d.txt"))
	other := string(sampleFile(t, "002_e5491d042b67adbc.txt"))
	paras := strings.Split(base, "\n\n")
	fsys := fstest.MapFS{
		"a.txt": {Data: []byte(base)},
		// identical after folding: other line ends, case, punctuation
		"b.txt": {Data: []byte(strings.ToUpper(strings.ReplaceAll(strings.ReplaceAll(base, "\n", "\r\n"), ",", ";")))},
		// nearly identical: one word changed, one paragraph break moved
		"c.md": {Data: []byte(strings.Replace(strings.Replace(base, "Krebs", "Chris Krebs", 1), "\n\n", "\n", 1))},
		// the same story in another feed
		"feed.jsonl": {Data: []byte(jsonText(t, map[string]string{"id": "copy", "body": base}) + "\n")},
		// a different story
		"d.txt": {Data: []byte(other)},
		// half of the story: related, not the same article
		"e.txt": {Data: []byte(strings.Join(paras[:len(paras)/2], "\n\n"))},
	}
	logger, logs := captureLoadLogs(t)
	res, err := briefings.LoadFS(t.Context(), fsys, briefings.LoadOptions{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(articleIDs(res.Articles), []briefings.ArticleID{"a", "d", "e"}); diff != "" {
		t.Errorf("kept IDs (-got +want):\n%s", diff)
	}
	want := map[briefings.ArticleID][]string{"a": {"b.txt", "c.md", "feed.jsonl#copy"}}
	if diff := cmp.Diff(res.Folded, want); diff != "" {
		t.Errorf("Folded (-got +want):\n%s", diff)
	}
	folds := 0
	for _, r := range logs() {
		if r.Msg == "folded near-identical article" {
			folds++
		}
	}
	if folds != 3 {
		t.Errorf("%d fold log lines, want 3", folds)
	}
}

func TestLoadFoldsAtScale(t *testing.T) {
	const n, copies = 2000, 100
	fsys := fstest.MapFS{}
	var names []string
	for i := range n {
		name, data := corpus.File(i, 11)
		fsys[name] = &fstest.MapFile{Data: data}
		names = append(names, name)
	}
	want := map[briefings.ArticleID][]string{}
	for i := range copies {
		orig := names[i*7]
		// a near copy, one word changed, under a name that sorts last
		near := strings.Replace(string(fsys[orig].Data), " de ", " die ", 1)
		name := fmt.Sprintf("zz_near_%03d.txt", i)
		fsys[name] = &fstest.MapFile{Data: []byte(near)}
		want[briefings.ArticleID(strings.TrimSuffix(orig, ".txt"))] = []string{name}
	}
	res, err := briefings.LoadFS(t.Context(), fsys, briefings.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Articles) != n {
		t.Errorf("kept %d articles, want %d", len(res.Articles), n)
	}
	if diff := cmp.Diff(res.Folded, want); diff != "" {
		t.Errorf("Folded (-got +want):\n%s", diff)
	}
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLoadDirErrors(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.txt": "Tekst."})
	tests := []struct {
		name string
		dir  string
		is   error
		want string
	}{
		{"missing", filepath.Join(dir, "nope"), fs.ErrNotExist, "article directory"},
		{"a file", filepath.Join(dir, "a.txt"), nil, "is not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := briefings.LoadDir(t.Context(), tt.dir, briefings.LoadOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Errorf("error = %v, want one saying %q (is %v)", err, tt.want, tt.is)
			}
		})
	}
	t.Run("unreadable root", func(t *testing.T) {
		_, err := briefings.LoadFS(t.Context(), failOpenFS{FS: fstest.MapFS{}, fail: map[string]error{".": fs.ErrPermission}}, briefings.LoadOptions{})
		if !errors.Is(err, fs.ErrPermission) {
			t.Errorf("error = %v, want permission denied", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := briefings.LoadDir(ctx, dir, briefings.LoadOptions{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want context.Canceled", err)
		}
	})
}

func TestLoadDefaultSizeLimit(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte("Een zin over de verkiezingen. "), briefings.DefaultMaxFileSize/30+1)
	writeTree(t, dir, map[string]string{"big.txt": string(big), "ok.txt": "Een kleine tekst."})
	res, err := briefings.LoadDir(t.Context(), dir, briefings.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Articles) != 1 || len(res.Skipped) != 1 || res.Skipped[0].Path != "big.txt" || !strings.Contains(res.Skipped[0].Reason, "over the limit of 5242880 bytes") {
		t.Errorf("got %d articles, skipped %v; want ok.txt loaded and big.txt skipped as too big", len(res.Articles), res.Skipped)
	}
}

// With CallerReportsSkipped the skipped files and records are still listed
// but logged at debug level, so that a caller that shows them (the command
// line) reports each once; a bad field is still a warning (issue 12, item
// 21).
func TestLoadCallerReportsSkipped(t *testing.T) {
	fsys := fstest.MapFS{
		"good.txt":    {Data: []byte("De raad vergaderde dinsdag over de begroting.")},
		"empty.txt":   {Data: nil},
		"feed.jsonl":  {Data: []byte("{\"id\": \"f1\", \"body\": \"Een goed bericht over de Kiesraad.\"}\n{kapot\n")},
		"baddate.txt": {Data: []byte(" date 2020-13 Een artikel met een onmogelijke datum.")},
	}
	logger, logs := captureLoadLogs(t)
	res, err := briefings.LoadFS(t.Context(), fsys, briefings.LoadOptions{Logger: logger, CallerReportsSkipped: true})
	if err != nil {
		t.Fatal(err)
	}
	var skipped []string
	for _, s := range res.Skipped {
		skipped = append(skipped, s.Path)
	}
	slices.Sort(skipped)
	if diff := cmp.Diff(skipped, []string{"empty.txt", "feed.jsonl"}); diff != "" {
		t.Errorf("Skipped (-got +want):\n%s", diff)
	}
	var warned, debug []string
	for _, r := range logs() {
		switch r.Level {
		case "WARN":
			warned = append(warned, r.File)
		case "DEBUG":
			debug = append(debug, r.File)
		}
	}
	if diff := cmp.Diff(warned, []string{"baddate.txt"}); diff != "" {
		t.Errorf("warnings (-got +want):\n%s", diff)
	}
	slices.Sort(debug)
	if diff := cmp.Diff(debug, []string{"empty.txt", "feed.jsonl"}); diff != "" {
		t.Errorf("debug records (-got +want):\n%s", diff)
	}
}
