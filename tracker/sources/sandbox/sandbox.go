package sandbox

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/todoku/todoku/tracker"
)

// Name is the source ID and the carrier reported for every sandbox number.
const Name = "sandbox"

// Prefix starts every number the sandbox serves.
const Prefix = "SBX"

// Options configure a Source.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Speed accelerates time: 1 is real time, 5760 makes a 12-day journey
	// take 3 minutes. Zero, negative or non-finite values mean 1.
	Speed float64
}

// Source simulates a carrier. It holds no mutable state, so it is safe for
// concurrent use, and its answers depend only on the number, the query's
// Since and the clock.
type Source struct {
	now   func() time.Time
	speed float64
}

var _ tracker.Source = (*Source)(nil)

// New returns a sandbox source.
func New(o Options) *Source {
	s := &Source{now: o.Now, speed: o.Speed}
	if s.now == nil {
		s.now = time.Now
	}
	if !(s.speed > 0) || math.IsInf(s.speed, 1) {
		s.speed = 1
	}
	return s
}

// Name returns "sandbox".
func (s *Source) Name() string { return Name }

// BatchSize is the most numbers one Fetch should carry.
func (s *Source) BatchSize() int { return 50 }

// Serves reports whether number is a canonical sandbox number: SBX, two
// upper-case letters, then 4 to 8 digits.
func (s *Source) Serves(number string) bool { return served(number) }

func served(number string) bool {
	if len(number) < len(Prefix)+2+4 || len(number) > len(Prefix)+2+8 || number[:len(Prefix)] != Prefix {
		return false
	}
	for i := len(Prefix); i < len(number); i++ {
		c := number[i]
		if i < len(Prefix)+2 {
			if c < 'A' || c > 'Z' {
				return false
			}
		} else if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Fetch answers one Result per query, in the order of the queries. Each
// journey is anchored at the query's Since (the current time when Since is
// zero) and shows the steps due by now, scaled by the source's speed. Event
// times are local to the place of the scan, as carriers report them.
// Numbers the sandbox does not serve get the not_found error kind.
func (s *Source) Fetch(ctx context.Context, qs []tracker.Query) ([]tracker.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sandbox: unable to fetch: %w", err)
	}
	now := s.now()
	out := make([]tracker.Result, 0, len(qs))
	for _, q := range qs {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("sandbox: unable to fetch: %w", err)
		}
		out = append(out, s.result(q, now))
	}
	return out, nil
}

// result is the pure core of Fetch.
func (s *Source) result(q tracker.Query, now time.Time) tracker.Result {
	r := tracker.Result{Number: q.Number, Source: Name}
	if !served(q.Number) {
		r.Error = tracker.ErrKindNotFound
		return r
	}
	r.Carrier = Name
	since := q.Since
	if since.IsZero() {
		since = now
	}
	for _, st := range Journey(q.Number, since) {
		at := since.Add(s.scaled(st.Offset)).In(st.Zone)
		if at.After(now) {
			r.NextCheck = max(at.Sub(now), time.Second)
			break
		}
		r.Events = append(r.Events, tracker.Event{
			Time:     at,
			Location: st.Location,
			Text:     st.Text,
			Code:     st.Code,
			Stage:    st.Stage,
			Source:   Name,
		})
		if st.Linked != "" {
			r.Linked = append(r.Linked, st.Linked)
		}
	}
	return r
}

// scaled turns a simulated duration into real time at the source's speed.
func (s *Source) scaled(d time.Duration) time.Duration {
	if s.speed == 1 {
		return d
	}
	return time.Duration(float64(d) / s.speed)
}
