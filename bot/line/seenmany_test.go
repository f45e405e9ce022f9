package line

import (
	"context"
	"sync"
	"testing"

	"github.com/todoku/todoku/bot"
)

// TestSeenManyChecksQueuedEventsAtOnce queues events behind a busy worker
// and checks that the worker records them in one SeenMany call, drops the
// one seen before and answers the others once each.
func TestSeenManyChecksQueuedEventsAtOnce(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]bool{}
	var batches [][]string
	single := 0
	record := func(key string) bool {
		first := !seen[key]
		seen[key] = true
		return first
	}
	block, open := gate(t)
	rec := &recorder{reply: func(u bot.Update) []bot.Message {
		if u.Text == "first" {
			<-block
		}
		return []bot.Message{{Text: "ok"}}
	}}
	h := newHarness(t, rec.handle, func(o *Options) {
		o.Workers = 1
		o.Seen = func(_ context.Context, key string) (bool, error) {
			mu.Lock()
			defer mu.Unlock()
			single++
			return record(key), nil
		}
		o.SeenMany = func(_ context.Context, keys []string) ([]bool, error) {
			mu.Lock()
			defer mu.Unlock()
			batches = append(batches, keys)
			out := make([]bool, len(keys))
			for i, k := range keys {
				out[i] = record(k)
			}
			return out, nil
		}
	})
	h.post(h.textEvent(userSource("U1"), "U1", "first"))
	eventually(t, "the first event", func() bool { return len(rec.got()) == 1 })
	a, b := h.textEvent(userSource("U2"), "U2", "a"), h.textEvent(userSource("U3"), "U3", "b")
	h.post(a, b, a) // queued behind the busy worker; a is redelivered
	open()
	h.drain()
	mu.Lock()
	defer mu.Unlock()
	if single != 1 || len(batches) != 1 || len(batches[0]) != 3 {
		t.Errorf("%d single checks and batches %q; want the first event alone and the three queued in one batch", single, batches)
	}
	if got := rec.got(); len(got) != 3 {
		t.Errorf("handled %d events, want 3 (the redelivery dropped)", len(got))
	}
}
