package sim_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/todoku/todoku/poller"
	"github.com/todoku/todoku/sim"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/store/boltstore"
	"github.com/todoku/todoku/store/redisstore"
)

var (
	figureJourneys = flag.Int("sim.journeys", 0, "run the figure simulation with this many journeys (0: skip)")
	figurePolicy   = flag.String("sim.policy", "nextcheck", "polling policy of the figure run: nextcheck, or a fixed interval such as 20m")
	figureHints    = flag.Bool("sim.hints", false, "keep the sandbox's next-step hints in the figure run")
	figureLevel    = flag.String("sim.level", store.LevelAll, "the chats' notification level in the figure run")
)

func bolt(t testing.TB) store.Store {
	t.Helper()
	// A simulation is a bulk load: syncing every commit to disk would
	// measure the disk, not the policy.
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "sim.db"), boltstore.WithNoSync())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestTargets holds poller.NextCheck to the targets of the figure run on
// honest answers (no hints, like a real carrier) within the carrier's rate
// limit: at most 40 carrier requests per delivered parcel while 95% of "out
// for delivery" events reach the chat within 30 minutes. The international
// leg must not starve: its events reach the chat within a day.
func TestTargets(t *testing.T) {
	journeys := 500
	if raceEnabled {
		journeys = 120 // the race detector slows the run about tenfold
	}
	if testing.Short() {
		journeys = 60
	}
	r, err := sim.Run(context.Background(), sim.Config{Journeys: journeys, Store: bolt(t), Interval: poller.NextCheck})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(r)
	if r.Delivered != r.Journeys {
		t.Errorf("%d of %d parcels delivered", r.Delivered, r.Journeys)
	}
	if r.RequestsPerDelivered > 40 {
		t.Errorf("%.1f carrier requests per delivered parcel; want at most 40", r.RequestsPerDelivered)
	}
	if r.OFDEvents < r.Journeys || r.OFDDelayP95 > 30*time.Minute {
		t.Errorf("%d out-for-delivery events reached the chat within %s for 95%% (%.1f%% within 30 minutes); want 30 minutes",
			r.OFDEvents, fmtDelay(r.OFDDelayP95), 100*r.OFDWithin30)
	}
	if r.International.Missed > 0 || r.International.P95 > 24*time.Hour {
		t.Errorf("international events: %s; want all told, 95%% within a day", r.International)
	}
	if r.LastMile.Missed > 0 || r.LastMile.P95 > 24*time.Hour {
		t.Errorf("last-mile events: %s; want all told, 95%% within a day", r.LastMile)
	}
	if r.Overpushed > 0 {
		t.Errorf("%d chats told more often than their parcel changed stage", r.Overpushed)
	}
}

// TestPolicies runs small simulations of each policy and checks what they
// must keep: every parcel delivered and every "out for delivery" told, the
// adaptive policy far cheaper than a fixed 20 minutes (about 1,000 requests
// per parcel), and the sandbox's hints (which a real carrier does not give)
// telling each event at once.
func TestPolicies(t *testing.T) {
	tests := []struct {
		name        string
		cfg         sim.Config
		minRequests float64       // per delivered parcel
		maxRequests float64       // per delivered parcel
		p95         time.Duration // most an out-for-delivery push may take
	}{
		{"adaptive", sim.Config{Journeys: 12, Interval: poller.NextCheck}, 10, 60, 30 * time.Minute},
		{"fixed 20 minutes", sim.Config{Journeys: 2, Interval: sim.Every(20 * time.Minute)}, 500, 2000, 20 * time.Minute},
		{"adaptive with hints", sim.Config{Journeys: 6, Hints: true}, 1, 80, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg
			cfg.Store = bolt(t)
			r, err := sim.Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(r)
			if r.Delivered != r.Journeys {
				t.Errorf("%d of %d parcels delivered", r.Delivered, r.Journeys)
			}
			if r.RequestsPerDelivered < tt.minRequests || r.RequestsPerDelivered > tt.maxRequests {
				t.Errorf("%.1f requests per delivered parcel; want %.0f to %.0f", r.RequestsPerDelivered, tt.minRequests, tt.maxRequests)
			}
			if r.OFDEvents < r.Journeys || r.OFDMissed > 0 || r.OFDDelayP95 > tt.p95 {
				t.Errorf("%d out-for-delivery events, %d missed, p95 %s; want at least one per parcel, none missed, p95 within %s",
					r.OFDEvents, r.OFDMissed, fmtDelay(r.OFDDelayP95), tt.p95)
			}
			if r.PushesPerParcel < 5 {
				t.Errorf("%.1f pushes per parcel; want one per stage change", r.PushesPerParcel)
			}
		})
	}
}

// TestRateLimit: requests over the carrier's rate wait their turn, and
// the wait counts in the delays.
func TestRateLimit(t *testing.T) {
	journeys := 40
	if raceEnabled {
		journeys = 20
	}
	r, err := sim.Run(context.Background(), sim.Config{Journeys: journeys, Spread: time.Minute, Rate: 0.2, Store: bolt(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(r)
	if r.RateWaits == 0 || r.RateWaitMax < 5*time.Second {
		t.Errorf("%d waits, longest %s, at 0.2 requests a second; want waits", r.RateWaits, r.RateWaitMax)
	}
	if r.Delivered != r.Journeys {
		t.Errorf("%d of %d parcels delivered", r.Delivered, r.Journeys)
	}
}

// TestCarrierDown is the fault scenario: the carrier fails every request
// for a virtual day while parcels are in every stage of the last mile,
// then comes back. No stage changes and nobody is told anything while it
// is down (the bot has no push for a failing carrier: a chat that asks is
// told by the track reply), the poller holds the carrier back within its
// back-off (1, 2, 4 … minutes, at most 30, per fetch worker), and every
// parcel is still delivered and told, each stage once.
func TestCarrierDown(t *testing.T) {
	journeys := 100
	if raceEnabled || testing.Short() {
		journeys = 40
	}
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	down := sim.Outage{From: start.Add(12 * 24 * time.Hour), For: 24 * time.Hour}
	r, err := sim.Run(context.Background(), sim.Config{Journeys: journeys, Start: start, Spread: 2 * 24 * time.Hour,
		Store: bolt(t), Outage: down})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(r)
	if r.OutageStageChanges != 0 || r.OutagePushes != 0 {
		t.Errorf("while the carrier was down: %d stage changes, %d stage pushes; want none", r.OutageStageChanges, r.OutagePushes)
	}
	// Users are told once: every chat whose parcel's checks failed for an
	// hour gets one notice, and no other chat gets any.
	if r.FailingParcels == 0 || r.Notices != r.FailingParcels || r.NoticesRepeated > 0 || r.NoticesUnfounded > 0 {
		t.Errorf("%d parcels failing for an hour, %d notices (%d chats told twice, %d told without cause); want one notice per failing parcel's chat",
			r.FailingParcels, r.Notices, r.NoticesRepeated, r.NoticesUnfounded)
	}
	// Each back-off ends with one more try, by each of the poller's
	// fetch workers at most.
	const workers = 4
	tries := 0
	for waited, k := time.Duration(0), 0; waited <= down.For; k++ {
		tries++
		waited += min(time.Minute<<k, 30*time.Minute)
	}
	if r.OutageCalls > workers*tries || r.OutageRequests > r.OutageCalls*50 {
		t.Errorf("%d calls (%d numbers) while down; the back-off allows %d calls", r.OutageCalls, r.OutageRequests, workers*tries)
	}
	if r.OutageCalls < tries/2 {
		t.Errorf("%d calls while down; want the poller to keep trying about every 30 minutes", r.OutageCalls)
	}
	if r.Delivered != r.Journeys {
		t.Errorf("%d of %d parcels delivered after the outage", r.Delivered, r.Journeys)
	}
	if r.International.Missed+r.LastMile.Missed > 0 || r.Overpushed > 0 {
		t.Errorf("%d events never told, %d chats told a stage twice; want every parcel told once of each stage",
			r.International.Missed+r.LastMile.Missed, r.Overpushed)
	}
}

func fmtDelay(d time.Duration) string {
	if d == sim.Never {
		return "never"
	}
	return d.String()
}

func TestRunNeedsStore(t *testing.T) {
	if _, err := sim.Run(context.Background(), sim.Config{}); err == nil {
		t.Error("Run without a store succeeded")
	}
}

func TestRunStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := sim.Run(ctx, sim.Config{Journeys: 2, Store: bolt(t)}); err == nil {
		t.Error("Run with a cancelled context succeeded")
	}
}

// TestFigure is the figure run, skipped by default:
//
//	go test ./sim/ -run TestFigure -sim.journeys=10000 -timeout 2h -v
//	go test ./sim/ -run TestFigure -sim.journeys=1000 -sim.policy=20m -v
//
// It uses the Redis at TODOKU_TEST_REDIS_URL when set, else the embedded
// store.
func TestFigure(t *testing.T) {
	if *figureJourneys <= 0 {
		t.Skip("set -sim.journeys to run the figure simulation")
	}
	cfg := sim.Config{Journeys: *figureJourneys, Hints: *figureHints, Level: *figureLevel, Interval: poller.NextCheck}
	if *figurePolicy != "nextcheck" {
		d, err := time.ParseDuration(*figurePolicy)
		if err != nil || d <= 0 {
			t.Fatalf("-sim.policy=%q: want nextcheck or a positive duration", *figurePolicy)
		}
		cfg.Interval = sim.Every(d)
	}
	ctx := context.Background()
	if url := os.Getenv("TODOKU_TEST_REDIS_URL"); url != "" {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		st, err := redisstore.Open(ctx, url, redisstore.WithPrefix("sim-"+hex.EncodeToString(b)+":"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		cfg.Store = st
		t.Log("store: redis")
	} else {
		cfg.Store = bolt(t)
		t.Log("store: bolt")
	}
	start := time.Now()
	r, err := sim.Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("policy=%s hints=%v level=%s took=%s", *figurePolicy, cfg.Hints, cfg.Level, time.Since(start).Round(time.Millisecond))
	t.Log(r)
}
