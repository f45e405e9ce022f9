package telegram

import (
	"fmt"
	"testing"
	"time"
)

// TestGuardCountsSlowAnswersLater checks that a message whose round trip
// took longer than the fastest recent one counts that much later in the
// windows: it may have reached the API that late.
func TestGuardCountsSlowAnswersLater(t *testing.T) {
	lim := exactLimits()
	spacing := lim.Global.spacing(0)
	t0 := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	at := func(i int) func() time.Time {
		return func() time.Time { return t0.Add(time.Duration(i) * spacing) }
	}
	tests := []struct {
		name string
		took time.Duration // of the first send; the others take 2 ms
		want time.Duration // when the 31st may go
	}{
		{"on time", 2 * time.Millisecond, time.Second},
		// The first now counts at 40 ms, after the second: the 31st waits
		// until the second is a second old.
		{"40 ms slower", 42 * time.Millisecond, time.Second + spacing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := newGuard(lim)
			for i := range 30 {
				chat := fmt.Sprint(i)
				if _, ok := g.admit(chat, false, at(i)); !ok {
					t.Fatalf("send %d on its slot was refused", i)
				}
				took := 2 * time.Millisecond
				if i == 0 {
					g.answered("warm-up", took) // the fastest round trip seen
					took = tc.took
				}
				g.answered(chat, took)
			}
			next, ok := g.admit("30", false, at(30))
			if got := next.Sub(t0); ok && tc.want > 30*spacing || !ok && got != tc.want {
				t.Errorf("31st send: admitted %v, next at %v; want %v", ok, got, tc.want)
			}
		})
	}
}
