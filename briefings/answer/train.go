package answer

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
)

// RankerItem is one evaluation item prepared for the ranker: its candidates
// with their features and whether each is a right answer.
type RankerItem struct {
	Set          string
	Item         EvalItem
	Unanswerable bool
	cands        []rankCand
	labels       []bool
	stage        stageFacts
}

// stageFacts are the retrieval facts of one item, independent of the ranker.
type stageFacts struct {
	artRank     int  // rank of the gold article among those retrieved, -1 when absent
	sentRecall  bool // a gold answer is inside an examined sentence
	candRecall  bool // a candidate is a right answer
	answerable  bool
	articleGold string
}

// PrepareRanker runs the pipeline up to the candidates for every item.
func (l *Librarian) PrepareRanker(ctx context.Context, c Corpus, set string, items []EvalItem) ([]*RankerItem, error) {
	var out []*RankerItem
	for _, it := range items {
		_, dec, err := l.answer(ctx, c, it.Question, AskOptions{})
		if err != nil && err != ErrEmptyQuery {
			return nil, fmt.Errorf("question %q: %w", it.ID, err)
		}
		ri := &RankerItem{Set: set, Item: it, Unanswerable: len(it.Answers) == 0}
		if dec.ex != nil {
			ri.cands = dec.ex.cands
			ri.stage = l.stageOf(dec.ex, it)
		}
		for _, c := range ri.cands {
			ri.labels = append(ri.labels, answerMatches(c.text, it.Answers))
		}
		out = append(out, ri)
	}
	return out, nil
}

// stageOf reports where the gold answer was found along the pipeline.
func (l *Librarian) stageOf(ex *examination, it EvalItem) stageFacts {
	f := stageFacts{artRank: -1, answerable: len(it.Answers) > 0}
	if it.Article != nil {
		f.articleGold = *it.Article
	}
	s := ex.s
	defer runtime.KeepAlive(s)
	for r, d := range ex.docs {
		if int(d.Doc) < s.Len() && s.Article(int(d.Doc)).Source == f.articleGold {
			f.artRank = r
			break
		}
	}
	for _, e := range ex.sentences {
		if answerMatches(s.Article(e.doc).Sentences[e.sent].Text, it.Answers) {
			f.sentRecall = true
			break
		}
	}
	for _, c := range ex.cands {
		if answerMatches(c.text, it.Answers) {
			f.candRecall = true
			break
		}
	}
	return f
}

// answerMatches reports whether text contains one of the gold answers, the
// way the evaluation scores answers.
func answerMatches(text string, gold []string) bool {
	got := normaliseAnswer(text)
	for _, g := range gold {
		if n := normaliseAnswer(g); strings.TrimSpace(n) != "" && strings.Contains(got, n) {
			return true
		}
	}
	return false
}

// DefaultTargetPrecision is the answered-precision the default threshold is
// chosen for on held-out inner folds: the product's aim, 0.90. It now
// carries over to unseen articles (5 folds by article: answered-precision
// 0.91 at accuracy 0.52). Aiming lower answers more but lets our own sets'
// unanswerable questions through (0.875: "Who is the mayor of Amsterdam?"
// over an article about another city's mayor); 0.85, the default before
// the typed clauses and modifiers, gave 0.84 over the 5 folds.
const DefaultTargetPrecision = 0.90

// TrainOptions tune the ranker's fit.
type TrainOptions struct {
	L2         float64 // ranker weight decay (0: 0.01)
	Iterations int     // gradient steps (0: 400)
	InnerFolds int     // folds for the held-out predictions calibration is fitted on (0: 4)
	// TargetPrecision is the answered-precision the threshold aims at on
	// held-out predictions (0: DefaultTargetPrecision).
	TargetPrecision float64
	// Exclude names features the ranker leaves out: their weight stays 0.
	Exclude []string
	// Calibrate are items the ranker is never fitted on: the fitted
	// ranker's choices on them join the inner folds' held-out choices
	// that the calibration and the threshold are fitted on. Questions
	// written by others, about articles nobody tuned the rules for, make
	// the confidence a probability on such news too, not only on the
	// sets the rules were written against.
	Calibrate []*RankerItem
}

func (o TrainOptions) withDefaults() TrainOptions {
	if o.L2 == 0 {
		o.L2 = 0.01
	}
	if o.Iterations == 0 {
		o.Iterations = 400
	}
	if o.InnerFolds == 0 {
		o.InnerFolds = 4
	}
	if o.TargetPrecision == 0 {
		o.TargetPrecision = DefaultTargetPrecision
	}
	return o
}

// ArticleFold is the default fold key: the gold article (so questions on one
// article never sit on both sides), or the item for unanswerable questions.
func ArticleFold(it *RankerItem) string {
	if it.Item.Article != nil {
		return it.Set + "/" + *it.Item.Article
	}
	return it.Set + "/#" + it.Item.ID
}

// HashFold assigns a fold key to one of k folds, the same way every run.
func HashFold(key string, k int) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(k))
}

// TrainRanker fits the ranker on items, then its calibration on held-out
// predictions from inner folds by article, and chooses the threshold.
func TrainRanker(ctx context.Context, items []*RankerItem, o TrainOptions) (*RankerModel, error) {
	o = o.withDefaults()
	if len(items) == 0 {
		return nil, fmt.Errorf("no training items")
	}
	var calX [][]float64
	var calY []bool
	for f := 0; f < o.InnerFolds; f++ {
		var train, test []*RankerItem
		for _, it := range items {
			if HashFold(ArticleFold(it), o.InnerFolds) == f {
				test = append(test, it)
			} else {
				train = append(train, it)
			}
		}
		m, err := fitRanker(ctx, train, o)
		if err != nil {
			return nil, err
		}
		calX, calY = m.appendCalibration(calX, calY, test)
	}
	m, err := fitRanker(ctx, items, o)
	if err != nil {
		return nil, err
	}
	calX, calY = m.appendCalibration(calX, calY, o.Calibrate)
	m.Calibration = fitLogistic(calX, calY, 0.01, 2000)
	var confs []float64
	for _, x := range calX {
		confs = append(confs, sigmoid(dot(m.Calibration, x)))
	}
	m.Threshold = chooseThreshold(confs, calY, o.TargetPrecision)
	return m, nil
}

// appendCalibration appends, for each item m chooses an answer for, the
// calibration features of that choice and whether it is right.
func (m *RankerModel) appendCalibration(calX [][]float64, calY []bool, items []*RankerItem) ([][]float64, []bool) {
	for _, it := range items {
		if best := m.rank(it.cands); best >= 0 {
			calX = append(calX, calibrationFeatures(it.cands, best))
			calY = append(calY, it.labels[best])
		}
	}
	return calX, calY
}

// fitRanker fits the conditional logit weights on standardised features.
func fitRanker(ctx context.Context, items []*RankerItem, o TrainOptions) (*RankerModel, error) {
	n := int(numFeatures)
	m := &RankerModel{Version: rankerVersion, Features: FeatureNames(), CalibrationFeatures: CalibrationNames(), Mean: make([]float64, n), Scale: make([]float64, n),
		Weights: make([]float64, n), Calibration: make([]float64, len(CalibrationNames()))}
	keep := make([]bool, n)
	for i := range keep {
		keep[i] = true
	}
	for _, name := range o.Exclude {
		i := slices.Index(m.Features, name)
		if i < 0 {
			return nil, fmt.Errorf("cannot exclude feature %q: the ranker has no such feature (it has %s)", name, strings.Join(m.Features, ", "))
		}
		if keep[i] {
			keep[i] = false
			m.Excluded = append(m.Excluded, name)
		}
	}
	cnt := 0.0
	for _, it := range items {
		for _, c := range it.cands {
			for i, x := range c.feats {
				m.Mean[i] += x
			}
			cnt++
		}
	}
	if cnt == 0 {
		return nil, fmt.Errorf("no candidates to train on")
	}
	for i := range m.Mean {
		m.Mean[i] /= cnt
	}
	for _, it := range items {
		for _, c := range it.cands {
			for i, x := range c.feats {
				d := x - m.Mean[i]
				m.Scale[i] += d * d
			}
		}
	}
	for i := range m.Scale {
		m.Scale[i] = math.Sqrt(m.Scale[i] / cnt)
		if m.Scale[i] < 1e-9 {
			m.Scale[i] = 1
		}
	}
	// standardised design, only questions with a right candidate teach
	type group struct {
		x   [][]float64
		pos []bool
	}
	var groups []group
	for _, it := range items {
		if !slices.Contains(it.labels, true) {
			continue
		}
		g := group{pos: it.labels}
		for _, c := range it.cands {
			x := make([]float64, n)
			for i, v := range c.feats {
				x[i] = (v - m.Mean[i]) / m.Scale[i]
			}
			g.x = append(g.x, x)
		}
		groups = append(groups, g)
	}
	if len(groups) == 0 {
		return nil, fmt.Errorf("no training question has a right candidate")
	}
	// Adam on the mean negative log-likelihood plus L2
	w := m.Weights
	opt := newAdam(n)
	grad := make([]float64, n)
	for step := 1; step <= o.Iterations; step++ {
		if step%50 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for i := range grad {
			grad[i] = o.L2 * w[i]
		}
		for _, g := range groups {
			s := make([]float64, len(g.x))
			for j, x := range g.x {
				s[j] = dot(w, x)
			}
			p := softmax(s)
			pos := 0.0
			for j := range p {
				if g.pos[j] {
					pos += p[j]
				}
			}
			for j, x := range g.x {
				d := p[j]
				if g.pos[j] {
					d -= p[j] / pos
				}
				if d == 0 {
					continue
				}
				for i, v := range x {
					grad[i] += d * v / float64(len(groups))
				}
			}
		}
		for i, k := range keep {
			if !k {
				grad[i] = 0 // Adam leaves a weight with no gradient at 0
			}
		}
		opt.step(w, grad, step)
	}
	return m, nil
}

// fitLogistic fits a plain logistic regression (first feature is the bias,
// not decayed) by gradient descent.
func fitLogistic(x [][]float64, y []bool, l2 float64, iters int) []float64 {
	if len(x) == 0 {
		return make([]float64, len(CalibrationNames()))
	}
	n := len(x[0])
	w := make([]float64, n)
	opt := newAdam(n)
	grad := make([]float64, n)
	for step := 1; step <= iters; step++ {
		for i := range grad {
			grad[i] = 0
			if i > 0 {
				grad[i] = l2 * w[i]
			}
		}
		for k, xi := range x {
			d := sigmoid(dot(w, xi)) - b2f(y[k])
			for i, v := range xi {
				grad[i] += d * v / float64(len(x))
			}
		}
		opt.step(w, grad, step)
	}
	return w
}

// chooseThreshold returns the lowest confidence at which the answers at or
// above it reach the target precision (and stay there for every higher
// cut-off with at least ten answers), or 0.95 when none does.
func chooseThreshold(conf []float64, right []bool, target float64) float64 {
	idx := make([]int, len(conf))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return conf[idx[a]] > conf[idx[b]] })
	best := 0.95
	ok, n := 0, 0
	for _, i := range idx {
		n++
		if right[i] {
			ok++
		}
		p := float64(ok) / float64(n)
		if n >= 10 && p < target {
			break
		}
		if n >= 10 {
			best = conf[i]
		}
	}
	return math.Round(best*1000) / 1000
}

// Prediction is a model's decision on one item, for scoring.
type Prediction struct {
	Item       *RankerItem
	Answer     string
	Confidence float64
	Answered   bool
	Right      bool // the chosen answer (answered or not) contains a gold answer
}

// Predict decides every item with m.
func (m *RankerModel) Predict(items []*RankerItem, threshold float64) []Prediction {
	var out []Prediction
	for _, it := range items {
		p := Prediction{Item: it}
		best := m.rank(it.cands)
		if best >= 0 {
			p.Answer = it.cands[best].text
			p.Confidence = m.confidence(it.cands, best)
			p.Answered = p.Confidence >= threshold
			p.Right = it.labels[best]
		}
		out = append(out, p)
	}
	return out
}

// CrossValidate predicts every item with a model trained without its fold.
func CrossValidate(ctx context.Context, items []*RankerItem, fold func(*RankerItem) string, o TrainOptions) ([]Prediction, error) {
	var keys []string
	seen := map[string]bool{}
	for _, it := range items {
		if k := fold(it); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	var out []Prediction
	for _, k := range keys {
		var train, test []*RankerItem
		for _, it := range items {
			if fold(it) == k {
				test = append(test, it)
			} else {
				train = append(train, it)
			}
		}
		m, err := TrainRanker(ctx, train, o)
		if err != nil {
			return nil, fmt.Errorf("fold %s: %w", k, err)
		}
		out = append(out, m.Predict(test, m.Threshold)...)
	}
	return out, nil
}

// AtThreshold scores predictions as if the threshold were t: accuracy (right
// answers and right abstentions over all items), answered-precision and the
// number answered.
func AtThreshold(preds []Prediction, t float64) (acc, prec float64, answered int) {
	right, ok := 0, 0
	for _, p := range preds {
		ans := p.Answer != "" && p.Confidence >= t
		switch {
		case p.Item.Unanswerable && !ans:
			ok++
		case ans:
			answered++
			if p.Right && !p.Item.Unanswerable {
				right++
				ok++
			}
		}
	}
	if len(preds) > 0 {
		acc = float64(ok) / float64(len(preds))
	}
	if answered > 0 {
		prec = float64(right) / float64(answered)
	}
	return acc, prec, answered
}

// adam is the Adam optimiser's state for one weight vector.
type adam struct{ mom, vel []float64 }

func newAdam(n int) *adam { return &adam{mom: make([]float64, n), vel: make([]float64, n)} }

// step moves w against grad; step counts from 1.
func (a *adam) step(w, grad []float64, step int) {
	const lr, b1, b2, eps = 0.05, 0.9, 0.999, 1e-8
	for i := range w {
		a.mom[i] = b1*a.mom[i] + (1-b1)*grad[i]
		a.vel[i] = b2*a.vel[i] + (1-b2)*grad[i]*grad[i]
		mh := a.mom[i] / (1 - math.Pow(b1, float64(step)))
		vh := a.vel[i] / (1 - math.Pow(b2, float64(step)))
		w[i] -= lr * mh / (math.Sqrt(vh) + eps)
	}
}
