package poller_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/todoku/todoku/poller"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/store/boltstore"
	"github.com/todoku/todoku/tracker"
)

// fakeSource answers from a table, counts concurrent fetches and can fail.
type fakeSource struct {
	batch    int
	stage    tracker.Stage
	fail     error
	inFlight atomic.Int32
	peak     atomic.Int32
	mu       sync.Mutex
	batches  []int
}

func (f *fakeSource) Name() string              { return "fake" }
func (f *fakeSource) Serves(number string) bool { return strings.HasPrefix(number, "LP") }
func (f *fakeSource) BatchSize() int            { return f.batch }

func (f *fakeSource) Fetch(ctx context.Context, qs []tracker.Query) ([]tracker.Result, error) {
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	time.Sleep(time.Millisecond) // let fetches overlap
	f.mu.Lock()
	f.batches = append(f.batches, len(qs))
	f.mu.Unlock()
	if f.fail != nil {
		return nil, f.fail
	}
	var out []tracker.Result
	for _, q := range qs {
		out = append(out, tracker.Result{Number: q.Number, Events: []tracker.Event{{
			Time: q.Since.Add(time.Hour), Text: "scan", Stage: f.stage,
		}}})
	}
	return out, nil
}

type env struct {
	st  *boltstore.Store
	now time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &env{st: st, now: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}
}

func (e *env) follow(t *testing.T, numbers ...string) {
	t.Helper()
	for _, n := range numbers {
		sub := store.Subscription{Chat: store.ChatKey{Platform: "test", ID: "1"}, Number: n, CreatedAt: e.now}
		if _, _, _, err := e.st.Subscribe(context.Background(), sub, tracker.Shipment{Number: n, Since: e.now}); err != nil {
			t.Fatal(err)
		}
	}
}

func numbers(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("LP%014d", i))
	}
	return out
}

func TestTickBatchesAndBoundsConcurrency(t *testing.T) {
	e := newEnv(t)
	e.follow(t, numbers(95)...)
	src := &fakeSource{batch: 10, stage: tracker.StageInTransit}
	p := poller.New(poller.Config{Store: e.st, Sources: []tracker.Source{src}, Now: func() time.Time { return e.now }, Workers: 3, Batch: 1000})
	n, err := p.Tick(context.Background())
	if err != nil || n != 95 {
		t.Fatalf("Tick = %d, %v; want 95 numbers", n, err)
	}
	total := 0
	for _, b := range src.batches {
		if b > 10 {
			t.Errorf("a fetch carried %d numbers, more than the batch size 10", b)
		}
		total += b
	}
	if total != 95 || len(src.batches) != 10 {
		t.Errorf("fetched %d numbers in %d batches, want 95 in 10", total, len(src.batches))
	}
	if peak := src.peak.Load(); peak > 3 {
		t.Errorf("%d fetches ran at once, want at most 3", peak)
	}
	sh, err := e.st.Shipment(context.Background(), "LP00000000000007")
	if err != nil || sh.Stage != tracker.StageInTransit || !sh.CheckedAt.Equal(e.now) {
		t.Errorf("snapshot %+v (err %v)", sh, err)
	}
	if n, _ := p.Tick(context.Background()); n != 0 {
		t.Errorf("second tick at the same time claimed %d numbers", n)
	}
	e.now = e.now.Add(24 * time.Hour) // the in-transit interval
	if n, _ := p.Tick(context.Background()); n != 95 {
		t.Errorf("tick after the interval claimed %d numbers, want 95", n)
	}
}

func TestTickStopsDelivered(t *testing.T) {
	e := newEnv(t)
	e.follow(t, "LP00000000000001")
	p := poller.New(poller.Config{Store: e.st, Sources: []tracker.Source{&fakeSource{batch: 5, stage: tracker.StageDelivered}}, Now: func() time.Time { return e.now }})
	if n, err := p.Tick(context.Background()); n != 1 || err != nil {
		t.Fatalf("Tick = %d, %v", n, err)
	}
	e.now = e.now.Add(365 * 24 * time.Hour)
	if n, _ := p.Tick(context.Background()); n != 0 {
		t.Errorf("a delivered parcel was checked again")
	}
}

func TestTickRecordsFailures(t *testing.T) {
	e := newEnv(t)
	e.follow(t, "LP00000000000001", "RB004010604CN")
	src := &fakeSource{batch: 5, fail: errors.New("connection reset")}
	p := poller.New(poller.Config{Store: e.st, Sources: []tracker.Source{src}, Now: func() time.Time { return e.now }})
	if n, _ := p.Tick(context.Background()); n != 2 {
		t.Fatalf("claimed %d, want 2", n)
	}
	for number, kind := range map[string]string{"LP00000000000001": tracker.ErrKindUnavailable, "RB004010604CN": tracker.ErrKindNoSource} {
		sh, err := e.st.Shipment(context.Background(), number)
		if err != nil || sh.Error != kind {
			t.Errorf("%s: error %q (err %v), want %q", number, sh.Error, err, kind)
		}
	}
	// The failing source is retried after its back-off, before the number
	// nobody serves.
	e.now = e.now.Add(31 * time.Minute)
	src.fail = nil
	if n, _ := p.Tick(context.Background()); n != 1 {
		t.Errorf("after the back-off claimed %d, want 1", n)
	}
}

func TestCheckWhileLeased(t *testing.T) {
	e := newEnv(t)
	e.follow(t, "LP00000000000001")
	src := &fakeSource{batch: 5, stage: tracker.StageInTransit}
	p := poller.New(poller.Config{Store: e.st, Sources: []tracker.Source{src}, Now: func() time.Time { return e.now }})
	if _, err := e.st.ClaimNumber(context.Background(), "LP00000000000001", e.now, time.Minute); err != nil {
		t.Fatal(err)
	}
	sh, err := p.Check(context.Background(), tracker.Shipment{Number: "LP00000000000001", Since: e.now})
	if err != nil || sh.Number != "LP00000000000001" || len(src.batches) != 0 {
		t.Errorf("Check on a leased number = %+v, %v after %d fetches; want the stored snapshot, no fetch", sh, err, len(src.batches))
	}
	sh, err = p.Check(context.Background(), tracker.Shipment{Number: "LP00000000000002", Since: e.now})
	if err != nil || sh.Stage != tracker.StageInTransit {
		t.Errorf("Check of a new number = %+v, %v", sh, err)
	}
}

func TestRunStopsWithContext(t *testing.T) {
	e := newEnv(t)
	p := poller.New(poller.Config{Store: e.st, Idle: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop after cancel")
	}
}
