package ingest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/briefings"
)

func newLibrary(t testing.TB) *briefings.Library {
	t.Helper()
	lib, err := briefings.NewLibrary(briefings.Options{FreeDictDir: "-"})
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

func article(t testing.TB, id, source, body string, added time.Time) briefings.Article {
	t.Helper()
	a, err := briefings.NewArticle(briefings.ArticleMeta{ID: briefings.ArticleID(id), Source: source}, []briefings.Paragraph{{Text: body}}, false)
	if err != nil {
		t.Fatal(err)
	}
	a.Added = added
	return a
}

// TestUnion: the same story from the directory and two feeds is one
// article, the one added first; a live article cannot take a directory
// article's ID.
func TestUnion(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	story := "Honderden nepaccounts verspreidden in de week voor de verkiezingen valse berichten over stemmen per brief, meldt de AIVD in een brief aan de Tweede Kamer. " +
		"De accounts waren vooral actief op X en TikTok en deelden berichten die zeiden dat brieven uit het buitenland niet zouden worden geteld. " +
		"Volgens de dienst stond een Russisch netwerk achter de campagne, dat eerder ook in Duitsland en Frankrijk actief was. " +
		"De minister noemt de bevindingen zorgelijk en wil met de platforms afspraken maken over het sneller verwijderen van zulke accounts."
	dir := []briefings.Article{
		article(t, "001", "001.txt", story, t0.Add(time.Hour)),
		article(t, "002", "002.txt", "Een ander bericht over de begroting van de gemeente Utrecht en de nieuwe fietspaden.", t0),
	}
	live := []briefings.Article{
		article(t, "live-a", "feed nos: a", story+" ", t0.Add(2*time.Hour)),
		article(t, "live-b", "feed nu: b", strings.Replace(story, "meldt de AIVD", "meldt de AIVD vandaag", 1), t0.Add(30*time.Minute)),
		article(t, "002", "api cms: 002", "Een bericht dat de ID van een directoryartikel claimt.", t0),
	}
	got, folded, err := Union(t.Context(), dir, live, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range got {
		ids = append(ids, string(a.ID))
	}
	if diff := cmp.Diff(ids, []string{"002", "live-b"}); diff != "" {
		t.Errorf("kept (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(folded["live-b"], []string{"001.txt", "feed nos: a"}); diff != "" {
		t.Errorf("folded into live-b (-got +want):\n%s", diff)
	}
}

// TestFeedArticleAnswerableWithinOnePoll: an item added to a feed is found
// by Search and answers a question once the next poll has run, with the
// poller, the refresher and the library wired as serve wires them.
func TestFeedArticleAnswerableWithinOnePoll(t *testing.T) {
	st := newStore(t)
	lib := newLibrary(t)
	fs := newFeedServer(t, rssDoc(itemStoring))
	ref := NewRefresher(st, lib, "/articles", testLogger(t), nil)
	const interval = 200 * time.Millisecond
	p, err := NewPoller(PollerOptions{Feeds: []Feed{{Name: "nos", URL: fs.URL, Interval: interval}}, Store: st, Logger: testLogger(t), Changed: ref.Kick})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() { _ = ref.Run(ctx) }()
	go func() { _ = p.Run(ctx) }()
	waitFor(t, 10*time.Second, "the first item in the library", func() bool { return lib.Len() == 1 })

	news := rssItem{"nos-3", "Kiesraad: stemmen per brief blijft mogelijk",
		"<p>De Kiesraad zegt dat stemmen per brief voor kiezers in het buitenland gewoon mogelijk blijft. Berichten over een verbod kloppen niet.</p><p>Volgens voorzitter Kummeling gaat het om desinformatie.</p>",
		"Mon, 02 Mar 2026 10:00:00 +0100"}
	fs.set(rssDoc(news, itemStoring), 0)
	published := time.Now()
	waitFor(t, 10*time.Second, "the new item to be searchable", func() bool {
		res, err := lib.Search(t.Context(), "Kummeling stemmen per brief", 3)
		return err == nil && len(res) > 0 && strings.Contains(res[0].Title, "Kiesraad")
	})
	took := time.Since(published)
	t.Logf("searchable %v after the feed changed (poll interval %v)", took, interval)
	if limit := interval*11/10 + 2*time.Second; took > limit {
		t.Errorf("searchable only after %v, more than one poll interval (%v) and indexing", took, interval)
	}
	ans, err := lib.Answer(t.Context(), "Wie is voorzitter van de Kiesraad?", briefings.AskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Answered || !strings.Contains(ans.Text, "Kummeling") {
		t.Errorf("answer: %+v; want Kummeling from the new item", ans)
	}
	if arts := lib.Articles(); len(arts) != 2 {
		t.Errorf("library has %d articles, want 2", len(arts))
	}
}
