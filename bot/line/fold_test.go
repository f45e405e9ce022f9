package line

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/todoku/todoku/bot"
)

// TestPendingNotificationsRideAlongWithTheReply: what waits for a chat is
// folded into the free reply, and acknowledged only when the reply went.
func TestPendingNotificationsRideAlongWithTheReply(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	var outcome []bool
	pending := func(_ context.Context, chatID string, max int) ([]bot.Message, func(bool)) {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, chatID)
		if max < 1 {
			t.Errorf("asked to fold at most %d", max)
		}
		return []bot.Message{{Text: "📦 SBXJP0001 is now: Out for delivery", Card: sampleCard()}}, func(sent bool) {
			mu.Lock()
			defer mu.Unlock()
			outcome = append(outcome, sent)
		}
	}
	rec := &recorder{reply: func(u bot.Update) []bot.Message { return []bot.Message{{Text: "You follow one parcel."}} }}
	h := newHarness(t, rec.handle, func(o *Options) { o.Pending = pending })
	if code := h.post(h.textEvent(userSource("U7"), "U7", "/list")); code != http.StatusOK {
		t.Fatalf("webhook answered %d", code)
	}
	h.fake.wait(t, "the reply", func(f *fakeLINE) bool { return len(f.replies) == 1 })
	h.drain()
	replies, pushes, _ := h.fake.snapshot()
	if len(pushes) != 0 || len(replies[0].messages) != 2 {
		t.Fatalf("reply %+v, %d pushes; want the answer and the folded card in one reply", replies[0], len(pushes))
	}
	if replies[0].messages[0]["type"] != "text" || replies[0].messages[1]["type"] != "flex" {
		t.Errorf("reply types %v, %v", replies[0].messages[0]["type"], replies[0].messages[1]["type"])
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) != 1 || asked[0] != "U7" || len(outcome) != 1 || !outcome[0] {
		t.Errorf("asked %v, outcome %v; want U7 once, sent", asked, outcome)
	}
}
