package bot

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// DigestReply builds the reply that posts a topic's digest. The title names
// the topic, the period (rendered in loc) and the number of stories:
// "Digest: interference · 17–24 Nov 2026 · 3 stories". Each story becomes an
// Item whose Text is the story's summary. An empty digest gets a Notice
// ("Nothing new on interference since 17 Nov 2026.") instead of items.
//
// A zero d.Until counts as now; a zero d.Since leaves the period open at the
// start. A nil loc means UTC. topic.Name is used when set, else d.Topic.
func DigestReply(d briefings.Digest, topic briefings.Topic, loc *time.Location, now time.Time) Reply {
	return digestReply(d, topic, loc, now, english)
}

// digestReply is DigestReply in language l.
func digestReply(d briefings.Digest, topic briefings.Topic, loc *time.Location, now time.Time, l lang) Reply {
	if loc == nil {
		loc = time.UTC
	}
	name := topic.Name
	if name == "" {
		name = d.Topic
	}
	until := d.Until
	if until.IsZero() {
		until = now
	}
	period := formatPeriod(d.Since, until, loc, l)
	r := Reply{Title: fmt.Sprintf("%s: %s · %s · %s", l.pick("Digest", "Overzicht"), name, period,
		countNoun(len(d.Items), l.pick("story", "artikel"), l.pick("stories", "artikelen")))}
	if len(d.Items) == 0 {
		if d.Since.IsZero() {
			r.Notice = l.pick(fmt.Sprintf("Nothing on %s yet.", name), fmt.Sprintf("Nog niets over %s.", name))
		} else {
			since := formatDate(d.Since.In(loc), true, l)
			r.Notice = l.pick(fmt.Sprintf("Nothing new on %s since %s.", name, since),
				fmt.Sprintf("Niets nieuws over %s sinds %s.", name, since))
		}
		return r
	}
	r.Items = digestItems(d.Items)
	return r
}

// digestItems turns digest stories into list items, the summary as text.
func digestItems(items []briefings.DigestItem) []Item {
	out := make([]Item, 0, len(items))
	for _, it := range items {
		out = append(out, Item{
			Article: it.Article,
			Title:   it.Title,
			Date:    it.Date,
			Source:  it.Source,
			Text:    it.Summary,
			Matched: append([]string(nil), it.Matched...),
			URL:     it.URL,
			AlsoIn:  alsoIn(it),
		})
	}
	return out
}

// alsoIn names where else a digest story appeared: each publisher (or,
// without one, source) once, in the digest's order, leaving out copies at
// the item's own address.
func alsoIn(it briefings.DigestItem) []Link {
	var out []Link
	for _, c := range it.AlsoIn {
		name := strings.Join(strings.Fields(cmp.Or(c.Publisher, c.Source)), " ")
		if name == "" || (c.URL != "" && c.URL == it.URL) {
			continue
		}
		if i := slices.IndexFunc(out, func(l Link) bool { return strings.EqualFold(l.Name, name) }); i >= 0 {
			if out[i].URL == "" {
				out[i].URL = c.URL
			}
			continue
		}
		out = append(out, Link{Name: name, URL: c.URL})
	}
	return out
}

// formatPeriod renders [since, until] in loc as compactly as the dates
// allow: "17–24 Nov 2026", "28 Oct – 4 Nov 2026", "28 Dec 2025 – 4 Jan 2026",
// "until 24 Nov 2026" when since is zero.
func formatPeriod(since, until time.Time, loc *time.Location, l lang) string {
	u := until.In(loc)
	if since.IsZero() {
		return l.pick("until ", "tot ") + formatDate(u, true, l)
	}
	s := since.In(loc)
	switch {
	case s.Year() != u.Year():
		return formatDate(s, true, l) + " – " + formatDate(u, true, l)
	case s.Month() != u.Month():
		return formatDate(s, false, l) + " – " + formatDate(u, true, l)
	case s.Day() != u.Day():
		return fmt.Sprintf("%d–%s", s.Day(), formatDate(u, true, l))
	default:
		return formatDate(u, true, l)
	}
}

// formatDate renders "17 Nov 2026" (Dutch: "17 nov 2026"), without the year
// when withYear is false.
func formatDate(t time.Time, withYear bool, l lang) string {
	month := t.Format("Jan")
	if l == dutch {
		month = [...]string{"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"}[t.Month()-1]
	}
	if withYear {
		return fmt.Sprintf("%d %s %d", t.Day(), month, t.Year())
	}
	return fmt.Sprintf("%d %s", t.Day(), month)
}

// countNoun renders "1 story", "3 stories".
func countNoun(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// answerReply renders the library's answer. An answered question shows the
// answer, the first citation's sentence as the quote, the citations and any
// related articles, and, when a language model answered, a footer saying
// so; an unanswered one says so in the question's language and lists the
// closest articles.
func answerReply(a briefings.Answer, l lang) Reply {
	if !a.Answered {
		return Reply{
			Notice:  l.pick("The articles don't say.", "De artikelen zeggen het niet."),
			SeeAlso: a.SeeAlso,
		}
	}
	r := Reply{Answer: a.Text, Citations: a.Citations, SeeAlso: a.SeeAlso}
	if len(a.Citations) > 0 {
		r.Quote = a.Citations[0].Quote
	}
	if a.Reader == briefings.ReaderLLM {
		r.Footer = l.pick("Answer by a language model; the quote was checked against the article.",
			"Antwoord van een taalmodel; het citaat is gecontroleerd in het artikel.")
	}
	return r
}

// searchReply lists search results; the snippet's "**" match markers are
// removed, since Reply text is plain.
func searchReply(query string, results []briefings.SearchResult, l lang) Reply {
	if len(results) == 0 {
		return Reply{Notice: l.pick(
			"No articles match “"+query+"”.",
			"Geen artikelen gevonden voor “"+query+"”.")}
	}
	r := Reply{Title: l.pick("Search: ", "Zoeken: ") + query}
	for _, s := range results {
		r.Items = append(r.Items, Item{
			Article: s.Article,
			Title:   s.Title,
			Date:    s.Date,
			Source:  s.Source,
			Text:    strings.ReplaceAll(s.Snippet, "**", ""),
			URL:     s.URL,
		})
	}
	return r
}

// latestReply lists the newest articles, of a topic or of all.
func latestReply(topic string, items []briefings.DigestItem, l lang) Reply {
	title := l.pick("Latest articles", "Laatste artikelen")
	if topic != "" {
		title = l.pick("Latest on ", "Laatste over ") + topic
	}
	if len(items) == 0 {
		if topic == "" {
			return Reply{Notice: l.pick("There are no articles yet.", "Er zijn nog geen artikelen.")}
		}
		return Reply{Notice: l.pick("No articles on "+topic+" yet.", "Nog geen artikelen over "+topic+".")}
	}
	return Reply{Title: title, Items: digestItems(items)}
}

// articleReply shows a whole article: its title, a line with date, source
// and link, and its paragraphs. Subheadings are marked with "## " so plain
// text keeps them apart.
func articleReply(a briefings.Article) Reply {
	r := Reply{Title: a.Title}
	var meta []string
	if !a.Date.IsZero() {
		meta = append(meta, a.Date.String())
	}
	if a.Publisher != "" {
		meta = append(meta, a.Publisher)
	}
	meta = append(meta, a.Source)
	if a.URL != "" {
		meta = append(meta, a.URL)
	}
	r.Body = append(r.Body, strings.Join(meta, " · "))
	for _, p := range a.Paragraphs {
		if p.Heading {
			r.Body = append(r.Body, "## "+p.Text)
			continue
		}
		r.Body = append(r.Body, p.Text)
	}
	return r
}

// helpReply explains the commands in l.
func helpReply(l lang, prefix, defaultCron string, topics []briefings.Topic) Reply {
	r := Reply{Title: l.pick("briefbot: questions about the newsroom's articles", "briefbot: vragen over de artikelen van de redactie")}
	if l == dutch {
		r.Body = []string{
			"Stel een vraag, bijvoorbeeld: Wie leidt de inlichtingendiensten? Een vervolgvraag (“en wanneer?”) in dezelfde draad gaat over hetzelfde artikel.",
			"zoek <woorden> — artikelen zoeken\n" +
				"artikel <id> — een artikel lezen\n" +
				"laatste [onderwerp] — de nieuwste artikelen\n" +
				"overzicht [onderwerp] [sinds <datum>] — overzicht van een onderwerp (datum: JJJJ-MM-DD)\n" +
				"abonneer <onderwerp> [<cron> [<tijdzone>]] — overzicht in dit gesprek volgens schema (standaard " + defaultCron + ")\n" +
				"opzeggen <onderwerp> — abonnement stoppen\n" +
				"abonnementen — abonnementen van dit gesprek\n" +
				"hulp — deze uitleg",
			groupHint(l, prefix),
		}
	} else {
		r.Body = []string{
			"Ask a question, for example: Who leads the intelligence services? A follow-up (“and when?”) in the same thread is asked about the same article.",
			"search <words> — find articles\n" +
				"article <id> — read an article\n" +
				"latest [topic] — the newest articles\n" +
				"digest [topic] [since <date>] — a topic's digest (date: YYYY-MM-DD)\n" +
				"subscribe <topic> [<cron> [<time zone>]] — post the digest here on a schedule (default " + defaultCron + ")\n" +
				"unsubscribe <topic> — stop a subscription\n" +
				"subscriptions — this conversation's subscriptions\n" +
				"help — this text",
			groupHint(l, prefix),
		}
	}
	if len(topics) > 0 {
		r.Body = append(r.Body, l.pick("Topics: ", "Onderwerpen: ")+topicNames(topics))
	}
	return r
}

// groupHint tells how to address the bot in a group conversation, and
// that the other language works too.
func groupHint(l lang, prefix string) string {
	if prefix == "" {
		return l.pick("In a group conversation: mention the bot. Nederlands kan ook: zeg “hulp”.",
			"In een groepsgesprek: noem de bot. English works too: say “help”.")
	}
	return l.pick("In a group conversation: mention the bot or start with “"+prefix+"”. Nederlands kan ook: zeg “hulp”.",
		"In een groepsgesprek: noem de bot of begin met “"+prefix+"”. English works too: say “help”.")
}

// topicNames lists topic names, comma-separated.
func topicNames(topics []briefings.Topic) string {
	names := make([]string, len(topics))
	for i, t := range topics {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

// unknownTopicReply says the topic is unknown and lists the known ones.
func unknownTopicReply(name string, topics []briefings.Topic, l lang) Reply {
	if len(topics) == 0 {
		return Reply{Notice: l.pick(
			"There is no topic “"+name+"”; no topics are configured.",
			"Er is geen onderwerp “"+name+"”; er zijn geen onderwerpen ingesteld.")}
	}
	return Reply{Notice: l.pick(
		"There is no topic “"+name+"”. Known topics: "+topicNames(topics)+".",
		"Er is geen onderwerp “"+name+"”. Bekende onderwerpen: "+topicNames(topics)+".")}
}
