package bot

import (
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// RateLimit allows Events messages per Window. The zero value means "use the
// default"; Events < 0 disables the limit.
type RateLimit struct {
	Events int
	Window time.Duration
}

// enabled reports whether the limit restricts anything.
func (l RateLimit) enabled() bool { return l.Events > 0 && l.Window > 0 }

// limiter is a set of token buckets, one per key, driven by an injected
// clock. A bucket holds up to Events tokens and refills at Events per Window.
// It is safe for concurrent use.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	// maxKeys bounds the map: past it, full and quiet buckets are dropped.
	maxKeys int
}

type bucket struct {
	limit    RateLimit
	tokens   float64
	updated  time.Time
	noticeAt time.Time // when the last refusal notice was given; zero: never
}

func newLimiter() *limiter {
	return &limiter{buckets: make(map[string]*bucket), maxKeys: 10_000}
}

// check is one key to take a token from, with its limit.
type check struct {
	key   string
	limit RateLimit
}

// take takes one token from every enabled check's bucket, or from none. When
// some bucket is empty it returns ok == false, and notify == true when the
// caller should tell the user (at most once per window per refusing key).
func (l *limiter) take(now time.Time, checks ...check) (ok, notify bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buckets) > l.maxKeys {
		l.prune(now)
	}
	var bs []*bucket
	for _, c := range checks {
		if !c.limit.enabled() {
			continue
		}
		b := l.buckets[c.key]
		if b == nil || b.limit != c.limit {
			b = &bucket{limit: c.limit, tokens: float64(c.limit.Events), updated: now}
			l.buckets[c.key] = b
		}
		b.refill(now)
		bs = append(bs, b)
	}
	for _, b := range bs {
		if b.tokens < 1 {
			if b.noticeAt.IsZero() || now.Sub(b.noticeAt) >= b.limit.Window {
				b.noticeAt = now
				return false, true
			}
			return false, false
		}
	}
	for _, b := range bs {
		b.tokens--
	}
	return true, false
}

func (b *bucket) refill(now time.Time) {
	if el := now.Sub(b.updated); el > 0 {
		b.tokens += float64(b.limit.Events) * el.Seconds() / b.limit.Window.Seconds()
		if max := float64(b.limit.Events); b.tokens > max {
			b.tokens = max
		}
	}
	b.updated = now
}

// prune drops buckets that are full again and whose notice window is over:
// forgetting them changes nothing.
func (l *limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		b.refill(now)
		if b.tokens >= float64(b.limit.Events) && now.Sub(b.noticeAt) >= b.limit.Window {
			delete(l.buckets, k)
		}
	}
}

// tooLong reports whether s has more than max runes (max <= 0: no limit).
func tooLong(s string, max int) bool {
	return max > 0 && utf8.RuneCountInString(s) > max
}

// massMentions are the strings that notify a whole channel or room on some
// platform. They are matched case-insensitively.
var massMentions = [...]string{"@channel", "@here", "@everyone", "@room", "<!channel>", "<!here>", "<!everyone>"}

// zwj is inserted after the '@' or '<' of a mass mention, so the text reads
// the same but no platform sees the mention.
const zwj = "\u200d"

// Neutralize returns s with every mass mention ("@channel", "@here",
// "@everyone", "@room", "<!channel>", "<!here>", "<!everyone>", in any case)
// broken by a zero-width joiner after its first character. Adapters escape
// their own markup too; this is defence in depth for text the bot echoes.
func Neutralize(s string) string {
	if !strings.ContainsAny(s, "@<") {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '@' && s[i] != '<' {
			continue
		}
		for _, m := range massMentions {
			if len(s)-i >= len(m) && strings.EqualFold(s[i:i+len(m)], m) {
				b.WriteString(s[last : i+1])
				b.WriteString(zwj)
				last = i + 1
				break
			}
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// neutralizeReply applies Neutralize to every text of r.
func neutralizeReply(r Reply) Reply {
	r.Title = Neutralize(r.Title)
	r.Answer = Neutralize(r.Answer)
	r.Quote = Neutralize(r.Quote)
	r.Notice = Neutralize(r.Notice)
	r.Footer = Neutralize(r.Footer)
	r.Citations = neutralizeCitations(r.Citations)
	r.SeeAlso = neutralizeCitations(r.SeeAlso)
	if r.Body != nil {
		body := make([]string, len(r.Body))
		for i, s := range r.Body {
			body[i] = Neutralize(s)
		}
		r.Body = body
	}
	if r.Items != nil {
		items := make([]Item, len(r.Items))
		for i, it := range r.Items {
			it.Title = Neutralize(it.Title)
			it.Text = Neutralize(it.Text)
			it.Source = Neutralize(it.Source)
			items[i] = it
		}
		r.Items = items
	}
	return r
}

func neutralizeCitations(cs []Citation) []Citation {
	if cs == nil {
		return nil
	}
	out := make([]Citation, len(cs))
	for i, c := range cs {
		c.Title = Neutralize(c.Title)
		c.Quote = Neutralize(c.Quote)
		c.Source = Neutralize(c.Source)
		out[i] = c
	}
	return out
}
