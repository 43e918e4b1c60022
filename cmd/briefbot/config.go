package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/briefbot/briefbot/adapters/matrix"
	"github.com/briefbot/briefbot/adapters/slack"
	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/config"
)

// configFlags are the flags that choose and override the configuration.
type configFlags struct {
	path string // --config; default $BRIEFBOT_CONFIG
	http string // --http, overrides http.addr
}

func (f *configFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&f.path, "config", os.Getenv("BRIEFBOT_CONFIG"), "YAML configuration file (see config/example.yaml); default $BRIEFBOT_CONFIG; none: the console bot on the sample articles")
	c.Flags().StringVar(&f.http, "http", "", "listen on this address for /healthz, /readyz and /metrics (overrides http.addr), e.g. 127.0.0.1:8080")
}

func configCmd(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "config",
		Short: "Inspect the configuration",
		Args:  argsBetween(0, 0, "a subcommand: check"),
		RunE: func(c *cobra.Command, _ []string) error {
			return usageError{cmd: "config", err: errors.New("config needs a subcommand: check")}
		},
	}
	var f configFlags
	check := &cobra.Command{
		Use:   "check",
		Short: "Check the configuration file and BRIEFBOT_ variables; report every problem (exit 2) or a summary (exit 0)",
		Args:  argsBetween(0, 0, "no arguments; name the file with --config"),
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := g.resolveConfig(c, f)
			if err != nil {
				var ps config.Problems
				if errors.As(err, &ps) {
					fmt.Fprintf(g.stdout, "%d problem(s) in the configuration:\n", len(ps))
					for _, p := range ps {
						fmt.Fprintf(g.stdout, "  %s: %s\n", p.Key, p.Message)
					}
				}
				if cfg != nil {
					printWarnings(g.stdout, cfg.Warnings)
				}
				return usageError{cmd: "config check", err: fmt.Errorf("the configuration has problems: %w", errCheckFailed)}
			}
			printSummary(g.stdout, f.path, cfg)
			printWarnings(g.stdout, cfg.Warnings)
			return nil
		},
	}
	f.register(check)
	root.AddCommand(check)
	return root
}

// errCheckFailed keeps the list of problems (already printed) out of the
// one-line error.
var errCheckFailed = errors.New("fix the keys listed above")

func printSummary(w io.Writer, path string, cfg *config.Config) {
	src := cmp.Or(path, "(no file: defaults and environment)")
	fmt.Fprintf(w, "configuration OK: %s\n", src)
	fmt.Fprintf(w, "  platforms:     %s\n", strings.Join(cfg.EnabledPlatforms(), ", "))
	fmt.Fprintf(w, "  articles:      %s\n", cmp.Or(cfg.ArticlesDir, "built-in samples"))
	fmt.Fprintf(w, "  data:          %s\n", cfg.DataDir)
	fmt.Fprintf(w, "  database:      %s\n", cfg.Database.LogValue().String())
	fmt.Fprintf(w, "  http:          %s\n", cmp.Or(cfg.HTTPAddr(), "off"))
	reader := cfg.Answer.EffectiveReader()
	if reader == config.ReaderLLM {
		where := "(unparsable base_url)"
		if u, err := url.Parse(cfg.LLM.BaseURL); err == nil {
			where = u.Redacted()
		}
		reader += fmt.Sprintf(" (%s at %s, verified; the built-in reader when it fails)", cfg.LLM.Model, where)
	}
	fmt.Fprintf(w, "  answers:       %s\n", reader)
	fmt.Fprintf(w, "  topics:        %s\n", strings.Join(topicNames(libraryTopics(cfg)), ", "))
	fmt.Fprintf(w, "  subscriptions: %d\n", len(cfg.Digest.Subscriptions))
}

// printWarnings lists what config check found that works but should be
// fixed (exit code 0).
func printWarnings(w io.Writer, ws config.Problems) {
	for _, p := range ws {
		fmt.Fprintf(w, "warning: %s: %s\n", p.Key, p.Message)
	}
}

// resolveConfig loads the configuration (file, then environment), applies
// the command-line flags the user set, and runs every check the adapters and
// the library can make without starting. The error is config.Problems.
func (g *globals) resolveConfig(c *cobra.Command, f configFlags) (*config.Config, error) {
	// Flags the user typed win over file and environment: they are applied
	// as the last environment variables, so they are validated alike.
	env := os.Environ()
	fl := c.Flags()
	if fl.Changed("articles") {
		env = append(env, config.EnvName("articles_dir")+"="+g.articles)
	}
	if fl.Changed("data") {
		env = append(env, config.EnvName("data_dir")+"="+g.data)
	}
	if fl.Changed("log-level") {
		env = append(env, config.EnvName("log.level")+"="+g.logLevel)
	}
	if f.http != "" {
		env = append(env, config.EnvName("http.addr")+"="+f.http)
	}
	cfg, err := config.Load(f.path, env)
	var ps config.Problems
	if err != nil && !errors.As(err, &ps) {
		return nil, err
	}
	if cfg.DataDir == "" {
		cfg.DataDir = g.data // --data's default
	}
	if cfg.Log.Level == "" {
		cfg.Log.Level = g.logLevel
	}
	if !slices.ContainsFunc(ps, func(p config.Problem) bool { return p.Key == "--config" }) {
		ps = append(ps, checkComponents(cfg)...)
	}
	if len(ps) > 0 {
		return cfg, ps
	}
	return cfg, nil
}

// checkComponents runs the adapters' and the library's own validation of
// their settings, as problems keyed like the file.
func checkComponents(cfg *config.Config) config.Problems {
	var ps config.Problems
	if cfg.Slack != nil {
		ps = append(ps, problemsOf(slackConfig(cfg.Slack).Validate(), "slack")...)
	}
	if cfg.Matrix != nil {
		_, err := matrix.New(matrixConfig(cfg.Matrix), matrix.Options{State: noState{}, DataDir: cfg.DataDir})
		ps = append(ps, problemsOf(err, "matrix")...)
	}
	topics := libraryTopics(cfg)
	if cfg.Digest.BuiltinTopics != nil && !*cfg.Digest.BuiltinTopics && len(cfg.Digest.Topics) == 0 {
		ps = append(ps, config.Problem{Key: "digest.builtin_topics", Message: "is false and digest.topics is empty: there would be no topic; add a topic or remove the key"})
	} else if _, err := briefings.NewClassifier(topics, nil); err != nil {
		ps = append(ps, config.Problem{Key: "digest.topics", Message: err.Error()})
	}
	names := topicNames(topics)
	for i, s := range cfg.Digest.Subscriptions {
		if s.Topic != "" && !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, s.Topic) }) {
			ps = append(ps, config.Problem{Key: fmt.Sprintf("digest.subscriptions[%d].topic", i),
				Message: fmt.Sprintf("%q is not a topic; use one of %s, or define it under digest.topics", s.Topic, strings.Join(names, ", "))})
		}
	}
	for i, f := range cfg.Feeds {
		if f.Topic != "" && !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, f.Topic) }) {
			ps = append(ps, config.Problem{Key: fmt.Sprintf("feeds[%d].topic", i),
				Message: fmt.Sprintf("%q is not a topic; use one of %s, or define it under digest.topics", f.Topic, strings.Join(names, ", "))})
		}
	}
	return ps
}

// problemsOf splits an adapter's joined validation error into problems. A
// line "slack.bot_token: is empty…" becomes key slack.bot_token.
func problemsOf(err error, section string) config.Problems {
	if err == nil {
		return nil
	}
	var ps config.Problems
	for line := range strings.SplitSeq(err.Error(), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(line, section+" adapter configuration: "))
		if line == "" {
			continue
		}
		key, msg, ok := strings.Cut(line, ": ")
		switch {
		case ok && strings.HasPrefix(key, section+".") && !strings.ContainsAny(key, " `"):
		case strings.HasPrefix(line, section+"."):
			// "matrix.encryption is on but …": the key is the first word.
			key, msg, _ = strings.Cut(line, " ")
		default:
			key, msg = section, strings.TrimPrefix(line, section+": ")
		}
		ps = append(ps, config.Problem{Key: key, Message: msg})
	}
	return ps
}

// noState lets config check build a Matrix adapter, which validates its
// settings, without a database. The adapter is never run.
type noState struct{}

func (noState) GetValue(context.Context, string) (string, error) { return "", bot.ErrNotFound }
func (noState) SetValue(context.Context, string, string) error   { return nil }

// slackConfig converts the file's slack section to the adapter's Config.
func slackConfig(s *config.Slack) slack.Config {
	return slack.Config{
		Mode: s.Mode, BotToken: s.BotToken, AppToken: s.AppToken, SigningSecret: s.SigningSecret,
		APIURL: s.APIURL, BotUserID: s.BotUserID,
	}
}

// matrixConfig converts the file's matrix section to the adapter's Config.
func matrixConfig(m *config.Matrix) matrix.Config {
	return matrix.Config{
		Homeserver: m.Homeserver, UserID: m.UserID, AccessToken: m.AccessToken, Password: m.Password,
		DeviceID: m.DeviceID, CommandPrefix: m.CommandPrefix, AutoJoin: slices.Clone(m.AutoJoin),
		Encryption: m.Encryption, PickleKey: m.PickleKey,
	}
}

// libraryTopics are the digest topics: the built-in ones (unless turned
// off) and the configured ones.
func libraryTopics(cfg *config.Config) []briefings.Topic {
	var out []briefings.Topic
	if cfg.Digest.BuiltinTopics == nil || *cfg.Digest.BuiltinTopics {
		out = briefings.BuiltinTopics()
	}
	for _, t := range cfg.Digest.Topics {
		out = append(out, briefings.Topic{Name: t.Name, Description: t.Description,
			Terms: slices.Clone(t.Terms), Exclude: slices.Clone(t.Exclude), MinScore: t.MinScore})
	}
	return out
}

func topicNames(ts []briefings.Topic) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}

// configLogger builds the serve logger: text or JSON on standard error.
func (g *globals) configLogger(cfg *config.Config) *slog.Logger {
	lvl, _ := parseLevel(cmp.Or(cfg.Log.Level, g.logLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if strings.EqualFold(cfg.Log.Format, "json") {
		return slog.New(slog.NewJSONHandler(g.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(g.stderr, opts))
}
