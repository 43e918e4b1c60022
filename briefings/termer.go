package briefings

import (
	"strings"
)

// A termer computes terms as (*Analyzer).Terms does, for one goroutine of
// the index build: it remembers, for the words it has met, whether each is
// a stop word and what its stem is, in a memo of its own, so that the
// common case (a word met before) costs one map look-up, with no folding,
// no lock on the Analyzer's shared cache and no allocation. A word it has
// not met yet is folded, checked with IsStopword and stemmed with
// (*Analyzer).Stem as Terms does it, so its terms are Terms' terms, byte
// for byte.
//
// A termer is not safe for concurrent use: make one per goroutine with
// (*Analyzer).newTermer (one per index build goroutine, kept for all its
// articles). Termers of one Analyzer may run concurrently (they
// share only the Analyzer, which is safe for concurrent use). The memo is
// bounded (maxTermerMemo words); a termer holds no references to the texts
// it has analysed.
type termer struct {
	an   *Analyzer
	memo map[string]termerWord // word as written -> its analysis
}

// termerWord is the analysis of one word as written.
type termerWord struct {
	stem string // its term; "" for a stop word
	stop bool
}

// maxTermerMemo bounds a termer's memo. Past it the memo starts afresh: the
// words of news text that recur often come back into it at once. Some 6 MB
// at the bound on 64-bit platforms.
const maxTermerMemo = 1 << 16

// newTermer returns a termer for one goroutine (see termer).
func (a *Analyzer) newTermer() *termer {
	return &termer{an: a, memo: make(map[string]termerWord, 1<<12)}
}

// terms appends the terms of text to dst and returns the extended slice:
// exactly what append(dst, a.Terms(text)...) returns, for the termer's
// Analyzer a.
func (t *termer) terms(dst []string, text string) []string {
	for i := 0; ; {
		start, end := nextWord(text, i)
		if start == end {
			return dst
		}
		i = end
		w := text[start:end]
		if c := w[0]; '0' <= c && c <= '9' {
			// Stem leaves a word that starts with a digit as it is:
			// numbers and dates, too many to be worth remembering
			f := foldFast(w)
			if !IsStopword(f) {
				dst = append(dst, f)
			}
			continue
		}
		tw, ok := t.memo[w]
		if !ok {
			tw = t.learn(w)
		}
		if !tw.stop {
			dst = append(dst, tw.stem)
		}
	}
}

// learn analyses the word w, as written, as Terms does, and remembers it.
func (t *termer) learn(w string) termerWord {
	// a copy, so that neither the memo nor the Analyzer's cache holds on
	// to the text w is part of
	w = strings.Clone(w)
	f := foldFast(w)
	tw := termerWord{stop: IsStopword(f)}
	if !tw.stop {
		tw.stem = t.an.Stem(f)
	}
	if len(t.memo) >= maxTermerMemo {
		clear(t.memo)
	}
	t.memo[w] = tw
	return tw
}
