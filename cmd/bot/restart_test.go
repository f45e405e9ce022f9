package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/internal/redistest"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker/sources/sandbox"
)

// TestRedisRestart runs the whole bot (poller, dispatcher, intake) in real
// time against a redis-server with the append-only file fsynced every
// second, and stops Redis in the middle of the run while chats keep
// subscribing and sandbox journeys keep moving. After Redis is back on the
// same port and directory, with no restart of the bot:
//   - every subscription the bot confirmed is still there (after a kill -9,
//     every one confirmed well before the kill; everysec may lose the last
//     second or two of writes when the machine itself fails);
//   - the same store serves reads again: go-redis reconnects on its own;
//   - the poller and the dispatcher resume by themselves: stage changes of
//     parcels followed before the outage and after it are pushed;
//   - the outage was logged as errors, not fatal, and the loops waited
//     between attempts instead of spinning.
func TestRedisRestart(t *testing.T) {
	tests := []struct {
		name string
		stop func(*redistest.Server)
		// safe is how long before the stop a confirmed subscription must
		// have been made to be sure to survive it.
		safe time.Duration
	}{
		{"shutdown", (*redistest.Server).Shutdown, 0},
		// appendfsync everysec fsyncs once a second and may postpone a
		// write by up to two seconds more while an fsync is slow.
		{"kill", (*redistest.Server).Kill, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testRedisRestart(t, tt.stop, tt.safe)
		})
	}
}

// Timeline of one run, in real time.
const (
	restartBefore = 3500 * time.Millisecond // running before Redis stops
	restartOutage = 4 * time.Second         // Redis down
	restartAfter  = 6 * time.Second         // longest wait for pushes after Redis is back
	// restartJourney is the real duration of the longest sandbox journey,
	// so that parcels followed before the outage still move after it.
	restartJourney = 10 * time.Second
)

func testRedisRestart(t *testing.T, stop func(*redistest.Server), safe time.Duration) {
	srv := redistest.Start(t, redistest.Options{Args: []string{"--appendonly", "yes", "--appendfsync", "everysec"}})
	ctx, cancel := context.WithCancel(context.Background())
	logs := &logRecorder{}
	log := slog.New(logs)
	cfg := config{RedisURL: srv.URL(), Sandbox: true,
		SandboxSpeed: float64(sandbox.MaxJourney) / float64(restartJourney)}
	a, err := newApp(ctx, cfg, log, time.Now)
	if err != nil {
		cancel()
		t.Fatalf("newApp: %v", err)
	}
	rec := &pushRecorder{}
	wait := a.loops(ctx, a.dispatcher(rec))
	t.Cleanup(func() {
		cancel()
		wait()
		a.close()
	})

	// Chats subscribe to a new sandbox number every 50 ms, outage or not.
	subs := &subscriber{a: a}
	subCtx, stopSubs := context.WithCancel(ctx)
	var subsDone sync.WaitGroup
	subsDone.Go(func() { subs.run(subCtx, rec.Name()) })
	defer func() { stopSubs(); subsDone.Wait() }()

	time.Sleep(restartBefore)
	stopped := time.Now()
	stop(srv)
	time.Sleep(restartOutage)
	srv.Restart()
	restarted := time.Now()
	t.Logf("Redis down for %s", restarted.Sub(stopped).Round(time.Millisecond))

	// Pushes after the restart, for parcels followed before the outage and
	// after it.
	var oldPushed, newPushed bool
	deadline := restarted.Add(restartAfter)
	for time.Now().Before(deadline) && !(oldPushed && newPushed) {
		time.Sleep(100 * time.Millisecond)
		for _, p := range rec.since(restarted.Add(500 * time.Millisecond)) {
			switch at, ok := subs.confirmedAt(p.number); {
			case !ok:
			case at.Before(stopped):
				oldPushed = true
			case at.After(restarted):
				newPushed = true
			}
		}
	}
	stopSubs()
	subsDone.Wait()
	if !oldPushed {
		t.Error("no stage change of a parcel followed before the outage was pushed after Redis came back: the poller or the dispatcher did not resume")
	}
	if !newPushed {
		t.Error("no stage change of a parcel followed after the outage was pushed")
	}

	// Every confirmed subscription survived (kill: those made well before
	// the kill), read through the same store, which reconnected by itself.
	var before, beforeKept, recent, recentKept, after int
	for _, s := range subs.confirmedList() {
		_, err := a.store.Subscription(ctx, s.chat, s.number)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("reading subscription %s after the restart: %v (the store did not reconnect)", s.number, err)
		}
		kept := err == nil
		// A graceful stop (safe 0) keeps every confirmed write; a kill
		// may lose those of the last safe before it.
		mustKeep := true
		switch {
		case s.at.After(restarted):
			after++
		case s.at.Before(stopped.Add(-safe)):
			before++
			if kept {
				beforeKept++
			}
		default:
			recent++
			if kept {
				recentKept++
			}
			mustKeep = safe == 0
		}
		if mustKeep && !kept {
			t.Errorf("subscription to %s confirmed at %s is lost (Redis stopped at %s, back at %s)", s.number,
				s.at.Format("15:04:05.000"), stopped.Format("15:04:05.000"), restarted.Format("15:04:05.000"))
		}
	}
	if before == 0 || after == 0 {
		t.Fatalf("confirmed subscriptions: %d before the outage, %d after; want some of each", before, after)
	}
	t.Logf("subscriptions confirmed: %d kept of %d made more than %s before the stop, %d kept of %d made later until the restart, %d after the restart; %d refused during the outage",
		beforeKept, before, safe, recentKept, recent, after, subs.refused())

	// The outage was logged, and the loops waited between attempts. A
	// command to a server that is down fails only after go-redis's own
	// retries (3 retries, each after up to 5 dials 100 ms apart: about 2 s);
	// then the poller waits its idle second and the dispatcher its idle
	// 250 ms. Each loop so logs at most about one failed round per idle
	// period of the outage; a spinning loop would log thousands. Commands
	// begun just before the restart fail up to retryBudget later.
	const retryBudget = 3 * time.Second
	down := restarted.Sub(stopped)
	window := down + retryBudget
	polls := logs.count("Poll round failed.", stopped, restarted.Add(retryBudget))
	drains := logs.count("Dispatch round failed.", stopped, restarted.Add(retryBudget))
	t.Logf("during %s down: %d failed poll rounds, %d failed dispatch rounds; warnings and errors logged: %v; %d pushes in all",
		down.Round(time.Millisecond), polls, drains, logs.summary(stopped, restarted.Add(retryBudget)), rec.count())
	if polls == 0 || drains == 0 {
		t.Errorf("outage not logged: %d failed poll rounds, %d failed dispatch rounds", polls, drains)
	}
	if limit := int(window/time.Second) + 1; polls > limit {
		t.Errorf("%d failed poll rounds in %s: the poller spins (want at most %d)", polls, window, limit)
	}
	if limit := int(window/(250*time.Millisecond)) + 1; drains > limit {
		t.Errorf("%d failed dispatch rounds in %s: the dispatcher spins (want at most %d)", drains, window, limit)
	}
	if n := logs.count("", restarted.Add(retryBudget), time.Now()); n > 0 {
		t.Errorf("%d warnings or errors logged after Redis came back; first: %s", n, logs.first(restarted.Add(retryBudget)))
	}
}

// subscriber makes chats follow new sandbox numbers through the router, as
// users would, and remembers which the bot confirmed.
type subscriber struct {
	a *app

	mu        sync.Mutex
	confirmed []confirmedSub
	byNumber  map[string]time.Time
	refusals  int
}

type confirmedSub struct {
	chat   store.ChatKey
	number string
	at     time.Time // when the bot's reply confirmed it
}

func (s *subscriber) run(ctx context.Context, platform string) {
	p := i18n.For(i18n.English)
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		number := fmt.Sprintf("SBXJP%06d", 100000+i)
		chat := store.ChatKey{Platform: platform, ID: fmt.Sprintf("chat-%d", i)}
		reply := s.a.router.Handle(ctx, bot.Update{Chat: chat, Lang: i18n.English, Text: "please track " + number})
		ok := len(reply) > 0 && strings.Contains(reply[0].Text, p.T("track.subscribed", number, p.T("carrier.sandbox")))
		s.mu.Lock()
		if ok {
			s.confirmed = append(s.confirmed, confirmedSub{chat: chat, number: number, at: time.Now()})
			if s.byNumber == nil {
				s.byNumber = map[string]time.Time{}
			}
			s.byNumber[number] = time.Now()
		} else if ctx.Err() == nil {
			s.refusals++
		}
		s.mu.Unlock()
	}
}

func (s *subscriber) confirmedAt(number string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.byNumber[number]
	return at, ok
}

func (s *subscriber) confirmedList() []confirmedSub {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]confirmedSub(nil), s.confirmed...)
}

func (s *subscriber) refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refusals
}

// pushRecorder is a platform that accepts every push and remembers when it
// came and for which number.
type pushRecorder struct {
	mu     sync.Mutex
	pushes []push
}

type push struct {
	number string
	at     time.Time
}

func (r *pushRecorder) Name() string { return "test" }

func (r *pushRecorder) Send(_ context.Context, _ string, msgs []bot.Message, _ string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range msgs {
		if m.Card != nil {
			r.pushes = append(r.pushes, push{number: m.Card.Number, at: time.Now()})
		}
	}
	return nil
}

func (r *pushRecorder) since(t time.Time) []push {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []push
	for _, p := range r.pushes {
		if p.at.After(t) {
			out = append(out, p)
		}
	}
	return out
}

func (r *pushRecorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.pushes)
}

// logRecorder is a log handler that keeps warnings and errors.
type logRecorder struct {
	mu   sync.Mutex
	errs []slog.Record
}

func (h *logRecorder) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.errs = append(h.errs, r.Clone())
	return nil
}

func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logRecorder) WithGroup(string) slog.Handler      { return h }

// count returns how many records with message msg (any message when empty)
// were logged between from and to.
func (h *logRecorder) count(msg string, from, to time.Time) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.errs {
		if (msg == "" || r.Message == msg) && !r.Time.Before(from) && !r.Time.After(to) {
			n++
		}
	}
	return n
}

// summary counts the records logged between from and to by message.
func (h *logRecorder) summary(from, to time.Time) map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]int{}
	for _, r := range h.errs {
		if !r.Time.Before(from) && !r.Time.After(to) {
			out[r.Message]++
		}
	}
	return out
}

// first describes the first record logged after from.
func (h *logRecorder) first(from time.Time) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.errs {
		if !r.Time.Before(from) {
			var b strings.Builder
			b.WriteString(r.Message)
			r.Attrs(func(a slog.Attr) bool {
				fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
				return true
			})
			return b.String()
		}
	}
	return ""
}
