package briefings

import (
	"context"
	"runtime"

	"github.com/briefbot/briefbot/briefings/answer"
)

// Answering lives in package answer; these names keep the Library's API.
type (
	// Answer is the outcome of Library.Answer.
	Answer = answer.Answer
	// Citation points at the sentence of an article that supports an
	// answer or a search hit.
	Citation = answer.Citation
	// AskOptions tune one question.
	AskOptions = answer.AskOptions
	// Passage is an excerpt of an article that retrieval found.
	Passage = answer.Passage
	// Retrieval is what Passages found for a question.
	Retrieval = answer.Retrieval
	// TermSupport is how well a sentence supports one word (Support).
	TermSupport = answer.TermSupport
)

// Readers that produce answers.
const (
	ReaderBuiltin = answer.ReaderBuiltin
	ReaderLLM     = answer.ReaderLLM
)

// Answer answers a question from the articles, or says they do not answer it.
func (l *Library) Answer(ctx context.Context, question string, opts AskOptions) (Answer, error) {
	s := l.state.Load()
	defer runtime.KeepAlive(s)
	return l.librarian.Answer(ctx, corpus{s}, question, opts)
}

// Explain answers a question and returns the trace behind the answer (see
// answer.Librarian.Explain).
func (l *Library) Explain(ctx context.Context, question string, topN int) (answer.Explanation, error) {
	s := l.state.Load()
	defer runtime.KeepAlive(s)
	return l.librarian.Explain(ctx, corpus{s}, question, topN)
}

// Passages returns the passages that best support a question (see
// answer.Librarian.Passages).
func (l *Library) Passages(ctx context.Context, question string, opts AskOptions, limit int) (Retrieval, error) {
	s := l.state.Load()
	defer runtime.KeepAlive(s)
	return l.librarian.Passages(ctx, corpus{s}, question, opts, limit)
}

// Support lists the content words of text with how well sentence supports
// each (see answer.Librarian.Support).
func (l *Library) Support(text, sentence string) []TermSupport {
	s := l.state.Load()
	defer runtime.KeepAlive(s)
	return l.librarian.Support(corpus{s}, text, sentence)
}

// PrepareRanker runs the answer pipeline up to the candidates for every
// item, for training (see answer.TrainRanker).
func (l *Library) PrepareRanker(ctx context.Context, set string, items []answer.EvalItem) ([]*answer.RankerItem, error) {
	s := l.state.Load()
	defer runtime.KeepAlive(s)
	return l.librarian.PrepareRanker(ctx, corpus{s}, set, items)
}

// Evaluate asks every item's question of lib and scores the answers and
// every stage of the pipeline (see answer.Evaluate).
func Evaluate(ctx context.Context, lib *Library, items []answer.EvalItem) (answer.EvalReport, error) {
	s := lib.state.Load()
	defer runtime.KeepAlive(s)
	return answer.Evaluate(ctx, lib.librarian, corpus{s}, items)
}

// EvaluateReader asks every item's question through reader, which reads
// from lib, and scores its replies (see answer.EvaluateReader).
func EvaluateReader(ctx context.Context, lib *Library, reader answer.Answerer, items []answer.EvalItem) (answer.ReaderEvalReport, error) {
	s := lib.state.Load()
	defer runtime.KeepAlive(s)
	return answer.EvaluateReader(ctx, lib.librarian, corpus{s}, reader, items)
}
