package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/briefings"
)

// synthArticle makes article i: about 1.5 KB of body in 4 paragraphs (one a
// heading) and 10 sentences, dated by month, by day or not at all.
func synthArticle(i int) briefings.Article {
	a := briefings.Article{
		ID:        briefings.ArticleID(fmt.Sprintf("%06d_%016x", i, uint64(i)*0x9e3779b97f4a7c15)),
		Source:    fmt.Sprintf("%06d.txt", i),
		Title:     fmt.Sprintf("Bericht %d over desinformatie", i),
		URL:       fmt.Sprintf("https://example.org/nieuws/%d", i),
		Publisher: "Voorbeeldkrant",
		Hash:      fmt.Sprintf("%016x", uint64(i)*0xbf58476d1ce4e5b9),
	}
	switch i % 3 {
	case 0:
		a.Date = briefings.Date{Year: 2020 + i%5, Month: 1 + i%12}
	case 1:
		a.Date = briefings.Date{Year: 2020 + i%5, Month: 1 + i%12, Day: 1 + i%28}
	}
	a.Paragraphs = []briefings.Paragraph{{Text: "Tussenkop " + fmt.Sprint(i), Heading: true}}
	for p := 1; p <= 3; p++ {
		var sents []string
		for k := 0; k < 4 && len(a.Sentences) < 10; k++ {
			s := fmt.Sprintf("Zin %d van bericht %d meldt dat de Russische beïnvloeding van verkiezingen in Nederland en Europa volgens onderzoekers toeneemt, met %d nepaccounts op sociale media.", len(a.Sentences)+1, i, (i*7+k)%1000)
			sents = append(sents, s)
			a.Sentences = append(a.Sentences, briefings.Sentence{Text: s, Paragraph: p})
		}
		a.Paragraphs = append(a.Paragraphs, briefings.Paragraph{Text: strings.Join(sents, " ")})
	}
	return a
}

func synthArticles(from, n int) []briefings.Article {
	out := make([]briefings.Article, n)
	for i := range out {
		out[i] = synthArticle(from + i)
	}
	return out
}

// withAdded returns arts with Added set per ID.
func withAdded(arts []briefings.Article, added map[briefings.ArticleID]time.Time) []briefings.Article {
	out := make([]briefings.Article, len(arts))
	for i, a := range arts {
		a.Added = added[a.ID]
		out[i] = a
	}
	return out
}

func TestSyncArticles(t *testing.T) { forEachBackend(t, testSyncArticles) }

func testSyncArticles(t *testing.T, s backend) {
	ctx := t.Context()
	t0, t1, t2 := testTime, testTime.Add(time.Hour), testTime.Add(2*time.Hour)

	a, b, c, d := synthArticle(1), synthArticle(2), synthArticle(3), synthArticle(4)
	a.Added = t2 // ignored
	bChanged := b
	bChanged.Title = "Nieuwe kop"
	cChanged := c
	cChanged.Sentences = append([]briefings.Sentence(nil), c.Sentences...)
	cChanged.Sentences[3].Paragraph = 2
	undated := synthArticle(5)
	undated.Date = briefings.Date{}
	undated.Paragraphs, undated.Sentences = nil, []briefings.Sentence{}

	steps := []struct {
		name  string
		arts  []briefings.Article
		now   time.Time
		stats SyncStats
		added map[briefings.ArticleID]time.Time
	}{
		{"first load", []briefings.Article{c, a, b}, t0,
			SyncStats{Added: 3}, map[briefings.ArticleID]time.Time{a.ID: t0, b.ID: t0, c.ID: t0}},
		{"same again", []briefings.Article{a, b, c}, t1,
			SyncStats{Unchanged: 3}, map[briefings.ArticleID]time.Time{a.ID: t0, b.ID: t0, c.ID: t0}},
		{"metadata and sentence changes, one new, one gone", []briefings.Article{bChanged, cChanged, d}, t1,
			SyncStats{Added: 1, Updated: 2, Removed: 1}, map[briefings.ArticleID]time.Time{bChanged.ID: t0, cChanged.ID: t0, d.ID: t1}},
		{"undated article with nil paragraphs", []briefings.Article{bChanged, cChanged, d, undated}, t2,
			SyncStats{Added: 1, Unchanged: 3}, map[briefings.ArticleID]time.Time{bChanged.ID: t0, cChanged.ID: t0, d.ID: t1, undated.ID: t2}},
	}
	for _, st := range steps {
		stats, err := s.SyncArticles(ctx, "/data/articles", st.arts, st.now)
		if err != nil {
			t.Fatalf("%s: SyncArticles: %v", st.name, err)
		}
		if diff := cmp.Diff(stats, st.stats); diff != "" {
			t.Errorf("%s: stats (-got +want):\n%s", st.name, diff)
		}
		got, err := s.Articles(ctx, "/data/articles")
		if err != nil {
			t.Fatalf("%s: Articles: %v", st.name, err)
		}
		want := withAdded(sortedByID(st.arts), st.added)
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("%s: Articles (-got +want):\n%s", st.name, diff)
		}
	}

	// Collections are separate.
	if _, err := s.SyncArticles(ctx, "sample", []briefings.Article{a}, t2); err != nil {
		t.Fatal(err)
	}
	sample, err := s.Articles(ctx, "sample")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sample, withAdded([]briefings.Article{a}, map[briefings.ArticleID]time.Time{a.ID: t2})); diff != "" {
		t.Errorf("sample collection (-got +want):\n%s", diff)
	}

	// Everything, Added included, survives a restart.
	before, err := s.Articles(ctx, "/data/articles")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = s.testReopen(t)
	after, err := s.Articles(ctx, "/data/articles")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(after, before); diff != "" {
		t.Errorf("Articles after reopen (-got +want):\n%s", diff)
	}
	stats, err := s.SyncArticles(ctx, "/data/articles", []briefings.Article{bChanged, cChanged, d, undated}, t2.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(stats, SyncStats{Unchanged: 4}); diff != "" {
		t.Errorf("sync after reopen (-got +want):\n%s", diff)
	}

	// An empty list empties the collection.
	stats, err = s.SyncArticles(ctx, "/data/articles", nil, t2)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(stats, SyncStats{Removed: 4}); diff != "" {
		t.Errorf("sync to nothing (-got +want):\n%s", diff)
	}
	if got, err := s.Articles(ctx, "/data/articles"); err != nil || len(got) != 0 {
		t.Errorf("Articles after sync to nothing = %d articles, %v", len(got), err)
	}
}

func sortedByID(arts []briefings.Article) []briefings.Article {
	out := append([]briefings.Article(nil), arts...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].ID < out[j-1].ID; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// TestSyncArticlesFailureKeepsContent checks that a sync that fails, before
// or in the middle of its writes, leaves the stored articles as they were.
func TestSyncArticlesFailureKeepsContent(t *testing.T) {
	forEachBackend(t, testSyncArticlesFailureKeepsContent)
}

func testSyncArticlesFailureKeepsContent(t *testing.T, s backend) {
	ctx := t.Context()
	const coll = "/data/articles"
	orig := synthArticles(0, 300)
	if _, err := s.SyncArticles(ctx, coll, orig, testTime); err != nil {
		t.Fatal(err)
	}
	want, err := s.Articles(ctx, coll)
	if err != nil {
		t.Fatal(err)
	}

	// next changes 100 articles, drops 100 and adds 200, so a failure at
	// any point leaves writes to undo.
	next := synthArticles(100, 400)
	for i := range 100 {
		next[i].Title += " (bijgewerkt)"
	}

	cancelledCtx, cancel := context.WithCancel(ctx)
	cancel()
	dup := append(append([]briefings.Article(nil), next...), next[250])
	noID := append([]briefings.Article(nil), next...)
	noID[399].ID = ""

	tests := []struct {
		name         string
		preCancelled bool
		arts         []briefings.Article
		cancelAt     int // cancel ctx after this many rows were written; 0: never
		wantErr      []string
		is           error
	}{
		{"duplicate ID", false, dup, 0, []string{coll, "nothing was changed", string(next[250].ID), "appears twice"}, nil},
		{"empty ID", false, noID, 0, []string{"has no ID"}, nil},
		{"cancelled before", true, next, 0, []string{"nothing was changed"}, context.Canceled},
		{"cancelled after 1 row", false, next, 1, []string{"nothing was changed"}, context.Canceled},
		{"cancelled mid-way", false, next, 150, []string{"nothing was changed"}, context.Canceled},
		{"cancelled during deletes", false, next, 350, []string{"nothing was changed"}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			callCtx, cancel := context.WithCancel(ctx)
			defer cancel()
			if tt.preCancelled {
				callCtx = cancelledCtx
			}
			written := 0
			s.testSetSyncRowHook(func(n int) {
				written = n
				if n == tt.cancelAt {
					cancel()
				}
			})
			defer s.testSetSyncRowHook(nil)

			_, err := s.SyncArticles(callCtx, coll, tt.arts, testTime.Add(time.Hour))
			if err == nil {
				t.Fatal("SyncArticles succeeded")
			}
			t.Logf("error: %v", err)
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if tt.cancelAt > 0 && written < tt.cancelAt {
				t.Errorf("only %d rows were written before the failure, want at least %d", written, tt.cancelAt)
			}
			got, err := s.Articles(ctx, coll)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("articles after the failed sync (-got +want):\n%s", diff)
			}
		})
	}

	// And the store still works.
	stats, err := s.SyncArticles(ctx, coll, next, testTime.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(stats, SyncStats{Added: 200, Updated: 100, Removed: 100, Unchanged: 100}); diff != "" {
		t.Errorf("sync after failures (-got +want):\n%s", diff)
	}
}

func TestSyncArticlesBadInput(t *testing.T) { forEachBackend(t, testSyncArticlesBadInput) }

func testSyncArticlesBadInput(t *testing.T, s backend) {
	if _, err := s.SyncArticles(t.Context(), "", synthArticles(0, 1), testTime); err == nil {
		t.Error("SyncArticles with no collection succeeded")
	}
	if _, err := s.SyncArticles(t.Context(), "c", synthArticles(0, 1), time.Time{}); err == nil {
		t.Error("SyncArticles with a zero time succeeded")
	}
}

func TestArticlesHonoursContext(t *testing.T) { forEachBackend(t, testArticlesHonoursContext) }

func testArticlesHonoursContext(t *testing.T, s backend) {
	if _, err := s.SyncArticles(t.Context(), "c", synthArticles(0, 10), testTime); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Articles(ctx, "c"); !errors.Is(err, context.Canceled) {
		t.Errorf("Articles with a cancelled context = %v, want context.Canceled", err)
	}
}

// TestArticleBodyRoundTrip stores bodies whose sentences are not all plain
// substrings of their paragraphs and checks they come back exactly.
func TestArticleBodyRoundTrip(t *testing.T) { forEachBackend(t, testArticleBodyRoundTrip) }

func testArticleBodyRoundTrip(t *testing.T, s backend) {
	type (
		P = briefings.Paragraph
		S = briefings.Sentence
	)
	tests := []struct {
		name  string
		paras []P
		sents []S
	}{
		{"nil everything", nil, nil},
		{"empty, not nil", []P{}, []S{}},
		{"paragraphs without sentences", []P{{Text: "Kop", Heading: true}, {Text: "Tekst."}}, nil},
		{"plain", []P{{Text: "Een. Twee."}, {Text: "Drie."}},
			[]S{{Text: "Een.", Paragraph: 0}, {Text: "Twee.", Paragraph: 0}, {Text: "Drie.", Paragraph: 1}}},
		{"repeated sentence", []P{{Text: "Ja. Ja. Nee."}},
			[]S{{Text: "Ja.", Paragraph: 0}, {Text: "Ja.", Paragraph: 0}, {Text: "Nee.", Paragraph: 0}}},
		{"sentence normalised away from its paragraph", []P{{Text: "Een  twee."}},
			[]S{{Text: "Een twee.", Paragraph: 0}}},
		{"paragraph index out of range", []P{{Text: "Een."}},
			[]S{{Text: "Een.", Paragraph: 3}, {Text: "Twee.", Paragraph: -1}}},
		{"sentences but no paragraphs", nil, []S{{Text: "Los.", Paragraph: 0}}},
		{"empty texts", []P{{Text: ""}, {Text: ""}}, []S{{Text: "", Paragraph: 1}}},
		{"blank lines and unicode inside a paragraph", []P{{Text: "Één\n\nparagraaf — “citaat” \u00a0✓"}, {Text: "\n\n"}},
			[]S{{Text: "“citaat”", Paragraph: 0}, {Text: "\n", Paragraph: 1}, {Text: "Één", Paragraph: 0}}},
		{"out of order", []P{{Text: "A. B."}}, []S{{Text: "B.", Paragraph: 0}, {Text: "A.", Paragraph: 0}}},
	}
	ctx := t.Context()
	var arts []briefings.Article
	for i, tt := range tests {
		a := synthArticle(i)
		a.Title = tt.name
		a.Paragraphs, a.Sentences = tt.paras, tt.sents
		arts = append(arts, a)
	}
	if _, err := s.SyncArticles(ctx, "c", arts, testTime); err != nil {
		t.Fatal(err)
	}
	got, err := s.Articles(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(arts) {
		t.Fatalf("read %d articles, want %d", len(got), len(arts))
	}
	for i, tt := range tests {
		if diff := cmp.Diff(got[i].Paragraphs, tt.paras); diff != "" {
			t.Errorf("%s: paragraphs (-got +want):\n%s", tt.name, diff)
		}
		if diff := cmp.Diff(got[i].Sentences, tt.sents); diff != "" {
			t.Errorf("%s: sentences (-got +want):\n%s", tt.name, diff)
		}
		if got[i].Body() != arts[i].Body() {
			t.Errorf("%s: Body() = %q, want %q", tt.name, got[i].Body(), arts[i].Body())
		}
	}
}

// TestArticlesDamagedRow damages one stored article per case (each in a
// collection of its own): reading it fails with an error naming it.
func TestArticlesDamagedRow(t *testing.T) { forEachBackend(t, testArticlesDamagedRow) }

func testArticlesDamagedRow(t *testing.T, s backend) {
	damage := []struct{ name, set string }{
		{"paragraph past the body", `paragraphs = '[[99999,0]]'`},
		{"paragraphs short of the body", `paragraphs = '[[1,0]]'`},
		{"sentence past its paragraph", `sentences = '[[1,0,99999]]'`},
		{"missing sentence text", `sentences = '[[1,-1,0]]', sentence_texts = NULL`},
		{"not JSON", `sentences = 'nonsense'`},
	}
	for i, d := range damage {
		t.Run(d.name, func(t *testing.T) {
			coll := fmt.Sprint("c", i)
			a := synthArticle(7)
			if _, err := s.SyncArticles(t.Context(), coll, []briefings.Article{a}, testTime); err != nil {
				t.Fatal(err)
			}
			if err := s.testExec(t.Context(), `UPDATE articles SET `+d.set+` WHERE collection = ?`, coll); err != nil {
				t.Fatal(err)
			}
			_, err := s.Articles(t.Context(), coll)
			if err == nil || !strings.Contains(err.Error(), string(a.ID)) || !strings.Contains(err.Error(), "damaged") {
				t.Errorf("Articles of a damaged row = %v, want an error naming %s as damaged", err, a.ID)
			}
		})
	}
}

func TestParseIntRows(t *testing.T) {
	tests := []struct {
		in       string
		width    int
		want     []int
		wantNull bool
		wantErr  bool
	}{
		{in: "null", width: 2, wantNull: true},
		{in: " null\n", width: 2, wantNull: true},
		{in: "[]", width: 2, want: []int{}},
		{in: "[[1,0],[22,1]]", width: 2, want: []int{1, 0, 22, 1}},
		{in: " [ [ 1 , -1 , 3 ] ,\n[0,0,0] ] ", width: 3, want: []int{1, -1, 3, 0, 0, 0}},
		{in: "[[1,2]]", width: 3, wantErr: true},
		{in: "[[1,2,3]]", width: 2, wantErr: true},
		{in: "[[1,2],]", width: 2, wantErr: true},
		{in: "[[1,2]", width: 2, wantErr: true},
		{in: "[[1,2]] x", width: 2, wantErr: true},
		{in: "[[1.5,2]]", width: 2, wantErr: true},
		{in: "[[-,2]]", width: 2, wantErr: true},
		{in: "[[1234567890123456,2]]", width: 2, wantErr: true},
		{in: `[["1",2]]`, width: 2, wantErr: true},
		{in: "", width: 2, wantErr: true},
		{in: "nul", width: 2, wantErr: true},
	}
	for _, tt := range tests {
		got, isNull, err := parseIntRows([]byte(tt.in), tt.width)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseIntRows(%q, %d) error = %v, want error: %v", tt.in, tt.width, err, tt.wantErr)
			continue
		}
		if tt.wantErr {
			continue
		}
		if isNull != tt.wantNull {
			t.Errorf("parseIntRows(%q) null = %v, want %v", tt.in, isNull, tt.wantNull)
		}
		if !tt.wantNull {
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("parseIntRows(%q) (-got +want):\n%s", tt.in, diff)
			}
		}
	}
}
