package ingest

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/feeds"
	"github.com/briefbot/briefbot/internal/store"
)

// Defaults of the ingest API.
const (
	DefaultMaxBody = 32 << 20
	// DefaultLimit is a client's request rate when its Limit is zero.
	defaultLimitEvents = 60
	defaultLimitWindow = time.Minute
)

// Token is one client of the API.
type Token struct {
	Name   string // in logs and the articles' origin ("api:NAME")
	Secret string // the bearer token
	// Limit allows Events requests per Window (a bucket refilled evenly);
	// zero: 60 per minute; Events < 0: no limit.
	Limit RateLimit
}

// RateLimit allows Events requests per Window.
type RateLimit struct {
	Events int
	Window time.Duration
}

// APIStore stores and retracts live articles; *store.SQLite is one.
type APIStore interface {
	PutLive(ctx context.Context, items []store.LiveItem, opts store.PutOptions) ([]store.Outcome, error)
	DeleteLive(ctx context.Context, id briefings.ArticleID, now time.Time) (store.Retraction, error)
}

// APIOptions configure the API.
type APIOptions struct {
	Store  APIStore
	Tokens []Token
	// MaxBody is the largest request body in bytes (0: DefaultMaxBody).
	MaxBody int64
	Logger  *slog.Logger
	// Changed is called after a request created, updated or retracted
	// articles (the Refresher's Kick).
	Changed func()
	// Now is the clock of rate limits and stored times (nil: time.Now).
	Now func() time.Time
}

// API serves POST /api/v1/articles and DELETE /api/v1/articles/{id}.
// Mount it at "/api/v1/".
type API struct {
	opts    APIOptions
	mux     *http.ServeMux
	clients []*client
}

type client struct {
	name string
	hash [32]byte // of the secret: compared in constant time
	mu   sync.Mutex
	lim  RateLimit
	// a token bucket: tokens left at last
	tokens float64
	last   time.Time
}

// NewAPI checks opts and returns the API handler.
func NewAPI(opts APIOptions) (*API, error) {
	if opts.Store == nil {
		return nil, errors.New("ingest API: no store given")
	}
	if len(opts.Tokens) == 0 {
		return nil, errors.New("ingest API: no tokens given; without one nobody could post")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Changed == nil {
		opts.Changed = func() {}
	}
	opts.MaxBody = cmp.Or(opts.MaxBody, DefaultMaxBody)
	a := &API{opts: opts, mux: http.NewServeMux()}
	for _, t := range opts.Tokens {
		if t.Secret == "" || t.Name == "" {
			return nil, fmt.Errorf("ingest API: token %q has no name or secret", t.Name)
		}
		lim := t.Limit
		if lim.Events == 0 {
			lim = RateLimit{Events: defaultLimitEvents, Window: defaultLimitWindow}
		}
		if lim.Events > 0 && lim.Window <= 0 {
			return nil, fmt.Errorf("ingest API: token %q allows %d requests per %v", t.Name, lim.Events, lim.Window)
		}
		a.clients = append(a.clients, &client{name: t.Name, hash: sha256.Sum256([]byte(t.Secret)), lim: lim, tokens: float64(lim.Events)})
	}
	a.mux.HandleFunc("POST /api/v1/articles", a.post)
	a.mux.HandleFunc("DELETE /api/v1/articles/{id}", a.delete)
	return a, nil
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, ok := a.authenticate(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="briefbot"`)
		writeError(w, http.StatusUnauthorized, "missing or unknown bearer token: send Authorization: Bearer TOKEN with a token from ingest.tokens")
		return
	}
	if wait, ok := c.allow(a.opts.Now()); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		writeError(w, http.StatusTooManyRequests, fmt.Sprintf("client %s sent more than %d requests per %v; retry in %v", c.name, c.lim.Events, c.lim.Window, wait.Round(time.Millisecond)))
		return
	}
	a.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey{}, c)))
}

type clientKey struct{}

// authenticate finds the request's client. Every token is compared, in
// constant time over hashes of equal length, so neither the time taken
// nor its length reveals how much of a token was right.
func (a *API) authenticate(r *http.Request) (*client, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return nil, false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	var found *client
	for _, c := range a.clients {
		if subtle.ConstantTimeCompare(sum[:], c.hash[:]) == 1 {
			found = c
		}
	}
	return found, found != nil
}

// allow takes one request from c's bucket; when empty it says how long
// until the next is allowed.
func (c *client) allow(now time.Time) (time.Duration, bool) {
	if c.lim.Events < 0 {
		return 0, true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	rate := float64(c.lim.Events) / c.lim.Window.Seconds() // per second
	if !c.last.IsZero() && now.After(c.last) {
		c.tokens = min(float64(c.lim.Events), c.tokens+now.Sub(c.last).Seconds()*rate)
	}
	if c.last.IsZero() || now.After(c.last) {
		c.last = now
	}
	if c.tokens >= 1 {
		c.tokens--
		return 0, true
	}
	return time.Duration((1 - c.tokens) / rate * float64(time.Second)), false
}

// Result is the outcome for one posted article.
type Result struct {
	Index  int    `json:"index"`          // 0-based position in the request
	Line   int    `json:"line,omitempty"` // for JSON Lines, 1-based
	ID     string `json:"id,omitempty"`
	Result string `json:"result"` // created, updated, unchanged, rejected
	Reason string `json:"reason,omitempty"`
}

// PostResponse is the body of a POST's answer.
type PostResponse struct {
	Created   int      `json:"created"`
	Updated   int      `json:"updated"`
	Unchanged int      `json:"unchanged"`
	Rejected  int      `json:"rejected"`
	Results   []Result `json:"results"`
}

func (a *API) post(w http.ResponseWriter, r *http.Request) {
	c := r.Context().Value(clientKey{}).(*client)
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.opts.MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than the limit of %d bytes; send fewer articles per request", a.opts.MaxBody))
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("cannot read the request body: %v", err))
		return
	}
	recs, err := splitRecords(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	resp := PostResponse{Results: make([]Result, len(recs))}
	var items []store.LiveItem
	var at []int // index in recs of each item
	for i, rec := range recs {
		resp.Results[i] = Result{Index: i, Line: rec.line}
		if rec.err != nil {
			resp.Results[i].Result, resp.Results[i].Reason = "rejected", rec.err.Error()
			continue
		}
		it, err := apiItem(rec.raw, c.name)
		if err != nil {
			resp.Results[i].Result, resp.Results[i].Reason = "rejected", err.Error()
			continue
		}
		resp.Results[i].ID = string(it.Article.ID)
		items = append(items, it)
		at = append(at, i)
	}
	if len(items) > 0 {
		outcomes, err := a.opts.Store.PutLive(r.Context(), items, store.PutOptions{Now: a.opts.Now(), Restore: true})
		if err != nil {
			a.opts.Logger.Error("ingest API: storing articles failed", "client", c.name, "articles", len(items), "err", err)
			writeError(w, http.StatusServiceUnavailable, "the articles could not be stored; nothing was stored, retry later")
			return
		}
		for k, o := range outcomes {
			resp.Results[at[k]].Result = string(o)
		}
	}
	for _, res := range resp.Results {
		switch res.Result {
		case string(store.Created):
			resp.Created++
		case string(store.Updated):
			resp.Updated++
		case "rejected":
			resp.Rejected++
		default:
			resp.Unchanged++
		}
	}
	a.opts.Logger.Info("ingest API: articles posted", "client", c.name, "created", resp.Created, "updated", resp.Updated,
		"unchanged", resp.Unchanged, "rejected", resp.Rejected)
	if resp.Created+resp.Updated > 0 {
		a.opts.Changed()
	}
	writeJSON(w, http.StatusOK, resp)
}

func (a *API) delete(w http.ResponseWriter, r *http.Request) {
	c := r.Context().Value(clientKey{}).(*client)
	id := briefings.ArticleID(r.PathValue("id"))
	res, err := a.opts.Store.DeleteLive(r.Context(), id, a.opts.Now())
	if err != nil {
		a.opts.Logger.Error("ingest API: retraction failed", "client", c.name, "id", id, "err", err)
		writeError(w, http.StatusServiceUnavailable, "the retraction could not be stored; retry later")
		return
	}
	switch res {
	case store.NotFound:
		writeError(w, http.StatusNotFound, fmt.Sprintf("no posted or fetched article has the id %q", id))
	case store.AlreadyRetracted:
		writeJSON(w, http.StatusOK, map[string]string{"id": string(id), "result": "already_deleted"})
	default:
		a.opts.Logger.Info("ingest API: article retracted", "client", c.name, "id", id)
		a.opts.Changed()
		writeJSON(w, http.StatusOK, map[string]string{"id": string(id), "result": "deleted"})
	}
}

// rawRecord is one record of a request body: its JSON, or why it is not
// one.
type rawRecord struct {
	raw  json.RawMessage
	line int // JSON Lines: 1-based line number
	err  error
}

// splitRecords splits a body into records: a JSON array of objects, one
// object, or JSON Lines (one object per line). A JSON Lines line that is
// not JSON is a rejected record; a body that is none of the three is an
// error.
func splitRecords(body []byte) ([]rawRecord, error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\uFEFF")))
	if len(trimmed) == 0 {
		return nil, errors.New("the request body is empty; send a JSON object, an array of them, or JSON Lines")
	}
	switch trimmed[0] {
	case '[':
		var recs []json.RawMessage
		if err := json.Unmarshal(trimmed, &recs); err != nil {
			return nil, fmt.Errorf("the request body is not a JSON array of articles: %v", err)
		}
		if len(recs) == 0 {
			return nil, errors.New("the request body is an empty array; send at least one article")
		}
		out := make([]rawRecord, len(recs))
		for i, r := range recs {
			out[i] = rawRecord{raw: r}
		}
		return out, nil
	case '{':
		if json.Valid(trimmed) {
			return []rawRecord{{raw: trimmed}}, nil
		}
	default:
		return nil, errors.New("the request body is not JSON: send a JSON object, an array of them, or JSON Lines")
	}
	var out []rawRecord
	for i, line := range bytes.Split(trimmed, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		rec := rawRecord{raw: line, line: i + 1}
		if !json.Valid(line) {
			var v any
			err := json.Unmarshal(line, &v)
			rec.err = fmt.Errorf("line %d is not JSON: %v", i+1, err)
		}
		out = append(out, rec)
	}
	if len(out) == 1 && out[0].err != nil {
		return nil, fmt.Errorf("the request body is not JSON: %v", out[0].err)
	}
	return out, nil
}

// apiRecord is the part of a record that ParseFile does not read.
type apiRecord struct {
	ID     json.RawMessage `json:"id"`
	URL    string          `json:"url"`
	Author string          `json:"author"`
}

// apiItem turns one record into a live item: the fields the article
// directory's JSON files have (id, title, date, url, source, body), plus
// author. Its identity is its id, else its canonical URL, else its body's
// hash.
func apiItem(raw json.RawMessage, clientName string) (store.LiveItem, error) {
	var extra apiRecord
	if err := json.Unmarshal(raw, &extra); err != nil {
		return store.LiveItem{}, fmt.Errorf("not a JSON article object: %v", err)
	}
	arts, err := briefings.ParseFile("api.json", raw)
	if err != nil {
		return store.LiveItem{}, err
	}
	a := arts[0]
	a.Author = strings.Join(strings.Fields(extra.Author), " ")
	// ParseFile names an article without id after the file ("api"): only
	// an id the record gives is an identity
	var id any
	_ = json.Unmarshal(extra.ID, &id)
	hasID := id != nil && strings.TrimSpace(fmt.Sprint(id)) != ""
	link := feeds.CanonicalURL(extra.URL, nil)
	if link != "" {
		a.URL = link
	}
	var key string
	switch {
	case hasID:
		key = "id:" + string(a.ID)
	case link != "":
		key = "url:" + link
		a.ID = feeds.IDFor(key)
	default:
		key = "hash:" + a.Hash
		a.ID = feeds.IDFor(key)
	}
	a.Source = "api " + clientName + ": " + cmp.Or(link, string(a.ID))
	return store.LiveItem{Article: a, Key: key, Origin: "api:" + clientName}, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
