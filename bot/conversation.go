package bot

import (
	"container/list"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/analysis"
)

// threadKey identifies one thread of one conversation on one platform.
type threadKey struct {
	platform     string
	conversation ConversationID
	thread       ThreadID
}

// turn is what a thread remembers of its last answered question.
type turn struct {
	question string              // the question as it was asked of the library
	article  briefings.ArticleID // the article that answered it
	at       time.Time
}

// memory remembers the last answered turn per thread, for follow-up
// questions. It holds at most max threads (least recently used dropped
// first) and forgets a turn older than ttl. It is safe for concurrent use.
type memory struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	order *list.List // of *memEntry, most recently used at the front
	index map[threadKey]*list.Element
}

type memEntry struct {
	key  threadKey
	turn turn
}

func newMemory(max int, ttl time.Duration) *memory {
	return &memory{max: max, ttl: ttl, order: list.New(), index: make(map[threadKey]*list.Element)}
}

// get returns the thread's last turn, unless it has expired at now.
func (m *memory) get(k threadKey, now time.Time) (turn, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.index[k]
	if !ok {
		return turn{}, false
	}
	e := el.Value.(*memEntry)
	if m.ttl > 0 && now.Sub(e.turn.at) > m.ttl {
		m.order.Remove(el)
		delete(m.index, k)
		return turn{}, false
	}
	m.order.MoveToFront(el)
	return e.turn, true
}

// put records the thread's last turn, evicting the least recently used
// thread when full.
func (m *memory) put(k threadKey, t turn) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.index[k]; ok {
		el.Value.(*memEntry).turn = t
		m.order.MoveToFront(el)
		return
	}
	m.index[k] = m.order.PushFront(&memEntry{key: k, turn: t})
	for m.max > 0 && m.order.Len() > m.max {
		last := m.order.Back()
		m.order.Remove(last)
		delete(m.index, last.Value.(*memEntry).key)
	}
}

// len reports how many threads are remembered.
func (m *memory) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.order.Len()
}

// fillers are words that may precede a follow-up's question word ("and
// when?", "en waar dan?") without giving it content of its own.
var fillers = map[string]bool{
	"and": true, "but": true, "so": true, "then": true, "also": true, "ok": true, "okay": true,
	"en": true, "maar": true, "dan": true, "ook": true, "nou": true, "oke": true,
}

// questionWords start questions in English and Dutch (folded).
var questionWords = map[string]bool{
	"who": true, "what": true, "when": true, "where": true, "why": true, "how": true, "which": true, "whom": true, "whose": true,
	"wie": true, "wat": true, "wanneer": true, "waar": true, "waarom": true, "hoe": true, "welk": true, "welke": true, "hoeveel": true,
}

// followUpWords returns the words of q that carry its question ("when",
// "and why did they") when q is a follow-up: short, with at least one
// question word and no content word of its own. ok is false otherwise.
func followUpWords(q string) (words []string, ok bool) {
	ws := analysis.Words(q)
	if len(ws) == 0 || len(ws) > 6 {
		return nil, false
	}
	hasQ := false
	for _, w := range ws {
		switch {
		case fillers[w.Folded]:
			continue
		case questionWords[w.Folded]:
			hasQ = true
		case !analysis.IsStopword(w.Folded):
			return nil, false
		}
		words = append(words, w.Text)
	}
	return words, hasQ
}

// contentWords returns the words of q that are not stop words or question
// words, as written.
func contentWords(q string) []string {
	var out []string
	for _, w := range analysis.Words(q) {
		if questionWords[w.Folded] || analysis.IsStopword(w.Folded) {
			continue
		}
		out = append(out, w.Text)
	}
	return out
}

// combineFollowUp builds the question asked for a follow-up: its own
// question words, then the previous question's content words, so the
// engine knows both what is asked and about what ("when" + "Ratcliffe
// persconferentie" -> "when Ratcliffe persconferentie?").
func combineFollowUp(own []string, previous string) string {
	parts := append(append([]string(nil), own...), contentWords(previous)...)
	return strings.Join(parts, " ") + "?"
}
