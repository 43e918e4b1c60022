package briefings

import (
	"slices"
	"strings"

	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/briefings/answer"
)

// expandTopics adds to each topic term the Dutch forms the lexicon gives
// for it, in the same class and with the same factor: an English term
// ("threat:interference") then also matches the Dutch words for it
// (inmenging, bemoeienis), the same translation questions get. Terms with
// wildcards and terms the lexicon does not know are kept as they are. An
// expression whose stop words would leave a single word ("val aan", "zich
// mengen") is left out: the classifier matches phrases without their stop
// words, and the word alone ("val", "mengen") means something else. A strong
// term names the political process and the threat at once ("election
// fraud"); its Dutch forms stay strong when they are expressions or
// compounds as well ("verkiezingsfraude", "fraude met stemmen"), and a
// plain word of the concept ("vervalst") is threat evidence only.
func expandTopics(topics []Topic, lx *answer.Lexicon) []Topic {
	out := make([]Topic, len(topics))
	for i, t := range topics {
		t.Terms = expandTerms(t.Terms, lx)
		out[i] = t
	}
	return out
}

// newLexiconClassifier is NewClassifier on the topics expanded through lx;
// the classifier still shows each topic's terms as written.
func newLexiconClassifier(topics []Topic, lx *answer.Lexicon, an *analysis.Builtin) (*Classifier, error) {
	c, err := NewClassifier(expandTopics(topics, lx), an)
	if err != nil {
		return nil, err
	}
	for i := range c.topics {
		c.topics[i].Terms = slices.Clone(topics[i].Terms)
	}
	return c, nil
}

func expandTerms(terms []string, lx *answer.Lexicon) []string {
	out := slices.Clone(terms)
	seen := map[string]bool{}
	for _, raw := range terms {
		seen[analysis.Fold(raw)] = true
	}
	for _, raw := range terms {
		class, pattern, factor := "", raw, ""
		if i := strings.IndexByte(pattern, ':'); i >= 0 {
			class, pattern = pattern[:i+1], pattern[i+1:]
		}
		if i := strings.LastIndexByte(pattern, '^'); i >= 0 {
			pattern, factor = pattern[:i], pattern[i:]
		}
		if strings.Contains(pattern, "*") {
			continue
		}
		forms, ok := lx.Translations(analysis.Fold(pattern)) // the hand-written lexicon only: the same on every machine
		if !ok {
			continue
		}
		for _, f := range forms {
			if strings.ContainsAny(f, "*^:") || f == "" || !keepsMeaning(f) {
				continue
			}
			term := class + f + factor
			if class == "strong:" && !specific(f) {
				term = "threat:" + f + factor
			}
			if !seen[analysis.Fold(term)] {
				seen[analysis.Fold(term)] = true
				out = append(out, term)
			}
		}
	}
	return out
}

// keepsMeaning reports whether a Dutch form of a lexicon concept still says
// what it means once the classifier drops its stop words: a single word, or
// an expression with two or more content words.
func keepsMeaning(form string) bool {
	words := analysis.Words(form)
	if len(words) < 2 {
		return true
	}
	content := 0
	for _, w := range words {
		if !analysis.IsStopword(w.Folded) {
			content++
		}
	}
	return content >= 2
}

// specific reports whether a Dutch form is an expression of two or more
// content words or a compound of known words: specific enough to stand for
// a strong term.
func specific(form string) bool {
	words := analysis.Words(form)
	if len(words) != 1 {
		return keepsMeaning(form)
	}
	return dutchVocabulary().split(words[0].Folded) != ""
}
