package briefings

import (
	"slices"
	"strings"
)

// expandTopics adds to each topic term the Dutch forms the lexicon gives
// for it, in the same class and with the same factor: an English term
// ("threat:interference") then also matches the Dutch words for it
// (inmenging, bemoeienis), the same translation questions get. Terms with
// wildcards and terms the lexicon does not know are kept as they are.
func expandTopics(topics []Topic, lx *Lexicon) []Topic {
	out := make([]Topic, len(topics))
	for i, t := range topics {
		t.Terms = expandTerms(t.Terms, lx)
		out[i] = t
	}
	return out
}

// newLexiconClassifier is NewClassifier on the topics expanded through lx;
// the classifier still shows each topic's terms as written.
func newLexiconClassifier(topics []Topic, lx *Lexicon, an *Analyzer) (*Classifier, error) {
	c, err := NewClassifier(expandTopics(topics, lx), an)
	if err != nil {
		return nil, err
	}
	for i := range c.topics {
		c.topics[i].Terms = slices.Clone(topics[i].Terms)
	}
	return c, nil
}

func expandTerms(terms []string, lx *Lexicon) []string {
	out := slices.Clone(terms)
	seen := map[string]bool{}
	for _, raw := range terms {
		seen[Fold(raw)] = true
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
		forms, ok := lx.en[Fold(pattern)] // the hand-written lexicon only: the same on every machine
		if !ok {
			continue
		}
		for _, f := range forms {
			if strings.ContainsAny(f, "*^:") || f == "" {
				continue
			}
			term := class + f + factor
			if !seen[Fold(term)] {
				seen[Fold(term)] = true
				out = append(out, term)
			}
		}
	}
	return out
}
