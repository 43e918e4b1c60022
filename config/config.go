// Package config is briefbot's configuration: one YAML file, overridden by
// BRIEFBOT_… environment variables, with secrets read from the environment
// or from files. It is plain data with validation and imports nothing of
// briefbot's own; cmd/briefbot turns it into the options of the library,
// the bot, the scheduler and the adapters, and the adapters validate their
// own sections (slack.…, matrix.…) when they start.
//
// Every setting is documented in example.yaml next to this file.
//
// # Environment variables
//
// Every scalar setting can be set with BRIEFBOT_ followed by its key path in
// upper case, dots and dashes written as underscores:
//
//	http.addr         BRIEFBOT_HTTP_ADDR
//	slack.bot_token   BRIEFBOT_SLACK_BOT_TOKEN
//	log.level         BRIEFBOT_LOG_LEVEL
//	articles_dir      BRIEFBOT_ARTICLES_DIR
//	frog.mode         BRIEFBOT_FROG_MODE
//	answer.reader     BRIEFBOT_ANSWER_READER
//	llm.api_key       BRIEFBOT_LLM_API_KEY
//
// A variable wins over the file. Lists of words (bot.prefixes,
// matrix.auto_join, frog.addresses) take a comma-separated value; lists of records
// (digest.topics, digest.subscriptions) and bot.admins exist only in the
// file. Setting a variable of the slack or matrix section turns that
// section on. An unknown variable inside a known section
// (BRIEFBOT_SLACK_BOT_TOKN) is a problem; other BRIEFBOT_ variables are
// left alone.
//
// # Secrets
//
// Tokens, the signing secret, the password and the pickle key are read from
// the key itself, from its environment variable, or from a file named by
// KEY_file in the YAML (slack.bot_token_file) or by the variable with _FILE
// appended (BRIEFBOT_SLACK_BOT_TOKEN_FILE); one trailing newline of the file
// is removed. Secrets never appear in logs: Config's LogValue shows only
// whether each is set. A secret file that every user of the machine can
// read, or a configuration file that holds a secret and that every user can
// read, loads with a warning in Config.Warnings (chmod 600 or 0400 fixes
// it).
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"math"
	"net"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"
)

// Config is the whole configuration. The zero value is valid: the console
// bot on the built-in sample articles.
type Config struct {
	// ArticlesDir is the directory of articles, read recursively and
	// watched for changes; empty: the built-in sample articles.
	ArticlesDir string `yaml:"articles_dir"`
	// DataDir holds the SQLite database and adapter state; empty: the
	// --data default ($BRIEFBOT_DATA, $XDG_DATA_HOME/briefbot or
	// ~/.local/share/briefbot).
	DataDir string `yaml:"data_dir"`
	// FreeDictDir is where FreeDict English-Dutch dictionaries are read
	// from; empty: /usr/share/dictd; "-": do not use them.
	FreeDictDir string `yaml:"freedict_dir"`
	// WatchDebounce is how long after the last change in ArticlesDir the
	// articles are reloaded; 0: 500ms.
	WatchDebounce time.Duration `yaml:"watch_debounce"`
	// Console turns the terminal adapter on or off. nil: on when neither
	// Slack nor Matrix is configured.
	Console *bool `yaml:"console"`
	// ShutdownTimeout bounds how long a stopping server waits for replies
	// and digests in progress; 0: 10s.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`

	Log    Log     `yaml:"log"`
	HTTP   HTTP    `yaml:"http"`
	Answer Answer  `yaml:"answer"`
	Digest Digest  `yaml:"digest"`
	Bot    Bot     `yaml:"bot"`
	Frog   Frog    `yaml:"frog"`
	LLM    LLM     `yaml:"llm"`    // the language-model reader (llm.go), for answer.reader: llm
	Slack  *Slack  `yaml:"slack"`  // nil: Slack is off
	Matrix *Matrix `yaml:"matrix"` // nil: Matrix is off
	// Feeds are RSS, Atom and JSON Feed documents polled for articles
	// (see feeds.go).
	Feeds []Feed `yaml:"feeds"`
	// Ingest configures the article API (see feeds.go).
	Ingest Ingest `yaml:"ingest"`
	// Database is a shared PostgreSQL database (see database.go); empty:
	// the SQLite file in DataDir.
	Database Database `yaml:"database"`

	// Warnings are what Load found that does not stop briefbot but should
	// be fixed: a secret in a file every user of the machine can read.
	// They are not settings; config check prints them and serve logs them.
	Warnings Problems `yaml:"-"`
}

// Log configures the structured logs written to standard error.
type Log struct {
	// Level is debug, info, warn or error; empty: the --log-level flag
	// (default warn).
	Level string `yaml:"level"`
	// Format is text (default) or json.
	Format string `yaml:"format"`
}

// HTTP configures the listener for /healthz, /readyz, /metrics and Slack's
// HTTP mode.
type HTTP struct {
	// Addr is host:port to listen on (":8080", "127.0.0.1:0"); empty: no
	// listener, unless slack.mode is http (then DefaultHTTPAddr).
	Addr string `yaml:"addr"`
}

// DefaultHTTPAddr is the listener address Slack's HTTP mode gets when
// http.addr is empty.
const DefaultHTTPAddr = ":8080"

// Answer configures question answering.
type Answer struct {
	// MinConfidence is the abstention threshold, 0 to 1; 0: the library's
	// default (0.4).
	MinConfidence float64 `yaml:"min_confidence"`
	// Reader is builtin (the library's own extractor and ranker) or llm (a
	// language model reading the retrieved passages, verified, configured
	// under llm:); empty: builtin.
	Reader string `yaml:"reader"`
}

// Digest configures topics and scheduled digests.
type Digest struct {
	// BuiltinTopics keeps the built-in topics ("interference") next to
	// Topics; nil means true.
	BuiltinTopics *bool `yaml:"builtin_topics"`
	// Topics are the newsroom's own topics.
	Topics []Topic `yaml:"topics"`
	// TimeZone is the IANA zone of subscriptions without one, and the zone
	// digest periods are read in; empty: UTC.
	TimeZone string `yaml:"time_zone"`
	// DefaultCron is the schedule of a chat subscription that names none;
	// empty: "0 7 * * *".
	DefaultCron string `yaml:"default_cron"`
	// SkipEmpty posts nothing for a period without stories.
	SkipEmpty bool `yaml:"skip_empty"`
	// Grace is how old a missed digest may be and still be posted after a
	// restart; 0: 6h; negative: never.
	Grace time.Duration `yaml:"grace"`
	// Limit caps the stories per digest; 0: 10.
	Limit int `yaml:"limit"`
	// MinInterval is the shortest gap allowed between two digests of one
	// subscription; 0: 1h.
	MinInterval time.Duration `yaml:"min_interval"`
	// Period is how far back a chat "digest" looks without "since"; 0: 7 days.
	Period time.Duration `yaml:"period"`
	// Subscriptions are posted on their schedules from the first start.
	Subscriptions []Subscription `yaml:"subscriptions"`
}

// Topic is a custom digest topic; see briefings.Topic for the term syntax
// ("core:verkiezing*", "threat:desinformatie", phrases, ^weights).
type Topic struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Terms       []string `yaml:"terms"`
	Exclude     []string `yaml:"exclude"`
	MinScore    float64  `yaml:"min_score"`
}

// Subscription posts a topic's digest to one conversation on a schedule.
type Subscription struct {
	// Platform is console, slack or matrix.
	Platform string `yaml:"platform"`
	// Conversation is the Slack channel ID (C…) or Matrix room ID (!…:server);
	// "console" for the console.
	Conversation string `yaml:"conversation"`
	Topic        string `yaml:"topic"`
	// Cron is a five-field spec ("0 7 * * 1-5") or a descriptor (@daily);
	// empty: digest.default_cron.
	Cron string `yaml:"cron"`
	// TimeZone is an IANA zone; empty: digest.time_zone.
	TimeZone string `yaml:"time_zone"`
}

// Bot configures the chat core.
type Bot struct {
	// Prefixes address the bot in group conversations; nil: !briefbot,
	// briefbot, !b.
	Prefixes []string `yaml:"prefixes"`
	// Admins lists per platform the users who may (un)subscribe
	// conversations; empty: everyone may.
	Admins map[string][]string `yaml:"admins"`
	// UserLimit and ConversationLimit bound the messages answered; zero:
	// 10 and 30 per minute; events -1 turns a limit off.
	UserLimit         RateLimit `yaml:"user_limit"`
	ConversationLimit RateLimit `yaml:"conversation_limit"`
	// Unlimited lists the platforms exempt from rate limits; nil: console.
	Unlimited []string `yaml:"unlimited"`
	// MaxQuestionLength is the longest message accepted, in characters;
	// 0: 1000.
	MaxQuestionLength int `yaml:"max_question_length"`
	// SearchLimit and LatestLimit bound list replies; 0: 5.
	SearchLimit int `yaml:"search_limit"`
	LatestLimit int `yaml:"latest_limit"`
}

// RateLimit allows Events messages per Window.
type RateLimit struct {
	Events int           `yaml:"events"`
	Window time.Duration `yaml:"window"`
}

// Frog configures the Dutch linguistic analysis by Frog, the NLP suite of
// Radboud and Tilburg universities (Debian packages frog and frogdata).
// When it runs, answers analyse the sentences they examine with it (names,
// phrases, grammatical roles) and rank candidates with the model fitted on
// those features; otherwise, and while Frog starts or fails, they use the
// built-in analysis. Frog is a separate GPL program that serve starts and
// talks to over a loopback socket; each process holds 1.3–1.9 GB.
type Frog struct {
	// Mode is auto (Frog when its program is found, else the built-in
	// analysis), on (Frog is required: config check fails without the
	// program, and serve logs errors while Frog fails, still answering with
	// the built-in analysis meanwhile) or off; empty: auto.
	Mode string `yaml:"mode"`
	// Bin is the frog program; empty: frog on PATH. Unused with Addresses.
	Bin string `yaml:"bin"`
	// Processes is how many Frog processes to run; 0: 1. Unused with
	// Addresses (more than 1 is then a problem).
	Processes int `yaml:"processes"`
	// Connections is how many connections to open to each process (or
	// server); 0: 2. Frog serves each in a forked child that shares the
	// loaded models, so connections are the cheap way to use more cores.
	Connections int `yaml:"connections"`
	// Skip lists Frog modules not to run, as frog --skip: p (dependency
	// parser), a (morphology), m (multi-word units), n (named entities), c
	// (chunker), l (lemmatizer), t (tokenizer); empty: all run.
	Skip string `yaml:"skip"`
	// Addresses are host:port of Frog servers already running (frog -S
	// PORT -n), used instead of starting processes.
	Addresses []string `yaml:"addresses"`
	// RequestTimeout is how long Frog may take to answer one sentence
	// before its process is deemed hung and restarted; 0: 20s.
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// AnswerTimeout is how long an answer waits for the analysis of the
	// sentences it examines before answering without it; 0: 3s.
	AnswerTimeout time.Duration `yaml:"answer_timeout"`
}

// Frog modes.
const (
	FrogAuto = "auto"
	FrogOn   = "on"
	FrogOff  = "off"
)

// frogModules are the letters of Frog's --skip option.
const frogModules = "tlacmnp"

// EffectiveMode is Mode in lower case, FrogAuto when empty.
func (f Frog) EffectiveMode() string {
	if m := strings.ToLower(strings.TrimSpace(f.Mode)); m != "" {
		return m
	}
	return FrogAuto
}

// Validate reports the problems of the frog section. With mode on and no
// Addresses the frog program must be found (an explicit Bin, or frog on
// PATH).
func (f Frog) Validate() Problems {
	var ps Problems
	bad := func(key, format string, args ...any) {
		ps = append(ps, Problem{Key: key, Message: fmt.Sprintf(format, args...)})
	}
	mode := f.EffectiveMode()
	switch mode {
	case FrogAuto, FrogOn, FrogOff:
	default:
		bad("frog.mode", "%q is not a mode; use auto (Frog when it is installed), on (Frog required) or off", f.Mode)
	}
	if f.Processes < 0 {
		bad("frog.processes", "%d is negative; use 0 for the default of 1 (each process holds 1.3–1.9 GB)", f.Processes)
	}
	if f.Processes > 1 && len(f.Addresses) > 0 {
		bad("frog.processes", "is %d, but frog.addresses are used instead of starting processes (one per address); remove one of them", f.Processes)
	}
	if f.Connections < 0 {
		bad("frog.connections", "%d is negative; use 0 for the default of 2", f.Connections)
	}
	for _, r := range strings.ToLower(f.Skip) {
		if !strings.ContainsRune(frogModules, r) {
			bad("frog.skip", "%q: %q is not a Frog module; use letters of t, l, a, c, m, n, p (frog --skip), like p for no dependency parser", f.Skip, r)
			break
		}
	}
	for i, a := range f.Addresses {
		key := fmt.Sprintf("frog.addresses[%d]", i)
		host, port, err := net.SplitHostPort(a)
		if err != nil {
			bad(key, "%q is not host:port (%v); write it like 127.0.0.1:7001", a, err)
		} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || host == "" {
			bad(key, "%q needs a host and a port from 1 to 65535; write it like 127.0.0.1:7001", a)
		}
	}
	if f.RequestTimeout < 0 {
		bad("frog.request_timeout", "%v is negative; use 0 for the default of 20s", f.RequestTimeout)
	}
	if f.AnswerTimeout < 0 {
		bad("frog.answer_timeout", "%v is negative; use 0 for the default of 3s", f.AnswerTimeout)
	}
	if mode == FrogOn && len(f.Addresses) == 0 {
		bin := f.Bin
		if bin == "" {
			bin = "frog"
		}
		if _, err := exec.LookPath(bin); err != nil {
			key := "frog.mode"
			if f.Bin != "" {
				key = "frog.bin"
			}
			bad(key, "Frog is required (frog.mode: on) but the program %q is not found (%v); install the Debian packages frog and frogdata, set frog.bin, or use frog.mode: auto", bin, err)
		}
	}
	return ps
}

// Slack mirrors the Slack adapter's Config (adapters/slack), plus a _file
// key per secret. The adapter validates these keys when it starts.
type Slack struct {
	Mode              string `yaml:"mode"`
	BotToken          string `yaml:"bot_token" secret:"true"`
	BotTokenFile      string `yaml:"bot_token_file"`
	AppToken          string `yaml:"app_token" secret:"true"`
	AppTokenFile      string `yaml:"app_token_file"`
	SigningSecret     string `yaml:"signing_secret" secret:"true"`
	SigningSecretFile string `yaml:"signing_secret_file"`
	APIURL            string `yaml:"api_url"`
	BotUserID         string `yaml:"bot_user_id"`
}

// Matrix mirrors the Matrix adapter's Config (adapters/matrix), plus a
// _file key per secret. The adapter validates these keys when it starts.
type Matrix struct {
	Homeserver      string   `yaml:"homeserver"`
	UserID          string   `yaml:"user_id"`
	AccessToken     string   `yaml:"access_token" secret:"true"`
	AccessTokenFile string   `yaml:"access_token_file"`
	Password        string   `yaml:"password" secret:"true"`
	PasswordFile    string   `yaml:"password_file"`
	DeviceID        string   `yaml:"device_id"`
	CommandPrefix   string   `yaml:"command_prefix"`
	AutoJoin        []string `yaml:"auto_join"`
	Encryption      *bool    `yaml:"encryption"`
	PickleKey       string   `yaml:"pickle_key" secret:"true"`
	PickleKeyFile   string   `yaml:"pickle_key_file"`
}

// Platforms the configuration can name.
var platforms = []string{"console", "slack", "matrix"}

// ConsoleEnabled reports whether the console adapter runs: as configured,
// or, when unset, only without Slack and Matrix.
func (c *Config) ConsoleEnabled() bool {
	if c.Console != nil {
		return *c.Console
	}
	return c.Slack == nil && c.Matrix == nil
}

// EnabledPlatforms lists the adapters that run, in a fixed order.
func (c *Config) EnabledPlatforms() []string {
	var out []string
	if c.ConsoleEnabled() {
		out = append(out, "console")
	}
	if c.Slack != nil {
		out = append(out, "slack")
	}
	if c.Matrix != nil {
		out = append(out, "matrix")
	}
	return out
}

// HTTPAddr is the listener address: http.addr, or DefaultHTTPAddr when
// Slack's HTTP mode needs a listener; empty: no listener.
func (c *Config) HTTPAddr() string {
	if c.HTTP.Addr != "" {
		return c.HTTP.Addr
	}
	if c.Slack != nil && strings.EqualFold(strings.TrimSpace(c.Slack.Mode), "http") {
		return DefaultHTTPAddr
	}
	return ""
}

// LogValue implements slog.LogValuer: the settings an operator checks at
// start-up, with secrets shown only as set or not.
func (c *Config) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("articles_dir", c.ArticlesDir),
		slog.String("data_dir", c.DataDir),
		slog.Any("database", c.Database),
		slog.String("http_addr", c.HTTPAddr()),
		slog.Any("platforms", c.EnabledPlatforms()),
		slog.Int("custom_topics", len(c.Digest.Topics)),
		slog.Int("subscriptions", len(c.Digest.Subscriptions)),
		slog.Int("feeds", len(c.Feeds)),
		slog.Int("ingest_tokens", len(c.Ingest.Tokens)),
		slog.Group("frog", slog.String("mode", c.Frog.EffectiveMode()), slog.String("bin", c.Frog.Bin),
			slog.Int("processes", c.Frog.Processes), slog.Any("addresses", c.Frog.Addresses)),
		slog.String("answer_reader", c.Answer.EffectiveReader()),
	}
	if c.Answer.EffectiveReader() == ReaderLLM {
		attrs = append(attrs, slog.Any("llm", c.LLM))
	}
	if s := c.Slack; s != nil {
		attrs = append(attrs, slog.Group("slack",
			slog.String("mode", s.Mode), slog.String("api_url", s.APIURL), slog.String("bot_user_id", s.BotUserID),
			slog.Bool("bot_token_set", s.BotToken != ""), slog.Bool("app_token_set", s.AppToken != ""),
			slog.Bool("signing_secret_set", s.SigningSecret != "")))
	}
	if m := c.Matrix; m != nil {
		attrs = append(attrs, slog.Group("matrix",
			slog.String("homeserver", m.Homeserver), slog.String("user_id", m.UserID),
			slog.Bool("access_token_set", m.AccessToken != ""), slog.Bool("password_set", m.Password != ""),
			slog.Bool("pickle_key_set", m.PickleKey != "")))
	}
	return slog.GroupValue(attrs...)
}

// Problem is one thing wrong with the configuration.
type Problem struct {
	// Key is the setting's path ("slack.bot_token", "digest.subscriptions[2].cron")
	// or environment variable.
	Key string
	// Message says what is wrong and how to fix it.
	Message string
}

func (p Problem) Error() string { return p.Key + ": " + p.Message }

// Problems is every problem found, in file order where there is one.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find a single Problem and errors.Is compare them.
func (ps Problems) Unwrap() []error {
	out := make([]error, len(ps))
	for i, p := range ps {
		out[i] = p
	}
	return out
}

// Load reads the YAML file at path ("" means no file: defaults only),
// applies the BRIEFBOT_ variables of environ (os.Environ's format; a later
// entry wins over an earlier one with the same name), reads
// secret files and validates the result. The error, when not nil, is
// Problems listing every problem found; the returned Config is then as
// complete as the problems allowed, for callers that add their own checks.
func Load(path string, environ []string) (*Config, error) {
	c := &Config{}
	var ps Problems
	var fileMode fs.FileMode
	if path != "" {
		data, mode, err := readFile(path)
		if err != nil {
			return c, Problems{{Key: "--config", Message: fmt.Sprintf("cannot read the configuration file: %v", err)}}
		}
		fileMode = mode
		ps = append(ps, decode(data, c)...)
	}
	// secrets written in the file itself, before the environment and the
	// _file keys fill others in
	var inline []string
	for _, s := range c.secrets() {
		if *s.value != "" {
			inline = append(inline, s.path)
		}
	}
	if len(inline) > 0 && worldReadable(fileMode) {
		c.Warnings = append(c.Warnings, Problem{Key: "--config", Message: fmt.Sprintf(
			"%s holds %s and every user on this machine can read it (mode %04o); chmod 600 %s, or move the secrets to files or environment variables",
			path, strings.Join(inline, ", "), fileMode.Perm(), path)})
	}
	ps = append(ps, applyEnv(c, environ)...)
	ps = append(ps, c.readSecretFiles()...)
	ps = append(ps, c.Validate()...)
	if len(ps) > 0 {
		return c, ps
	}
	return c, nil
}

// decode parses data strictly into c: unknown keys and values of the wrong
// type are problems naming their key path. Decoding goes on past them, so
// all are reported.
func decode(data []byte, c *Config) Problems {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Problems{{Key: "--config", Message: fmt.Sprintf("not valid YAML: %v", strings.TrimPrefix(err.Error(), "yaml: "))}}
	}
	if len(root.Content) == 0 {
		return nil // an empty file: defaults
	}
	if doc := root.Content[0]; doc.Kind != yaml.MappingNode {
		return Problems{{Key: "--config", Message: fmt.Sprintf("line %d: the file must be a mapping of keys (like `log:`), not a %s", doc.Line, kindName(doc.Kind))}}
	}
	paths := map[int]string{}
	keyPaths(root.Content[0], "", paths)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(c)
	if err == nil || errors.Is(err, io.EOF) {
		return nil
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return Problems{{Key: "--config", Message: err.Error()}}
	}
	var ps Problems
	for _, msg := range te.Errors {
		ps = append(ps, typeProblem(msg, paths))
	}
	return ps
}

// keyPaths records, per line, the key path of the mapping key or sequence
// item that starts there.
func keyPaths(n *yaml.Node, prefix string, out map[int]string) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if prefix != "" {
				p = prefix + "." + k.Value
			}
			out[k.Line] = p
			if v.Line != k.Line {
				if _, ok := out[v.Line]; !ok {
					out[v.Line] = p
				}
			}
			keyPaths(v, p, out)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			p := fmt.Sprintf("%s[%d]", prefix, i)
			if _, ok := out[item.Line]; !ok || item.Kind == yaml.ScalarNode {
				out[item.Line] = p
			}
			keyPaths(item, p, out)
		}
	}
}

// typeProblem turns one of yaml.v3's "line N: …" messages into a Problem
// keyed by the path of line N.
func typeProblem(msg string, paths map[int]string) Problem {
	rest, line := msg, 0
	if after, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(after, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				line, rest = n, tail
			}
		}
	}
	key := paths[line]
	if key == "" {
		key = "--config"
	}
	where := fmt.Sprintf(" (line %d)", line)
	switch {
	case strings.HasPrefix(rest, "field ") && strings.Contains(rest, " not found in type "):
		name := strings.TrimPrefix(rest, "field ")
		name = name[:strings.Index(name, " not found in type ")]
		parent := ""
		if i := strings.LastIndex(key, "."); i >= 0 {
			parent = key[:i]
		}
		known := knownKeys(parent)
		hint := "remove it"
		if len(known) > 0 {
			hint = "remove it or use one of: " + strings.Join(known, ", ")
		}
		return Problem{Key: key, Message: fmt.Sprintf("unknown key %q%s; %s", name, where, hint)}
	case strings.Contains(rest, "into time.Duration"):
		val := rest
		if _, v, ok := strings.Cut(rest, "`"); ok {
			val, _, _ = strings.Cut(v, "`")
		}
		return Problem{Key: key, Message: fmt.Sprintf("%q is not a duration%s; write one like 90s, 15m or 6h", val, where)}
	default:
		return Problem{Key: key, Message: rest + where}
	}
}

// knownKeys lists the keys allowed under the mapping at path (dots, with
// [i] indexes ignored), or nil when path names no struct.
func knownKeys(path string) []string {
	t := reflect.TypeFor[Config]()
	if path != "" {
		for _, part := range strings.Split(path, ".") {
			if i := strings.Index(part, "["); i >= 0 {
				part = part[:i]
			}
			f, ok := fieldByTag(t, part)
			if !ok {
				return nil
			}
			t = f.Type
			for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
				t = t.Elem()
			}
		}
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for f := range t.Fields() {
		if tag := yamlName(f); tag != "" {
			out = append(out, tag)
		}
	}
	sort.Strings(out)
	return out
}

func fieldByTag(t reflect.Type, name string) (reflect.StructField, bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for f := range t.Fields() {
		if yamlName(f) == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func yamlName(f reflect.StructField) string {
	tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if tag == "-" {
		return ""
	}
	return tag
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "single value"
	default:
		return "document"
	}
}

// EnvName is the environment variable of a key path: "slack.bot_token" is
// BRIEFBOT_SLACK_BOT_TOKEN.
func EnvName(path string) string {
	r := strings.NewReplacer(".", "_", "-", "_")
	return "BRIEFBOT_" + strings.ToUpper(r.Replace(path))
}

// envSections are the prefixes under which an unknown variable is a problem.
var envSections = []string{"LOG", "HTTP", "ANSWER", "LLM", "DIGEST", "BOT", "FROG", "SLACK", "MATRIX", "DATABASE"}

// applyEnv sets every scalar field that has a BRIEFBOT_ variable in environ.
func applyEnv(c *Config, environ []string) Problems {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "BRIEFBOT_") {
			env[k] = v
		}
	}
	if len(env) == 0 {
		return nil
	}
	used := map[string]bool{}
	var ps Problems
	setEnvFields(reflect.ValueOf(c).Elem(), "", env, used, &ps)
	var unknown []string
	for k := range env {
		if used[k] {
			continue
		}
		for _, s := range envSections {
			if strings.HasPrefix(k, "BRIEFBOT_"+s+"_") {
				unknown = append(unknown, k)
				break
			}
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		ps = append(ps, Problem{Key: k, Message: "is not a setting; see config/example.yaml for the keys (BRIEFBOT_ + the key path in upper case, dots as underscores), or unset it"})
	}
	return ps
}

// setEnvFields walks v's yaml-tagged fields. A nil section pointer is
// allocated only when one of its variables is set.
func setEnvFields(v reflect.Value, prefix string, env map[string]string, used map[string]bool, ps *Problems) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name := yamlName(f)
		if name == "" {
			continue
		}
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		fv := v.Field(i)
		switch {
		case f.Type.Kind() == reflect.Struct:
			setEnvFields(fv, path, env, used, ps)
			continue
		case f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct:
			if !fv.IsNil() {
				setEnvFields(fv.Elem(), path, env, used, ps)
				continue
			}
			// Allocate the section only when one of its own variables is
			// set: an unknown one (a typo) must not turn it on.
			sec := reflect.New(f.Type.Elem())
			before := len(used)
			setEnvFields(sec.Elem(), path, env, used, ps)
			if len(used) > before {
				fv.Set(sec)
			}
			continue
		}
		key := EnvName(path)
		raw, ok := env[key]
		if !ok {
			continue
		}
		used[key] = true
		if err := setScalar(fv, raw); err != nil {
			*ps = append(*ps, Problem{Key: key, Message: fmt.Sprintf("%v (it sets %s)", err, path)})
		}
	}
}

var durationType = reflect.TypeFor[time.Duration]()

// setScalar parses raw into v: strings, booleans, numbers, durations and
// comma-separated lists of words. Records and maps are file-only.
func setScalar(v reflect.Value, raw string) error {
	if v.Type() == durationType {
		d, err := time.ParseDuration(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("%q is not a duration; write one like 90s, 15m or 6h", raw)
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(raw)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("%q is not true or false", raw)
		}
		v.SetBool(b)
	case reflect.Pointer:
		if v.Type().Elem().Kind() != reflect.Bool {
			return errors.New("cannot be set from the environment; set it in the file")
		}
		b, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("%q is not true or false", raw)
		}
		v.Set(reflect.ValueOf(&b))
	case reflect.Int:
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("%q is not a whole number", raw)
		}
		v.SetInt(int64(n))
	case reflect.Float64:
		x, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", raw)
		}
		v.SetFloat(x)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.String {
			return errors.New("cannot be set from the environment; set it in the file")
		}
		var words []string
		for w := range strings.SplitSeq(raw, ",") {
			if w = strings.TrimSpace(w); w != "" {
				words = append(words, w)
			}
		}
		v.Set(reflect.ValueOf(words))
	default:
		return errors.New("cannot be set from the environment; set it in the file")
	}
	return nil
}

// secretField is one secret and the key naming its file.
type secretField struct {
	path  string  // "slack.bot_token"
	value *string // the secret
	file  *string // the _file key
}

func (c *Config) secrets() []secretField {
	var out []secretField
	if s := c.Slack; s != nil {
		out = append(out,
			secretField{path: "slack.bot_token", value: &s.BotToken, file: &s.BotTokenFile},
			secretField{path: "slack.app_token", value: &s.AppToken, file: &s.AppTokenFile},
			secretField{path: "slack.signing_secret", value: &s.SigningSecret, file: &s.SigningSecretFile})
	}
	if m := c.Matrix; m != nil {
		out = append(out,
			secretField{path: "matrix.access_token", value: &m.AccessToken, file: &m.AccessTokenFile},
			secretField{path: "matrix.password", value: &m.Password, file: &m.PasswordFile},
			secretField{path: "matrix.pickle_key", value: &m.PickleKey, file: &m.PickleKeyFile})
	}
	out = append(out, c.databaseSecrets()...)
	out = append(out, c.llmSecrets()...)
	return append(out, c.feedSecrets()...)
}

// readSecretFiles fills each secret from its _file key (set in the file or
// as BRIEFBOT_…_FILE, which applyEnv already copied into the _file key).
func (c *Config) readSecretFiles() Problems {
	var ps Problems
	for _, s := range c.secrets() {
		if *s.file == "" {
			continue
		}
		if *s.value != "" {
			ps = append(ps, Problem{Key: s.path + "_file", Message: fmt.Sprintf("is set but %s has a value too (from the file or %s); keep only one", s.path, EnvName(s.path))})
			continue
		}
		data, mode, err := readFile(*s.file)
		if err != nil {
			ps = append(ps, Problem{Key: s.path + "_file", Message: fmt.Sprintf("cannot read the secret: %v", err)})
			continue
		}
		if worldReadable(mode) {
			c.Warnings = append(c.Warnings, Problem{Key: s.path + "_file", Message: fmt.Sprintf(
				"every user on this machine can read %s (mode %04o); chmod 600 %s (or 0400; for a Docker secret set mode: 0400 and uid: the container's user)",
				*s.file, mode.Perm(), *s.file)})
		}
		v := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
		if v == "" {
			ps = append(ps, Problem{Key: s.path + "_file", Message: fmt.Sprintf("%s is empty; put the secret in it", *s.file)})
			continue
		}
		*s.value = v
	}
	return ps
}

// readFile reads the file at path and returns its permission bits, from
// the file it read (after symbolic links, as Docker and Kubernetes mount
// secrets).
func readFile(path string) ([]byte, fs.FileMode, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, 0, err
	}
	return data, info.Mode(), nil
}

// worldReadable reports whether every user may read a file of this mode.
// Windows has no such bit: its files are never reported.
func worldReadable(mode fs.FileMode) bool {
	return runtime.GOOS != "windows" && mode.Perm()&0o004 != 0
}

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Validate reports the problems in the settings this package owns. The
// adapters' keys (slack.…, matrix.…) and the topics' term syntax are
// checked by their packages; cmd/briefbot's config check runs those too.
func (c *Config) Validate() Problems {
	var ps Problems
	bad := func(key, format string, args ...any) {
		ps = append(ps, Problem{Key: key, Message: fmt.Sprintf(format, args...)})
	}
	if c.ArticlesDir != "" {
		if fi, err := os.Stat(c.ArticlesDir); err != nil {
			bad("articles_dir", "%v; set it to a directory of articles, or remove it for the built-in samples", err)
		} else if !fi.IsDir() {
			bad("articles_dir", "%s is not a directory", c.ArticlesDir)
		}
	}
	if c.WatchDebounce < 0 {
		bad("watch_debounce", "%v is negative; use a duration like 500ms", c.WatchDebounce)
	}
	if c.ShutdownTimeout < 0 {
		bad("shutdown_timeout", "%v is negative; use a duration like 10s", c.ShutdownTimeout)
	}
	switch strings.ToLower(c.Log.Level) {
	case "", "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q is not a level; use debug, info, warn or error", c.Log.Level)
	}
	switch strings.ToLower(c.Log.Format) {
	case "", "text", "json":
	default:
		bad("log.format", "%q is not a format; use text or json", c.Log.Format)
	}
	if a := c.HTTP.Addr; a != "" {
		if _, port, err := net.SplitHostPort(a); err != nil {
			bad("http.addr", "%q is not host:port (%v); write it like :8080 or 127.0.0.1:8080", a, err)
		} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			bad("http.addr", "%q has no valid port; write it like :8080 or 127.0.0.1:8080", a)
		}
	}
	if m := c.Answer.MinConfidence; math.IsNaN(m) || m < 0 || m > 1 {
		bad("answer.min_confidence", "%v is outside 0..1; 0.4 is the default, higher abstains more often", m)
	}
	if !c.ConsoleEnabled() && c.Slack == nil && c.Matrix == nil {
		bad("console", "is false and neither slack nor matrix is configured: nothing would receive questions; turn one on")
	}

	d := c.Digest
	if d.TimeZone != "" {
		if _, err := time.LoadLocation(d.TimeZone); err != nil {
			bad("digest.time_zone", "%q is not an IANA time zone (%v); use one like Europe/Amsterdam", d.TimeZone, err)
		}
	}
	if d.DefaultCron != "" {
		if _, err := cronParser.Parse(d.DefaultCron); err != nil {
			bad("digest.default_cron", "%q is not a cron schedule (%v); use five fields like \"0 7 * * *\"", d.DefaultCron, err)
		}
	}
	if d.Limit < 0 {
		bad("digest.limit", "%d is negative; use 0 for the default of 10", d.Limit)
	}
	if d.MinInterval < 0 {
		bad("digest.min_interval", "%v is negative", d.MinInterval)
	}
	if d.Period < 0 {
		bad("digest.period", "%v is negative", d.Period)
	}
	topics := map[string]bool{}
	for i, t := range d.Topics {
		key := fmt.Sprintf("digest.topics[%d]", i)
		name := strings.ToLower(strings.TrimSpace(t.Name))
		switch {
		case name == "":
			bad(key+".name", "is empty; give the topic a one-word name like elections")
		case strings.ContainsAny(name, " \t"):
			bad(key+".name", "%q contains spaces; use one word such as %s", t.Name, strings.ReplaceAll(name, " ", "-"))
		case topics[name]:
			bad(key+".name", "%q is used twice; topic names must be unique", t.Name)
		}
		topics[name] = true
		if len(t.Terms) == 0 {
			bad(key+".terms", "is empty; list the words that mark an article as %q", t.Name)
		}
		if math.IsNaN(t.MinScore) || math.IsInf(t.MinScore, 0) || t.MinScore < 0 {
			bad(key+".min_score", "%v is not a number from 0; 0 is the default", t.MinScore)
		}
	}
	enabled := c.EnabledPlatforms()
	for i, s := range d.Subscriptions {
		key := fmt.Sprintf("digest.subscriptions[%d]", i)
		switch {
		case s.Platform == "":
			bad(key+".platform", "is empty; use one of %s", strings.Join(platforms, ", "))
		case !slices.Contains(platforms, s.Platform):
			bad(key+".platform", "%q is not a platform; use one of %s", s.Platform, strings.Join(platforms, ", "))
		case !slices.Contains(enabled, s.Platform):
			bad(key+".platform", "%s is not enabled; configure its section (or console: true) or remove the subscription", s.Platform)
		}
		if s.Conversation == "" {
			bad(key+".conversation", "is empty; give the Slack channel ID (C…), Matrix room ID (!…:server) or console")
		}
		if s.Topic == "" {
			bad(key+".topic", "is empty; name a topic such as interference")
		}
		if s.TimeZone != "" {
			if _, err := time.LoadLocation(s.TimeZone); err != nil {
				bad(key+".time_zone", "%q is not an IANA time zone (%v); use one like Europe/Amsterdam", s.TimeZone, err)
			}
		}
		if s.Cron != "" {
			if _, err := cronParser.Parse(s.Cron); err != nil {
				bad(key+".cron", "%q is not a cron schedule (%v); use five fields like \"0 7 * * 1-5\"", s.Cron, err)
			}
		}
	}

	b := c.Bot
	for i, p := range b.Prefixes {
		if p == "" || strings.ContainsAny(p, " \t\r\n") {
			bad(fmt.Sprintf("bot.prefixes[%d]", i), "%q must be one word without spaces, like !briefbot", p)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(b.Admins)) {
		if !slices.Contains(platforms, p) {
			bad("bot.admins."+p, "%q is not a platform; use one of %s", p, strings.Join(platforms, ", "))
		}
		for i, u := range b.Admins[p] {
			if strings.TrimSpace(u) == "" {
				bad(fmt.Sprintf("bot.admins.%s[%d]", p, i), "is empty; give a user ID (Slack U…, Matrix @user:server)")
			}
		}
	}
	for _, l := range []struct {
		key string
		lim RateLimit
	}{{"bot.user_limit", b.UserLimit}, {"bot.conversation_limit", b.ConversationLimit}} {
		if l.lim.Events > 0 && l.lim.Window <= 0 {
			bad(l.key+".window", "must be a positive duration like 1m when events is %d", l.lim.Events)
		}
		if l.lim.Window < 0 {
			bad(l.key+".window", "%v is negative", l.lim.Window)
		}
	}
	for i, p := range b.Unlimited {
		if !slices.Contains(platforms, p) {
			bad(fmt.Sprintf("bot.unlimited[%d]", i), "%q is not a platform; use one of %s", p, strings.Join(platforms, ", "))
		}
	}
	for _, v := range []struct {
		key string
		n   int
	}{{"bot.max_question_length", b.MaxQuestionLength}, {"bot.search_limit", b.SearchLimit}, {"bot.latest_limit", b.LatestLimit}} {
		if v.n < 0 {
			bad(v.key, "%d is negative; use 0 for the default", v.n)
		}
	}
	ps = append(ps, c.Frog.Validate()...)
	ps = append(ps, c.validateFeeds()...)
	ps = append(ps, c.validateDatabase()...)
	ps = append(ps, c.ValidateReader()...)
	return ps
}
