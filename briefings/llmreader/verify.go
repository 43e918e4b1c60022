package llmreader

import (
	"slices"
	"strings"
	"unicode"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/analysis"

	"golang.org/x/text/unicode/norm"
)

// Why a model's reply was not shown (the reason label of
// briefbot_llm_rejections_total).
const (
	RejectIncomplete  = "incomplete"         // an answer without quote or article, or an empty one
	RejectTooLong     = "answer_too_long"    // not a short answer
	RejectArticle     = "unknown_article"    // an article it was not given
	RejectQuote       = "quote_not_found"    // the quote is not in the article, nor close to a sentence of it
	RejectQuoteLength = "quote_too_long"     // the quote spans more than maxQuoteSentences sentences
	RejectIrrelevant  = "irrelevant_quote"   // the quote shares nothing with the question
	RejectInstruction = "instruction_quote"  // the quote tells a model what to do ("ignore previous instructions")
	RejectType        = "wrong_answer_type"  // a bare number for who or where
	RejectUnsupported = "unsupported_answer" // the quote does not support the answer
)

var rejectReasons = []string{RejectIncomplete, RejectTooLong, RejectArticle, RejectQuote, RejectQuoteLength,
	RejectIrrelevant, RejectInstruction, RejectType, RejectUnsupported}

// Verification thresholds.
const (
	// QuoteSimilarity is the least similarity (2·LCS/(m+n) over the folded
	// words) between a quote not found verbatim and the article sentence
	// that then replaces it.
	QuoteSimilarity = 0.8
	// MinQuoteWords is the fewest words a quote found verbatim must have;
	// shorter ones (a name) prove nothing and must match a whole sentence
	// by similarity.
	MinQuoteWords = 4
	// AnswerSupport is the least share of the answer's content words the
	// quote must support (names and numbers must all be supported).
	AnswerSupport = 0.6
	// maxAnswerRunes bounds a short answer.
	maxAnswerRunes = 200
	// maxQuoteSentences bounds the sentences one quote may span.
	maxQuoteSentences = 3
)

// verdict is the outcome of verifying a reply that answers.
type verdict struct {
	reject string // "" when accepted
	detail string // for the debug log
	answer string
	art    briefings.Article
	quote  string // the article's own sentence(s)
	// confirmed is true when the built-in reader gave the same answer.
	confirmed bool
}

// supporter is what verification needs of the library.
type supporter interface {
	Article(id briefings.ArticleID) (briefings.Article, bool)
	Support(text, sentence string) []briefings.TermSupport
}

// verify checks a reply that answers (rep.Answer != nil) against the
// passages it was given and the articles: see the package documentation.
func verify(lib supporter, question string, ret briefings.Retrieval, given []briefings.Passage, rep modelReply, builtin briefings.Answer) verdict {
	v := verdict{answer: cleanAnswer(*rep.Answer)}
	switch {
	case v.answer == "" || rep.Quote == nil || strings.TrimSpace(*rep.Quote) == "" || rep.Article == nil:
		v.reject = RejectIncomplete
		return v
	case len([]rune(v.answer)) > maxAnswerRunes:
		v.reject = RejectTooLong
		return v
	}
	id := briefings.ArticleID(strings.TrimSpace(*rep.Article))
	art, ok := lib.Article(id)
	if !ok || !slices.ContainsFunc(given, func(p briefings.Passage) bool { return p.Article == id }) {
		v.reject, v.detail = RejectArticle, string(id)
		return v
	}
	v.art = art
	first, last, how := locateQuote(art, *rep.Quote)
	switch {
	case first < 0:
		v.reject, v.detail = RejectQuote, how
		return v
	case last-first+1 > maxQuoteSentences:
		v.reject = RejectQuoteLength
		return v
	}
	texts := make([]string, 0, last-first+1)
	for _, s := range art.Sentences[first : last+1] {
		texts = append(texts, s.Text)
	}
	v.quote = strings.Join(texts, " ")
	v.confirmed = builtin.Answered && agree(builtin.Text, v.answer)

	if instruction(v.quote) {
		v.reject = RejectInstruction
		return v
	}
	// the quote, with the sentence before it (for a pronoun) and the
	// article's title (for the subject), must be about the question
	context := art.Title + " " + v.quote
	if first > 0 {
		context = art.Title + " " + art.Sentences[first-1].Text + " " + v.quote
	}
	if !anyMatch(lib.Support(question, context)) && !v.confirmed {
		v.reject = RejectIrrelevant
		return v
	}
	terms := lib.Support(v.answer, v.quote)
	if (ret.Type == "who" || ret.Type == "where") && allNumbers(v.answer, terms) && !v.confirmed {
		v.reject = RejectType
		return v
	}
	if pol, ok := polarity(v.answer); ok {
		// yes or no is never in the quote's words: only the built-in
		// reader can confirm it
		if bpol, bok := polarity(builtin.Text); !builtin.Answered || !bok || bpol != pol {
			v.reject, v.detail = RejectUnsupported, "yes/no not confirmed"
		}
		return v
	}
	if !supported(terms) && !v.confirmed {
		v.reject = RejectUnsupported
		return v
	}
	return v
}

// cleanAnswer trims the answer, folds its white space and drops control
// characters, wrapping quotes and a final full stop.
func cleanAnswer(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	s = strings.Trim(s, "\"'“”„‘’«» ")
	s = strings.TrimSuffix(s, ".")
	return strings.TrimSpace(s)
}

// supported reports whether the quote supports the answer's words: every
// name and number (but a capitalised first word of a longer answer, which
// may just start the phrase) and at least AnswerSupport of all.
func supported(terms []briefings.TermSupport) bool {
	if len(terms) == 0 {
		return false
	}
	hit := 0
	for _, t := range terms {
		required := t.Number || (t.Name && !(t.First && len(terms) > 1))
		if t.Match >= 0.5 {
			hit++
		} else if required {
			return false
		}
	}
	return float64(hit) >= AnswerSupport*float64(len(terms))
}

func anyMatch(terms []briefings.TermSupport) bool {
	return slices.ContainsFunc(terms, func(t briefings.TermSupport) bool { return t.Match > 0 })
}

// allNumbers reports whether the answer is nothing but numbers.
func allNumbers(answer string, terms []briefings.TermSupport) bool {
	if len(terms) == 0 {
		return strings.ContainsFunc(answer, unicode.IsDigit) && !strings.ContainsFunc(answer, unicode.IsLetter)
	}
	for _, t := range terms {
		if !t.Number {
			return false
		}
	}
	return true
}

// polarity reads a yes/no answer: "Yes", "Nee, …".
func polarity(s string) (yes bool, ok bool) {
	w := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) })
	if len(w) == 0 {
		return false, false
	}
	switch w[0] {
	case "yes", "ja":
		return true, true
	case "no", "nee":
		return false, true
	}
	return false, false
}

// agree reports whether the built-in reader's answer confirms the model's:
// the model's words, folded, are the built-in answer's or a part of them
// ("Trump" of "Donald Trump"). A model's answer that says more ("Donald
// Trump, on 17 November") is not confirmed by it.
func agree(builtin, model string) bool {
	nb, nm := " "+strings.Join(foldWords(builtin), " ")+" ", " "+strings.Join(foldWords(model), " ")+" "
	if strings.TrimSpace(nb) == "" || strings.TrimSpace(nm) == "" {
		return false
	}
	return strings.Contains(nb, nm)
}

// foldWords is s's words, folded (lower case, no diacritics).
func foldWords(s string) []string {
	ws := analysis.Words(s)
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Folded
	}
	return out
}

// normalizeQuote lower-cases s, removes diacritics, writes every quotation
// mark as " or ', every dash as -, "…" as "...", and folds white space.
func normalizeQuote(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsSpace(r) || r == '\u00a0' || r == '\u200b':
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		switch r {
		case '“', '”', '„', '‟', '«', '»', '″':
			b.WriteByte('"')
		case '‘', '’', '‚', '‛', '′', '`', '´':
			b.WriteByte('\'')
		case '–', '—', '‐', '‑', '‒', '−':
			b.WriteByte('-')
		case '…':
			b.WriteString("...")
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// locateQuote finds the article sentences a quote comes from: verbatim
// after normalizeQuote (fragments around an ellipsis in order), when it has
// at least MinQuoteWords words; else the article's most similar sentence
// when its similarity is at least QuoteSimilarity. first is -1 when
// neither; how says why, for the log.
func locateQuote(art briefings.Article, quote string) (first, last int, how string) {
	nq := strings.Trim(normalizeQuote(quote), "\"' .,;:")
	starts := make([]int, len(art.Sentences)) // offsets in text
	var b strings.Builder
	for i, s := range art.Sentences {
		if i > 0 {
			b.WriteByte(' ')
		}
		starts[i] = b.Len()
		b.WriteString(normalizeQuote(s.Text))
	}
	text := b.String()
	if len(analysis.Words(nq)) >= MinQuoteWords {
		var frags []string
		for f := range strings.SplitSeq(nq, "...") {
			if f = strings.Trim(f, "\"' .,;:[]()"); f != "" {
				frags = append(frags, f)
			}
		}
		pos, lo, hi := 0, -1, -1
		for _, f := range frags {
			i := strings.Index(text[pos:], f)
			if i < 0 {
				lo = -1
				break
			}
			if lo < 0 {
				lo = pos + i
			}
			pos += i + len(f)
			hi = pos
		}
		if lo >= 0 && len(frags) > 0 {
			sentAt := func(off int) int {
				i, _ := slices.BinarySearch(starts, off+1)
				return max(i-1, 0)
			}
			return sentAt(lo), sentAt(hi - 1), "verbatim"
		}
	}
	// not verbatim: the closest single sentence
	qw := foldWords(quote)
	best, bestSim := -1, 0.0
	for i, s := range art.Sentences {
		if sim := similarity(qw, foldWords(s.Text)); sim > bestSim {
			best, bestSim = i, sim
		}
	}
	if best >= 0 && bestSim >= QuoteSimilarity {
		return best, best, "similar"
	}
	return -1, -1, "not in the article"
}

// similarity is 2·LCS(a, b)/(len(a)+len(b)) over word sequences: 1 for
// equal sequences, 0 for nothing in common.
func similarity(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i-1] == b[j-1]:
				cur[j] = prev[j-1] + 1
			case prev[j] >= cur[j-1]:
				cur[j] = prev[j]
			default:
				cur[j] = cur[j-1]
			}
		}
		prev, cur = cur, prev
	}
	return 2 * float64(prev[len(b)]) / float64(len(a)+len(b))
}

// instruction reports whether a sentence addresses a language model rather
// than the reader: it names instructions or a prompt together with a verb
// telling to ignore or forget them ("Negeer alle eerdere instructies",
// "Ignore previous instructions"). Such a sentence in an article is an
// attempt to steer the model, and answers quoting it are refused.
func instruction(sentence string) bool {
	var noun, verb bool
	for _, w := range foldWords(sentence) {
		switch {
		case strings.HasPrefix(w, "instructie") || strings.HasPrefix(w, "instruction") || w == "prompt" || w == "prompts" ||
			w == "systeemprompt" || w == "opdrachten":
			noun = true
		case injectionVerbs[w]:
			verb = true
		}
	}
	return noun && verb
}

var injectionVerbs = map[string]bool{"ignore": true, "disregard": true, "forget": true, "override": true,
	"negeer": true, "negeren": true, "vergeet": true, "vergeten": true, "antwoord": true, "answer": true, "reply": true}
