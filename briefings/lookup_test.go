package briefings_test

import (
	"testing"
	"testing/fstest"

	"github.com/briefbot/briefbot/briefings"
)

// LookupArticle finds an article by what a reader copies from a search
// result or a citation: the ID, or the file name with its extension, also
// for IDs made unique from a duplicate (issue 12, item 20).
func TestLookupArticle(t *testing.T) {
	fsys := fstest.MapFS{
		"a.txt":      {Data: []byte("Eerste\n\nDe raad vergaderde dinsdag over de begroting.")},
		"sub/a.txt":  {Data: []byte("Tweede\n\nDe burgemeester opende woensdag het nieuwe zwembad.")},
		"feed.jsonl": {Data: []byte(`{"id": "ap.123", "body": "De provincie kocht donderdag een stuk natuurgebied."}` + "\n" + `{"body": "Het waterschap verhoogde vrijdag de dijken langs de rivier."}` + "\n")},
		"x.json":     {Data: []byte(`{"id": "v2", "body": "Het kabinet presenteerde zaterdag een nieuw plan voor woningbouw."}`)},
	}
	res, err := briefings.LoadFS(t.Context(), fsys, briefings.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lib, err := briefings.NewLibrary(briefings.Options{FreeDictDir: "-"})
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Replace(t.Context(), res.Articles); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ref  string
		want briefings.ArticleID // "" = not found
	}{
		{"a", "a"},
		{"a.txt", "a"},
		{" a.txt\n", "a"},
		{"sub/a.txt", "sub/a.txt"}, // the duplicate's ID is its source
		{"ap.123", "ap.123"},       // a record ID with a dot is not an extension
		{"feed#2", "feed#2"},
		{"feed.jsonl#2", "feed#2"},      // the source of a record without an id
		{"feed.jsonl#ap.123", "ap.123"}, // the source of a record with one
		{"v2", "v2"},
		{"x", ""},    // x.json's article has its own id
		{"a.md", ""}, // the stem of a file that is not the article's source
		{"sub/a", ""},
		{"b.txt", ""},
		{"", ""},
	}
	for _, tt := range tests {
		a, ok := briefings.LookupArticle(lib, tt.ref)
		if ok != (tt.want != "") || a.ID != tt.want {
			t.Errorf("LookupArticle(%q) = %q, %v; want %q", tt.ref, a.ID, ok, tt.want)
		}
	}
}
