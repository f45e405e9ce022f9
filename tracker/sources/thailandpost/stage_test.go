package thailandpost

import (
	"testing"

	"github.com/todoku/todoku/tracker"
)

func TestStage(t *testing.T) {
	tests := []struct {
		code  string
		want  tracker.Stage
		known bool
	}{
		{"101", tracker.StageInfoReceived, true},
		{"102", tracker.StagePickedUp, true},
		{"103", tracker.StagePickedUp, true},
		{"104", tracker.StageException, true},
		{"201", tracker.StageInTransit, true},
		{"202", tracker.StageImportCustoms, true},
		{"203", tracker.StageReturning, true},
		{"204", tracker.StageAtSortingCenter, true},
		{"205", tracker.StageArrivedDestination, true},
		{"206", tracker.StageHandedToLastMile, true},
		{"207", tracker.StageInTransit, true},
		{"208", tracker.StageDepartedOrigin, true},
		{"209", tracker.StageException, true},
		{"210", tracker.StageException, true},
		{"211", tracker.StageAtSortingCenter, true},
		{"212", tracker.StageDepartedOrigin, true},
		{"213", tracker.StageDepartedOrigin, true},
		{"301", tracker.StageOutForDelivery, true},
		{"302", tracker.StageAwaitingPickup, true},
		{"401", tracker.StageAttemptedDelivery, true},
		{"402", tracker.StageException, true},
		{"501", tracker.StageDelivered, true},
		{"901", tracker.StageDelivered, true},
		// Undocumented codes: the failure family is a problem, the rest
		// is assumed to be movement.
		{"499", tracker.StageException, false},
		{"214", tracker.StageInTransit, false},
		{"999", tracker.StageInTransit, false},
		{"", tracker.StageInTransit, false},
		{"all", tracker.StageInTransit, false},
		{" 501", tracker.StageInTransit, false},
	}
	covered := make(map[string]bool)
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			if got := Stage(tt.code); got != tt.want {
				t.Errorf("Stage(%q) = %s, want %s", tt.code, got, tt.want)
			}
			if _, known := stage(tt.code); known != tt.known {
				t.Errorf("stage(%q) known = %v, want %v", tt.code, known, tt.known)
			}
		})
		covered[tt.code] = true
	}
	for code := range statusStages {
		if !covered[code] {
			t.Errorf("documented code %s has no row in this table", code)
		}
	}
}

func TestStagesAreStored(t *testing.T) {
	for code, st := range statusStages {
		if _, err := tracker.ParseStage(st.String()); err != nil {
			t.Errorf("code %s maps to %v, which has no stable ID: %v", code, st, err)
		}
	}
}
