package briefings

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings/answer"
	"github.com/google/go-cmp/cmp"
)

var deltaWords = strings.Fields(`gemeente raad wethouder begroting haven dijk waterschap
	rechtbank verdachte politie ministerie kabinet premier verkiezing partij stembus
	fabriek boer stikstof school leraar ziekenhuis arts patiënt trein station spoor
	brug tunnel provincie natuur bos rivier zee storm regen droogte oogst markt prijs`)

// deltaArticle is article i of a small made-up corpus; gen changes its
// text (a changed article), and each has a word of its own ("uniek<i>x<gen>").
func deltaArticle(i, gen int) Article {
	r := rand.New(rand.NewPCG(uint64(i), uint64(gen)))
	var paras []string
	for p := range 2 + r.IntN(3) {
		var sents []string
		for s := range 2 + r.IntN(3) {
			var ws []string
			for range 6 + r.IntN(6) {
				ws = append(ws, deltaWords[r.IntN(len(deltaWords))])
			}
			if p == 0 && s == 0 {
				ws = append(ws, fmt.Sprintf("uniek%dx%d", i, gen))
			}
			ws[0] = strings.ToUpper(ws[0][:1]) + ws[0][1:]
			sents = append(sents, strings.Join(ws, " ")+".")
		}
		paras = append(paras, strings.Join(sents, " "))
	}
	text := fmt.Sprintf(" date 2024-%02d-%02d %s", 1+i%12, 1+i%28, strings.Join(paras, "\n\n"))
	arts, err := ParseFile(fmt.Sprintf("%04d_art.txt", i), []byte(text))
	if err != nil || len(arts) != 1 {
		panic(fmt.Sprint(err, len(arts)))
	}
	a := arts[0]
	a.Added = time.Date(2024, 6, 1, 0, 0, i, 0, time.UTC)
	return a
}

func deltaLibrary(t *testing.T, dir string) *Library {
	t.Helper()
	lib, err := NewLibrary(Options{FreeDictDir: "-", IndexDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	lib.deltaMin = 10
	return lib
}

// deltaArticles is articles 0..n-1 in their first version.
func deltaArticles(n int) []Article {
	set := make([]Article, 0, n)
	for i := range n {
		set = append(set, deltaArticle(i, 0))
	}
	return set
}

// searchIDs lists the articles Search finds for query, in order.
func searchIDs(t *testing.T, lib *Library, query string) []ArticleID {
	t.Helper()
	res, err := lib.Search(context.Background(), query, 100)
	if err != nil && err != ErrEmptyQuery {
		t.Fatal(err)
	}
	var out []ArticleID
	for _, r := range res {
		out = append(out, r.Article)
	}
	return out
}

// TestReplacePatchesWithDelta: a few changes to a large index go into a
// delta; the library then holds exactly the new set (Articles, Article,
// Len, Latest as a full rebuild gives them), finds what was added and
// changed and never what was removed, keeps doing so over further
// patches and a restart, and folds the delta in when it grows.
func TestReplacePatchesWithDelta(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	lib := deltaLibrary(t, dir)
	set := deltaArticles(60)
	if err := lib.Replace(ctx, slices.Clone(set)); err != nil {
		t.Fatal(err)
	}
	if lib.state.Load().delta != nil {
		t.Fatal("the first build made a delta")
	}

	// change 2, remove 3, add 4
	next := slices.Clone(set)
	next[5], next[17] = deltaArticle(5, 1), deltaArticle(17, 1)
	next = slices.Delete(next, 40, 43) // 40, 41, 42
	for i := 100; i < 104; i++ {
		next = append(next, deltaArticle(i, 0))
	}
	check := func(t *testing.T, lib *Library, want []Article) {
		t.Helper()
		slices.SortFunc(want, func(a, b Article) int { return strings.Compare(string(a.ID), string(b.ID)) })
		if diff := cmp.Diff(want, lib.Articles()); diff != "" {
			t.Errorf("articles (-want +got):\n%s", diff)
		}
		if lib.Len() != len(want) {
			t.Errorf("Len = %d, want %d", lib.Len(), len(want))
		}
		full := deltaLibrary(t, "")
		if err := full.Replace(ctx, slices.Clone(want)); err != nil {
			t.Fatal(err)
		}
		for _, topic := range []string{"", "interference"} {
			got, err1 := lib.Latest(ctx, topic, 0)
			exp, err2 := full.Latest(ctx, topic, 0)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if diff := cmp.Diff(exp, got); diff != "" {
				t.Errorf("Latest(%q) patched vs rebuilt (-rebuilt +patched):\n%s", topic, diff)
			}
		}
		d1, _ := lib.Digest(ctx, DigestRequest{Topic: "interference"})
		d2, _ := full.Digest(ctx, DigestRequest{Topic: "interference"})
		if diff := cmp.Diff(d2, d1); diff != "" {
			t.Errorf("digest patched vs rebuilt (-rebuilt +patched):\n%s", diff)
		}
		in := map[ArticleID]bool{}
		for _, a := range want {
			in[a.ID] = true
		}
		for i := range 110 {
			for gen := range 2 {
				a := deltaArticle(i, gen)
				got := searchIDs(t, lib, fmt.Sprintf("uniek%dx%d", i, gen))
				has := in[a.ID] && slices.ContainsFunc(want, func(w Article) bool { return w.ID == a.ID && w.Hash == a.Hash })
				if has != slices.Equal(got, []ArticleID{a.ID}) || (!has && len(got) > 0) {
					t.Errorf("search uniek%dx%d = %v; the article is in the set: %v", i, gen, got, has)
				}
			}
		}
		// broad queries find the same articles as a rebuild
		for _, q := range []string{"haven dijk", "rechtbank verdachte politie", "trein", "storm regen oogst"} {
			got, exp := searchIDs(t, lib, q), searchIDs(t, full, q)
			slices.Sort(got)
			slices.Sort(exp)
			if !slices.Equal(got, exp) {
				t.Errorf("search %q: patched finds %v, rebuilt %v", q, got, exp)
			}
		}
		for _, a := range set {
			_, ok := lib.Article(a.ID)
			if ok != in[a.ID] {
				t.Errorf("Article(%q) found %v, want %v", a.ID, ok, in[a.ID])
			}
		}
	}
	if err := lib.Replace(ctx, slices.Clone(next)); err != nil {
		t.Fatal(err)
	}
	if s := lib.state.Load(); s.delta == nil || s.delta.docs() != 6 || s.ix.ndead != 5 {
		t.Fatalf("patch: delta %v, dead %d; want 6 docs in a delta and 5 removed", s.delta != nil, s.ix.ndead)
	}
	check(t, lib, slices.Clone(next))

	// a second patch carries the delta's unchanged articles on
	next2 := slices.Clone(next)
	next2 = slices.DeleteFunc(next2, func(a Article) bool { return a.ID == deltaArticle(100, 0).ID })
	next2 = append(next2, deltaArticle(104, 0))
	for i := range next2 {
		if next2[i].ID == deltaArticle(101, 0).ID {
			next2[i] = deltaArticle(101, 1)
		}
	}
	if err := lib.Replace(ctx, slices.Clone(next2)); err != nil {
		t.Fatal(err)
	}
	if s := lib.state.Load(); s.delta == nil || s.delta.docs() != 6 {
		t.Fatalf("second patch: want a delta of 6 docs")
	}
	check(t, lib, slices.Clone(next2))
	a, err := lib.Answer(ctx, "Wat staat er over uniek104x0?", AskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Citations)+len(a.SeeAlso) == 0 || (a.Answered && a.Citations[0].Article != deltaArticle(104, 0).ID) {
		t.Errorf("answer about an article in the delta: %+v", a)
	}

	// a restart serves base and delta
	if _, err := os.Stat(filepath.Join(dir, DeltaFile)); err != nil {
		t.Fatalf("no saved delta: %v", err)
	}
	re := deltaLibrary(t, dir)
	if ok, err := re.OpenIndex(ctx); !ok || err != nil {
		t.Fatalf("OpenIndex: %v %v", ok, err)
	}
	check(t, re, slices.Clone(next2))
	if err := re.Replace(ctx, slices.Clone(next2)); err != nil {
		t.Fatal(err)
	}

	// many changes: a full rebuild, the delta gone
	var big []Article
	for i := range 60 {
		big = append(big, deltaArticle(i, 2))
	}
	if err := re.Replace(ctx, slices.Clone(big)); err != nil {
		t.Fatal(err)
	}
	if re.state.Load().delta != nil {
		t.Error("many changes kept a delta")
	}
	if _, err := os.Stat(filepath.Join(dir, DeltaFile)); !os.IsNotExist(err) {
		t.Errorf("the delta file outlived a full rebuild: %v", err)
	}
	check(t, re, slices.Clone(big))
}

// A delta that patched another base is left out at open.
func TestOpenIndexIgnoresForeignDelta(t *testing.T) {
	ctx := context.Background()
	dirA, dirB := t.TempDir(), t.TempDir()
	set := deltaArticles(30)
	for _, dir := range []string{dirA, dirB} {
		lib := deltaLibrary(t, dir)
		if err := lib.Replace(ctx, slices.Clone(set)); err != nil {
			t.Fatal(err)
		}
		set[0] = deltaArticle(0, 7) // the bases differ
	}
	lib := deltaLibrary(t, dirB)
	if _, err := lib.OpenIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if err := lib.Replace(ctx, append(slices.Clone(set), deltaArticle(99, 0))); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dirB, DeltaFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dirA, DeltaFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	a := deltaLibrary(t, dirA)
	if ok, err := a.OpenIndex(ctx); !ok || err != nil {
		t.Fatalf("OpenIndex: %v %v", ok, err)
	}
	if a.state.Load().delta != nil || a.Len() != 30 {
		t.Errorf("a foreign delta was applied: %d articles", a.Len())
	}
}

// With a delta and removed docs, pruned ranking still equals scoring
// every article, and never returns a removed one.
func TestTopArticlesWithDeltaIsExact(t *testing.T) {
	ctx := context.Background()
	lib := deltaLibrary(t, "")
	set := deltaArticles(1500)
	if err := lib.Replace(ctx, slices.Clone(set)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 40; i++ {
		set[i*7] = deltaArticle(i*7, 3)
	}
	set = slices.Delete(set, 300, 320)
	set = append(set, deltaArticle(2000, 0), deltaArticle(2001, 0))
	if err := lib.Replace(ctx, slices.Clone(set)); err != nil {
		t.Fatal(err)
	}
	s := lib.state.Load()
	if s.delta == nil || s.ix.ndead != 60 {
		t.Fatalf("want a delta and 60 removed docs, got %v and %d", s.delta != nil, s.ix.ndead)
	}
	ix := s.ix
	r := rand.New(rand.NewPCG(1, 2))
	pruned := 0
	for range 300 {
		var groups []answer.TermGroup
		for range 3 + r.IntN(3) {
			g := answer.TermGroup{Weight: 0.5 + r.Float64()}
			for range 1 + r.IntN(2) {
				g.Stems = append(g.Stems, lib.an.Stem(deltaWords[r.IntN(len(deltaWords))]))
			}
			if r.IntN(3) == 0 { // a rare word: the pruned path pays
				i := r.IntN(1500)
				g = answer.TermGroup{Weight: 2, Stems: []string{fmt.Sprintf("uniek%dx%d", i, 3*r.IntN(2))}}
			}
			ix.resolve(&g)
			groups = append(groups, g)
		}
		for _, k := range []int{1, 5, 12} {
			want := ix.topArticlesAll(groups, k, func(uint32) bool { return true })
			if _, ok := ix.topArticlesPruned(groups, k); ok {
				pruned++
			}
			got := ix.topArticles(groups, k, nil)
			if !cmp.Equal(want, got, cmp.AllowUnexported(docScore{})) {
				t.Fatalf("k=%d: pruned %v, all %v", k, got, want)
			}
			for _, d := range got {
				if ix.isDead(d.doc) {
					t.Fatalf("removed doc %d ranked", d.doc)
				}
			}
		}
	}
	if pruned < 50 {
		t.Errorf("the pruned path ran %d times of 900: the test does not reach it", pruned)
	}
}

// Replaces from several goroutines at once (full builds and patches)
// leave the saved index saying what the library serves.
func TestConcurrentReplacesSaveWhatServes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	lib := deltaLibrary(t, dir)
	base := deltaArticles(40)
	if err := lib.Replace(ctx, slices.Clone(base)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	for g := range 6 {
		go func() {
			set := slices.Clone(base)
			set[g] = deltaArticle(g, 1+g) // a patch
			if g%3 == 0 {
				for i := range set { // many changes: a full build
					set[i] = deltaArticle(i, 9+g)
				}
			}
			done <- lib.Replace(ctx, set)
		}()
	}
	for range 6 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	re := deltaLibrary(t, dir)
	if ok, err := re.OpenIndex(ctx); !ok || err != nil {
		t.Fatalf("OpenIndex: %v %v", ok, err)
	}
	if diff := cmp.Diff(lib.Articles(), re.Articles()); diff != "" {
		t.Errorf("saved index vs served (-served +saved):\n%s", diff)
	}
}
