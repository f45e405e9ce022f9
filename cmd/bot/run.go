package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/bot/console"
	"github.com/todoku/todoku/bot/handlers"
	"github.com/todoku/todoku/bot/line"
	"github.com/todoku/todoku/bot/telegram"
	"github.com/todoku/todoku/bot/web"
	"github.com/todoku/todoku/metrics"
	"github.com/todoku/todoku/poller"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/store/boltstore"
	"github.com/todoku/todoku/store/redisstore"
	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/sandbox"
	"github.com/todoku/todoku/tracker/sources/seventeentrack"
)

const usage = `Todoku tracks AliExpress parcels in LINE, Telegram and a local playground.

Usage:
  bot                   serve the bot (playground at http://localhost:8080/)
  bot chat              chat with the bot on this terminal
  bot detect TEXT...    print the tracking numbers found in each TEXT, one JSON object per line
  bot parse --source NAME FILE...
                        print the normalized events of a saved carrier answer as JSON
  bot check [--json] NUMBER...
                        fetch each number once from the carriers and print its timeline
  bot intent [--json] TEXT...
                        print what each TEXT asks for (intent, language, numbers, parcel) as JSON
  bot config            print the effective configuration, secrets redacted
  bot help              show this help

Configuration comes from TODOKU_* environment variables; see the README.
`

// run is the whole program; main only calls it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "detect":
		return detect(args, stdout, stderr)
	case "config":
		cfg, err := loadConfig(getenv)
		if err != nil {
			fmt.Fprintf(stderr, "bot: %v\n", err)
			return 2
		}
		for _, kv := range cfg.redacted() {
			fmt.Fprintf(stdout, "%s=%s\n", kv[0], kv[1])
		}
		return 0
	case "parse":
		return parseCmd(args, stdout, stderr)
	case "intent":
		return intentCmd(args, stdout, stderr)
	case "check":
		return checkCmd(ctx, args, stdout, stderr, getenv)
	case "serve", "chat":
	default:
		fmt.Fprintf(stderr, "bot: unknown command %q\n\n%s", cmd, usage)
		return 2
	}

	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "bot: %v\n", err)
		return 2
	}
	logOut := stderr
	if cmd == "chat" {
		// The terminal is the chat; only problems are worth printing there.
		cfg.LogLevel = max(cfg.LogLevel, slog.LevelWarn)
	}
	log := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: cfg.LogLevel}))

	a, err := newApp(ctx, cfg, log, time.Now)
	if err != nil {
		fmt.Fprintf(stderr, "bot: %v\n", err)
		return 1
	}
	defer a.close()
	if cmd == "chat" {
		err = a.chat(ctx, stdin, stdout, langHint(getenv))
	} else {
		err = a.serve(ctx)
	}
	if err != nil {
		fmt.Fprintf(stderr, "bot: %v\n", err)
		return 1
	}
	return 0
}

// app is the wired bot: store, poller, router, metrics.
type app struct {
	cfg     config
	log     *slog.Logger
	now     func() time.Time
	store   store.Store
	poller  *poller.Poller
	router  *bot.Router
	sources []tracker.Source
	metrics *metrics.Metrics
	// durations are measured from delivered shipments and shared by the
	// answers' advice and the cards' estimates.
	durations tracker.Durations
	// replica names this process among those sharing the store: its
	// outbox consumer and its poll lease holder.
	replica string
}

func newApp(ctx context.Context, cfg config, log *slog.Logger, now func() time.Time) (*app, error) {
	var st store.Store
	var err error
	if cfg.RedisURL != "" {
		var opts []redisstore.Option
		if cfg.RedisPrefix != "" {
			opts = append(opts, redisstore.WithPrefix(cfg.RedisPrefix))
		}
		st, err = redisstore.Open(ctx, cfg.RedisURL, opts...)
	} else {
		st, err = boltstore.Open(cfg.DBPath)
	}
	if err != nil {
		return nil, err
	}
	var sources []tracker.Source
	if cfg.Sandbox {
		sources = append(sources, sandbox.New(sandbox.Options{Now: now, Speed: cfg.SandboxSpeed}))
	}
	carriers, err := openSources(cfg.Sources, log)
	if err != nil {
		st.Close()
		return nil, err
	}
	sources = append(sources, carriers...)
	m := metrics.New(metrics.Options{Store: st, Now: now, Logger: log, Runtime: true})
	for _, src := range sources {
		m.Sources(src.Name())
	}
	p := poller.New(poller.Config{Store: st, Sources: sources, Now: now, Logger: log,
		Observe: m.Poll, ObserveError: m.SourceError})
	r := bot.NewRouter(st, now, log)
	r.DefaultLevel(line.Platform, store.LevelKey) // LINE's free plan counts every push
	h := &handlers.Handlers{Store: st, Checker: p, Logger: log,
		Durations: &handlers.MeasuredDurations{Store: st, Logger: log}}
	h.Register(r)
	return &app{cfg: cfg, log: log, now: now, store: st, poller: p, router: r, sources: sources, metrics: m,
		durations: h.Durations, replica: replicaID()}, nil
}

func (a *app) close() {
	if err := a.store.Close(); err != nil {
		a.log.Error("Could not close the store.", slog.Any("error", err))
	}
}

// loops runs the poller and the dispatcher d until ctx is done, and
// returns a function that waits for both to finish.
func (a *app) loops(ctx context.Context, d *bot.Dispatcher) (wait func()) {
	var wg sync.WaitGroup
	wg.Go(func() { _ = a.poller.Run(ctx) })
	wg.Go(func() { _ = d.Run(ctx) })
	return wg.Wait
}

// dispatcher delivers the outbox through platforms.
func (a *app) dispatcher(platforms ...bot.Platform) *bot.Dispatcher {
	for _, p := range platforms {
		a.metrics.Platforms(p.Name())
	}
	return bot.NewDispatcher(bot.DispatcherConfig{Store: a.store, Platforms: platforms, Now: a.now, Logger: a.log, Durations: a.durations,
		Observe: a.metrics.Send, Consumer: a.replica, Lease: a.cfg.OutboxLease})
}

// seenFor is how long an update's or event's ID is remembered against
// redelivery: longer than the platforms go on redelivering.
const seenFor = 48 * time.Hour

// quotaEvery is how often the metrics look at the LINE adapter's quota reading.
const quotaEvery = 5 * time.Minute

// watchQuota reports LINE's pushes left this month to the metrics until
// ctx is done.
func (a *app) watchQuota(ctx context.Context, l *line.LINE) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// The adapter's own cached reading: no second quota reader.
		switch left, limited, known := l.QuotaLeft(ctx); {
		case !known:
		case !limited:
			a.metrics.SetQuotaLeft(line.Platform, -1)
		default:
			a.metrics.SetQuotaLeft(line.Platform, left)
		}
		t.Reset(quotaEvery)
	}
}

// serve runs the HTTP server (playground, webhooks, health, metrics), the chat
// platforms that are configured and the loops.
func (a *app) serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("unable to listen on %s (set %s to change it): %w", a.cfg.HTTPAddr, envHTTPAddr, err)
	}
	playground := web.New(a.router.Handle, a.log)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.Handle("GET /metrics", a.metrics.Handler())
	for _, src := range a.sources {
		if st, ok := src.(*seventeentrack.Source); ok {
			mux.Handle("/17track/webhook", st.WebhookHandler(a.poller.Ingest, a.log))
		}
	}
	platforms := []bot.Platform{playground}
	seen := func(ctx context.Context, key string) (bool, error) { return a.store.FirstSeen(ctx, key, seenFor) }

	var tg *telegram.Telegram
	if a.cfg.TelegramToken != "" {
		tg, err = telegram.New(telegram.Options{Token: a.cfg.TelegramToken, APIURL: a.cfg.TelegramAPI,
			WebhookURL: a.cfg.TelegramWebhook, WebhookSecret: a.cfg.TelegramSecret, Logger: a.log, FirstSeen: seen,
			Limiter: telegram.SharedLimiter(a.store.Pace)}, a.router.Handle) // limits shared by every replica
		if err != nil {
			return fmt.Errorf("telegram: %w", err)
		}
		mux.Handle("/telegram/webhook", tg.WebhookHandler())
		platforms = append(platforms, tg)
	}
	var lineBot *line.LINE
	var d *bot.Dispatcher // made below, once every platform exists
	if a.cfg.LineSecret != "" {
		fold := func(ctx context.Context, chatID string, max int) ([]bot.Message, func(bool)) {
			return d.Fold(ctx, store.ChatKey{Platform: line.Platform, ID: chatID}, max) // replies are free
		}
		lineBot, err = line.New(line.Options{ChannelSecret: a.cfg.LineSecret, ChannelToken: a.cfg.LineToken,
			APIURL: a.cfg.LineAPI, Logger: a.log, Seen: seen, Now: a.now, Pending: fold,
			SeenMany: func(ctx context.Context, keys []string) ([]bool, error) {
				return a.store.FirstSeenMany(ctx, keys, seenFor) // a worker's queued events in one round trip
			}}, a.router.Handle)
		if err != nil {
			return fmt.Errorf("line: %w", err)
		}
		mux.Handle("/line/webhook", lineBot.WebhookHandler())
		platforms = append(platforms, lineBot)
	}
	mux.Handle("/", playground)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	d = a.dispatcher(platforms...)
	loopCtx, stopLoops := context.WithCancel(ctx)
	defer stopLoops()
	wait := a.loops(loopCtx, d)
	var intake sync.WaitGroup
	if tg != nil {
		intake.Go(func() {
			if err := tg.SetCommands(loopCtx); err != nil && loopCtx.Err() == nil {
				a.log.Warn("Could not set the Telegram command menus.", slog.Any("error", err))
			}
		})
		receive := func(ctx context.Context) {
			if err := tg.Run(ctx); err != nil && ctx.Err() == nil {
				a.log.Error("Telegram stopped.", slog.Any("error", err))
			}
		}
		if a.cfg.TelegramWebhook != "" {
			intake.Go(func() { receive(loopCtx) })
		} else { // Telegram serves one long-poller: the replica holding the lease
			intake.Go(func() { newLeased(a.store, pollLease, a.replica, a.cfg.PollLease, a.log).run(loopCtx, receive) })
		}
	}
	if lineBot != nil {
		intake.Go(func() { a.watchQuota(loopCtx, lineBot) })
	}

	a.log.Info("Todoku is running.", slog.String("playground", playgroundURL(ln.Addr())),
		slog.Bool("sandbox", a.cfg.Sandbox), slog.String("store", a.storeName()),
		slog.Bool("telegram", tg != nil), slog.Bool("line", lineBot != nil))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	a.log.Info("Shutting down.")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	playground.Close() // ends event streams so Shutdown need not wait for them
	if serr := srv.Shutdown(shutCtx); serr != nil && err == nil {
		err = serr
	}
	if lineBot != nil {
		if serr := lineBot.Shutdown(shutCtx); serr != nil {
			a.log.Warn("LINE did not drain in time.", slog.Any("error", serr))
		}
	}
	stopLoops()
	intake.Wait()
	wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// health is the /healthz answer.
type health struct {
	Status  string                `json:"status"` // "ok", "degraded" (a source fails) or "down" (no store)
	Store   string                `json:"store"`  // "ok" or "unreachable"
	Sources []poller.SourceHealth `json:"sources"`
}

// healthz answers 200 while the store is reachable, even when carrier
// sources fail (restarting the bot would not mend them), and 503 when not.
func (a *app) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	h := health{Status: "ok", Store: "ok", Sources: a.poller.Health()}
	for _, s := range h.Sources {
		if !s.OK {
			h.Status = "degraded"
		}
	}
	code := http.StatusOK
	if _, err := a.store.Shipment(ctx, "healthz"); err != nil && !errors.Is(err, store.ErrNotFound) {
		a.log.Warn("Health check could not reach the store.", slog.Any("error", err))
		h.Status, h.Store, code = "down", "unreachable", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(h)
}

// chat runs the console chat and the loops.
func (a *app) chat(ctx context.Context, in io.Reader, out io.Writer, lang string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := console.New(out, lang)
	wait := a.loops(ctx, a.dispatcher(c))
	defer wait()
	defer cancel()
	return c.Run(ctx, in, a.router.Handle)
}

func (a *app) storeName() string {
	if a.cfg.RedisURL != "" {
		return "redis"
	}
	return a.cfg.DBPath
}

func playgroundURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil || host == "::" || host == "0.0.0.0" || host == "" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// langHint turns $LANG ("ja_JP.UTF-8") into a BCP 47 hint ("ja-JP").
func langHint(getenv func(string) string) string {
	for _, name := range []string{"TODOKU_LANG", "LC_ALL", "LANG"} {
		if v := getenv(name); v != "" && v != "C" && v != "POSIX" {
			v, _, _ = strings.Cut(v, ".")
			return strings.ReplaceAll(v, "_", "-")
		}
	}
	return ""
}
