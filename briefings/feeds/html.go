package feeds

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/briefbot/briefbot/briefings"
)

// HTMLParagraphs turns a feed item's HTML body into paragraphs: block
// elements (p, div, li, blockquote, figcaption, …) and line breaks end a
// paragraph, h1–h6 become headings, entities are decoded, and scripts,
// styles, embedded frames, forms and images leave no text. Text without any
// markup is split at blank lines. The result may be empty.
func HTMLParagraphs(s string) []briefings.Paragraph {
	if !strings.ContainsAny(s, "<&") {
		return plainParagraphs(s)
	}
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		// x/net/html recovers from any markup; an error is a reader error
		return plainParagraphs(html.UnescapeString(s))
	}
	w := htmlWalker{}
	for _, n := range nodes {
		w.walk(n)
	}
	w.flush()
	return w.out
}

// HTMLText is the text of an HTML fragment on one line (a title that carries
// markup or entities).
func HTMLText(s string) string {
	var parts []string
	for _, p := range HTMLParagraphs(s) {
		parts = append(parts, p.Text)
	}
	return strings.Join(parts, " ")
}

func plainParagraphs(s string) []briefings.Paragraph {
	var out []briefings.Paragraph
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, p := range strings.Split(s, "\n\n") {
		if t := strings.Join(strings.Fields(p), " "); t != "" {
			out = append(out, briefings.Paragraph{Text: t})
		}
	}
	return out
}

type htmlWalker struct {
	out     []briefings.Paragraph
	cur     strings.Builder
	heading bool
}

// skipped elements hold no article text.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Iframe: true, atom.Object: true,
	atom.Embed: true, atom.Svg: true, atom.Math: true, atom.Form: true, atom.Button: true, atom.Select: true,
	atom.Textarea: true, atom.Template: true, atom.Video: true, atom.Audio: true, atom.Picture: true,
	atom.Img: true, atom.Head: true, atom.Title: true,
	// a figure is a picture and its caption, not the article's text
	atom.Figure: true,
}

// blocks end the paragraph before and after them.
var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Li: true, atom.Ul: true, atom.Ol: true, atom.Blockquote: true,
	atom.Section: true, atom.Article: true, atom.Aside: true, atom.Header: true, atom.Footer: true,
	atom.Figure: true, atom.Figcaption: true, atom.Table: true, atom.Tr: true, atom.Pre: true,
	atom.Dl: true, atom.Dt: true, atom.Dd: true, atom.Hr: true, atom.Address: true, atom.Main: true,
	atom.Nav: true, atom.Details: true, atom.Summary: true,
}

func isHeading(a atom.Atom) bool {
	switch a {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

func (w *htmlWalker) flush() {
	t := strings.Join(strings.Fields(w.cur.String()), " ")
	w.cur.Reset()
	if t != "" {
		w.out = append(w.out, briefings.Paragraph{Text: t, Heading: w.heading})
	}
}

func (w *htmlWalker) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.cur.WriteString(n.Data)
		return
	case html.ElementNode:
		if skipped[n.DataAtom] {
			return
		}
		switch {
		case n.DataAtom == atom.Br:
			w.flush()
			return
		case isHeading(n.DataAtom):
			w.flush()
			w.heading = true
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				w.walk(c)
			}
			w.flush()
			w.heading = false
			return
		case blocks[n.DataAtom]:
			w.flush()
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				w.walk(c)
			}
			w.flush()
			return
		case n.DataAtom == atom.Td || n.DataAtom == atom.Th:
			w.cur.WriteByte(' ')
		}
	case html.CommentNode, html.DoctypeNode:
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
}
