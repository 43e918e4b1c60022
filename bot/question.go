package bot

import (
	"strings"
	"unicode"
)

// asideWords open a chat aside that is not part of the question: "cc
// @alice", "(see #general)", "fyi".
var asideWords = setOf("cc", "cc:", "bcc", "fyi", "see", "zie", "via", "also", "ook", "thanks", "thx", "bedankt", "dank", "dankje", "dankjewel")

// questionText strips the chat around a question before it reaches the
// engine, which would otherwise look for the extra words in the articles:
// addresses (@alice, @alice:example.org, #general) and the asides that
// carry them ("cc @alice", "(zie #general)"), and a trailing aside after
// the question mark ("…? cc Alice", "…? thanks"). The adapters have
// already rendered platform markup to such plain words.
func questionText(q string) string {
	if i := strings.LastIndexByte(q, '?'); i >= 0 {
		if rest := strings.Fields(q[i+1:]); len(rest) > 0 && (asideWords[strings.ToLower(trimPunct(rest[0]))] || allAddresses(rest)) {
			q = q[:i+1]
		}
	}
	var out []string
	for _, w := range strings.Fields(q) {
		core := trimPunct(w)
		aside := len(out) > 0 && asideWords[strings.ToLower(trimPunct(out[len(out)-1]))]
		if !isAddress(core) || (core[0] == '#' && !aside) {
			// a hashtag or channel named in the question itself may be
			// its subject: "what does the AIVD say about #MeToo"
			out = append(out, w)
			continue
		}
		// the address goes, and the aside words that introduced it
		for len(out) > 0 && asideWords[strings.ToLower(trimPunct(out[len(out)-1]))] {
			out = out[:len(out)-1]
		}
		// keep what ends the sentence: "… (see #general)?" -> "…?"
		end := strings.Map(func(r rune) rune {
			if r == '?' || r == '!' || r == '.' {
				return r
			}
			return -1
		}, w[strings.Index(w, core)+len(core):])
		if end != "" && len(out) > 0 {
			out[len(out)-1] = strings.TrimRight(out[len(out)-1], ",;:") + end
		}
	}
	s := strings.Join(out, " ")
	for _, empty := range []string{"()", "[]", "( )", "[ ]"} {
		s = strings.ReplaceAll(s, empty, "")
	}
	s = strings.Join(strings.Fields(s), " ")
	if strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) == "" {
		return q // nothing but addresses: leave the question as it was
	}
	return s
}

// isAddress reports whether w is a chat address: @name, @user:server,
// #channel or #room:server (not "#1").
func isAddress(w string) bool {
	if len(w) < 2 || (w[0] != '@' && w[0] != '#') {
		return false
	}
	r := []rune(w[1:])
	return unicode.IsLetter(r[0]) || r[0] == '_' || (w[0] == '@' && unicode.IsDigit(r[0]))
}

// trimPunct trims punctuation around a word, except an address's @ or #.
func trimPunct(w string) string {
	return strings.TrimFunc(w, func(r rune) bool { return unicode.IsPunct(r) && r != '@' && r != '#' && r != '_' })
}

func allAddresses(ws []string) bool {
	for _, w := range ws {
		if !isAddress(trimPunct(w)) {
			return false
		}
	}
	return true
}
