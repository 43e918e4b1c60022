package answer

import (
	"cmp"
	"context"
	"fmt"
)

// Answerer answers questions: a briefings.Library, or a reader that wraps
// one (a language model's, package llmreader).
type Answerer interface {
	Answer(ctx context.Context, question string, opts AskOptions) (Answer, error)
}

// ReaderEvalReport is an evaluation of the answers of a reader that wraps
// the library. Its stage rows up to candidate recall are the library's
// retrieval and extraction (the reader reads what the library retrieved);
// the answered figures, accuracy and calibration are the reader's answers.
type ReaderEvalReport struct {
	EvalReport
	// Readers names, per result, the reader that produced the reply
	// (Answer.Reader), in the order of Results.
	Readers []string `json:"readers"`
	// ByReader counts the replies (answers and abstentions) per reader.
	ByReader map[string]int `json:"replies_by_reader"`
}

// EvaluateReader asks every item's question through reader and scores its
// replies like Evaluate; lib and c are what reader reads from, whose pipeline
// the stage table traces.
func EvaluateReader(ctx context.Context, lib *Librarian, c Corpus, reader Answerer, items []EvalItem) (ReaderEvalReport, error) {
	rep := ReaderEvalReport{ByReader: map[string]int{}}
	var preds []Prediction
	for _, it := range items {
		_, dec, err := lib.answer(ctx, c, it.Question, AskOptions{})
		if err != nil && err != ErrEmptyQuery {
			return rep, fmt.Errorf("question %q: %w", it.ID, err)
		}
		ans, err := reader.Answer(ctx, it.Question, AskOptions{Asker: "eval"})
		if err != nil && err != ErrEmptyQuery {
			return rep, fmt.Errorf("question %q: %w", it.ID, err)
		}
		by := cmp.Or(ans.Reader, ReaderBuiltin)
		rep.Readers = append(rep.Readers, by)
		rep.ByReader[by]++
		res := EvalResult{ID: it.ID, Question: it.Question, Type: it.Type, Answer: ans.Text,
			Answered: ans.Answered, Confidence: ans.Confidence, Unanswerable: len(it.Answers) == 0}
		if len(ans.Citations) > 0 {
			res.Cited = ans.Citations[0].Source
		}
		ri := &RankerItem{Item: it, Unanswerable: res.Unanswerable}
		p := Prediction{Item: ri, Answered: ans.Answered, Confidence: ans.Confidence}
		if dec.ex != nil {
			ri.stage = lib.stageOf(dec.ex, it)
			if dec.best >= 0 {
				p.Answer = dec.ex.cands[dec.best].text
				p.Right = answerMatches(p.Answer, it.Answers)
			}
		}
		if ans.Answered {
			// the reader's answer, whichever candidate the library preferred
			p.Answer = ans.Text
			p.Right = answerMatches(ans.Text, it.Answers)
		}
		preds = append(preds, p)
		rep.score(res, it)
	}
	r := &rep.EvalReport
	if r.Items > 0 {
		r.Accuracy = float64(r.Correct) / float64(r.Items)
	}
	if r.Answerable > 0 {
		r.CitationAccuracy = float64(r.CitationsCorrect) / float64(r.Answerable)
	}
	r.Stages = ScoreStages(preds)
	return rep, nil
}
