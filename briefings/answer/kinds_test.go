package answer

import (
	"context"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/briefings/article"
)

// A what-question asks for a thing: the person in the sentence is no
// candidate of it (a phrase may hold them), while a who-question over the
// same sentence gets them.
func TestWhatQuestionsGetNoPersons(t *testing.T) {
	lib := newTestLibrarian(t)
	a := &article.Article{ID: "brug.txt", Source: "brug.txt", Title: "Brug in Veghel dicht"}
	for _, s := range []string{
		"Bij de controle van de brug kwamen scheuren in de liggers aan het licht, zegt wethouder Koen van den Heuvel.",
		"De brug gaat in februari dicht voor auto's.",
	} {
		a.Paragraphs = append(a.Paragraphs, article.Paragraph{Text: s})
		a.Sentences = append(a.Sentences, article.Sentence{Text: s, Paragraph: len(a.Paragraphs) - 1})
	}
	c := newTestCorpus(lib.an, []*article.Article{a})
	has := func(q, text string) bool {
		ex, err := lib.Explain(context.Background(), c, q, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, cand := range ex.Candidates {
			if strings.Contains(cand.Text, text) && cand.Kind == "person" {
				return true
			}
		}
		return false
	}
	if has("Wat kwam er bij de controle van de brug aan het licht?", "Koen van den Heuvel") {
		t.Error("a what-question got a person for a candidate")
	}
	if !has("Wie zegt dat er scheuren in de liggers aan het licht kwamen?", "Koen van den Heuvel") {
		t.Error("a who-question lost the person")
	}
}
