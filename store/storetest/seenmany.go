package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// testFirstSeenMany checks that a batch records its keys as FirstSeen
// does one by one: a key seen before, by either call, is not new, a key
// twice in a batch is new once, and concurrent batches sharing keys see
// each key new exactly once between them.
func testFirstSeenMany(t *testing.T, h *harness) {
	ctx := context.Background()
	if ok, err := h.s.FirstSeen(ctx, "evt-a", time.Hour); err != nil || !ok {
		t.Fatalf("FirstSeen(evt-a) = %v, %v; want true", ok, err)
	}
	steps := []struct {
		keys []string
		want []bool
	}{
		{nil, nil},
		{[]string{"evt-a", "evt-b", "evt-c"}, []bool{false, true, true}},
		{[]string{"evt-d", "evt-b", "evt-d"}, []bool{true, false, false}},
		{[]string{"evt-c"}, []bool{false}},
	}
	for i, s := range steps {
		got, err := h.s.FirstSeenMany(ctx, s.keys, time.Hour)
		if err != nil {
			t.Fatalf("step %d: FirstSeenMany(%q): %v", i, s.keys, err)
		}
		if !slices.Equal(got, s.want) {
			t.Fatalf("step %d: FirstSeenMany(%q) = %v, want %v", i, s.keys, got, s.want)
		}
	}
	if ok, err := h.s.FirstSeen(ctx, "evt-d", time.Hour); err != nil || ok {
		t.Fatalf("FirstSeen(evt-d) after a batch = %v, %v; want false", ok, err)
	}

	keys := make([]string, 50)
	for i := range keys {
		keys[i] = fmt.Sprintf("race-%d", i)
	}
	var mu sync.Mutex
	news := map[string]int{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			mine := slices.Clone(keys)
			if w%2 == 1 {
				slices.Reverse(mine)
			}
			got, err := h.s.FirstSeenMany(ctx, mine, time.Hour)
			if err != nil {
				t.Errorf("FirstSeenMany: %v", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for i, k := range mine {
				if got[i] {
					news[k]++
				}
			}
		})
	}
	wg.Wait()
	for _, k := range keys {
		if news[k] != 1 {
			t.Errorf("%s was new to %d of 4 concurrent batches, want 1", k, news[k])
		}
	}

	if _, err := h.s.FirstSeenMany(ctx, []string{"evt-e"}, 0); err == nil {
		t.Error("FirstSeenMany with a zero ttl: no error")
	}
}
