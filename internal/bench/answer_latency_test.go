package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/briefings/answer"
	"github.com/briefbot/briefbot/internal/corpus"
)

// TestAnswerTraces writes the full trace of many answers (every candidate
// with its features and scores, the examined sentences, the answer and its
// confidence) to the file named by BRIEFBOT_ANSWER_TRACES, one JSON line per
// question, so that a change meant only to make answering faster can be
// checked to leave every answer byte for byte the same:
//
//	BRIEFBOT_ANSWER_TRACES=/tmp/before.jsonl go test -run AnswerTraces ./internal/bench/
//	… change …
//	BRIEFBOT_ANSWER_TRACES=/tmp/after.jsonl go test -run AnswerTraces ./internal/bench/
//	cmp /tmp/before.jsonl /tmp/after.jsonl
//
// It covers generated questions on a generated corpus and the evaluation
// sets in briefings/testdata (and ../shared/eval/dev2 when present), with
// the built-in analysis and with a deterministic stand-in for Frog.
func TestAnswerTraces(t *testing.T) {
	path := os.Getenv("BRIEFBOT_ANSWER_TRACES")
	if path == "" {
		t.Skip("set BRIEFBOT_ANSWER_TRACES to a file to write answer traces to")
	}
	ctx := context.Background()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	defer w.Flush()
	enc := json.NewEncoder(w)

	type set struct {
		name      string
		arts      []briefings.Article
		questions []string
	}
	var sets []set
	gen := corpus.Generate(5000, 5)
	sets = append(sets, set{"generated", gen, Questions(gen, 1500, 5)})
	root := filepath.Join("..", "..", "briefings", "testdata")
	evalSets := []struct{ name, questions, articles string }{
		{"seed-dev", filepath.Join(root, "eval", "seed-dev.yaml"), ""},
		{"sample-extra", filepath.Join(root, "eval", "sample-extra.yaml"), ""},
		{"qa", filepath.Join(root, "qa", "questions.yaml"), filepath.Join(root, "qa", "articles")},
		{"qa2", filepath.Join(root, "qa2", "questions.yaml"), filepath.Join(root, "qa2", "articles")},
		{"qa3", filepath.Join(root, "qa3", "questions.yaml"), filepath.Join(root, "qa3", "articles")},
		{"qa4", filepath.Join(root, "qa4", "questions.yaml"), filepath.Join(root, "qa4", "articles")},
		{"qa5", filepath.Join(root, "qa5", "questions.yaml"), filepath.Join(root, "qa5", "articles")},
		{"dev2", filepath.Join("..", "..", "..", "shared", "eval", "dev2", "questions.yaml"), filepath.Join("..", "..", "..", "shared", "eval", "dev2", "articles")},
	}
	for _, es := range evalSets {
		data, err := os.ReadFile(es.questions)
		if err != nil {
			t.Logf("skipping %s: %v", es.name, err)
			continue
		}
		items, err := answer.ParseEvalItems(data)
		if err != nil {
			t.Fatal(err)
		}
		var res briefings.LoadResult
		if es.articles == "" {
			res, err = briefings.LoadFS(ctx, briefings.SampleFS(), briefings.LoadOptions{})
		} else {
			res, err = briefings.LoadDir(ctx, es.articles, briefings.LoadOptions{})
		}
		if err != nil {
			t.Fatal(err)
		}
		s := set{name: es.name, arts: res.Articles}
		for _, it := range items {
			s.questions = append(s.questions, it.Question)
		}
		sets = append(sets, s)
	}
	for _, deep := range []bool{false, true} {
		for _, s := range sets {
			opts := briefings.Options{FreeDictDir: "-"}
			if deep {
				opts.Analyzer = fakeAnalyzer{}
			}
			lib, err := briefings.NewLibrary(opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := lib.Replace(ctx, s.arts); err != nil {
				t.Fatal(err)
			}
			for _, q := range s.questions {
				ex, err := lib.Explain(ctx, q, 1<<30)
				if err != nil && err != briefings.ErrEmptyQuery {
					t.Fatal(err)
				}
				ans, err := lib.Answer(ctx, q, briefings.AskOptions{})
				if err != nil && err != briefings.ErrEmptyQuery {
					t.Fatal(err)
				}
				if err := enc.Encode(map[string]any{"set": s.name, "deep": deep, "explain": ex, "answer": ans}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// fakeAnalyzer is a deterministic stand-in for Frog: parts of speech,
// entities, chunks and dependencies derived from the words themselves.
type fakeAnalyzer struct{}

func (fakeAnalyzer) Name() string { return "fake" }

func (fakeAnalyzer) Analyze(_ context.Context, sentences []string) ([]analysis.Sentence, error) {
	out := make([]analysis.Sentence, len(sentences))
	for i, s := range sentences {
		ws := strings.Fields(s)
		toks := make([]analysis.Token, len(ws))
		prevEnt := ""
		for j, w := range ws {
			h := fnv.New32a()
			h.Write([]byte(strings.ToLower(w)))
			x := h.Sum32()
			t := analysis.Token{Text: w, Head: -1, Entity: "O"}
			r := []rune(w)
			switch {
			case unicode.IsUpper(r[0]) && j > 0:
				t.POS = "SPEC"
				ent := []string{"PER", "ORG", "LOC", "MISC"}[x%4]
				if prevEnt != "" {
					t.Entity = "I-" + prevEnt
					ent = prevEnt
				} else {
					t.Entity = "B-" + ent
				}
				prevEnt = ent
			default:
				prevEnt = ""
				t.POS = []string{"N", "WW", "LID", "VNW", "ADJ", "VZ"}[x%6]
			}
			if x%3 == 0 || j == 0 {
				t.Chunk = "B-NP"
			} else if x%3 == 1 {
				t.Chunk = "I-NP"
			} else {
				t.Chunk = "B-VP"
			}
			if j > 0 {
				t.Head = int(x % uint32(j))
			}
			t.Rel = []string{"su", "obj1", "mod", "vc", ""}[x%5]
			if x%17 == 0 {
				t.Text = "" // an unaligned token
			}
			toks[j] = t
		}
		out[i] = analysis.Sentence{Text: s, Tokens: toks}
	}
	return out, nil
}
