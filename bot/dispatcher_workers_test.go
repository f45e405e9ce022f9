package bot_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// watchPlatform records pushes per chat and catches two pushes to one
// chat at the same time.
type watchPlatform struct {
	mu      sync.Mutex
	active  map[string]bool
	busy    int // pushes under way
	most    int // most pushes under way at once
	overlap []string
	got     map[string][]string // chat → stages, in arrival order
	fail    func(chat string, n int) error
	total   int
}

func newWatchPlatform() *watchPlatform {
	return &watchPlatform{active: map[string]bool{}, got: map[string][]string{}}
}

func (w *watchPlatform) Name() string { return "fake" }

func (w *watchPlatform) Send(ctx context.Context, chat string, msgs []bot.Message, _ string) error {
	w.mu.Lock()
	if w.active[chat] {
		w.overlap = append(w.overlap, chat)
	}
	w.active[chat] = true
	w.busy++
	w.most = max(w.most, w.busy)
	n := len(w.got[chat])
	fail := w.fail
	w.mu.Unlock()
	time.Sleep(time.Millisecond) // a push takes a while: others should run meanwhile
	w.mu.Lock()
	defer w.mu.Unlock()
	w.active[chat] = false
	w.busy--
	if fail != nil {
		if err := fail(chat, n); err != nil {
			return err
		}
	}
	w.got[chat] = append(w.got[chat], msgs[0].Card.Stage)
	w.total++
	return nil
}

func (w *watchPlatform) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.total
}

// runUntil runs d until the platform got want pushes, failing after 10 s.
func runUntil(t *testing.T, d *bot.Dispatcher, w *watchPlatform, want int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for w.count() < want && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run() = %v", err)
	}
	if got := w.count(); got != want {
		t.Fatalf("%d pushes, want %d", got, want)
	}
}

var stages = []tracker.Stage{tracker.StageInfoReceived, tracker.StagePickedUp, tracker.StageDepartedOrigin,
	tracker.StageInTransit, tracker.StageOutForDelivery}

func stageIDs(ss []tracker.Stage) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.String()
	}
	return out
}

func TestDispatcherWorkersKeepEachChatInOrder(t *testing.T) {
	for _, tc := range []struct {
		name     string
		chats    int
		workers  int
		batch    int
		perChat  int // numbers each chat follows
		wantMany bool
	}{
		{"many chats", 24, 8, 10, 1, true},
		{"few chats, many notifications", 3, 16, 7, 3, true},
		{"one worker", 10, 1, 5, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			w := newWatchPlatform()
			d := bot.NewDispatcher(bot.DispatcherConfig{Store: f.st, Platforms: []bot.Platform{w}, Lease: time.Minute,
				Now: f.wall.Now, Workers: tc.workers, Batch: tc.batch, Idle: 5 * time.Millisecond})
			want := map[string][]string{}
			var numbers []string
			for c := range tc.chats {
				for j := range tc.perChat {
					n := fmt.Sprintf("LP%012d%02d", c, j)
					f.follow(t, fmt.Sprint(c), n, store.LevelStages)
					numbers = append(numbers, n)
				}
			}
			for _, s := range stages {
				for _, n := range numbers {
					f.move(t, n, s)
				}
			}
			for c := range tc.chats {
				for _, s := range stages {
					for range tc.perChat {
						want[fmt.Sprint(c)] = append(want[fmt.Sprint(c)], s.String())
					}
				}
			}
			runUntil(t, d, w, tc.chats*tc.perChat*len(stages))
			if len(w.overlap) > 0 {
				t.Errorf("two pushes at once to chats %v", w.overlap)
			}
			for chat, ss := range want {
				if got := w.got[chat]; !slices.Equal(got, ss) {
					t.Errorf("chat %s got %v, want %v", chat, got, ss)
				}
			}
			if tc.wantMany && w.most < 2 {
				t.Errorf("at most %d pushes at once with %d workers", w.most, tc.workers)
			}
			if !tc.wantMany && w.most != 1 {
				t.Errorf("%d pushes at once with one worker", w.most)
			}
			f.wall.Add(time.Hour) // past every lease: whatever was not acked comes back
			if n := f.drain(t); n != 0 {
				t.Errorf("%d notifications came back after delivery", n)
			}
		})
	}
}

// TestDispatcherWorkersHoldAChatAfterAFailure: while one chat's push fails,
// its later notifications wait (even ones claimed later) and other chats
// go on; after the lease it gets them all, in order.
func TestDispatcherWorkersHoldAChatAfterAFailure(t *testing.T) {
	f := newFixture(t)
	w := newWatchPlatform()
	d := bot.NewDispatcher(bot.DispatcherConfig{Store: f.st, Platforms: []bot.Platform{w}, Lease: time.Minute,
		Now: f.wall.Now, Workers: 4, Batch: 2, Idle: 5 * time.Millisecond})
	f.follow(t, "a", "LP00000000000001", store.LevelStages)
	f.follow(t, "b", "LP00000000000002", store.LevelStages)
	var mu sync.Mutex
	down := true
	w.fail = func(chat string, n int) error {
		mu.Lock()
		defer mu.Unlock()
		if chat == "a" && down {
			return &bot.SendError{Err: errors.New("502 bad gateway")}
		}
		return nil
	}
	for _, s := range stages {
		f.move(t, "LP00000000000001", s)
		f.move(t, "LP00000000000002", s)
	}
	runUntil(t, d, w, len(stages)) // b's, while a is down
	if got := w.got["a"]; len(got) != 0 {
		t.Fatalf("a got %v while its first push failed", got)
	}
	mu.Lock()
	down = false
	mu.Unlock()
	f.wall.Add(2 * time.Minute)
	runUntil(t, d, w, 2*len(stages))
	if got, want := w.got["a"], stageIDs(stages); !slices.Equal(got, want) {
		t.Errorf("after the outage a got %v, want %v", got, want)
	}
}

// TestFoldWhileRunning: notifications a reply holds are not pushed
// meanwhile, other chats' are, and a failed reply hands them back to be
// pushed at once.
func TestFoldWhileRunning(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	w := newWatchPlatform()
	d := bot.NewDispatcher(bot.DispatcherConfig{Store: f.st, Platforms: []bot.Platform{w}, Lease: time.Minute,
		Now: f.wall.Now, Workers: 2, Idle: 5 * time.Millisecond})
	a := f.follow(t, "a", "LP00000000000001", store.LevelStages)
	f.follow(t, "b", "LP00000000000001", store.LevelStages)
	f.move(t, "LP00000000000001", tracker.StageInTransit)
	msgs, done := d.Fold(ctx, a, 5)
	if len(msgs) != 1 || msgs[0].Card.Stage != "in_transit" {
		t.Fatalf("folded %+v", msgs)
	}
	runUntil(t, d, w, 1) // b's push goes while a's notification is held by the reply
	if got := w.got["a"]; len(got) != 0 {
		t.Errorf("a was pushed %v while a reply held it", got)
	}
	done(false) // the reply failed: the push follows
	runUntil(t, d, w, 2)
	if got := w.got["a"]; !slices.Equal(got, []string{"in_transit"}) {
		t.Errorf("a got %v after the reply failed", got)
	}
}
