package seventeentrack

import (
	"testing"

	"github.com/todoku/todoku/tracker"
)

func TestStage(t *testing.T) {
	tests := []struct {
		status, sub string
		want        tracker.Stage
		known       bool
	}{
		// latest_status pairs.
		{"NotFound", "NotFound_Other", tracker.StageNotFound, true},
		{"NotFound", "NotFound_InvalidCode", tracker.StageNotFound, true},
		{"InfoReceived", "InfoReceived", tracker.StageInfoReceived, true},
		{"InTransit", "InTransit_PickedUp", tracker.StagePickedUp, true},
		{"InTransit", "InTransit_Departure", tracker.StageDepartedOrigin, true},
		{"InTransit", "InTransit_Arrival", tracker.StageArrivedDestination, true},
		{"InTransit", "InTransit_CustomsProcessing", tracker.StageImportCustoms, true},
		{"InTransit", "InTransit_CustomsReleased", tracker.StageImportCustoms, true},
		{"InTransit", "InTransit_CustomsRequiringInformation", tracker.StageException, true},
		{"InTransit", "InTransit_Other", tracker.StageInTransit, true},
		{"Expired", "Expired_Other", tracker.StageExpired, true},
		{"AvailableForPickup", "AvailableForPickup_Other", tracker.StageAwaitingPickup, true},
		{"OutForDelivery", "OutForDelivery_Other", tracker.StageOutForDelivery, true},
		{"DeliveryFailure", "DeliveryFailure_Other", tracker.StageAttemptedDelivery, true},
		{"DeliveryFailure", "DeliveryFailure_NoBody", tracker.StageAttemptedDelivery, true},
		{"DeliveryFailure", "DeliveryFailure_Security", tracker.StageAttemptedDelivery, true},
		{"DeliveryFailure", "DeliveryFailure_Rejected", tracker.StageAttemptedDelivery, true},
		{"DeliveryFailure", "DeliveryFailure_InvalidAddress", tracker.StageAttemptedDelivery, true},
		{"Delivered", "Delivered_Other", tracker.StageDelivered, true},
		{"Exception", "Exception_Returning", tracker.StageReturning, true},
		{"Exception", "Exception_Returned", tracker.StageReturned, true},
		{"Exception", "Exception_Lost", tracker.StageLost, true},
		{"Exception", "Exception_Destroyed", tracker.StageLost, true},
		{"Exception", "Exception_NoBody", tracker.StageException, true},
		{"Exception", "Exception_Security", tracker.StageException, true},
		{"Exception", "Exception_Damage", tracker.StageException, true},
		{"Exception", "Exception_Rejected", tracker.StageException, true},
		{"Exception", "Exception_Delayed", tracker.StageException, true},
		{"Exception", "Exception_Cancel", tracker.StageException, true},
		{"Exception", "Exception_Other", tracker.StageException, true},
		// Main statuses alone.
		{"InTransit", "", tracker.StageInTransit, true},
		{"Delivered", "", tracker.StageDelivered, true},
		{"Expired", "", tracker.StageExpired, true},
		{"Exception", "", tracker.StageException, true},
		// Event stages: milestone keys, or sub-statuses in the stage field.
		{"InfoReceived", "", tracker.StageInfoReceived, true},
		{"PickedUp", "", tracker.StagePickedUp, true},
		{"Departure", "", tracker.StageDepartedOrigin, true},
		{"Arrival", "", tracker.StageArrivedDestination, true},
		{"AvailableForPickup", "", tracker.StageAwaitingPickup, true},
		{"OutForDelivery", "", tracker.StageOutForDelivery, true},
		{"Returning", "", tracker.StageReturning, true},
		{"Returned", "", tracker.StageReturned, true},
		{"InTransit_PickedUp", "", tracker.StagePickedUp, true},
		{"", "Delivered_Other", tracker.StageDelivered, true},
		// The sub-status is the more specific.
		{"InTransit", "Exception_Returning", tracker.StageReturning, true},
		// Words 17TRACK may add later.
		{"InTransit", "InTransit_Teleported", tracker.StageInTransit, false},
		{"Exception", "Exception_Eaten", tracker.StageException, false},
		{"DeliveryFailure", "DeliveryFailure_Dog", tracker.StageAttemptedDelivery, false},
		{"Hovering", "", tracker.StageInTransit, false},
		{"LostAtSea", "", tracker.StageException, false},
		{"", "", tracker.StageUnknown, true},
		{"  Delivered ", "", tracker.StageDelivered, true},
	}
	for _, tt := range tests {
		t.Run(tt.status+"/"+tt.sub, func(t *testing.T) {
			if got := Stage(tt.status, tt.sub); got != tt.want {
				t.Errorf("Stage(%q, %q) = %v, want %v", tt.status, tt.sub, got, tt.want)
			}
			if _, known := lookupStage(tt.status, tt.sub); known != tt.known {
				t.Errorf("lookupStage(%q, %q) known = %v, want %v", tt.status, tt.sub, known, tt.known)
			}
		})
	}
}

// Every word in the table maps to a stage a shipment can be in.
func TestStageTableHasNoUnknown(t *testing.T) {
	for w, st := range stages {
		if st == tracker.StageUnknown {
			t.Errorf("%q maps to StageUnknown", w)
		}
	}
}
