package briefings_test

import (
	"testing"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/internal/corpus"
)

// BenchmarkParseTxt parses .txt articles: the sample with a repeated body,
// and generated articles.
func BenchmarkParseTxt(b *testing.B) {
	b.Run("sample000", func(b *testing.B) {
		data := sampleFile(b, "000_84c18d6e44010aaa.txt")
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := briefings.ParseFile("000_84c18d6e44010aaa.txt", data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("generated", func(b *testing.B) {
		type file struct {
			name string
			data []byte
		}
		var files []file
		size := 0
		for i := range 100 {
			name, data := corpus.File(i, 1)
			files = append(files, file{name, data})
			size += len(data)
		}
		b.SetBytes(int64(size / len(files)))
		i := 0
		for b.Loop() {
			f := files[i%len(files)]
			i++
			if _, err := briefings.ParseFile(f.name, f.data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLoadDir loads 10,000 generated .txt files, near-duplicate
// folding included, and reports articles per second.
func BenchmarkLoadDir(b *testing.B) {
	const n = 10_000
	dir := b.TempDir()
	if err := corpus.WriteDir(dir, n, 1); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := briefings.LoadDir(b.Context(), dir, briefings.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Articles) != n {
			b.Fatalf("loaded %d articles, want %d (skipped %d, folded %d)", len(res.Articles), n, len(res.Skipped), len(res.Folded))
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "articles/s")
}
