package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// HTTP mode limits.
const (
	maxBodyBytes    = 1 << 20         // Slack's payloads are far smaller
	signatureWindow = 5 * time.Minute // Slack's replay window
)

// Signature verification failures; none of them is processed.
var (
	errMissingSignature = errors.New("missing X-Slack-Signature or X-Slack-Request-Timestamp")
	errBadTimestamp     = errors.New("malformed X-Slack-Request-Timestamp")
	errStaleTimestamp   = errors.New("request timestamp outside the 5-minute window")
	errBadSignature     = errors.New("signature does not match")
)

// HTTPHandler serves Slack's HTTP deliveries for http mode; mount it on the
// bot's listener (it routes by full path):
//
//	POST /slack/events       Events API (Event Subscriptions request URL)
//	POST /slack/commands     the /briefbot slash command
//	POST /slack/interactive  button clicks (Interactivity request URL)
//
// Every request is verified with the signing secret (HMAC-SHA256 "v0",
// timestamp within 5 minutes of Options.Clock) before anything is parsed;
// a missing, stale or wrong signature gets 401 and is dropped. Bodies over
// 1 MiB get 413. Verified events are answered 200 at once and handled
// afterwards by Run's workers, so Slack's 3-second deadline never depends
// on the handler; when Run is not running or its queue is full the answer
// is 503: Slack redelivers events later, and shows the user an error for
// a command or click so they can try again. Redeliveries
// (X-Slack-Retry-Num) are passed on with the same event ID for the core to
// answer once. url_verification challenges are answered, after
// verification, even before Run starts.
func (a *Adapter) HTTPHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/events", a.serveEvents)
	mux.HandleFunc("POST /slack/commands", a.serveCommand)
	mux.HandleFunc("POST /slack/interactive", a.serveInteractive)
	return mux
}

// readVerified reads the body and checks Slack's signature. It writes the
// error response itself and returns ok == false when the request must be
// dropped.
func (a *Adapter) readVerified(w http.ResponseWriter, r *http.Request) (body []byte, ok bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			a.log.Warn("slack: request body too large; dropped", "path", r.URL.Path, "limit_bytes", maxBodyBytes)
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return nil, false
		}
		a.log.Warn("slack: reading request body failed", "path", r.URL.Path, "error", err)
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return nil, false
	}
	if err := verifySignature(r.Header, body, a.cfg.SigningSecret, a.now()); err != nil {
		a.log.Warn("slack: request rejected: bad signature", "path", r.URL.Path, "reason", err.Error(),
			"remote_addr", r.RemoteAddr)
		http.Error(w, "invalid Slack signature", http.StatusUnauthorized)
		return nil, false
	}
	if n := r.Header.Get("X-Slack-Retry-Num"); n != "" {
		a.log.Debug("slack redelivery", "path", r.URL.Path, "retry_num", n, "retry_reason", r.Header.Get("X-Slack-Retry-Reason"))
	}
	return body, true
}

// verifySignature checks Slack's v0 request signature: HMAC-SHA256 with the
// signing secret over "v0:<timestamp>:<body>", hex-encoded, compared in
// constant time, with the timestamp within 5 minutes of now. (slack-go's
// SecretsVerifier checks the window against the wall clock, not an
// injected one, so the check is done here.)
func verifySignature(h http.Header, body []byte, secret string, now time.Time) error {
	if secret == "" {
		return errors.New("no signing secret configured")
	}
	sig, ts := h.Get("X-Slack-Signature"), h.Get("X-Slack-Request-Timestamp")
	if sig == "" || ts == "" {
		return errMissingSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errBadTimestamp
	}
	if d := now.Sub(time.Unix(sec, 0)); d > signatureWindow || d < -signatureWindow {
		return errStaleTimestamp
	}
	hexSig, ok := strings.CutPrefix(sig, "v0=")
	if !ok {
		return errBadSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return errBadSignature
	}
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:", ts)
	mac.Write(body)
	if !hmac.Equal(mac.Sum(nil), got) {
		return errBadSignature
	}
	return nil
}

// serveEvents handles /slack/events.
func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request) {
	body, ok := a.readVerified(w, r)
	if !ok {
		return
	}
	var o outerEvent
	if err := json.Unmarshal(body, &o); err != nil {
		a.log.Warn("slack: unreadable Events API payload", "error", err)
		http.Error(w, "malformed JSON", http.StatusBadRequest)
		return
	}
	switch o.Type {
	case "url_verification":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, o.Challenge)
		return
	case "app_rate_limited":
		a.log.Warn("slack: Slack is rate limiting event deliveries to this app")
		w.WriteHeader(http.StatusOK)
		return
	}
	m, ts, ignored := messageFromEvent(o, a.BotUserID())
	j, ok := a.messageJob(m, ts, ignored, "events_api")
	if !ok {
		w.WriteHeader(http.StatusOK)
		return
	}
	a.hand(w, j)
}

// readVerifiedForm reads a verified request whose body is a form (slash
// commands, interactivity); it has answered the request when ok is false.
func (a *Adapter) readVerifiedForm(w http.ResponseWriter, r *http.Request) (body []byte, form url.Values, ok bool) {
	body, ok = a.readVerified(w, r)
	if !ok {
		return nil, nil, false
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return nil, nil, false
	}
	return body, form, true
}

// serveCommand handles /slack/commands.
func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request) {
	body, form, ok := a.readVerifiedForm(w, r)
	if !ok {
		return
	}
	c := slashCommand{
		Command:     form.Get("command"),
		Text:        form.Get("text"),
		ChannelID:   form.Get("channel_id"),
		UserID:      form.Get("user_id"),
		TriggerID:   form.Get("trigger_id"),
		ResponseURL: form.Get("response_url"),
	}
	m, ignored := messageFromCommand(c, body, a.BotUserID())
	j, ok := a.accept(m, ignored, "slash_commands")
	if !ok {
		w.WriteHeader(http.StatusOK)
		return
	}
	j.responseURL = c.ResponseURL
	a.hand(w, j)
}

// serveInteractive handles /slack/interactive.
func (a *Adapter) serveInteractive(w http.ResponseWriter, r *http.Request) {
	_, form, ok := a.readVerifiedForm(w, r)
	if !ok {
		return
	}
	var in interaction
	if err := json.Unmarshal([]byte(form.Get("payload")), &in); err != nil {
		http.Error(w, "malformed payload", http.StatusBadRequest)
		return
	}
	rs := a.current()
	for _, f := range feedbackFromInteraction(in) {
		if !rs.enqueue(job{feedback: &f}) {
			// Slack shows the user that the click failed; they can click again.
			a.log.Warn("slack: feedback click not accepted: not ready or queue full", "ref", f.ref)
			http.Error(w, "busy, try again", http.StatusServiceUnavailable)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

// hand queues j for the workers (or drops it as a second event for the
// same message) and answers 200, or 503 so that Slack redelivers when Run
// cannot take it now.
func (a *Adapter) hand(w http.ResponseWriter, j job) {
	if !a.submit(j, a.current().enqueue) {
		a.log.Warn("slack: not ready or queue full; asking Slack to redeliver", "event_id", j.msg.EventID)
		w.Header().Set("Retry-After", "5")
		http.Error(w, "busy, retry later", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}
