package poller_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/todoku/todoku/poller"
	"github.com/todoku/todoku/tracker"
)

// scripted is a source whose answers the test sets per number.
type scripted struct {
	name    string
	prefix  string
	mu      sync.Mutex
	answers map[string]tracker.Result
	err     error
	calls   [][]string
}

func (s *scripted) Name() string              { return s.name }
func (s *scripted) Serves(number string) bool { return strings.HasPrefix(number, s.prefix) }
func (s *scripted) BatchSize() int            { return 10 }

func (s *scripted) Fetch(_ context.Context, qs []tracker.Query) ([]tracker.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var nums []string
	for _, q := range qs {
		nums = append(nums, q.Number)
	}
	s.calls = append(s.calls, nums)
	if s.err != nil {
		return nil, s.err
	}
	var out []tracker.Result
	for _, q := range qs {
		r, ok := s.answers[q.Number]
		if !ok {
			r = tracker.Result{Number: q.Number, Error: tracker.ErrKindNotFound}
		}
		out = append(out, r)
	}
	return out, nil
}

func (s *scripted) set(r tracker.Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.answers == nil {
		s.answers = map[string]tracker.Result{}
	}
	s.answers[r.Number] = r
}

func (s *scripted) callCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

func at(base time.Time, h int, s tracker.Stage, text string) tracker.Event {
	return tracker.Event{Time: base.Add(time.Duration(h) * time.Hour), Text: text, Code: s.String(), Stage: s}
}

func TestFallThroughOnNotFound(t *testing.T) {
	e := newEnv(t)
	e.follow(t, "LP00000000000001")
	first := &scripted{name: "first", prefix: "LP"}
	second := &scripted{name: "second", prefix: "LP"}
	second.set(tracker.Result{Number: "LP00000000000001", Events: []tracker.Event{at(e.now, -1, tracker.StageInTransit, "moving")}})
	p := poller.New(poller.Config{Store: e.st, Sources: []tracker.Source{first, second}, Now: func() time.Time { return e.now }})
	if _, err := p.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	sh, err := e.st.Shipment(context.Background(), "LP00000000000001")
	if err != nil || sh.Stage != tracker.StageInTransit || sh.Source != "second" {
		t.Errorf("shipment %+v (err %v); want in transit from the second source", sh, err)
	}
	if first.callCount() != 1 || second.callCount() != 1 {
		t.Errorf("calls: first %d, second %d", first.callCount(), second.callCount())
	}
}

// TestHandoverFollowsTheLastMile: the international source names a
// domestic number; from then on the poller also asks the domestic
// carrier's source and the shipment tells one story, and the domestic
// number resolves to the international one.
func TestHandoverFollowsTheLastMile(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const intl, domestic = "LP00000000000001", "123456789013"
	e.follow(t, intl)
	cainiao := &scripted{name: "cainiao", prefix: "LP"}
	japanPost := &scripted{name: "japan-post", prefix: "1"}
	yamato := &scripted{name: "yamato", prefix: "1"} // serves the same shape; must not be asked
	p := poller.New(poller.Config{Store: e.st, Sources: []tracker.Source{cainiao, yamato, japanPost}, Now: func() time.Time { return e.now }})
	base := e.now

	cainiao.set(tracker.Result{Number: intl, Events: []tracker.Event{
		at(base, 1, tracker.StageDepartedOrigin, "Departed"),
		at(base, 50, tracker.StageHandedToLastMile, "Handed over to Japan Post"),
	}, Linked: []string{domestic}, LastMile: "japan-post"})
	e.now = base.Add(51 * time.Hour)
	if _, err := p.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	sh, _ := e.st.Shipment(ctx, intl)
	if sh.Stage != tracker.StageHandedToLastMile || !slices.Equal(sh.Linked, []string{domestic}) || sh.LastMile != "japan-post" {
		t.Fatalf("after the handover: %+v", sh)
	}
	if got, _ := e.st.Resolve(ctx, domestic); got != intl {
		t.Errorf("Resolve(%s) = %s, want %s", domestic, got, intl)
	}
	if yamato.callCount() != 0 || japanPost.callCount() != 1 {
		t.Errorf("domestic number asked of yamato %d times, japan-post %d times", yamato.callCount(), japanPost.callCount())
	}

	// The domestic carrier starts its own story with an acceptance scan and
	// then delivers; the international source has nothing more.
	japanPost.set(tracker.Result{Number: domestic, Events: []tracker.Event{
		at(base, 60, tracker.StagePickedUp, "引受"),
		at(base, 70, tracker.StageOutForDelivery, "配達中"),
	}})
	e.now = base.Add(80 * time.Hour)
	if _, err := p.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	sh, _ = e.st.Shipment(ctx, intl)
	var stages []tracker.Stage
	for _, ev := range sh.Events {
		stages = append(stages, ev.Stage)
	}
	want := []tracker.Stage{tracker.StageDepartedOrigin, tracker.StageHandedToLastMile, tracker.StageHandedToLastMile, tracker.StageOutForDelivery}
	if !slices.Equal(stages, want) || sh.Stage != tracker.StageOutForDelivery {
		t.Errorf("story %v at %v; want %v", stages, sh.Stage, want)
	}
	if _, err := e.st.Shipment(ctx, domestic); err == nil {
		t.Error("the domestic number got a shipment of its own")
	}
}

func TestFailingSourceIsHeldBack(t *testing.T) {
	e := newEnv(t)
	e.follow(t, "LP00000000000001")
	src := &scripted{name: "cainiao", prefix: "LP", err: &tracker.FetchError{Source: "cainiao", Kind: tracker.ErrKindRateLimited, RetryAfter: 2 * time.Hour, Err: errors.New("HTTP 429")}}
	p := poller.New(poller.Config{Store: e.st, Sources: []tracker.Source{src}, Now: func() time.Time { return e.now }})
	ctx := context.Background()
	if _, err := p.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	h := p.Health()
	if len(h) != 1 || h[0].OK || h[0].LastError != tracker.ErrKindRateLimited || !h[0].BlockedUntil.Equal(e.now.Add(2*time.Hour)) {
		t.Errorf("health %+v", h)
	}
	sh, _ := e.st.Shipment(ctx, "LP00000000000001")
	if sh.Error != tracker.ErrKindRateLimited || !sh.FailingSince.Equal(e.now) || sh.Stage != tracker.StageUnknown {
		t.Errorf("shipment after a 429: %+v", sh)
	}
	// Not due before the source's Retry-After has passed.
	e.now = e.now.Add(time.Hour)
	if n, _ := p.Tick(ctx); n != 0 {
		t.Errorf("claimed %d numbers while the source asked to wait", n)
	}
	// A second number of the same source, due now, is not sent to it either.
	e.follow(t, "LP00000000000002")
	if _, err := p.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if src.callCount() != 1 {
		t.Errorf("the held-back source was called %d times", src.callCount())
	}
	e.now = e.now.Add(time.Hour + time.Second)
	src.err = nil
	src.set(tracker.Result{Number: "LP00000000000001", Events: []tracker.Event{at(e.now, -1, tracker.StageInTransit, "moving")}})
	if _, err := p.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if h := p.Health(); !h[0].OK {
		t.Errorf("health after a success %+v", h)
	}
	sh, _ = e.st.Shipment(ctx, "LP00000000000001")
	if sh.Error != "" || !sh.FailingSince.IsZero() || sh.Stage != tracker.StageInTransit {
		t.Errorf("shipment after recovery %+v", sh)
	}
}

func TestIngestPushedResults(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.follow(t, "LP00000000000001")
	p := poller.New(poller.Config{Store: e.st, Now: func() time.Time { return e.now }})
	if err := p.Ingest(ctx, tracker.Result{Number: "LP00000000000001", Source: "17track", Events: []tracker.Event{at(e.now, -2, tracker.StageDepartedOrigin, "Departed")}}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.Link(ctx, "123456789013", "LP00000000000001"); err != nil {
		t.Fatal(err)
	}
	if err := p.Ingest(ctx, tracker.Result{Number: "123456789013", Source: "17track", Events: []tracker.Event{at(e.now, -1, tracker.StageDelivered, "お届け済み")}}); err != nil {
		t.Fatal(err)
	}
	sh, _ := e.st.Shipment(ctx, "LP00000000000001")
	if sh.Stage != tracker.StageDelivered || len(sh.Events) != 2 {
		t.Errorf("after pushes: %+v", sh)
	}
	if err := p.Ingest(ctx, tracker.Result{Number: "RB004010604CN", Events: []tracker.Event{at(e.now, -1, tracker.StageDelivered, "x")}}); err != nil {
		t.Errorf("a push for a number nobody follows: %v", err)
	}
	if _, err := e.st.Shipment(ctx, "RB004010604CN"); err == nil {
		t.Error("a push for a number nobody follows created a shipment")
	}
}

func TestAnsweringSourceIsAskedFirst(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.follow(t, "LP00000000000001")
	first := &scripted{name: "first", prefix: "LP"}
	second := &scripted{name: "second", prefix: "LP"}
	second.set(tracker.Result{Number: "LP00000000000001", Events: []tracker.Event{at(e.now, -1, tracker.StageInTransit, "moving")}})
	p := poller.New(poller.Config{Store: e.st, Sources: []tracker.Source{first, second}, Now: func() time.Time { return e.now }})
	for range 3 {
		if _, err := p.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		e.now = e.now.Add(24 * time.Hour) // the in-transit interval
	}
	if first.callCount() != 1 || second.callCount() != 3 {
		t.Errorf("calls: first %d, second %d; want the source that knows the number asked first after the first round", first.callCount(), second.callCount())
	}
}

// pushing is a scripted source that pushes its updates.
type pushing struct{ *scripted }

func (pushing) Pushes() bool { return true }

func TestPushingSourcesArePolledRarely(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.follow(t, "LP00000000000001")
	src := pushing{&scripted{name: "17track", prefix: "LP"}}
	src.set(tracker.Result{Number: "LP00000000000001", Events: []tracker.Event{at(e.now, -1, tracker.StageOutForDelivery, "out")}})
	p := poller.New(poller.Config{Store: e.st, Sources: []tracker.Source{src}, Now: func() time.Time { return e.now }})
	if _, err := p.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(poller.PushFallback - time.Minute)
	if n, _ := p.Tick(ctx); n != 0 {
		t.Errorf("a number of a pushing source was polled again after %v", poller.PushFallback-time.Minute)
	}
	e.now = e.now.Add(2 * time.Minute)
	if n, _ := p.Tick(ctx); n != 1 {
		t.Errorf("the fallback poll did not come after %v", poller.PushFallback)
	}
}

func TestDeliveredTimelinesAreKept(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.follow(t, "LP00000000000001")
	src := &scripted{name: "cainiao", prefix: "LP"}
	src.set(tracker.Result{Number: "LP00000000000001", Events: []tracker.Event{
		at(e.now, -50, tracker.StageDepartedOrigin, "Departed"), at(e.now, -1, tracker.StageDelivered, "Delivered")}})
	p := poller.New(poller.Config{Store: e.st, Sources: []tracker.Source{src}, Now: func() time.Time { return e.now }})
	if _, err := p.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := e.st.Delivered(ctx, 10)
	if err != nil || len(got) != 1 || got[0].Number != "LP00000000000001" || len(got[0].Events) != 2 {
		t.Errorf("Delivered = %+v, %v", got, err)
	}
}
