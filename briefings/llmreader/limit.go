package llmreader

import (
	"container/list"
	"sync"
	"time"
)

// Limit allows Events requests per Window. Events < 0 turns the limit off;
// the zero value means the default.
type Limit struct {
	Events int
	Window time.Duration
}

func (l Limit) off() bool { return l.Events < 0 }

// bucket is a token bucket: Events tokens, refilled evenly over Window.
type bucket struct {
	tokens float64
	at     time.Time
}

// limiter applies the global limit and one limit per user. Buckets of
// users that have been idle a whole window are dropped when the map grows.
type limiter struct {
	mu     sync.Mutex
	global Limit
	user   Limit
	all    bucket
	users  map[string]*bucket
}

// maxUserBuckets is the user count above which idle buckets are dropped.
const maxUserBuckets = 10000

func newLimiter(global, user Limit, now time.Time) *limiter {
	return &limiter{global: global, user: user, all: bucket{tokens: float64(global.Events), at: now}, users: map[string]*bucket{}}
}

// refill brings b to time now under limit l.
func refill(b *bucket, l Limit, now time.Time) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(float64(l.Events), b.tokens+float64(l.Events)*d.Seconds()/l.Window.Seconds())
		b.at = now
	}
}

// take spends a request of user ("" is not limited per user) at now, and
// reports whether both limits allowed it; a refused request spends nothing.
func (lm *limiter) take(user string, now time.Time) bool {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	var ub *bucket
	if user != "" && !lm.user.off() {
		ub = lm.users[user]
		if ub == nil {
			if len(lm.users) >= maxUserBuckets {
				for k, b := range lm.users {
					if now.Sub(b.at) >= lm.user.Window {
						delete(lm.users, k)
					}
				}
			}
			ub = &bucket{tokens: float64(lm.user.Events), at: now}
			lm.users[user] = ub
		}
		refill(ub, lm.user, now)
		if ub.tokens < 1 {
			return false
		}
	}
	if !lm.global.off() {
		refill(&lm.all, lm.global, now)
		if lm.all.tokens < 1 {
			return false
		}
		lm.all.tokens--
	}
	if ub != nil {
		ub.tokens--
	}
	return true
}

// cached is a verified outcome: an answer with its citation, or the
// model's word that the passages do not answer.
type cached struct {
	answered bool
	text     string
	article  string
	quote    string
}

// lru is a fixed-size least-recently-used cache; size <= 0 stores nothing.
type lru struct {
	mu    sync.Mutex
	size  int
	order *list.List // front: most recent; values are *entry
	items map[string]*list.Element
}

type entry struct {
	key string
	val cached
}

func newLRU(size int) *lru {
	return &lru{size: size, order: list.New(), items: map[string]*list.Element{}}
}

func (c *lru) get(key string) (cached, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return cached{}, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*entry).val, true
}

func (c *lru) put(key string, v cached) {
	if c.size <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		el.Value.(*entry).val = v
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(&entry{key: key, val: v})
	for c.order.Len() > c.size {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.items, old.Value.(*entry).key)
	}
}

func (c *lru) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
