package bottest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/analysis"
)

// Library is a fake of the article library at the bot's consumer interface
// (bot.Briefings). NewLibrary fills it with five Dutch articles and canned
// answers modelled on the sample corpus. Answer matches the question against
// Rules; Search, Latest and Digest match words against the articles' text.
// It records every question asked. It is safe for concurrent use; set the
// exported fields before use.
type Library struct {
	Articles []briefings.Article
	Rules    []Rule
	TopicSet []briefings.Topic

	mu    sync.Mutex
	err   error
	asked []Asked
}

// Rule is a canned answer. It applies when every word in Words occurs in the
// question (folded; a word matches a question word it prefixes) and, when
// OnlyIn is set, the question is asked about that article.
type Rule struct {
	Words  []string
	OnlyIn briefings.ArticleID
	Answer briefings.Answer
}

// Asked is one recorded Answer call.
type Asked struct {
	Question string
	Options  briefings.AskOptions
}

// Fail makes every later call that returns an error fail with err (nil:
// succeed again).
func (l *Library) Fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.err = err
}

// Asked returns the Answer calls so far.
func (l *Library) Asked() []Asked {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Asked(nil), l.asked...)
}

func (l *Library) failure() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// Answer returns the first matching Rule's answer, or an unanswered Answer
// whose SeeAlso lists the articles sharing most words with the question.
func (l *Library) Answer(ctx context.Context, question string, opts briefings.AskOptions) (briefings.Answer, error) {
	l.mu.Lock()
	l.asked = append(l.asked, Asked{Question: question, Options: opts})
	l.mu.Unlock()
	if err := l.failure(); err != nil {
		return briefings.Answer{}, err
	}
	if err := ctx.Err(); err != nil {
		return briefings.Answer{}, err
	}
	words := folded(question)
	for _, r := range l.Rules {
		if r.OnlyIn != "" && r.OnlyIn != opts.Article {
			continue
		}
		if opts.Article != "" && (len(r.Answer.Citations) == 0 || r.Answer.Citations[0].Article != opts.Article) {
			continue
		}
		if containsAll(words, r.Words) {
			a := r.Answer
			a.Question = question
			return a, nil
		}
	}
	a := briefings.Answer{Question: question}
	for _, res := range l.search(question, 2) {
		a.SeeAlso = append(a.SeeAlso, briefings.Citation{Article: res.Article, Source: res.Source, Title: res.Title, Date: res.Date})
	}
	return a, nil
}

// Search ranks articles by how many distinct query words (of three letters
// or more) they contain; the snippet is the first sentence with a match,
// the matched words marked with "**".
func (l *Library) Search(ctx context.Context, query string, limit int) ([]briefings.SearchResult, error) {
	if err := l.failure(); err != nil {
		return nil, err
	}
	return l.search(query, limit), ctx.Err()
}

func (l *Library) search(query string, limit int) []briefings.SearchResult {
	var qs []string
	for _, w := range folded(query) {
		if len(w) >= 3 && !analysis.IsStopword(w) {
			qs = append(qs, w)
		}
	}
	var out []briefings.SearchResult
	for _, a := range l.Articles {
		words := folded(a.Title + " " + a.Body())
		score := 0
		for _, q := range qs {
			if containsAll(words, []string{q}) {
				score++
			}
		}
		if score == 0 {
			continue
		}
		out = append(out, briefings.SearchResult{Article: a.ID, Source: a.Source, Title: a.Title, Date: a.Date,
			Score: float64(score), Snippet: snippet(a, qs)})
	}
	slices.SortStableFunc(out, func(x, y briefings.SearchResult) int {
		switch {
		case x.Score > y.Score:
			return -1
		case x.Score < y.Score:
			return 1
		}
		return 0
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// snippet returns the first sentence of a that contains a query word, with
// the matching words marked.
func snippet(a briefings.Article, qs []string) string {
	for _, s := range a.Sentences {
		marked, hit := s.Text, false
		for _, w := range analysis.Words(s.Text) {
			if slices.ContainsFunc(qs, func(q string) bool { return strings.HasPrefix(w.Folded, q) }) {
				marked = strings.Replace(marked, w.Text, "**"+w.Text+"**", 1)
				hit = true
			}
		}
		if hit {
			return marked
		}
	}
	return ""
}

// Article returns the article with id.
func (l *Library) Article(id briefings.ArticleID) (briefings.Article, bool) {
	for _, a := range l.Articles {
		if a.ID == id {
			return a, true
		}
	}
	return briefings.Article{}, false
}

// Latest lists the articles of topic ("" = all), newest first (undated ones
// by when they were added).
func (l *Library) Latest(ctx context.Context, topic string, limit int) ([]briefings.DigestItem, error) {
	if err := l.failure(); err != nil {
		return nil, err
	}
	var t *briefings.Topic
	if topic != "" {
		tt, ok := l.Topic(topic)
		if !ok {
			return nil, &UnknownTopicError{Name: topic}
		}
		t = &tt
	}
	items := l.items(t, time.Time{}, time.Time{})
	if limit > 0 && len(items) > limit {
		items = items[:limit]
	}
	return items, ctx.Err()
}

// Digest returns the topic's articles dated (or, undated, added) within the
// request's period, newest first.
func (l *Library) Digest(ctx context.Context, req briefings.DigestRequest) (briefings.Digest, error) {
	if err := l.failure(); err != nil {
		return briefings.Digest{}, err
	}
	t, ok := l.Topic(req.Topic)
	if !ok {
		return briefings.Digest{}, &UnknownTopicError{Name: req.Topic}
	}
	items := l.items(&t, req.Since, req.Until)
	if req.Limit > 0 && len(items) > req.Limit {
		items = items[:req.Limit]
	}
	return briefings.Digest{Topic: t.Name, Since: req.Since, Until: req.Until, Items: items}, ctx.Err()
}

// items lists the articles matching t (nil: all) within [since, until]
// (zero: open), newest first.
func (l *Library) items(t *briefings.Topic, since, until time.Time) []briefings.DigestItem {
	type dated struct {
		at   time.Time
		item briefings.DigestItem
	}
	var ds []dated
	for _, a := range l.Articles {
		var matched []string
		if t != nil {
			words := folded(a.Title + " " + a.Body())
			for _, term := range t.Terms {
				if containsAll(words, folded(term)) {
					matched = append(matched, term)
				}
			}
			if len(matched) == 0 {
				continue
			}
		}
		start, end := a.Added, a.Added
		if !a.Date.IsZero() {
			start, end = a.Date.Start(time.UTC), a.Date.End(time.UTC)
		}
		if (!since.IsZero() && end.Before(since)) || (!until.IsZero() && start.After(until)) {
			continue
		}
		summary := ""
		if len(a.Sentences) > 0 {
			summary = a.Sentences[0].Text
		}
		ds = append(ds, dated{at: start, item: briefings.DigestItem{Article: a.ID, Source: a.Source, Title: a.Title,
			Date: a.Date, Summary: summary, Score: float64(len(matched)), Matched: matched}})
	}
	slices.SortStableFunc(ds, func(x, y dated) int { return y.at.Compare(x.at) })
	out := make([]briefings.DigestItem, len(ds))
	for i, d := range ds {
		out[i] = d.item
	}
	return out
}

// Topic returns the topic named name (exact match, as the library does).
func (l *Library) Topic(name string) (briefings.Topic, bool) {
	for _, t := range l.TopicSet {
		if t.Name == name {
			return t, true
		}
	}
	return briefings.Topic{}, false
}

// Topics returns the configured topics.
func (l *Library) Topics() []briefings.Topic { return append([]briefings.Topic(nil), l.TopicSet...) }

// UnknownTopicError is returned for a topic the Library does not have.
type UnknownTopicError struct{ Name string }

func (e *UnknownTopicError) Error() string { return "unknown topic " + e.Name }

// folded returns the folded words of s.
func folded(s string) []string {
	ws := analysis.Words(s)
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Folded
	}
	return out
}

// containsAll reports whether every word of want prefixes some word of
// have.
func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.ContainsFunc(have, func(h string) bool { return strings.HasPrefix(h, analysis.Fold(w)) }) {
			return false
		}
	}
	return true
}
