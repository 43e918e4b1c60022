package briefings

import (
	"context"
	"testing"
)

// An article's web address travels with everything that points at it, so
// adapters can link citations, search hits, digest and latest items.
func TestResultsCarryArticleURL(t *testing.T) {
	ctx := context.Background()
	const url = "https://example.org/nieuws/krebs"
	src := `{"id": "krebs", "title": "Krebs ontslagen", "date": "2020-11-18", "url": "` + url + `",
	"body": "De Amerikaanse president Donald Trump heeft Chris Krebs ontslagen. Krebs leidde de afdeling die de verkiezingen tegen hackers beschermde en nepnieuws over verkiezingsfraude weerlegde."}`
	arts, err := ParseFile("krebs.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	lib, err := NewLibrary(Options{FreeDictDir: "-"})
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Replace(ctx, arts); err != nil {
		t.Fatal(err)
	}
	ans, err := lib.Answer(ctx, "Wie heeft Krebs ontslagen?", AskOptions{MinConfidence: 0.0001})
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Citations) == 0 || ans.Citations[0].URL != url {
		t.Errorf("citations = %+v, want the article's URL", ans.Citations)
	}
	hits, err := lib.Search(ctx, "Krebs", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].URL != url {
		t.Errorf("search = %+v, want the article's URL", hits)
	}
	latest, err := lib.Latest(ctx, "", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(latest) == 0 || latest[0].URL != url {
		t.Errorf("latest = %+v, want the article's URL", latest)
	}
	d, err := lib.Digest(ctx, DigestRequest{Topic: "interference"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Items) == 0 || d.Items[0].URL != url {
		t.Errorf("digest = %+v, want the article's URL", d.Items)
	}
}
