package briefings

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// segmentArticles are articles with every field set, odd ones included:
// an undated one, one added at the epoch, sentences that are copies
// rather than substrings of their paragraph, empty strings, UTF-8.
func segmentArticles(t *testing.T) []Article {
	t.Helper()
	arts, err := ParseFile("001_a.txt", []byte(" date 2020-10-14 De AIVD waarschuwt voor beïnvloeding.\n\nRusland verspreidt desinformatie. Dat zegt minister Ollongren.\n\nTussenkop\n\nDe Tweede Kamer debatteert er donderdag over."))
	if err != nil {
		t.Fatal(err)
	}
	a := arts[0]
	a.URL, a.Publisher, a.Author = "https://example.org/a", "NOS", "Redactie"
	a.Added = time.Date(2024, 3, 1, 12, 30, 0, 123, time.UTC)
	a.AlsoIn = []Copy{{ID: "009_b", Source: "feed:nu#9", Publisher: "NU.nl", Title: "Beïnvloeding", Date: Date{Year: 2020, Month: 10}, URL: "https://nu.nl/9"}}
	a.TopicHints = []string{"interference", "cyber"}
	b := Article{ID: "002_b", Source: "002_b.txt", Title: "Zonder datum",
		Paragraphs: []Paragraph{{Text: "Eén zin."}, {Text: "Kop", Heading: true}},
		Sentences:  []Sentence{{Text: strings.Clone("Eén zin."), Paragraph: 0}}, Hash: "h2",
		Added: time.Unix(0, 1).UTC()}
	c := Article{ID: "003_c", Source: "003_c.txt"} // nothing else
	// sentences made by hand: not in their paragraph, or of none
	d := Article{ID: "004_d", Paragraphs: []Paragraph{{Text: "Een."}},
		Sentences: []Sentence{{Text: "Twee.", Paragraph: 0}, {Text: "Drie.", Paragraph: 4}, {Text: "Vier.", Paragraph: -1}}}
	return []Article{a, b, c, d}
}

func TestRecordRoundTrip(t *testing.T) {
	for _, a := range segmentArticles(t) {
		rec := appendRecord(nil, &a)
		got, err := decodeRecord(rec)
		if err != nil {
			t.Fatalf("%s: %v", a.ID, err)
		}
		if diff := cmp.Diff(&a, got); diff != "" {
			t.Errorf("%s after a round trip (-want +got):\n%s", a.ID, diff)
		}
		// every truncation is an error, never a panic or a short article
		for n := range len(rec) {
			if _, err := decodeRecord(rec[:n]); err == nil {
				t.Errorf("%s cut to %d of %d bytes decoded", a.ID, n, len(rec))
			}
		}
	}
}

func TestLibraryKeepsArticlesExactly(t *testing.T) {
	lib, err := NewLibrary(Options{FreeDictDir: "-"})
	if err != nil {
		t.Fatal(err)
	}
	want := segmentArticles(t)
	if err := lib.Replace(context.Background(), slices.Clone(want)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, lib.Articles()); diff != "" {
		t.Errorf("articles (-want +got):\n%s", diff)
	}
	for _, a := range want {
		got, ok := lib.Article(a.ID)
		if !ok || !cmp.Equal(a, got) {
			t.Errorf("Article(%q) = %v, %v", a.ID, got.ID, ok)
		}
	}
	if _, ok := lib.Article("002"); ok {
		t.Error("an ID prefix found an article")
	}
}

func TestReplaceOrderAndDuplicates(t *testing.T) {
	lib, err := NewLibrary(Options{FreeDictDir: "-"})
	if err != nil {
		t.Fatal(err)
	}
	arts := segmentArticles(t)
	arts[2].ID = arts[0].ID
	if err := lib.Replace(context.Background(), arts); err == nil || !strings.Contains(err.Error(), "IDs must be unique") {
		t.Errorf("duplicate IDs: %v", err)
	}
	out := func(yield func(*Article, error) bool) {
		arts := segmentArticles(t)
		for i := len(arts) - 1; i >= 0; i-- {
			if !yield(&arts[i], nil) {
				return
			}
		}
	}
	if err := lib.ReplaceFrom(context.Background(), out); err == nil || !strings.Contains(err.Error(), "ID order") {
		t.Errorf("articles out of order: %v", err)
	}
	boom := errors.New("store gone")
	failing := func(yield func(*Article, error) bool) {
		a := segmentArticles(t)[0]
		if yield(&a, nil) {
			yield(nil, boom)
		}
	}
	if err := lib.ReplaceFrom(context.Background(), failing); !errors.Is(err, boom) {
		t.Errorf("source error: %v", err)
	}
	if lib.Len() != 0 {
		t.Errorf("failed builds left %d articles", lib.Len())
	}
}

// A saved index serves the next library that opens it; a damaged, cut
// or foreign file is refused with ErrSegmentFormat and changes nothing.
func TestOpenIndex(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	lib, err := NewLibrary(Options{FreeDictDir: "-", IndexDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := lib.OpenIndex(ctx); ok || err != nil {
		t.Fatalf("OpenIndex with no saved index: %v, %v", ok, err)
	}
	want := segmentArticles(t)
	if err := lib.Replace(ctx, slices.Clone(want)); err != nil {
		t.Fatal(err)
	}
	q := "Wie zegt dat Rusland desinformatie verspreidt?"
	ans1, err := lib.Answer(ctx, q, AskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, IndexFile)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	lib2, err := NewLibrary(Options{FreeDictDir: "-", IndexDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := lib2.OpenIndex(ctx); !ok || err != nil {
		t.Fatalf("OpenIndex: %v, %v", ok, err)
	}
	if diff := cmp.Diff(want, lib2.Articles()); diff != "" {
		t.Errorf("articles from the saved index (-want +got):\n%s", diff)
	}
	ans2, err := lib2.Answer(ctx, q, AskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ans1, ans2); diff != "" {
		t.Errorf("answer from the saved index (-built +opened):\n%s", diff)
	}
	// the same articles again: nothing to rebuild
	if err := lib2.Replace(ctx, slices.Clone(want)); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(path); !slices.Equal(after, good) {
		t.Error("replacing with the same articles rewrote the index")
	}

	damage := map[string]func([]byte) []byte{
		"a flipped byte in the postings": func(b []byte) []byte { b[sectionOf(b, segPost).Off+3] ^= 0x40; return b },
		"a flipped byte in the terms":    func(b []byte) []byte { b[sectionOf(b, segTermBytes).Off] ^= 0x40; return b },
		"a flipped byte in the header":   func(b []byte) []byte { b[20] ^= 1; return b },
		"cut short":                      func(b []byte) []byte { return b[:len(b)-9] },
		"header only":                    func(b []byte) []byte { return b[:segHeaderSize] },
		"empty":                          func(b []byte) []byte { return nil },
		"another version": func(b []byte) []byte {
			var h segHeader
			copy(h.bytes(), b)
			h.Version++
			h.HdrCRC = h.hdrCRC()
			copy(b, h.bytes())
			return b
		},
	}
	// damage in the texts: the index opens and serves, the late check
	// finds it, and the next Replace rebuilds it whole even though the
	// articles are the same
	t.Run("a flipped byte in the texts", func(t *testing.T) {
		b := slices.Clone(good)
		sec := sectionOf(b, segRecords)
		b[sec.Off+sec.Len/2] ^= 0x40
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		lib3, err := NewLibrary(Options{FreeDictDir: "-", IndexDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := lib3.OpenIndex(ctx); !ok || err != nil {
			t.Fatalf("OpenIndex = %v, %v; want it served while the texts are checked", ok, err)
		}
		<-lib3.lateChecked
		if !lib3.damaged.Load() {
			t.Fatal("the late check missed the damage")
		}
		if err := lib3.Replace(ctx, slices.Clone(want)); err != nil {
			t.Fatal(err)
		}
		if after, _ := os.ReadFile(path); !slices.Equal(after, good) || lib3.damaged.Load() {
			t.Error("the damaged index was not rebuilt")
		}
		if diff := cmp.Diff(want, lib3.Articles()); diff != "" {
			t.Errorf("articles after the rebuild (-want +got):\n%s", diff)
		}
	})
	for name, f := range damage {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(path, f(slices.Clone(good)), 0o644); err != nil {
				t.Fatal(err)
			}
			lib3, err := NewLibrary(Options{FreeDictDir: "-", IndexDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := lib3.OpenIndex(ctx); ok || !errors.Is(err, ErrSegmentFormat) {
				t.Errorf("OpenIndex = %v, %v; want false and ErrSegmentFormat", ok, err)
			}
			if lib3.Len() != 0 {
				t.Errorf("a refused index left %d articles", lib3.Len())
			}
		})
	}
}

// Snapshots replaced while readers use them are unmapped only once
// unreachable: answers keep working through many rebuilds and collections.
func TestSegmentsOutliveReaders(t *testing.T) {
	lib, err := NewLibrary(Options{FreeDictDir: "-"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	arts := segmentArticles(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 30 {
			if err := lib.Replace(ctx, slices.Clone(arts)[:1+len(arts)%3]); err != nil {
				t.Error(err)
				return
			}
			arts = append(arts[1:], arts[0]) // another set each time
			slices.SortFunc(arts, func(a, b Article) int { return strings.Compare(string(a.ID), string(b.ID)) })
			arts[0].Hash += "x"
		}
	}()
	for {
		select {
		case <-done:
			return
		default:
		}
		if _, err := lib.Answer(ctx, "Wat verspreidt Rusland?", AskOptions{}); err != nil {
			t.Fatal(err)
		}
		lib.Articles()
		runtime.GC()
	}
}

// sectionOf reads section i's place from a segment file's header.
func sectionOf(b []byte, i int) segSection {
	var h segHeader
	copy(h.bytes(), b)
	return h.Sections[i]
}
