package bottest

import (
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
)

// DigestReply is a scheduled interference digest of n (0 to 3) stories as
// the core builds it, with text that needs escaping, for adapters' golden
// files: every platform renders the same digest.
func DigestReply(n int) bot.Reply {
	since := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)
	day := func(d int) briefings.Date { return briefings.Date{Year: 2026, Month: 11, Day: d} }
	stories := []briefings.DigestItem{
		{Article: "tiktok", Source: "NOS", Title: "TikTok verwijdert nepaccounts rond verkiezingen", Date: day(23),
			Summary: "TikTok heeft 3.000 nepaccounts verwijderd die desinformatie over de verkiezingen verspreidden.", Score: 5.1,
			Matched: []string{"nepaccounts", "desinformatie", "verkiezingen"}, Related: []briefings.ArticleID{"tiktok-nu"},
			URL: "https://nos.nl/artikel/1", AlsoIn: []briefings.Copy{
				{ID: "tiktok-nu", Publisher: "NU.nl", URL: "https://www.nu.nl/tech/1/tiktok.html?a=1&b=2"},
				{ID: "tiktok-rtl", Publisher: "RTL Nieuws"},
				{ID: "tiktok-nu2", Publisher: "nu.nl", URL: "https://www.nu.nl/tech/2"}, // the same outlet: named once
				{ID: "tiktok-nos", Publisher: "NOS", URL: "https://nos.nl/artikel/1"},   // the item itself: left out
				{ID: "tiktok-file", Source: "omroep <west> & co|x.txt"},
				{ID: "tiktok-tel", Publisher: "De Telegraaf", URL: "javascript:alert(1)"},
			}},
		{Article: "kiesraad", Source: "NU.nl", Title: "Kiesraad laat uitslagensoftware testen", Date: day(24),
			Summary: "De Kiesraad laat de software waarmee gemeenten uitslagen berekenen doorlichten op kwetsbaarheden voor hackers.", Score: 4.2,
			Matched: []string{"kiesraad", "hackers"}},
		{Article: "moldavie", Source: "Trouw", Title: "Rusland probeerde verkiezingen in Moldavië te beïnvloeden <analyse>", Date: briefings.Date{Year: 2026, Month: 11},
			Summary: "Volgens de inlichtingendiensten betaalde Rusland kiezers & influencers.", Score: 3.0,
			Matched: []string{"beïnvloeding", "Rusland"}},
	}
	d := briefings.Digest{Topic: "interference", Since: since, Until: since.AddDate(0, 0, 1), Items: stories[:n]}
	topic := briefings.Topic{Name: "interference", Description: "Election interference"}
	return bot.DigestReply(d, topic, time.UTC, since.AddDate(0, 0, 1))
}
