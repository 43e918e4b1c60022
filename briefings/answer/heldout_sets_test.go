package answer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestQuestionSetsWellFormed checks our own question sets the way the
// evaluation reads them: every item has an id, a question, a language and
// a type; an unanswerable item names no article and no answer; an
// answerable one names an article that exists (a JSON lines article by
// file#id), every answer to a Dutch question stands in that article as the
// evaluation compares them, and so does one answer to an English question. A set whose gold is not in its article
// would score the engine against an answer it cannot give.
func TestQuestionSetsWellFormed(t *testing.T) {
	for _, set := range []string{"qa", "qa2", "qa3", "qa4", "qa5", "qa6", "qa7", "qa8", "qa9", "qa10", "qa11", "qa12", "qa13", "qa14", "qa15", "qa16", "qa17", "qa18", "qa19", "qa20", "qa21", "qa22", "qa23", "qa24", "qa25", "qa26", "qa27"} {
		t.Run(set, func(t *testing.T) {
			dir := filepath.Join("..", "testdata", set)
			data, err := os.ReadFile(filepath.Join(dir, "questions.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			items, err := ParseEvalItems(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) == 0 {
				t.Fatal("no questions")
			}
			ids := map[string]bool{}
			for _, it := range items {
				if it.ID == "" || ids[it.ID] {
					t.Errorf("item %q: missing or repeated id", it.ID)
				}
				ids[it.ID] = true
				if strings.TrimSpace(it.Question) == "" || (it.Lang != "en" && it.Lang != "nl") || it.Type == "" {
					t.Errorf("%s: want a question, lang en or nl and a type, got %+v", it.ID, it)
				}
				if it.Article == nil {
					if len(it.Answers) > 0 || it.Type != "unanswerable" {
						t.Errorf("%s: an item without an article must be of type unanswerable and have no answers", it.ID)
					}
					continue
				}
				if len(it.Answers) == 0 {
					t.Errorf("%s: names article %s but no answer", it.ID, *it.Article)
					continue
				}
				file, _, _ := strings.Cut(*it.Article, "#")
				text, err := os.ReadFile(filepath.Join(dir, "articles", file))
				if err != nil {
					t.Errorf("%s: %v", it.ID, err)
					continue
				}
				body := normaliseAnswer(string(text))
				found := 0
				for _, a := range it.Answers {
					if strings.Contains(body, normaliseAnswer(a)) {
						found++
					} else if it.Lang == "nl" {
						t.Errorf("%s: answer %q is not in %s", it.ID, a, *it.Article)
					}
				}
				if found == 0 {
					t.Errorf("%s: none of the answers %q is in %s", it.ID, it.Answers, *it.Article)
				}
			}
		})
	}
}
