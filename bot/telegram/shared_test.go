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

// TestSharedLimiterKeepsTelegramWindows runs three "replicas" pacing sends
// to one group through one store, on a virtual clock, and checks every
// sliding window of Telegram's limits.
func TestSharedLimiterKeepsTelegramWindows(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	var sends []time.Time
	lim := DefaultLimits().Shared(st.Pace).(*sharedLimiter)
	var wg sync.WaitGroup
	for r := range 3 {
		wg.Go(func() {
			now := start.Add(time.Duration(r) * time.Millisecond)
			for range 40 {
				// Reserve without sleeping, in the limiter's order: the
				// chat's and group's slots, then the overall one from
				// then on; the virtual send time is at.
				w2, _ := lim.pace(context.Background(), "telegram:chat:-100", lim.chat, now)
				w3, _ := lim.pace(context.Background(), "telegram:group:-100", lim.group, now)
				at := now.Add(max(w2, w3))
				w1, _ := lim.pace(context.Background(), "telegram:all", lim.global, at)
				at = at.Add(w1)
				mu.Lock()
				sends = append(sends, at)
				mu.Unlock()
				now = at
			}
		})
	}
	wg.Wait()
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
	if len(sends) != 120 {
		t.Fatalf("%d sends", len(sends))
	}
	// Evenly spaced: 120 sends take about 119 group spacings, no more.
	if span := sends[len(sends)-1].Sub(sends[0]); span > 120*lim.group {
		t.Errorf("120 sends took %v, slower than the limits need", span)
	}
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
