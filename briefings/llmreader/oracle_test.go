package llmreader

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/answer"
)

// TestVerifyOracle measures verification on the shared development set
// (../shared/eval/dev2) with a simulated model: an honest one that answers
// each gold answer (the Dutch span, and the other forms the set lists:
// English translations, paraphrases)
// quoting the article's sentence that holds the span, and a wrong one that
// gives another question's answer with the same quote. It reports how many
// right answers verification turns away (false rejections) and how many
// wrong ones it lets through (false acceptances); go test -v shows the
// figures.
func TestVerifyOracle(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "eval", "dev2")
	data, err := os.ReadFile(filepath.Join(dir, "questions.yaml"))
	if err != nil {
		t.Skipf("no development set: %v", err)
	}
	items, err := answer.ParseEvalItems(data)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	lib, err := briefings.NewLibrary(briefings.Options{FreeDictDir: "-"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := briefings.LoadDir(ctx, filepath.Join(dir, "articles"), briefings.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Replace(ctx, res.Articles); err != nil {
		t.Fatal(err)
	}
	bySource := map[string]briefings.Article{}
	for _, a := range res.Articles {
		bySource[a.Source] = a
	}
	type honest struct {
		item   answer.EvalItem
		answer string
		quote  string
		art    briefings.ArticleID
		ret    briefings.Retrieval
		given  []briefings.Passage
		dutch  bool // the answer is the article's own span
	}
	var cases []honest
	notRetrieved := 0
	for _, it := range items {
		if it.Article == nil || len(it.Answers) == 0 {
			continue
		}
		art, ok := bySource[*it.Article]
		if !ok {
			continue
		}
		// the sentence holding a gold answer verbatim
		quote := ""
		for _, ans := range it.Answers {
			for _, s := range art.Sentences {
				if strings.Contains(strings.ToLower(s.Text), strings.ToLower(ans)) {
					quote = s.Text
					break
				}
			}
			if quote != "" {
				break
			}
		}
		if quote == "" {
			continue
		}
		ret, err := lib.Passages(ctx, it.Question, briefings.AskOptions{}, DefaultMaxPassages)
		if err != nil {
			t.Fatal(err)
		}
		given := budget(ret.Passages, DefaultMaxPassageTokens)
		if !slices.ContainsFunc(given, func(p briefings.Passage) bool { return p.Article == art.ID }) {
			notRetrieved++
			continue
		}
		for _, ans := range it.Answers {
			dutch := strings.Contains(strings.ToLower(quote), strings.ToLower(ans))
			cases = append(cases, honest{item: it, answer: ans, quote: quote, art: art.ID, ret: ret, given: given, dutch: dutch})
		}
	}
	run := func(name string, pick func(honest) bool, answerOf func(i int, h honest) string, wantAccept bool) (n, ok int, reasons map[string]int) {
		reasons = map[string]int{}
		for i, h := range cases {
			if !pick(h) {
				continue
			}
			ans := answerOf(i, h)
			if ans == "" {
				continue
			}
			a, q, art := ans, h.quote, string(h.art)
			v := verify(lib, h.item.Question, h.ret, h.given, modelReply{Answer: &a, Quote: &q, Article: &art}, briefings.Answer{})
			n++
			if v.reject == "" {
				ok++
			}
			if v.reject != "" {
				reasons[v.reject]++
			}
			if v.reject == "" != wantAccept {
				t.Logf("%s %s: %q quoting %q: %s", name, h.item.ID, ans, truncate(q, 90), cmpOr(v.reject, "accepted"))
			}
		}
		return n, ok, reasons
	}
	all := func(honest) bool { return true }
	dutchOnly := func(h honest) bool { return h.dutch }
	englishOnly := func(h honest) bool { return !h.dutch }
	same := func(_ int, h honest) string { return h.answer }
	// another question's answer, from another article, that the quote
	// does not hold
	wrong := func(i int, h honest) string {
		for k := 1; k < len(cases); k++ {
			o := cases[(i+k*7)%len(cases)]
			if o.art != h.art && !strings.Contains(strings.ToLower(h.quote), strings.ToLower(o.answer)) && !agree(h.answer, o.answer) {
				return o.answer
			}
		}
		return ""
	}
	nD, okD, rD := run("honest-span", dutchOnly, same, true)
	nE, okE, rE := run("honest-english", englishOnly, same, true)
	nW, okW, rW := run("wrong", all, wrong, false)
	ids := map[string]bool{}
	for _, h := range cases {
		ids[h.item.ID] = true
	}
	t.Logf("dev2: %d gold answer forms of %d answerable items; %d items left out (gold article not among the passages)", len(cases), len(ids), notRetrieved)
	t.Logf("honest answers, the article's span: %d of %d accepted (%s)", okD, nD, reasonList(rD))
	t.Logf("honest answers, other forms:        %d of %d accepted (%s)", okE, nE, reasonList(rE))
	t.Logf("wrong answers, true quote:          %d of %d accepted (%s)", okW, nW, reasonList(rW))
	if nD == 0 || float64(okD) < 0.9*float64(nD) {
		t.Errorf("honest span answers: %d of %d accepted, want at least 90%%", okD, nD)
	}
	if nW == 0 || float64(okW) > 0.05*float64(nW) {
		t.Errorf("wrong answers: %d of %d accepted, want at most 5%%", okW, nW)
	}
}

func reasonList(m map[string]int) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var parts []string
	for _, k := range ks {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	if len(parts) == 0 {
		return "no rejections"
	}
	return "rejected: " + strings.Join(parts, ", ")
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
