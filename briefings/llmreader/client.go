package llmreader

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxResponseBytes bounds the body read from the model's server.
const maxResponseBytes = 1 << 20

// Why a question was answered by the built-in reader instead of the model
// (the reason label of briefbot_llm_fallbacks_total).
const (
	FailUnreachable = "unreachable"  // no connection to the server
	FailTimeout     = "timeout"      // the question's deadline passed
	FailRateLimited = "rate_limited" // 429 (or 503) without a Retry-After that fits the deadline
	FailServer      = "server_error" // 5xx
	FailHTTP        = "http_error"   // another status (401, 404, 400 …)
	FailMalformed   = "malformed"    // the body or the reply is not the JSON asked for
	FailEmpty       = "empty"        // no choice, or an empty reply
	FailTruncated   = "truncated"    // the reply was cut (max tokens, a cut body)
	FailRefused     = "refused"      // the model refused, or a content filter
	FailLimit       = "limit"        // our own rate limits (global or the user's)
	FailBusy        = "busy"         // no free request slot before the deadline
	FailNoPassages  = "no_passages"  // retrieval found nothing to read
)

var failReasons = []string{FailUnreachable, FailTimeout, FailRateLimited, FailServer, FailHTTP, FailMalformed,
	FailEmpty, FailTruncated, FailRefused, FailLimit, FailBusy, FailNoPassages}

// failure is a call to the model that produced no usable reply.
type failure struct {
	reason string
	err    error
}

func (f *failure) Error() string { return f.reason + ": " + f.err.Error() }
func (f *failure) Unwrap() error { return f.err }

func fail(reason string, format string, args ...any) *failure {
	return &failure{reason: reason, err: fmt.Errorf(format, args...)}
}

// chatRequest is the body of POST {base_url}/chat/completions.
type chatRequest struct {
	Model          string         `json:"model"`
	Messages       []chatMessage  `json:"messages"`
	Temperature    float64        `json:"temperature"`
	MaxTokens      int            `json:"max_tokens,omitempty"`
	ResponseFormat responseFormat `json:"response_format"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type responseFormat struct {
	Type       string     `json:"type"` // json_schema
	JSONSchema jsonSchema `json:"json_schema"`
}

type jsonSchema struct {
	Name   string          `json:"name"`
	Strict bool            `json:"strict"`
	Schema json.RawMessage `json:"schema"`
}

// replySchema is the structured output asked for: an answer with its quote
// and article, or three nulls.
var replySchema = json.RawMessage(`{"type":"object","properties":{` +
	`"answer":{"type":["string","null"],"description":"the short answer, or null when the passages do not answer"},` +
	`"quote":{"type":["string","null"],"description":"the sentence of the passage that supports the answer, copied exactly"},` +
	`"article":{"type":["string","null"],"description":"the article id of that passage"}},` +
	`"required":["answer","quote","article"],"additionalProperties":false}`)

// chatResponse is the part of a chat completion the reader uses. Servers
// add fields (id, created, system_fingerprint …); they are ignored.
type chatResponse struct {
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
			Refusal *string `json:"refusal"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage *usage `json:"usage"`
}

type usage struct {
	PromptTokens     int64 `json:"prompt_tokens"`
	CompletionTokens int64 `json:"completion_tokens"`
}

// apiError is an error body: {"error": {"message", "type", "code"}}.
type apiError struct {
	Error struct {
		Message string `json:"message"`
		Type    string `json:"type"`
	} `json:"error"`
}

// modelReply is what the model must answer, strictly.
type modelReply struct {
	Answer  *string
	Quote   *string
	Article *string
}

// client speaks the Chat Completions API.
type client struct {
	http    *http.Client
	url     string // {base_url}/chat/completions
	apiKey  string
	onUsage func(usage)
	// onAttempt is told of every HTTP request and whether it got a reply.
	onAttempt func(ok bool)
}

// maxAttempts bounds the requests for one question (429 retries).
const maxAttempts = 3

// complete sends req and returns the model's reply, retrying a 429 (or
// 503) whose Retry-After ends before ctx's deadline. Every failure is a
// *failure.
func (c *client) complete(ctx context.Context, req chatRequest) (modelReply, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return modelReply{}, fail(FailMalformed, "encode request: %v", err)
	}
	for attempt := 1; ; attempt++ {
		rep, retryAfter, err := c.once(ctx, body)
		if err == nil {
			return rep, nil
		}
		var f *failure
		if !errors.As(err, &f) || retryAfter < 0 || attempt == maxAttempts {
			return modelReply{}, err
		}
		// honour Retry-After when the retry can still be answered in time
		if dl, ok := ctx.Deadline(); ok && !time.Now().Add(retryAfter).Before(dl) {
			return modelReply{}, fmt.Errorf("%w (Retry-After %v is past the deadline)", err, retryAfter)
		}
		t := time.NewTimer(retryAfter)
		select {
		case <-ctx.Done():
			t.Stop()
			return modelReply{}, fail(FailTimeout, "waiting %v to retry: %v", retryAfter, ctx.Err())
		case <-t.C:
		}
	}
}

// once makes one request. retryAfter is how long the server asked to wait
// before a retry, or -1 when the request is not to be retried.
func (c *client) once(ctx context.Context, body []byte) (rep modelReply, retryAfter time.Duration, err error) {
	retryAfter = -1
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return rep, retryAfter, fail(FailHTTP, "%v", err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/json")
	if c.apiKey != "" {
		hreq.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	resp, err := c.http.Do(hreq)
	if err != nil {
		c.attempted(false)
		if ctx.Err() != nil {
			return rep, retryAfter, fail(FailTimeout, "%v", ctx.Err())
		}
		return rep, retryAfter, fail(FailUnreachable, "%v", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	switch {
	case err != nil && ctx.Err() != nil:
		c.attempted(false)
		return rep, retryAfter, fail(FailTimeout, "reading the reply: %v", ctx.Err())
	case err != nil:
		c.attempted(false)
		return rep, retryAfter, fail(FailTruncated, "reading the reply: %v", err)
	case len(data) > maxResponseBytes:
		c.attempted(false)
		return rep, retryAfter, fail(FailMalformed, "the reply is over %d bytes", maxResponseBytes)
	}
	c.attempted(resp.StatusCode == http.StatusOK)
	if resp.StatusCode != http.StatusOK {
		msg := errorMessage(data)
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			return rep, retryDelay(resp.Header, time.Now()), fail(FailRateLimited, "status %d: %s", resp.StatusCode, msg)
		case resp.StatusCode == http.StatusServiceUnavailable:
			return rep, retryDelay(resp.Header, time.Now()), fail(FailServer, "status %d: %s", resp.StatusCode, msg)
		case resp.StatusCode >= 500:
			return rep, retryAfter, fail(FailServer, "status %d: %s", resp.StatusCode, msg)
		default:
			return rep, retryAfter, fail(FailHTTP, "status %d: %s", resp.StatusCode, msg)
		}
	}
	rep, err = c.parse(data)
	return rep, retryAfter, err
}

func (c *client) attempted(ok bool) {
	if c.onAttempt != nil {
		c.onAttempt(ok)
	}
}

// parse reads a chat completion and the model's reply in it, strictly: the
// content must be one JSON object with the keys answer (required), quote
// and article, each a string or null, and nothing else.
func (c *client) parse(data []byte) (modelReply, error) {
	var cr chatResponse
	if err := json.Unmarshal(data, &cr); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || isUnexpectedEnd(err) {
			return modelReply{}, fail(FailTruncated, "the body ends early: %v", err)
		}
		return modelReply{}, fail(FailMalformed, "the body is not a chat completion: %v", err)
	}
	if cr.Usage != nil && c.onUsage != nil {
		c.onUsage(*cr.Usage)
	}
	if len(cr.Choices) == 0 {
		return modelReply{}, fail(FailEmpty, "no choices")
	}
	ch := cr.Choices[0]
	switch {
	case ch.Message.Refusal != nil && strings.TrimSpace(*ch.Message.Refusal) != "":
		return modelReply{}, fail(FailRefused, "the model refused")
	case ch.FinishReason == "content_filter":
		return modelReply{}, fail(FailRefused, "a content filter stopped the reply")
	case ch.FinishReason == "length":
		return modelReply{}, fail(FailTruncated, "the reply reached the token limit")
	case ch.Message.Content == nil || strings.TrimSpace(*ch.Message.Content) == "":
		return modelReply{}, fail(FailEmpty, "the reply is empty")
	}
	return parseReply(*ch.Message.Content)
}

// parseReply reads the model's JSON object strictly.
func parseReply(content string) (modelReply, error) {
	dec := json.NewDecoder(strings.NewReader(content))
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return modelReply{}, fail(FailTruncated, "the reply ends early: %v", err)
		}
		return modelReply{}, fail(FailMalformed, "the reply is not a JSON object: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return modelReply{}, fail(FailMalformed, "the reply has more than one JSON value")
	}
	if fields == nil {
		return modelReply{}, fail(FailMalformed, "the reply is null, not an object")
	}
	var rep modelReply
	for k, raw := range fields {
		var dst **string
		switch k {
		case "answer":
			dst = &rep.Answer
		case "quote":
			dst = &rep.Quote
		case "article":
			dst = &rep.Article
		default:
			return modelReply{}, fail(FailMalformed, "the reply has the unknown key %q", k)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return modelReply{}, fail(FailMalformed, "%s is not a string or null", k)
		}
	}
	if _, ok := fields["answer"]; !ok {
		return modelReply{}, fail(FailMalformed, "the reply has no answer key")
	}
	return rep, nil
}

// isUnexpectedEnd reports encoding/json's "unexpected end of JSON input".
func isUnexpectedEnd(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se) && strings.Contains(se.Error(), "unexpected end")
}

// errorMessage is the message of an error body, shortened, or a snippet of
// the body.
func errorMessage(data []byte) string {
	var e apiError
	msg := strings.TrimSpace(string(data))
	if json.Unmarshal(data, &e) == nil && e.Error.Message != "" {
		msg = e.Error.Message
	}
	if r := []rune(msg); len(r) > 200 {
		msg = string(r[:200]) + "…"
	}
	return strconv.Quote(msg)
}

// retryDelay reads retry-after-ms (OpenAI's, more precise) or Retry-After
// (seconds or an HTTP date); -1 when neither gives a usable delay.
func retryDelay(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("retry-after-ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 && ms < 1e9 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return -1
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s < 0 || s > 1e6 {
			return -1
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return -1
}
