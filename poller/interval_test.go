package poller

import (
	"testing"
	"time"

	"github.com/todoku/todoku/tracker"
)

func TestNextCheck(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		name  string
		stage tracker.Stage
		since time.Duration
		err   string
		hint  time.Duration
		want  time.Duration
	}{
		{"delivered stops", tracker.StageDelivered, 0, "", 0, 0},
		{"returned stops", tracker.StageReturned, 0, "", 0, 0},
		{"lost stops", tracker.StageLost, 0, "", 0, 0},
		{"expired stops", tracker.StageExpired, 0, "", time.Minute, 0},
		{"out for delivery is tight", tracker.StageOutForDelivery, time.Hour, "", 0, 20 * time.Minute},
		{"last mile hourly", tracker.StageHandedToLastMile, time.Hour, "", 0, time.Hour},
		{"in transit", tracker.StageInTransit, day, "", 0, 4 * time.Hour},
		{"silent for days doubles", tracker.StageInTransit, 4 * day, "", 0, 8 * time.Hour},
		{"silent for weeks triples", tracker.StageInTransit, 20 * day, "", 0, MaxInterval},
		{"not found", tracker.StageNotFound, 0, "", 0, 3 * time.Hour},
		{"new shipment", tracker.StageUnknown, 0, "", 0, 3 * time.Hour},
		{"hint shortens", tracker.StageInTransit, day, "", 90 * time.Second, 90 * time.Second},
		{"hint never lengthens", tracker.StageOutForDelivery, 0, "", 5 * time.Hour, 20 * time.Minute},
		{"hint floored", tracker.StageInTransit, 0, "", time.Millisecond, MinInterval},
		{"source down backs off", tracker.StageInTransit, 0, tracker.ErrKindUnavailable, 0, 30 * time.Minute},
		{"no source waits long", tracker.StageUnknown, 0, tracker.ErrKindNoSource, time.Minute, MaxInterval},
		{"rate limited backs off", tracker.StageInTransit, 0, tracker.ErrKindRateLimited, 0, 30 * time.Minute},
		{"retry-after lengthens", tracker.StageInTransit, 0, tracker.ErrKindRateLimited, 2 * time.Hour, 2 * time.Hour},
		{"retry-after never shortens a back-off", tracker.StageInTransit, 0, tracker.ErrKindUnavailable, time.Second, 30 * time.Minute},
		{"unreadable answers wait longer", tracker.StageInTransit, 0, tracker.ErrKindBadResponse, 0, time.Hour},
		{"quota waits longest", tracker.StageInTransit, 0, tracker.ErrKindQuota, 0, 6 * time.Hour},
		{"not found hint shortens", tracker.StageNotFound, 0, tracker.ErrKindNotFound, time.Minute, time.Minute},
		{"final beats errors", tracker.StageDelivered, 0, tracker.ErrKindUnavailable, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NextCheck(tt.stage, tt.since, tt.err, tt.hint); got != tt.want {
				t.Errorf("NextCheck(%v, %v, %q, %v) = %v, want %v", tt.stage, tt.since, tt.err, tt.hint, got, tt.want)
			}
		})
	}
}

func TestNextCheckCoversEveryStage(t *testing.T) {
	for _, s := range tracker.Stages() {
		d := NextCheck(s, 0, "", 0)
		if s.Final() != (d == 0) {
			t.Errorf("stage %v: interval %v, final %v", s, d, s.Final())
		}
		if d != 0 && (d < MinInterval || d > MaxInterval) {
			t.Errorf("stage %v: interval %v out of bounds", s, d)
		}
	}
}
