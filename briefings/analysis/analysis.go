// Package analysis turns Dutch sentences into tokens with lemmas, part of
// speech, morphological parts, named entities, phrase chunks and
// dependencies.
//
// One interface, Analyzer, has two implementations: Frog (this package's
// NewFrog), which runs the Frog NLP suite of Radboud and Tilburg
// universities as separate server processes, and a built-in analysis in
// pure Go. Frog is GPL-licensed: briefbot talks to it over a socket only and
// ships none of its code or data. Cached puts an in-memory and a persistent
// cache in front of an Analyzer; Fallback uses a second Analyzer while the
// first one is starting, restarting or failing.
//
// The tags are those of the Corpus Gesproken Nederlands (CGN) that Frog
// uses; see Token.
package analysis

import (
	"context"
	"errors"
	"strings"
)

// Token is one word of an analysed sentence.
type Token struct {
	Text   string   // the word as written
	Lemma  string   // dictionary form, lower case for common words ("ontslaan")
	POS    string   // coarse CGN class: N, SPEC, WW, ADJ, TW, VNW, LID, VZ, VG, BW, LET, TSW
	Tag    string   // full CGN tag, e.g. "WW(vd,vrij,zonder)"
	Parts  []string // morphological parts ("kremlin","woord","voerder"); nil when unknown
	Entity string   // IOB named entity: "B-PER", "I-LOC", "B-ORG", "B-PRO", "B-EVE", "B-MISC", "O"
	Chunk  string   // IOB phrase chunk: "B-NP", "I-NP", "B-VP", "B-PP", ... or ""
	Head   int      // index in Tokens of the syntactic head; -1 for the root or when unknown
	Rel    string   // dependency relation to the head ("su", "obj1", "vc", "mod", ...), "" when unknown
}

// Sentence is an analysed sentence.
type Sentence struct {
	Text   string
	Tokens []Token
}

// Analyzer turns sentences into tokens. Implementations are safe for concurrent use.
type Analyzer interface {
	Name() string                                                        // "frog" or "builtin"
	Analyze(ctx context.Context, sentences []string) ([]Sentence, error) // one Sentence per input, same order
}

// Readier is implemented by an Analyzer that needs time to start (Frog):
// Ready reports, without blocking, whether Analyze can answer now. An
// Analyzer that does not implement it is always ready. Fallback uses it to
// skip an analyser that is still starting.
type Readier interface {
	Ready() bool
}

// Versioner is implemented by an Analyzer whose output depends on more than
// its Name: a program version, data files or options. Cached puts Version
// into its keys, so a change of version or options does not serve old
// annotations. The result must not change while the Analyzer runs.
type Versioner interface {
	Version() string
}

// ErrUnavailable is wrapped by the errors of an Analyzer that cannot answer
// now but may later: it is starting, restarting, overloaded or closed.
// Callers should fall back to another Analyzer (see Fallback) rather than
// fail.
var ErrUnavailable = errors.New("analyser unavailable")

// CoarsePOS returns the coarse class of a full CGN tag: "WW" for
// "WW(vd,vrij,zonder)", "LET" for "LET()". A tag without parentheses is
// returned as it is.
func CoarsePOS(tag string) string {
	if i := strings.IndexByte(tag, '('); i >= 0 {
		return tag[:i]
	}
	return tag
}
