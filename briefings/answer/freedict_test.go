package answer

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/briefings/article"
	"github.com/google/go-cmp/cmp"
)

// writeDictd writes a dictionary in dictd format (an .index of base-64
// offsets and a gzip-compressed .dict.dz), as Debian's FreeDict packages do.
func writeDictd(t *testing.T, dir, name string, entries []string) {
	t.Helper()
	enc := func(n int) string {
		const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		if n == 0 {
			return "A"
		}
		var b []byte
		for ; n > 0; n /= 64 {
			b = append([]byte{digits[n%64]}, b...)
		}
		return string(b)
	}
	var data bytes.Buffer
	var index strings.Builder
	for _, e := range append([]string{"00-database-info\nA test dictionary.\n"}, entries...) {
		head := strings.SplitN(e, "\n", 2)[0]
		if i := strings.Index(head, " /"); i >= 0 {
			head = head[:i]
		}
		index.WriteString(head + "\t" + enc(data.Len()) + "\t" + enc(len(e)) + "\n")
		data.WriteString(e)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data.Bytes())
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, name+".index"), []byte(index.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".dict.dz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadFreeDict(t *testing.T) {
	dir := t.TempDir()
	writeDictd(t, dir, "freedict-eng-nld", []string{
		"ransom /rænsəm/\n1. losgeld, afkoopsom\n2. vrĳkopen\n",
		"kettle /ketl/\nketel\n",
	})
	writeDictd(t, dir, "freedict-nld-eng", []string{
		"ontslaan /ɔntslan/\n1. discharge, dismiss, fire\n2. exempt\n",
	})
	got, err := loadFreeDict(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"ransom":    {"losgeld", "afkoopsom", "vrijkopen"}, // the ĳ ligature is normalised
		"kettle":    {"ketel"},
		"discharge": {"ontslaan"}, "dismiss": {"ontslaan"}, "fire": {"ontslaan"}, "exempt": {"ontslaan"},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("dictionary (-got +want):\n%s", diff)
	}
	empty, err := loadFreeDict(t.TempDir())
	if err != nil || len(empty) != 0 {
		t.Errorf("missing dictionaries: %v, %v; want empty and no error", empty, err)
	}
}

// A word the hand-written lexicon lacks is translated through the installed
// dictionary, and only then.
func TestSearchUsesFreeDict(t *testing.T) {
	dir := t.TempDir()
	writeDictd(t, dir, "freedict-eng-nld", []string{"kettle /ketl/\nketel\n"})
	art := &article.Article{ID: "keuken", Source: "keuken.txt", Title: "Keuken",
		Sentences: []article.Sentence{{Text: "De ketel van het ministerie werd gestolen door Jan Jansen."}}}
	for _, tt := range []struct {
		dir   string
		found int
	}{{dir, 1}, {"-", 0}} {
		lex, err := LoadLexicon(nil)
		if err != nil {
			t.Fatal(err)
		}
		if tt.dir != "-" {
			if _, err := lex.AddFreeDict(tt.dir); err != nil {
				t.Fatal(err)
			}
		}
		an := analysis.NewBuiltin()
		lib, err := New(Options{Lexicon: lex, Stemmer: an})
		if err != nil {
			t.Fatal(err)
		}
		res, err := lib.Search(newTestCorpus(an, []*article.Article{art}), "kettle", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != tt.found {
			t.Errorf("dictionary %q: %d results for kettle, want %d", tt.dir, len(res), tt.found)
		}
	}
}

func TestEnglishBases(t *testing.T) {
	for in, want := range map[string][]string{
		"fired":    {"fired", "fire", "fir"},
		"worked":   {"worked", "worke", "work"},
		"lawsuits": {"lawsuits", "lawsuit"},
		"parties":  {"parties", "party", "partie", "parti"},
		"hacking":  {"hacking", "hack", "hacke"},
	} {
		if diff := cmp.Diff(englishBases(in), want); diff != "" {
			t.Errorf("%s (-got +want):\n%s", in, diff)
		}
	}
}
