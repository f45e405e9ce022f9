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
// under way: the push finishes and is acknowledged, so it does not go
// again; one that outlasts the grace period is cut off and stays queued.
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
			f.follow(t, "a", "LP00123456789012", store.LevelStages)
			f.move(t, "LP00123456789012", tracker.StageDepartedOrigin)
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
			f.wall.Add(2 * time.Minute) // past the lease: anything unacknowledged comes back
			left, err := f.st.ClaimOutbox(context.Background(), "other", 10, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{false: 0, true: 1}[tc.late]; len(left) != want {
				t.Errorf("%d notifications left in the outbox, want %d", len(left), want)
			}
		})
	}
}
