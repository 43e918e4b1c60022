package bottest

import (
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// Article IDs of NewLibrary's articles.
const (
	ElectionData  briefings.ArticleID = "000_84c18d6e44010aaa" // Russia and Iran obtained US voter data (2020-10)
	PartyBriefing briefings.ArticleID = "001_3a4517b0ca95c208" // Dutch parties briefed on hacks (2017-01)
	TrumpPutin    briefings.ArticleID = "002_e5491d042b67adbc" // Trump and Putin at the G20 (2017-07)
	Plasterk      briefings.ArticleID = "003_b80da3bb4248e633" // Plasterk on election vulnerability (2017-01)
	KrebsFired    briefings.ArticleID = "004_496c433a0061d38d" // Trump fires Chris Krebs (undated)
)

// NewLibrary returns a Library with five Dutch articles modelled on the
// sample corpus, the topic "interference", and canned answers to:
//   - who heads the intelligence services (Wie is het hoofd van de
//     inlichtingendiensten?) -> John Ratcliffe, from ElectionData;
//   - a "when"/"wanneer" question about ElectionData -> October 2020;
//   - who fired Krebs (wie ontsloeg Krebs?) -> Donald Trump, from KrebsFired;
//   - where the G20 summit was (waar was de G20-top?) -> Hamburg.
//
// Anything else is not answered. The undated article KrebsFired counts as
// added at added; the others carry dates in 2017 and 2020.
func NewLibrary(added time.Time) *Library {
	arts := []briefings.Article{
		article(ElectionData, "Rusland en Iran bemachtigden gegevens van Amerikaanse kiezers", briefings.Date{Year: 2020, Month: 10}, added,
			"Rusland en Iran hebben de hand kunnen leggen op gegevens van honderden Amerikaanse kiezers en hebben het verloop van de verkiezingen proberen te beïnvloeden. Dat zeggen de Amerikaanse inlichtingendiensten.",
			"Iran zou e-mails gestuurd hebben om de kiezers te intimideren, zei het hoofd van de inlichtingendiensten John Ratcliffe tijdens een persconferentie. En ook Rusland zou informatie ingewonnen hebben."),
		article(PartyBriefing, "Partijen op het Binnenhof gebrieft over dreiging van hacks", briefings.Date{Year: 2017, Month: 1}, added,
			"Politieke partijen op het Binnenhof in Den Haag zijn deze week gebrieft door Nederlandse diensten over de dreiging die uitgaat van hacks. De gesprekken gingen over digitale inbraken die de verkiezingen kunnen beïnvloeden.",
			"## Nederlandse verkiezingen in aantocht",
			"Zo moet worden voorkomen dat geheime informatie in bijvoorbeeld e-mails op straat komt te liggen."),
		article(TrumpPutin, "Trump en Poetin bespraken cyberveiligheid op de G20-top", briefings.Date{Year: 2017, Month: 7}, added,
			"De Amerikaanse president Donald Trump besprak de mogelijke samenwerking op het gebied van cyberveiligheid met zijn Russische ambtgenoot Vladimir Poetin tijdens de G20-top dit weekend in Hamburg.",
			"Het Kremlin heeft altijd ontkend dat het hackers heeft ingezet om de verkiezingen te beïnvloeden."),
		article(Plasterk, "Plasterk laat kwetsbaarheid van verkiezingen onderzoeken", briefings.Date{Year: 2017, Month: 1}, added,
			"Daarbij wordt gekeken naar de mogelijke kwetsbaarheid van het stemproces, schrijft minister Plasterk maandag in antwoord op vragen van D66-Kamerlid Kees Verhoeven.",
			"Plasterk roept politieke organisaties op om zelf ook goed te analyseren op welke punten zij kwetsbaar kunnen zijn voor buitenlandse hackers."),
		article(KrebsFired, "Trump ontslaat cyberveiligheidschef Chris Krebs via Twitter", briefings.Date{}, added,
			"De Amerikaanse president Donald Trump heeft Chris Krebs, de hoogste cyberveiligheidsfunctionaris van het land, ontslagen via Twitter.",
			"Krebs was het hoofd van het CISA. Daar had hij als taak om het verkiezingsproces te beschermen tegen inmenging door hackers."),
	}
	byID := map[briefings.ArticleID]briefings.Article{}
	for _, a := range arts {
		byID[a.ID] = a
	}
	cite := func(id briefings.ArticleID, quote string) briefings.Citation {
		a := byID[id]
		return briefings.Citation{Article: id, Source: a.Source, Title: a.Title, Date: a.Date, Quote: quote}
	}
	answer := func(text string, c briefings.Citation, seeAlso ...briefings.Citation) briefings.Answer {
		return briefings.Answer{Text: text, Answered: true, Confidence: 0.8, Citations: []briefings.Citation{c}, SeeAlso: seeAlso}
	}
	ratcliffe := cite(ElectionData, "Iran zou e-mails gestuurd hebben om de kiezers te intimideren, zei het hoofd van de inlichtingendiensten John Ratcliffe tijdens een persconferentie.")
	return &Library{
		Articles: arts,
		TopicSet: []briefings.Topic{{
			Name:        "interference",
			Description: "Foreign interference in elections",
			Terms:       []string{"beïnvloeden", "inmenging", "hackers", "interference"},
		}},
		Rules: []Rule{
			{Words: []string{"when"}, OnlyIn: ElectionData, Answer: answer("October 2020", cite(ElectionData, "Rusland en Iran hebben de hand kunnen leggen op gegevens van honderden Amerikaanse kiezers en hebben het verloop van de verkiezingen proberen te beïnvloeden."))},
			{Words: []string{"wanneer"}, OnlyIn: ElectionData, Answer: answer("oktober 2020", cite(ElectionData, "Rusland en Iran hebben de hand kunnen leggen op gegevens van honderden Amerikaanse kiezers en hebben het verloop van de verkiezingen proberen te beïnvloeden."))},
			{Words: []string{"hoofd", "inlichtingendiensten"}, Answer: answer("John Ratcliffe", ratcliffe)},
			{Words: []string{"head", "intelligence"}, Answer: answer("John Ratcliffe", ratcliffe)},
			{Words: []string{"krebs", "ontsl"}, Answer: answer("Donald Trump", cite(KrebsFired, "De Amerikaanse president Donald Trump heeft Chris Krebs, de hoogste cyberveiligheidsfunctionaris van het land, ontslagen via Twitter."))},
			{Words: []string{"fired", "krebs"}, Answer: answer("Donald Trump", cite(KrebsFired, "De Amerikaanse president Donald Trump heeft Chris Krebs, de hoogste cyberveiligheidsfunctionaris van het land, ontslagen via Twitter."))},
			{Words: []string{"g20"}, Answer: answer("Hamburg", cite(TrumpPutin, "De Amerikaanse president Donald Trump besprak de mogelijke samenwerking op het gebied van cyberveiligheid met zijn Russische ambtgenoot Vladimir Poetin tijdens de G20-top dit weekend in Hamburg."), cite(Plasterk, ""))},
		},
	}
}

// article builds an Article from paragraphs; a paragraph starting with "## "
// is a heading. Sentences are split at ". ".
func article(id briefings.ArticleID, title string, date briefings.Date, added time.Time, paras ...string) briefings.Article {
	a := briefings.Article{ID: id, Source: string(id) + ".txt", Title: title, Date: date, Added: added}
	for _, p := range paras {
		heading := strings.HasPrefix(p, "## ")
		p = strings.TrimPrefix(p, "## ")
		a.Paragraphs = append(a.Paragraphs, briefings.Paragraph{Text: p, Heading: heading})
		if heading {
			continue
		}
		for _, s := range strings.SplitAfter(p, ". ") {
			if s = strings.TrimSpace(s); s != "" {
				a.Sentences = append(a.Sentences, briefings.Sentence{Text: s, Paragraph: len(a.Paragraphs) - 1})
			}
		}
	}
	return a
}
