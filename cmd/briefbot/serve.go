package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/briefbot/briefbot/adapters/console"
	"github.com/briefbot/briefbot/adapters/matrix"
	"github.com/briefbot/briefbot/adapters/slack"
	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/scheduler"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/internal/leader"
	"github.com/briefbot/briefbot/internal/metrics"
	"github.com/briefbot/briefbot/internal/ops"
	"github.com/briefbot/briefbot/internal/store"
)

// Defaults of serve's timing settings.
const (
	defaultShutdownTimeout = 10 * time.Second
	defaultWatchDebounce   = 500 * time.Millisecond
	// stopGrace is how long after the shutdown timeout serve still waits
	// for components whose contexts were cancelled.
	stopGrace = 3 * time.Second
)

func serveCmd(g *globals) *cobra.Command {
	var f configFlags
	var watchDebounce time.Duration
	var frogMode string
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the bot: the configured chat adapters, the digest scheduler and the article watcher",
		Long: `Run the bot: the configured chat adapters (console, Slack, Matrix), the digest
scheduler and the article watcher, until SIGINT or SIGTERM. Without a
configuration it is the console bot on the built-in sample articles and ends
at the end of its input. With Frog installed (Debian packages frog and
frogdata; frog.mode) answers analyse the sentences they examine with it once
it has loaded, in the background. See config/example.yaml for every setting.`,
		Args: argsBetween(0, 0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			if watchDebounce < 0 {
				return usageError{cmd: "serve", err: fmt.Errorf("--watch-debounce %v: use a duration from 0, like 500ms", watchDebounce)}
			}
			cfg, err := g.resolveConfig(c, f)
			if err != nil {
				return usageError{cmd: "serve", err: fmt.Errorf("the configuration has problems (run briefbot config check for the list):\n%w", err)}
			}
			if c.Flags().Changed("watch-debounce") {
				cfg.WatchDebounce = watchDebounce
			}
			if c.Flags().Changed("frog") {
				cfg.Frog.Mode = frogMode
				if ps := cfg.Frog.Validate(); len(ps) > 0 {
					return usageError{cmd: "serve", err: fmt.Errorf("--frog %s: %w", frogMode, ps)}
				}
			}
			return g.serve(c.Context(), cfg)
		},
	}
	f.register(c)
	c.Flags().DurationVar(&watchDebounce, "watch-debounce", defaultWatchDebounce, "wait this long after the last change in --articles before reloading (overrides watch_debounce)")
	c.Flags().StringVar(&frogMode, "frog", "", "Dutch analysis with Frog: auto (when installed), on (required) or off (overrides frog.mode)")
	return c
}

// errInputClosed ends serve cleanly when the console's input ends and the
// console is the only adapter.
var errInputClosed = errors.New("console input closed")

// server is one serve run's wiring.
type server struct {
	g       *globals
	cfg     *config.Config
	log     *slog.Logger
	st      serveStore
	db      *dbMonitor
	lib     *briefings.Library
	answers bot.Briefings // what the bot asks: lib, or the language-model reader over it
	metrics *metrics.Metrics
	health  *ops.Health
	live    *liveParts // feeds, ingest API, library refreshes (feeds.go)
	// reloading serialises reloads: the one after opening a saved index
	// and the watcher's
	reloading sync.Mutex
}

// adapterRun is an enabled adapter; optional adapters may stop without
// stopping the server (the console after the end of its input, next to a
// chat platform).
type adapterRun struct {
	a        bot.Adapter
	optional bool
}

func (g *globals) serve(ctx context.Context, cfg *config.Config) error {
	log := g.configLogger(cfg)
	g.articles, g.data = cfg.ArticlesDir, cfg.DataDir
	log.Info("starting", "config", cfg)
	for _, w := range cfg.Warnings {
		log.Warn("configuration warning", "key", w.Key, "warning", w.Message)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m, err := metrics.New(reg, nil)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}

	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("data_dir: %w", err)
	}
	st, db, err := openServeStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("closing the database failed", "err", err)
		}
	}()

	// Frog loads in the background; answers use the built-in analysis
	// until it is ready. Closed (its processes killed) before the store.
	an := startAnalysis(ctx, cfg.Frog, st, log)
	defer an.Close()
	if err := m.Analysis(an.Stats); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}

	lib, err := briefings.NewLibrary(briefings.Options{
		Logger: log, MinConfidence: cfg.Answer.MinConfidence, Topics: libraryTopics(cfg),
		Location: mustZone(cfg.Digest.TimeZone), FreeDictDir: cfg.FreeDictDir,
		Analyzer: an.Analyzer(), AnalysisTimeout: cfg.Frog.AnswerTimeout,
		IndexDir: filepath.Join(cfg.DataDir, "index"),
	})
	if err != nil {
		return fmt.Errorf("article library: %w", err)
	}
	// the index saved by the last run answers at once; the articles are
	// read again in the background, and the index rebuilt only if they
	// changed
	opened, err := lib.OpenIndex(ctx)
	switch {
	case err != nil:
		log.Warn("the saved index cannot be used; it is rebuilt from the articles", "err", err)
	case !opened:
		log.Info("no saved index yet: answers start once the articles are indexed")
	}
	s := &server{g: g, cfg: cfg, log: log, st: st, db: db, lib: lib, answers: lib, metrics: m}
	if cfg.Answer.EffectiveReader() == config.ReaderLLM {
		r, err := newLLMReader(cfg.LLM, lib, log, true)
		if err != nil {
			return err
		}
		if err := m.LLM(r.Stats); err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		s.answers = r
		log.Info("answers: a language model reads the passages; its answers are verified, and the built-in reader answers when it fails",
			"llm", cfg.LLM)
	}

	adapters, mount, err := s.adapters()
	if err != nil {
		return err
	}
	components := []string{"scheduler"}
	for _, a := range adapters {
		components = append(components, a.a.Name())
		// Optional capability: adapters that count their reconnections.
		if r, ok := a.a.(interface{ Reconnects() uint64 }); ok {
			if err := m.Reconnects(a.a.Name(), r.Reconnects); err != nil {
				return fmt.Errorf("metrics: %w", err)
			}
		}
	}
	// the watcher joins /readyz once it has set up its watch (walking a
	// large directory takes seconds) or found it broken: the bot answers
	// meanwhile
	s.health = ops.NewHealth(components...)
	s.health.SetAnalysis(an.Report)
	s.health.SetDatabase(db.report)
	if err := m.Database(db.stats); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	if err := s.setupLive(mount); err != nil {
		return err
	}

	shutdown := cmp.Or(cfg.ShutdownTimeout, defaultShutdownTimeout)
	stopLog := context.AfterFunc(ctx, func() {
		log.Info("shutting down; a second signal exits at once", "reason", context.Cause(ctx), "shutdown_timeout", shutdown)
	})
	defer stopLog()
	grp, gctx := errgroup.WithContext(ctx)
	// hard ends shutdown-timeout after the group stops: replies and digests
	// in progress may finish until then.
	hard, hardCancel := context.WithCancel(context.WithoutCancel(ctx))
	defer hardCancel()
	stopHard := context.AfterFunc(gctx, func() { time.AfterFunc(shutdown, hardCancel) })
	defer stopHard()

	if addr := cfg.HTTPAddr(); addr != "" {
		srv, err := ops.Listen(ops.Options{Addr: addr, Health: s.health, Gatherer: reg, Logger: log, Mount: mount, ShutdownTimeout: shutdown})
		if err != nil {
			return err
		}
		log.Info("http listening", "addr", srv.Addr().String())
		grp.Go(func() error { return srv.Serve(gctx) })
	}

	grp.Go(func() error {
		if opened {
			s.metrics.ArticlesLoaded(lib.Len(), nil)
			s.health.ArticlesLoaded(lib.Len())
			grp.Go(func() error {
				if err := s.reload(gctx); err != nil && gctx.Err() == nil {
					log.Error("reading the articles again failed; the saved index keeps serving", "err", err)
				}
				return nil
			})
			return s.start(gctx, hard, grp, adapters, shutdown, nil)
		}
		// no saved index: chat starts now and says the articles are being
		// read; digests, the watcher and the live parts start once they are
		gate := newLoadingGate(s.answers, loadingWait)
		s.answers = gate
		loaded := make(chan struct{})
		if err := s.start(gctx, hard, grp, adapters, shutdown, loaded); err != nil {
			return err
		}
		if err := s.reload(gctx); err != nil {
			if ctx.Err() != nil {
				log.Warn("stop signal received while loading the articles; stopping without serving", "reason", context.Cause(ctx))
				return nil
			}
			if gctx.Err() != nil {
				return nil // another component failed: its error is the one
			}
			return err
		}
		gate.opened()
		close(loaded)
		return nil
	})

	done := make(chan error, 1)
	go func() { done <- grp.Wait() }()
	select {
	case err = <-done:
	case <-hard.Done():
		// The shutdown timeout has passed; give the components a moment
		// more to return after their contexts were cancelled, then stop
		// waiting: a hung component must not keep the process alive.
		select {
		case err = <-done:
		case <-time.After(stopGrace):
			log.Error("components did not stop in time; exiting anyway", "timeout", shutdown+stopGrace)
			return fmt.Errorf("shutdown: components still running %v after the stop signal", shutdown+stopGrace)
		}
	}
	log.Info("stopped")
	if err != nil && !errors.Is(err, errInputClosed) && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// start runs the bot, the adapters, the scheduler and the watcher in grp.
// When loaded is not nil, everything but the bot and the adapters waits
// until it is closed (the first article set is in).
func (s *server) start(ctx, hard context.Context, grp *errgroup.Group, adapters []adapterRun, shutdown time.Duration, loaded <-chan struct{}) error {
	waitLoaded := func() bool {
		if loaded == nil {
			return true
		}
		select {
		case <-loaded:
			return true
		case <-ctx.Done():
			return false
		}
	}
	cfg := s.cfg
	senders := map[string]bot.Sender{}
	ready := map[string]func() bool{} // digests wait for the adapter to connect
	for _, a := range adapters {
		senders[a.a.Name()] = s.metrics.DigestSender(a.a.Name(), a.a)
		if c, ok := a.a.(interface{ Connected() bool }); ok {
			ready[a.a.Name()] = c.Connected
		}
	}
	defCron := cmp.Or(cfg.Digest.DefaultCron, "0 7 * * *")
	var subs []bot.Subscription
	for _, sub := range cfg.Digest.Subscriptions {
		subs = append(subs, bot.Subscription{Platform: sub.Platform, Conversation: bot.ConversationID(sub.Conversation),
			Topic: sub.Topic, Cron: cmp.Or(sub.Cron, defCron), TimeZone: cmp.Or(sub.TimeZone, cfg.Digest.TimeZone), CreatedBy: "config"})
	}
	sched, err := scheduler.New(scheduler.Options{
		Store: s.st, Digester: s.lib, Logger: s.log, Senders: senders, Ready: ready, Subscriptions: subs,
		SkipEmpty: cfg.Digest.SkipEmpty, Grace: cfg.Digest.Grace, Limit: cfg.Digest.Limit,
		Location: mustZone(cfg.Digest.TimeZone), ShutdownTimeout: shutdown,
	})
	if err != nil {
		return fmt.Errorf("digest scheduler: %w", err)
	}
	var admins map[string][]bot.UserID
	for p, us := range cfg.Bot.Admins {
		if admins == nil {
			admins = map[string][]bot.UserID{}
		}
		for _, u := range us {
			admins[p] = append(admins[p], bot.UserID(u))
		}
	}
	b, err := bot.New(bot.Options{
		Briefings: s.metrics.Briefings(s.answers), Store: s.st, Logger: s.log, Scheduler: sched,
		Admins: admins, Prefixes: cfg.Bot.Prefixes, Unlimited: cfg.Bot.Unlimited,
		UserLimit:         bot.RateLimit{Events: cfg.Bot.UserLimit.Events, Window: cfg.Bot.UserLimit.Window},
		ConversationLimit: bot.RateLimit{Events: cfg.Bot.ConversationLimit.Events, Window: cfg.Bot.ConversationLimit.Window},
		MaxQuestionLen:    cfg.Bot.MaxQuestionLength, DefaultCron: defCron, DefaultTimeZone: cfg.Digest.TimeZone,
		MinDigestInterval: cfg.Digest.MinInterval, DigestPeriod: cfg.Digest.Period,
		SearchLimit: cfg.Bot.SearchLimit, LatestLimit: cfg.Bot.LatestLimit, DigestLimit: cfg.Digest.Limit,
		Feeds: s.botFeeds(),
	})
	if err != nil {
		return fmt.Errorf("bot: %w", err)
	}
	h := detached{next: s.metrics.Handler(b), hard: hard}

	grp.Go(func() error {
		if !waitLoaded() {
			return nil
		}
		s.health.Running("scheduler", false, nil)
		err := sched.Run(ctx)
		s.health.Stopped("scheduler", err)
		return err
	})
	onlyConsole := len(adapters) == 1 && adapters[0].a.Name() == "console"
	for _, a := range adapters {
		grp.Go(func() error { return s.runAdapter(ctx, a, h, onlyConsole) })
	}
	if cfg.ArticlesDir != "" {
		debounce := cmp.Or(cfg.WatchDebounce, defaultWatchDebounce)
		grp.Go(func() error {
			if !waitLoaded() {
				return nil
			}
			// a watch that breaks (the directory deleted) shows in /readyz
			// and the metrics until it works again
			status := func(err error) {
				s.metrics.ArticleWatch(err)
				if err != nil {
					s.health.Broken("watcher", err)
				} else {
					s.health.Running("watcher", false, nil)
				}
			}
			err := briefings.WatchDir(ctx, cfg.ArticlesDir, briefings.WatchOptions{Debounce: debounce, Logger: s.log, Status: status}, func(ctx context.Context) {
				if err := s.reload(ctx); err != nil {
					s.log.Error("reloading articles failed; still serving the previous set", "dir", cfg.ArticlesDir, "err", err)
				}
			})
			s.health.Stopped("watcher", err)
			return err
		})
	}
	grp.Go(func() error {
		if !waitLoaded() {
			return nil
		}
		s.runLive(ctx, grp)
		s.runDatabase(ctx, grp, sched)
		maintainStore(ctx, s.st, s.log, maintainEvery, time.Now)
		return nil
	})
	return nil
}

// runAdapter runs one adapter, keeping health and metrics current. The
// console's end of input stops the server when it is the only adapter.
func (s *server) runAdapter(ctx context.Context, ar adapterRun, h bot.Handler, onlyConsole bool) error {
	name := ar.a.Name()
	var ready func() bool
	if c, ok := ar.a.(interface{ Connected() bool }); ok {
		ready = c.Connected
	}
	if r, ok := ar.a.(interface {
		Connected() bool
		Leader() bool
	}); ok {
		// a standby replica is ready: another one leads the account
		ready = func() bool { return !r.Leader() || r.Connected() }
	}
	s.health.Running(name, ar.optional, ready)
	s.metrics.AdapterStarted(name)
	s.log.Info("adapter running", "adapter", name)
	err := ar.a.Run(ctx, h)
	s.metrics.AdapterStopped(name, err)
	s.health.Stopped(name, err)
	switch {
	case err != nil:
		return fmt.Errorf("%s adapter: %w", name, err)
	case ctx.Err() != nil:
		return nil
	case onlyConsole:
		return errInputClosed
	default:
		s.log.Info("adapter stopped; the others keep running", "adapter", name)
		return nil
	}
}

// adapters creates the enabled adapters and the HTTP handlers they mount.
func (s *server) adapters() ([]adapterRun, map[string]http.Handler, error) {
	cfg := s.cfg
	var out []adapterRun
	mount := map[string]http.Handler{}
	chat := cfg.Slack != nil || cfg.Matrix != nil
	if cfg.ConsoleEnabled() {
		out = append(out, adapterRun{a: console.New(s.g.stdin, s.g.stdout, s.log), optional: chat})
	}
	if cfg.Slack != nil {
		a, err := slack.New(slackConfig(cfg.Slack), slack.Options{
			Logger: s.log,
			// replicas answer a message delivered twice once, through the
			// shared store's event claims
			SharedState: cfg.Database.Shared(),
			Feedback: func(ctx context.Context, ref string, user bot.UserID, helpful bool) error {
				return s.st.RecordFeedback(ctx, "slack", ref, user, helpful, time.Now())
			},
		})
		if err != nil {
			return nil, nil, err
		}
		if strings.EqualFold(strings.TrimSpace(cfg.Slack.Mode), slack.ModeHTTP) {
			mount["/slack/"] = a.HTTPHandler()
		}
		out = append(out, adapterRun{a: a})
	}
	if cfg.Matrix != nil {
		opts := matrix.Options{Logger: s.log, DataDir: filepath.Join(cfg.DataDir, "matrix"), State: s.st}
		if !cfg.Database.Shared() {
			a, err := matrix.New(matrixConfig(cfg.Matrix), opts)
			if err != nil {
				return nil, nil, err
			}
			out = append(out, adapterRun{a: a})
		} else {
			// Replicas share the account: one of them, elected through the
			// database, syncs and answers; the others stand by. The
			// encryption store is in the database too.
			opts.DatabaseURL = cfg.Database.URL
			name := "matrix:" + cfg.Matrix.UserID
			el, err := leader.New(cfg.Database.URL, name, leader.Options{Logger: s.log, OnChange: func(lead bool) {
				if lead {
					s.log.Info("this replica leads the Matrix account now: it syncs and answers", "account", cfg.Matrix.UserID)
				} else {
					s.log.Info("this replica stands by for the Matrix account: another one syncs", "account", cfg.Matrix.UserID)
				}
			}})
			if err != nil {
				return nil, nil, err
			}
			a, err := matrix.NewReplica(matrixConfig(cfg.Matrix), opts, el)
			if err != nil {
				return nil, nil, err
			}
			out = append(out, adapterRun{a: a})
		}
	}
	return out, mount, nil
}

// reload reads the articles, stores them (keeping when each was first
// added) and gives the stored set to the library. A failure leaves both as
// they were.
func (s *server) reload(ctx context.Context) error {
	s.reloading.Lock()
	defer s.reloading.Unlock()
	err := s.load(ctx)
	s.metrics.ArticlesLoaded(s.lib.Len(), err)
	if err == nil {
		s.health.ArticlesLoaded(s.lib.Len())
	}
	return err
}

func (s *server) load(ctx context.Context) error {
	stats, skipped, err := s.syncDirectory(ctx)
	if err != nil {
		return err
	}
	// the library gets the directory's articles and those of feeds and
	// the ingest API (feeds.go), read back from the store
	if err := s.live.refresher.Refresh(ctx); err != nil {
		return err
	}
	s.log.Info("articles loaded", "articles", s.lib.Len(), "skipped_files", skipped,
		"added", stats.Added, "updated", stats.Updated, "removed", stats.Removed)
	return nil
}

// syncDirectory reads the article directory (or the samples) into the
// store. The articles read are gone when it returns, before the library
// makes its own copy from the store.
func (s *server) syncDirectory(ctx context.Context) (stats store.SyncStats, skipped int, err error) {
	opts := briefings.LoadOptions{Logger: s.log}
	var res briefings.LoadResult
	s.log.Info("loading articles", "dir", cmp.Or(s.cfg.ArticlesDir, "(built-in samples)"))
	if s.cfg.ArticlesDir == "" {
		res, err = briefings.LoadFS(ctx, briefings.SampleFS(), opts)
	} else {
		res, err = briefings.LoadDir(ctx, s.cfg.ArticlesDir, opts)
	}
	if err != nil {
		return stats, 0, err
	}
	stats, err = s.st.SyncArticles(ctx, s.g.collection(), res.Articles, time.Now())
	return stats, len(res.Skipped), err
}

// detached lets a message being handled finish after the adapter's context
// ends (shutdown), until hard ends: replies in progress are sent, not cut.
type detached struct {
	next bot.Handler
	hard context.Context
}

func (d detached) HandleMessage(ctx context.Context, from bot.Sender, m bot.Message) {
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(d.hard, cancel)
	defer stop()
	d.next.HandleMessage(hctx, from, m)
}

// mustZone loads a time zone the configuration already validated; "" is UTC.
func mustZone(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}
