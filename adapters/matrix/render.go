package matrix

import (
	"encoding/json"
	"html"
	"net/url"
	"strconv"
	"strings"

	"github.com/briefbot/briefbot/bot"
)

// Size limits of one rendered message. A Matrix event may be at most 65,536
// bytes as JSON, and an encrypted event is the base64 of the encrypted JSON
// content (a third larger), so the plain body and the HTML body are each
// bounded by their JSON-encoded size with room to spare.
const (
	maxBodyJSON = 20000 // plain "body", JSON-encoded, bytes
	maxHTMLJSON = 24000 // "formatted_body", JSON-encoded, bytes
)

// rendered is one message's worth of a Reply: a plain body and its HTML.
type rendered struct {
	Plain string
	HTML  string
}

// block is one section of a reply (answer, quote, a list, a paragraph) in
// both forms. Blocks are packed whole into messages; only a block too large
// for one message is cut, at paragraph, line or word boundaries.
type block struct {
	plain string
	html  string
}

// renderReply renders r into one or more messages, each within maxBodyJSON
// and maxHTMLJSON, in reading order. Joined with blank lines, the plain
// bodies equal bot.RenderText(r). An empty Reply renders to nothing.
func renderReply(r bot.Reply) []rendered {
	var out []rendered
	var cur rendered
	flush := func() {
		if cur.Plain != "" {
			out = append(out, cur)
		}
		cur = rendered{}
	}
	for _, b := range fitBlocks(replyBlocks(r)) {
		plain, htm := b.plain, b.html
		if cur.Plain != "" {
			plain = cur.Plain + "\n\n" + b.plain
			htm = cur.HTML + b.html
		}
		if jsonLen(plain) > maxBodyJSON || jsonLen(htm) > maxHTMLJSON {
			flush()
			plain, htm = b.plain, b.html
		}
		cur = rendered{Plain: plain, HTML: htm}
	}
	flush()
	return out
}

// replyBlocks lists r's sections in bot.RenderText's order: title, answer,
// quote, sources, items, body, notice, see also, footer. Each block's plain text is
// RenderText of the partial reply it shows.
func replyBlocks(r bot.Reply) []block {
	var bs []block
	add := func(part bot.Reply, htm string) {
		plain := bot.RenderText(part)
		if plain != "" {
			bs = append(bs, block{plain: plain, html: htm})
		}
	}
	if t := strings.TrimSpace(r.Title); t != "" {
		add(bot.Reply{Title: t}, "<h4>"+esc(t)+"</h4>")
	}
	if a := strings.TrimSpace(r.Answer); a != "" {
		add(bot.Reply{Answer: a}, "<p><strong>"+escLines(a)+"</strong></p>")
	}
	if q := strings.TrimSpace(r.Quote); q != "" {
		add(bot.Reply{Quote: r.Quote}, "<blockquote>"+escLines(q)+"</blockquote>")
	}
	if len(r.Citations) > 0 {
		add(bot.Reply{Citations: r.Citations}, citationsHTML("Sources:", r.Citations))
	}
	if len(r.Items) > 0 {
		add(bot.Reply{Items: r.Items}, itemsHTML(r.Items))
	}
	for _, p := range r.Body {
		if p = strings.TrimSpace(p); p != "" {
			add(bot.Reply{Body: []string{p}}, "<p>"+escLines(p)+"</p>")
		}
	}
	if n := strings.TrimSpace(r.Notice); n != "" {
		add(bot.Reply{Notice: n}, "<p><em>"+escLines(n)+"</em></p>")
	}
	if len(r.SeeAlso) > 0 {
		add(bot.Reply{SeeAlso: r.SeeAlso}, citationsHTML("See also:", r.SeeAlso))
	}
	if f := strings.TrimSpace(r.Footer); f != "" {
		add(bot.Reply{Footer: f}, "<p><sub>"+escLines(f)+"</sub></p>")
	}
	return bs
}

// fitBlocks cuts every block that alone exceeds a message's limits into
// paragraphs that fit. The cut pieces lose their list or quote markup and
// become plain paragraphs; nothing is dropped and no word is cut.
func fitBlocks(bs []block) []block {
	var out []block
	for _, b := range bs {
		if jsonLen(b.plain) <= maxBodyJSON && jsonLen(b.html) <= maxHTMLJSON {
			out = append(out, b)
			continue
		}
		out = append(out, cutBlock(b.plain)...)
	}
	return out
}

// cutBlock splits plain text into paragraph blocks within both limits. The
// HTML of a piece grows by escaping (up to 6 bytes per '<' once JSON-encoded
// too), so pieces are made smaller until both forms fit.
func cutBlock(plain string) []block {
	limit := maxBodyJSON / 2
	for {
		var out []block
		ok := true
		for _, piece := range bot.SplitText(plain, limit) {
			b := block{plain: piece, html: "<p>" + escLines(piece) + "</p>"}
			if jsonLen(b.plain) > maxBodyJSON || jsonLen(b.html) > maxHTMLJSON {
				ok = false
				break
			}
			out = append(out, b)
		}
		if ok || limit <= 64 {
			return out
		}
		limit /= 2
	}
}

func citationsHTML(heading string, cs []bot.Citation) string {
	var b strings.Builder
	b.WriteString("<p><strong>" + esc(heading) + "</strong></p><ul>")
	for _, c := range cs {
		b.WriteString("<li><em>" + linked(c.Title, c.URL) + "</em>")
		if meta := bot.CiteMeta(c.Date.String(), c.Source); meta != "" {
			b.WriteString(" (" + esc(meta) + ")")
		}
		b.WriteString("</li>")
	}
	b.WriteString("</ul>")
	return b.String()
}

func itemsHTML(items []bot.Item) string {
	var b strings.Builder
	b.WriteString("<ol>")
	for _, it := range items {
		b.WriteString("<li><strong>" + linked(it.Title, it.URL) + "</strong>")
		if meta := bot.CiteMeta(it.Date.String(), it.Source); meta != "" {
			b.WriteString(" (" + esc(meta) + ")")
		}
		if it.Text != "" {
			b.WriteString("<br>" + escLines(it.Text))
		}
		if len(it.Matched) > 0 {
			b.WriteString("<br><em>matched: " + esc(strings.Join(it.Matched, ", ")) + "</em>")
		}
		if len(it.AlsoIn) > 0 {
			b.WriteString("<br>also in: ")
			for i, l := range it.AlsoIn {
				if i > 0 {
					b.WriteString(", ")
				}
				if i == bot.MaxAlsoIn {
					b.WriteString("…")
					break
				}
				b.WriteString(linked(l.Name, l.URL))
			}
		}
		b.WriteString("</li>")
	}
	b.WriteString("</ol>")
	return b.String()
}

// linked is the escaped title, as a link to address when that is an
// http or https URL; any other address (javascript:, data:, unparsable)
// leaves the title unlinked.
func linked(title, address string) string {
	href, ok := webURL(address)
	if !ok {
		return esc(title)
	}
	return `<a href="` + esc(href) + `">` + esc(title) + `</a>`
}

// webURL returns address, trimmed and with its scheme lower-cased, when it
// is an absolute http or https URL with a host.
func webURL(address string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(address))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	return u.String(), true
}

func esc(s string) string { return html.EscapeString(s) }

// escLines escapes s and keeps its line breaks as <br>.
func escLines(s string) string {
	return strings.ReplaceAll(esc(strings.TrimSpace(s)), "\n", "<br>")
}

// jsonLen is the length of s as a JSON string, quotes included, as
// encoding/json writes it (with '<', '>' and '&' as \u003c and so on).
func jsonLen(s string) int {
	b, err := json.Marshal(s)
	if err != nil {
		// A Go string always marshals; keep the estimate conservative anyway.
		return len(strconv.Quote(s)) * 6
	}
	return len(b)
}
