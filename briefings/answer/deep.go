package answer

import (
	"strings"

	"github.com/briefbot/briefbot/briefings/analysis"
)

// Features from a linguistic analysis of the sentence (Frog: entities,
// chunks, parts of speech, dependencies). They are zero when the sentence
// has no analysis; the ranker used with an analysis is fitted with them.

// aligned maps each word of a sentence (Words order) to the analysis token
// that covers its first character, or -1.
func alignTokens(text string, toks []tok, an analysis.Sentence) []int {
	type span struct{ start, end int }
	spans := make([]span, len(an.Tokens))
	pos := 0
	for i, t := range an.Tokens {
		spans[i] = span{-1, -1}
		if t.Text == "" {
			continue
		}
		j := strings.Index(text[pos:], t.Text)
		if j < 0 || j > 40 {
			continue // the analyser changed the word; leave it unaligned
		}
		spans[i] = span{pos + j, pos + j + len(t.Text)}
		pos += j + len(t.Text)
	}
	out := make([]int, len(toks))
	k := 0
	for i, w := range toks {
		out[i] = -1
		for k < len(spans) && (spans[k].end <= w.Start || spans[k].start < 0) {
			if spans[k].start >= 0 && spans[k].end > w.Start {
				break
			}
			k++
		}
		for m := k; m < len(spans) && m < k+3; m++ {
			if spans[m].start >= 0 && spans[m].start <= w.Start && w.Start < spans[m].end {
				out[i] = m
				break
			}
		}
	}
	return out
}

// entityOf is the entity class (PER, ORG, LOC, MISC, PRO, EVE) of an
// analysis token, or "".
func entityOf(t analysis.Token) string {
	if len(t.Entity) > 2 && (t.Entity[0] == 'B' || t.Entity[0] == 'I') && t.Entity[1] == '-' {
		return t.Entity[2:]
	}
	return ""
}

// deepFeatures sets the analysis features of candidate c.
func deepFeatures(q *question, toks []tok, c candidate, an analysis.Sentence, align []int, f *[numFeatures]float64) {
	f[fAnalyzed] = 1
	if c.start < 0 {
		return
	}
	ents := map[string]int{}
	n := 0
	hasNoun, hasVerb := false, false
	inside := map[int]bool{}
	for i := c.start; i < c.end && i < len(toks); i++ {
		a := align[i]
		if a < 0 {
			continue
		}
		inside[a] = true
		n++
		t := an.Tokens[a]
		if e := entityOf(t); e != "" {
			ents[e]++
		}
		switch t.POS {
		case "N", "SPEC":
			hasNoun = true
		case "WW":
			hasVerb = true
		}
	}
	if n == 0 {
		return
	}
	best, cnt := "", 0
	for e, k := range ents {
		if k > cnt || (k == cnt && e < best) {
			best, cnt = e, k
		}
	}
	switch best {
	case "PER":
		f[fNerPer] = 1
	case "ORG":
		f[fNerOrg] = 1
	case "LOC":
		f[fNerLoc] = 1
	case "":
	default:
		f[fNerMisc] = 1
	}
	f[fNerFit] = nerFit(q, best)
	f[fHasNoun] = b2f(hasNoun)
	f[fHasVerb] = b2f(hasVerb)
	// a whole chunk: starts where a phrase begins, ends where it ends
	first, last := align[c.start], -1
	for i := c.end - 1; i >= c.start; i-- {
		if align[i] >= 0 {
			last = align[i]
			break
		}
	}
	if first >= 0 && last >= 0 {
		startsChunk := strings.HasPrefix(an.Tokens[first].Chunk, "B-")
		endsChunk := last+1 >= len(an.Tokens) || !strings.HasPrefix(an.Tokens[last+1].Chunk, "I-")
		f[fChunk] = b2f(startsChunk && endsChunk)
	}
	// dependencies: is the candidate an argument of a matched question
	// word, and the subject of the matched predicate?
	matched := map[int]bool{}
	verbs := map[int]bool{}
	for i, t := range toks {
		if t.group >= 0 && align[i] >= 0 && !inside[align[i]] {
			matched[align[i]] = true
			if q.Groups[t.group].Verb {
				verbs[align[i]] = true
			}
		}
	}
	for a := range inside {
		t := an.Tokens[a]
		h := t.Head
		for hop := 0; hop < 2 && h >= 0 && h < len(an.Tokens); hop++ {
			if inside[h] {
				h = an.Tokens[h].Head
				continue
			}
			if matched[h] {
				f[fDepArg] = 1
				if verbs[h] && t.Rel == "su" {
					f[fDepSubj] = 1
				}
			}
			break
		}
		// the predicate's head: "heeft … ontslagen" hangs the subject on
		// the auxiliary, whose complement is the matched verb
		if t.Rel == "su" && t.Head >= 0 && t.Head < len(an.Tokens) {
			for v := range verbs {
				if an.Tokens[v].Head == t.Head {
					f[fDepSubj] = 1
				}
			}
		}
	}
}

// nerFit is how well an entity class answers the question.
func nerFit(q *question, ent string) float64 {
	switch q.Type {
	case qWho:
		switch ent {
		case "PER":
			return 1
		case "ORG":
			return 0.7
		}
		return 0
	case qWhere:
		if ent == "LOC" {
			return 1
		}
		return 0
	case qWhich, qWhat:
		switch q.Focus {
		case entPerson:
			if ent == "PER" {
				return 1
			}
			return 0
		case entOrg:
			switch ent {
			case "ORG":
				return 1
			case "PRO":
				return 0.5
			}
			return 0
		case entPlace, entCountry:
			if ent == "LOC" {
				return 1
			}
			return 0
		}
		if ent != "" {
			return 0.5
		}
	}
	return 0
}

// addAnalysisCandidates adds the spans the analysis finds that no span
// finder proposed: named entities (typed by their class) and noun-phrase
// chunks without their leading article. They are scored like the others.
func (l *Librarian) addAnalysisCandidates(q *question, toks []tok, cands []candidate, an analysis.Sentence, align []int) []candidate {
	if q.Type == qYesNo {
		return cands
	}
	// our word index of every analysis token's first word
	first := make([]int, len(an.Tokens))
	for i := range first {
		first[i] = -1
	}
	for i, a := range align {
		if a >= 0 && first[a] < 0 {
			first[a] = i
		}
	}
	seen := map[[2]int]bool{}
	for _, c := range cands {
		seen[[2]int{c.start, c.end}] = true
	}
	add := func(a0, a1 int, kind entityKind) {
		// words covered by analysis tokens a0..a1-1
		start, end := -1, -1
		for i, a := range align {
			if a >= a0 && a < a1 {
				if start < 0 {
					start = i
				}
				end = i + 1
			}
		}
		if start < 0 || end-start > maxCandidateWords || seen[[2]int{start, end}] {
			return
		}
		if kind == entPhrase && !hasContent(toks[start:end]) {
			return
		}
		seen[[2]int{start, end}] = true
		c := candidate{start: start, end: end, kind: kind, text: spanText(toks, start, end)}
		l.scoreCandidate(q, toks, &c)
		cands = append(cands, c)
	}
	// entities
	for i := 0; i < len(an.Tokens); {
		e := entityOf(an.Tokens[i])
		if e == "" || !strings.HasPrefix(an.Tokens[i].Entity, "B-") {
			i++
			continue
		}
		j := i + 1
		for j < len(an.Tokens) && an.Tokens[j].Entity == "I-"+e {
			j++
		}
		kind := entPhrase
		switch e {
		case "PER":
			kind = entPerson
		case "ORG":
			kind = entOrg
		case "LOC":
			kind = entPlace
			if first[i] >= 0 && l.lex.countries[toks[first[i]].Folded] != "" {
				kind = entCountry
			}
		}
		add(i, j, kind)
		i = j
	}
	// noun phrases, from after a leading article or pronoun
	for i := 0; i < len(an.Tokens); {
		if an.Tokens[i].Chunk != "B-NP" {
			i++
			continue
		}
		j := i + 1
		for j < len(an.Tokens) && an.Tokens[j].Chunk == "I-NP" {
			j++
		}
		k := i
		for k < j-1 && (an.Tokens[k].POS == "LID" || an.Tokens[k].POS == "VNW") {
			k++
		}
		add(k, j, entPhrase)
		i = j
	}
	return cands
}
