// Package bench measures briefbot's article index and answering engine on a
// generated corpus, side by side with a bleve index (Dutch analysis, BM25)
// over the same articles and questions. cmd/briefbot-bench and the
// go test benchmarks call it.
package bench

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/analysis"
	"github.com/briefbot/briefbot/internal/corpus"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/nl"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// Config says what to measure.
type Config struct {
	// Articles is the corpus, in memory; or, when it is nil, Generate
	// articles of internal/corpus (seed GenerateSeed) pass through the
	// index builder one at a time, as a store would hand them over.
	Articles     []briefings.Article
	Generate     int
	GenerateSeed int64
	Questions    int // how many questions to time (default 1,000)
	Seed         uint64
	Bleve        bool   // also build and query a bleve index (needs Articles)
	TempDir      string // where the indexes go (default os.TempDir())
}

// Latency summarises timings.
type Latency struct {
	N   int           `json:"n"`
	P50 time.Duration `json:"p50"`
	P90 time.Duration `json:"p90"`
	P99 time.Duration `json:"p99"`
	Max time.Duration `json:"max"`
}

func (l Latency) String() string {
	return fmt.Sprintf("p50 %v  p90 %v  p99 %v  max %v  (n=%d)", l.P50, l.P90, l.P99, l.Max, l.N)
}

func summarize(d []time.Duration) Latency {
	if len(d) == 0 {
		return Latency{}
	}
	slices.Sort(d)
	at := func(p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
	return Latency{N: len(d), P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: d[len(d)-1]}
}

// Report is what Run measured.
type Report struct {
	Articles     int     `json:"articles"`
	Sentences    int     `json:"sentences"`
	BuildSeconds float64 `json:"build_seconds"`
	BuildPerSec  float64 `json:"build_articles_per_second"`
	Answer       Latency `json:"answer"`
	Search       Latency `json:"search"`
	Answered     int     `json:"answered"`
	HeapMiB      float64 `json:"heap_mib"`       // live heap after building (articles and index), after GC
	CorpusRSSMiB float64 `json:"corpus_rss_mib"` // resident before building: the articles in memory, if any
	PeakRSSMiB   float64 `json:"peak_rss_mib"`   // peak resident from then on (VmHWM after a reset)
	// SteadyRSSMiB is resident after the build and the timed questions.
	SteadyRSSMiB float64 `json:"steady_rss_mib"`
	IndexMiB     float64 `json:"index_file_mib"` // the saved index
	// CorpusSeconds is the generation of a streamed corpus (not part of
	// the build time).
	CorpusSeconds float64 `json:"corpus_seconds,omitempty"`
	// OpenSeconds is a second library's start from the saved index (page
	// cache warm) to its first answer; AnswerOpened its answers then,
	// and OpenRSSMiB what the process holds more for it.
	OpenSeconds   float64 `json:"open_seconds"`
	AnswerOpened  Latency `json:"answer_opened"`
	OpenRSSMiB    float64 `json:"open_rss_mib"`
	BleveBuildSec float64 `json:"bleve_build_seconds,omitempty"`
	BleveSearch   Latency `json:"bleve_search"`
	// SearchRatio is bleve's p50 search latency over ours.
	SearchRatio float64 `json:"bleve_over_ours_search_p50,omitempty"`
	// AnswerRatio is bleve's p50 (retrieval only) over our p50 full answer.
	AnswerRatio float64 `json:"bleve_search_over_ours_answer_p50,omitempty"`
}

// Run builds the index, then times cfg.Questions answers and searches (and
// the same queries on bleve when asked), then opens the saved index in a
// second library and times the answers again.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.Questions <= 0 {
		cfg.Questions = 1000
	}
	var r Report
	if cfg.Bleve && cfg.Articles == nil {
		return r, errors.New("bleve needs the articles in memory")
	}
	dir, err := os.MkdirTemp(cfg.TempDir, "briefbot-index-")
	if err != nil {
		return r, fmt.Errorf("index directory: %w", err)
	}
	defer os.RemoveAll(dir)
	lib, err := briefings.NewLibrary(briefings.Options{IndexDir: dir})
	if err != nil {
		return r, err
	}
	// measure the library, not the corpus generator's garbage: hand freed
	// memory back and restart the peak from the articles alone
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	r.CorpusRSSMiB = rssMiB("VmRSS:")
	start := time.Now()
	if cfg.Articles != nil {
		r.Articles = len(cfg.Articles)
		for _, a := range cfg.Articles {
			r.Sentences += len(a.Sentences)
		}
		err = lib.Replace(ctx, cfg.Articles)
	} else {
		// the build reads the generated articles back from a file of
		// encoded records, as it would read a store: the rate is the
		// index's, not the text generator's
		var src *recordFile
		if src, err = writeRecords(ctx, cfg.TempDir, cfg.Generate, cfg.GenerateSeed); err != nil {
			return r, err
		}
		defer src.remove()
		r.CorpusSeconds = src.took.Seconds()
		runtime.GC()
		debug.FreeOSMemory()
		resetPeakRSS()
		r.CorpusRSSMiB = rssMiB("VmRSS:")
		start = time.Now()
		err = lib.ReplaceFrom(ctx, func(yield func(*briefings.Article, error) bool) {
			for a, err := range src.articles() {
				if err == nil {
					r.Articles++
					r.Sentences += len(a.Sentences)
				}
				if !yield(a, err) {
					return
				}
			}
		})
	}
	if err != nil {
		return r, err
	}
	r.BuildSeconds = time.Since(start).Seconds()
	r.BuildPerSec = float64(r.Articles) / r.BuildSeconds
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r.HeapMiB = float64(ms.HeapAlloc) / (1 << 20)
	if fi, err := os.Stat(filepath.Join(dir, briefings.IndexFile)); err == nil {
		r.IndexMiB = float64(fi.Size()) / (1 << 20)
	}

	var qs []string
	if cfg.Articles != nil {
		qs = Questions(cfg.Articles, cfg.Questions, cfg.Seed)
	} else {
		qs = QuestionsFrom(cfg.Generate, func(i int) briefings.Article { return generated(i, cfg.GenerateSeed) }, cfg.Questions, cfg.Seed)
	}
	var ans, srch []time.Duration
	for _, q := range qs {
		t := time.Now()
		a, err := lib.Answer(ctx, q, briefings.AskOptions{})
		if err != nil && err != briefings.ErrEmptyQuery {
			return r, fmt.Errorf("answer %q: %w", q, err)
		}
		ans = append(ans, time.Since(t))
		if a.Answered {
			r.Answered++
		}
		t = time.Now()
		if _, err := lib.Search(ctx, q, 10); err != nil && err != briefings.ErrEmptyQuery {
			return r, fmt.Errorf("search %q: %w", q, err)
		}
		srch = append(srch, time.Since(t))
	}
	r.Answer, r.Search = summarize(ans), summarize(srch)
	r.PeakRSSMiB = peakRSSMiB()
	r.SteadyRSSMiB = rssMiB("VmRSS:")

	if cfg.Bleve {
		if err := runBleve(ctx, cfg, qs, &r); err != nil {
			return r, err
		}
	}

	// a restart: a new library on the saved index
	lib = nil
	runtime.GC()
	debug.FreeOSMemory()
	before := rssMiB("VmRSS:")
	start = time.Now()
	lib2, err := briefings.NewLibrary(briefings.Options{IndexDir: dir})
	if err != nil {
		return r, err
	}
	if ok, err := lib2.OpenIndex(ctx); !ok || err != nil {
		return r, fmt.Errorf("open the saved index: %v, %w", ok, err)
	}
	var opened []time.Duration
	for i, q := range qs {
		t := time.Now()
		if _, err := lib2.Answer(ctx, q, briefings.AskOptions{}); err != nil && err != briefings.ErrEmptyQuery {
			return r, fmt.Errorf("answer %q: %w", q, err)
		}
		opened = append(opened, time.Since(t))
		if i == 0 {
			r.OpenSeconds = time.Since(start).Seconds()
		}
	}
	r.AnswerOpened = summarize(opened)
	r.OpenRSSMiB = rssMiB("VmRSS:") - before
	r.PeakRSSMiB = max(r.PeakRSSMiB, peakRSSMiB())
	return r, nil
}

// generated is article i of the generated corpus, parsed.
func generated(i int, seed int64) briefings.Article {
	name, data := corpus.File(i, seed)
	arts, err := briefings.ParseFile(name, data)
	if err != nil || len(arts) != 1 {
		// the generator's own output must parse: a failure is a bug there
		panic(fmt.Sprintf("generated article %s: %v (%d articles)", name, err, len(arts)))
	}
	return arts[0]
}

// recordFile is a generated corpus as encoded articles
// (briefings.EncodeArticle), each after its uvarint length.
type recordFile struct {
	path string
	took time.Duration
}

func writeRecords(ctx context.Context, dir string, n int, seed int64) (*recordFile, error) {
	start := time.Now()
	f, err := os.CreateTemp(dir, "briefbot-corpus-")
	if err != nil {
		return nil, fmt.Errorf("corpus file: %w", err)
	}
	defer f.Close()
	rf := &recordFile{path: f.Name()}
	w := bufio.NewWriterSize(f, 1<<20)
	var buf []byte
	for i := range n {
		if i%1024 == 0 && ctx.Err() != nil {
			rf.remove()
			return nil, ctx.Err()
		}
		a := generated(i, seed)
		rec := briefings.EncodeArticle(&a)
		buf = binary.AppendUvarint(buf[:0], uint64(len(rec)))
		w.Write(buf)
		w.Write(rec)
	}
	if err := w.Flush(); err != nil {
		rf.remove()
		return nil, fmt.Errorf("corpus file: %w", err)
	}
	rf.took = time.Since(start)
	return rf, nil
}

func (rf *recordFile) remove() { os.Remove(rf.path) }

// articles reads the corpus back, one article at a time.
func (rf *recordFile) articles() iter.Seq2[*briefings.Article, error] {
	return func(yield func(*briefings.Article, error) bool) {
		f, err := os.Open(rf.path)
		if err != nil {
			yield(nil, err)
			return
		}
		defer f.Close()
		r := bufio.NewReaderSize(f, 1<<20)
		var rec []byte
		for {
			n, err := binary.ReadUvarint(r)
			if err == io.EOF {
				return
			}
			if err == nil {
				rec = slices.Grow(rec[:0], int(n))[:n]
				_, err = io.ReadFull(r, rec)
			}
			var a *briefings.Article
			if err == nil {
				a, err = briefings.DecodeArticle(rec)
			}
			if err != nil {
				yield(nil, fmt.Errorf("corpus file: %w", err))
				return
			}
			if !yield(a, nil) {
				return
			}
		}
	}
}

// QuestionsFrom is Questions over n articles that get(i) makes on demand.
func QuestionsFrom(n int, get func(i int) briefings.Article, count int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, seed^0x517cc1b727220a95))
	sample := make([]briefings.Article, 0, min(n, 4*count))
	for range cap(sample) {
		sample = append(sample, get(rng.IntN(n)))
	}
	return Questions(sample, count, seed)
}

// Questions makes n questions from the corpus, half Dutch and half English,
// each naming words of a random sentence so that they have an answer
// candidate, as journalists' questions do.
func Questions(arts []briefings.Article, n int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	nlWh := []string{"Wie", "Wat", "Waar", "Wanneer", "Hoeveel"}
	enWh := []string{"Who", "What", "Where", "When", "How many"}
	var out []string
	for len(out) < n && len(arts) > 0 {
		a := arts[rng.IntN(len(arts))]
		if len(a.Sentences) == 0 {
			continue
		}
		s := a.Sentences[rng.IntN(len(a.Sentences))].Text
		var content []string
		for _, w := range analysis.Words(s) {
			if !analysis.IsStopword(w.Folded) && len(w.Folded) > 3 {
				content = append(content, w.Text)
			}
		}
		if len(content) < 2 {
			continue
		}
		rng.Shuffle(len(content), func(i, j int) { content[i], content[j] = content[j], content[i] })
		k := min(len(content), 2+rng.IntN(3))
		i := rng.IntN(len(nlWh))
		if len(out)%2 == 0 {
			out = append(out, nlWh[i]+" "+strings.Join(content[:k], " ")+"?")
		} else {
			out = append(out, enWh[i]+" did "+strings.Join(content[:k], " ")+"?")
		}
	}
	return out
}

func runBleve(ctx context.Context, cfg Config, qs []string, r *Report) error {
	dir, err := os.MkdirTemp(cfg.TempDir, "briefbot-bleve-")
	if err != nil {
		return fmt.Errorf("bleve index directory: %w", err)
	}
	defer os.RemoveAll(dir)
	im := bleve.NewIndexMapping()
	im.DefaultAnalyzer = nl.AnalyzerName
	im.ScoringModel = bleveindex.BM25Scoring
	idx, err := bleve.New(filepath.Join(dir, "index"), im)
	if err != nil {
		return fmt.Errorf("create bleve index: %w", err)
	}
	defer idx.Close()
	start := time.Now()
	batch := idx.NewBatch()
	for i, a := range cfg.Articles {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := batch.Index(strconv.Itoa(i), map[string]string{"title": a.Title, "body": a.Body()}); err != nil {
			return fmt.Errorf("bleve index: %w", err)
		}
		if batch.Size() >= 1000 {
			if err := idx.Batch(batch); err != nil {
				return fmt.Errorf("bleve batch: %w", err)
			}
			batch.Reset()
		}
	}
	if err := idx.Batch(batch); err != nil {
		return fmt.Errorf("bleve batch: %w", err)
	}
	r.BleveBuildSec = time.Since(start).Seconds()
	var lat []time.Duration
	for _, q := range qs {
		mq := query.NewMatchQuery(q)
		mq.Analyzer = nl.AnalyzerName
		req := bleve.NewSearchRequestOptions(mq, 10, 0, false)
		t := time.Now()
		if _, err := idx.SearchInContext(ctx, req); err != nil {
			return fmt.Errorf("bleve search %q: %w", q, err)
		}
		lat = append(lat, time.Since(t))
	}
	r.BleveSearch = summarize(lat)
	if r.Search.P50 > 0 {
		r.SearchRatio = float64(r.BleveSearch.P50) / float64(r.Search.P50)
	}
	if r.Answer.P50 > 0 {
		r.AnswerRatio = float64(r.BleveSearch.P50) / float64(r.Answer.P50)
	}
	r.PeakRSSMiB = peakRSSMiB()
	return nil
}

// peakRSSMiB reads the process's peak resident set size (Linux), or 0.
func peakRSSMiB() float64 { return rssMiB("VmHWM:") }

// rssMiB reads one memory line of /proc/self/status in MiB, or 0.
func rssMiB(key string) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseFloat(f[0], 64)
				return kb / 1024
			}
		}
	}
	return 0
}

// resetPeakRSS restarts the kernel's peak-RSS count (VmHWM) from the
// current RSS; where that is not possible the peak keeps counting from
// process start, which only overstates it.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}
