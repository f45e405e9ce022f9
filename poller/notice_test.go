package poller

import (
	"testing"
	"time"

	"github.com/todoku/todoku/tracker"
)

func TestFailingCrossed(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	sh := func(failing, checked time.Duration) tracker.Shipment {
		s := tracker.Shipment{Number: "LP00123456789012", CheckedAt: t0.Add(checked)}
		if failing >= 0 {
			s.FailingSince = t0.Add(failing)
		}
		return s
	}
	const never = -1
	tests := []struct {
		name      string
		old, snap tracker.Shipment
		want      bool
	}{
		{"answering", sh(never, 0), sh(never, time.Hour), false},
		{"failing for less than an hour", sh(0, 0), sh(0, 59*time.Minute), false},
		{"an hour reached on this check", sh(0, 30*time.Minute), sh(0, 61*time.Minute), true},
		{"exactly an hour", sh(0, 30*time.Minute), sh(0, time.Hour), true},
		{"already past an hour before", sh(0, 61*time.Minute), sh(0, 91*time.Minute), false},
		{"first check after a long gap fails for long", sh(never, 0), sh(0, 0), false},
		{"a new outage after a recovery", sh(2*time.Hour, 2*time.Hour), sh(2*time.Hour, 3*time.Hour+time.Minute), true},
		{"failing since before the previous check, seen late", sh(never, 0), sh(10*time.Minute, 2*time.Hour), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := failingCrossed(tc.old, tc.snap); got != tc.want {
				t.Errorf("failingCrossed = %v, want %v", got, tc.want)
			}
		})
	}
}
