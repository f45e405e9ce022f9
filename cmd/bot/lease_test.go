package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/todoku/todoku/store/boltstore"
)

// flakyLeaser passes lease calls to a store, or fails them while down.
type flakyLeaser struct {
	leaser
	down atomic.Bool
}

var errUnreachable = errors.New("store unreachable")

func (f *flakyLeaser) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if f.down.Load() {
		return false, errUnreachable
	}
	return f.leaser.AcquireLease(ctx, name, holder, ttl)
}

func (f *flakyLeaser) ReleaseLease(ctx context.Context, name, holder string) error {
	if f.down.Load() {
		return errUnreachable
	}
	return f.leaser.ReleaseLease(ctx, name, holder)
}

// runners counts the replicas running the leased loop body at once.
type runners struct {
	now, most atomic.Int32
	started   chan string // every start, by replica
	stopped   chan string // every stop, by replica
}

func (r *runners) body(replica string) func(ctx context.Context) {
	return func(ctx context.Context) {
		n := r.now.Add(1)
		for m := r.most.Load(); n > m && !r.most.CompareAndSwap(m, n); m = r.most.Load() {
		}
		r.started <- replica
		<-ctx.Done()
		time.Sleep(20 * time.Millisecond) // a body takes a moment to stop
		r.now.Add(-1)
		r.stopped <- replica
	}
}

// TestLeasedLoop runs two replicas' leased loops on one store: exactly one
// runs at a time; when the holder shuts down (releasing the lease) or
// cannot reach the store (and so stops renewing), the other takes over,
// and never while the first still runs. A holder whose lease was taken
// (as after a pause longer than the ttl) stops at its next renewal.
func TestLeasedLoop(t *testing.T) {
	const ttl = 600 * time.Millisecond
	tests := []struct {
		name string
		// end makes replica a stop holding the lease.
		end func(t *testing.T, stopA context.CancelFunc, st leaser, a *flakyLeaser)
		// within bounds how long after end b must run.
		within time.Duration
		// overlap: b takes the lease before a can know; a must stop
		// within a renewal period instead.
		overlap bool
	}{
		{"shutdown releases", func(t *testing.T, stopA context.CancelFunc, _ leaser, _ *flakyLeaser) { stopA() }, ttl, false},
		{"lease taken away", func(t *testing.T, _ context.CancelFunc, st leaser, _ *flakyLeaser) {
			// As after a pause longer than the ttl: someone else took it.
			if err := st.ReleaseLease(context.Background(), pollLease, "a"); err != nil {
				t.Fatal(err)
			}
			if ok, err := st.AcquireLease(context.Background(), pollLease, "b", ttl); err != nil || !ok {
				t.Fatalf("b taking the released lease = %v, %v", ok, err)
			}
		}, ttl, true},
		{"store unreachable", func(t *testing.T, _ context.CancelFunc, _ leaser, a *flakyLeaser) { a.down.Store(true) }, 3 * ttl, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := boltstore.Open(filepath.Join(t.TempDir(), "todoku.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			log := slog.New(slog.DiscardHandler)
			r := &runners{started: make(chan string, 16), stopped: make(chan string, 16)}
			fa := &flakyLeaser{leaser: st}
			ctxA, stopA := context.WithCancel(context.Background())
			ctxB, stopB := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			wg.Go(func() { newLeased(fa, pollLease, "a", ttl, log).run(ctxA, r.body("a")) })
			if got := <-r.started; got != "a" {
				t.Fatalf("%s started first, want a", got)
			}
			wg.Go(func() { newLeased(st, pollLease, "b", ttl, log).run(ctxB, r.body("b")) })
			select {
			case got := <-r.started:
				t.Fatalf("%s started while a holds the lease", got)
			case <-time.After(2 * ttl): // b asked several times meanwhile
			}
			ended := time.Now()
			tc.end(t, stopA, st, fa)
			select {
			case got := <-r.started:
				if got != "b" {
					t.Fatalf("%s started, want b", got)
				}
				if took := time.Since(ended); took > tc.within {
					t.Errorf("b took over after %s, want within %s", took, tc.within)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("b did not take over within 10s")
			}
			if tc.overlap {
				select {
				case <-r.stopped:
					if took := time.Since(ended); took > ttl/3+ttl/2 {
						t.Errorf("a stopped %s after losing its lease, want within a renewal period (%s)", took, ttl/3)
					}
				case <-time.After(10 * time.Second):
					t.Fatal("a did not stop within 10s of losing its lease")
				}
			}
			stopA()
			stopB()
			wg.Wait()
			if m := r.most.Load(); m != 1 && !tc.overlap {
				t.Errorf("%d replicas ran at once, want 1", m)
			}
			// Shutdown released the lease: a newcomer takes it at once.
			if ok, err := st.AcquireLease(context.Background(), pollLease, "c", ttl); err != nil || !ok {
				t.Errorf("after shutdown, AcquireLease(c) = %v, %v; want the lease free", ok, err)
			}
		})
	}
}

// testRedisURL returns TODOKU_TEST_REDIS_URL, skipping the test without
// it except on CI, where it fails.
func testRedisURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("TODOKU_TEST_REDIS_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("TODOKU_TEST_REDIS_URL is not set: under CI the Redis tests must run (use scripts/test)")
		}
		t.Skip("TODOKU_TEST_REDIS_URL is not set; run scripts/test to test against a real redis-server")
	}
	return url
}

// testPrefix returns a fresh Redis key prefix whose keys are deleted when
// the test ends.
func testPrefix(t *testing.T, url, name string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := name + "-" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		opts, err := redis.ParseURL(url)
		if err != nil {
			t.Errorf("parse url: %v", err)
			return
		}
		rdb := redis.NewClient(opts)
		defer rdb.Close()
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			if keys = append(keys, iter.Val()); len(keys) == 1000 {
				rdb.Del(ctx, keys...)
				keys = keys[:0]
			}
		}
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
	})
	return prefix
}

// fakePoller is a Bot API server that answers getUpdates with no updates
// after a short wait, and every other method with true. It counts the
// getUpdates calls.
type fakePoller struct {
	*httptest.Server
	polls atomic.Int64
}

func newFakePoller(t *testing.T) *fakePoller {
	f := &fakePoller{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/getUpdates") {
			f.polls.Add(1)
			select { // a long poll that comes back empty
			case <-time.After(100 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
			_, _ = w.Write([]byte(`{"ok":true,"result":[]}`))
			return
		}
		_, _ = w.Write([]byte(`{"ok":true,"result":true}`))
	}))
	t.Cleanup(f.Close)
	return f
}

// TestTelegramPollLease runs two replicas on one Redis, each with its own
// Telegram API fake so the test sees which one polls: exactly one polls at
// a time, and when it shuts down the other starts polling within seconds.
func TestTelegramPollLease(t *testing.T) {
	url := testRedisURL(t)
	prefix := testPrefix(t, url, "lease")
	type replica struct {
		api  *fakePoller
		stop context.CancelFunc
		done chan error
	}
	start := func() *replica {
		r := &replica{api: newFakePoller(t), done: make(chan error, 1)}
		cfg, err := loadConfig(env(map[string]string{
			envHTTPAddr: "127.0.0.1:0", envRedisURL: url, envRedisPrefix: prefix, envSources: "none", envSandbox: "false",
			envTelegramToken: "123456:TEST-token-for-the-fake", envTelegramAPI: r.api.URL, envPollLease: "1s",
		}))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		a, err := newApp(ctx, cfg, slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})), time.Now)
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		r.stop = cancel
		go func() {
			err := a.serve(ctx)
			a.close()
			r.done <- err
		}()
		t.Cleanup(func() {
			cancel()
			<-r.done
		})
		return r
	}
	waitPolls := func(f *fakePoller, from int64, what string) time.Duration {
		t.Helper()
		began := time.Now()
		for f.polls.Load() <= from {
			if time.Since(began) > 10*time.Second {
				t.Fatalf("%s did not poll within 10s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
		return time.Since(began)
	}

	first := start()
	waitPolls(first.api, 0, "the only replica")
	second := start()
	time.Sleep(3 * time.Second) // three lease lengths, a dozen of the second's tries
	if n := second.api.polls.Load(); n != 0 {
		t.Fatalf("the second replica polled %d times while the first held the lease", n)
	}
	before := first.api.polls.Load()
	time.Sleep(500 * time.Millisecond)
	if first.api.polls.Load() == before {
		t.Fatal("the first replica stopped polling while it holds the lease")
	}

	first.stop()
	if err := <-first.done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	first.done <- nil // for the cleanup
	stopped := first.api.polls.Load()
	took := waitPolls(second.api, 0, "the second replica after the first shut down")
	t.Logf("the second replica took over %s after the first shut down", took)
	if took > 3*time.Second {
		t.Errorf("takeover took %s, want within a few seconds", took)
	}
	time.Sleep(300 * time.Millisecond)
	if n := first.api.polls.Load(); n != stopped {
		t.Errorf("the first replica polled %d times after it shut down", n-stopped)
	}
}
