package telegram

import (
	"context"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/todoku/todoku/store/boltstore"
)

// TestSharedLimiterKeepsTelegramWindows runs three "replicas", each with
// its own limiter, sending to one group through one store on one virtual
// clock, and checks every sliding window of Telegram's limits on the times
// the sends went.
func TestSharedLimiterKeepsTelegramWindows(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	clk := &turnClock{t: start}
	var mu sync.Mutex
	var sends []time.Time
	var wg sync.WaitGroup
	lim := DefaultLimits()
	for range 3 {
		l := newPacedLimiter(lim, st.Pace, clk)
		clk.join()
		wg.Go(func() {
			defer clk.leave()
			for range 40 {
				if err := l.Wait(context.Background(), "-100", true); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				sends = append(sends, clk.Now())
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(sends) != 120 {
		t.Fatalf("%d sends", len(sends))
	}
	sort.Slice(sends, func(i, j int) bool { return sends[i].Before(sends[j]) })
	for i := range sends {
		n := 0
		for j := i; j < len(sends) && sends[j].Sub(sends[i]) < time.Minute; j++ {
			n++
		}
		if n > 20 {
			t.Fatalf("%d sends to one group within a minute from %v", n, sends[i].Sub(start))
		}
		if i > 0 && sends[i].Sub(sends[i-1]) < time.Second {
			t.Fatalf("two sends to one chat %v apart", sends[i].Sub(sends[i-1]))
		}
	}
	// Evenly spaced: 120 sends take about 119 group spacings, no more.
	if span, g := sends[len(sends)-1].Sub(sends[0]), lim.Group.spacing(lim.Margin); span > 120*g {
		t.Errorf("120 sends took %v, slower than the limits need (%v apart)", span, g)
	}
}

// turnClock is a virtual clock shared by several goroutines that take
// turns: one runs at a time, and when every one of them sleeps, time moves
// to the earliest wake-up and that sleeper runs on.
type turnClock struct {
	mu       sync.Mutex
	t        time.Time
	running  int
	sleepers []turnSleeper // in the order they fell asleep
}

type turnSleeper struct {
	at   time.Time
	wake chan struct{}
}

// join counts one more goroutine, before it starts.
func (c *turnClock) join() {
	c.mu.Lock()
	c.running++
	c.mu.Unlock()
}

// leave is called by a goroutine as it ends.
func (c *turnClock) leave() {
	c.mu.Lock()
	c.running--
	c.nextLocked()
	c.mu.Unlock()
}

func (c *turnClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *turnClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	c.mu.Lock()
	s := turnSleeper{at: c.t.Add(d), wake: make(chan struct{})}
	c.sleepers = append(c.sleepers, s)
	c.running--
	c.nextLocked()
	c.mu.Unlock()
	<-s.wake
	return ctx.Err()
}

// nextLocked wakes the earliest sleeper when nobody runs.
func (c *turnClock) nextLocked() {
	if c.running > 0 || len(c.sleepers) == 0 {
		return
	}
	i := 0
	for j, s := range c.sleepers {
		if s.at.Before(c.sleepers[i].at) {
			i = j
		}
	}
	s := c.sleepers[i]
	c.sleepers = append(c.sleepers[:i], c.sleepers[i+1:]...)
	c.t = later(c.t, s.at)
	c.running++
	close(s.wake)
}

func TestSharedLimiterWaitsAndHonoursContext(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l := SharedLimiter(st.Pace)
	if err := l.Wait(context.Background(), "42", false); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx, "42", false); err == nil {
		t.Error("a second send to the same chat within a second did not wait")
	}
}
