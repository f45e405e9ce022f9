package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// waitingPlatform waits (on the fixture's wall clock) before its request,
// as a rate-limited platform does, lets wait do what happens meanwhile,
// then confirms the push before it goes.
type waitingPlatform struct {
	fakePlatform
	wait, confirmed func()
}

func (w *waitingPlatform) Send(ctx context.Context, chatID string, msgs []bot.Message, key string) error {
	w.wait()
	if err := bot.Confirm(ctx); err != nil {
		return err
	}
	w.confirmed()
	return w.fakePlatform.Send(ctx, chatID, msgs, key)
}

// TestPushConfirmsItsClaim: a push that waited past half its lease renews
// its claim before it goes; one whose claim ran out and was taken by
// another process meanwhile does not go (the other sends it), so the
// chat does not get it twice.
func TestPushConfirmsItsClaim(t *testing.T) {
	tests := []struct {
		name    string
		wait    time.Duration
		takenBy string // another consumer that claims it meanwhile, if any
		sent    bool
	}{
		{"quick", time.Second, "", true},
		{"past half its lease", 40 * time.Second, "", true},
		{"taken over", 70 * time.Second, "other", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.follow(t, "a", "LP00123456789012", store.LevelStages)
			f.move(t, "LP00123456789012", tracker.StageDepartedOrigin)
			ctx := context.Background()
			p := &waitingPlatform{}
			p.wait = func() {
				f.wall.Add(tc.wait)
				if tc.takenBy == "" {
					return
				}
				if ns, err := f.st.ClaimOutbox(ctx, tc.takenBy, 10, time.Minute); err != nil || len(ns) != 1 {
					t.Fatalf("%s claimed %d notifications (err %v), want the waiting one", tc.takenBy, len(ns), err)
				}
			}
			p.confirmed = func() {
				if tc.sent && tc.wait > 30*time.Second {
					// Renewed: 70 s after its claim, a minute's lease still
					// holds it from the renewal.
					f.wall.Add(30 * time.Second)
					if ns, err := f.st.ClaimOutbox(ctx, "late", 10, time.Minute); err != nil || len(ns) != 0 {
						t.Errorf("a claim renewed before the push was handed out again: %+v (err %v)", ns, err)
					}
				}
			}
			d := bot.NewDispatcher(bot.DispatcherConfig{Store: f.st, Platforms: []bot.Platform{p}, Now: f.wall.Now, Lease: time.Minute})
			if _, err := d.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			if got := len(p.sent) == 1; got != tc.sent {
				t.Fatalf("sent %d pushes, want sent=%v", len(p.sent), tc.sent)
			}
		})
	}
}
