package poller

import (
	"time"

	"github.com/todoku/todoku/tracker"
)

// Policy says how long to wait before checking a shipment again, or 0 to
// stop polling it. sh is the snapshot the check just produced, now the time
// of the check, errKind the failure kind of the check ("" on success) and
// hint the source's own wait (a positive tracker.Result.NextCheck).
type Policy func(sh tracker.Shipment, now time.Time, errKind string, hint time.Duration) time.Duration

var _ Policy = NextCheck

// Bounds of every interval NextCheck returns for a shipment still moving.
const (
	MinInterval = 1 * time.Second
	MaxInterval = 24 * time.Hour
)

// A shipment is expired, and no longer polled, when it has been silent this
// long, or followed this long, or never found this long.
const (
	ExpireSilent   = 60 * 24 * time.Hour
	ExpireFollowed = 120 * 24 * time.Hour
	ExpireNotFound = 30 * 24 * time.Hour
)

// Delivery runs, in minutes of the destination's local day. Carriers scan
// "out for delivery" when the run leaves the delivery office: the bulk
// between 07:00 and 10:30, and a smaller afternoon run of the courier
// carriers between 13:00 and 15:00; the windows leave a margin after both.
// A run takes the parcels sorted at the office by its cutoff: those that
// arrive once the run has begun to leave wait for the next.
var (
	morningRun   = window{from: 7 * 60, to: 10*60 + 45, cutoff: 7 * 60}
	afternoonRun = window{from: 13 * 60, to: 15*60 + 15, cutoff: 12 * 60}
)

// Intervals of the last mile.
const (
	// runPoll is the interval within a delivery run's window once the
	// parcel waits at the delivery office: "out for delivery" reaches the
	// chat within it.
	runPoll = 20 * time.Minute
	// runLead is how long after a window opens its first check comes.
	runLead = 5 * time.Minute
	// preRun is how long before a window opens a parcel still on its way
	// to the delivery office is checked, to see whether it arrived.
	preRun = 20 * time.Minute
	// outPoll is the interval after "out for delivery" during the working
	// day, to tell "delivered" the same day.
	outPoll = 2 * time.Hour
	// dayStart and dayEnd bound the working day, in minutes.
	dayStart = 7 * 60
	dayEnd   = 21*60 + 30
)

// NextCheck is the polling policy. It is pure: a final stage stops; so does
// a shipment expired after a long silence. After a failure, the back-off of
// the failure kind applies, lengthened by the source's wait (e.g.
// Retry-After). Otherwise the shipment's place in its journey, read on the
// destination's local clock, decides:
//
//   - the international leg is not urgent: a check a day; in the
//     destination country before the handover, where the next scans follow
//     within hours, every 8 hours right after a scan and always just before
//     the morning run;
//   - on its way to the delivery office, a parcel is checked just before
//     each delivery run's window opens;
//   - at the delivery office, or after a failed attempt, every 20 minutes
//     within the windows of the runs that can take it, and not at all
//     between them;
//   - out for delivery, every two hours through the working day;
//   - awaiting pickup, every few hours of the day.
//
// A positive hint from a source that answered shortens the wait.
func NextCheck(sh tracker.Shipment, now time.Time, errKind string, hint time.Duration) time.Duration {
	if sh.Stage.Final() || expired(sh, now) {
		return 0
	}
	var d time.Duration
	switch errKind {
	case tracker.ErrKindNoSource:
		return 12 * time.Hour
	case tracker.ErrKindUnavailable, tracker.ErrKindRateLimited:
		d = 30 * time.Minute
	case tracker.ErrKindBadResponse:
		d = time.Hour
	case tracker.ErrKindQuota:
		d = 6 * time.Hour
	default:
		d = schedule(sh, now)
	}
	failed := errKind != "" && errKind != tracker.ErrKindNotFound
	if hint > 0 && (hint < d) != failed {
		d = hint
	}
	return min(max(d, MinInterval), MaxInterval)
}

// expired reports whether a shipment is past any plausible delivery.
func expired(sh tracker.Shipment, now time.Time) bool {
	if !sh.Since.IsZero() && now.Sub(sh.Since) > ExpireFollowed {
		return true
	}
	last, ok := sh.Latest()
	switch {
	case ok:
		return now.Sub(last.Time) > ExpireSilent
	case !sh.Since.IsZero():
		return now.Sub(sh.Since) > ExpireNotFound
	}
	return false
}

// schedule is the interval of a shipment whose check succeeded.
func schedule(sh tracker.Shipment, now time.Time) time.Duration {
	const day = 24 * time.Hour
	last, ok := sh.Latest()
	if !ok {
		// Not scanned yet: a new number usually shows within days.
		switch silent := now.Sub(sh.Since); {
		case sh.Since.IsZero() || silent < 2*day:
			return 6 * time.Hour
		case silent < 7*day:
			return 12 * time.Hour
		}
		return day
	}
	loc, local := destZone(sh)
	fresh := now.Sub(last.Time) < day // the next scan may follow within hours
	switch sh.Stage {
	case tracker.StageNotFound, tracker.StageUnknown, tracker.StageInfoReceived, tracker.StagePickedUp,
		tracker.StageAtSortingCenter, tracker.StageExportCustoms, tracker.StageDepartedOrigin, tracker.StageInTransit:
		return day
	case tracker.StageArrivedDestination, tracker.StageImportCustoms:
		// The handover follows within hours to days: every 8 hours right
		// after a scan, and always a check before the morning run, which
		// sees a parcel that went through the night.
		if !local {
			return 8 * time.Hour
		}
		d := untilPreRun(now.In(loc), true)
		if fresh {
			d = min(d, 8*time.Hour)
		}
		return d
	case tracker.StageHandedToLastMile:
		if !atOffice(sh) {
			if !local {
				return 3 * time.Hour
			}
			// Scans on the way tell nothing urgent: what matters is
			// whether it reached the office before a run leaves.
			return untilPreRun(now.In(loc), postal(sh))
		}
		return runWait(sh, now, last.Time, loc, local)
	case tracker.StageAttemptedDelivery:
		return runWait(sh, now, last.Time, loc, local)
	case tracker.StageOutForDelivery:
		return daytime(now, loc, local, outPoll)
	case tracker.StageAwaitingPickup:
		return daytime(now, loc, local, 6*time.Hour)
	}
	return 12 * time.Hour // exception, returning
}

// runWait is the interval of a parcel waiting at the delivery office (or
// after a failed attempt) since ready: every runPoll within the window of a
// run that can take it, else until the next such window opens. Without the
// destination's clock, every half hour.
func runWait(sh tracker.Shipment, now, ready time.Time, loc *time.Location, local bool) time.Duration {
	if !local {
		return 30 * time.Minute
	}
	t := now.In(loc)
	ready = ready.In(loc)
	runs := []window{morningRun}
	if !postal(sh) {
		runs = append(runs, afternoonRun)
	}
	day := midnight(t)
	for range 3 {
		for _, w := range runs {
			from, to := w.at(day)
			if !to.After(t) || ready.After(day.Add(minutes(w.cutoff))) {
				continue
			}
			if t.Before(from) {
				return from.Add(runLead).Sub(t)
			}
			return runPoll
		}
		day = day.AddDate(0, 0, 1)
	}
	return 12 * time.Hour // unreachable: a run of the next day always takes it
}

// untilPreRun is the wait until just before the next run's window opens.
func untilPreRun(t time.Time, postal bool) time.Duration {
	runs := []window{morningRun}
	if !postal {
		runs = append(runs, afternoonRun)
	}
	day := midnight(t)
	for range 2 {
		for _, w := range runs {
			from, _ := w.at(day)
			if at := from.Add(-preRun); at.After(t) {
				return at.Sub(t)
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return 12 * time.Hour
}

// daytime is every d through the working day, with a last check as it
// ends (so that the day's last scan is told that evening), and none at
// night. Without the destination's clock, every d.
func daytime(now time.Time, loc *time.Location, local bool, d time.Duration) time.Duration {
	if !local {
		return d
	}
	t := now.In(loc)
	day := midnight(t)
	start, end := day.Add(minutes(dayStart)), day.Add(minutes(dayEnd))
	switch {
	case t.Before(start):
		return start.Sub(t)
	case !t.Add(d).After(end):
		return d
	case t.Before(end):
		return end.Sub(t)
	}
	return start.AddDate(0, 0, 1).Sub(t)
}

// window is a delivery run's window and cutoff, in minutes of the day.
type window struct{ from, to, cutoff int }

func (w window) at(day time.Time) (time.Time, time.Time) {
	return day.Add(minutes(w.from)), day.Add(minutes(w.to))
}

func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// Destination zones. Neither Japan nor Thailand keeps daylight saving
// time, so fixed offsets are exact.
var destZones = map[string]*time.Location{
	"JP": time.FixedZone("JST", 9*60*60),
	"TH": time.FixedZone("ICT", 7*60*60),
}

// destZone is the destination's clock: the zone of the country the route
// ends in (from the last-mile carrier, the number, the linked numbers or the
// locations), else the zone of the latest destination scan when it carries
// an offset. Sources that report every time in UTC, or in China's time,
// give no destination clock of their own; without either, ok is false and
// the policy keeps a denser schedule around the clock.
func destZone(sh tracker.Shipment) (loc *time.Location, ok bool) {
	if loc, ok := destZones[tracker.RouteOf(sh).Dest]; ok {
		return loc, true
	}
	last, ok := sh.Latest()
	if !ok || last.Stage < tracker.StageArrivedDestination {
		return nil, false
	}
	if _, off := last.Time.Zone(); off != 0 {
		return last.Time.Location(), true
	}
	return nil, false
}

// atOffice reports whether a parcel with the last-mile carrier waits at
// the delivery office: a last-mile scan followed the handover. Carriers
// scan a parcel on arrival at the office the evening or night before its
// run; a parcel with several scans on the way is taken for arrived early,
// which costs checks but never misses a run.
func atOffice(sh tracker.Shipment) bool {
	n := 0
	for _, e := range sh.Events {
		if e.Stage == tracker.StageHandedToLastMile {
			n++
		}
	}
	last, _ := sh.Latest()
	return n >= 2 && last.Stage == tracker.StageHandedToLastMile
}

// postal reports whether the last mile is a post, whose runs leave in the
// morning only.
func postal(sh tracker.Shipment) bool {
	for _, c := range []string{sh.LastMile, sh.Carrier} {
		if c == tracker.CarrierJapanPost || c == tracker.CarrierThailandPost {
			return true
		}
	}
	return false
}
