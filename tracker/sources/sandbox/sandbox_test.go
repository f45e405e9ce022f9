package sandbox

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/todoku/todoku/tracker"
)

var since = time.Date(2026, 3, 2, 9, 30, 0, 0, time.FixedZone("JST", 9*60*60))

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func fetchOne(t *testing.T, s *Source, number string, since time.Time) tracker.Result {
	t.Helper()
	rs, err := s.Fetch(context.Background(), []tracker.Query{{Number: number, Since: since}})
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if len(rs) != 1 {
		t.Fatalf("Fetch returned %d results, want 1", len(rs))
	}
	return rs[0]
}

func TestSourceBasics(t *testing.T) {
	s := New(Options{})
	if s.Name() != "sandbox" {
		t.Errorf("Name = %q", s.Name())
	}
	if s.BatchSize() < 1 {
		t.Errorf("BatchSize = %d", s.BatchSize())
	}
}

func TestServes(t *testing.T) {
	tests := []struct {
		number string
		want   bool
	}{
		{"SBXJP0001", true},
		{"SBXTH0002", true},
		{"SBXAB12345678", true},
		{"SBXZZ99999", true},
		{"SBXJP123", false},       // too few digits
		{"SBXJP123456789", false}, // too many digits
		{"sbxjp0001", false},      // not canonical
		{"SBXJ10001", false},
		{"SBXJP00A1", false},
		{"SBX0001", false},
		{"SBYJP0001", false},
		{"LP00123456789012", false},
		{"RB123456785CN", false},
		{"", false},
	}
	s := New(Options{})
	for _, tt := range tests {
		if got := s.Serves(tt.number); got != tt.want {
			t.Errorf("Serves(%q) = %v, want %v", tt.number, got, tt.want)
		}
	}
}

func TestFetchNotServed(t *testing.T) {
	s := New(Options{Now: func() time.Time { return since.Add(100 * 24 * time.Hour) }})
	for _, n := range []string{"LP00123456789012", "sbxjp0001", "SBXJP1"} {
		r := fetchOne(t, s, n, since)
		if r.Error != tracker.ErrKindNotFound || len(r.Events) != 0 || r.Number != n || r.NextCheck != 0 {
			t.Errorf("%s: got %+v, want not_found", n, r)
		}
	}
}

func TestFetchBeforeFirstScan(t *testing.T) {
	steps := Journey("SBXJP0001", since)
	s := New(Options{Now: func() time.Time { return since }})
	r := fetchOne(t, s, "SBXJP0001", since)
	if r.Error != "" || len(r.Events) != 0 || tracker.StageOf(r.Events) != tracker.StageNotFound {
		t.Fatalf("got %+v, want no events and no error", r)
	}
	if r.NextCheck != steps[0].Offset {
		t.Errorf("NextCheck = %v, want %v", r.NextCheck, steps[0].Offset)
	}
	if r.Carrier != "sandbox" || r.Source != "sandbox" {
		t.Errorf("carrier %q, source %q", r.Carrier, r.Source)
	}
}

func TestFetchFollowsClock(t *testing.T) {
	for _, n := range []string{"SBXJP0001", "SBXJP0002", "SBXTH0003", "SBXJP0042"} {
		t.Run(n, func(t *testing.T) {
			steps := Journey(n, since)
			c := &clock{t: since}
			s := New(Options{Now: c.Now})
			prev := 0
			for c.Now().Before(since.Add(MaxJourney + time.Hour)) {
				r := fetchOne(t, s, n, since)
				if len(r.Events) < prev {
					t.Fatalf("at %v: %d events, had %d", c.Now(), len(r.Events), prev)
				}
				prev = len(r.Events)
				for i, e := range r.Events {
					want := tracker.Event{
						Time: since.Add(steps[i].Offset).In(steps[i].Zone), Location: steps[i].Location, Text: steps[i].Text,
						Code: steps[i].Code, Stage: steps[i].Stage, Source: "sandbox",
					}
					if !reflect.DeepEqual(e, want) {
						t.Fatalf("event %d = %+v, want %+v", i, e, want)
					}
					if e.Time.After(c.Now()) {
						t.Fatalf("event %d at %v is after now %v", i, e.Time, c.Now())
					}
				}
				c.Set(c.Now().Add(7 * time.Hour))
			}
			if prev != len(steps) {
				t.Errorf("ended with %d events, want %d", prev, len(steps))
			}
		})
	}
}

func TestFetchNextCheck(t *testing.T) {
	const n = "SBXTH0003"
	steps := Journey(n, since)
	c := &clock{}
	s := New(Options{Now: c.Now})
	for i, st := range steps {
		due := since.Add(st.Offset)

		c.Set(due.Add(-time.Nanosecond))
		r := fetchOne(t, s, n, since)
		if len(r.Events) != i || r.NextCheck != time.Second {
			t.Fatalf("just before step %d: %d events, NextCheck %v; want %d, 1s", i, len(r.Events), r.NextCheck, i)
		}

		c.Set(due)
		r = fetchOne(t, s, n, since)
		if len(r.Events) != i+1 {
			t.Fatalf("at step %d: %d events, want %d", i, len(r.Events), i+1)
		}
		want := time.Duration(0)
		if i+1 < len(steps) {
			want = steps[i+1].Offset - st.Offset
		}
		if r.NextCheck != want {
			t.Errorf("at step %d: NextCheck %v, want %v", i, r.NextCheck, want)
		}
	}
	c.Set(since.Add(365 * 24 * time.Hour))
	if r := fetchOne(t, s, n, since); r.NextCheck != 0 || tracker.StageOf(r.Events) != tracker.StageDelivered {
		t.Errorf("long after delivery: NextCheck %v, stage %s", r.NextCheck, tracker.StageOf(r.Events))
	}
}

func TestFetchLinked(t *testing.T) {
	for _, n := range numbers("JP") {
		steps := Journey(n, since)
		i := -1
		for j, st := range steps {
			if st.Linked != "" {
				i = j
			}
		}
		if i < 0 {
			continue
		}
		c := &clock{t: since.Add(steps[i].Offset - time.Second)}
		s := New(Options{Now: c.Now})
		if r := fetchOne(t, s, n, since); len(r.Linked) != 0 {
			t.Fatalf("%s: linked %v before the handover", n, r.Linked)
		}
		c.Set(since.Add(steps[i].Offset))
		r := fetchOne(t, s, n, since)
		if len(r.Linked) != 1 || r.Linked[0] != steps[i].Linked || !mod7(r.Linked[0]) {
			t.Fatalf("%s: linked %v after the handover, want [%s]", n, r.Linked, steps[i].Linked)
		}
		return
	}
	t.Fatal("no JP journey with a linked number")
}

func TestFetchAccelerated(t *testing.T) {
	const speed = 5760
	if got := New(Options{Speed: speed}).scaled(12 * 24 * time.Hour); got != 3*time.Minute {
		t.Fatalf("12 days at speed %d take %v, want 3m", speed, got)
	}
	c := &clock{t: since}
	s := New(Options{Now: c.Now, Speed: speed})
	var qs []tracker.Query
	for _, n := range append(numbers("JP"), numbers("TH")...) {
		qs = append(qs, tracker.Query{Number: n, Since: since})
	}
	fetch := func() []tracker.Result {
		var out []tracker.Result
		for b := range slices.Chunk(qs, s.BatchSize()) {
			rs, err := s.Fetch(context.Background(), b)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, rs...)
		}
		return out
	}
	c.Set(since.Add(time.Minute))
	for _, r := range fetch() {
		if st := tracker.StageOf(r.Events); st == tracker.StageDelivered {
			t.Errorf("%s: delivered after one minute", r.Number)
		}
		if r.NextCheck <= 0 || r.NextCheck > time.Minute {
			t.Errorf("%s: NextCheck %v at speed %d", r.Number, r.NextCheck, speed)
		}
	}
	c.Set(since.Add(5 * time.Minute))
	for _, r := range fetch() {
		if st := tracker.StageOf(r.Events); st != tracker.StageDelivered || r.NextCheck != 0 {
			t.Errorf("%s: at %s with NextCheck %v after five minutes", r.Number, st, r.NextCheck)
		}
		steps := Journey(r.Number, since)
		for i, e := range r.Events {
			if want := since.Add(time.Duration(float64(steps[i].Offset) / speed)); !e.Time.Equal(want) {
				t.Fatalf("%s: event %d at %v, want %v", r.Number, i, e.Time, want)
			}
			if i > 0 && e.Time.Before(r.Events[i-1].Time) {
				t.Fatalf("%s: event %d goes back in time", r.Number, i)
			}
		}
	}
}

func TestSpeedDefault(t *testing.T) {
	for _, speed := range []float64{0, -3} {
		if got := New(Options{Speed: speed}).scaled(time.Hour); got != time.Hour {
			t.Errorf("speed %v: an hour takes %v", speed, got)
		}
	}
}

func TestFetchDeterministic(t *testing.T) {
	now := since.Add(9 * 24 * time.Hour)
	qs := []tracker.Query{
		{Number: "SBXJP0001", Since: since},
		{Number: "LP00123456789012", Since: since},
		{Number: "SBXTH0150", Since: since.Add(-time.Hour)},
		{Number: "SBXAB1234", Since: since},
	}
	a, err := New(Options{Now: func() time.Time { return now }}).Fetch(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Options{Now: func() time.Time { return now }}).Fetch(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two sources disagree on the same queries and clock")
	}
	for i, r := range a {
		if r.Number != qs[i].Number {
			t.Errorf("result %d is for %s, want %s", i, r.Number, qs[i].Number)
		}
	}
}

func TestFetchZeroSince(t *testing.T) {
	now := since
	s := New(Options{Now: func() time.Time { return now }})
	r := fetchOne(t, s, "SBXJP0001", time.Time{})
	if len(r.Events) != 0 || r.Error != "" || r.NextCheck != Journey("SBXJP0001", since)[0].Offset {
		t.Errorf("zero Since: got %+v, want the journey to start now", r)
	}
}

func TestFetchCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rs, err := New(Options{}).Fetch(ctx, []tracker.Query{{Number: "SBXJP0001", Since: since}})
	if !errors.Is(err, context.Canceled) || rs != nil {
		t.Errorf("got %v, %v; want context.Canceled", rs, err)
	}
}

func TestFetchConcurrent(t *testing.T) {
	now := since.Add(11 * 24 * time.Hour)
	s := New(Options{Now: func() time.Time { return now }, Speed: 1})
	qs := []tracker.Query{{Number: "SBXJP0007", Since: since}, {Number: "SBXTH0008", Since: since}}
	want, err := s.Fetch(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 20 {
				got, err := s.Fetch(context.Background(), qs)
				if err != nil || !reflect.DeepEqual(got, want) {
					t.Errorf("concurrent fetch differs: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
}
