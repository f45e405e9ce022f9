package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// leaseTTL is a lease no lease test outlives.
const leaseTTL = time.Minute

// acquire calls AcquireLease and fails the test on an error.
func (h *harness) acquire(name, holder string, ttl time.Duration) bool {
	h.t.Helper()
	ok, err := h.s.AcquireLease(context.Background(), name, holder, ttl)
	if err != nil {
		h.t.Fatalf("AcquireLease(%s, %s): %v", name, holder, err)
	}
	return ok
}

// release calls ReleaseLease and fails the test on an error.
func (h *harness) release(name, holder string) {
	h.t.Helper()
	if err := h.s.ReleaseLease(context.Background(), name, holder); err != nil {
		h.t.Fatalf("ReleaseLease(%s, %s): %v", name, holder, err)
	}
}

// testLease: a free lease is taken, a second holder is refused, the holder
// renews it, names are independent, and only the holder releases it.
func testLease(t *testing.T, h *harness) {
	steps := []struct {
		what    string
		name    string
		holder  string
		release bool // release instead of acquire
		want    bool // acquired
	}{
		{what: "a free lease", name: "poll", holder: "a", want: true},
		{what: "a lease held by a", name: "poll", holder: "b", want: false},
		{what: "renewing one's own lease", name: "poll", holder: "a", want: true},
		{what: "another name", name: "other", holder: "b", want: true},
		{what: "b releasing a's lease", name: "poll", holder: "b", release: true},
		{what: "a's lease after b released it", name: "poll", holder: "b", want: false},
		{what: "a releasing a lease it does not hold", name: "other", holder: "a", release: true},
		{what: "b's lease after a released it", name: "other", holder: "b", want: true},
		{what: "b's lease seen by a", name: "other", holder: "a", want: false},
		{what: "a releasing its lease", name: "poll", holder: "a", release: true},
		{what: "a released lease", name: "poll", holder: "b", want: true},
		{what: "the lease b took over", name: "poll", holder: "a", want: false},
		{what: "releasing a lease no one holds", name: "never", holder: "a", release: true},
		{what: "a lease never taken", name: "never", holder: "c", want: true},
	}
	for _, s := range steps {
		if s.release {
			h.release(s.name, s.holder)
			continue
		}
		if got := h.acquire(s.name, s.holder, leaseTTL); got != s.want {
			t.Fatalf("%s: AcquireLease(%s, %s) = %v, want %v", s.what, s.name, s.holder, got, s.want)
		}
	}
	for _, ttl := range []time.Duration{0, -time.Second} {
		if _, err := h.s.AcquireLease(context.Background(), "bad", "a", ttl); err == nil {
			t.Errorf("AcquireLease with ttl %s: no error", ttl)
		}
	}
	if _, err := h.s.AcquireLease(context.Background(), "bad", "", leaseTTL); err == nil {
		t.Error("AcquireLease with an empty holder: no error")
	}
}

// testLeaseExpires: a lease that is not renewed ends after its ttl (on the
// backend's clock), and another holder takes it over.
func testLeaseExpires(t *testing.T, h *harness) {
	const ttl = 300 * time.Millisecond
	start := time.Now()
	if !h.acquire("poll", "a", ttl) {
		t.Fatal("AcquireLease(a) of a free lease = false")
	}
	if h.acquire("poll", "b", ttl) && time.Since(start) < ttl {
		t.Fatal("b took a's lease within its ttl")
	}
	deadline := time.Now().Add(waitFor)
	for !h.acquire("poll", "b", ttl) {
		if time.Now().After(deadline) {
			t.Fatalf("b could not take the lease %s after a's %s ttl", waitFor, ttl)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if elapsed := time.Since(start); elapsed < ttl {
		t.Fatalf("b took the lease after %s, within a's %s ttl", elapsed, ttl)
	}
	took := time.Now()
	if h.acquire("poll", "a", ttl) && time.Since(took) < ttl {
		t.Fatal("a took back the lease b holds")
	}
}

// testLeaseRenew: a holder that renews keeps the lease past its first ttl.
func testLeaseRenew(t *testing.T, h *harness) {
	const ttl = 400 * time.Millisecond
	if !h.acquire("poll", "a", ttl) {
		t.Fatal("AcquireLease(a) of a free lease = false")
	}
	start := time.Now()
	for time.Since(start) < 3*ttl {
		time.Sleep(ttl / 4)
		renewed := time.Now()
		if !h.acquire("poll", "a", ttl) {
			t.Fatalf("a lost its lease %s after taking it, renewing every %s", time.Since(start), ttl/4)
		}
		if h.acquire("poll", "b", ttl) && time.Since(renewed) < ttl {
			t.Fatalf("b took the lease a renewed %s ago", time.Since(renewed))
		}
	}
}

// testLeaseConcurrent: of many holders asking at once for a free lease,
// exactly one gets it.
func testLeaseConcurrent(t *testing.T, h *harness) {
	for round := range 5 {
		name := fmt.Sprintf("poll-%d", round)
		var mu sync.Mutex
		var winners []string
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 16 {
			holder := fmt.Sprintf("replica-%d", i)
			wg.Go(func() {
				<-start
				ok, err := h.s.AcquireLease(context.Background(), name, holder, leaseTTL)
				if err != nil {
					t.Errorf("AcquireLease(%s, %s): %v", name, holder, err)
					return
				}
				if ok {
					mu.Lock()
					winners = append(winners, holder)
					mu.Unlock()
				}
			})
		}
		close(start)
		wg.Wait()
		if len(winners) != 1 {
			t.Fatalf("round %d: %d holders got the lease (%v), want exactly one", round, len(winners), winners)
		}
	}
}
