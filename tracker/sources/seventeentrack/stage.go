package seventeentrack

import (
	"strings"

	"github.com/todoku/todoku/tracker"
)

// stages maps every 17TRACK status word Todoku knows to a stage: the nine
// main statuses (latest_status.status), the sub-statuses
// (latest_status.sub_status and an event's sub_status or stage) and the
// milestone key stages some events carry in their stage field.
var stages = map[string]tracker.Stage{
	// Main statuses.
	"NotFound":           tracker.StageNotFound,
	"InfoReceived":       tracker.StageInfoReceived,
	"InTransit":          tracker.StageInTransit,
	"Expired":            tracker.StageExpired,
	"AvailableForPickup": tracker.StageAwaitingPickup,
	"OutForDelivery":     tracker.StageOutForDelivery,
	"DeliveryFailure":    tracker.StageAttemptedDelivery,
	"Delivered":          tracker.StageDelivered,
	"Exception":          tracker.StageException,

	// Sub-statuses.
	"NotFound_Other":                        tracker.StageNotFound,
	"NotFound_InvalidCode":                  tracker.StageNotFound,
	"InTransit_PickedUp":                    tracker.StagePickedUp,
	"InTransit_Departure":                   tracker.StageDepartedOrigin,
	"InTransit_Arrival":                     tracker.StageArrivedDestination,
	"InTransit_CustomsProcessing":           tracker.StageImportCustoms,
	"InTransit_CustomsReleased":             tracker.StageImportCustoms,
	"InTransit_CustomsRequiringInformation": tracker.StageException, // the buyer must act
	"InTransit_Other":                       tracker.StageInTransit,
	"Expired_Other":                         tracker.StageExpired,
	"AvailableForPickup_Other":              tracker.StageAwaitingPickup,
	"OutForDelivery_Other":                  tracker.StageOutForDelivery,
	"DeliveryFailure_Other":                 tracker.StageAttemptedDelivery,
	"DeliveryFailure_NoBody":                tracker.StageAttemptedDelivery,
	"DeliveryFailure_Security":              tracker.StageAttemptedDelivery,
	"DeliveryFailure_Rejected":              tracker.StageAttemptedDelivery,
	"DeliveryFailure_InvalidAddress":        tracker.StageAttemptedDelivery,
	"Delivered_Other":                       tracker.StageDelivered,
	"Exception_Returning":                   tracker.StageReturning,
	"Exception_Returned":                    tracker.StageReturned,
	"Exception_Lost":                        tracker.StageLost,
	"Exception_Destroyed":                   tracker.StageLost,
	"Exception_NoBody":                      tracker.StageException,
	"Exception_Security":                    tracker.StageException,
	"Exception_Damage":                      tracker.StageException,
	"Exception_Damaged":                     tracker.StageException,
	"Exception_Rejected":                    tracker.StageException,
	"Exception_Delayed":                     tracker.StageException,
	"Exception_Cancel":                      tracker.StageException,
	"Exception_Other":                       tracker.StageException,

	// Milestone key stages, as events carry them.
	"PickedUp":  tracker.StagePickedUp,
	"Departure": tracker.StageDepartedOrigin,
	"Arrival":   tracker.StageArrivedDestination,
	"Returning": tracker.StageReturning,
	"Returned":  tracker.StageReturned,
}

// Stage maps a 17TRACK status and sub-status (latest_status.status and
// sub_status, or an event's stage and sub_status) to a Todoku stage. The
// more specific sub-status wins. A word 17TRACK may add later is read by its
// main-status prefix ("InTransit_Something" is in transit); anything else
// unknown is in transit, or an exception when it names a failure. Both
// empty give StageUnknown.
func Stage(status, subStatus string) tracker.Stage {
	st, _ := lookupStage(status, subStatus)
	return st
}

// lookupStage is Stage that also says whether the words were known.
func lookupStage(status, subStatus string) (tracker.Stage, bool) {
	status, subStatus = strings.TrimSpace(status), strings.TrimSpace(subStatus)
	if status == "" && subStatus == "" {
		return tracker.StageUnknown, true
	}
	if st, ok := stages[subStatus]; ok && subStatus != "" {
		return st, true
	}
	// The sub-status, when there is one, is new to Todoku.
	known := subStatus == ""
	if st, ok := stages[status]; ok && status != "" {
		return st, known
	}
	for _, w := range []string{subStatus, status} {
		if main, _, ok := strings.Cut(w, "_"); ok {
			if st, ok := stages[main]; ok {
				return st, false
			}
		}
	}
	for _, w := range []string{subStatus, status} {
		lw := strings.ToLower(w)
		for _, bad := range []string{"exception", "fail", "return", "lost", "damage", "reject"} {
			if strings.Contains(lw, bad) {
				return tracker.StageException, false
			}
		}
	}
	return tracker.StageInTransit, false
}
