package poller

import (
	"testing"
	"time"

	"github.com/todoku/todoku/tracker"
)

var (
	jst = time.FixedZone("JST", 9*60*60)
	ict = time.FixedZone("ICT", 7*60*60)
)

// at is a time of 10 March 2026 (plus days) in zone.
func at(zone *time.Location, days, hour, minute int) time.Time {
	return time.Date(2026, 3, 10+days, hour, minute, 0, 0, zone)
}

// ship is a shipment of number followed since 1 March 2026 whose events
// have the given stages and times, oldest first.
func ship(number string, events ...tracker.Event) tracker.Shipment {
	sh := tracker.Shipment{Number: number, Carrier: "sandbox", Since: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Events: events}
	sh.Stage = tracker.StageOf(events)
	return sh
}

func ev(stage tracker.Stage, t time.Time) tracker.Event {
	return tracker.Event{Stage: stage, Time: t, Text: stage.String()}
}

func TestNextCheck(t *testing.T) {
	const (
		day  = 24 * time.Hour
		jp   = "SBXJP0001"
		th   = "SBXTH0001"
		none = "ZZ1" // a number whose route tells no destination
	)
	var (
		handover  = ev(tracker.StageHandedToLastMile, at(jst, -1, 15, 0))
		office2am = ev(tracker.StageHandedToLastMile, at(jst, 0, 2, 0))
		office9am = ev(tracker.StageHandedToLastMile, at(jst, 0, 9, 0))
		customs   = ev(tracker.StageImportCustoms, at(jst, -2, 10, 0))
		transit   = ev(tracker.StageInTransit, at(jst, -1, 10, 0))
	)
	postal := func(sh tracker.Shipment) tracker.Shipment { sh.LastMile = tracker.CarrierJapanPost; return sh }
	tests := []struct {
		name string
		sh   tracker.Shipment
		now  time.Time
		err  string
		hint time.Duration
		want time.Duration
	}{
		{"delivered stops", ship(jp, ev(tracker.StageDelivered, at(jst, 0, 9, 0))), at(jst, 0, 10, 0), "", 0, 0},
		{"returned stops", ship(jp, ev(tracker.StageReturned, at(jst, 0, 9, 0))), at(jst, 0, 10, 0), "", 0, 0},
		{"final beats errors", ship(jp, ev(tracker.StageDelivered, at(jst, 0, 9, 0))), at(jst, 0, 10, 0), tracker.ErrKindUnavailable, 0, 0},
		{"silent 61 days expires", ship(jp, ev(tracker.StageInTransit, at(jst, 0, 9, 0))), at(jst, 61, 10, 0), "", 0, 0},
		{"silent 61 days expires while failing", ship(jp, ev(tracker.StageInTransit, at(jst, 0, 9, 0))), at(jst, 61, 10, 0), tracker.ErrKindUnavailable, 0, 0},
		{"followed 121 days expires", ship(jp, ev(tracker.StageInTransit, at(jst, 110, 9, 0))), at(jst, 112, 10, 0), "", 0, 0},
		{"never found in 31 days expires", ship(jp), time.Date(2026, 4, 1, 1, 0, 0, 0, time.UTC), tracker.ErrKindNotFound, 0, 0},

		{"new number", ship(jp), time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC), tracker.ErrKindNotFound, 0, 6 * time.Hour},
		{"not found for days", ship(jp), time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), tracker.ErrKindNotFound, 0, 12 * time.Hour},
		{"not found for weeks", ship(jp), time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC), tracker.ErrKindNotFound, 0, day},
		{"not found hint shortens", ship(jp), time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC), tracker.ErrKindNotFound, time.Minute, time.Minute},

		{"origin leg daily", ship(jp, ev(tracker.StagePickedUp, at(jst, 0, 1, 0))), at(jst, 0, 3, 0), "", 0, day},
		{"flight daily", ship(jp, transit), at(jst, 0, 3, 0), "", 0, day},
		{"export customs daily", ship(jp, ev(tracker.StageExportCustoms, at(jst, 0, 1, 0))), at(jst, 0, 3, 0), "", 0, day},
		{"fresh import customs every 8 hours", ship(jp, ev(tracker.StageImportCustoms, at(jst, 0, 9, 0))), at(jst, 0, 10, 0), "", 0, 8 * time.Hour},
		{"fresh import customs checked before the morning run", ship(jp, ev(tracker.StageImportCustoms, at(jst, 0, 20, 0))), at(jst, 0, 23, 0), "", 0, 7*time.Hour + 40*time.Minute},
		{"stale import customs once a day before the run", ship(jp, customs), at(jst, 0, 6, 50), "", 0, 23*time.Hour + 50*time.Minute},
		{"customs without a destination clock", ship(none, ev(tracker.StageImportCustoms, at(time.UTC, -2, 0, 0))), at(time.UTC, 0, 0, 0), "", 0, 8 * time.Hour},

		{"handed over: before the afternoon run", ship(jp, customs, handover), at(jst, 0, 9, 0), "", 0, 3*time.Hour + 40*time.Minute},
		{"handed over: before the morning run", ship(jp, customs, handover), at(jst, 0, 20, 0), "", 0, 10*time.Hour + 40*time.Minute},
		{"handed over to a post: morning run only", postal(ship(jp, customs, handover)), at(jst, 0, 9, 0), "", 0, 21*time.Hour + 40*time.Minute},
		{"handed over without a destination clock", ship(none, ev(tracker.StageHandedToLastMile, at(time.UTC, 0, 0, 0))), at(time.UTC, 0, 1, 0), "", 0, 3 * time.Hour},

		{"at the office at night: first check as the run begins", ship(jp, handover, office2am), at(jst, 0, 6, 40), "", 0, 25 * time.Minute},
		{"at the office in the morning run", ship(jp, handover, office2am), at(jst, 0, 8, 0), "", 0, runPoll},
		{"morning run over: the afternoon run", ship(jp, handover, office2am), at(jst, 0, 10, 50), "", 0, 2*time.Hour + 15*time.Minute},
		{"in the afternoon run", ship(jp, handover, office2am), at(jst, 0, 14, 0), "", 0, runPoll},
		{"runs over: tomorrow's", ship(jp, handover, office2am), at(jst, 0, 16, 0), "", 0, 15*time.Hour + 5*time.Minute},
		{"post: the morning run only", postal(ship(jp, handover, office2am)), at(jst, 0, 10, 50), "", 0, 20*time.Hour + 15*time.Minute},
		{"arrived after the morning cutoff", ship(jp, handover, office9am), at(jst, 0, 9, 30), "", 0, 3*time.Hour + 35*time.Minute},
		{"arrived after the cutoff, post", postal(ship(jp, handover, office9am)), at(jst, 0, 9, 30), "", 0, 21*time.Hour + 35*time.Minute},
		{"Thailand's clock from the number, events in UTC", ship(th, ev(tracker.StageHandedToLastMile, at(ict, -1, 15, 0).UTC()),
			ev(tracker.StageHandedToLastMile, at(ict, 0, 2, 0).UTC())), at(ict, 0, 8, 0), "", 0, runPoll},
		{"Thailand before the run", ship(th, ev(tracker.StageHandedToLastMile, at(ict, -1, 15, 0)),
			ev(tracker.StageHandedToLastMile, at(ict, 0, 2, 0))), at(jst, 0, 8, 0), "", 0, 65 * time.Minute},
		{"clock from the events' zone", ship(none, handover, office2am), at(jst, 0, 16, 0), "", 0, 15*time.Hour + 5*time.Minute},
		{"no clock at all: every half hour", ship(none, ev(tracker.StageHandedToLastMile, at(time.UTC, -1, 0, 0)),
			ev(tracker.StageHandedToLastMile, at(time.UTC, 0, 0, 0))), at(time.UTC, 0, 1, 0), "", 0, 30 * time.Minute},

		{"out for delivery through the day", ship(jp, office2am, ev(tracker.StageOutForDelivery, at(jst, 0, 8, 0))), at(jst, 0, 10, 0), "", 0, outPoll},
		{"out for delivery: the day's last check", ship(jp, office2am, ev(tracker.StageOutForDelivery, at(jst, 0, 8, 0))), at(jst, 0, 20, 0), "", 0, 90 * time.Minute},
		{"out for delivery at night: next morning", ship(jp, office2am, ev(tracker.StageOutForDelivery, at(jst, 0, 8, 0))), at(jst, 0, 21, 30), "", 0, 9*time.Hour + 30*time.Minute},
		{"out for delivery before the day", ship(jp, office2am, ev(tracker.StageOutForDelivery, at(jst, 0, 8, 0))), at(jst, 1, 5, 0), "", 0, 2 * time.Hour},
		{"attempted: tomorrow's run", ship(jp, office2am, ev(tracker.StageAttemptedDelivery, at(jst, 0, 14, 0))), at(jst, 0, 14, 30), "", 0, 16*time.Hour + 35*time.Minute},
		{"attempted in the morning: the afternoon run", ship(jp, office2am, ev(tracker.StageAttemptedDelivery, at(jst, 0, 10, 0))), at(jst, 0, 13, 30), "", 0, runPoll},
		{"awaiting pickup by day", ship(jp, ev(tracker.StageAwaitingPickup, at(jst, 0, 9, 0))), at(jst, 0, 10, 0), "", 0, 6 * time.Hour},
		{"awaiting pickup: the day's last check", ship(jp, ev(tracker.StageAwaitingPickup, at(jst, 0, 9, 0))), at(jst, 0, 17, 0), "", 0, 4*time.Hour + 30*time.Minute},
		{"awaiting pickup at night", ship(jp, ev(tracker.StageAwaitingPickup, at(jst, 0, 9, 0))), at(jst, 0, 23, 0), "", 0, 8 * time.Hour},
		{"exception", ship(jp, ev(tracker.StageException, at(jst, 0, 9, 0))), at(jst, 0, 10, 0), "", 0, 12 * time.Hour},

		{"hint shortens", ship(jp, transit), at(jst, 0, 3, 0), "", 90 * time.Second, 90 * time.Second},
		{"hint never lengthens", ship(jp, handover, office2am), at(jst, 0, 8, 0), "", 5 * time.Hour, runPoll},
		{"hint floored", ship(jp, transit), at(jst, 0, 3, 0), "", time.Millisecond, MinInterval},
		{"source down backs off", ship(jp, transit), at(jst, 0, 3, 0), tracker.ErrKindUnavailable, 0, 30 * time.Minute},
		{"rate limited backs off", ship(jp, transit), at(jst, 0, 3, 0), tracker.ErrKindRateLimited, 0, 30 * time.Minute},
		{"retry-after lengthens", ship(jp, transit), at(jst, 0, 3, 0), tracker.ErrKindRateLimited, 2 * time.Hour, 2 * time.Hour},
		{"retry-after never shortens a back-off", ship(jp, transit), at(jst, 0, 3, 0), tracker.ErrKindUnavailable, time.Second, 30 * time.Minute},
		{"unreadable answers wait longer", ship(jp, transit), at(jst, 0, 3, 0), tracker.ErrKindBadResponse, 0, time.Hour},
		{"quota waits longest", ship(jp, transit), at(jst, 0, 3, 0), tracker.ErrKindQuota, 0, 6 * time.Hour},
		{"no source waits long", ship(jp), time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC), tracker.ErrKindNoSource, time.Minute, 12 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NextCheck(tt.sh, tt.now, tt.err, tt.hint); got != tt.want {
				t.Errorf("NextCheck(%s at %s, %s, %q, %v) = %v, want %v",
					tt.sh.Stage, tt.now.Format(time.DateTime+" MST"), tt.sh.Number, tt.err, tt.hint, got, tt.want)
			}
		})
	}
}

// TestNextCheckOutForDeliveryWithinRun: a parcel at the office is checked
// every runPoll through each window, so "out for delivery" at any minute
// of a run is seen within runPoll plus the lead.
func TestNextCheckOutForDeliveryWithinRun(t *testing.T) {
	sh := ship("SBXJP0001", ev(tracker.StageHandedToLastMile, at(jst, -1, 15, 0)), ev(tracker.StageHandedToLastMile, at(jst, 0, 1, 0)))
	var checks []time.Time
	for now := at(jst, 0, 1, 30); now.Before(at(jst, 1, 0, 0)); {
		checks = append(checks, now)
		d := NextCheck(sh, now, "", 0)
		if d <= 0 {
			t.Fatalf("stopped at %s", now)
		}
		now = now.Add(d)
	}
	for _, w := range []window{morningRun, afternoonRun} {
		from, to := w.at(midnight(at(jst, 0, 0, 0)))
		for out := from; out.Before(to.Add(-runPoll)); out = out.Add(time.Minute) {
			seen := false
			for _, c := range checks {
				if !c.Before(out) && c.Sub(out) <= runPoll {
					seen = true
				}
			}
			if !seen {
				t.Fatalf("out for delivery at %s not seen within %s; checks %v", out.Format("15:04"), runPoll, checks)
			}
		}
	}
	if len(checks) > 30 {
		t.Errorf("%d checks in a day at the office; want the windows only", len(checks))
	}
}

func TestNextCheckCoversEveryStage(t *testing.T) {
	now := at(jst, 0, 12, 0)
	for _, s := range tracker.Stages() {
		for _, number := range []string{"SBXJP0001", "ZZ1"} {
			sh := ship(number, ev(s, now.Add(-time.Hour)))
			d := NextCheck(sh, now, "", 0)
			if s.Final() != (d == 0) {
				t.Errorf("stage %v: interval %v, final %v", s, d, s.Final())
			}
			if d != 0 && (d < MinInterval || d > MaxInterval) {
				t.Errorf("stage %v: interval %v out of bounds", s, d)
			}
		}
	}
}
