package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"
)

// Answer readers (answer.reader).
const (
	ReaderBuiltin = "builtin"
	ReaderLLM     = "llm"
)

// EffectiveReader is Reader in lower case, ReaderBuiltin when empty.
func (a Answer) EffectiveReader() string {
	if r := strings.ToLower(strings.TrimSpace(a.Reader)); r != "" {
		return r
	}
	return ReaderBuiltin
}

// LLM configures the language-model reader (answer.reader: llm): a server
// speaking the OpenAI-compatible Chat Completions API reads the passages
// the library retrieves; its answers are verified against the cited
// article before anyone sees them, and the built-in reader answers
// whenever the model fails, is slow or is not believed.
type LLM struct {
	// BaseURL is the API's base address; requests go to
	// BaseURL/chat/completions ("https://api.openai.com/v1",
	// "http://127.0.0.1:8000/v1" for a local server).
	BaseURL string `yaml:"base_url"`
	// Model is the model's name on that server.
	Model string `yaml:"model"`
	// APIKey is sent as a bearer token (or read from APIKeyFile); empty:
	// none, for local servers.
	APIKey     string `yaml:"api_key" secret:"true"`
	APIKeyFile string `yaml:"api_key_file"`
	// Timeout is the question's deadline for the model, from the moment
	// the question is asked; after it the built-in reader's answer is
	// given. 0: 10s.
	Timeout time.Duration `yaml:"timeout"`
	// MaxConcurrency bounds the requests in flight; 0: 4.
	MaxConcurrency int `yaml:"max_concurrency"`
	// MaxPassages bounds the passages sent per question; 0: 8.
	MaxPassages int `yaml:"max_passages"`
	// MaxPassageTokens bounds the passages' estimated tokens (about three
	// characters a token); 0: 2000.
	MaxPassageTokens int `yaml:"max_passage_tokens"`
	// MaxAnswerTokens is the reply's max_tokens; 0: 300.
	MaxAnswerTokens int `yaml:"max_answer_tokens"`
	// RateLimit bounds the requests to the model overall, UserRateLimit
	// those for one chat user; a question over a limit gets the built-in
	// answer. Zero: 60 and 10 per minute; events -1 turns a limit off.
	RateLimit     RateLimit `yaml:"rate_limit"`
	UserRateLimit RateLimit `yaml:"user_rate_limit"`
	// CacheSize is how many verified answers are kept, by question and
	// passages; 0: 1000; -1: no cache.
	CacheSize int `yaml:"cache_size"`
}

// LogValue shows the settings, never the key.
func (l LLM) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", l.BaseURL), slog.String("model", l.Model),
		slog.Bool("api_key_set", l.APIKey != ""), slog.Duration("timeout", l.Timeout))
}

func (c *Config) llmSecrets() []secretField {
	return []secretField{{path: "llm.api_key", value: &c.LLM.APIKey, file: &c.LLM.APIKeyFile}}
}

// ValidateReader reports the problems of answer.reader and the llm
// section. The llm section is checked whenever it is set; base_url and
// model are required when the reader is llm.
func (c *Config) ValidateReader() Problems {
	var ps Problems
	bad := func(key, format string, args ...any) {
		ps = append(ps, Problem{Key: key, Message: fmt.Sprintf(format, args...)})
	}
	reader := c.Answer.EffectiveReader()
	switch reader {
	case ReaderBuiltin, ReaderLLM:
	default:
		bad("answer.reader", "%q is not a reader; use builtin (the default) or llm (a language model, configured under llm:)", c.Answer.Reader)
	}
	l := c.LLM
	if base := strings.TrimSpace(l.BaseURL); base != "" {
		u, err := url.Parse(base)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			bad("llm.base_url", "%q is not an http or https address; write it like https://api.openai.com/v1", l.BaseURL)
		case u.Scheme == "http" && l.APIKey != "" && !loopback(u.Hostname()):
			c.Warnings = append(c.Warnings, Problem{Key: "llm.base_url", Message: fmt.Sprintf(
				"%s is plain http to another machine: the API key travels unencrypted; use https", l.BaseURL)})
		}
	} else if reader == ReaderLLM {
		bad("llm.base_url", "is empty but answer.reader is llm; give the API's base address, like https://api.openai.com/v1 (requests go to …/chat/completions)")
	}
	if reader == ReaderLLM && strings.TrimSpace(l.Model) == "" {
		bad("llm.model", "is empty but answer.reader is llm; name the model the server serves")
	}
	if strings.ContainsAny(l.APIKey, " \t\r\n") {
		bad("llm.api_key", "contains white space or a line break; an API key is one word")
	}
	if l.Timeout < 0 {
		bad("llm.timeout", "%v is negative; use a duration like 8s (0 for the default of 10s)", l.Timeout)
	}
	for _, v := range []struct {
		key string
		n   int
	}{{"llm.max_concurrency", l.MaxConcurrency}, {"llm.max_passages", l.MaxPassages},
		{"llm.max_passage_tokens", l.MaxPassageTokens}, {"llm.max_answer_tokens", l.MaxAnswerTokens}} {
		if v.n < 0 {
			bad(v.key, "%d is negative; use 0 for the default", v.n)
		}
	}
	if l.CacheSize < -1 {
		bad("llm.cache_size", "%d: use a number of answers, 0 for the default of 1000, or -1 for no cache", l.CacheSize)
	}
	for _, lim := range []struct {
		key string
		lim RateLimit
	}{{"llm.rate_limit", l.RateLimit}, {"llm.user_rate_limit", l.UserRateLimit}} {
		if lim.lim.Events > 0 && lim.lim.Window <= 0 {
			bad(lim.key+".window", "must be a positive duration like 1m when events is %d", lim.lim.Events)
		}
		if lim.lim.Window < 0 {
			bad(lim.key+".window", "%v is negative", lim.lim.Window)
		}
	}
	return ps
}

// loopback reports whether host is this machine.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
