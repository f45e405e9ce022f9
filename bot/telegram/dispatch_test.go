package telegram

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/store/boltstore"
	"github.com/todoku/todoku/store/redisstore"
	"github.com/todoku/todoku/tracker"
)

// The figures of the dispatcher against the Bot API's limits take
// minutes (100,000 notifications at 30 a second take 56); they run only
// when asked, with TODOKU_TEST_REDIS_URL set to run them on Redis:
//
//	go test ./bot/telegram -run TestDispatchFigures/overall -dispatch.figures -v -timeout 3h
//	go test ./bot/telegram -run TestDispatchFigures/delay -dispatch.figures -dispatch.load 3m -v
//
// -dispatch.scale speeds every limit up for a quicker look, but the fake
// still asks for at least a real second after a 429 and the timers'
// jitter does not scale: beyond a few times the real rates it measures
// the machine more than the dispatcher.
var (
	figures       = flag.Bool("dispatch.figures", false, "measure the dispatcher against the Bot API's limits")
	figureScale   = flag.Float64("dispatch.scale", 1, "speed-up of every limit (and of the fake that enforces them)")
	figureN       = flag.Int("dispatch.n", 100000, "notifications drained in the overall-limit run")
	figureChats   = flag.Int("dispatch.chats", 10000, "chats in the overall-limit run, a hundredth of them groups")
	figureReal    = flag.Duration("dispatch.real", 30*time.Second, "length of the run at the real limits")
	figureLimiter = flag.String("dispatch.limiter", "shared", "limiter: shared (through the store's Pace, as deployed) or memory")
	figureWorkers = flag.Int("dispatch.workers", 16, "dispatcher workers")
	figureBatch   = flag.Int("dispatch.batch", 100, "notifications the dispatcher claims at once")
	figureLoad    = flag.Duration("dispatch.load", 30*time.Second, "how long load is offered at 80% of the ceiling in the delay run")
	figureEvery   = flag.Duration("dispatch.progress", time.Minute, "how often a long drain logs its progress")
)

// rig is the dispatcher, the Telegram adapter and a store, pushing to a
// fake Bot API that enforces lim.
type rig struct {
	st    store.Store
	f     *fakeAPI
	tg    *Telegram
	lim   Limits
	d     *bot.Dispatcher
	chats []int64
	now   time.Time
	moves atomic.Int64

	mu      sync.Mutex
	written map[int64][]written // per chat, in outbox order
}

// written is a notification as it went into the outbox.
type written struct {
	header string // the push's first line
	at     time.Time
}

type rigConfig struct {
	lim     Limits
	shared  bool // pace through the store, as deployed; else the in-process limiter
	private int  // private chats
	groups  int
	workers int
	batch   int
}

func openStore(t testing.TB) store.Store {
	t.Helper()
	if url := os.Getenv("TODOKU_TEST_REDIS_URL"); url != "" {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		st, err := redisstore.Open(context.Background(), url, redisstore.WithPrefix("dispatch-"+hex.EncodeToString(b)+":"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newRig(t testing.TB, cfg rigConfig) *rig {
	t.Helper()
	st := openStore(t)
	f := newFakeAPI(t, testToken, nil)
	f.limits, f.light = cfg.lim, true
	limiter := cfg.lim.Limiter()
	if cfg.shared {
		limiter = cfg.lim.Shared(st.Pace)
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * cfg.workers}}
	tg, err := New(Options{Token: testToken, APIURL: f.URL(), Limiter: limiter, HTTP: hc},
		func(context.Context, bot.Update) []bot.Message { return nil })
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{st: st, f: f, tg: tg, lim: cfg.lim, now: time.Now(), written: map[int64][]written{}}
	ctx := context.Background()
	for i := range cfg.private + cfg.groups {
		id := int64(1000 + i)
		if i >= cfg.private {
			id = -1000000 - int64(i)
		}
		r.chats = append(r.chats, id)
		err := st.SaveChat(ctx, store.Chat{Key: store.ChatKey{Platform: Platform, ID: idString(id)}, Lang: i18n.English, Level: store.LevelStages})
		if err != nil {
			t.Fatal(err)
		}
	}
	logger := slog.New(slog.DiscardHandler)
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	r.d = bot.NewDispatcher(bot.DispatcherConfig{Store: st, Platforms: []bot.Platform{tg}, Workers: cfg.workers, Batch: cfg.batch, Logger: logger})
	return r
}

// follow makes every chat follow perChat numbers, each number followed by
// subs chats; it returns the numbers.
func (r *rig) follow(t testing.TB, perChat, subs int) []string {
	t.Helper()
	ctx := context.Background()
	numbers := make([]string, len(r.chats)*perChat/subs)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("LP%014d", i)
	}
	for i, id := range r.chats {
		for j := range perChat {
			n := numbers[(i*perChat+j)/subs]
			sub := store.Subscription{Chat: store.ChatKey{Platform: Platform, ID: idString(id)}, Number: n, CreatedAt: r.now}
			if _, _, _, err := r.st.Subscribe(ctx, sub, tracker.Shipment{Number: n, Since: r.now}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return numbers
}

// journey is the stages the numbers move through, one change at a time.
var journey = []tracker.Stage{tracker.StageInfoReceived, tracker.StagePickedUp, tracker.StageAtSortingCenter,
	tracker.StageExportCustoms, tracker.StageDepartedOrigin, tracker.StageInTransit, tracker.StageArrivedDestination,
	tracker.StageImportCustoms, tracker.StageHandedToLastMile, tracker.StageOutForDelivery}

// move commits number's move to stage through the store's normal path
// (claim, commit), which writes one notification per subscriber, and
// notes what each subscriber is to receive.
func (r *rig) move(t testing.TB, number string, stage tracker.Stage) {
	t.Helper()
	ctx := context.Background()
	old, err := r.st.Shipment(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	subs, err := r.st.Subscribers(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	c, err := r.st.ClaimNumber(ctx, number, now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	// Events a minute apart on the parcel's clock, so each one is the newest.
	evAt := r.now.Add(time.Duration(r.moves.Add(1)) * time.Minute)
	ev := tracker.Event{Time: evAt, Text: "moved to " + stage.String(), Stage: stage, Source: "test"}
	snap, change := tracker.Apply(old, tracker.Result{Number: number, Events: []tracker.Event{ev}}, now)
	p := i18n.For(i18n.English)
	header := p.T("push.stage", number, bot.StageName(p, stage))
	r.mu.Lock()
	for _, k := range subs {
		id, _ := strconv.ParseInt(k.ID, 10, 64)
		r.written[id] = append(r.written[id], written{header: header, at: now})
	}
	r.mu.Unlock()
	if err := r.st.Commit(ctx, c, snap, change, now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
}

// result is what the fake received.
type result struct {
	sent     int
	rate     float64 // messages a second, first to last arrival
	floods   int     // 429s the fake answered
	delays   []time.Duration
	misorder int // chats whose pushes arrived out of outbox order or incomplete
}

// check compares what the fake received with what was written.
func (r *rig) check() result {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	res := result{sent: len(r.f.sent), floods: r.f.floods}
	if n := len(r.f.sent); n > 1 {
		first, last := r.f.sent[0].at, r.f.sent[0].at
		for _, s := range r.f.sent {
			if s.at.Before(first) {
				first = s.at
			}
			if s.at.After(last) {
				last = s.at
			}
		}
		res.rate = float64(n-1) / last.Sub(first).Seconds()
	}
	got := map[int64][]sentMessage{}
	for _, s := range r.f.sent {
		got[s.chat] = append(got[s.chat], s)
	}
	for chat, ws := range r.written {
		ss := got[chat]
		if len(ss) != len(ws) {
			res.misorder++
			continue
		}
		for i, w := range ws {
			if !strings.HasPrefix(ss[i].text, w.header) {
				res.misorder++
				break
			}
			res.delays = append(res.delays, ss[i].at.Sub(w.at))
		}
	}
	slices.Sort(res.delays)
	return res
}

func (r *rig) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, ws := range r.written {
		n += len(ws)
	}
	return n
}

// drain runs the dispatcher until the fake has received want messages or
// the deadline passes.
func (r *rig) drain(t testing.TB, want int, deadline time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.d.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	end := time.Now().Add(deadline)
	progress := time.Now().Add(*figureEvery)
	for {
		r.f.mu.Lock()
		n := len(r.f.sent)
		r.f.mu.Unlock()
		if n >= want {
			return
		}
		if *figures && time.Now().After(progress) {
			progress = progress.Add(*figureEvery)
			r.progress(t)
		}
		if time.Now().After(end) {
			t.Errorf("the fake received %d of %d messages in %v", n, want, deadline)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// progress logs how far a long drain has got: messages received, the
// rate since the first and over the last minute, and 429s so far.
func (r *rig) progress(t testing.TB) {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	n := len(r.f.sent)
	if n < 2 {
		return
	}
	first, last := r.f.sent[0].at, r.f.sent[n-1].at
	recent := 0
	for i := n - 1; i >= 0 && last.Sub(r.f.sent[i].at) < time.Minute; i-- {
		recent++
	}
	t.Logf("progress: %d received, %.2f/s since the first (ratio %.4f), %d in the last minute, %d 429s (%v); load %s",
		n, float64(n-1)/last.Sub(first).Seconds(), float64(n-1)/last.Sub(first).Seconds()/r.lim.Ceiling(), recent, r.f.floods, r.f.floodsBy, loadAverage())
}

// loadAverage is the machine's load average, when it tells.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return ds[min(len(ds)-1, int(q*float64(len(ds))))]
}

// TestDispatchKeepsTelegramLimits drains notifications of many chats, a
// few of them groups, at the real limits through the real dispatcher,
// adapter and store: every push arrives, in order per chat, and the fake
// never has to answer 429.
//
// It runs with the in-process limiter and with the shared one, paced
// through the store as deployed.
func TestDispatchKeepsTelegramLimits(t *testing.T) {
	for _, shared := range []bool{false, true} {
		t.Run(map[bool]string{false: "memory", true: "shared"}[shared], func(t *testing.T) {
			// The real limits: scaled ones leave the limiter a margin too
			// small for the scheduling delays of a busy machine under -race.
			lim := DefaultLimits()
			r := newRig(t, rigConfig{lim: lim, shared: shared, private: 45, groups: 5, workers: 16, batch: 20})
			numbers := r.follow(t, 1, 5)
			for _, s := range journey[:2] {
				for _, n := range numbers {
					r.move(t, n, s)
				}
			}
			r.drain(t, r.total(), 20*time.Second)
			res := r.check()
			if res.floods != 0 || r.tg.Floods() != 0 {
				t.Errorf("the fake answered 429 %d times %v (the adapter counted %d); want none", res.floods, r.f.floodsBy, r.tg.Floods())
			}
			if res.misorder != 0 {
				t.Errorf("%d chats got their pushes out of order or incomplete", res.misorder)
			}
			t.Logf("%d messages at %.1f/s, %.0f%% of the ceiling", res.sent, res.rate, 100*res.rate/lim.Ceiling())
		})
	}
}

// TestDispatchFigures measures the dispatcher's throughput against the
// overall limit (many chats) and against the per-chat limit (few chats),
// scaled, and at the real limits, and the delay from outbox write to
// arrival at 80% of the ceiling.
func TestDispatchFigures(t *testing.T) {
	if !*figures {
		t.Skip("figures run with -dispatch.figures")
	}
	shared := *figureLimiter == "shared"
	report := func(t *testing.T, r *rig, ceiling float64) {
		res := r.check()
		t.Logf("limiter=%s store=%T sent=%d rate=%.2f/s ceiling=%.1f/s ratio=%.4f fake429=%d adapter429=%d misordered_chats=%d delay p50=%v p99=%v max=%v load=%s",
			*figureLimiter, r.st, res.sent, res.rate, ceiling, res.rate/ceiling, res.floods, r.tg.Floods(), res.misorder,
			quantile(res.delays, 0.5).Round(time.Millisecond), quantile(res.delays, 0.99).Round(time.Millisecond),
			quantile(res.delays, 1).Round(time.Millisecond), loadAverage())
		if res.floods != 0 || res.misorder != 0 {
			t.Errorf("429s: %d, chats out of order: %d; want none", res.floods, res.misorder)
		}
	}
	fill := func(t *testing.T, r *rig, numbers []string, n int) {
		start := time.Now()
		for k := 0; r.total() < n; k++ {
			for _, num := range numbers {
				if r.total() >= n {
					break
				}
				r.move(t, num, journey[k%len(journey)])
			}
		}
		t.Logf("wrote %d notifications in %v", r.total(), time.Since(start).Round(time.Millisecond))
	}
	t.Run("overall", func(t *testing.T) {
		lim := DefaultLimits().Scaled(*figureScale)
		groups := *figureChats / 100
		r := newRig(t, rigConfig{lim: lim, shared: shared, private: *figureChats - groups, groups: groups, workers: *figureWorkers, batch: *figureBatch})
		fill(t, r, r.follow(t, 1, 10), *figureN)
		r.drain(t, r.total(), time.Duration(float64(r.total())/lim.Ceiling()*1.5*float64(time.Second))+time.Minute)
		report(t, r, lim.Ceiling())
	})
	t.Run("per-chat", func(t *testing.T) {
		lim := DefaultLimits().Scaled(*figureScale)
		chats := 20 // 20 a second at the real limits: below the overall 30
		r := newRig(t, rigConfig{lim: lim, shared: shared, private: chats, workers: *figureWorkers, batch: *figureBatch})
		fill(t, r, r.follow(t, 5, 1), chats*50)
		r.drain(t, r.total(), 2*time.Minute)
		report(t, r, float64(chats)/lim.Chat.Per.Seconds())
	})
	t.Run("real", func(t *testing.T) {
		lim := DefaultLimits()
		n := int(figureReal.Seconds() * lim.Ceiling())
		r := newRig(t, rigConfig{lim: lim, shared: shared, private: n, workers: *figureWorkers, batch: *figureBatch})
		fill(t, r, r.follow(t, 1, 1), n)
		r.drain(t, n, *figureReal*2)
		report(t, r, lim.Ceiling())
	})
	t.Run("delay", func(t *testing.T) {
		lim := DefaultLimits().Scaled(*figureScale)
		r := newRig(t, rigConfig{lim: lim, shared: shared, private: *figureChats, workers: *figureWorkers, batch: *figureBatch})
		const subs = 10
		numbers := r.follow(t, 1, subs)
		rate := 0.8 * lim.Ceiling()
		n := min(*figureN, int(rate*figureLoad.Seconds()))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- r.d.Run(ctx) }()
		start := time.Now()
		for k := 0; k*subs < n; k++ {
			at := start.Add(time.Duration(float64(k*subs) / rate * float64(time.Second)))
			time.Sleep(time.Until(at))
			r.move(t, numbers[k%len(numbers)], journey[(k/len(numbers))%len(journey)])
		}
		t.Logf("offered %d notifications at %.0f/s (80%% of the ceiling) in %v", r.total(), rate, time.Since(start).Round(time.Millisecond))
		end := time.Now().Add(time.Minute)
		for time.Now().Before(end) {
			r.f.mu.Lock()
			got := len(r.f.sent)
			r.f.mu.Unlock()
			if got >= r.total() {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		<-done
		report(t, r, lim.Ceiling())
	})
}
