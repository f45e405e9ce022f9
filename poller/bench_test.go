package poller_test

import (
	"context"
	"flag"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/todoku/todoku/poller"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/store/boltstore"
	"github.com/todoku/todoku/store/redisstore"
	"github.com/todoku/todoku/store/storetest"
	"github.com/todoku/todoku/tracker"
)

var (
	benchShipments = flag.Int("bench.shipments", 2000, "shipments the poller benchmarks seed and poll")
	benchEvents    = flag.Int("bench.events", 20, "events per seeded shipment")
	benchMoved     = flag.Int("bench.moved", 10, "percent of checks in which a shipment moves to a new stage")
	benchRounds    = flag.Int("bench.rounds", 4, "rounds in flight, as Run keeps them")
	benchWorkers   = flag.Int("bench.workers", 8, "fetches (with their commits) in flight")
	benchBatch     = flag.Int("bench.batch", 1000, "numbers claimed per round")
)

// movingSource answers at once. Each check, a share of the numbers (moved
// percent, chosen by a hash of number and time) gets a new event that
// moves it to another stage; the rest come back unchanged.
type movingSource struct {
	now   func() time.Time
	moved int
}

func (s *movingSource) Name() string         { return "cainiao" }
func (s *movingSource) Serves(string) bool   { return true }
func (s *movingSource) BatchSize() int       { return 50 }
func (s *movingSource) Pushes() bool         { return false }
func (s *movingSource) seed(n string) uint64 { h := fnv.New64a(); h.Write([]byte(n)); return h.Sum64() }

func (s *movingSource) Fetch(_ context.Context, qs []tracker.Query) ([]tracker.Result, error) {
	now := s.now()
	out := make([]tracker.Result, len(qs))
	for i, q := range qs {
		out[i] = tracker.Result{Number: q.Number, Source: "cainiao"}
		if (s.seed(q.Number)+uint64(now.Unix()/60))%100 < uint64(s.moved) {
			stage := tracker.StageInTransit
			if (now.Unix()/60)%2 == 0 {
				stage = tracker.StageArrivedDestination
			}
			out[i].Events = []tracker.Event{{Time: now.Add(-time.Minute), Location: "Narita International Airport, Chiba, JP",
				Text: "Arrived at linehaul office", Code: "LH_ARRIVE", Stage: stage, Source: "cainiao"}}
		}
	}
	return out, nil
}

// bulkStore is a store that subscribes in bulk, as both backends do.
type bulkStore interface {
	store.Store
	SubscribeMany(ctx context.Context, entries []store.Subscribing) error
}

// seed subscribes n realistic shipments, all due at start, five to a chat,
// in calls of SubscribeMany, 32 at a time.
func seed(b *testing.B, st bulkStore, n int, start time.Time) {
	b.Helper()
	ctx := context.Background()
	entry := func(i int) store.Subscribing {
		number := fmt.Sprintf("LP%014d", i)
		sh := storetest.Realistic(number, *benchEvents, start.Add(-20*24*time.Hour))
		sh.CheckedAt = time.Time{}
		return store.Subscribing{Sub: store.Subscription{Chat: store.ChatKey{Platform: "telegram", ID: fmt.Sprint(100000 + i/5)},
			Number: number, CreatedAt: start}, Stub: sh}
	}
	const chunk = 500
	jobs := make(chan int)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for i := range jobs {
				batch := make([]store.Subscribing, 0, chunk)
				for j := i; j < min(i+chunk, n); j++ {
					batch = append(batch, entry(j))
				}
				if err := st.SubscribeMany(ctx, batch); err != nil {
					select {
					case errs <- err:
					default:
					}
					return
				}
			}
		})
	}
	t := time.Now()
	for i := 0; i < n; i += chunk {
		select {
		case jobs <- i:
		case err := <-errs:
			b.Fatalf("seed: %v", err)
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatalf("seed: %v", err)
	default:
	}
	b.Logf("seeded %d shipments in %s", n, time.Since(t).Round(time.Millisecond))
}

// fixture is a seeded store shared by the runs of one benchmark (the
// testing package runs a benchmark more than once): seeding a million
// shipments takes minutes. Its clock goes on from run to run.
type fixture struct {
	st      store.Store
	start   time.Time
	minutes atomic.Int64 // the virtual clock: minutes since start
	cpu     func() time.Duration
}

var (
	fixturesMu sync.Mutex
	fixtures   = map[string]*fixture{}
)

// seeded returns the fixture of name, opening and seeding it on first use.
func seeded(b *testing.B, name string, open func() (*fixture, error)) *fixture {
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	if f, ok := fixtures[name]; ok {
		return f
	}
	f, err := open()
	if err != nil {
		b.Fatal(err)
	}
	fixtures[name] = f
	return f
}

// benchPoller polls the seeded shipments: every op is one round (a Tick)
// of up to -bench.batch claims, each checked, its snapshot (or only its
// checked-at) written, outbox entries written for stage changes and the
// number rescheduled. Like Run, the benchmark keeps -bench.rounds rounds in
// flight. The virtual clock moves a minute per round and the interval
// policy brings every number back once the schedule is worked through, so
// rounds never run dry. Besides checks/s it reports the CPU time this
// process (and, when f.cpu is set, the store's server) spent per check:
// figures that stay meaningful when other work shares the machine.
func benchPoller(b *testing.B, f *fixture) {
	n := *benchShipments
	now := func() time.Time { return f.start.Add(time.Duration(f.minutes.Load()) * time.Minute) }
	src := &movingSource{now: now, moved: *benchMoved}
	batch := *benchBatch
	p := poller.New(poller.Config{Store: f.st, Sources: []tracker.Source{src}, Now: now,
		Batch: batch, Workers: *benchWorkers, Rounds: *benchRounds, Lease: 24 * time.Hour,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Interval: func(tracker.Shipment, time.Time, string, time.Duration) time.Duration {
			return time.Minute * time.Duration((n+batch-1)/batch)
		}})
	ctx := context.Background()
	var checks, rounds, dry atomic.Int64
	errs := make(chan error, *benchRounds)
	cpu0, server0 := processCPU(b), time.Duration(0)
	if f.cpu != nil {
		server0 = f.cpu()
	}
	b.ResetTimer()
	t := time.Now()
	var wg sync.WaitGroup
	for range *benchRounds {
		wg.Go(func() {
			for rounds.Add(1) <= int64(b.N) {
				c, err := p.Tick(ctx)
				if err != nil {
					errs <- err
					return
				}
				if c == 0 {
					dry.Add(1)
				}
				checks.Add(int64(c))
				f.minutes.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(t)
	b.StopTimer()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatalf("Tick: %v", err)
	}
	if d := dry.Load(); d > int64(b.N)/10 {
		b.Fatalf("%d of %d rounds claimed nothing", d, b.N)
	}
	c := float64(checks.Load())
	b.ReportMetric(c/elapsed.Seconds(), "checks/s")
	b.ReportMetric(c/float64(b.N), "checks/op")
	b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/c, "cpu-µs/check")
	if f.cpu != nil {
		b.ReportMetric(float64((f.cpu()-server0).Microseconds())/c, "server-cpu-µs/check")
	}
}

// processCPU is the user and system CPU time this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPollerBolt polls a bbolt store. Seeding skips the file syncs
// (the store is reopened with them before polling).
func BenchmarkPollerBolt(b *testing.B) {
	f := seeded(b, "bolt", func() (*fixture, error) {
		dir, err := os.MkdirTemp("", "todoku-bench-")
		if err != nil {
			return nil, err
		}
		path := filepath.Join(dir, "bench.db")
		st, err := boltstore.Open(path, boltstore.WithNoSync())
		if err != nil {
			return nil, err
		}
		f := &fixture{start: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}
		seed(b, st, *benchShipments, f.start)
		if err := st.Close(); err != nil {
			return nil, err
		}
		if fi, err := os.Stat(path); err == nil {
			b.Logf("file size per shipment: %d bytes", fi.Size()/int64(*benchShipments))
		}
		// The file goes with the process; removing it now keeps it open
		// but leaves nothing behind.
		if f.st, err = boltstore.Open(path); err != nil {
			return nil, err
		}
		return f, os.RemoveAll(dir)
	})
	benchPoller(b, f)
}

// BenchmarkPollerRedis polls a Redis store (TODOKU_TEST_REDIS_URL) under a
// fresh key prefix, and reports the server's used memory per seeded
// shipment (with its subscription, schedule entry and events). The keys
// stay on the server: use a server of its own and flush it afterwards.
func BenchmarkPollerRedis(b *testing.B) {
	url := os.Getenv("TODOKU_TEST_REDIS_URL")
	if url == "" {
		b.Skip("TODOKU_TEST_REDIS_URL is not set")
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		b.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	var perShipment float64
	f := seeded(b, "redis", func() (*fixture, error) {
		ctx := context.Background()
		prefix := fmt.Sprintf("todoku-bench-%d:", time.Now().UnixNano())
		st, err := redisstore.Open(ctx, url, redisstore.WithPrefix(prefix))
		if err != nil {
			return nil, err
		}
		f := &fixture{st: st, start: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC),
			cpu: func() time.Duration { return serverCPU(b, rdb) }}
		before := info(b, rdb, "memory", "used_memory")
		seed(b, st, *benchShipments, f.start)
		perShipment = (info(b, rdb, "memory", "used_memory") - before) / float64(*benchShipments)
		b.Logf("used memory per shipment: %.0f bytes", perShipment)
		return f, nil
	})
	benchPoller(b, f)
	if perShipment > 0 {
		b.ReportMetric(perShipment, "B/shipment")
	}
}

// serverCPU is the CPU time the Redis server has used.
func serverCPU(b *testing.B, rdb *redis.Client) time.Duration {
	s := info(b, rdb, "cpu", "used_cpu_user") + info(b, rdb, "cpu", "used_cpu_sys")
	return time.Duration(s * float64(time.Second))
}

// info reads one numeric field of the server's INFO section.
func info(b *testing.B, rdb *redis.Client, section, field string) float64 {
	b.Helper()
	text, err := rdb.Info(context.Background(), section).Result()
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.SplitSeq(text, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatalf("INFO %s has no %s", section, field)
	return 0
}
