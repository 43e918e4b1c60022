package config

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestLoadLLM(t *testing.T) {
	key := write(t, "llm-key", "sk-geheim-123\n")
	tests := []struct {
		name    string
		yaml    string
		environ []string
		reader  string // the effective reader
		key     string // the API key loaded
		problem string // a problem's key and message start, when the load fails
		warning string // a warning's key, when one is expected
	}{
		{name: "default", yaml: "console: true\n", reader: "builtin"},
		{name: "in the file", yaml: "answer: {reader: llm}\nllm: {base_url: 'https://api.example.com/v1', model: m, api_key: sk-geheim-123, timeout: 8s, rate_limit: {events: 30, window: 1m}}\n",
			reader: "llm", key: "sk-geheim-123"},
		{name: "key from a file", yaml: "answer: {reader: llm}\nllm: {base_url: 'http://127.0.0.1:8000/v1', model: m, api_key_file: " + key + "}\n",
			reader: "llm", key: "sk-geheim-123"},
		{name: "from the environment", yaml: "", environ: []string{"BRIEFBOT_ANSWER_READER=LLM", "BRIEFBOT_LLM_BASE_URL=https://api.example.com/v1",
			"BRIEFBOT_LLM_MODEL=m", "BRIEFBOT_LLM_API_KEY=sk-geheim-123", "BRIEFBOT_LLM_TIMEOUT=3s"}, reader: "llm", key: "sk-geheim-123"},
		{name: "key file from the environment", yaml: "answer: {reader: llm}\nllm: {base_url: 'https://api.example.com/v1', model: m}\n",
			environ: []string{"BRIEFBOT_LLM_API_KEY_FILE=" + key}, reader: "llm", key: "sk-geheim-123"},
		{name: "configured but not used", yaml: "llm: {base_url: 'https://api.example.com/v1', model: m}\n", reader: "builtin"},
		{name: "key over plain http to another machine", yaml: "answer: {reader: llm}\nllm: {base_url: 'http://llm.internal/v1', model: m, api_key: sk-geheim-123}\n",
			reader: "llm", key: "sk-geheim-123", warning: "llm.base_url"},
		{name: "unknown reader", yaml: "answer: {reader: gpt}\n", problem: `answer.reader: "gpt" is not a reader`},
		{name: "llm without a server", yaml: "answer: {reader: llm}\n", problem: "llm.base_url: is empty but answer.reader is llm"},
		{name: "llm without a model", yaml: "answer: {reader: llm}\nllm: {base_url: 'https://api.example.com/v1'}\n", problem: "llm.model: is empty"},
		{name: "not a URL", yaml: "llm: {base_url: 'api.example.com'}\n", problem: "llm.base_url: \"api.example.com\" is not an http or https address"},
		{name: "negative timeout", yaml: "llm: {timeout: -1s}\n", problem: "llm.timeout: -1s is negative"},
		{name: "rate limit without window", yaml: "llm: {user_rate_limit: {events: 5}}\n", problem: "llm.user_rate_limit.window: must be a positive duration"},
		{name: "negative passages", yaml: "llm: {max_passages: -2}\n", problem: "llm.max_passages: -2 is negative"},
		{name: "bad cache size", yaml: "llm: {cache_size: -5}\n", problem: "llm.cache_size: -5"},
		{name: "unknown variable", yaml: "", environ: []string{"BRIEFBOT_LLM_TOKEN=x"}, problem: "BRIEFBOT_LLM_TOKEN: is not a setting"},
		{name: "unknown key", yaml: "llm: {temperature: 0.2}\n", problem: `llm.temperature: unknown key "temperature"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(write(t, "c.yaml", tt.yaml), tt.environ)
			if tt.problem != "" {
				var ps Problems
				if !errors.As(err, &ps) || !strings.Contains(err.Error(), tt.problem) {
					t.Fatalf("Load: %v; want a problem %q", err, tt.problem)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := c.Answer.EffectiveReader(); got != tt.reader || c.LLM.APIKey != tt.key {
				t.Errorf("reader %q, key %q; want %q, %q", got, c.LLM.APIKey, tt.reader, tt.key)
			}
			warned := false
			for _, w := range c.Warnings {
				warned = warned || w.Key == tt.warning
			}
			if tt.warning != "" && !warned {
				t.Errorf("warnings %v lack %s", c.Warnings, tt.warning)
			}
			var buf bytes.Buffer
			slog.New(slog.NewTextHandler(&buf, nil)).Info("starting", "config", c)
			if out := buf.String(); strings.Contains(out, "geheim") {
				t.Errorf("the log shows the API key: %s", out)
			} else if tt.reader == "llm" && !strings.Contains(out, "api_key_set=true") {
				t.Errorf("the log does not say the key is set: %s", out)
			}
		})
	}
	c, err := Load("", []string{"BRIEFBOT_LLM_TIMEOUT=3s"})
	if err != nil || c.LLM.Timeout != 3*time.Second {
		t.Errorf("BRIEFBOT_LLM_TIMEOUT: %v, %v", c.LLM.Timeout, err)
	}
}
