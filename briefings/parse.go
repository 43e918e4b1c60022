package briefings

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefings/analysis"

	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"
)

// ParseFile parses one article file by its extension:
//
//   - .txt: plain text, with an optional " date 2020-10 " prefix on the
//     first line; paragraphs separated by blank lines.
//   - .md, .markdown: YAML front matter (title, date, url, source) and a
//     Markdown body, whose markup is stripped.
//   - .json: one object or an array of objects with the fields id, title,
//     date, url, source and body.
//   - .jsonl, .ndjson: one such object per line.
//
// name is the file name as loaded (a slash-separated path relative to the
// article directory); it gives the Source and, for single-article files, the
// ID (the base name without extension). Records of .json arrays and .jsonl
// files get the ID of their id field (else "stem#n", n counting records of
// an array or lines of a JSONL file from 1) and the Source "name#id".
//
// ParseFile returns an error for an unsupported extension and for content
// that is not an article: empty, binary, not UTF-8, unparseable. Problems
// that lose only part of a file (a bad JSONL line, a bad date) do not fail
// the file: the record is skipped or left undated. LoadDir and LoadFS log
// those; ParseFile drops the notes.
func ParseFile(name string, data []byte) ([]Article, error) {
	arts, _, err := parseFile(context.Background(), name, data)
	return arts, err
}

// A parseNote is a problem that cost part of a file: a skipped record
// (Skipped) or an ignored field. Line is 0 when it is not about one line.
type parseNote struct {
	Line    int
	Reason  string
	Skipped bool
}

// parse collects the notes of one file. ctx ends the parse of a file of
// many records early (with ctx.Err()).
type parse struct {
	ctx   context.Context
	name  string
	notes []parseNote
}

// cancelled returns ctx.Err() for every cancelCheckEvery-th record.
func (p *parse) cancelled(record int) error {
	if record%cancelCheckEvery != 0 {
		return nil
	}
	return p.ctx.Err()
}

func (p *parse) note(line int, format string, args ...any) {
	p.notes = append(p.notes, parseNote{Line: line, Reason: fmt.Sprintf(format, args...)})
}

func (p *parse) skipRecord(line int, format string, args ...any) {
	p.notes = append(p.notes, parseNote{Line: line, Reason: fmt.Sprintf(format, args...), Skipped: true})
}

func parseFile(ctx context.Context, name string, data []byte) ([]Article, []parseNote, error) {
	ext := strings.ToLower(path.Ext(name))
	p := &parse{ctx: ctx, name: name}
	var parseFn func([]byte) ([]Article, error)
	switch ext {
	case ".txt":
		parseFn = p.txt
	case ".md", ".markdown":
		parseFn = p.markdown
	case ".json":
		parseFn = p.json
	case ".jsonl", ".ndjson":
		parseFn = p.jsonl
	default:
		return nil, nil, fmt.Errorf("unsupported file type %q (want .txt, .md, .json or .jsonl)", ext)
	}
	if err := checkContent(data); err != nil {
		return nil, nil, err
	}
	arts, err := parseFn(data)
	if err != nil {
		return nil, p.notes, err
	}
	return arts, p.notes, nil
}

// checkContent rejects what is not UTF-8 text with something in it. Text
// in UTF-16 or UTF-32 (by its byte order mark, or by NULs in every other
// byte) is named as such, with the command that converts it.
func checkContent(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return errors.New("file is empty")
	}
	if family, iconvName := wideEncoding(data); family != "" {
		return fmt.Errorf("file is %s text: %s is not supported: convert it to UTF-8 (iconv -f %s -t UTF-8 FILE > NEW)", family, family, iconvName)
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return fmt.Errorf("file is binary: it contains a NUL byte at offset %d", i)
	}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, n := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		return fmt.Errorf("file is not valid UTF-8 text (first bad byte at offset %d); if it is Latin-1 or Windows-1252, convert it (iconv -f WINDOWS-1252 -t UTF-8 FILE > NEW)", off)
	}
	return nil
}

// wideEncoding recognises text in UTF-32 or UTF-16: by its byte order mark,
// or, without one, by NULs in most odd (little-endian) or most even
// (big-endian) bytes of the first 4 KiB and few in the others, as in
// UTF-16 text that is mostly Latin letters. It returns the encoding's
// family ("UTF-16") and the name iconv knows it by ("UTF-16LE" without a
// mark; with one, iconv reads the byte order from it), or "" for neither.
func wideEncoding(data []byte) (family, iconvName string) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE, 0, 0}), bytes.HasPrefix(data, []byte{0, 0, 0xFE, 0xFF}):
		return "UTF-32", "UTF-32"
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return "UTF-16", "UTF-16"
	}
	sample := data[:min(len(data), 4096)&^1]
	pairs := len(sample) / 2
	if pairs == 0 {
		return "", ""
	}
	even, odd := 0, 0
	for i := 0; i < len(sample); i += 2 {
		if sample[i] == 0 {
			even++
		}
		if sample[i+1] == 0 {
			odd++
		}
	}
	switch {
	case odd*10 >= pairs*4 && even*10 <= pairs:
		return "UTF-16", "UTF-16LE"
	case even*10 >= pairs*4 && odd*10 <= pairs:
		return "UTF-16", "UTF-16BE"
	}
	return "", ""
}

// stem is the base name without its extension.
func stem(name string) string {
	base := path.Base(name)
	return strings.TrimSuffix(base, path.Ext(base))
}

// datePrefix matches the optional date prefix of .txt articles, after
// normalisation (leading space trimmed): "date 2020-10 Rusland …".
var datePrefix = regexp.MustCompile(`^(?i:date)[ ]+([0-9][0-9A-Za-z:+.\-]*)(?:[ \n]|$)`)

func (p *parse) txt(data []byte) ([]Article, error) {
	text := NormalizeText(string(data))
	var date Date
	if m := datePrefix.FindStringSubmatchIndex(text); m != nil {
		raw := text[m[2]:m[3]]
		d, err := ParseDate(raw)
		if err != nil {
			p.note(1, "date prefix ignored, article left undated: %v", err)
		} else {
			date = d
		}
		text = text[m[1]:]
	}
	var paras []rawPara
	for _, s := range splitParagraphs(text) {
		paras = append(paras, rawPara{text: s})
	}
	a, err := buildArticle(articleMeta{ID: ArticleID(stem(p.name)), Source: p.name, Date: date}, paras)
	if err != nil {
		return nil, err
	}
	return []Article{a}, nil
}

// frontMatter is the YAML header of a Markdown article.
type frontMatter struct {
	Title  string `yaml:"title"`
	Date   string `yaml:"date"`
	URL    string `yaml:"url"`
	Source string `yaml:"source"`
}

func (p *parse) markdown(data []byte) ([]Article, error) {
	// the front matter keeps its indentation: only line ends are normalised
	text := strings.TrimPrefix(string(data), "\uFEFF")
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	meta := articleMeta{ID: ArticleID(stem(p.name)), Source: p.name}
	body := text
	if lines := strings.Split(text, "\n"); strings.TrimSpace(lines[0]) == "---" {
		end := -1
		for i := 1; i < len(lines); i++ {
			if l := strings.TrimRight(lines[i], " \t"); l == "---" || l == "..." {
				end = i
				break
			}
		}
		if end < 0 {
			return nil, errors.New("front matter opened with --- is never closed")
		}
		header := strings.Join(lines[1:end], "\n")
		body = strings.Join(lines[end+1:], "\n")
		var fm frontMatter
		if err := yaml.Unmarshal([]byte(header), &fm); err != nil {
			return nil, fmt.Errorf("front matter is not valid YAML: %w", err)
		}
		meta.Title = collapseSpaces(stripInline(NormalizeText(fm.Title)))
		meta.URL = strings.TrimSpace(fm.URL)
		meta.Publisher = collapseSpaces(NormalizeText(fm.Source))
		if d, err := ParseDate(fm.Date); err != nil {
			p.note(0, "front matter date ignored, article left undated: %v", err)
		} else {
			meta.Date = d
		}
	}
	a, err := buildArticle(meta, markdownParagraphs(NormalizeText(body)))
	if err != nil {
		return nil, err
	}
	return []Article{a}, nil
}

// jsonRecord is one article of a .json or .jsonl file.
type jsonRecord struct {
	ID     json.RawMessage `json:"id"`
	Title  string          `json:"title"`
	Date   json.RawMessage `json:"date"`
	URL    string          `json:"url"`
	Source string          `json:"source"`
	Body   string          `json:"body"`
}

// scalarString renders a JSON string or number as text; null or absent is "".
func scalarString(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return strings.TrimSpace(s), nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	return "", fmt.Errorf("%s is neither a string nor a number", raw)
}

// record turns one JSON record into an Article. n numbers the record within
// its file (from 1); multi is false for a file holding a single object.
func (p *parse) record(rec jsonRecord, n int, multi bool, line int) (Article, error) {
	id, err := scalarString(rec.ID)
	if err != nil {
		return Article{}, fmt.Errorf("field id: %w", err)
	}
	id = collapseSpaces(NormalizeText(id))
	meta := articleMeta{
		Title:     collapseSpaces(NormalizeText(rec.Title)),
		URL:       strings.TrimSpace(rec.URL),
		Publisher: collapseSpaces(NormalizeText(rec.Source)),
	}
	switch {
	case !multi && id == "":
		meta.ID, meta.Source = ArticleID(stem(p.name)), p.name
	case !multi:
		meta.ID, meta.Source = ArticleID(id), p.name
	case id == "":
		id = stem(p.name) + "#" + strconv.Itoa(n)
		meta.ID, meta.Source = ArticleID(id), p.name+"#"+strconv.Itoa(n)
	default:
		meta.ID, meta.Source = ArticleID(id), p.name+"#"+id
	}
	date, err := scalarString(rec.Date)
	if err != nil {
		return Article{}, fmt.Errorf("field date: %w", err)
	}
	if d, err := ParseDate(date); err != nil {
		p.note(line, "record %s: date ignored, article left undated: %v", meta.ID, err)
	} else {
		meta.Date = d
	}
	if strings.TrimSpace(rec.Body) == "" {
		return Article{}, errors.New("field body is missing or empty")
	}
	var paras []rawPara
	for _, s := range splitParagraphs(NormalizeText(rec.Body)) {
		paras = append(paras, rawPara{text: s})
	}
	return buildArticle(meta, paras)
}

func (p *parse) json(data []byte) ([]Article, error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\uFEFF")))
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var recs []json.RawMessage
		if err := json.Unmarshal(trimmed, &recs); err != nil {
			return nil, fmt.Errorf("not a JSON array of articles: %w", err)
		}
		var out []Article
		for i, raw := range recs {
			if err := p.cancelled(i); err != nil {
				return nil, err
			}
			var rec jsonRecord
			if err := json.Unmarshal(raw, &rec); err != nil {
				p.skipRecord(0, "record %d skipped: %v", i+1, err)
				continue
			}
			a, err := p.record(rec, i+1, true, 0)
			if err != nil {
				p.skipRecord(0, "record %d skipped: %v", i+1, err)
				continue
			}
			out = append(out, a)
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("no usable article among %d records", len(recs))
		}
		return out, nil
	}
	var rec jsonRecord
	if err := json.Unmarshal(trimmed, &rec); err != nil {
		return nil, fmt.Errorf("not a JSON article object: %w", err)
	}
	a, err := p.record(rec, 1, false, 0)
	if err != nil {
		return nil, err
	}
	return []Article{a}, nil
}

func (p *parse) jsonl(data []byte) ([]Article, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	var out []Article
	lines := 0
	for i, line := range bytes.Split(data, []byte("\n")) {
		if err := p.cancelled(i); err != nil {
			return nil, err
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		lines++
		var rec jsonRecord
		if err := json.Unmarshal(line, &rec); err != nil {
			p.skipRecord(i+1, "line %d skipped: %v", i+1, err)
			continue
		}
		a, err := p.record(rec, i+1, true, i+1)
		if err != nil {
			p.skipRecord(i+1, "line %d skipped: %v", i+1, err)
			continue
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no usable article among %d lines", lines)
	}
	return out, nil
}

// articleMeta is what a format says about an article besides its body.
type articleMeta struct {
	ID        ArticleID
	Source    string
	Title     string
	Date      Date
	URL       string
	Publisher string
}

// rawPara is a paragraph before classification. kind forces the heading
// decision: kindAuto applies the subheading heuristic.
type rawPara struct {
	text string
	kind paraKind
}

type paraKind int

const (
	kindAuto paraKind = iota
	kindHeading
	kindBody
)

// buildArticle classifies paragraphs, splits sentences, drops a repeated
// copy of the body and derives the title and hash.
func buildArticle(meta articleMeta, raw []rawPara) (Article, error) {
	var paras []Paragraph
	var kinds []paraKind
	for _, r := range raw {
		t := fixMissingSpaces(collapseSpaces(r.text))
		if t == "" {
			continue
		}
		paras = append(paras, Paragraph{Text: t})
		kinds = append(kinds, r.kind)
	}
	if len(paras) == 0 {
		return Article{}, errors.New("article has no text")
	}
	// A subheading is a short line followed by a body paragraph; decided
	// from the end so that the last paragraph is never a heading.
	nextIsBody := false
	for i := len(paras) - 1; i >= 0; i-- {
		switch kinds[i] {
		case kindHeading:
			paras[i].Heading = true
		case kindAuto:
			paras[i].Heading = nextIsBody && isHeadingLike(paras[i].Text)
		}
		nextIsBody = !paras[i].Heading
	}
	var sents []Sentence
	var spans [][2]int // byte range of each sentence in its paragraph
	for i, p := range paras {
		if p.Heading {
			continue
		}
		for _, sp := range sentenceSpans(p.Text) {
			sents = append(sents, Sentence{Text: p.Text[sp[0]:sp[1]], Paragraph: i})
			spans = append(spans, sp)
		}
	}
	paras, sents = dropRepeatedTail(paras, sents, spans)
	a := Article{
		ID:         meta.ID,
		Source:     meta.Source,
		Title:      meta.Title,
		Date:       meta.Date,
		URL:        meta.URL,
		Publisher:  meta.Publisher,
		Paragraphs: paras,
		Sentences:  sents,
	}
	if a.Title == "" {
		switch {
		case paras[0].Heading:
			a.Title = deriveTitle(paras[0].Text)
		case len(sents) > 0:
			a.Title = deriveTitle(sents[0].Text)
		default:
			a.Title = deriveTitle(paras[0].Text)
		}
	}
	if a.Title == "" {
		a.Title = string(a.ID)
	}
	a.Hash = bodyHash(paras)
	return a, nil
}

// foldedBody is the body folded to lower case without diacritics,
// punctuation or white space: the text two copies of an article share.
func foldedBody(paras []Paragraph) []byte {
	n := 0
	for _, p := range paras {
		n += len(p.Text)
	}
	out := make([]byte, 0, n)
	for _, p := range paras {
		out = appendLoose(out, p.Text)
	}
	return out
}

// appendLoose appends the letters and digits of s to dst, lower-cased and
// without diacritics.
func appendLoose(dst []byte, s string) []byte {
	for _, r := range s {
		if r < utf8.RuneSelf {
			switch {
			case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
				dst = append(dst, byte(r))
			case 'A' <= r && r <= 'Z':
				dst = append(dst, byte(r)+'a'-'A')
			}
			continue
		}
		if !analysis.IsWordRune(r) || unicode.Is(unicode.Mn, r) {
			continue
		}
		if d := norm.NFD.PropertiesString(string(r)).Decomposition(); len(d) > 0 {
			r, _ = utf8.DecodeRune(d) // the base letter of "ë"
		}
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}

// bodyHash fingerprints the folded body (128 bits of SHA-256, hex).
func bodyHash(paras []Paragraph) string {
	sum := sha256.Sum256(foldedBody(paras))
	return hex.EncodeToString(sum[:16])
}

// Repeated bodies: some exports append the whole body a second time, run
// together into one paragraph. The tail is dropped when it repeats, word for
// word (folded), a run of text that comes before it, and is at least
// minRepeatWords words and minRepeatSentences sentences long. Subheadings
// missing from the copy are allowed.
const (
	minRepeatWords     = 20
	minRepeatSentences = 2
	maxRepeatProbes    = 64
)

type streamWord struct {
	key  string
	unit int // index into units
}

// unit is one sentence or one heading paragraph.
type unit struct {
	para    int
	sent    int // index into sents; -1 for a heading
	first   int // index of its first word in the stream
	heading bool
}

func dropRepeatedTail(paras []Paragraph, sents []Sentence, spans [][2]int) ([]Paragraph, []Sentence) {
	if len(sents) < 2*minRepeatSentences || !lastSentenceRepeats(sents) {
		return paras, sents
	}
	var stream []streamWord
	var units []unit
	si := 0
	for pi, p := range paras {
		if p.Heading {
			units = append(units, unit{para: pi, sent: -1, first: len(stream), heading: true})
			for _, w := range analysis.Words(p.Text) {
				stream = append(stream, streamWord{key: w.Folded, unit: len(units) - 1})
			}
			continue
		}
		for ; si < len(sents) && sents[si].Paragraph == pi; si++ {
			units = append(units, unit{para: pi, sent: si, first: len(stream)})
			for _, w := range analysis.Words(sents[si].Text) {
				stream = append(stream, streamWord{key: w.Folded, unit: len(units) - 1})
			}
		}
	}
	n := len(stream)
	if n < 2*minRepeatWords {
		return paras, sents
	}
	best := n // start of the longest repeated tail found
	probes := 0
	for p := n - 2; p >= 0 && probes < maxRepeatProbes; p-- {
		if stream[p].key != stream[n-1].key {
			continue
		}
		probes++
		i, j := n-1, p
		for i > p && j >= 0 {
			if stream[i].key == stream[j].key {
				i--
				j--
				continue
			}
			if u := units[stream[j].unit]; u.heading {
				// the copy lacks this subheading: skip it in the original
				j = u.first - 1
				continue
			}
			break
		}
		if i+1 < best {
			best = i + 1
		}
	}
	if n-best < minRepeatWords {
		return paras, sents
	}
	// drop whole units only: start at the first unit that begins in the tail
	cut := stream[best].unit
	if units[cut].first < best {
		cut++
	}
	if cut >= len(units) || cut == 0 {
		return paras, sents
	}
	dropped := 0
	for _, u := range units[cut:] {
		if !u.heading {
			dropped++
		}
	}
	if dropped < minRepeatSentences || n-units[cut].first < minRepeatWords {
		return paras, sents
	}
	u := units[cut]
	if u.heading {
		return paras[:u.para], sents[:firstSentenceFrom(sents, u.para)]
	}
	keepSents := sents[:u.sent]
	if u.sent > 0 && sents[u.sent-1].Paragraph == u.para {
		// the copy starts inside a paragraph: keep the paragraph's head
		paras = paras[:u.para+1]
		paras[u.para].Text = strings.TrimSpace(paras[u.para].Text[:spans[u.sent][0]])
		return paras, keepSents
	}
	return paras[:u.para], keepSents
}

// lastSentenceRepeats reports whether the last sentence occurs earlier
// (folded, without punctuation or spaces): a cheap test that a repeated
// copy of the body may end the text.
func lastSentenceRepeats(sents []Sentence) bool {
	last := sents[len(sents)-1].Text
	var key, buf []byte
	key = appendLoose(key, last)
	for _, s := range sents[:len(sents)-1] {
		if l := len(s.Text); l < len(last)*3/4 || l > len(last)*4/3+8 {
			continue
		}
		buf = appendLoose(buf[:0], s.Text)
		if bytes.Equal(buf, key) {
			return true
		}
	}
	return false
}

// firstSentenceFrom returns the index of the first sentence in paragraph
// para or later.
func firstSentenceFrom(sents []Sentence, para int) int {
	for i, s := range sents {
		if s.Paragraph >= para {
			return i
		}
	}
	return len(sents)
}

// Markdown block syntax, on normalised (trimmed) lines.
var (
	mdATXHeading = regexp.MustCompile(`^#{1,6}(?: +(.*?))?(?: +#+)? *$`)
	mdListItem   = regexp.MustCompile(`^(?:[-*+]|[0-9]{1,9}[.)]) +`)
	mdRule       = regexp.MustCompile(`^(?:(?:\* *){3,}|(?:- *){3,}|(?:_ *){3,})$`)
	mdSetext     = regexp.MustCompile(`^(?:=+|-+)$`)
	mdLinkDef    = regexp.MustCompile(`^\[[^\]]+\]: *\S+`)
	mdFence      = regexp.MustCompile("^(?:```|~~~)")
)

// markdownParagraphs turns a Markdown body into paragraphs: ATX and setext
// headings become headings, list items and quotes body paragraphs without
// their markers, code fences plain text; inline markup is stripped.
func markdownParagraphs(body string) []rawPara {
	var out []rawPara
	var cur []string
	kind := kindAuto
	flush := func() {
		if len(cur) > 0 {
			if t := collapseSpaces(stripInline(strings.Join(cur, " "))); t != "" {
				out = append(out, rawPara{text: t, kind: kind})
			}
		}
		cur, kind = cur[:0], kindAuto
	}
	inFence := false
	for line := range strings.SplitSeq(body, "\n") {
		if mdFence.MatchString(line) {
			flush()
			inFence = !inFence
			continue
		}
		if inFence {
			if line == "" {
				flush()
			} else {
				cur = append(cur, line)
			}
			continue
		}
		for strings.HasPrefix(line, ">") {
			line = strings.TrimSpace(line[1:])
		}
		switch {
		case line == "":
			flush()
		case strings.HasPrefix(line, "<!--") && strings.HasSuffix(line, "-->"):
		case mdLinkDef.MatchString(line):
		case mdSetext.MatchString(line) && len(cur) == 1 && kind == kindAuto:
			kind = kindHeading
			flush()
		case mdRule.MatchString(line):
			flush()
		case mdATXHeading.MatchString(line):
			flush()
			cur = append(cur, mdATXHeading.FindStringSubmatch(line)[1])
			kind = kindHeading
			flush()
		case mdListItem.MatchString(line):
			flush()
			cur = append(cur, line[len(mdListItem.FindString(line)):])
			kind = kindBody
		default:
			cur = append(cur, line)
		}
	}
	flush()
	return out
}

// Markdown inline syntax.
var (
	mdEscape   = regexp.MustCompile(`\\([\\` + "`" + `*_{}\[\]()#+\-.!>~|])`)
	mdImage    = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	mdLink     = regexp.MustCompile(`\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])`)
	mdAutolink = regexp.MustCompile(`<((?:https?|mailto):[^>\s]+)>`)
	mdHTMLTag  = regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>`)
	mdCode     = regexp.MustCompile("`+([^`]*)`+")
	mdStrong   = regexp.MustCompile(`\*\*(\S(?:.*?\S)?)\*\*`)
	mdStrongU  = regexp.MustCompile(`(^|[^\pL\pN_])__(\S(?:.*?\S)?)__([^\pL\pN_]|$)`)
	mdEmph     = regexp.MustCompile(`\*(\S(?:[^*]*?\S)?)\*`)
	mdEmphU    = regexp.MustCompile(`(^|[^\pL\pN_])_(\S(?:[^_]*?\S)?)_([^\pL\pN_]|$)`)
	mdStrike   = regexp.MustCompile(`~~(\S(?:.*?\S)?)~~`)
)

// stripInline removes Markdown inline markup: links and images become their
// text, emphasis and code marks go, escaped characters stay literal.
func stripInline(s string) string {
	if !strings.ContainsAny(s, "\\[]*_`<~!") {
		return s
	}
	// escaped characters hide in the private use area until the end
	s = mdEscape.ReplaceAllStringFunc(s, func(m string) string { return string(rune(escapeBase + rune(m[1]))) })
	s = mdImage.ReplaceAllString(s, "$1")
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdAutolink.ReplaceAllString(s, "$1")
	s = mdHTMLTag.ReplaceAllString(s, "")
	s = mdCode.ReplaceAllString(s, "$1")
	s = mdStrong.ReplaceAllString(s, "$1")
	s = mdStrongU.ReplaceAllString(s, "$1$2$3")
	s = mdEmph.ReplaceAllString(s, "$1")
	s = mdEmphU.ReplaceAllString(s, "$1$2$3")
	s = mdStrike.ReplaceAllString(s, "$1")
	return strings.Map(func(r rune) rune {
		if r >= escapeBase && r < escapeBase+0x80 {
			return r - escapeBase
		}
		return r
	}, s)
}

// escapeBase is where stripInline parks escaped ASCII characters.
const escapeBase = 0xE000
