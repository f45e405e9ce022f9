// Command loadtest measures the bot under a large tracked load: it seeds a
// Redis with many tracked shipments, serves a zero-latency fake Cainiao
// (the wire format the real source parses), starts the real bot binary
// against both and samples the bot's memory (VmRSS, VmHWM from /proc) while
// its poller works through the shipments.
//
//	go build -o /tmp/bot ./cmd/bot
//	go run ./cmd/loadtest -redis redis://127.0.0.1:6379/0 -bot /tmp/bot -shipments 1000000
//
// Use a Redis of its own: the run leaves its keys under -prefix (delete
// them, or flush the server, afterwards). Linux only (/proc).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/store/redisstore"
	"github.com/todoku/todoku/store/storetest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type options struct {
	redisURL  string
	prefix    string
	bot       string
	shipments int
	events    int
	seed      bool
	duration  time.Duration
	every     time.Duration
}

func run(ctx context.Context, args []string, out io.Writer) error {
	var o options
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.StringVar(&o.redisURL, "redis", os.Getenv("TODOKU_REDIS_URL"), "Redis URL (default $TODOKU_REDIS_URL)")
	fs.StringVar(&o.prefix, "prefix", "todoku-load:", "key prefix of the seeded store, passed to the bot")
	fs.StringVar(&o.bot, "bot", "", "path of the bot binary; empty: seed only")
	fs.IntVar(&o.shipments, "shipments", 1000000, "tracked shipments to seed, five to a chat")
	fs.IntVar(&o.events, "events", 20, "events per seeded shipment")
	fs.BoolVar(&o.seed, "seed", true, "seed the store (false: reuse what an earlier run seeded)")
	fs.DurationVar(&o.duration, "duration", 2*time.Minute, "how long the bot runs")
	fs.DurationVar(&o.every, "every", 5*time.Second, "how often to sample the bot")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.redisURL == "" {
		return errors.New("no Redis: set -redis or TODOKU_REDIS_URL")
	}
	opt, err := redis.ParseURL(o.redisURL)
	if err != nil {
		return fmt.Errorf("unable to parse the Redis URL: %w", err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	// Every seeded shipment is due at start; the bot runs on the wall clock.
	start := time.Now()
	if o.seed {
		if err := seed(ctx, o, rdb, start, out); err != nil {
			return err
		}
	}
	if o.bot == "" {
		return nil
	}
	return serve(ctx, o, rdb, out)
}

// seed subscribes o.shipments realistic shipments in pipelined bulk calls
// and reports the time taken and the server memory per shipment.
func seed(ctx context.Context, o options, rdb *redis.Client, start time.Time, out io.Writer) error {
	st, err := redisstore.Open(ctx, o.redisURL, redisstore.WithPrefix(o.prefix))
	if err != nil {
		return err
	}
	defer st.Close()
	before, err := usedMemory(ctx, rdb)
	if err != nil {
		return err
	}
	const chunk = 500
	jobs := make(chan int)
	var (
		wg       sync.WaitGroup
		firstErr error
		errOnce  sync.Once
		done     atomic.Int64
	)
	t := time.Now()
	for range 8 {
		wg.Go(func() {
			for i := range jobs {
				batch := make([]store.Subscribing, 0, chunk)
				for j := i; j < min(i+chunk, o.shipments); j++ {
					number := fmt.Sprintf("LP%014d", j)
					sh := storetest.Realistic(number, o.events, start.Add(-20*24*time.Hour))
					sh.CheckedAt = time.Time{}
					batch = append(batch, store.Subscribing{Stub: sh, Sub: store.Subscription{
						Chat:   store.ChatKey{Platform: "telegram", ID: strconv.Itoa(100000 + j/5)},
						Number: number, CreatedAt: start}})
				}
				if err := st.SubscribeMany(ctx, batch); err != nil {
					errOnce.Do(func() { firstErr = err })
				}
				if n := done.Add(int64(len(batch))); n%100000 < chunk {
					fmt.Fprintf(out, "seeded %d shipments in %s\n", n, time.Since(t).Round(time.Second))
				}
			}
		})
	}
	for i := 0; i < o.shipments && ctx.Err() == nil; i += chunk {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	after, err := usedMemory(ctx, rdb)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "seeded %d shipments with %d events in %s; Redis used_memory %+.0f bytes per shipment\n",
		o.shipments, o.events, time.Since(t).Round(time.Millisecond), float64(after-before)/float64(o.shipments))
	return nil
}

// serve runs the fake carrier and the bot for o.duration, sampling the
// bot's memory and the checks it makes.
func serve(ctx context.Context, o options, rdb *redis.Client, out io.Writer) error {
	var answered atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: fakeCainiao(&answered), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	cmd := exec.Command(o.bot, "serve")
	cmd.Env = append(os.Environ(),
		"TODOKU_REDIS_URL="+o.redisURL,
		"TODOKU_REDIS_PREFIX="+o.prefix,
		"TODOKU_HTTP_ADDR=127.0.0.1:0",
		"TODOKU_SOURCES=cainiao",
		"TODOKU_CAINIAO_URL=http://"+ln.Addr().String(),
		"TODOKU_CAINIAO_RATE=1000000",
		"TODOKU_LOG_LEVEL=warn",
	)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("unable to start the bot: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	fmt.Fprintf(out, "bot pid %d, fake Cainiao at %s\n", cmd.Process.Pid, ln.Addr())

	t := time.Now()
	tick := time.NewTicker(o.every)
	defer tick.Stop()
	var peakRSS, lastChecks int64
	last := t
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("the bot exited early: %v", err)
		case <-ctx.Done():
			rss, hwm, err := memory(cmd.Process.Pid)
			_ = cmd.Process.Signal(syscall.SIGTERM)
			<-exited
			if err != nil {
				return err
			}
			peakRSS = max(peakRSS, rss)
			checks := answered.Load()
			due, _ := rdb.ZCard(context.Background(), o.prefix+"schedule").Result()
			fmt.Fprintf(out, "after %s: %d checks (%.0f/s), VmRSS %.1f MB (peak sampled %.1f MB), VmHWM %.1f MB; %d numbers scheduled\n",
				time.Since(t).Round(time.Second), checks, float64(checks)/time.Since(t).Seconds(),
				mb(rss), mb(peakRSS), mb(hwm), due)
			return nil
		case now := <-tick.C:
			rss, hwm, err := memory(cmd.Process.Pid)
			if err != nil {
				return err
			}
			peakRSS = max(peakRSS, rss)
			checks := answered.Load()
			fmt.Fprintf(out, "%6s  checks %9d  %7.0f/s  VmRSS %6.1f MB  VmHWM %6.1f MB\n",
				now.Sub(t).Round(time.Second), checks, float64(checks-lastChecks)/now.Sub(last).Seconds(), mb(rss), mb(hwm))
			lastChecks, last = checks, now
		}
	}
}

func mb(kb int64) float64 { return float64(kb) / 1024 }

// memory reads VmRSS and VmHWM, in kB, from /proc/pid/status.
func memory(pid int) (rss, hwm int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("unable to read %s: %w", name, err)
		}
		if name == "VmRSS" {
			rss = n
		} else {
			hwm = n
		}
	}
	return rss, hwm, sc.Err()
}

func usedMemory(ctx context.Context, rdb *redis.Client) (int64, error) {
	text, err := rdb.Info(ctx, "memory").Result()
	if err != nil {
		return 0, fmt.Errorf("unable to read Redis memory: %w", err)
	}
	for line := range strings.SplitSeq(text, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, errors.New("INFO memory has no used_memory")
}

// fakeCainiao answers detail.json at once, as Cainiao would: every number
// asked about is in transit, with the same scan each time, so a check
// changes only its checked-at. It counts the numbers it answered.
func fakeCainiao(answered *atomic.Int64) http.Handler {
	type detail struct {
		Time         int64  `json:"time"`
		TimeStr      string `json:"timeStr"`
		TimeZone     string `json:"timeZone"`
		Desc         string `json:"desc"`
		StanderdDesc string `json:"standerdDesc"`
		ActionCode   string `json:"actionCode"`
	}
	type module struct {
		MailNo       string   `json:"mailNo"`
		MailNoSource string   `json:"mailNoSource"`
		DetailList   []detail `json:"detailList"`
	}
	scan := time.Date(2026, 11, 20, 6, 0, 0, 0, time.FixedZone("", 8*3600))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /global/detail.json", func(w http.ResponseWriter, r *http.Request) {
		numbers := strings.Split(r.URL.Query().Get("mailNos"), ",")
		var answer struct {
			Success bool     `json:"success"`
			Module  []module `json:"module"`
		}
		answer.Success = true
		for _, n := range numbers {
			answer.Module = append(answer.Module, module{MailNo: n, MailNoSource: "AE", DetailList: []detail{{
				Time: scan.UnixMilli(), TimeStr: scan.Format("2006-01-02 15:04:05"), TimeZone: "GMT+08:00",
				Desc: "Departed from departure country/region", StanderdDesc: "Departed from departure country/region",
				ActionCode: "LH_DEPART"}}})
		}
		answered.Add(int64(len(numbers)))
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(answer)
	})
	return mux
}
