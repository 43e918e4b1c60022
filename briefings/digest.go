package briefings

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefings/analysis"
)

// Digest rules
//
// Period. An article belongs to [Since, Until] when any part of its date
// overlaps the period, with dates read in the digest's location: an article
// dated 2020-10 is in every period that touches October 2020, one dated
// 2020-10-14 in every period that touches that day. A zero Since or Until
// leaves that end open. An undated article counts by Added: it is included
// when Since is zero or Added ≥ Since, and Added ≤ Until (an article never
// stored, zero Added, only when Since is zero).
//
// Ranking. Each article's topic score is multiplied by a recency factor
// 0.5^(age/DigestHalfLife), where age runs from the middle of the part of its
// date that lies in the period (Added for undated articles) to the period's
// end (Until; when Until is zero, the newest candidate's time). The product
// is the item's Score; items are sorted by it, best first.
//
// Folding. Two stories are the same when the content stems of their titles
// and first sentences overlap with a Jaccard index of at least
// DigestFoldJaccard. The better-ranked one becomes the item; the others are
// listed in its Related field and do not count towards Limit. AlsoIn names
// where else the story appeared: the item's own folded copies (see
// FoldNearDuplicates), then each Related story and its copies.
//
// Summary. The item's summary is the most topic-relevant of the article's
// first SummarySentences body sentences (headings skipped, the title itself
// skipped when there is another candidate; earlier wins ties), trimmed to
// SummaryMaxLen bytes at a word boundary.

// Digest tuning; see "Digest rules" above.
const (
	DigestHalfLife    = 7 * 24 * time.Hour
	DigestFoldJaccard = 0.6
	SummarySentences  = 5
	SummaryMaxLen     = 300
)

// BuildDigest selects the articles of req.Topic in req's period, ranks them
// by relevance and recency, folds near-duplicate stories and returns at most
// req.Limit items (0: all). Dates are read in loc (nil: UTC). An unknown
// topic or a period that ends before it starts is an error.
func BuildDigest(arts []*Article, c *Classifier, req DigestRequest, loc *time.Location) (Digest, error) {
	return buildDigest(context.Background(), articleSlice(arts), c, req, loc)
}

// articleSource is a set of articles a digest reads: their dates first,
// the articles themselves only for those in the period.
type articleSource interface {
	count() int
	skip(i int) bool // article i is not in the set (removed)
	dateAdded(i int) (Date, time.Time)
	article(i int) *Article
	// idOrder compares the IDs of articles i and j.
	idOrder(i, j int) int
}

type articleSlice []*Article

func (a articleSlice) count() int                        { return len(a) }
func (a articleSlice) skip(int) bool                     { return false }
func (a articleSlice) dateAdded(i int) (Date, time.Time) { return a[i].Date, a[i].Added }
func (a articleSlice) article(i int) *Article            { return a[i] }
func (a articleSlice) idOrder(i, j int) int              { return cmp.Compare(a[i].ID, a[j].ID) }

// buildDigest is BuildDigest; it returns ctx.Err() once ctx has ended,
// checked every cancelCheckEvery articles scored.
func buildDigest(ctx context.Context, arts articleSource, c *Classifier, req DigestRequest, loc *time.Location) (Digest, error) {
	if c == nil {
		return Digest{}, errors.New("digest: no topic classifier")
	}
	ti, ok := c.byName[analysis.Fold(strings.TrimSpace(req.Topic))]
	if !ok {
		return Digest{}, fmt.Errorf("unknown topic %q: known topics are %s", req.Topic, c.topicNames())
	}
	if !req.Since.IsZero() && !req.Until.IsZero() && req.Until.Before(req.Since) {
		return Digest{}, fmt.Errorf("digest period ends (%s) before it starts (%s)", req.Until.Format(time.RFC3339), req.Since.Format(time.RFC3339))
	}
	if req.Limit < 0 {
		return Digest{}, fmt.Errorf("digest limit %d is negative: use 0 for no limit", req.Limit)
	}
	if loc == nil {
		loc = time.UTC
	}
	d := Digest{Topic: c.topics[ti].Name, Since: req.Since, Until: req.Until}

	type candidate struct {
		a     *Article
		m     TopicMatch
		at    time.Time // the article's time for recency
		score float64
	}
	var cands []candidate
	var newest time.Time
	for i := range arts.count() {
		if i%cancelCheckEvery == 0 && ctx.Err() != nil {
			return Digest{}, ctx.Err()
		}
		if arts.skip(i) {
			continue
		}
		date, added := arts.dateAdded(i)
		if !req.ReceivedAfter.IsZero() && !added.IsZero() && !added.After(req.ReceivedAfter) {
			continue // already available to an earlier digest
		}
		at, ok := digestPeriodTime(date, added, req.Since, req.Until, loc)
		if !ok {
			continue
		}
		a := arts.article(i)
		m, ok := c.score(ti, c.evidence(a), c.hinted(ti, a))
		if !ok {
			continue
		}
		cands = append(cands, candidate{a: a, m: m, at: at})
		if at.After(newest) {
			newest = at
		}
	}
	ref := req.Until
	if ref.IsZero() {
		ref = newest
	}
	for i := range cands {
		age := max(ref.Sub(cands[i].at), 0)
		cands[i].score = cands[i].m.Score * math.Exp2(-age.Hours()/DigestHalfLife.Hours())
	}
	slices.SortFunc(cands, func(x, y candidate) int {
		if x.score != y.score {
			return cmp.Compare(y.score, x.score)
		}
		if c := y.at.Compare(x.at); c != 0 {
			return c
		}
		return cmp.Compare(x.a.ID, y.a.ID)
	})

	// fold near-duplicates into the better-ranked story
	var sigs [][]string
	postings := map[string][]int{} // stem -> items whose signature has it
	for i, cd := range cands {
		if i%cancelCheckEvery == 0 && ctx.Err() != nil {
			return Digest{}, ctx.Err()
		}
		sig := c.storySignature(cd.a)
		if j := digestDuplicateOf(sig, sigs, postings); j >= 0 {
			d.Items[j].Related = append(d.Items[j].Related, cd.a.ID)
			d.Items[j].AlsoIn = append(d.Items[j].AlsoIn, copyOf(cd.a))
			d.Items[j].AlsoIn = append(d.Items[j].AlsoIn, cd.a.AlsoIn...)
			continue
		}
		if req.Limit > 0 && len(d.Items) >= req.Limit {
			continue // still fold later duplicates into the items shown
		}
		for _, s := range sig {
			postings[s] = append(postings[s], len(d.Items))
		}
		sigs = append(sigs, sig)
		d.Items = append(d.Items, DigestItem{
			Article: cd.a.ID,
			Source:  cd.a.Source,
			Title:   cd.a.Title,
			Date:    cd.a.Date,
			Summary: c.summary(ti, cd.a),
			Score:   math.Round(cd.score*1000) / 1000,
			Matched: cd.m.Matched,
			URL:     cd.a.URL,
			AlsoIn:  slices.Clone(cd.a.AlsoIn),
		})
	}
	return d, nil
}

// digestPeriodTime reports whether a is in [since, until] (see "Digest
// rules") and returns the time its recency is measured from.
func digestPeriodTime(date Date, added time.Time, since, until time.Time, loc *time.Location) (time.Time, bool) {
	if date.IsZero() {
		switch {
		case added.IsZero():
			return time.Time{}, since.IsZero()
		case !since.IsZero() && added.Before(since):
			return time.Time{}, false
		case !until.IsZero() && added.After(until):
			return time.Time{}, false
		}
		return added, true
	}
	start, end := date.Start(loc), date.End(loc)
	if (!since.IsZero() && end.Before(since)) || (!until.IsZero() && start.After(until)) {
		return time.Time{}, false
	}
	if !since.IsZero() && start.Before(since) {
		start = since
	}
	if !until.IsZero() && end.After(until) {
		end = until
	}
	return start.Add(end.Sub(start) / 2), true
}

// storySignature is the set of content stems of the title and first
// sentence, sorted, for near-duplicate detection.
func (c *Classifier) storySignature(a *Article) []string {
	text := a.Title
	if s := digestSentences(a, 1); len(s) > 0 {
		text += " " + s[0]
	}
	sig := c.an.Terms(text)
	slices.Sort(sig)
	return slices.Compact(sig)
}

// digestDuplicateOf returns the kept story that sig duplicates best, or -1.
func digestDuplicateOf(sig []string, sigs [][]string, postings map[string][]int) int {
	if len(sig) == 0 {
		return -1
	}
	shared := map[int]int{}
	for _, s := range sig {
		for _, j := range postings[s] {
			shared[j]++
		}
	}
	best, bestJ := -1, 0.0
	for j, n := range shared {
		jac := float64(n) / float64(len(sig)+len(sigs[j])-n)
		if jac >= DigestFoldJaccard && (jac > bestJ || (jac == bestJ && j < best)) {
			best, bestJ = j, jac
		}
	}
	return best
}

// digestSentences returns the first n body sentences that are not headings.
// Articles without parsed sentences are split here.
func digestSentences(a *Article, n int) []string {
	var out []string
	if len(a.Sentences) > 0 {
		for _, s := range a.Sentences {
			if s.Paragraph >= 0 && s.Paragraph < len(a.Paragraphs) && a.Paragraphs[s.Paragraph].Heading {
				continue
			}
			if t := strings.TrimSpace(s.Text); t != "" {
				out = append(out, t)
			}
			if len(out) == n {
				break
			}
		}
		return out
	}
	for _, p := range a.Paragraphs {
		if p.Heading {
			continue
		}
		for _, s := range SplitSentences(p.Text) {
			if t := strings.TrimSpace(s); t != "" {
				out = append(out, t)
			}
			if len(out) == n {
				return out
			}
		}
	}
	return out
}

// summary picks the most topic-relevant of the first sentences; topic < 0
// picks the first. See "Digest rules".
func (c *Classifier) summary(topic int, a *Article) string {
	sents := digestSentences(a, SummarySentences)
	if len(sents) > 1 && analysis.Fold(sents[0]) == analysis.Fold(strings.TrimSpace(a.Title)) {
		sents = sents[1:]
	}
	if len(sents) == 0 {
		return ""
	}
	best, bestScore := 0, 0.0
	if topic >= 0 {
		lo, hi := c.ranges[topic][0], c.ranges[topic][1]
		for i, s := range sents {
			var sc float64
			for _, te := range c.textEvidence(s) {
				if int(te.term) < lo || int(te.term) >= hi {
					continue
				}
				if t := c.terms[te.term]; t.class != classExclude {
					sc += t.weight * math.Log1p(te.e)
				}
			}
			if sc > bestScore {
				best, bestScore = i, sc
			}
		}
	}
	return trimAtWord(sents[best], SummaryMaxLen)
}

// trimAtWord shortens s to at most n bytes, cutting at a word boundary and
// adding "…" (counted in n) when it cuts.
func trimAtWord(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ell = "…"
	cut := n - len(ell)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if i := strings.LastIndexAny(s[:cut], " \t\n"); i > 0 {
		cut = i
	}
	return strings.TrimRight(s[:cut], " ,;:–-") + ell
}

// LatestItems lists the newest articles on topic ("" for all topics),
// newest first: dated articles by date (a month-only date sorts before the
// days of that month), then undated ones by Added, newest first. limit ≤ 0
// lists all. Items carry the topic match's Score and Matched; with topic ""
// they carry none and the summary is the first sentence.
func LatestItems(arts []*Article, c *Classifier, topic string, limit int) ([]DigestItem, error) {
	return latestItems(context.Background(), articleSlice(arts), c, topic, limit)
}

// latestItems is LatestItems over any article source: the articles are
// ordered by their dates first and classified newest first, until limit
// of them are on the topic.
func latestItems(ctx context.Context, arts articleSource, c *Classifier, topic string, limit int) ([]DigestItem, error) {
	if c == nil {
		return nil, errors.New("latest: no topic classifier")
	}
	ti := -1
	if strings.TrimSpace(topic) != "" {
		i, ok := c.byName[analysis.Fold(strings.TrimSpace(topic))]
		if !ok {
			return nil, fmt.Errorf("unknown topic %q: known topics are %s", topic, c.topicNames())
		}
		ti = i
	}
	type key struct {
		i     int
		date  Date
		added time.Time
	}
	keys := make([]key, 0, arts.count())
	for i := range arts.count() {
		if !arts.skip(i) {
			d, a := arts.dateAdded(i)
			keys = append(keys, key{i, d, a})
		}
	}
	slices.SortFunc(keys, func(x, y key) int {
		xd, yd := x.date, y.date
		switch {
		case xd.IsZero() != yd.IsZero():
			if xd.IsZero() {
				return 1
			}
			return -1
		case yd.Before(xd):
			return -1
		case xd.Before(yd):
			return 1
		}
		if c := y.added.Compare(x.added); c != 0 {
			return c
		}
		return arts.idOrder(x.i, y.i)
	})
	type cand struct {
		a *Article
		m TopicMatch
	}
	var cands []cand
	for n, k := range keys {
		if limit > 0 && len(cands) == limit {
			break
		}
		if n%cancelCheckEvery == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		a := arts.article(k.i)
		var m TopicMatch
		if ti >= 0 {
			var ok bool
			if m, ok = c.score(ti, c.evidence(a), c.hinted(ti, a)); !ok {
				continue
			}
		}
		cands = append(cands, cand{a, m})
	}
	out := make([]DigestItem, 0, len(cands))
	for _, cd := range cands {
		out = append(out, DigestItem{
			Article: cd.a.ID,
			Source:  cd.a.Source,
			Title:   cd.a.Title,
			Date:    cd.a.Date,
			Summary: c.summary(ti, cd.a),
			Score:   math.Round(cd.m.Score*1000) / 1000,
			Matched: cd.m.Matched,
			URL:     cd.a.URL,
		})
	}
	return out, nil
}
