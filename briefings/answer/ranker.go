package answer

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
)

// The learned answer ranker. A conditional logit model scores every
// candidate of a question (softmax over the question's candidates), and a
// second small logistic model turns the winner's scores into the calibrated
// probability that the answer is right. Both are fitted by `briefbot train`
// from evaluation files; the result is committed as ranker.json.

//go:embed ranker.json
var defaultRankerJSON []byte

//go:embed ranker-frog.json
var defaultDeepRankerJSON []byte

// RankerModel is a fitted ranker with its calibration.
type RankerModel struct {
	Version  int      `json:"version"`
	Features []string `json:"features"`
	// Mean and Scale standardise the features before the weights apply.
	Mean    []float64 `json:"mean"`
	Scale   []float64 `json:"scale"`
	Weights []float64 `json:"weights"`
	// Excluded names features the fit left out (weight 0): computed and
	// shown by --explain, but cross-validation found they do not help.
	Excluded []string `json:"excluded,omitempty"`
	// Calibration maps the winner's calibration features (CalibrationNames,
	// recorded in CalibrationFeatures) to the probability that it is right.
	Calibration         []float64 `json:"calibration"`
	CalibrationFeatures []string  `json:"calibration_features"`
	// Threshold is the calibrated confidence below which the engine
	// abstains, chosen on held-out folds for answered-precision ≥ 0.90.
	Threshold float64 `json:"threshold"`
	// Provenance: what it was trained on and how, and its cross-validated
	// figures.
	Inputs  []ModelInput   `json:"inputs,omitempty"`
	Command string         `json:"command,omitempty"`
	Notes   map[string]any `json:"notes,omitempty"`
}

// ModelInput names a training file and its content hash.
type ModelInput struct {
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	Items  int    `json:"items"`
	// CalibrationOnly: the set served the calibration and the threshold,
	// not the ranker's weights (train --calibrate)
	CalibrationOnly bool `json:"calibration_only,omitempty"`
}

// rankerVersion changes whenever the features change meaning.
const rankerVersion = 1

// CalibrationNames lists the calibration features of a question's winner.
func CalibrationNames() []string {
	return []string{"bias", "score", "prob", "margin", "cov", "old_conf", "typed", "fit", "agree", "heur_conf", "name_miss", "prob_unindexed", "unindexed",
		"kind_phrase", "kind_number", "kind_date", "kind_place", "kind_name", "counted", "focus_next", "redund_arts"}
}

// ParseRankerModel reads a model file and checks it matches this build's
// features.
func ParseRankerModel(data []byte) (*RankerModel, error) {
	var m RankerModel
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("ranker model is not valid JSON: %w", err)
	}
	if m.Version != rankerVersion {
		return nil, fmt.Errorf("ranker model has version %d, this build needs %d: retrain it with `briefbot train`", m.Version, rankerVersion)
	}
	if !slices.Equal(m.Features, FeatureNames()) {
		return nil, errors.New("ranker model's features differ from this build's: retrain it with `briefbot train`")
	}
	if !slices.Equal(m.CalibrationFeatures, CalibrationNames()) {
		return nil, errors.New("ranker model's calibration features differ from this build's: retrain it with `briefbot train`")
	}
	n := int(numFeatures)
	if len(m.Mean) != n || len(m.Scale) != n || len(m.Weights) != n || len(m.Calibration) != len(CalibrationNames()) {
		return nil, errors.New("ranker model has the wrong number of weights: retrain it with `briefbot train`")
	}
	for _, name := range m.Excluded {
		i := slices.Index(m.Features, name)
		if i < 0 {
			return nil, fmt.Errorf("ranker model excludes %q, which this build does not compute: retrain it with `briefbot train`", name)
		}
		if m.Weights[i] != 0 {
			return nil, fmt.Errorf("ranker model excludes %q but gives it weight %g", name, m.Weights[i])
		}
	}
	if m.Threshold < 0 || m.Threshold > 1 {
		return nil, fmt.Errorf("ranker model threshold %.3f is outside 0..1", m.Threshold)
	}
	return &m, nil
}

// DefaultRanker returns the model shipped with briefbot for the built-in
// analysis.
func DefaultRanker() (*RankerModel, error) { return ParseRankerModel(defaultRankerJSON) }

// DefaultDeepRanker returns the model shipped with briefbot for sentences
// analysed by Frog.
func DefaultDeepRanker() (*RankerModel, error) { return ParseRankerModel(defaultDeepRankerJSON) }

// score is the candidate's log-odds score.
func (m *RankerModel) score(f []float64) float64 {
	s := 0.0
	for i, x := range f {
		s += m.Weights[i] * (x - m.Mean[i]) / m.Scale[i]
	}
	return s
}

// rank scores candidates in place and returns the index of the best, or -1.
func (m *RankerModel) rank(cands []rankCand) int {
	if len(cands) == 0 {
		return -1
	}
	scores := make([]float64, len(cands))
	for i := range cands {
		scores[i] = m.score(cands[i].feats[:])
	}
	probs := softmax(scores)
	best := 0
	for i := range cands {
		cands[i].score, cands[i].prob = scores[i], probs[i]
		if scores[i] > scores[best] {
			best = i
		}
	}
	return best
}

// confidence is the calibrated probability that cands[best] is right.
func (m *RankerModel) confidence(cands []rankCand, best int) float64 {
	if best < 0 {
		return 0
	}
	x := calibrationFeatures(cands, best)
	return sigmoid(dot(m.Calibration, x))
}

// calibrationFeatures describes a question's winner for calibration: its
// raw score, its share of the probability (summed over candidates with the
// same answer text), its margin over the best different answer, and its
// sentence's support.
func calibrationFeatures(cands []rankCand, best int) []float64 {
	w := cands[best]
	key := w.answerKey()
	prob, other := 0.0, 0.0
	for i := range cands {
		c := &cands[i]
		if c.answerKey() == key {
			prob += c.prob
		} else {
			other = max(other, c.prob)
		}
	}
	// the hand-written scores' own choice: agreement of the two methods
	// is evidence, and so is how sure the hand-written score is
	heur := heuristicChoice(cands)
	agree, heurConf := 0.0, 0.0
	if heur >= 0 {
		heurConf = cands[heur].feats[fOldConf]
		if cands[heur].answerKey() == key {
			agree = 1
		}
	}
	// prob_unindexed: when no article has the question's names, the
	// ranker's certainty is about another question ("the mayor of
	// Amsterdam" over an article on Utrecht's): it counts for less. (It
	// took the place of names_absent, name_miss ≥ 0.99, which added
	// nothing to name_miss: weight -0.03.)
	return []float64{1, w.score / 10, prob, prob - other, w.feats[fCov], w.feats[fOldConf], w.feats[fTyped], w.feats[fFit], agree, heurConf,
		w.feats[fNameMiss], prob * w.feats[fUnindexed], w.feats[fUnindexed],
		// the answer's kind: how often an answer of that kind is right
		// differs (a date or a count more often than a phrase)
		w.feats[fKindPhrase], w.feats[fKindNumber], w.feats[fKindDate], w.feats[fKindPlace] + w.feats[fKindCountry], w.feats[fKindName],
		w.feats[fCounted], w.feats[fFocusNext], w.feats[fRedundArts]}
}

func softmax(s []float64) []float64 {
	mx := math.Inf(-1)
	for _, x := range s {
		mx = max(mx, x)
	}
	out := make([]float64, len(s))
	sum := 0.0
	for i, x := range s {
		out[i] = math.Exp(x - mx)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// heuristicChoice is the candidate the hand-written scores choose: the best
// hand-written confidence among candidates with a span score, or -1.
func heuristicChoice(cands []rankCand) int {
	best := -1
	for i := range cands {
		if f := &cands[i].feats; f[fHeur] > 0 && (best < 0 || f[fOldConf] > cands[best].feats[fOldConf]) {
			best = i
		}
	}
	return best
}
