package tracker

import "fmt"

// Stage is where a parcel is in its journey. The zero value is StageUnknown,
// which never appears in storage; every stored stage has a stable string ID.
type Stage int

// Stages in journey order. Their IDs (String) are stable: they are used in
// storage, APIs and translation keys, so never rename one.
const (
	StageUnknown Stage = iota
	StageNotFound
	StageInfoReceived
	StagePickedUp
	StageAtSortingCenter
	StageExportCustoms
	StageDepartedOrigin
	StageInTransit
	StageArrivedDestination
	StageImportCustoms
	StageHandedToLastMile
	StageOutForDelivery
	StageAttemptedDelivery
	StageAwaitingPickup
	StageDelivered
	StageReturning
	StageReturned
	StageException
	StageLost
	StageExpired
)

var stageIDs = [...]string{
	StageUnknown:            "",
	StageNotFound:           "not_found",
	StageInfoReceived:       "info_received",
	StagePickedUp:           "picked_up",
	StageAtSortingCenter:    "at_sorting_center",
	StageExportCustoms:      "export_customs",
	StageDepartedOrigin:     "departed_origin",
	StageInTransit:          "in_transit",
	StageArrivedDestination: "arrived_destination",
	StageImportCustoms:      "import_customs",
	StageHandedToLastMile:   "handed_to_last_mile",
	StageOutForDelivery:     "out_for_delivery",
	StageAttemptedDelivery:  "attempted_delivery",
	StageAwaitingPickup:     "awaiting_pickup",
	StageDelivered:          "delivered",
	StageReturning:          "returning",
	StageReturned:           "returned",
	StageException:          "exception",
	StageLost:               "lost",
	StageExpired:            "expired",
}

// Stages lists every known stage in journey order, StageUnknown excluded.
func Stages() []Stage {
	out := make([]Stage, 0, len(stageIDs)-1)
	for s := StageNotFound; int(s) < len(stageIDs); s++ {
		out = append(out, s)
	}
	return out
}

// String returns the stable ID, e.g. "out_for_delivery".
func (s Stage) String() string {
	if s < 0 || int(s) >= len(stageIDs) {
		return fmt.Sprintf("stage(%d)", int(s))
	}
	return stageIDs[s]
}

// ParseStage returns the stage with the given stable ID.
func ParseStage(id string) (Stage, error) {
	for i, v := range stageIDs {
		if v == id && i != 0 {
			return Stage(i), nil
		}
	}
	return StageUnknown, fmt.Errorf("tracker: unknown stage %q", id)
}

// MarshalText writes the stable ID.
func (s Stage) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a stable ID; the empty string is StageUnknown.
func (s *Stage) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*s = StageUnknown
		return nil
	}
	v, err := ParseStage(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Final reports whether no further movement is expected, so the shipment
// need not be polled any more.
func (s Stage) Final() bool {
	switch s {
	case StageDelivered, StageReturned, StageLost, StageExpired:
		return true
	}
	return false
}

// Problem reports whether the stage needs the buyer's attention.
func (s Stage) Problem() bool {
	switch s {
	case StageAttemptedDelivery, StageReturning, StageReturned, StageException, StageLost, StageExpired:
		return true
	}
	return false
}

// Progress places the stage on the happy path from 0 (nothing known) to the
// last step (delivered), for progress bars. Side stages take the step of the
// happy-path stage they happen at.
func (s Stage) Progress() (step, steps int) {
	const total = 6
	switch s {
	case StageUnknown, StageNotFound:
		return 0, total
	case StageInfoReceived, StagePickedUp:
		return 1, total
	case StageAtSortingCenter, StageExportCustoms, StageDepartedOrigin:
		return 2, total
	case StageInTransit, StageArrivedDestination, StageImportCustoms:
		return 3, total
	case StageHandedToLastMile:
		return 4, total
	case StageOutForDelivery, StageAttemptedDelivery, StageAwaitingPickup:
		return 5, total
	case StageDelivered:
		return 6, total
	}
	return 3, total
}
