package feeds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults of a Fetcher's limits.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxSize      = 10 << 20
	DefaultMaxRedirects = 5
)

// Request is one conditional GET of a feed.
type Request struct {
	URL string
	// ETag and LastModified are the validators of the last successful
	// fetch; the server answers 304 Not Modified when nothing changed.
	ETag, LastModified string
	// AuthHeader and AuthValue, when both set, are sent with the request
	// ("Authorization", "Bearer …"), and never to another host a redirect
	// leads to.
	AuthHeader, AuthValue string
	// Timeout bounds the whole fetch, body included; 0: DefaultTimeout.
	Timeout time.Duration
	// MaxSize is the largest body read, in bytes; 0: DefaultMaxSize. A
	// larger response is an error, not a truncated feed.
	MaxSize int64
}

// Response is a fetched feed.
type Response struct {
	// NotModified is true for a 304: Body is empty and the validators are
	// the request's.
	NotModified bool
	Body        []byte
	// ETag and LastModified are the validators to send next time.
	ETag, LastModified string
	// URL is where the body came from, after redirects: relative links are
	// resolved against it.
	URL *url.URL
}

// ErrTooLarge is returned (wrapped) for a response over the size limit.
var ErrTooLarge = errors.New("feed response is too large")

// Fetcher fetches feeds over HTTP. The zero value uses its own client with
// DefaultMaxRedirects; it is safe for concurrent use.
type Fetcher struct {
	// Client is used for requests (nil: one with DefaultMaxRedirects). Its
	// CheckRedirect is replaced by one that limits redirects and drops the
	// auth header on a change of host.
	Client *http.Client
	// UserAgent is sent with every request ("": "briefbot").
	UserAgent string
	// MaxRedirects limits redirects followed (0: DefaultMaxRedirects).
	MaxRedirects int
}

// Fetch GETs req.URL once. A 304 is a Response with NotModified; any status
// but 200 and 304, a body over req.MaxSize, a timeout or a transport
// failure is an error worded for the operator.
func (f *Fetcher) Fetch(ctx context.Context, req Request) (Response, error) {
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	maxSize := req.MaxSize
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, req.URL, nil)
	if err != nil {
		return Response{}, fmt.Errorf("feed URL %q: %w", req.URL, err)
	}
	origin := hr.URL.Host
	hr.Header.Set("User-Agent", f.userAgent())
	hr.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5")
	if req.ETag != "" {
		hr.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hr.Header.Set("If-Modified-Since", req.LastModified)
	}
	if req.AuthHeader != "" && req.AuthValue != "" {
		hr.Header.Set(req.AuthHeader, req.AuthValue)
	}
	client := f.client(origin, req.AuthHeader)
	resp, err := client.Do(hr)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			return Response{}, fmt.Errorf("feed %s did not answer within %v", redact(req.URL), timeout)
		}
		return Response{}, fmt.Errorf("fetch feed %s: %w", redact(req.URL), err)
	}
	defer resp.Body.Close()
	out := Response{URL: resp.Request.URL, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		out.NotModified = true
		out.ETag = firstNonEmpty(out.ETag, req.ETag)
		out.LastModified = firstNonEmpty(out.LastModified, req.LastModified)
		return out, nil
	case resp.StatusCode != http.StatusOK:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return Response{}, fmt.Errorf("feed %s answered %s", redact(req.URL), resp.Status)
	}
	if resp.ContentLength > maxSize {
		return Response{}, fmt.Errorf("feed %s: %w: %d bytes announced, the limit is %d (raise max_size if the feed is really that big)", redact(req.URL), ErrTooLarge, resp.ContentLength, maxSize)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSize+1))
	if err != nil {
		if ctx.Err() != nil {
			return Response{}, fmt.Errorf("feed %s did not send its body within %v", redact(req.URL), timeout)
		}
		return Response{}, fmt.Errorf("read feed %s: %w", redact(req.URL), err)
	}
	if int64(len(body)) > maxSize {
		return Response{}, fmt.Errorf("feed %s: %w: more than the limit of %d bytes (raise max_size if the feed is really that big)", redact(req.URL), ErrTooLarge, maxSize)
	}
	out.Body = body
	return out, nil
}

func (f *Fetcher) userAgent() string {
	if f.UserAgent != "" {
		return f.UserAgent
	}
	return "briefbot"
}

// client returns a shallow copy of f.Client whose redirect policy limits
// redirects and drops authHeader when a redirect leaves origin.
func (f *Fetcher) client(origin, authHeader string) *http.Client {
	c := &http.Client{}
	if f.Client != nil {
		*c = *f.Client
	}
	limit := f.MaxRedirects
	if limit <= 0 {
		limit = DefaultMaxRedirects
	}
	c.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if len(via) > limit {
			return fmt.Errorf("more than %d redirects", limit)
		}
		if r.URL.Scheme != "http" && r.URL.Scheme != "https" {
			return fmt.Errorf("redirect to a %q URL", r.URL.Scheme)
		}
		if authHeader != "" && !strings.EqualFold(r.URL.Host, origin) {
			r.Header.Del(authHeader)
		}
		return nil
	}
	return c
}

// redact removes a password from a URL for messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
