package answer

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/briefings/article"
)

// MaxPassageSentences bounds a passage that grew by merging neighbours.
const MaxPassageSentences = 5

// Passage is an excerpt of an article that retrieval found for a question:
// one or a few consecutive sentences, verbatim.
type Passage struct {
	Article article.ID
	Title   string
	Date    article.Date
	// First and Last are the indexes of the passage's first and last
	// sentences in the article's Sentences.
	First, Last int
	// Text is those sentences, joined by single spaces.
	Text string
	// Score is how much of the question the passage's best sentence
	// supports (0..1), as the built-in reader measured it.
	Score float64
}

// Retrieval is what the library found for a question, for a reader other
// than its own: the question's language and expected answer type, and the
// passages most likely to answer it, best first.
type Retrieval struct {
	Lang     string // "en" or "nl"
	Type     string // who, who-is, when, where, how-many, which, what, why, how, yes-no or other
	Passages []Passage
}

// Passages runs the retrieval for a question and returns the
// passages that best support it: the sentences the built-in reader examines,
// ranked by how much of the question each supports, each with the sentence
// before it (for the names a pronoun refers to) and the one after. Windows
// that touch in one article are merged; at most limit passages are returned
// (limit <= 0: 8). opts.Article restricts the search as in Answer. The error
// is ErrEmptyQuery for a question without words, or ctx's.
func (l *Librarian) Passages(ctx context.Context, s Corpus, questionText string, opts AskOptions, limit int) (Retrieval, error) {
	if err := ctx.Err(); err != nil {
		return Retrieval{}, err
	}
	if limit <= 0 {
		limit = 8
	}
	q := l.analyzeQuestion(strings.TrimSpace(questionText), s)
	r := Retrieval{Lang: q.Lang, Type: q.Type.String()}
	if len(q.Groups) == 0 {
		return r, ErrEmptyQuery
	}
	var restrict []DocScore
	if opts.Article != "" {
		d, ok := s.Find(opts.Article)
		if !ok {
			return r, fmt.Errorf("no article has the ID %q", opts.Article)
		}
		restrict = []DocScore{{Doc: uint32(d), Score: 1}}
	}
	ex, err := l.examine(ctx, s, &q, restrict)
	if err != nil {
		return r, err
	}
	hits := slices.Clone(ex.sentences)
	// examined in order of the cheap score; rank by the question's support
	slices.SortStableFunc(hits, func(a, b examined) int {
		if c := cmp.Compare(b.cov, a.cov); c != 0 {
			return c
		}
		return cmp.Compare(b.pre, a.pre)
	})
	for _, h := range hits {
		art := s.Article(h.doc)
		first, last := max(h.sent-1, 0), min(h.sent+1, len(art.Sentences)-1)
		covered := false
		for _, p := range r.Passages {
			if p.Article != art.ID {
				continue
			}
			if h.sent >= p.First && h.sent <= p.Last {
				covered = true
				break
			}
			// keep the window clear of the passage (never of the hit)
			if p.Last >= first && p.Last < h.sent {
				first = p.Last + 1
			}
			if p.First <= last && p.First > h.sent {
				last = p.First - 1
			}
		}
		if covered {
			continue
		}
		// a window next to a passage of the article widens it, up to
		// MaxPassageSentences
		merged := false
		for i := range r.Passages {
			p := &r.Passages[i]
			if p.Article == art.ID && (first == p.Last+1 || last == p.First-1) &&
				max(p.Last, last)-min(p.First, first)+1 <= MaxPassageSentences {
				p.First, p.Last = min(p.First, first), max(p.Last, last)
				merged = true
				break
			}
		}
		if merged || len(r.Passages) == limit {
			continue
		}
		r.Passages = append(r.Passages, Passage{Article: art.ID, Title: art.Title, Date: art.Date,
			First: first, Last: last, Score: math.Round(h.cov*1000) / 1000})
	}
	for i := range r.Passages {
		p := &r.Passages[i]
		d, _ := s.Find(p.Article)
		art := s.Article(d)
		texts := make([]string, 0, p.Last-p.First+1)
		for _, st := range art.Sentences[p.First : p.Last+1] {
			texts = append(texts, st.Text)
		}
		p.Text = strings.Join(texts, " ")
	}
	return r, nil
}

// TermSupport is one content word of a text (or an expression the lexicon
// knows, such as "intelligence services") and how well a sentence
// supports it.
type TermSupport struct {
	Term   string // as written in the text
	Name   bool   // a proper name
	Number bool   // written with digits
	// First is true for the text's first word: capitalised there, it may
	// be a name or just the start of a sentence.
	First bool
	// Match is 1 when the sentence has the word, another inflection of it,
	// a translation the lexicon gives or a Dutch spelling of the name;
	// between 0 and 1 for a part of a compound; 0 when it is absent.
	Match float64
}

// Support lists the content words of text (English or Dutch: a short
// answer, a question) with how well sentence supports each, through the
// same inflections, lexicon translations and name spellings the built-in
// reader matches questions with. A word is read both as English and as
// Dutch; the better match counts. Stop words and question words are not
// listed. Safe for concurrent use.
func (l *Librarian) Support(s Corpus, text, sentence string) []TermSupport {
	// the parts of hyphenated words count on both sides: "mid-October",
	// "EU-wet"
	text = strings.ReplaceAll(text, "-", " ")
	if h := strings.ReplaceAll(sentence, "-", " "); h != sentence {
		sentence += " " + h
	}
	words := analysis.Words(text)
	if len(words) == 0 {
		return nil
	}
	var out []TermSupport
	var spans [][2]int // out[i] covers words [spans[i][0], spans[i][1])
	for _, lang := range []string{"en", "nl"} {
		q := question{Text: text, Lang: lang, counted: -1, focus: -1, slotLeft: -1, slotRight: -1}
		q.Groups = l.buildGroups(words, make([]bool, len(words)), lang, s)
		if len(q.Groups) == 0 {
			continue
		}
		got := make([]float64, len(q.Groups))
		for _, t := range l.annotate(&q, sentence) {
			if t.group >= 0 {
				got[t.group] = max(got[t.group], t.match)
			}
			for _, gm := range t.also {
				got[gm.group] = max(got[gm.group], gm.match)
			}
		}
		for gi, g := range q.Groups {
			// a word inside an English expression ("intelligence
			// services") belongs to the expression's entry
			i := slices.IndexFunc(spans, func(sp [2]int) bool { return g.Pos >= sp[0] && g.Pos < sp[1] })
			if i < 0 {
				i = len(out)
				n := max(len(analysis.Words(g.Label)), 1)
				spans = append(spans, [2]int{g.Pos, g.Pos + n})
				out = append(out, TermSupport{Term: g.Label, First: g.Pos == 0})
			}
			ts := &out[i]
			ts.Name = ts.Name || g.Name
			ts.Number = ts.Number || g.Number
			ts.Match = max(ts.Match, min(got[gi], 1))
		}
	}
	// English words and expressions whose Dutch form is several words
	// ("public prosecution service": "openbaar ministerie", "United
	// States": "Verenigde Staten") match that phrase in the sentence
	folded := " " + strings.Join(foldedWords(sentence), " ") + " "
	for i := range words {
		for n := min(l.lex.maxPhrase, len(words)-i); n >= 1; n-- {
			parts := foldedWords(joinText(words[i : i+n]))
			nl, ok := l.lex.en[strings.Join(parts, " ")]
			if !ok && n == 1 {
				nl, ok = l.lex.translate(parts[0])
			}
			if !ok || !slices.ContainsFunc(nl, func(f string) bool {
				return strings.Contains(f, " ") && strings.Contains(folded, " "+strings.Join(foldedWords(f), " ")+" ")
			}) {
				continue
			}
			for k := range out {
				if spans[k][0] < i+n && spans[k][1] > i {
					out[k].Match = 1
				}
			}
			break
		}
	}
	// a name matches its Dutch spellings in the sentence (Putin, Poetin),
	// whether or not the index has them
	var stems map[string]bool
	for i := range out {
		if !out[i].Name || out[i].Match > 0 || spans[i][1]-spans[i][0] != 1 {
			continue
		}
		if stems == nil {
			stems = map[string]bool{}
			for _, f := range foldedWords(sentence) {
				stems[l.an.Stem(f)] = true
			}
		}
		if slices.ContainsFunc(l.nameVariants(words[spans[i][0]].Folded, nil), func(v string) bool { return stems[v] }) {
			out[i].Match = 1
		}
	}
	// numbers match by value: "3" is "drie", "three" is "3"
	var values map[float64]bool
	for i := range out {
		v, ok := numberValue(l.lex, words[spans[i][0]].Folded)
		if !ok || spans[i][1]-spans[i][0] != 1 {
			continue
		}
		out[i].Number = true
		if values == nil {
			values = map[float64]bool{}
			for _, w := range analysis.Words(sentence) {
				if sv, ok := numberValue(l.lex, w.Folded); ok {
					values[sv] = true
				}
			}
		}
		if values[v] {
			out[i].Match = 1
		}
	}
	// in the text's order
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(spans[a][0], spans[b][0]) })
	sorted := make([]TermSupport, len(out))
	for i, o := range order {
		sorted[i] = out[o]
	}
	return sorted
}

// numberValue reads a folded word as a number: digits, with "." or ","
// between groups of three ("1.000", "1,000": thousands in both languages)
// or before decimals ("36,5", "36.5"), or a number word the lexicon knows
// ("drie", "three"). "een" and "one" are left out: mostly articles.
func numberValue(lx *Lexicon, f string) (float64, bool) {
	if f == "" {
		return 0, false
	}
	if f[0] < '0' || f[0] > '9' {
		if f == "een" || f == "one" {
			return 0, false
		}
		v, ok := lx.numbers[f]
		return float64(v), ok
	}
	parts := strings.FieldsFunc(f, func(r rune) bool { return r == '.' || r == ',' })
	thousands := len(parts) > 1
	for _, p := range parts[1:] {
		thousands = thousands && len(p) == 3
	}
	digits := strings.Join(parts, "")
	if !thousands && len(parts) == 2 {
		digits = parts[0] + "." + parts[1]
	}
	v, err := strconv.ParseFloat(digits, 64)
	return v, err == nil
}

// foldedWords is s's words, folded.
func foldedWords(s string) []string {
	ws := analysis.Words(s)
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Folded
	}
	return out
}
