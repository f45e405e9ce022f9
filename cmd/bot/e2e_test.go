package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/sandbox"
)

// clock is a settable clock shared by every part of an in-process bot.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// recorder is a platform that accepts every push and remembers it.
type recorder struct {
	mu     sync.Mutex
	pushes []bot.Message
	keys   []string
}

func (r *recorder) Name() string { return "test" }

func (r *recorder) Send(_ context.Context, _ string, msgs []bot.Message, key string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pushes = append(r.pushes, msgs...)
	r.keys = append(r.keys, key)
	return nil
}

func (r *recorder) stages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, m := range r.pushes {
		if m.Card != nil {
			out = append(out, m.Card.Stage)
		}
	}
	return out
}

// backend is a way to configure a store for a test: each call of its
// function gives a fresh, isolated store that survives restarts.
type backend struct {
	name string
	cfg  func(t *testing.T) config
}

func backends() []backend {
	return []backend{
		{"bolt", func(t *testing.T) config {
			return config{DBPath: filepath.Join(t.TempDir(), "todoku.db")}
		}},
		{"redis", func(t *testing.T) config {
			url := os.Getenv("TODOKU_TEST_REDIS_URL")
			if url == "" {
				if os.Getenv("CI") == "true" {
					t.Fatal("TODOKU_TEST_REDIS_URL is not set: under CI the Redis tests must run (use scripts/test)")
				}
				t.Skip("TODOKU_TEST_REDIS_URL is not set; run scripts/test to test against a real redis-server")
			}
			b := make([]byte, 6)
			_, _ = rand.Read(b)
			return config{RedisURL: url, RedisPrefix: "e2e-" + hex.EncodeToString(b) + ":"}
		}},
	}
}

// messages in each language that carry the sandbox number inside a sentence.
var pasted = map[string]string{
	i18n.Japanese: "追跡番号はＳＢＸＪＰ０００１です。よろしくお願いします",
	i18n.English:  "hi, can you track sbxjp0001 for me?",
	i18n.Thai:     "ช่วยติดตามพัสดุ SBXJP-0001 หน่อยค่ะ",
}

// TestJourneyEndToEnd drives the whole path in process on virtual time: a
// pasted sandbox number is followed, the poller notices every stage change,
// the dispatcher pushes each one exactly once in the chat's language, and a
// restart halfway (with notifications waiting in the outbox) loses nothing
// and repeats nothing.
func TestJourneyEndToEnd(t *testing.T) {
	const number = "SBXJP0001"
	start := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) // the journey's timing depends on it
	steps := sandbox.Journey(number, start)
	if len(steps) < 8 {
		t.Fatalf("sandbox journey of %s has %d steps; want a full journey", number, len(steps))
	}
	for _, be := range backends() {
		for _, lang := range i18n.Langs() {
			t.Run(be.name+"/"+lang, func(t *testing.T) {
				ctx := context.Background()
				cfg := be.cfg(t)
				cfg.Sandbox, cfg.SandboxSpeed = true, 1
				clk := &clock{t: start}
				log := slog.New(slog.DiscardHandler)
				rec := &recorder{}

				a, err := newApp(ctx, cfg, log, clk.Now)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { a.close() })
				chat := store.ChatKey{Platform: rec.Name(), ID: "chat-" + lang}
				p := i18n.For(lang)

				reply := a.router.Handle(ctx, bot.Update{Chat: chat, Lang: lang, Text: pasted[lang]})
				if len(reply) == 0 || reply[0].Card == nil {
					t.Fatalf("reply to a pasted number: %+v", reply)
				}
				wantText := p.T("track.subscribed", number, p.T("carrier.sandbox"))
				if !strings.Contains(reply[0].Text, wantText) {
					t.Errorf("reply text %q does not contain %q", reply[0].Text, wantText)
				}
				card := reply[0].Card
				if card.Number != number || card.Stage != tracker.StageNotFound.String() ||
					card.StageName != p.T("stage.not_found.name") {
					t.Errorf("reply card = %+v; want %s at not_found in %s", card, number, lang)
				}
				if !strings.Contains(card.Note, p.T("card.sandbox")) {
					t.Errorf("reply card note %q does not say it is a simulation", card.Note)
				}

				// The stages a user must hear of, in order: every change
				// of the journey's stage after the first answer.
				var want []string
				last := tracker.StageNotFound
				for _, s := range steps {
					if s.Stage != last {
						want = append(want, s.Stage.String())
						last = s.Stage
					}
				}

				// A lease this short hands any unacknowledged notification
				// out again at the next drain, so a missing ack shows up
				// as a repeated push.
				dispatcher := func(a *app) *bot.Dispatcher {
					return bot.NewDispatcher(bot.DispatcherConfig{Store: a.store, Platforms: []bot.Platform{rec}, Now: clk.Now, Lease: time.Millisecond, Logger: log})
				}
				d := dispatcher(a)
				since := clk.Now()
				for i, s := range steps {
					clk.Set(since.Add(s.Offset + time.Second))
					if _, err := a.poller.Tick(ctx); err != nil {
						t.Fatalf("step %d: tick: %v", i, err)
					}
					if i == len(steps)/2 {
						// Restart with this step's notification still in
						// the outbox.
						a.close()
						if a, err = newApp(ctx, cfg, log, clk.Now); err != nil {
							t.Fatalf("reopen: %v", err)
						}
						d = dispatcher(a)
					}
					if _, err := d.Drain(ctx); err != nil {
						t.Fatalf("step %d: drain: %v", i, err)
					}
					time.Sleep(2 * time.Millisecond) // past the lease
				}
				if _, err := d.Drain(ctx); err != nil {
					t.Fatal(err)
				}
				if got := rec.stages(); !slices.Equal(got, want) {
					t.Errorf("pushed stages:\n got %v\nwant %v", got, want)
				}
				for i, m := range rec.pushes {
					st, _ := tracker.ParseStage(m.Card.Stage)
					if h := p.T("push.stage", number, p.T("stage."+st.String()+".name")); m.Text != h {
						t.Errorf("push %d text = %q, want %q", i, m.Text, h)
					}
					if !strings.Contains(m.Card.Note, p.T("card.sandbox")) {
						t.Errorf("push %d does not say it is a simulation: %q", i, m.Card.Note)
					}
				}
				if keys := slices.Compact(slices.Sorted(slices.Values(rec.keys))); len(keys) != len(rec.keys) {
					t.Errorf("%d of %d pushes repeat another's idempotency key", len(rec.keys)-len(keys), len(rec.keys))
				}

				// Delivered: nothing is polled any more.
				clk.Set(clk.Now().Add(60 * 24 * time.Hour))
				if n, err := a.poller.Tick(ctx); err != nil || n != 0 {
					t.Errorf("tick after delivery checked %d numbers (err %v); want none", n, err)
				}
				list := a.router.Handle(ctx, bot.Update{Chat: chat, Text: "/list"})
				if len(list) != 1 || !strings.Contains(list[0].Text, p.T("stage.delivered.name")) {
					t.Errorf("/list after delivery = %+v", list)
				}
			})
		}
	}
}
