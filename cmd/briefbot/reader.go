package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/answer"
	"github.com/briefbot/briefbot/briefings/llmreader"
	"github.com/briefbot/briefbot/config"

	"github.com/spf13/cobra"
)

// newLLMReader builds the language-model reader of the llm section over
// lib. Without limits (eval), the reader's own rate limits are off.
func newLLMReader(l config.LLM, lib *briefings.Library, log *slog.Logger, limits bool) (*llmreader.Reader, error) {
	opts := llmreader.Options{
		Library: lib, BaseURL: l.BaseURL, Model: l.Model, APIKey: l.APIKey, Timeout: l.Timeout,
		MaxConcurrency: l.MaxConcurrency, MaxPassages: l.MaxPassages, MaxPassageTokens: l.MaxPassageTokens,
		MaxAnswerTokens: l.MaxAnswerTokens, CacheSize: l.CacheSize, Logger: log,
		RateLimit:     llmreader.Limit{Events: l.RateLimit.Events, Window: l.RateLimit.Window},
		UserRateLimit: llmreader.Limit{Events: l.UserRateLimit.Events, Window: l.UserRateLimit.Window},
	}
	if !limits {
		opts.RateLimit, opts.UserRateLimit = llmreader.Limit{Events: -1}, llmreader.Limit{Events: -1}
	}
	return llmreader.New(opts)
}

// readerFlags choose the reader of ask and eval: --reader, and the
// configuration (--config, $BRIEFBOT_CONFIG, BRIEFBOT_ variables) that
// holds answer.reader and the llm section.
type readerFlags struct {
	reader string
	config string
}

func (f *readerFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&f.reader, "reader", "", "who answers: builtin or llm (a language model, configured under llm: in --config or BRIEFBOT_LLM_…); default: answer.reader, else builtin")
	c.Flags().StringVar(&f.config, "config", os.Getenv("BRIEFBOT_CONFIG"), "YAML configuration file for answer.reader and llm; default $BRIEFBOT_CONFIG")
}

// check validates --reader before anything loads.
func (f *readerFlags) check(cmd string) error {
	switch strings.ToLower(f.reader) {
	case "", config.ReaderBuiltin, config.ReaderLLM:
		return nil
	}
	return usageError{cmd: cmd, err: fmt.Errorf("--reader %q: use builtin or llm", f.reader)}
}

// answerer is the reader to ask: lib, or a language-model reader over it
// (then also returned as llm). The configuration is read only when
// something may choose the language model; its problems outside answer
// and llm are serve's business and are ignored here.
func (f *readerFlags) answerer(cmd string, lib *briefings.Library, log *slog.Logger, limits bool) (answer.Answerer, *llmreader.Reader, error) {
	choice := strings.ToLower(f.reader)
	if choice == config.ReaderBuiltin || (choice == "" && f.config == "" && !llmEnv()) {
		return lib, nil, nil
	}
	cfg, err := config.Load(f.config, os.Environ())
	var ps config.Problems
	if err != nil && !errors.As(err, &ps) {
		return nil, nil, err
	}
	var mine config.Problems
	for _, p := range ps {
		for _, prefix := range []string{"--config", "answer.", "llm.", config.EnvName("answer") + "_", config.EnvName("llm") + "_"} {
			if strings.HasPrefix(p.Key, prefix) {
				mine = append(mine, p)
				break
			}
		}
	}
	if choice == "" {
		choice = cfg.Answer.EffectiveReader()
	}
	if choice == config.ReaderLLM {
		// the llm section must do for the language model even when the
		// file chose the built-in reader
		cfg.Answer.Reader = config.ReaderLLM
		mine = append(mine, cfg.ValidateReader()...)
	}
	if len(mine) > 0 {
		return nil, nil, usageError{cmd: cmd, err: fmt.Errorf("the configuration has problems:\n%w", dedupe(mine))}
	}
	if choice != config.ReaderLLM {
		return lib, nil, nil
	}
	r, err := newLLMReader(cfg.LLM, lib, log, limits)
	if err != nil {
		return nil, nil, err
	}
	return r, r, nil
}

// llmEnv reports whether a BRIEFBOT_ANSWER_READER or BRIEFBOT_LLM_…
// variable is set.
func llmEnv() bool {
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, config.EnvName("answer.reader")+"=") || strings.HasPrefix(kv, config.EnvName("llm")+"_") {
			return true
		}
	}
	return false
}

// dedupe drops repeated problems (validation ran twice).
func dedupe(ps config.Problems) config.Problems {
	var out config.Problems
	for _, p := range ps {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// printLLMStats summarises what the language model did in an eval run.
func printLLMStats(w io.Writer, st llmreader.Stats) {
	fmt.Fprintf(w, "language model: %d requests (%d failed), %d prompt + %d completion tokens, cache %d hits\n",
		st.RequestsOK+st.RequestsFailed, st.RequestsFailed, st.PromptTokens, st.CompletionTokens, st.CacheHits)
	for _, o := range llmreader.Outcomes() {
		line := fmt.Sprintf("  %-9s %d", o, st.Outcomes[o])
		var reasons map[string]uint64
		switch o {
		case llmreader.OutcomeRejected:
			reasons = st.Rejections
		case llmreader.OutcomeFailed:
			reasons = st.Fallbacks
		}
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(reasons)) {
			parts = append(parts, fmt.Sprintf("%s %d", k, reasons[k]))
		}
		if len(parts) > 0 {
			line += " (" + strings.Join(parts, ", ") + ")"
		}
		fmt.Fprintln(w, line)
	}
}
