package slack

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/briefbot/briefbot/bot"
)

// Slack's Block Kit limits, and the budgets we keep below them.
const (
	maxBlocks      = 50   // blocks per message
	maxSectionText = 3000 // characters in a section or context text
	maxHeaderText  = 150  // characters in a header
	// maxMessageText bounds the text of all blocks of one message: Slack
	// rejects long messages with msg_blocks_too_long at an undocumented
	// ~12,000 characters, so stay well below.
	maxMessageText = 8000
	// maxFallbackText bounds the notification text of each message.
	maxFallbackText = 300
	maxActionID     = 255
	maxButtonValue  = 2000
	// maxLinkURL bounds the URLs made into links, so that a link never
	// fills a section and is never split.
	maxLinkURL = 1000
)

// Feedback buttons. The action IDs carry the reply's Ref when it fits;
// the button value always does.
const (
	feedbackBlockID    = "briefbot_feedback"
	feedbackHelpful    = "briefbot_feedback_up"
	feedbackNotHelpful = "briefbot_feedback_down"
)

// Labels the adapter adds around the reply's own text.
const (
	labelSeeAlso    = "See also"
	labelHelpful    = "👍 Helpful"
	labelNotHelpful = "👎 Not helpful"
	fallbackEmpty   = "Was this answer helpful?"
)

// message is one chat.postMessage worth of a rendered reply.
type message struct {
	Text   string           `json:"text"`
	Blocks []slackapi.Block `json:"blocks"`
}

// piece is one rendered block with what packing needs to know about it.
type piece struct {
	block slackapi.Block
	size  int // characters of text in the block
	// plain is the block's text for the notification: escaped for & < >,
	// without mrkdwn markup (the fallback is posted with mrkdwn=false).
	plain string
	// keepWithNext: never end a message with this block (a heading).
	keepWithNext bool
}

var (
	escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	// urlEscaper makes a URL safe inside <…|…>: the characters Slack's
	// link markup uses are percent-encoded, & becomes an entity.
	urlEscaper = strings.NewReplacer("|", "%7C", "<", "%3C", ">", "%3E", " ", "%20", "&", "&amp;")
	// broadcast matches the words Slack may turn into @channel, @here and
	// @everyone notifications.
	broadcast = regexp.MustCompile(`(?i)@(channel|here|everyone)\b`)
)

// escape makes user and article text safe for mrkdwn and plain_text: &, <
// and > become entities, so "<!channel>" or "<@U123>" cannot ping anyone,
// and a word joiner after the "@" of @channel, @here and @everyone keeps
// any client from linking them. Nothing else changes.
func escape(s string) string {
	s = escaper.Replace(s)
	return broadcast.ReplaceAllString(s, "@\u2060$1")
}

func mrkdwn(text string) *slackapi.TextBlockObject {
	// verbatim: no automatic parsing of links, channels or mentions.
	return slackapi.NewTextBlockObject(slackapi.MarkdownType, text, false, true)
}

func sectionPiece(text, plain string) piece {
	return piece{
		block: slackapi.NewSectionBlock(mrkdwn(text), nil, nil),
		size:  runeLen(text),
		plain: plain,
	}
}

// bold wraps every non-empty line in *…*: mrkdwn bold does not span lines.
func bold(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			lines[i] = "*" + l + "*"
		}
	}
	return strings.Join(lines, "\n")
}

// quote marks every line as a block quote.
func quote(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = ">" + strings.TrimRight(" "+l, " ")
	}
	return strings.Join(lines, "\n")
}

// webURL returns raw as it goes inside Slack's <url|label> markup, and
// false unless raw is an absolute http or https URL of at most maxLinkURL
// bytes without user information.
func webURL(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxLinkURL {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	return urlEscaper.Replace(u.String()), true
}

// link renders label (plain text) as a Slack link to rawURL when that is
// a web URL, and as escaped text otherwise. A "|" in the label would end
// the URL part, so it becomes the look-alike "∣".
func link(rawURL, label string) string {
	text := escape(label)
	u, ok := webURL(rawURL)
	if !ok || strings.TrimSpace(label) == "" {
		return text
	}
	return "<" + u + "|" + strings.ReplaceAll(text, "|", "∣") + ">"
}

// citationLine renders "title · date · source", skipping empty parts, with
// the title linked to rawURL when that is a web URL; plain is the same
// without the link.
func citationLine(title, date, source, rawURL string) (line, plain string) {
	var parts, plains []string
	for i, p := range []string{title, date, source} {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		e := escape(p)
		plains = append(plains, e)
		if i == 0 {
			e = link(rawURL, p)
		}
		parts = append(parts, e)
	}
	return strings.Join(parts, " · "), strings.Join(plains, " · ")
}

// render turns r into one or more messages within Slack's limits: at most
// 50 blocks, 3,000 characters per section, 150 per header and maxMessageText
// per message. Text is split between words, never inside one unless a
// single word is longer than a section. Feedback buttons carrying r.Ref
// end the last message when withFeedback is true and r.Ref is set. render
// returns no messages for an empty reply.
func render(r bot.Reply, withFeedback bool) []message {
	var ps []piece

	if t := strings.TrimSpace(r.Title); t != "" {
		et := escape(strings.Join(strings.Fields(t), " "))
		if runeLen(et) <= maxHeaderText {
			h := slackapi.NewHeaderBlock(slackapi.NewTextBlockObject(slackapi.PlainTextType, et, false, false))
			ps = append(ps, piece{block: h, size: runeLen(et), plain: et, keepWithNext: true})
		} else {
			// Too long for a header: a bold section keeps every word.
			for _, c := range fitDecorated(et, maxSectionText, bold) {
				ps = append(ps, sectionPiece(c.decorated, c.raw))
			}
		}
	}
	if n := strings.TrimSpace(r.Notice); n != "" {
		for _, c := range splitText(escape(n), maxSectionText) {
			ps = append(ps, sectionPiece(c, c))
		}
	}
	if a := strings.TrimSpace(r.Answer); a != "" {
		for _, c := range fitDecorated(escape(a), maxSectionText, bold) {
			ps = append(ps, sectionPiece(c.decorated, c.raw))
		}
	}
	if q := strings.TrimSpace(r.Quote); q != "" {
		eq := escape(q)
		for _, c := range fitDecorated(eq, maxSectionText, quote) {
			ps = append(ps, sectionPiece(c.decorated, "“"+truncateWords(eq, 100)+"”"))
		}
	}
	for _, c := range r.Citations {
		line, plain := citationLine(c.Title, c.Date.String(), c.Source, c.URL)
		if line == "" {
			continue
		}
		for i, l := range splitText(line, maxSectionText) {
			ctx := slackapi.NewContextBlock("", mrkdwn(l))
			ps = append(ps, piece{block: ctx, size: runeLen(l), plain: firstOnly(i, plain)})
		}
	}
	for i, it := range r.Items {
		ps = append(ps, itemPieces(i+1, it)...)
	}
	if len(r.Body) > 0 {
		var paras []string
		for _, p := range r.Body {
			if p = strings.TrimSpace(p); p != "" {
				paras = append(paras, escape(p))
			}
		}
		for _, c := range splitText(strings.Join(paras, "\n\n"), maxSectionText) {
			ps = append(ps, sectionPiece(c, c))
		}
	}
	if len(r.SeeAlso) > 0 {
		var lines, plains []string
		for _, c := range r.SeeAlso {
			if l, p := citationLine(c.Title, c.Date.String(), c.Source, c.URL); l != "" {
				lines = append(lines, "• "+l)
				plains = append(plains, "• "+p)
			}
		}
		if len(lines) > 0 {
			text := "*" + labelSeeAlso + "*\n" + strings.Join(lines, "\n")
			plain := labelSeeAlso + ": " + strings.Join(plains, " ")
			for i, c := range splitText(text, maxSectionText) {
				ps = append(ps, sectionPiece(c, firstOnly(i, plain)))
			}
		}
	}
	if f := strings.TrimSpace(r.Footer); f != "" {
		// small grey print: a context block
		for i, c := range splitText(escape(f), maxSectionText) {
			ps = append(ps, piece{block: slackapi.NewContextBlock("", mrkdwn(c)), size: runeLen(c), plain: firstOnly(i, c)})
		}
	}
	if len(ps) == 0 {
		return nil
	}

	var tail *piece
	if withFeedback && r.Ref != "" && len(r.Ref) <= maxButtonValue {
		p := feedbackPiece(r.Ref)
		tail = &p
	}
	return pack(ps, tail)
}

// itemPieces renders list entry n: the title in bold, linked to the
// article when it has a web URL, then date · source, the summary and the
// matched topic terms in italics.
func itemPieces(n int, it bot.Item) []piece {
	var b, plain strings.Builder
	title := strings.Join(strings.Fields(it.Title), " ")
	if title == "" {
		title = string(it.Article)
	}
	fmt.Fprintf(&b, "*%d. %s*", n, link(it.URL, title))
	fmt.Fprintf(&plain, "%d. %s", n, escape(title))
	if meta, _ := citationLine("", it.Date.String(), it.Source, ""); meta != "" {
		b.WriteString("\n" + meta)
		plain.WriteString("\n" + meta)
	}
	if t := strings.TrimSpace(it.Text); t != "" {
		b.WriteString("\n" + escape(t))
		plain.WriteString("\n" + escape(t))
	}
	if len(it.Matched) > 0 {
		m := escape(strings.Join(it.Matched, ", "))
		b.WriteString("\n_" + m + "_")
		plain.WriteString("\n" + m)
	}
	if len(it.AlsoIn) > 0 {
		var links, names []string
		for i, l := range it.AlsoIn {
			if i == bot.MaxAlsoIn {
				links, names = append(links, "…"), append(names, "…")
				break
			}
			links = append(links, link(l.URL, l.Name))
			names = append(names, escape(l.Name))
		}
		b.WriteString("\nalso in: " + strings.Join(links, ", "))
		plain.WriteString("\nalso in: " + strings.Join(names, ", "))
	}
	var ps []piece
	for i, c := range splitText(b.String(), maxSectionText) {
		ps = append(ps, sectionPiece(c, firstOnly(i, plain.String())))
	}
	return ps
}

// firstOnly returns plain for the first of a block's chunks and "" for the
// others: a block split over sections gives the notification its text once.
func firstOnly(i int, plain string) string {
	if i == 0 {
		return plain
	}
	return ""
}

// feedbackPiece is the actions block with the 👍 and 👎 buttons for ref.
func feedbackPiece(ref string) piece {
	id := func(prefix string) string {
		if s := prefix + ":" + ref; len(s) <= maxActionID {
			return s
		}
		return prefix
	}
	up := slackapi.NewButtonBlockElement(id(feedbackHelpful), ref,
		slackapi.NewTextBlockObject(slackapi.PlainTextType, labelHelpful, true, false))
	down := slackapi.NewButtonBlockElement(id(feedbackNotHelpful), ref,
		slackapi.NewTextBlockObject(slackapi.PlainTextType, labelNotHelpful, true, false))
	return piece{
		block: slackapi.NewActionBlock(feedbackBlockID, up, down),
		size:  runeLen(labelHelpful) + runeLen(labelNotHelpful),
	}
}

// pack fills messages in order with at most maxBlocks blocks and
// maxMessageText characters each, never ending a message with a heading,
// and puts tail (the feedback buttons) at the end of the last one.
func pack(ps []piece, tail *piece) []message {
	var groups [][]piece
	var cur []piece
	size := 0
	flush := func(final bool) {
		// Carry trailing headings over to the next message.
		var carry []piece
		for !final && len(cur) > 1 && cur[len(cur)-1].keepWithNext {
			carry = append([]piece{cur[len(cur)-1]}, carry...)
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			groups = append(groups, cur)
		}
		cur, size = carry, 0
		for _, p := range carry {
			size += p.size
		}
	}
	for _, p := range ps {
		if len(cur) > 0 && (len(cur)+1 > maxBlocks || size+p.size > maxMessageText) {
			flush(false)
		}
		cur = append(cur, p)
		size += p.size
	}
	if tail != nil {
		if len(cur)+1 > maxBlocks || size+tail.size > maxMessageText {
			flush(false)
		}
		cur = append(cur, *tail)
	}
	flush(true)

	msgs := make([]message, 0, len(groups))
	for _, g := range groups {
		m := message{Blocks: make([]slackapi.Block, 0, len(g))}
		var plain []string
		for _, p := range g {
			m.Blocks = append(m.Blocks, p.block)
			if p.plain != "" {
				plain = append(plain, p.plain)
			}
		}
		m.Text = truncateWords(strings.Join(plain, " — "), maxFallbackText)
		if m.Text == "" {
			m.Text = fallbackEmpty
		}
		msgs = append(msgs, m)
	}
	return msgs
}
