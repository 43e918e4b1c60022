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

// TestSameStoryFromTwoFeeds: a story carried by two feeds is one article,
// the one stored first, naming the other feed in its digest item; a feed
// configured with a topic hints its articles into that topic.
func TestSameStoryFromTwoFeeds(t *testing.T) {
	st := newStore(t)
	lib := newLibrary(t)
	story := "<p>Honderden nepaccounts verspreidden in de week voor de verkiezingen valse berichten over stemmen per brief, meldt de AIVD in een brief aan de Tweede Kamer.</p>" +
		"<p>De accounts waren vooral actief op X en TikTok en deelden berichten die zeiden dat brieven uit het buitenland niet zouden worden geteld.</p>" +
		"<p>Volgens de dienst stond een Russisch netwerk achter de campagne, dat eerder ook in Duitsland en Frankrijk actief was.</p>"
	// weak evidence alone: an election mention without a threat
	local := rssItem{"nu-2", "Gemeente zoekt stembureauleden", "<p>De gemeente Utrecht zoekt nog honderd stembureauleden voor de verkiezingen in maart.</p>", "Mon, 02 Mar 2026 09:00:00 +0100"}
	nos := newFeedServer(t, rssDoc(rssItem{"nos-1", "AIVD: Russische nepaccounts rond verkiezingen", story, "Mon, 02 Mar 2026 08:00:00 +0100"}))
	nu := newFeedServer(t, rssDoc(local))
	ref := NewRefresher(st, lib, "/articles", testLogger(t), nil)
	ref.FeedTopics = map[string]string{"nu": "interference"}
	p, err := NewPoller(PollerOptions{Feeds: []Feed{{Name: "nos", URL: nos.URL, Interval: 2 * time.Second}, {Name: "nu", URL: nu.URL, Interval: 200 * time.Millisecond}},
		Store: st, Logger: testLogger(t), Changed: ref.Kick})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() { _ = ref.Run(ctx) }()
	go func() { _ = p.Run(ctx) }()
	waitFor(t, 10*time.Second, "both feeds' first items", func() bool { return lib.Len() == 2 })
	// later, the second feed carries the same story
	nu.set(rssDoc(rssItem{"nu-1", "Russische nepaccounts rond verkiezingen, zegt AIVD", story, "Mon, 02 Mar 2026 08:30:00 +0100"}, local), 0)
	waitFor(t, 10*time.Second, "the second feed's copy to be stored", func() bool {
		live, err := st.LiveArticles(t.Context())
		return err == nil && len(live) == 3
	})
	if err := ref.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := lib.Len(); n != 2 {
		t.Fatalf("library has %d articles, want 2 (the story once)", n)
	}
	d, err := lib.Digest(t.Context(), briefings.DigestRequest{Topic: "interference"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range d.Items {
		line := it.Title + " [" + it.Source + "]"
		for _, c := range it.AlsoIn {
			line += " also in " + c.Publisher + " " + c.URL
		}
		got = append(got, line)
	}
	want := []string{
		// the documents' links are relative to the channel's https://nos.nl
		"AIVD: Russische nepaccounts rond verkiezingen [feed nos: https://nos.nl/artikel/nos-1] also in nu https://nos.nl/artikel/nu-1",
		"Gemeente zoekt stembureauleden [feed nu: https://nos.nl/artikel/nu-2]",
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("digest (-got +want):\n%s", diff)
	}
}
