package telegram

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
)

// testToken looks like a real token; its secret half must never show up in
// an error or a log line.
const (
	testToken  = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	tokenHalf  = "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	otherToken = "987654321:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDxyz"
)

// logBuffer collects log output from several goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// assertNoToken fails when s holds the token or its secret half.
func assertNoToken(t testing.TB, what, s string) {
	t.Helper()
	if strings.Contains(s, tokenHalf) || strings.Contains(s, testToken) {
		t.Errorf("%s contains the bot token: %s", what, s)
	}
}

// newBot returns an adapter on f with test-sized waits, logging at debug
// level into a buffer that is checked for the token when the test ends.
func newBot(t testing.TB, apiURL string, h Handler, tune func(*Options)) (*Telegram, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	o := Options{
		Token:  testToken,
		APIURL: apiURL,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if tune != nil {
		tune(&o)
	}
	tg, err := New(o, h)
	if err != nil {
		t.Fatal(err)
	}
	tg.pollTimeout = time.Second
	tg.minEmptyPoll = 10 * time.Millisecond
	tg.backoffMin = 10 * time.Millisecond
	tg.backoffMax = 100 * time.Millisecond
	tg.drainTimeout = 5 * time.Second
	t.Cleanup(func() { assertNoToken(t, "the log", logs.String()) })
	return tg, logs
}

// run starts tg.Run and returns a function that stops it and checks that
// it returned nil in time; the test's cleanup calls it too.
func run(t testing.TB, tg *Telegram) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tg.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run returned %v, want nil", err)
				}
			case <-time.After(10 * time.Second):
				t.Errorf("Run did not return after its context ended")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// recorder is a Handler that remembers the updates it got and answers
// each with reply.
type recorder struct {
	mu      sync.Mutex
	updates []bot.Update
	reply   func(bot.Update) []bot.Message
}

func (r *recorder) handle(_ context.Context, u bot.Update) []bot.Message {
	r.mu.Lock()
	r.updates = append(r.updates, u)
	reply := r.reply
	r.mu.Unlock()
	if reply == nil {
		return nil
	}
	return reply(u)
}

func (r *recorder) got() []bot.Update {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Update(nil), r.updates...)
}

func echo(u bot.Update) []bot.Message {
	return []bot.Message{{Text: "got " + u.Text + u.Button}}
}

// fakeClock is a clock whose Sleep moves time on at once.
type fakeClock struct {
	mu      sync.Mutex
	t       time.Time
	sleeps  []time.Duration
	onSleep func(now time.Time) // called after each sleep, without the lock
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.t = c.t.Add(max(d, 0))
	c.sleeps = append(c.sleeps, d)
	now, hook := c.t, c.onSleep
	c.mu.Unlock()
	if hook != nil {
		hook(now)
	}
	return ctx.Err()
}

func (c *fakeClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// onFakeClock makes tg and f share a fake clock, with a limiter that has
// no margin, so that sends land exactly on the limits' edges.
func onFakeClock(tg *Telegram, f *fakeAPI) *fakeClock {
	c := newFakeClock()
	f.now = c.Now
	tg.clock = c
	tg.limiter = newMemLimiter(exactLimits(), c)
	return c
}

// exactLimits are the documented limits without a margin, so that sends
// on a fake clock land exactly on the limits' edges.
func exactLimits() Limits {
	l := DefaultLimits()
	l.Margin = 0
	return l
}
