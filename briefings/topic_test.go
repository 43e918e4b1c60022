package briefings_test

import (
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/analysis"

	"github.com/google/go-cmp/cmp"
)

// topicLoadDir parses every article file of fsys's root with the project's
// parser.
func topicLoadDir(t testing.TB, fsys fs.FS) []*briefings.Article {
	t.Helper()
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	var out []*briefings.Article
	for _, e := range entries {
		data, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		arts, err := briefings.ParseFile(e.Name(), data)
		if err != nil {
			t.Fatalf("parse %s: %v", e.Name(), err)
		}
		for i := range arts {
			out = append(out, &arts[i])
		}
	}
	return out
}

func topicClassifier(t testing.TB, topics []briefings.Topic) *briefings.Classifier {
	t.Helper()
	c, err := briefings.NewClassifier(topics, analysis.NewBuiltin())
	if err != nil {
		t.Fatalf("NewClassifier: %v", err)
	}
	return c
}

// TestInterferenceLabelledSet checks the built-in topic against the labelled
// articles under testdata/topics: files named pos_* are interference, neg_*
// are not (sport, weather, housing, economy, royal news and tricky cases).
func TestInterferenceLabelledSet(t *testing.T) {
	arts := topicLoadDir(t, os.DirFS("testdata/topics"))
	if len(arts) < 30 {
		t.Fatalf("only %d labelled articles, want at least 30", len(arts))
	}
	c := topicClassifier(t, briefings.BuiltinTopics())
	var tp, fp, fn int
	for _, a := range arts {
		want := strings.HasPrefix(path.Base(a.Source), "pos_")
		m, got := c.Match("interference", a)
		t.Logf("%-45s want=%-5v got=%-5v score=%6.2f matched=%v", a.ID, want, got, m.Score, m.Matched)
		switch {
		case got && want:
			tp++
		case got && !want:
			fp++
			t.Errorf("%s (%q) classified as interference (score %.2f, matched %v), but it is not", a.ID, a.Title, m.Score, m.Matched)
		case !got && want:
			fn++
		}
	}
	precision := float64(tp) / float64(tp+fp)
	recall := float64(tp) / float64(tp+fn)
	t.Logf("interference on %d articles: precision %.3f, recall %.3f (tp %d, fp %d, fn %d)", len(arts), precision, recall, tp, fp, fn)
	if precision < 1 {
		t.Errorf("precision %.3f, want 1.0", precision)
	}
	if recall < 0.9 {
		t.Errorf("recall %.3f, want at least 0.9", recall)
	}
}

// TestSampleArticlesAreInterference: the five real sample articles are all
// about interference, and the match says why.
func TestSampleArticlesAreInterference(t *testing.T) {
	arts := topicLoadDir(t, briefings.SampleFS())
	if len(arts) != 5 {
		t.Fatalf("got %d sample articles, want 5", len(arts))
	}
	// each sample must be explained by these terms (among others)
	wantTerms := map[briefings.ArticleID][]string{
		"000_84c18d6e44010aaa": {"beïnvloeding", "verkiezing", "inmenging", "Rusland", "Iran"},
		"001_3a4517b0ca95c208": {"hack", "verkiezing", "beïnvloeding", "Rusland"},
		"002_e5491d042b67adbc": {"hack", "verkiezing", "beïnvloeding", "gemengd"},
		"003_b80da3bb4248e633": {"beïnvloeding", "verkiezing", "stemproces", "Kiesraad", "hack"},
		"004_496c433a0061d38d": {"verkiezingsfraude", "verkiezing", "inmenging", "hack"},
	}
	c := topicClassifier(t, briefings.BuiltinTopics())
	for _, a := range arts {
		got := c.Classify(a)
		m, ok := got["interference"]
		if !ok {
			t.Errorf("%s is not classified as interference: %+v", a.ID, got)
			continue
		}
		t.Logf("%s score=%.2f matched=%v", a.ID, m.Score, m.Matched)
		var missing []string
		for _, w := range wantTerms[a.ID] {
			if !slices.Contains(m.Matched, w) {
				missing = append(missing, w)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s: Matched %v lacks %v", a.ID, m.Matched, missing)
		}
	}
}

func TestNewClassifierRejectsBadTopics(t *testing.T) {
	tests := []struct {
		name   string
		topics []briefings.Topic
		want   string // part of the error
	}{
		{"no name", []briefings.Topic{{Terms: []string{"a"}}}, "topic 1 has no name"},
		{"space in name", []briefings.Topic{{Name: "two words", Terms: []string{"a"}}}, `contains a space`},
		{"duplicate", []briefings.Topic{{Name: "x", Terms: []string{"hack"}}, {Name: "X", Terms: []string{"fraude"}}}, `topic "X" is defined twice`},
		{"no terms", []briefings.Topic{{Name: "x"}}, `topic "x" has no terms`},
		{"unknown class", []briefings.Topic{{Name: "x", Terms: []string{"bogus:a"}}}, `unknown class "bogus"`},
		{"wildcard phrase", []briefings.Topic{{Name: "x", Terms: []string{"foo* bar"}}}, `wildcards are not allowed in phrases`},
		{"inner wildcard", []briefings.Topic{{Name: "x", Terms: []string{"fo*o"}}}, `may only start or end`},
		{"bad factor", []briefings.Topic{{Name: "x", Terms: []string{"foo^-1"}}}, `not a positive number`},
		{"no letters", []briefings.Topic{{Name: "x", Terms: []string{"**"}}}, `no letters or digits`},
		{"stop word", []briefings.Topic{{Name: "x", Terms: []string{"de"}}}, `stop word`},
		{"class on exclusion", []briefings.Topic{{Name: "x", Terms: []string{"hack"}, Exclude: []string{"core:voetbal"}}}, `exclusions take no class`},
		{"negative min score", []briefings.Topic{{Name: "x", Terms: []string{"a"}, MinScore: -1}}, `min_score`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := briefings.NewClassifier(tt.topics, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewClassifier error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestTermSyntax: every pattern kind matches what its documentation says.
func TestTermSyntax(t *testing.T) {
	topic := briefings.Topic{
		Name: "t",
		Terms: []string{
			"verkiezingen",           // stem: verkiezing, verkiezingen
			"hack*",                  // prefix
			"*fabriek",               // suffix
			"*trollen*",              // infix
			"buitenlandse inmenging", // phrase
		},
		MinScore: 0.1,
	}
	c := topicClassifier(t, []briefings.Topic{topic})
	tests := []struct {
		text string
		want []string
	}{
		{"De verkiezing was eerlijk.", []string{"verkiezingen"}},
		{"Verkiezingen in Nederland.", []string{"verkiezingen"}},
		{"Presidentsverkiezingen in de VS.", nil}, // a stem term is no infix
		{"Hackers en hackeraanvallen.", []string{"hack"}},
		{"De chocoladefabriek draait.", []string{"fabriek"}},
		{"Het trollenleger van een trollenfabriek.", []string{"trollen", "fabriek"}},
		{"Buitenlandse inmenging is verboden.", []string{"buitenlandse inmenging"}},
		{"Inmenging uit het buitenland.", nil},
	}
	for _, tt := range tests {
		a := &briefings.Article{Paragraphs: []briefings.Paragraph{{Text: tt.text}}}
		m, _ := c.Match("t", a)
		if diff := cmp.Diff(m.Matched, tt.want); diff != "" {
			t.Errorf("Match(%q) matched (-got +want):\n%s", tt.text, diff)
		}
	}
}

// TestScoringRules: class requirements, strong terms, exclusions, position.
func TestScoringRules(t *testing.T) {
	topic := briefings.Topic{
		Name:    "t",
		Terms:   []string{"core:verkiezingen", "threat:hack*", "strong:trollenfabriek", "actor:Rusland"},
		Exclude: []string{"voetbal"},
	}
	c := topicClassifier(t, []briefings.Topic{topic})
	tests := []struct {
		name string
		a    *briefings.Article
		want bool
	}{
		{"core and threat", art("Hackers bedreigen verkiezingen", "Hackers vallen de verkiezingen aan."), true},
		{"core only", art("Verkiezingen", "De verkiezingen zijn op woensdag, verkiezingen overal."), false},
		{"threat and actor only", art("Rusland hackt", "Hackers uit Rusland, hackers overal."), false},
		{"strong alone", art("Trollenfabriek ontdekt", "Een trollenfabriek in een kantoor."), true},
		{"exclusion in title", art("Voetbal: hackers bedreigen verkiezingen", "Hackers vallen de verkiezingen aan."), false},
		{"exclusion in body only", art("Hackers bedreigen verkiezingen", "Hackers vallen de verkiezingen aan.", "Ook het voetbal lag stil."), true},
	}
	for _, tt := range tests {
		m, got := c.Match("t", tt.a)
		if got != tt.want {
			t.Errorf("%s: qualifies = %v (score %.2f, matched %v), want %v", tt.name, got, m.Score, m.Matched, tt.want)
		}
	}

	// a topic of plain terms needs some weight of evidence, of any term
	plain := topicClassifier(t, []briefings.Topic{{Name: "klimaat", Terms: []string{"klimaat*", "CO2", "stikstof"}}})
	for _, tt := range []struct {
		a    *briefings.Article
		want bool
	}{
		{art("Kabinet presenteert klimaatplan", "Het klimaatplan moet de CO2-uitstoot verlagen.", "Ook stikstof komt aan bod."), true},
		{art("Begroting gepresenteerd", "Het kabinet presenteert de begroting.", "Er is ook geld voor het klimaat."), false},
	} {
		if m, got := plain.Match("klimaat", tt.a); got != tt.want {
			t.Errorf("plain topic on %q: qualifies = %v (score %.2f, matched %v), want %v", tt.a.Title, got, m.Score, m.Matched, tt.want)
		}
	}

	// a title mention weighs more than the same mention deep in the body
	inTitle, _ := c.Match("t", art("Hackers bedreigen verkiezingen", "Een bericht.", "Meer tekst."))
	inBody, _ := c.Match("t", art("Een bericht", "Een bericht.", "Hackers bedreigen verkiezingen."))
	if inTitle.Score <= inBody.Score {
		t.Errorf("title score %.2f <= body score %.2f: position should count", inTitle.Score, inBody.Score)
	}
	// repetition is damped: ten mentions score less than ten times one
	once, _ := c.Match("t", art("", "x", "Hackers."))
	ten, _ := c.Match("t", art("", "x", strings.Repeat("Hackers. ", 10)))
	if ten.Score >= 10*once.Score || ten.Score <= once.Score {
		t.Errorf("ten mentions score %.2f, one mention %.2f: want damped growth", ten.Score, once.Score)
	}
}

func TestTopicLookup(t *testing.T) {
	c := topicClassifier(t, briefings.BuiltinTopics())
	if _, ok := c.Topic("Interference"); !ok {
		t.Error(`Topic("Interference") not found: names should ignore case`)
	}
	if _, ok := c.Topic("sport"); ok {
		t.Error(`Topic("sport") found, want unknown`)
	}
	got := c.Topics()
	if len(got) != 1 || got[0].Name != "interference" {
		t.Errorf("Topics() = %v, want the built-in interference topic", got)
	}
	got[0].Terms[0] = "changed"
	if again, _ := c.Topic("interference"); again.Terms[0] == "changed" {
		t.Error("Topics() returned the classifier's own slices; callers can corrupt it")
	}
}

// BenchmarkClassify: "first" analyses an article (no Hash, so no cache);
// "cached" is a repeat Match of an already analysed article, the cost a
// digest pays per article and topic.
func BenchmarkClassify(b *testing.B) {
	arts := topicLoadDir(b, os.DirFS("testdata/topics"))
	c := topicClassifier(b, briefings.BuiltinTopics())
	b.Run("first", func(b *testing.B) {
		fresh := make([]briefings.Article, len(arts))
		for i, a := range arts {
			fresh[i] = *a
			fresh[i].Hash = ""
		}
		for i := 0; b.Loop(); i++ {
			c.Classify(&fresh[i%len(fresh)])
		}
	})
	b.Run("cached", func(b *testing.B) {
		for _, a := range arts {
			c.Classify(a)
		}
		for i := 0; b.Loop(); i++ {
			c.Match("interference", arts[i%len(arts)])
		}
	})
}

// TestTopicHints: an article whose source is about a topic (a feed
// configured with it) belongs to the topic on any positive evidence; it
// still needs some, and an excluded title still excludes.
func TestTopicHints(t *testing.T) {
	topic := briefings.Topic{
		Name:    "t",
		Terms:   []string{"core:verkiezingen", "threat:hack*", "strong:trollenfabriek"},
		Exclude: []string{"voetbal"},
	}
	c := topicClassifier(t, []briefings.Topic{topic, {Name: "other", Terms: []string{"fiets*"}}})
	art := func(title, body string, hints ...string) *briefings.Article {
		return &briefings.Article{Title: title, Paragraphs: []briefings.Paragraph{{Text: body}}, TopicHints: hints}
	}
	tests := []struct {
		name string
		a    *briefings.Article
		want bool
	}{
		{"weak evidence without hint", art("Gemeente kiest", "De verkiezingen zijn in maart."), false},
		{"weak evidence with hint", art("Gemeente kiest", "De verkiezingen zijn in maart.", "t"), true},
		{"hint names the topic in another case", art("Gemeente kiest", "De verkiezingen zijn in maart.", " T "), true},
		{"hint for another topic", art("Gemeente kiest", "De verkiezingen zijn in maart.", "other"), false},
		{"unknown hint", art("Gemeente kiest", "De verkiezingen zijn in maart.", "sport"), false},
		{"no evidence with hint", art("Nieuwe fietspaden", "Utrecht legt fietspaden aan.", "t"), false},
		{"excluded title with hint", art("Voetbal en verkiezingen", "De verkiezingen zijn in maart.", "t"), false},
	}
	for _, tt := range tests {
		m, got := c.Match("t", tt.a)
		if got != tt.want {
			t.Errorf("%s: qualifies = %v (score %.2f, matched %v), want %v", tt.name, got, m.Score, m.Matched, tt.want)
		}
		if _, in := c.Classify(tt.a)["t"]; in != tt.want {
			t.Errorf("%s: Classify has t = %v, want %v", tt.name, in, tt.want)
		}
	}
	// the digest and the latest list follow the hint too
	arts := []*briefings.Article{art("Gemeente kiest", "De verkiezingen zijn in maart.", "t"), art("Gemeente kiest ook", "De verkiezingen zijn in april.")}
	arts[0].ID, arts[1].ID = "hinted", "plain"
	d, err := briefings.BuildDigest(arts, c, briefings.DigestRequest{Topic: "t"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Items) != 1 || d.Items[0].Article != "hinted" {
		t.Errorf("digest items %+v, want only the hinted article", d.Items)
	}
	latest, err := briefings.LatestItems(arts, c, "t", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(latest) != 1 || latest[0].Article != "hinted" {
		t.Errorf("latest items %+v, want only the hinted article", latest)
	}
}

// TestHarmNeedsCoreInSentence: a harm term is threat evidence only in a
// sentence that also has a core term of its topic.
func TestHarmNeedsCoreInSentence(t *testing.T) {
	topic := briefings.Topic{Name: "t", Terms: []string{"core:verkiezingen", "threat:hack*", "harm:aanval"}}
	c := topicClassifier(t, []briefings.Topic{topic})
	tests := []struct {
		name string
		a    *briefings.Article
		want bool
	}{
		{"harm beside core", art("Aanval op de verkiezingen", "De verkiezingen kregen een aanval te verduren."), true},
		{"harm apart from core", art("Het leger zet de aanval voort", "De aanval duurt voort. De verkiezingen zijn in maart.", "De verkiezingen gaan door."), false},
		{"threat apart from core", art("Hackers slaan toe", "De hackers gingen door. De verkiezingen zijn in maart.", "De verkiezingen gaan door."), true},
	}
	for _, tt := range tests {
		m, got := c.Match("t", tt.a)
		if got != tt.want {
			t.Errorf("%s: qualifies = %v (score %.2f, matched %v), want %v", tt.name, got, m.Score, m.Matched, tt.want)
		}
	}
	if _, err := briefings.NewClassifier([]briefings.Topic{{Name: "x", Terms: []string{"harm:aanval^0.5"}}}, nil); err != nil {
		t.Errorf("harm term with a factor: %v", err)
	}
}

// TestCompoundParts: hyphenated words match part by part, and a first part
// that several compound terms of a class share is a modifier of the class.
func TestCompoundParts(t *testing.T) {
	topic := briefings.Topic{
		Name:     "t",
		Terms:    []string{"core:Kiesraad", "core:kiesrecht", "core:kieslijst*", "threat:nepaccount", "threat:nepprofiel", "threat:aanval", "core:campagne"},
		MinScore: 0.1,
	}
	c := topicClassifier(t, []briefings.Topic{topic})
	tests := []struct {
		text string
		want []string
	}{
		{"De kieswebsite lag plat.", []string{"kies-"}},
		{"Een kieshulpsite.", []string{"kies-"}},
		{"Zij kiest een kiessysteem.", []string{"kies-"}},
		{"Zij kiest vandaag.", nil},        // no compound: no head
		{"Nepotisme in de gemeente.", nil}, // no known word after nep
		{"Een nepwebsite van de partij.", []string{"nep-"}},
		{"Een ddos-aanval op de site.", []string{"aanval"}},
		{"De DeSantis-campagne reageerde.", []string{"campagne"}},
		{"De Kiesraad en de kieslijst.", []string{"Kiesraad", "kieslijst"}}, // a word matched as such adds no modifier
	}
	for _, tt := range tests {
		a := &briefings.Article{Paragraphs: []briefings.Paragraph{{Text: tt.text}}}
		m, _ := c.Match("t", a)
		if diff := cmp.Diff(m.Matched, tt.want); diff != "" {
			t.Errorf("Match(%q) matched (-got +want):\n%s", tt.text, diff)
		}
	}
}

// art is an article of a title and paragraphs, for classifier tests.
func art(title string, paras ...string) *briefings.Article {
	a := &briefings.Article{Title: title}
	for _, p := range paras {
		a.Paragraphs = append(a.Paragraphs, briefings.Paragraph{Text: p})
	}
	return a
}
