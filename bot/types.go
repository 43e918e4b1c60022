// Package bot is briefbot's platform-free core: it turns chat messages into
// commands, asks package briefings, and hands platform-neutral Replies to the
// adapters, which render and send them. It owns the command router, the reply
// model, the digest scheduler and the state store interface.
package bot

import (
	"context"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// Typed identifiers keep a conversation from being passed where a user is
// meant. Their values are the platform's own (Slack channel ID, Matrix room
// ID, "console").
type (
	ConversationID string
	ThreadID       string
	UserID         string
	EventID        string
)

// Message is one incoming chat message, already translated by an adapter.
type Message struct {
	Conversation ConversationID
	// Thread is the thread the message belongs to, or the message's own ID
	// when it starts one; replies go there. Empty: the platform has no threads.
	Thread  ThreadID
	User    UserID
	Text    string  // the text with the bot's own mention removed
	EventID EventID // the platform's event ID, used to answer a redelivery once
	Direct  bool    // a direct message: no mention or prefix is needed
	// Mentioned is true when the bot was addressed by @-mention.
	Mentioned bool
	Received  time.Time
}

// Target says where a Reply goes.
type Target struct {
	Conversation ConversationID
	Thread       ThreadID // empty: the conversation itself
}

// Citation is an article reference as shown to users.
type Citation = briefings.Citation

// Item is one entry of a list reply (search results, latest articles, digest
// stories).
type Item struct {
	Article ArticleID
	Title   string
	Date    briefings.Date
	Source  string
	Text    string   // one-line summary or snippet
	Matched []string // digest: the topic terms that matched
	URL     string   // the article's web address; empty when unknown
	// AlsoIn names the other outlets or files that carried the same story
	// (digest items), each once, linked when it has a web address.
	AlsoIn []Link
}

// Link is a named reference to another copy of a story.
type Link struct {
	Name string // the publisher, or the source when there is none
	URL  string // empty when unknown
}

// ArticleID is re-exported so adapters need not import briefings.
type ArticleID = briefings.ArticleID

// Reply is one platform-neutral reply. Adapters render it natively (Slack
// Block Kit, Matrix HTML, plain text) and split it at their platform's limits.
// All text in it is plain, unescaped text: adapters escape it.
type Reply struct {
	// Ref identifies the reply for feedback (Slack buttons); may be empty.
	Ref string
	// Title is an optional heading ("Digest: interference, 1–7 Nov, 4 stories").
	Title string
	// Answer is the short answer to a question; empty for other replies.
	Answer string
	// Quote is the supporting sentence, verbatim from the article.
	Quote     string
	Citations []Citation
	Items     []Item
	// Body is free text: help, an article's paragraphs, a subscription list.
	Body []string
	// SeeAlso lists related articles ("the articles do not say; see also …").
	SeeAlso []Citation
	// Notice is a short status line: an error, a refusal, "nothing new".
	Notice string
	// Footer is small print after everything else: which reader produced
	// an answer, when it was not the built-in one. Adapters render it
	// discreetly (Slack context, Matrix <sub>); empty: none.
	Footer string
}

// Sender delivers replies. Send may block until the platform has accepted the
// message or ctx ends; it retries rate limits itself without posting twice.
type Sender interface {
	Send(ctx context.Context, to Target, r Reply) error
}

// Handler receives the messages an adapter translates. HandleMessage may
// block while the reply is computed and sent; adapters call it from their own
// goroutines (after acknowledging the platform's delivery) and must not hold
// locks while doing so.
type Handler interface {
	HandleMessage(ctx context.Context, from Sender, m Message)
}

// Adapter connects the bot to one chat platform.
type Adapter interface {
	Sender
	// Name is a short stable name ("slack", "matrix", "console"), used to
	// key state such as processed event IDs.
	Name() string
	// Run receives messages and passes them to h until ctx ends or the
	// connection fails for good. It returns nil when ctx ends.
	Run(ctx context.Context, h Handler) error
}
