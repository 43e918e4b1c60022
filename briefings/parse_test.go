package briefings_test

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/briefbot/briefbot/briefings"
)

// parseOne parses a file that must hold exactly one article.
func parseOneArticle(t *testing.T, name, text string) briefings.Article {
	t.Helper()
	arts, err := briefings.ParseFile(name, []byte(text))
	if err != nil {
		t.Fatalf("ParseFile(%q): %v", name, err)
	}
	if len(arts) != 1 {
		t.Fatalf("ParseFile(%q) = %d articles, want 1", name, len(arts))
	}
	return arts[0]
}

func sentenceTextsOf(a briefings.Article) []string {
	var out []string
	for _, s := range a.Sentences {
		out = append(out, s.Text)
	}
	return out
}

func headingTexts(a briefings.Article) []string {
	var out []string
	for _, p := range a.Paragraphs {
		if p.Heading {
			out = append(out, p.Text)
		}
	}
	return out
}

func sampleFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := fs.ReadFile(briefings.SampleFS(), name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseTxtDatePrefix(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		wantDate  briefings.Date
		wantFirst string
	}{
		{"month", " date 2020-10 Rusland en Iran grepen in. Dat zeggen de diensten.",
			briefings.Date{Year: 2020, Month: 10}, "Rusland en Iran grepen in."},
		{"day", " date 2020-10-05 Rusland en Iran grepen in.",
			briefings.Date{Year: 2020, Month: 10, Day: 5}, "Rusland en Iran grepen in."},
		{"no leading space", "date 2017-01 Partijen zijn gebrieft.",
			briefings.Date{Year: 2017, Month: 1}, "Partijen zijn gebrieft."},
		{"none", "De Amerikaanse president ontsloeg Krebs.",
			briefings.Date{}, "De Amerikaanse president ontsloeg Krebs."},
		{"bad month is undated", " date 2020-13 Rusland grijpt in.",
			briefings.Date{}, "Rusland grijpt in."},
		{"bad day is undated", " date 2021-02-30 Rusland grijpt in.",
			briefings.Date{}, "Rusland grijpt in."},
		{"prefix alone on its line", " date 2019-03\n\nDe tekst begint hier.",
			briefings.Date{Year: 2019, Month: 3}, "De tekst begint hier."},
		{"word date in text is no prefix", "Een date met de minister liep uit.",
			briefings.Date{}, "Een date met de minister liep uit."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := parseOneArticle(t, "x.txt", tt.text)
			if diff := cmp.Diff(a.Date, tt.wantDate); diff != "" {
				t.Errorf("Date (-got +want):\n%s", diff)
			}
			if got := a.Sentences[0].Text; got != tt.wantFirst {
				t.Errorf("first sentence = %q, want %q", got, tt.wantFirst)
			}
		})
	}
}

func TestParseSampleRepeatedBodyKeptOnce(t *testing.T) {
	a := parseOneArticle(t, "000_84c18d6e44010aaa.txt", string(sampleFile(t, "000_84c18d6e44010aaa.txt")))
	if got, want := len(a.Paragraphs), 6; got != want {
		t.Errorf("paragraphs = %d, want %d", got, want)
	}
	if got, want := len(a.Sentences), 13; got != want {
		t.Errorf("sentences = %d, want %d:\n%s", got, want, strings.Join(sentenceTextsOf(a), "\n"))
	}
	for _, s := range []string{"Iran zou e-mails gestuurd hebben", "We gaan op onze hoede blijven", "Het is niet bekend hoe beide landen"} {
		if n := strings.Count(a.Body(), s); n != 1 {
			t.Errorf("body holds %q %d times, want once", s, n)
		}
	}
	last := a.Sentences[len(a.Sentences)-1].Text
	if want := "Het is niet bekend hoe beide landen de informatie te pakken hebben kunnen krijgen."; last != want {
		t.Errorf("last sentence = %q, want %q", last, want)
	}
}

func TestParseTxtRepeatedTail(t *testing.T) {
	const body = "De minister kondigde maandag nieuwe regels aan voor de verkiezingen. Partijen moeten hun systemen beter beveiligen.\n\n" +
		"Aanpak\n\n" +
		"De AIVD helpt de partijen met advies over digitale aanvallen. Volgens de dienst is de dreiging reëel.\n\n" +
		"De Kamer debatteert volgende week over het plan."
	tests := []struct {
		name      string
		text      string
		wantSents int
		wantParas int
		wantLast  string
	}{
		{"no copy", body, 5, 4, "De Kamer debatteert volgende week over het plan."},
		{"copy run together, heading dropped, other spacing", body + "\n\n" +
			"De minister  kondigde maandag nieuwe regels aan voor de verkiezingen.Partijen moeten hun systemen beter beveiligen. De AIVD helpt de partijen met advies over digitale aanvallen. Volgens de dienst is de dreiging reëel. De Kamer debatteert volgende week over het plan.",
			5, 4, "De Kamer debatteert volgende week over het plan."},
		{"copy appended to the last paragraph", body + " " +
			"De AIVD helpt de partijen met advies over digitale aanvallen. Volgens de dienst is de dreiging reëel. De Kamer debatteert volgende week over het plan.",
			5, 4, "De Kamer debatteert volgende week over het plan."},
		{"one repeated sentence is kept", body + "\n\nDe Kamer debatteert volgende week over het plan.",
			6, 5, "De Kamer debatteert volgende week over het plan."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := parseOneArticle(t, "x.txt", tt.text)
			if len(a.Sentences) != tt.wantSents || len(a.Paragraphs) != tt.wantParas {
				t.Errorf("got %d sentences in %d paragraphs, want %d in %d:\n%s", len(a.Sentences), len(a.Paragraphs),
					tt.wantSents, tt.wantParas, strings.Join(sentenceTextsOf(a), "\n"))
			}
			if got := a.Sentences[len(a.Sentences)-1].Text; got != tt.wantLast {
				t.Errorf("last sentence = %q, want %q", got, tt.wantLast)
			}
			if diff := cmp.Diff(headingTexts(a), []string{"Aanpak"}); diff != "" {
				t.Errorf("headings (-got +want):\n%s", diff)
			}
			for _, s := range a.Sentences {
				if s.Paragraph >= len(a.Paragraphs) || !strings.Contains(a.Paragraphs[s.Paragraph].Text, s.Text) {
					t.Errorf("sentence %q is not in its paragraph %d", s.Text, s.Paragraph)
				}
			}
		})
	}
}

func TestParseHeadings(t *testing.T) {
	a := parseOneArticle(t, "002_e5491d042b67adbc.txt", string(sampleFile(t, "002_e5491d042b67adbc.txt")))
	if diff := cmp.Diff(headingTexts(a), []string{"Dom", "Chaos stichten"}); diff != "" {
		t.Errorf("sample 002 headings (-got +want):\n%s", diff)
	}
	a = parseOneArticle(t, "001_3a4517b0ca95c208.txt", string(sampleFile(t, "001_3a4517b0ca95c208.txt")))
	if diff := cmp.Diff(headingTexts(a), []string{"Nederlandse verkiezingen in aantocht", "Vinger aan de pols, zegt Koenders"}); diff != "" {
		t.Errorf("sample 001 headings (-got +want):\n%s", diff)
	}
	for _, s := range a.Sentences {
		if a.Paragraphs[s.Paragraph].Heading {
			t.Errorf("sentence %q comes from a heading", s.Text)
		}
	}

	tests := []struct {
		name string
		text string
		want []string
	}{
		{"short line before text", "Eerste alinea van het stuk.\n\nTussenkop hier\n\nTweede alinea.", []string{"Tussenkop hier"}},
		{"sentence with period is no heading", "Eerste alinea.\n\nDat klopt.\n\nTweede alinea.", nil},
		{"question is no heading", "Eerste alinea.\n\nWat nu?\n\nTweede alinea.", nil},
		{"lower-case start is no heading", "Eerste alinea.\n\nen verder\n\nTweede alinea.", nil},
		{"short last line is no heading", "Eerste alinea van het stuk.\n\nMet dank aan de redactie", nil},
		{"long line without period is no heading", "Eerste alinea.\n\nDit is een lange regel zonder punt aan het einde die toch echt gewoon tekst is\n\nTweede.", nil},
		{"quoted heading", "Eerste alinea.\n\n‘Oorlogsdaad’\n\nTweede alinea.", []string{"‘Oorlogsdaad’"}},
		// a subheading typed right above its paragraph
		{"heading without blank line", "Eerste alinea.\n\nGegevens op darkweb\nDe groep publiceerde de buit.", []string{"Gegevens op darkweb"}},
		{"heading after a sentence in the block", "Eerste alinea.\nGegevens op darkweb\nDe groep publiceerde de buit.", []string{"Gegevens op darkweb"}},
		// hard-wrapped body text: a line that ends mid-sentence is no heading
		{"wrapped text", "De Tweede Kamer debatteerde dinsdag lang over de nieuwe regels voor\nhet stemmen per brief. Het kabinet wil er snel werk van maken.\n\nVolgens minister Hanke\nBruins Slot is het zo.", nil},
		{"wrapped in lower case", "Eerste alinea, die hier nog\ndoorgaat.\n\nVolgens minister Hanke\nBruins Slot is het zo.", nil},
		{"short line before a line without a sentence end", "Eerste alinea.\n\nKop hier\nNog een kop", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(headingTexts(parseOneArticle(t, "x.txt", tt.text)), tt.want); diff != "" {
				t.Errorf("headings (-got +want):\n%s", diff)
			}
		})
	}
}

func TestParseMidSentenceStartKept(t *testing.T) {
	a := parseOneArticle(t, "003_b80da3bb4248e633.txt", string(sampleFile(t, "003_b80da3bb4248e633.txt")))
	const first = "Daarbij wordt gekeken naar de mogelijke kwetsbaarheid van het stemproces, van de personen die betrokken zijn bij de verkiezingen, en van de informatieverstrekking, schrijft hij maandag in antwoord op vragen van D66-Kamerlid Kees Verhoeven."
	if got := a.Sentences[0].Text; got != first {
		t.Errorf("first sentence = %q, want %q", got, first)
	}
	if want := "Daarbij wordt gekeken naar de mogelijke kwetsbaarheid van het stemproces, van de…"; a.Title != want {
		t.Errorf("title = %q, want %q", a.Title, want)
	}
	if diff := cmp.Diff(headingTexts(a), []string{"Beïnvloeding", "Stemproces"}); diff != "" {
		t.Errorf("headings (-got +want):\n%s", diff)
	}
}

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"plain", "Eén. Twee! Drie? Vier.", []string{"Eén.", "Twee!", "Drie?", "Vier."}},
		{"abbreviations", "Er waren o.a. dhr. Jansen, mr. De Vries, mevr. Bakker, drs. Smit, dr. Kok en ir. Bos. Prof. Visser zag het.",
			[]string{"Er waren o.a. dhr. Jansen, mr. De Vries, mevr. Bakker, drs. Smit, dr. Kok en ir. Bos.", "Prof. Visser zag het."}},
		{"more abbreviations", "Neem bijv. Rusland, bv. China, d.w.z. Azië, m.a.w. Oost, i.p.v. West, t.o.v. Noord en z.g. Zuid. Klaar.",
			[]string{"Neem bijv. Rusland, bv. China, d.w.z. Azië, m.a.w. Oost, i.p.v. West, t.o.v. Noord en z.g. Zuid.", "Klaar."}},
		{"numbers and dates", "Zie nr. 5 van 3 maart jl. Wat ca. 20 mensen zeiden, resp. Jan en Piet. Einde.",
			[]string{"Zie nr. 5 van 3 maart jl. Wat ca. 20 mensen zeiden, resp. Jan en Piet.", "Einde."}},
		{"St. and a.s.", "Het feest in St. Maarten is a.s. Zondag. Iedereen komt.",
			[]string{"Het feest in St. Maarten is a.s. Zondag.", "Iedereen komt."}},
		{"enz. before a new sentence", "Ze noemden appels, peren enz. De rest volgde later.",
			[]string{"Ze noemden appels, peren enz.", "De rest volgde later."}},
		{"etc. e.a. before a name", "Met Jansen e.a. Verder kwam niemand.",
			[]string{"Met Jansen e.a. Verder kwam niemand."}},
		{"initials", "Het hoofd J. Ratcliffe sprak met G.W. Bush en J.F. Kennedy. Daarna niet meer.",
			[]string{"Het hoofd J. Ratcliffe sprak met G.W. Bush en J.F. Kennedy.", "Daarna niet meer."}},
		{"decimals", "De groei was 3.5 procent of 3,5 procent. Dat is veel.",
			[]string{"De groei was 3.5 procent of 3,5 procent.", "Dat is veel."}},
		{"missing space", "Het staat hoog op de agenda.Volgens De Telegraaf niet.",
			[]string{"Het staat hoog op de agenda.", "Volgens De Telegraaf niet."}},
		{"URL and CD-ROM kept", "Kijk op www.nos.nl/Artikel of nos.nl. De Kiesraad stuurt een CD-ROM. Klaar.",
			[]string{"Kijk op www.nos.nl/Artikel of nos.nl.", "De Kiesraad stuurt een CD-ROM.", "Klaar."}},
		{"quote ending in comma", "'Deze data kan gebruikt worden', aldus Ratcliffe. Hij zweeg.",
			[]string{"'Deze data kan gebruikt worden', aldus Ratcliffe.", "Hij zweeg."}},
		{"period inside quote then lower case", "\"Het is klaar.\" zei hij. Toen ging hij.",
			[]string{"\"Het is klaar.\" zei hij.", "Toen ging hij."}},
		{"question inside quote", "'Waarom?' vroeg hij. Niemand wist het.",
			[]string{"'Waarom?' vroeg hij.", "Niemand wist het."}},
		{"closing quote stays", "Hij zei: 'We gaan op onze hoede blijven.' De rest zweeg.",
			[]string{"Hij zei: 'We gaan op onze hoede blijven.'", "De rest zweeg."}},
		{"curly quotes", "‘Het is zeer, zeer belangrijk,’ zegt Koenders. ‘Maar ik ben niet naïef.’ Hij vertrok.",
			[]string{"‘Het is zeer, zeer belangrijk,’ zegt Koenders.", "‘Maar ik ben niet naïef.’", "Hij vertrok."}},
		{"curly double quotes", "“Iedereen weet het.” Zo ook Trump.",
			[]string{"“Iedereen weet het.”", "Zo ook Trump."}},
		{"ellipsis", "Het was... nou ja. Toen kwam… Niets meer.",
			[]string{"Het was... nou ja.", "Toen kwam…", "Niets meer."}},
		{"'s morgens", "Hij sliep. 's Morgens vertrok hij.", []string{"Hij sliep.", "'s Morgens vertrok hij."}},
		{"year at sentence end", "Dat gebeurde in 2016. In 2020 niet.", []string{"Dat gebeurde in 2016.", "In 2020 niet."}},
		{"no final period", "Eén zin. En een zin zonder punt", []string{"Eén zin.", "En een zin zonder punt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := parseOneArticle(t, "x.txt", tt.in)
			if diff := cmp.Diff(sentenceTextsOf(a), tt.want); diff != "" {
				t.Errorf("sentences of %q (-got +want):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseMissingSpaceFixedInParagraph(t *testing.T) {
	a := parseOneArticle(t, "001_3a4517b0ca95c208.txt", string(sampleFile(t, "001_3a4517b0ca95c208.txt")))
	want := []string{
		"Met de Nederlandse verkiezingen in aantocht en de Russische hacks op de Democratische partij in de Verenigde Staten, waarmee de stembusgang zou zijn beïnvloed, staat het onderwerp hoog op de agenda.",
		"Volgens De Telegraaf zouden de aanwezige partijen te horen hebben gekregen dat er geen concrete aanwijzingen zijn, maar wordt er wel rekening mee gehouden dat het kan gebeuren.",
	}
	var got []string
	for _, s := range a.Sentences {
		if s.Paragraph == 4 {
			got = append(got, s.Text)
		}
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("paragraph 4 sentences (-got +want):\n%s", diff)
	}
	if !strings.Contains(a.Paragraphs[4].Text, "agenda. Volgens") {
		t.Errorf("paragraph 4 = %q, want the missing space restored", a.Paragraphs[4].Text)
	}
}

func TestNormalizeText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"BOM and CRLF", "\uFEFFEen\r\ntwee\rdrie", "Een\ntwee\ndrie"},
		{"NFC", "Bei\u0308nvloeding", "Beïnvloeding"},
		{"zero-width and controls", "co\u200bör\u200ddi\u00adna\u0007tor\u200e", "coördinator"},
		{"spaces collapsed and trimmed", "  Een \t  twee\u00a0\u00a0drie  \n  vier ", "Een twee drie\nvier"},
		{"blank lines kept", "Een\n\n\nTwee", "Een\n\n\nTwee"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := briefings.NormalizeText(tt.in); got != tt.want {
				t.Errorf("NormalizeText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseTitle(t *testing.T) {
	tests := []struct {
		name, file, text, want string
	}{
		{"short first sentence", "x.txt", "Krebs ontslagen. Meer volgt.", "Krebs ontslagen"},
		{"long first sentence cut at 12 words", "x.txt",
			"De Amerikaanse president Donald Trump heeft Chris Krebs, de hoogste functionaris, ontslagen via Twitter.",
			"De Amerikaanse president Donald Trump heeft Chris Krebs, de hoogste functionaris, ontslagen…"},
		{"cut word loses its comma", "x.txt", "Een twee drie vier vijf zes zeven acht negen tien elf twaalf, dertien veertien.",
			"Een twee drie vier vijf zes zeven acht negen tien elf twaalf…"},
		{"leading heading", "x.txt", "Krebs ontslagen\n\nDe president ontsloeg hem.", "Krebs ontslagen"},
		{"markdown heading", "x.md", "# Trump ontslaat *Krebs*\n\nDe president ontsloeg hem.", "Trump ontslaat Krebs"},
		{"json title given", "x.json", `{"title": "Gegeven titel", "body": "De tekst."}`, "Gegeven titel"},
		{"json title missing", "x.json", `{"body": "De tekst van het stuk."}`, "De tekst van het stuk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseOneArticle(t, tt.file, tt.text).Title; got != tt.want {
				t.Errorf("title = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseMarkdown(t *testing.T) {
	const md = "---\n" +
		"title: \"Trump ontslaat Krebs\"\n" +
		"date: 2020-11-18\n" +
		"url: https://example.org/krebs\n" +
		"source: NU.nl\n" +
		"tags:\n  - verkiezingen\n  - cyber\n" +
		"---\n" +
		"De president heeft **Chris Krebs** ontslagen via [Twitter](https://twitter.com/x). Dat meldt _Reuters_.\n\n" +
		"## Geen bewijs\n\n" +
		"Krebs zei dat er `geen` bewijs was voor *fraude*.\n\n" +
		"- Eerste punt van de lijst\n" +
		"- Tweede punt\n\n" +
		"> Het was de veiligste verkiezing ooit.\n\n" +
		"Escaped \\*sterren\\* blijven staan. Zie ook ![foto](x.png) <https://nos.nl>.\n"
	a := parseOneArticle(t, "sub/krebs.md", md)
	want := briefings.Article{
		ID:        "krebs",
		Source:    "sub/krebs.md",
		Title:     "Trump ontslaat Krebs",
		Date:      briefings.Date{Year: 2020, Month: 11, Day: 18},
		URL:       "https://example.org/krebs",
		Publisher: "NU.nl",
		Paragraphs: []briefings.Paragraph{
			{Text: "De president heeft Chris Krebs ontslagen via Twitter. Dat meldt Reuters."},
			{Text: "Geen bewijs", Heading: true},
			{Text: "Krebs zei dat er geen bewijs was voor fraude."},
			{Text: "Eerste punt van de lijst"},
			{Text: "Tweede punt"},
			{Text: "Het was de veiligste verkiezing ooit."},
			{Text: "Escaped *sterren* blijven staan. Zie ook foto https://nos.nl."},
		},
	}
	if diff := cmp.Diff(a, want, cmpopts.IgnoreFields(briefings.Article{}, "Sentences", "Hash")); diff != "" {
		t.Errorf("article (-got +want):\n%s", diff)
	}
	if len(a.Sentences) != 8 {
		t.Errorf("sentences = %q, want 8", sentenceTextsOf(a))
	}

	t.Run("no title derives one, date forms", func(t *testing.T) {
		for _, tt := range []struct {
			date string
			want briefings.Date
		}{
			{"2020-10", briefings.Date{Year: 2020, Month: 10}},
			{"\"2020-10-05\"", briefings.Date{Year: 2020, Month: 10, Day: 5}},
			{"2020-10-05T09:30:00+02:00", briefings.Date{Year: 2020, Month: 10, Day: 5}},
			{"gisteren", briefings.Date{}},
		} {
			a := parseOneArticle(t, "x.md", "---\ndate: "+tt.date+"\n---\nDe eerste zin van het stuk. De tweede.")
			if a.Title != "De eerste zin van het stuk" || a.Date != tt.want {
				t.Errorf("date %s: title %q date %v, want derived title and %v", tt.date, a.Title, a.Date, tt.want)
			}
		}
	})
	t.Run("no front matter", func(t *testing.T) {
		a := parseOneArticle(t, "x.md", "Gewoon tekst.\n\nMeer tekst.")
		if a.Date != (briefings.Date{}) || len(a.Paragraphs) != 2 {
			t.Errorf("got %+v", a)
		}
	})
	for _, bad := range []struct{ name, text, want string }{
		{"unclosed front matter", "---\ntitle: x\nDe tekst.", "never closed"},
		{"bad YAML", "---\ntitle: [x\n---\nDe tekst.", "not valid YAML"},
		{"front matter only", "---\ntitle: x\n---\n", "no text"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, err := briefings.ParseFile("x.md", []byte(bad.text))
			if err == nil || !strings.Contains(err.Error(), bad.want) {
				t.Errorf("error = %v, want one saying %q", err, bad.want)
			}
		})
	}
}

func TestParseJSON(t *testing.T) {
	ignore := cmpopts.IgnoreFields(briefings.Article{}, "Paragraphs", "Sentences", "Hash", "Title")
	tests := []struct {
		name string
		file string
		text string
		want []briefings.Article
	}{
		{"object", "2020/krebs.json",
			`{"id": "krebs-1", "title": "Krebs", "date": "2020-11", "url": "https://x.nl/k", "source": "NOS", "body": "Een.\n\nTwee."}`,
			[]briefings.Article{{ID: "krebs-1", Source: "2020/krebs.json", Date: briefings.Date{Year: 2020, Month: 11}, URL: "https://x.nl/k", Publisher: "NOS"}}},
		{"object without id", "krebs.json", `{"body": "Een."}`,
			[]briefings.Article{{ID: "krebs", Source: "krebs.json"}}},
		{"array", "feed.json",
			`[{"id": 7, "date": "2020-11-17T10:00:00Z", "body": "Een."}, {"body": "Twee."}]`,
			[]briefings.Article{
				{ID: "7", Source: "feed.json#7", Date: briefings.Date{Year: 2020, Month: 11, Day: 17}},
				{ID: "feed#2", Source: "feed.json#2"},
			}},
		{"jsonl with one bad line", "feed.jsonl",
			"{\"id\": \"a\", \"body\": \"Een.\"}\n{\"id\": \"b\", \"body\": \n\n{\"id\": \"c\", \"body\": \"Drie.\"}\r\n{\"body\": \"Vier.\"}\n",
			[]briefings.Article{
				{ID: "a", Source: "feed.jsonl#a"},
				{ID: "c", Source: "feed.jsonl#c"},
				{ID: "feed#5", Source: "feed.jsonl#5"},
			}},
		{"record without body skipped", "feed.jsonl", "{\"id\": \"a\", \"body\": \"Een.\"}\n{\"id\": \"b\"}\n",
			[]briefings.Article{{ID: "a", Source: "feed.jsonl#a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := briefings.ParseFile(tt.file, []byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, tt.want, ignore); diff != "" {
				t.Errorf("articles (-got +want):\n%s", diff)
			}
		})
	}
	a := parseOneArticle(t, "k.json", `{"title": "T", "body": "Eerste alinea. Met twee zinnen.\n\nTweede alinea."}`)
	if diff := cmp.Diff(sentenceTextsOf(a), []string{"Eerste alinea.", "Met twee zinnen.", "Tweede alinea."}); diff != "" {
		t.Errorf("json body sentences (-got +want):\n%s", diff)
	}
	for _, bad := range []struct{ name, file, text, want string }{
		{"not JSON", "x.json", "{nee", "not a JSON article object"},
		{"object without body", "x.json", `{"title": "x"}`, "body is missing"},
		{"array of nothing usable", "x.json", `[{"title": "x"}]`, "no usable article"},
		{"jsonl all bad", "x.jsonl", "nee\nook niet\n", "no usable article among 2 lines"},
		{"id of the wrong type", "x.json", `{"id": {"a": 1}, "body": "x"}`, "field id"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, err := briefings.ParseFile(bad.file, []byte(bad.text))
			if err == nil || !strings.Contains(err.Error(), bad.want) {
				t.Errorf("error = %v, want one saying %q", err, bad.want)
			}
		})
	}
}

func TestParseFileRejects(t *testing.T) {
	tests := []struct {
		name, file, text, want string
	}{
		{"unsupported", "x.pdf", "tekst", "unsupported file type"},
		{"empty", "x.txt", "", "empty"},
		{"whitespace only", "x.txt", " \n\t\n ", "empty"},
		{"binary", "x.txt", "abc\x00def", "NUL byte at offset 3"},
		{"not UTF-8", "x.txt", "caf\xe9 au lait", "not valid UTF-8 text (first bad byte at offset 3)"},
		{"only a date prefix", "x.txt", " date 2020-10 ", "no text"},
		// issue 12, item 21: UTF-16 is named, with the command that converts it
		{"UTF-16LE with BOM", "x.txt", "\xff\xfe" + utf16("De raad vergaderde.", false), "UTF-16 is not supported: convert it to UTF-8 (iconv -f UTF-16 -t UTF-8"},
		{"UTF-16BE with BOM", "x.md", "\xfe\xff" + utf16("De raad vergaderde.", true), "UTF-16 is not supported: convert it to UTF-8 (iconv -f UTF-16 -t UTF-8"},
		{"UTF-16LE without BOM", "x.json", utf16(`{"body": "De raad vergaderde."}`, false), "UTF-16 is not supported: convert it to UTF-8 (iconv -f UTF-16LE -t UTF-8"},
		{"UTF-16BE without BOM", "x.txt", utf16("De raad vergaderde over de begroting.", true), "UTF-16 is not supported: convert it to UTF-8 (iconv -f UTF-16BE -t UTF-8"},
		{"UTF-32LE with BOM", "x.txt", "\xff\xfe\x00\x00D\x00\x00\x00e\x00\x00\x00", "UTF-32 is not supported: convert it to UTF-8 (iconv -f UTF-32 -t UTF-8"},
		{"binary with some NULs", "x.txt", "PK\x03\x04\x00\x00 zip", "binary: it contains a NUL byte at offset 4"},
		{"Windows-1252", "x.txt", "caf\xe9 au lait", "iconv -f WINDOWS-1252 -t UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := briefings.ParseFile(tt.file, []byte(tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one saying %q", err, tt.want)
			}
		})
	}
}

// utf16 encodes ASCII text as UTF-16, big- or little-endian, without a BOM.
func utf16(s string, bigEndian bool) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if bigEndian {
			b.WriteByte(0)
			b.WriteByte(c)
		} else {
			b.WriteByte(c)
			b.WriteByte(0)
		}
	}
	return b.String()
}

func TestParseIDsAndHashStable(t *testing.T) {
	data := sampleFile(t, "004_496c433a0061d38d.txt")
	a := parseOneArticle(t, "004_496c433a0061d38d.txt", string(data))
	b := parseOneArticle(t, "004_496c433a0061d38d.txt", string(data))
	if a.ID != "004_496c433a0061d38d" || a.Source != "004_496c433a0061d38d.txt" {
		t.Errorf("ID, Source = %q, %q; want the file stem and name", a.ID, a.Source)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two parses differ (-first +second):\n%s", diff)
	}
	if a.Hash == "" {
		t.Error("Hash is empty")
	}
	// Same text with other white space, punctuation, case and line ends: same hash.
	variant := strings.ReplaceAll(strings.ReplaceAll(string(data), "\n\n", "\r\n\r\n"), ",", "")
	if c := parseOneArticle(t, "other.txt", strings.ToUpper(variant)); c.Hash != a.Hash {
		t.Errorf("hash of a reformatted copy differs: %s vs %s", c.Hash, a.Hash)
	}
	if c := parseOneArticle(t, "other.txt", strings.Replace(string(data), "Krebs", "Kribs", 1)); c.Hash == a.Hash {
		t.Error("hash of a changed text is unchanged")
	}
}
