package bot

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/briefbot/briefbot/briefings/analysis"

	"github.com/robfig/cron/v3"
)

// verb is what a message asks the bot to do.
type verb int

const (
	verbHelp verb = iota
	verbAsk
	verbSearch
	verbArticle
	verbLatest
	verbDigest
	verbSubscribe
	verbUnsubscribe
	verbSubscriptions
	verbFeeds
)

func (v verb) String() string {
	return [...]string{"help", "ask", "search", "article", "latest", "digest", "subscribe", "unsubscribe", "subscriptions", "feeds"}[v]
}

// lang is the language a reply is written in.
type lang int

const (
	english lang = iota
	dutch
)

// pick returns the text for l.
func (l lang) pick(en, nl string) string {
	if l == dutch {
		return nl
	}
	return en
}

// command is a parsed message.
type command struct {
	verb verb
	lang lang
	// args are the words after the command word; for verbAsk the question
	// is in text.
	args []string
	text string // the whole message, trimmed
	// unknown is true when the message was neither a command nor a
	// question; it gets help.
	unknown bool
}

// keywords maps the command words, English and Dutch, to their verb and
// language. Matching is case-insensitive.
var keywords = map[string]struct {
	verb verb
	lang lang
}{
	"help": {verbHelp, english}, "hulp": {verbHelp, dutch},
	"search": {verbSearch, english}, "zoek": {verbSearch, dutch},
	"article": {verbArticle, english}, "artikel": {verbArticle, dutch},
	"latest": {verbLatest, english}, "laatste": {verbLatest, dutch},
	"digest": {verbDigest, english}, "overzicht": {verbDigest, dutch},
	"subscribe": {verbSubscribe, english}, "abonneer": {verbSubscribe, dutch},
	"unsubscribe": {verbUnsubscribe, english}, "opzeggen": {verbUnsubscribe, dutch},
	"subscriptions": {verbSubscriptions, english}, "abonnementen": {verbSubscriptions, dutch},
	"feeds": {verbFeeds, english}, "bronnen": {verbFeeds, dutch},
}

// parseCommand parses a message text (the bot's prefix or mention already
// removed). The first word selects a command; a message that is no command
// but looks like a question is asked; anything else is unknown and gets help.
//
// A command word followed by more words and a question mark ("latest news on
// Iran?", "laatste nieuws over Iran?") is read as a question: commands that
// take a topic or nothing do not end in "?".
func parseCommand(text string) command {
	text = strings.TrimSpace(text)
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return command{verb: verbHelp, lang: english, text: text}
	}
	first := strings.ToLower(strings.TrimRight(fields[0], ":,?!."))
	if kw, ok := keywords[first]; ok {
		args := fields[1:]
		isQ := strings.HasSuffix(text, "?") && len(args) > 0
		switch kw.verb {
		case verbSearch, verbArticle, verbSubscribe, verbUnsubscribe:
			return command{verb: kw.verb, lang: kw.lang, args: args, text: text}
		default:
			if !isQ {
				return command{verb: kw.verb, lang: kw.lang, args: args, text: text}
			}
		}
	}
	l := detectLang(text)
	if looksLikeQuestion(text) {
		return command{verb: verbAsk, lang: l, text: text}
	}
	return command{verb: verbHelp, lang: l, text: text, unknown: true}
}

// looksLikeQuestion reports whether text ends with "?", starts with a
// question word, or has at least three words.
func looksLikeQuestion(text string) bool {
	if strings.HasSuffix(text, "?") {
		return true
	}
	ws := analysis.Words(text)
	if len(ws) >= 3 {
		return true
	}
	return len(ws) > 0 && questionWords[ws[0].Folded]
}

// englishWords and dutchWords are frequent words that tell the two
// languages apart (folded). Words both languages use ("in", "is") are left
// out.
var (
	englishWords = setOf("the", "a", "an", "of", "and", "to", "who", "what", "when", "where", "why", "how",
		"which", "did", "does", "do", "was", "were", "are", "has", "have", "with", "about", "on", "for",
		"from", "that", "this", "said", "say", "says", "many", "much", "much", "whom", "whose", "there", "they")
	dutchWords = setOf("de", "het", "een", "van", "en", "te", "wie", "wat", "wanneer", "waar", "waarom",
		"hoe", "welk", "welke", "hoeveel", "heeft", "hebben", "werd", "werden", "zijn", "met", "over",
		"voor", "uit", "dat", "deze", "die", "zei", "zegt", "veel", "er", "ze", "niet", "naar", "bij", "ook", "nog")
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// detectLang guesses whether text is Dutch or English by counting frequent
// words of each; ties, and texts with neither, are English.
func detectLang(text string) lang {
	en, nl := 0, 0
	for _, w := range analysis.Words(text) {
		if englishWords[w.Folded] {
			en++
		}
		if dutchWords[w.Folded] {
			nl++
		}
	}
	if nl > en {
		return dutch
	}
	return english
}

// stripPrefix removes the first matching prefix (case-insensitive) when it
// is followed by the end of the text, a space or ":", "," punctuation. It
// reports whether a prefix was found.
func stripPrefix(text string, prefixes []string) (string, bool) {
	t := strings.TrimLeftFunc(text, unicode.IsSpace)
	for _, p := range prefixes {
		if len(t) < len(p) || !strings.EqualFold(t[:len(p)], p) {
			continue
		}
		rest := t[len(p):]
		if rest == "" {
			return "", true
		}
		switch c := rest[0]; {
		case c == ':' || c == ',':
			return strings.TrimSpace(rest[1:]), true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			return strings.TrimSpace(rest), true
		}
	}
	return text, false
}

// loadZone loads an IANA time zone. "Local" and "" are refused: what they
// mean depends on the server the bot runs on.
func loadZone(name string) (*time.Location, error) {
	if name == "" || strings.EqualFold(name, "local") {
		return nil, fmt.Errorf("time zone %q depends on the server; name one such as Europe/Amsterdam", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q: %w", name, err)
	}
	return loc, nil
}

// validateCron checks a five-field cron spec (or a descriptor such as
// "@daily") with robfig/cron's standard parser. It refuses "@every" and
// embedded "TZ=" (the time zone is a separate field) and schedules that
// fire less than minGap apart.
func validateCron(spec string, loc *time.Location, now time.Time, minGap time.Duration) error {
	if strings.Contains(spec, "TZ=") {
		return fmt.Errorf("give the time zone after the schedule, not inside it")
	}
	if strings.HasPrefix(spec, "@every") {
		return fmt.Errorf("“@every” is not supported; use five cron fields such as “0 7 * * *”")
	}
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return fmt.Errorf("“%s” is not a cron schedule (minute hour day month weekday): %w", spec, err)
	}
	t := sched.Next(now.In(loc))
	if t.IsZero() {
		return fmt.Errorf("“%s” never fires", spec)
	}
	// Look at the next few weeks of runs for the shortest gap.
	for i := 0; i < 64; i++ {
		n := sched.Next(t)
		if n.IsZero() {
			break
		}
		if n.Sub(t) < minGap {
			return fmt.Errorf("“%s” fires more often than once every %v", spec, minGap)
		}
		t = n
	}
	return nil
}

// nextRun renders when spec next fires after now, in loc and language l:
// "Wed 25 Nov 2026 07:00 CET", "wo 25 nov 2026 07:00 CET". It returns "?"
// for an invalid spec.
func nextRun(spec string, loc *time.Location, now time.Time, l lang) string {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return "?"
	}
	t := sched.Next(now.In(loc))
	if l == dutch {
		day := [...]string{"zo", "ma", "di", "wo", "do", "vr", "za"}[t.Weekday()]
		return day + " " + formatDate(t, true, l) + t.Format(" 15:04 MST")
	}
	return t.Format("Mon 2 Jan 2006 15:04 MST")
}
