package briefings

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

// hugeSentence returns about n bytes of news words without one sentence
// end: a scraped table or a feed that lost its punctuation.
func hugeSentence(n int) string {
	words := strings.Fields("de minister heeft Krebs volgens Trump ontslagen na de verkiezing, " +
		"terwijl hackers uit Rusland stemmen en kiezers met nepnieuws benaderden in de campagne")
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[(i*7)%len(words)])
	}
	b.WriteByte('.')
	return b.String()
}

// An over-long "sentence" is cut at clause marks or spaces into pieces of
// at most maxSentenceBytes, losing no text, so that answering and quoting
// a question about it stay bounded.
func TestOverlongSentenceIsCut(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
	}{
		{"clauses", hugeSentence(20_000)},
		{"spaces only", strings.Repeat("woord ", 3000) + "einde."},
		{"no spaces", strings.Repeat("é", 5000)},
		{"long real plus normal", hugeSentence(3000) + " Daarna ging hij naar huis."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := SplitSentences(tc.text)
			if len(got) < 2 {
				t.Fatalf("%d sentences, want the text cut", len(got))
			}
			for i, s := range got {
				if len(s) > maxSentenceBytes || !utf8.ValidString(s) || s == "" {
					t.Errorf("sentence %d: %d bytes, valid %v", i, len(s), utf8.ValidString(s))
				}
			}
			joined := strings.Join(got, "")
			if strip := strings.ReplaceAll(tc.text, " ", ""); strings.ReplaceAll(joined, " ", "") != strip {
				t.Errorf("text lost or changed when cutting")
			}
		})
	}
	if got := SplitSentences(hugeSentence(3000) + " Daarna ging hij naar huis."); got[len(got)-1] != "Daarna ging hij naar huis." {
		t.Errorf("last sentence = %q, want the normal sentence kept whole", got[len(got)-1])
	}
}

// An article of one 5 MiB sentence: the answer's quote stays a sentence,
// not the article.
func TestAnswerOnHugeSentenceArticle(t *testing.T) {
	lib := hugeSentenceLibrary(t, 2<<20)
	ans, err := lib.Answer(context.Background(), "Wie heeft Krebs ontslagen?", AskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range ans.Citations {
		if len(c.Quote) > maxSentenceBytes+10 {
			t.Errorf("quote of %d bytes", len(c.Quote))
		}
	}
}

func hugeSentenceLibrary(t testing.TB, n int) *Library {
	t.Helper()
	arts, err := ParseFile("huge.txt", []byte(" date 2024-01 "+hugeSentence(n)+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	lib, err := NewLibrary(Options{FreeDictDir: "-"})
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Replace(context.Background(), arts); err != nil {
		t.Fatal(err)
	}
	return lib
}

// go test -run '^$' -bench HugeSentence ./briefings/
func BenchmarkAnswerHugeSentence(b *testing.B) {
	lib := hugeSentenceLibrary(b, 5<<20)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := lib.Answer(ctx, "Wie heeft Krebs ontslagen?", AskOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
