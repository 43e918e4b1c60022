package briefings_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/briefings"
)

// digestArticle parses a Markdown article the way the loader does.
func digestArticle(t testing.TB, id, title, date, source string, added time.Time, paras ...string) *briefings.Article {
	t.Helper()
	md := fmt.Sprintf("---\ntitle: %q\ndate: %q\nsource: %s\n---\n\n%s\n", title, date, source, strings.Join(paras, "\n\n"))
	arts, err := briefings.ParseFile(id+".md", []byte(md))
	if err != nil {
		t.Fatalf("parse %s: %v", id, err)
	}
	a := arts[0]
	a.Added = added
	return &a
}

func digestIDs(d briefings.Digest) []briefings.ArticleID {
	var ids []briefings.ArticleID
	for _, it := range d.Items {
		ids = append(ids, it.Article)
	}
	return ids
}

const (
	digestBody1 = "Russische hackers hebben geprobeerd de verkiezingen in Moldavië te beïnvloeden. Dat meldt de Kiesraad van het land."
	digestBody2 = "Iran verspreidde desinformatie onder kiezers via nepaccounts in aanloop naar de verkiezingen. De inlichtingendiensten waarschuwen."
	digestOff   = "Ajax won zondag de wedstrijd tegen PSV met 2-1 in de eredivisie."
)

func digestTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestBuildDigestPeriod: partial dates overlap, undated articles by Added.
func TestBuildDigestPeriod(t *testing.T) {
	added := digestTime(t, "2026-11-10T12:00:00Z")
	arts := []*briefings.Article{
		digestArticle(t, "month-oct", "Hackers en verkiezingen in oktober", "2026-10", "NOS", time.Time{}, digestBody1),
		digestArticle(t, "day-oct31", "Desinformatie voor verkiezingen", "2026-10-31", "NOS", time.Time{}, digestBody2),
		digestArticle(t, "day-nov02", "Hackers bedreigen verkiezingen", "2026-11-02", "NU.nl", time.Time{}, digestBody1),
		digestArticle(t, "undated-added", "Nepaccounts en verkiezingen", "", "NOS", added, digestBody2),
		digestArticle(t, "undated-never", "Trollen en verkiezingen", "", "NOS", time.Time{}, digestBody1),
		digestArticle(t, "off-topic", "Ajax wint", "2026-11-01", "NOS", time.Time{}, digestOff),
	}
	c := topicClassifier(t, briefings.BuiltinTopics())
	ams, _ := time.LoadLocation("Europe/Amsterdam")
	tests := []struct {
		name         string
		since, until string
		loc          *time.Location
		want         []string
	}{
		{"month overlaps a period in its last day", "2026-10-31T00:00:00Z", "2026-10-31T23:00:00Z", time.UTC, []string{"day-oct31", "month-oct"}},
		{"month ends before the period", "2026-11-01T00:00:00Z", "2026-11-05T00:00:00Z", time.UTC, []string{"day-nov02"}},
		{"dates read in the location", "2026-10-31T23:30:00Z", "2026-11-01T05:00:00Z", ams, []string{}},
		{"same instant in UTC sees 31 Oct", "2026-10-31T23:30:00Z", "2026-11-01T05:00:00Z", time.UTC, []string{"day-oct31", "month-oct"}},
		{"undated included when added after Since", "2026-11-09T00:00:00Z", "2026-11-11T00:00:00Z", time.UTC, []string{"undated-added"}},
		{"undated excluded when added after Until", "2026-11-01T00:00:00Z", "2026-11-05T00:00:00Z", time.UTC, []string{"day-nov02"}},
		{"open start includes everything up to Until", "", "2026-11-03T00:00:00Z", time.UTC, []string{"day-nov02", "day-oct31", "month-oct", "undated-never"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := briefings.DigestRequest{Topic: "interference"}
			if tt.since != "" {
				req.Since = digestTime(t, tt.since)
			}
			req.Until = digestTime(t, tt.until)
			d, err := briefings.BuildDigest(arts, c, req, tt.loc)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{} // items and the duplicates folded into them
			for _, it := range d.Items {
				got[string(it.Article)] = true
				for _, id := range it.Related {
					got[string(id)] = true
				}
			}
			want := map[string]bool{}
			for _, id := range tt.want {
				want[id] = true
			}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("articles in period (-got +want):\n%s", diff)
			}
		})
	}
}

// TestBuildDigestRankingAndFolding: relevance × recency ranks; the same story
// from two outlets becomes one item.
func TestBuildDigestRankingAndFolding(t *testing.T) {
	until := digestTime(t, "2026-11-20T07:00:00Z")
	arts := []*briefings.Article{
		// the same story, two outlets
		digestArticle(t, "nos-moldavie", "Russische hackers proberen verkiezingen Moldavië te beïnvloeden", "2026-11-19", "NOS", time.Time{},
			digestBody1, "De verkiezingen zijn volgende week."),
		digestArticle(t, "nu-moldavie", "Russische hackers probeerden verkiezingen in Moldavië te beïnvloeden", "2026-11-19", "NU.nl", time.Time{},
			"Russische hackers hebben geprobeerd de verkiezingen in Moldavië te beïnvloeden, meldt de Kiesraad.", "Moldavië kiest volgende week."),
		// as relevant but two weeks older: recency decays it
		digestArticle(t, "old-iran", "Iran verspreidt desinformatie over verkiezingen via nepaccounts", "2026-11-06", "Trouw", time.Time{}, digestBody2),
		// recent but weaker evidence
		digestArticle(t, "weak", "Kiesraad test uitslagensoftware", "2026-11-18", "NOS", time.Time{},
			"De Kiesraad laat de uitslagensoftware voor de verkiezingen testen op manipulatie."),
		digestArticle(t, "sport", "Ajax wint", "2026-11-19", "NOS", time.Time{}, digestOff),
	}
	c := topicClassifier(t, briefings.BuiltinTopics())
	d, err := briefings.BuildDigest(arts, c, briefings.DigestRequest{Topic: "interference", Since: until.AddDate(0, 0, -30), Until: until}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range d.Items {
		t.Logf("%-14s score=%.3f related=%v matched=%v summary=%q", it.Article, it.Score, it.Related, it.Matched, it.Summary)
	}
	if diff := cmp.Diff(digestIDs(d), []briefings.ArticleID{"nos-moldavie", "weak", "old-iran"}); diff != "" {
		t.Errorf("ranking (-got +want):\n%s", diff)
	}
	if len(d.Items) > 0 {
		if diff := cmp.Diff(d.Items[0].Related, []briefings.ArticleID{"nu-moldavie"}); diff != "" {
			t.Errorf("folded duplicates (-got +want):\n%s", diff)
		}
	}
	for i := 1; i < len(d.Items); i++ {
		if d.Items[i].Score > d.Items[i-1].Score {
			t.Errorf("item %d scores %.3f above item %d (%.3f): not sorted best first", i, d.Items[i].Score, i-1, d.Items[i-1].Score)
		}
	}

	// Limit counts items, not folded duplicates.
	d, err = briefings.BuildDigest(arts, c, briefings.DigestRequest{Topic: "interference", Until: until, Limit: 1}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Items) != 1 || len(d.Items[0].Related) != 1 {
		t.Errorf("Limit 1: got %d items (%v), want 1 item with its duplicate folded", len(d.Items), d.Items)
	}
}

// TestBuildDigestItem: the item's fields and its one-sentence summary.
func TestBuildDigestItem(t *testing.T) {
	long := "Volgens de onderzoekers hebben " + strings.Repeat("zeer ", 70) + "veel hackers geprobeerd de verkiezingen te beïnvloeden."
	arts := []*briefings.Article{
		digestArticle(t, "a1", "Kiesraad waarschuwt", "2026-11-19", "NOS", time.Time{},
			"Het was een rustige dag in Den Haag.",
			"Beïnvloeding",
			"Buitenlandse hackers proberen de verkiezingen te beïnvloeden met desinformatie. Dat zegt de Kiesraad."),
		digestArticle(t, "a2", "Hackers bedreigen verkiezingen", "2026-11-19", "NOS", time.Time{}, long),
	}
	c := topicClassifier(t, briefings.BuiltinTopics())
	d, err := briefings.BuildDigest(arts, c, briefings.DigestRequest{Topic: "Interference"}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	got := map[briefings.ArticleID]briefings.DigestItem{}
	for _, it := range d.Items {
		got[it.Article] = it
	}
	a1 := got["a1"]
	if want := "Buitenlandse hackers proberen de verkiezingen te beïnvloeden met desinformatie."; a1.Summary != want {
		t.Errorf("a1 summary = %q, want the most relevant sentence %q (not the heading, not the first sentence)", a1.Summary, want)
	}
	if a1.Title != "Kiesraad waarschuwt" || a1.Source != "a1.md" || a1.Date.String() != "2026-11-19" || d.Topic != "interference" {
		t.Errorf("a1 item = %+v in digest of %q: fields not taken from the article", a1, d.Topic)
	}
	s := got["a2"].Summary
	if len(s) > briefings.SummaryMaxLen || !strings.HasSuffix(s, "zeer…") {
		t.Errorf("a2 summary is %d bytes, ends %q: want ≤ %d bytes cut after a word", len(s), s[max(0, len(s)-12):], briefings.SummaryMaxLen)
	}
}

func TestBuildDigestErrors(t *testing.T) {
	c := topicClassifier(t, briefings.BuiltinTopics())
	now := digestTime(t, "2026-11-20T07:00:00Z")
	tests := []struct {
		name string
		req  briefings.DigestRequest
		want string
	}{
		{"unknown topic", briefings.DigestRequest{Topic: "sport"}, `unknown topic "sport": known topics are interference`},
		{"reversed period", briefings.DigestRequest{Topic: "interference", Since: now, Until: now.Add(-time.Hour)}, "ends"},
		{"negative limit", briefings.DigestRequest{Topic: "interference", Limit: -1}, "negative"},
	}
	for _, tt := range tests {
		_, err := briefings.BuildDigest(nil, c, tt.req, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

// TestBuildDigestEmptyPeriod: a period without stories gives an empty
// digest, not an error; the bot turns it into a "nothing new" notice.
func TestBuildDigestEmptyPeriod(t *testing.T) {
	arts := []*briefings.Article{digestArticle(t, "x", "Hackers bedreigen verkiezingen", "2026-11-02", "NOS", time.Time{}, digestBody1)}
	c := topicClassifier(t, briefings.BuiltinTopics())
	req := briefings.DigestRequest{Topic: "interference", Since: digestTime(t, "2026-11-10T00:00:00Z"), Until: digestTime(t, "2026-11-11T00:00:00Z")}
	d, err := briefings.BuildDigest(arts, c, req, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Items) != 0 || !d.Since.Equal(req.Since) || !d.Until.Equal(req.Until) {
		t.Errorf("digest = %+v, want no items and the requested period", d)
	}
}

func TestLatestItems(t *testing.T) {
	a1 := digestTime(t, "2026-11-01T00:00:00Z")
	arts := []*briefings.Article{
		digestArticle(t, "oct", "Hackers en verkiezingen", "2026-10", "NOS", time.Time{}, digestBody1),
		digestArticle(t, "oct15", "Hackers en verkiezingen 2", "2026-10-15", "NOS", time.Time{}, digestBody2),
		digestArticle(t, "nov", "Hackers en verkiezingen 3", "2026-11-02", "NOS", time.Time{}, digestBody1),
		digestArticle(t, "undated-old", "Nepaccounts en verkiezingen", "", "NOS", a1, digestBody2),
		digestArticle(t, "undated-new", "Trollen en verkiezingen", "", "NOS", a1.Add(time.Hour), digestBody1),
		digestArticle(t, "sport", "Ajax wint", "2026-11-05", "NOS", time.Time{}, digestOff),
	}
	c := topicClassifier(t, briefings.BuiltinTopics())
	tests := []struct {
		topic string
		limit int
		want  []briefings.ArticleID
	}{
		{"interference", 0, []briefings.ArticleID{"nov", "oct15", "oct", "undated-new", "undated-old"}},
		{"", 2, []briefings.ArticleID{"sport", "nov"}},
		{"", 0, []briefings.ArticleID{"sport", "nov", "oct15", "oct", "undated-new", "undated-old"}},
	}
	for _, tt := range tests {
		items, err := briefings.LatestItems(arts, c, tt.topic, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		var got []briefings.ArticleID
		for _, it := range items {
			got = append(got, it.Article)
			if tt.topic != "" && len(it.Matched) == 0 {
				t.Errorf("%s: no Matched terms for a topic item", it.Article)
			}
		}
		if diff := cmp.Diff(got, tt.want); diff != "" {
			t.Errorf("LatestItems(%q, %d) (-got +want):\n%s", tt.topic, tt.limit, diff)
		}
	}
	if _, err := briefings.LatestItems(arts, c, "sport", 0); err == nil || !strings.Contains(err.Error(), "known topics are interference") {
		t.Errorf("unknown topic: error = %v, want one naming the known topics", err)
	}
}

// BenchmarkBuildDigest: a digest over 10,800 articles (300 copies of the
// labelled set under distinct IDs, dated over a year), evidence cached after
// the first run as in a long-running library.
func BenchmarkBuildDigest(b *testing.B) {
	base := topicLoadDir(b, os.DirFS("testdata/topics"))
	var arts []*briefings.Article
	for i := range 300 {
		for _, a := range base {
			c := *a
			c.ID = briefings.ArticleID(fmt.Sprintf("%s-%d", a.ID, i))
			c.Hash = fmt.Sprintf("%s-%d", a.Hash, i)
			c.Date = briefings.Date{Year: 2026, Month: 1 + i%12, Day: 1 + i%28}
			arts = append(arts, &c)
		}
	}
	c := topicClassifier(b, briefings.BuiltinTopics())
	req := briefings.DigestRequest{Topic: "interference", Limit: 10}
	for b.Loop() {
		if _, err := briefings.BuildDigest(arts, c, req, time.UTC); err != nil {
			b.Fatal(err)
		}
	}
}

// Consecutive scheduled digests never repeat an item: a month-dated article
// overlaps every daily period of its month, but it is posted only in the
// first digest after the library received it.
func TestBuildDigestReceivedAfter(t *testing.T) {
	c := topicClassifier(t, briefings.BuiltinTopics())
	received := digestTime(t, "2026-11-10T09:00:00Z")
	arts := []*briefings.Article{
		digestArticle(t, "month", "Hackers en verkiezingen deze maand", "2026-11", "NOS", received, digestBody1),
		digestArticle(t, "never-stored", "Desinformatie voor verkiezingen", "2026-11", "NOS", time.Time{}, digestBody2),
	}
	day := func(s string) time.Time { return digestTime(t, s+"T07:00:00Z") }
	tests := []struct {
		since, until string
		want         []briefings.ArticleID
	}{
		{"2026-11-10", "2026-11-11", []briefings.ArticleID{"month", "never-stored"}},
		{"2026-11-11", "2026-11-12", []briefings.ArticleID{"never-stored"}}, // month was received before this period
	}
	for _, tt := range tests {
		d, err := briefings.BuildDigest(arts, c, briefings.DigestRequest{Topic: "interference", Since: day(tt.since),
			Until: day(tt.until), ReceivedAfter: day(tt.since)}, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		got := digestIDs(d)
		slices.Sort(got)
		if diff := cmp.Diff(got, tt.want); diff != "" {
			t.Errorf("%s..%s (-got +want):\n%s", tt.since, tt.until, diff)
		}
	}
}

// TestDigestAlsoIn: the same story from several outlets is one item that
// names the others: the near-identical copies FoldNearDuplicates folded
// into the article added first, then the paraphrases the digest folded,
// each with its own copies.
func TestDigestAlsoIn(t *testing.T) {
	t0 := digestTime(t, "2026-11-19T08:00:00Z")
	long := []string{digestBody1, "De verkiezingen zijn volgende week en de Kiesraad zegt dat de uitslag niet in gevaar is.",
		"Volgens de veiligheidsdienst van Moldavië gebruikten de hackers gestolen wachtwoorden van ambtenaren."}
	nos := digestArticle(t, "nos", "Russische hackers proberen verkiezingen Moldavië te beïnvloeden", "2026-11-19", "NOS", t0, long...)
	nos.URL = "https://nos.nl/artikel/1"
	anp := digestArticle(t, "anp", "Russische hackers proberen verkiezingen Moldavië te beïnvloeden", "2026-11-19", "ANP", t0.Add(time.Hour), long...)
	anp.URL = "https://anp.nl/1"
	nu := digestArticle(t, "nu", "Russische hackers probeerden verkiezingen in Moldavië te beïnvloeden", "2026-11-19", "NU.nl", t0.Add(2*time.Hour),
		"Russische hackers hebben geprobeerd de verkiezingen in Moldavië te beïnvloeden, meldt de Kiesraad.", "Moldavië kiest volgende week.")
	nuCopy := digestArticle(t, "nu-copy", "Russische hackers probeerden verkiezingen in Moldavië te beïnvloeden", "2026-11-19", "NU.nl regio", t0.Add(3*time.Hour),
		"Russische hackers hebben geprobeerd de verkiezingen in Moldavië te beïnvloeden, meldt de Kiesraad.", "Moldavië kiest volgende week.")
	other := digestArticle(t, "iran", "Iran verspreidt desinformatie over verkiezingen via nepaccounts", "2026-11-19", "Trouw", t0, digestBody2)

	kept, folded, err := briefings.FoldNearDuplicates(t.Context(), []briefings.Article{*nos, *anp, *other, *nu, *nuCopy}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []briefings.ArticleID
	for _, a := range kept {
		ids = append(ids, a.ID)
	}
	if diff := cmp.Diff(ids, []briefings.ArticleID{"nos", "iran", "nu"}); diff != "" {
		t.Fatalf("kept (-got +want):\n%s\nfolded: %v", diff, folded)
	}
	if diff := cmp.Diff(kept[0].AlsoIn, []briefings.Copy{{ID: "anp", Source: "anp.md", Publisher: "ANP", Title: anp.Title, Date: anp.Date, URL: "https://anp.nl/1"}}); diff != "" {
		t.Errorf("nos also in (-got +want):\n%s", diff)
	}
	if len(kept[1].AlsoIn) != 0 || len(kept[2].AlsoIn) != 1 || kept[2].AlsoIn[0].ID != "nu-copy" {
		t.Errorf("also in: iran %v, nu %v; want none and nu-copy", kept[1].AlsoIn, kept[2].AlsoIn)
	}
	// the input is left alone
	if len(nos.AlsoIn) != 0 || len(nu.AlsoIn) != 0 {
		t.Errorf("FoldNearDuplicates changed its input: %v %v", nos.AlsoIn, nu.AlsoIn)
	}

	ptrs := []*briefings.Article{&kept[0], &kept[1], &kept[2]}
	c := topicClassifier(t, briefings.BuiltinTopics())
	d, err := briefings.BuildDigest(ptrs, c, briefings.DigestRequest{Topic: "interference", Until: t0.Add(24 * time.Hour)}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	var story *briefings.DigestItem
	for i := range d.Items {
		if d.Items[i].Article == "nos" || d.Items[i].Article == "nu" {
			if story != nil {
				t.Fatalf("the story is two items: %v", digestIDs(d))
			}
			story = &d.Items[i]
		}
	}
	if story == nil {
		t.Fatalf("the story is not in the digest: %v", digestIDs(d))
	}
	var also []briefings.ArticleID
	for _, cp := range story.AlsoIn {
		also = append(also, cp.ID)
	}
	want := []briefings.ArticleID{"anp", "nu", "nu-copy"}
	if story.Article == "nu" {
		want = []briefings.ArticleID{"nu-copy", "nos", "anp"}
	}
	if diff := cmp.Diff(also, want); diff != "" {
		t.Errorf("item %s also in (-got +want):\n%s", story.Article, diff)
	}
}
