package briefings

import (
	"github.com/briefbot/briefbot/briefings/analysis"
)

// AnalyzeDocTerms is analyzeDoc as it was before the analysis.Termer, for the
// external benchmark and test (which need internal/corpus, and so cannot be
// in this package): title, heading and sentence terms by (*analysis.Builtin).Terms.
func AnalyzeDocTerms(an *analysis.Builtin, a *Article) (title, extra []string, sents [][]string) {
	title = an.Terms(a.Title)
	for _, p := range a.Paragraphs {
		if p.Heading {
			extra = append(extra, an.Terms(p.Text)...)
		}
	}
	sents = make([][]string, len(a.Sentences))
	for i, s := range a.Sentences {
		sents[i] = an.Terms(s.Text)
	}
	return title, extra, sents
}

// TestTermer is the analysis.Termer, for the external benchmark and test.
type TestTermer = analysis.Termer

// NewTestTermer is an.newTermer, for the external benchmark and test.
func NewTestTermer(an *analysis.Builtin) *TestTermer { return an.NewTermer() }

// AnalyzeDocTermer is AnalyzeDocTerms with a analysis.Termer: all terms of the
// article appended to one slice, which the title, the headings and the
// sentences then share.
func AnalyzeDocTermer(t *TestTermer, a *Article) (title, extra []string, sents [][]string) {
	n := len(a.Title)
	for _, s := range a.Sentences {
		n += len(s.Text)
	}
	all := make([]string, 0, 8+n/9) // news text has about one term in 10 bytes
	all = t.Terms(all, a.Title)
	nTitle := len(all)
	for _, p := range a.Paragraphs {
		if p.Heading {
			all = t.Terms(all, p.Text)
		}
	}
	nExtra := len(all)
	ends := make([]int, len(a.Sentences))
	for i, s := range a.Sentences {
		all = t.Terms(all, s.Text)
		ends[i] = len(all)
	}
	sents = make([][]string, len(a.Sentences))
	from := nExtra
	for i, end := range ends {
		sents[i] = all[from:end:end]
		from = end
	}
	return all[:nTitle:nTitle], all[nTitle:nExtra:nExtra], sents
}
