package matrix

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// questionText returns the text of a message as the bot core reads it, and
// whether the message addresses self (by m.mentions, a pill, its user ID,
// its display name, or prefix). The HTML body is preferred when there is
// one; pills, matrix.to links and Matrix identifiers become plain words:
// mentions of people are dropped (the bot's own and anyone else's: a chat
// member's name is not part of a question about the articles, and the
// engine would try to find it in them), a room becomes "#general", a link
// its text. The bot's leading name and the command prefix are removed.
func questionText(content *event.MessageEventContent, self id.UserID, displayName, prefix string) (string, bool) {
	src := sourceText(content)
	text, users := renderIdentifiers(src)
	mentioned := mentions(content, self) || slices.Contains(users, self) || mentionedInBody(src, self, displayName)
	text = stripMention(text, self, displayName)
	if prefix != "" {
		if rest, ok := cutPrefixFold(text, prefix); ok {
			text, mentioned = rest, true
		}
	}
	return strings.TrimSpace(text), mentioned
}

// sourceText is the message's text before identifiers are rendered: the
// HTML body converted to text (pills become the identifiers they link to,
// other links their text, the reply fallback dropped), or the plain body
// without its reply fallback.
func sourceText(content *event.MessageEventContent) string {
	if content.Format != event.FormatHTML || strings.TrimSpace(content.FormattedBody) == "" {
		body := content.Body
		if content.RelatesTo.GetReplyTo() != "" {
			body = stripReplyFallback(body)
		}
		return body
	}
	return htmlText(event.TrimReplyFallbackHTML(content.FormattedBody))
}

// htmlText converts a message's HTML body to text: whitespace as a browser
// collapses it, line breaks for <br> and block elements, a pill as the
// identifier it links to, any other link as its text, an image as its alt
// text, a reply fallback (<mx-reply>) dropped.
func htmlText(body string) string {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		// html.Parse only fails when reading fails; a string never does
		return body
	}
	var b strings.Builder
	var walk func(n *html.Node, pre bool)
	walk = func(n *html.Node, pre bool) {
		switch n.Type {
		case html.TextNode:
			if pre {
				b.WriteString(n.Data)
			} else {
				b.WriteString(collapseSpaces(n.Data))
			}
			return
		case html.ElementNode:
			if n.Data == "mx-reply" {
				return
			}
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Head:
				return
			case atom.Br:
				b.WriteString("\n")
				return
			case atom.Img:
				b.WriteString(attr(n, "alt"))
				return
			case atom.A:
				if text, ok := pillText(n); ok {
					b.WriteString(text)
					return
				}
			case atom.Pre:
				pre = true
			}
		}
		block := n.Type == html.ElementNode && isBlock(n.DataAtom)
		if block {
			b.WriteString("\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, pre)
		}
		if block {
			b.WriteString("\n")
		}
	}
	walk(doc, false)
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.TrimSpace(multiNewline.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}

// isBlock reports whether an element starts and ends a line.
func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Blockquote, atom.Pre, atom.Ul, atom.Ol, atom.Li, atom.Table, atom.Tr,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Hr, atom.Details, atom.Summary:
		return true
	}
	return false
}

var (
	spaceRun     = regexp.MustCompile(`\s+`)
	multiNewline = regexp.MustCompile(`\n{3,}`)
)

// collapseSpaces turns every run of white space into one space, as HTML
// rendering does.
func collapseSpaces(s string) string { return spaceRun.ReplaceAllString(s, " ") }

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

// pillText is what a link to a Matrix user, room or message reads as: the
// user's ID or the room's alias (renderIdentifiers makes words of them),
// or the link's own text for a room ID or a message. It reports false for
// links that are not matrix.to or matrix: URIs.
func pillText(a *html.Node) (string, bool) {
	uri, err := id.ParseMatrixURIOrMatrixToURL(attr(a, "href"))
	if err != nil || uri == nil {
		return "", false
	}
	mxid := uri.PrimaryIdentifier()
	switch {
	case uri.Sigil2 != 0 || uri.Sigil1 == '!':
		return "", false // a message or a room by ID: the link's text
	case uri.Sigil1 == '@' && userIDPattern.MatchString(mxid),
		uri.Sigil1 == '#' && aliasPattern.MatchString(mxid):
		return mxid, true
	default:
		return "", true
	}
}

// Matrix identifiers in text. A server name is "localhost" or a dotted
// host name, or an IPv6 literal, with an optional port; a bare "a:b" is
// not an identifier.
const serverNamePattern = `(?:localhost|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?`

var (
	userIDPattern = regexp.MustCompile(`^@[A-Za-z0-9._=\-/+]+:` + serverNamePattern + `$`)
	aliasPattern  = regexp.MustCompile(`^#[^\s:#@<>"']+:` + serverNamePattern + `$`)
	// identifierPattern finds, leftmost first: a matrix.to link, a user
	// ID, a room alias.
	identifierPattern = regexp.MustCompile(`((?:https?://)?matrix\.to/#/[^\s<>"]+)` +
		`|(@[A-Za-z0-9._=\-/+]+:` + serverNamePattern + `)` +
		`|(#[^\s:#@<>"']+:` + serverNamePattern + `)`)
)

// renderIdentifiers turns the Matrix identifiers and matrix.to links in s
// into plain words: a user ID or a link to a user is dropped, a room alias
// or a link to one becomes "#localpart", a link to a room ID or a message is
// dropped. It returns the text and the users it dropped. An identifier
// glued to a word ("bob@example.org:8080") is left alone.
func renderIdentifiers(s string) (string, []id.UserID) {
	matches := identifierPattern.FindAllStringSubmatchIndex(s, -1)
	if len(matches) == 0 {
		return s, nil
	}
	var (
		b     strings.Builder
		users []id.UserID
		last  int
	)
	for _, m := range matches {
		start, end := m[0], m[1]
		if before, _ := utf8.DecodeLastRuneInString(s[:start]); isWordRune(before) || strings.ContainsRune("/.@#", before) {
			continue
		}
		var repl string
		switch {
		case m[2] >= 0: // matrix.to link
			link := strings.TrimRight(s[start:end], ".,;:!?)]}'")
			end = start + len(link)
			if !strings.Contains(link, "://") {
				link = "https://" + link
			}
			uri, err := id.ParseMatrixURIOrMatrixToURL(link)
			if err != nil {
				continue
			}
			switch uri.Sigil1 {
			case '@':
				users = append(users, uri.UserID())
			case '#':
				repl = aliasWord(uri.PrimaryIdentifier())
			}
		case m[4] >= 0: // user ID
			users = append(users, id.UserID(s[start:end]))
		default: // room alias
			repl = aliasWord(s[start:end])
		}
		b.WriteString(s[last:start])
		if repl == "" {
			// drop the spaces before a dropped identifier when
			// punctuation, a space or the end follows
			if r, _ := utf8.DecodeRuneInString(s[end:]); end == len(s) || unicode.IsSpace(r) || unicode.IsPunct(r) {
				trimmed := strings.TrimRight(b.String(), " \t")
				b.Reset()
				b.WriteString(trimmed)
			}
		}
		b.WriteString(repl)
		last = end
	}
	b.WriteString(s[last:])
	return b.String(), users
}

// aliasWord is "#general" for "#general:example.org".
func aliasWord(alias string) string {
	local, _, _ := strings.Cut(alias, ":")
	return local
}
