package bot

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefings"
)

// Briefings is what the bot needs of the article library. *briefings.Library
// implements it. Implementations must be safe for concurrent use; the
// methods taking a ctx may block and must honour it.
//
// Before the first article set is in, its methods may return an error that
// wraps ErrLoading: the bot then says so instead of answering.
type Briefings interface {
	Answer(ctx context.Context, question string, opts briefings.AskOptions) (briefings.Answer, error)
	Search(ctx context.Context, query string, limit int) ([]briefings.SearchResult, error)
	Article(id briefings.ArticleID) (briefings.Article, bool)
	// Latest lists a topic's newest articles, newest first; topic "" means
	// all articles.
	Latest(ctx context.Context, topic string, limit int) ([]briefings.DigestItem, error)
	Digest(ctx context.Context, req briefings.DigestRequest) (briefings.Digest, error)
	Topic(name string) (briefings.Topic, bool)
	Topics() []briefings.Topic
}

// Scheduler is told when subscriptions change, so it can reload them. The
// bot calls Refresh after every subscribe and unsubscribe, from the goroutine
// that handles the message.
type Scheduler interface {
	Refresh(ctx context.Context) error
}

// Options configure a Bot. Briefings and Store are required; every other
// zero value means the documented default.
type Options struct {
	Briefings Briefings
	Store     Store
	// Logger receives operational logs; nil discards them. Message texts are
	// never logged at info or above.
	Logger *slog.Logger
	// Clock returns the current time; nil means time.Now. Rate limits,
	// conversation memory, digests and processed-event records use it.
	Clock func() time.Time

	// Admins lists, per platform ("slack", "matrix"), the users who may
	// subscribe and unsubscribe conversations. IsAdmin, when set, decides
	// instead. When neither names anybody, everyone may change
	// subscriptions; once any admin is configured, only admins may, on every
	// platform.
	Admins  map[string][]UserID
	IsAdmin func(platform string, u UserID) bool

	// Prefixes address the bot in a group conversation when a message starts
	// with one, followed by a space, ":" or ",". Matching is case-insensitive.
	// nil means {"!briefbot", "briefbot", "!b"}.
	Prefixes []string

	// UserLimit and ConversationLimit bound the messages the bot answers per
	// user and per conversation. Defaults: 10 and 30 per minute. A refused
	// message gets one short notice per window; later ones are ignored.
	UserLimit         RateLimit
	ConversationLimit RateLimit
	// Unlimited lists platforms exempt from rate limits. nil means
	// {"console"}, the operator's own terminal; use an empty, non-nil slice
	// to limit every platform.
	Unlimited []string

	// EventLease is how long the claim on an event being answered stays
	// live without renewal. The bot renews it every EventLease/3 while the
	// reply is prepared and sent; when the process dies, the claim expires
	// EventLease later and a redelivery is answered. Default 30 seconds.
	EventLease time.Duration
	// EventPoll is how often a redelivery that finds another process's
	// live claim on its event checks whether that process answered, gave
	// up or died. Default one second.
	EventPoll time.Duration
	// Owner names this process in event claims. Empty means host, process
	// ID and a random suffix; two Bots must never share one.
	Owner string

	// MaxQuestionLen is the longest message, in characters (runes), the bot
	// accepts. Default 1000.
	MaxQuestionLen int

	// Scheduler, when set, is refreshed after subscriptions change.
	Scheduler Scheduler
	// DefaultCron is the schedule of a subscription that names none.
	// Default "0 7 * * *".
	DefaultCron string
	// DefaultTimeZone is the IANA time zone of a subscription that names
	// none, and the zone digests' periods and "since" dates are read in.
	// Default "UTC".
	DefaultTimeZone string
	// MinDigestInterval is the shortest gap allowed between two digests of
	// one subscription. Default one hour.
	MinDigestInterval time.Duration
	// DigestPeriod is how far back "digest" looks without "since". Default
	// seven days.
	DigestPeriod time.Duration

	// MemoryThreads and MemoryTTL bound the per-thread memory used for
	// follow-up questions. Defaults: 1000 threads, 24 hours.
	MemoryThreads int
	MemoryTTL     time.Duration

	// SearchLimit, LatestLimit and DigestLimit bound list replies.
	// Defaults: 5, 5 and 10.
	SearchLimit int
	LatestLimit int
	DigestLimit int

	// Feeds, when set, reports the configured feeds' status for the feeds
	// command (feeds.go); nil: the command says no feeds are configured.
	// It is called from the goroutine handling the message and must not
	// block.
	Feeds func() []FeedStatus
}

// Bot is the platform-free core: it implements Handler for every adapter.
// It is safe for concurrent use; HandleMessage may run on many goroutines.
type Bot struct {
	lib         Briefings
	store       Store
	log         *slog.Logger
	now         func() time.Time
	isAdmin     func(platform string, u UserID) bool // nil: everyone is admin
	prefixes    []string
	userLimit   RateLimit
	convLimit   RateLimit
	unlimited   map[string]bool
	maxQ        int
	sched       Scheduler
	defaultCron string
	defaultTZ   string
	loc         *time.Location
	minGap      time.Duration
	period      time.Duration
	searchLimit int
	latestLimit int
	digestLimit int
	feeds       func() []FeedStatus

	mem    *memory
	limits *limiter

	owner      string
	eventLease time.Duration
	eventPoll  time.Duration
	inflight   *inflight
}

// Compile-time check that Bot is a Handler.
var _ Handler = (*Bot)(nil)

// New validates opts and returns a Bot.
func New(opts Options) (*Bot, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if opts.Briefings == nil {
		bad("Briefings is required: the bot has nothing to answer from")
	}
	if opts.Store == nil {
		bad("Store is required: the bot keeps processed events and subscriptions there")
	}
	if opts.Admins != nil && opts.IsAdmin != nil {
		bad("set Admins or IsAdmin, not both")
	}
	b := &Bot{
		lib:         opts.Briefings,
		store:       opts.Store,
		log:         opts.Logger,
		now:         opts.Clock,
		prefixes:    opts.Prefixes,
		userLimit:   opts.UserLimit,
		convLimit:   opts.ConversationLimit,
		maxQ:        opts.MaxQuestionLen,
		sched:       opts.Scheduler,
		defaultCron: opts.DefaultCron,
		defaultTZ:   opts.DefaultTimeZone,
		minGap:      opts.MinDigestInterval,
		period:      opts.DigestPeriod,
		searchLimit: cmp.Or(opts.SearchLimit, 5),
		latestLimit: cmp.Or(opts.LatestLimit, 5),
		digestLimit: cmp.Or(opts.DigestLimit, 10),
		feeds:       opts.Feeds,
		limits:      newLimiter(),
		owner:       opts.Owner,
		eventLease:  cmp.Or(opts.EventLease, defaultEventLease),
		eventPoll:   cmp.Or(opts.EventPoll, defaultEventPoll),
		inflight:    &inflight{m: map[string]chan struct{}{}},
	}
	if opts.EventLease < 0 || opts.EventPoll < 0 {
		bad("EventLease (%v) and EventPoll (%v) must not be negative", opts.EventLease, opts.EventPoll)
	}
	if b.owner == "" {
		b.owner = defaultOwner()
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.prefixes == nil {
		b.prefixes = []string{"!briefbot", "briefbot", "!b"}
	}
	for _, p := range b.prefixes {
		if p == "" || strings.ContainsAny(p, " \t\r\n") {
			bad("prefix %q must be non-empty and without spaces", p)
		}
	}
	for _, l := range []struct {
		name string
		lim  *RateLimit
		def  RateLimit
	}{
		{"UserLimit", &b.userLimit, RateLimit{Events: 10, Window: time.Minute}},
		{"ConversationLimit", &b.convLimit, RateLimit{Events: 30, Window: time.Minute}},
	} {
		switch {
		case *l.lim == RateLimit{}:
			*l.lim = l.def
		case l.lim.Events > 0 && l.lim.Window <= 0:
			bad("%s allows %d events per window but the window %v is not positive", l.name, l.lim.Events, l.lim.Window)
		}
	}
	b.unlimited = map[string]bool{"console": true}
	if opts.Unlimited != nil {
		b.unlimited = map[string]bool{}
		for _, p := range opts.Unlimited {
			b.unlimited[p] = true
		}
	}
	switch {
	case b.maxQ == 0:
		b.maxQ = 1000
	case b.maxQ < 0:
		bad("MaxQuestionLen %d is negative", b.maxQ)
	}
	switch {
	case b.minGap == 0:
		b.minGap = time.Hour
	case b.minGap < 0:
		bad("MinDigestInterval %v is negative", b.minGap)
	}
	switch {
	case b.period == 0:
		b.period = 7 * 24 * time.Hour
	case b.period < 0:
		bad("DigestPeriod %v is negative", b.period)
	}
	for _, v := range []struct {
		name string
		n    int
	}{{"SearchLimit", opts.SearchLimit}, {"LatestLimit", opts.LatestLimit}, {"DigestLimit", opts.DigestLimit}, {"MemoryThreads", opts.MemoryThreads}} {
		if v.n < 0 {
			bad("%s %d is negative", v.name, v.n)
		}
	}
	if opts.MemoryTTL < 0 {
		bad("MemoryTTL %v is negative", opts.MemoryTTL)
	}
	b.mem = newMemory(cmp.Or(opts.MemoryThreads, 1000), cmp.Or(opts.MemoryTTL, 24*time.Hour))
	if b.defaultTZ == "" {
		b.defaultTZ = "UTC"
	}
	loc, err := loadZone(b.defaultTZ)
	if err != nil {
		bad("DefaultTimeZone: %w", err)
	}
	b.loc = loc
	if b.defaultCron == "" {
		b.defaultCron = "0 7 * * *"
	}
	if loc != nil {
		if err := validateCron(b.defaultCron, loc, b.now(), b.minGap); err != nil {
			bad("DefaultCron: %w", err)
		}
	}
	b.isAdmin = adminCheck(opts.Admins, opts.IsAdmin)
	if len(errs) > 0 {
		return nil, fmt.Errorf("bot: invalid options: %w", errors.Join(errs...))
	}
	return b, nil
}

// adminCheck returns the admin predicate, or nil when nobody is configured
// as admin (everyone may change subscriptions).
func adminCheck(admins map[string][]UserID, f func(string, UserID) bool) func(string, UserID) bool {
	if f != nil {
		return f
	}
	set := map[string]map[UserID]bool{}
	for p, us := range admins {
		for _, u := range us {
			if set[p] == nil {
				set[p] = map[UserID]bool{}
			}
			set[p][u] = true
		}
	}
	if len(set) == 0 {
		return nil
	}
	return func(p string, u UserID) bool { return set[p][u] }
}

// platformOf names the platform a message came from: the Sender's Name when
// it has one, else "unknown".
func platformOf(s Sender) string {
	if n, ok := s.(interface{ Name() string }); ok {
		if name := n.Name(); name != "" {
			return name
		}
	}
	return "unknown"
}

// addressed returns the message text meant for the bot, with any prefix
// removed, and whether the message is addressed to the bot at all: a direct
// message, a mention, or a group message starting with a prefix.
func (b *Bot) addressed(m Message) (string, bool) {
	text, prefixed := stripPrefix(m.Text, b.prefixes)
	if prefixed || m.Direct || m.Mentioned {
		return strings.TrimSpace(text), true
	}
	return "", false
}

// request is one message being handled.
type request struct {
	platform string
	msg      Message
	now      time.Time
	log      *slog.Logger
}

// HandleMessage implements Handler. In order, it:
//   - ignores a message not addressed to the bot (a group message that is
//     neither mentioning the bot nor prefixed). This is checked before the
//     store is touched, so chatter costs no write; it depends only on the
//     message, so a redelivery is judged the same way;
//   - claims the event (Store.ClaimEvent, keyed by the Sender's Name and
//     the EventID; a message without EventID is never deduplicated). An
//     event handled before is ignored. While another delivery of the event
//     is being answered, in this process or (a live claim) in another, it
//     waits, until ctx ends, for that delivery's outcome (checking the store
//     every EventPoll): answered, it ignores the event; released after a
//     failed send, or abandoned by a process that died and let its lease
//     run out, it answers. When the store fails, the message is answered
//     anyway: twice beats never;
//   - applies the per-user and per-conversation rate limits: a refused
//     message gets one short notice per window, later ones nothing;
//   - refuses a message over MaxQuestionLen characters;
//   - runs the command and sends one reply to Target{m.Conversation,
//     m.Thread}, with mass mentions neutralised. Failures of the library or
//     the store become a polite notice, never silence;
//   - records the event as handled (Store.FinishEvent) only once the
//     Sender's Send returned nil. A failed Send releases the claim, so the
//     platform's redelivery is answered; a crash before either leaves a
//     claim that expires after EventLease. So a crash leads to one answer
//     (two only when it falls between the platform accepting the reply and
//     the store recording it), never to none.
//
// It blocks until the reply is sent or ctx ends. Send errors are logged.
func (b *Bot) HandleMessage(ctx context.Context, from Sender, m Message) {
	text, ok := b.addressed(m)
	if !ok {
		return
	}
	req := request{platform: platformOf(from), msg: m, now: b.now()}
	req.log = b.log.With("platform", req.platform, "conversation", string(m.Conversation), "event_id", string(m.EventID))
	var claim *eventClaim
	if m.EventID != "" {
		if claim, ok = b.claimEvent(ctx, req); !ok {
			return
		}
		defer claim.end(ctx)
	}
	cmd := parseCommand(text)
	if !b.unlimited[req.platform] {
		ok, notify := b.limits.take(req.now,
			check{key: "user\x00" + req.platform + "\x00" + string(m.User), limit: b.userLimit},
			check{key: "conv\x00" + req.platform + "\x00" + string(m.Conversation), limit: b.convLimit})
		if !ok {
			req.log.Info("message refused by rate limit", "user", string(m.User), "notified", notify)
			if !notify {
				claim.finish(ctx) // silence is the answer
				return
			}
			if b.send(ctx, from, req, Reply{Notice: cmd.lang.pick(
				"You're asking faster than I can answer. Please wait a minute and try again.",
				"Je vraagt sneller dan ik kan antwoorden. Wacht even en probeer het dan opnieuw.")}) {
				claim.finish(ctx)
			}
			return
		}
	}
	var r Reply
	if tooLong(text, b.maxQ) {
		r = tooLongReply(cmd, text, b.maxQ)
	} else {
		r = b.run(ctx, req, cmd)
	}
	sent := b.send(ctx, from, req, r)
	if sent {
		claim.finish(ctx)
	}
	req.log.Info("message handled", "user", string(m.User), "command", cmd.verb.String(),
		"unknown", cmd.unknown, "sent", sent, "duration", b.now().Sub(req.now))
}

// run executes cmd and returns its reply. A panic in a command is logged
// and answered with an apology rather than crashing the adapter.
func (b *Bot) run(ctx context.Context, req request, cmd command) (r Reply) {
	defer func() {
		if p := recover(); p != nil {
			req.log.Error("command panicked", "command", cmd.verb.String(), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			r = failReply(cmd.lang)
		}
	}()
	switch cmd.verb {
	case verbAsk:
		return b.ask(ctx, req, cmd)
	case verbSearch:
		return b.search(ctx, req, cmd)
	case verbArticle:
		return b.article(cmd)
	case verbLatest:
		return b.latest(ctx, req, cmd)
	case verbDigest:
		return b.digest(ctx, req, cmd)
	case verbSubscribe:
		return b.subscribe(ctx, req, cmd)
	case verbUnsubscribe:
		return b.unsubscribe(ctx, req, cmd)
	case verbSubscriptions:
		return b.subscriptions(ctx, req, cmd)
	case verbFeeds:
		return b.feedsReply(req, cmd)
	default:
		r := helpReply(cmd.lang, firstOr(b.prefixes, ""), b.defaultCron, b.lib.Topics())
		if cmd.unknown {
			r.Title = cmd.lang.pick("I didn't catch that. Here is what I can do:", "Dat begreep ik niet. Dit kan ik:")
		}
		return r
	}
}

// send neutralises mass mentions in r and sends it to the message's
// conversation and thread, and reports whether Send succeeded; a failure is
// logged.
func (b *Bot) send(ctx context.Context, to Sender, req request, r Reply) bool {
	target := Target{Conversation: req.msg.Conversation, Thread: req.msg.Thread}
	if err := to.Send(ctx, target, neutralizeReply(r)); err != nil {
		req.log.Warn("cannot send reply", "err", err)
		return false
	}
	return true
}

// firstOr returns ss[0], or def when ss is empty.
func firstOr(ss []string, def string) string {
	if len(ss) == 0 {
		return def
	}
	return ss[0]
}

// failReply is the polite notice for a failure on our side.
// ErrLoading says the articles are not indexed yet (the first start of a
// large archive): a question gets an honest "ask again shortly".
var ErrLoading = errors.New("the articles are still being indexed")

// libraryFailed is the reply to a library error: "still loading" for
// ErrLoading, else the generic failure (the error is logged).
func libraryFailed(req request, l lang, what string, err error) Reply {
	if errors.Is(err, ErrLoading) {
		return Reply{Notice: l.pick(
			"I am still reading the articles (this takes a few minutes after the first start). Please ask again shortly.",
			"Ik ben de artikelen nog aan het inlezen (dat duurt na de eerste start enkele minuten). Vraag het zo nog eens.")}
	}
	req.log.Warn("library could not "+what, "err", err)
	return failReply(l)
}

func failReply(l lang) Reply {
	return Reply{Notice: l.pick(
		"Sorry, something went wrong on my side. Please try again in a moment.",
		"Sorry, er ging bij mij iets mis. Probeer het zo nog eens.")}
}

// tooLongReply refuses a message longer than max characters.
func tooLongReply(cmd command, text string, max int) Reply {
	n := utf8.RuneCountInString(text)
	if cmd.verb == verbAsk {
		return Reply{Notice: cmd.lang.pick(
			fmt.Sprintf("That question is too long (%d characters; the limit is %d). Please shorten it.", n, max),
			fmt.Sprintf("Die vraag is te lang (%d tekens; het maximum is %d). Maak hem korter.", n, max))}
	}
	return Reply{Notice: cmd.lang.pick(
		fmt.Sprintf("That message is too long (%d characters; the limit is %d). Please shorten it.", n, max),
		fmt.Sprintf("Dat bericht is te lang (%d tekens; het maximum is %d). Maak het korter.", n, max))}
}

// ref derives a short, stable reference for a reply, for feedback.
func ref(req request) string {
	h := sha256.New()
	for _, s := range []string{req.platform, string(req.msg.Conversation), string(req.msg.Thread),
		string(req.msg.EventID), string(req.msg.User), strconv.FormatInt(req.now.UnixNano(), 10)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func (b *Bot) ask(ctx context.Context, req request, cmd command) Reply {
	q := questionText(cmd.text)
	key := threadKey{platform: req.platform, conversation: req.msg.Conversation, thread: req.msg.Thread}
	asked, opts := q, briefings.AskOptions{Asker: req.platform + ":" + string(req.msg.User)}
	if own, ok := followUpWords(q); ok {
		if prev, ok := b.mem.get(key, req.now); ok {
			asked = combineFollowUp(own, prev.question)
			opts.Article = prev.article
			req.log.Debug("follow-up question", "article", string(prev.article))
		}
	}
	a, err := b.lib.Answer(ctx, asked, opts)
	if err != nil {
		return libraryFailed(req, cmd.lang, "answer", err)
	}
	if a.Answered && len(a.Citations) > 0 {
		b.mem.put(key, turn{question: asked, article: a.Citations[0].Article, at: req.now})
	}
	r := answerReply(a, cmd.lang)
	r.Ref = ref(req)
	return r
}

func (b *Bot) search(ctx context.Context, req request, cmd command) Reply {
	query := strings.Join(cmd.args, " ")
	if query == "" {
		return Reply{Notice: cmd.lang.pick("Usage: search <words>", "Gebruik: zoek <woorden>")}
	}
	res, err := b.lib.Search(ctx, query, b.searchLimit)
	if err != nil {
		return libraryFailed(req, cmd.lang, "search", err)
	}
	return searchReply(query, res, cmd.lang)
}

func (b *Bot) article(cmd command) Reply {
	if len(cmd.args) != 1 {
		return Reply{Notice: cmd.lang.pick("Usage: article <id>, for example article 004_496c433a0061d38d",
			"Gebruik: artikel <id>, bijvoorbeeld artikel 004_496c433a0061d38d")}
	}
	id := strings.Trim(cmd.args[0], "<>“”\"'`")
	a, ok := briefings.LookupArticle(b.lib, id)
	if !ok {
		return Reply{Notice: cmd.lang.pick("There is no article “"+id+"”.", "Er is geen artikel “"+id+"”.")}
	}
	return articleReply(a)
}

// resolveTopic finds a topic by name, case-insensitively.
func (b *Bot) resolveTopic(name string) (briefings.Topic, bool) {
	if t, ok := b.lib.Topic(name); ok {
		return t, true
	}
	for _, t := range b.lib.Topics() {
		if strings.EqualFold(t.Name, name) {
			return t, true
		}
	}
	return briefings.Topic{}, false
}

func (b *Bot) latest(ctx context.Context, req request, cmd command) Reply {
	name := strings.Join(cmd.args, " ")
	if name != "" {
		t, ok := b.resolveTopic(name)
		if !ok {
			return unknownTopicReply(name, b.lib.Topics(), cmd.lang)
		}
		name = t.Name
	}
	items, err := b.lib.Latest(ctx, name, b.latestLimit)
	if err != nil {
		return libraryFailed(req, cmd.lang, "list the latest articles", err)
	}
	return latestReply(name, items, cmd.lang)
}

func (b *Bot) digest(ctx context.Context, req request, cmd command) Reply {
	usage := Reply{Notice: cmd.lang.pick("Usage: digest [topic] [since YYYY-MM-DD]", "Gebruik: overzicht [onderwerp] [sinds JJJJ-MM-DD]")}
	args := cmd.args
	since := req.now.Add(-b.period)
	for i, a := range args {
		if w := strings.ToLower(a); w == "since" || w == "sinds" {
			if len(args) != i+2 {
				return usage
			}
			d, err := briefings.ParseDate(args[i+1])
			if err != nil || d.IsZero() {
				return Reply{Notice: cmd.lang.pick(
					"“"+args[i+1]+"” is not a date; use YYYY-MM-DD or YYYY-MM.",
					"“"+args[i+1]+"” is geen datum; gebruik JJJJ-MM-DD of JJJJ-MM.")}
			}
			since = d.Start(b.loc)
			if since.After(req.now) {
				return Reply{Notice: cmd.lang.pick("That date is in the future.", "Die datum ligt in de toekomst.")}
			}
			args = args[:i]
			break
		}
	}
	var topic briefings.Topic
	if name := strings.Join(args, " "); name != "" {
		t, ok := b.resolveTopic(name)
		if !ok {
			return unknownTopicReply(name, b.lib.Topics(), cmd.lang)
		}
		topic = t
	} else {
		topics := b.lib.Topics()
		switch len(topics) {
		case 0:
			return Reply{Notice: cmd.lang.pick("No topics are configured, so there is no digest.", "Er zijn geen onderwerpen ingesteld, dus geen overzicht.")}
		case 1:
			topic = topics[0]
		default:
			return Reply{Notice: cmd.lang.pick("Which topic? Known topics: ", "Welk onderwerp? Bekende onderwerpen: ") + topicNames(topics) + "."}
		}
	}
	d, err := b.lib.Digest(ctx, briefings.DigestRequest{Topic: topic.Name, Since: since, Until: req.now, Limit: b.digestLimit})
	if err != nil {
		return libraryFailed(req, cmd.lang, "build the digest on "+topic.Name, err)
	}
	if d.Since.IsZero() {
		d.Since = since
	}
	if d.Until.IsZero() {
		d.Until = req.now
	}
	return digestReply(d, topic, b.loc, req.now, cmd.lang)
}

// mayAdminister reports whether the sender may change subscriptions.
func (b *Bot) mayAdminister(req request) bool {
	return b.isAdmin == nil || b.isAdmin(req.platform, req.msg.User)
}

func notAdminReply(l lang) Reply {
	return Reply{Notice: l.pick("Only the bot's admins can change subscriptions.", "Alleen beheerders van de bot kunnen abonnementen wijzigen.")}
}

func (b *Bot) subscribe(ctx context.Context, req request, cmd command) Reply {
	l := cmd.lang
	usage := Reply{Notice: l.pick(
		"Usage: subscribe <topic> [<minute> <hour> <day> <month> <weekday> [<time zone>]], for example: subscribe interference 0 7 * * 1-5 Europe/Amsterdam",
		"Gebruik: abonneer <onderwerp> [<minuut> <uur> <dag> <maand> <weekdag> [<tijdzone>]], bijvoorbeeld: abonneer interference 0 7 * * 1-5 Europe/Amsterdam")}
	if !b.mayAdminister(req) {
		return notAdminReply(l)
	}
	if len(cmd.args) == 0 {
		return usage
	}
	topic, ok := b.resolveTopic(cmd.args[0])
	if !ok {
		return unknownTopicReply(cmd.args[0], b.lib.Topics(), l)
	}
	spec, tz := b.defaultCron, b.defaultTZ
	rest := cmd.args[1:]
	switch {
	case len(rest) == 0:
	case strings.EqualFold(rest[0], "@every"):
		spec = strings.Join(rest, " ") // refused by validateCron below
	case strings.HasPrefix(rest[0], "@") && len(rest) <= 2:
		spec = rest[0]
		if len(rest) == 2 {
			tz = rest[1]
		}
	case len(rest) == 5 || len(rest) == 6:
		spec = strings.Join(rest[:5], " ")
		if len(rest) == 6 {
			tz = rest[5]
		}
	default:
		return usage
	}
	loc, err := loadZone(tz)
	if err != nil {
		return Reply{Notice: l.pick("Unknown time zone “"+tz+"”; use an IANA name such as Europe/Amsterdam.",
			"Onbekende tijdzone “"+tz+"”; gebruik een IANA-naam zoals Europe/Amsterdam.")}
	}
	if err := validateCron(spec, loc, req.now, b.minGap); err != nil {
		return Reply{Notice: l.pick("That schedule does not work: ", "Dat schema werkt niet: ") + err.Error() + "."}
	}
	sub, err := b.store.AddSubscription(ctx, Subscription{
		Platform:     req.platform,
		Conversation: req.msg.Conversation,
		Topic:        topic.Name,
		Cron:         spec,
		TimeZone:     tz,
		CreatedBy:    req.msg.User,
		Created:      req.now,
	})
	if err != nil {
		req.log.Warn("cannot save subscription", "err", err, "topic", topic.Name)
		return failReply(l)
	}
	req.log.Info("subscribed", "subscription", sub.ID, "topic", topic.Name, "cron", spec, "time_zone", tz, "user", string(req.msg.User))
	next := nextRun(spec, loc, req.now, l)
	r := Reply{Notice: l.pick(
		fmt.Sprintf("Subscribed: the %s digest will be posted here on schedule “%s” (%s). Next: %s.", topic.Name, spec, tz, next),
		fmt.Sprintf("Geabonneerd: het overzicht %s komt hier volgens schema “%s” (%s). Volgende: %s.", topic.Name, spec, tz, next))}
	b.refresh(ctx, req, &r)
	return r
}

func (b *Bot) unsubscribe(ctx context.Context, req request, cmd command) Reply {
	l := cmd.lang
	if !b.mayAdminister(req) {
		return notAdminReply(l)
	}
	name := strings.Join(cmd.args, " ")
	if name == "" {
		return Reply{Notice: l.pick("Usage: unsubscribe <topic>", "Gebruik: opzeggen <onderwerp>")}
	}
	if t, ok := b.resolveTopic(name); ok {
		name = t.Name
	}
	err := b.store.RemoveSubscription(ctx, req.platform, req.msg.Conversation, name)
	if errors.Is(err, ErrNotFound) {
		// The subscription may predate a rename of the topic's case.
		err = b.removeFolded(ctx, req, &name)
	}
	switch {
	case errors.Is(err, ErrNotFound):
		return Reply{Notice: l.pick("This conversation is not subscribed to "+name+".", "Dit gesprek heeft geen abonnement op "+name+".")}
	case err != nil:
		req.log.Warn("cannot remove subscription", "err", err, "topic", name)
		return failReply(l)
	}
	req.log.Info("unsubscribed", "topic", name, "user", string(req.msg.User))
	r := Reply{Notice: l.pick("Unsubscribed: no more "+name+" digests here.", "Opgezegd: geen overzichten van "+name+" meer in dit gesprek.")}
	b.refresh(ctx, req, &r)
	return r
}

// removeFolded removes the conversation's subscription whose topic equals
// *name case-insensitively, setting *name to the stored spelling.
func (b *Bot) removeFolded(ctx context.Context, req request, name *string) error {
	subs, err := b.store.Subscriptions(ctx)
	if err != nil {
		return err
	}
	for _, s := range subs {
		if s.Platform == req.platform && s.Conversation == req.msg.Conversation && strings.EqualFold(s.Topic, *name) {
			*name = s.Topic
			return b.store.RemoveSubscription(ctx, req.platform, req.msg.Conversation, s.Topic)
		}
	}
	return ErrNotFound
}

// refresh tells the scheduler that subscriptions changed. The change is
// saved either way; a failure is logged and mentioned in r.
func (b *Bot) refresh(ctx context.Context, req request, r *Reply) {
	if b.sched == nil {
		return
	}
	if err := b.sched.Refresh(ctx); err != nil {
		req.log.Warn("scheduler refresh failed", "err", err)
		r.Body = append(r.Body, "The change is saved, but the schedule could not be reloaded; it takes effect when the bot restarts.")
	}
}

func (b *Bot) subscriptions(ctx context.Context, req request, cmd command) Reply {
	l := cmd.lang
	subs, err := b.store.Subscriptions(ctx)
	if err != nil {
		req.log.Warn("cannot list subscriptions", "err", err)
		return failReply(l)
	}
	var lines []string
	for _, s := range subs {
		if s.Platform != req.platform || s.Conversation != req.msg.Conversation {
			continue
		}
		tz := s.TimeZone
		if tz == "" {
			tz = "UTC"
		}
		line := fmt.Sprintf("%s — “%s” (%s)", s.Topic, s.Cron, tz)
		if loc, err := loadZone(tz); err == nil {
			line += l.pick(", next: ", ", volgende: ") + nextRun(s.Cron, loc, req.now, l)
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return Reply{Notice: l.pick("This conversation has no subscriptions.", "Dit gesprek heeft geen abonnementen.")}
	}
	return Reply{Title: l.pick("Subscriptions in this conversation", "Abonnementen in dit gesprek"), Body: []string{strings.Join(lines, "\n")}}
}
