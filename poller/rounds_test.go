package poller_test

import (
	"context"
	"testing"
	"time"

	"github.com/todoku/todoku/poller"
	"github.com/todoku/todoku/tracker"
)

// Run keeps several rounds in flight; they never share a number, and all
// of them together stay within Workers fetches.
func TestRunRoundsShareWorkers(t *testing.T) {
	e := newEnv(t)
	e.follow(t, numbers(200)...)
	src := &fakeSource{batch: 5, stage: tracker.StageInTransit}
	p := poller.New(poller.Config{Store: e.st, Sources: []tracker.Source{src}, Now: func() time.Time { return e.now },
		Workers: 2, Batch: 20, Rounds: 3, Idle: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx) }()
	fetched := func() int {
		src.mu.Lock()
		defer src.mu.Unlock()
		n := 0
		for _, b := range src.batches {
			n += b
		}
		return n
	}
	deadline := time.Now().Add(20 * time.Second)
	for fetched() < 200 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // rounds that would fetch a number twice
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	if n := fetched(); n != 200 {
		t.Errorf("fetched %d numbers, want each of the 200 once", n)
	}
	if peak := src.peak.Load(); peak > 2 {
		t.Errorf("%d fetches ran at once, want at most 2", peak)
	}
	for _, n := range []string{"LP00000000000000", "LP00000000000199"} {
		if sh, err := e.st.Shipment(context.Background(), n); err != nil || sh.Stage != tracker.StageInTransit {
			t.Errorf("%s: %+v, %v", n, sh, err)
		}
	}
}
