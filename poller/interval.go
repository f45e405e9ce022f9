package poller

import (
	"time"

	"github.com/todoku/todoku/tracker"
)

// Bounds of every interval NextCheck returns for a shipment still moving.
const (
	MinInterval = 1 * time.Second
	MaxInterval = 12 * time.Hour
)

// NextCheck says how long to wait before checking a shipment again, or 0
// to stop polling it. It is pure: the stage sets a base interval and a long
// silence stretches it; a positive hint from the source (when it expects
// news) shortens it. After a failure the source's own wait (the hint, e.g.
// Retry-After) lengthens the back-off instead.
func NextCheck(stage tracker.Stage, sinceLastEvent time.Duration, errKind string, hint time.Duration) time.Duration {
	if stage.Final() {
		return 0
	}
	var d time.Duration
	switch errKind {
	case tracker.ErrKindNoSource:
		return MaxInterval
	case tracker.ErrKindUnavailable, tracker.ErrKindRateLimited:
		d = 30 * time.Minute
	case tracker.ErrKindBadResponse:
		d = time.Hour
	case tracker.ErrKindQuota:
		d = 6 * time.Hour
	default:
		d = stageInterval(stage)
		// A parcel silent for days moves slowly: check less often, but
		// never so rarely that a resumed journey goes unseen for long.
		switch {
		case sinceLastEvent > 14*24*time.Hour:
			d *= 3
		case sinceLastEvent > 3*24*time.Hour:
			d *= 2
		}
	}
	failed := errKind != "" && errKind != tracker.ErrKindNotFound
	if hint > 0 && (hint < d) != failed {
		d = hint
	}
	return min(max(d, MinInterval), MaxInterval)
}

// stageInterval is the base interval per stage: tight where the buyer waits
// for news within hours (out for delivery), loose where days pass between
// scans (the international leg).
func stageInterval(s tracker.Stage) time.Duration {
	switch s {
	case tracker.StageOutForDelivery:
		return 20 * time.Minute
	case tracker.StageHandedToLastMile, tracker.StageAttemptedDelivery, tracker.StageAwaitingPickup:
		return time.Hour
	case tracker.StageArrivedDestination, tracker.StageImportCustoms:
		return 2 * time.Hour
	case tracker.StageUnknown, tracker.StageNotFound, tracker.StageInfoReceived:
		return 3 * time.Hour
	case tracker.StagePickedUp, tracker.StageAtSortingCenter, tracker.StageExportCustoms, tracker.StageDepartedOrigin:
		return 3 * time.Hour
	case tracker.StageInTransit:
		return 4 * time.Hour
	default: // exception, returning
		return 3 * time.Hour
	}
}
