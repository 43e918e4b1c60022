package matrix

import "sync"

// recent is a bounded map that forgets its oldest entries first. It is safe
// for concurrent use.
type recent[K comparable, V any] struct {
	mu    sync.Mutex
	limit int
	m     map[K]V
	order []K // insertion order; a ring once full
	next  int // ring position of the oldest key once len(order) == limit
}

func newRecent[K comparable, V any](limit int) *recent[K, V] {
	return &recent[K, V]{limit: limit, m: make(map[K]V, limit)}
}

// add stores k → v and reports whether k was new. An existing key keeps
// its age and gets the new value.
func (r *recent[K, V]) add(k K, v V) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.m[k]; ok {
		r.m[k] = v
		return false
	}
	if len(r.order) < r.limit {
		r.order = append(r.order, k)
	} else {
		delete(r.m, r.order[r.next])
		r.order[r.next] = k
		r.next = (r.next + 1) % r.limit
	}
	r.m[k] = v
	return true
}

// get returns k's value and whether k is known.
func (r *recent[K, V]) get(k K) (V, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.m[k]
	return v, ok
}
