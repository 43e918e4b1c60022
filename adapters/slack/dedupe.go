package slack

import (
	"sync"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// Bounds of the memory of messages already handed to the core.
const (
	// onceTTL covers Slack's delivery of the twin events (seconds apart)
	// and its Events API retries (up to about an hour after a 503).
	onceTTL = time.Hour
	// onceMax caps the set: about 100 bytes an entry.
	onceMax = 10000
)

// messageOnce remembers, for a while and up to a size, which event first
// delivered each Slack message (channel and ts). Slack delivers a direct
// message that mentions the bot twice, as message.im and app_mention, with
// different event IDs; the core deduplicates by event ID only, so the
// adapter drops the second one. A redelivery of the first event (the same
// event ID) still passes, for the core to recognise. It is safe for
// concurrent use.
type messageOnce struct {
	ttl time.Duration
	max int

	mu    sync.Mutex
	seq   uint64
	first map[string]onceEntry
	order []onceClaim // claims in time order, released ones included
}

type onceEntry struct {
	id  bot.EventID
	seq uint64 // the claim's number in order
}

type onceClaim struct {
	key string
	seq uint64
	at  time.Time
}

// newMessageOnce returns an empty set keeping entries for ttl, at most max.
func newMessageOnce(ttl time.Duration, max int) *messageOnce {
	return &messageOnce{ttl: ttl, max: max, first: map[string]onceEntry{}}
}

// messageKey identifies a Slack message; "" when ts is unknown.
func messageKey(channel bot.ConversationID, ts string) string {
	if channel == "" || ts == "" {
		return ""
	}
	return string(channel) + "/" + ts
}

// claim reports whether the event id may be handed over for the message
// key: true when the message is new (it is then remembered as delivered by
// id) or id is the event that first delivered it.
func (o *messageOnce) claim(key string, id bot.EventID, now time.Time) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.expire(now)
	if e, ok := o.first[key]; ok {
		return e.id == id
	}
	o.seq++
	o.first[key] = onceEntry{id: id, seq: o.seq}
	o.order = append(o.order, onceClaim{key: key, seq: o.seq, at: now})
	for len(o.order) > 0 && (len(o.first) > o.max || len(o.order) > 2*o.max) {
		o.forgetOldest()
	}
	return true
}

// release forgets key when id claimed it: its hand-over failed, so Slack's
// redelivery of either event must get through.
func (o *messageOnce) release(key string, id bot.EventID) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if e, ok := o.first[key]; ok && e.id == id {
		delete(o.first, key)
	}
}

// len is the number of messages remembered.
func (o *messageOnce) len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.first)
}

// expire forgets the entries older than the TTL. Callers hold o.mu.
func (o *messageOnce) expire(now time.Time) {
	for len(o.order) > 0 && now.Sub(o.order[0].at) >= o.ttl {
		o.forgetOldest()
	}
	// A set that shrank far below its backing array gives the memory back.
	if cap(o.order) > 64 && len(o.order) < cap(o.order)/4 {
		o.order = append([]onceClaim(nil), o.order...)
	}
}

// forgetOldest drops the oldest claim, unless its key was released and
// claimed again since. Callers hold o.mu.
func (o *messageOnce) forgetOldest() {
	c := o.order[0]
	o.order = o.order[1:]
	if e, ok := o.first[c.key]; ok && e.seq == c.seq {
		delete(o.first, c.key)
	}
}
