package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// slowPlatform holds each push until told to let it go, and reports
// whether its context was still alive when it did.
type slowPlatform struct {
	entered chan struct{}
	release chan struct{}
	ctxErr  chan error
}

func (s *slowPlatform) Name() string { return "fake" }

func (s *slowPlatform) Send(ctx context.Context, _ string, _ []bot.Message, _ string) error {
	s.entered <- struct{}{}
	select {
	case <-s.release:
	case <-ctx.Done():
	}
	s.ctxErr <- ctx.Err()
	return ctx.Err()
}

// TestShutdownFinishesPushesUnderWay stops the dispatcher while a push is
// under way and two more wait behind it for the same chat: the push
// finishes and is acknowledged, so it does not go again, and the two are
// handed back for another process to take at once. A push that outlasts
// the grace period is cut off; it and the two behind it come back after
// their lease, so that none overtakes it.
func TestShutdownFinishesPushesUnderWay(t *testing.T) {
	tests := []struct {
		name  string
		grace time.Duration
		late  bool // the push outlasts the grace period
	}{
		{"within grace", 5 * time.Second, false},
		{"past grace", 50 * time.Millisecond, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			numbers := []string{"LP00123456789012", "LP00123456789026", "LP00123456789030"}
			for _, n := range numbers {
				f.follow(t, "a", n, store.LevelStages)
			}
			for _, n := range numbers {
				f.move(t, n, tracker.StageDepartedOrigin)
			}
			p := &slowPlatform{entered: make(chan struct{}, 1), release: make(chan struct{}), ctxErr: make(chan error, 1)}
			d := bot.NewDispatcher(bot.DispatcherConfig{Store: f.st, Platforms: []bot.Platform{p}, Now: f.wall.Now,
				Lease: time.Minute, Grace: tc.grace})
			ctx, stop := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- d.Run(ctx) }()
			select {
			case <-p.entered:
			case <-time.After(10 * time.Second):
				t.Fatal("no push started")
			}
			stop()
			if tc.late {
				if err := <-p.ctxErr; err == nil {
					t.Fatal("a push outlasting the grace period was not cut off")
				}
			} else {
				select {
				case <-done:
					t.Fatal("Run returned while a push was under way")
				case <-time.After(50 * time.Millisecond):
				}
				close(p.release)
				if err := <-p.ctxErr; err != nil {
					t.Fatalf("the push under way lost its context on shutdown: %v", err)
				}
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			claim := func() int {
				t.Helper()
				ns, err := f.st.ClaimOutbox(context.Background(), "other", 10, time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				return len(ns)
			}
			// Handed back at once; after the lease only those two come back
			// (the other process did not acknowledge them), not the one sent.
			now, later := 2, 2
			if tc.late {
				now, later = 0, 3
			}
			if got := claim(); got != now {
				t.Errorf("another process took %d notifications at once, want %d", got, now)
			}
			f.wall.Add(2 * time.Minute) // past the lease: anything still claimed comes back
			if got := claim(); got != later {
				t.Errorf("another process took %d notifications after the lease, want %d", got, later)
			}
		})
	}
}
