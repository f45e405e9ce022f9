package cainiao

import (
	"testing"

	"github.com/todoku/todoku/tracker"
)

// wantStages is every code the table maps, with the stage it must give.
// It is written out again on purpose: a change to the mapping has to be
// made twice, once here, deliberately.
var wantStages = map[string]tracker.Stage{
	"CONSIGN": tracker.StageInfoReceived, "OM_CONSIGN": tracker.StageInfoReceived,
	"GTMS_ASN": tracker.StageInfoReceived, "PRE_READY_TO_SHIP": tracker.StageInfoReceived,
	"WMS_CONFIRMED": tracker.StageInfoReceived, "GWMS_ACCEPT": tracker.StageInfoReceived,
	"GWMS_PICK": tracker.StageInfoReceived, "GWMS_PACKAGE": tracker.StageInfoReceived,
	"GWMS_REJECT": tracker.StageException, "GWMS_EXCEPTION": tracker.StageException,
	"GWMS_CANCEL": tracker.StageException,

	"GWMS_OUTBOUND": tracker.StagePickedUp, "GWMS_HANDOVER": tracker.StagePickedUp,
	"PU_PICKUP_SUCCESS": tracker.StagePickedUp, "PU_SIGN_IN_SUCCESS": tracker.StagePickedUp,
	"GOT": tracker.StagePickedUp, "PU_PICKUP_FAILURE": tracker.StageException,
	"PU_SIGN_IN_FAILURE": tracker.StageException,

	"CW_INBOUND": tracker.StageAtSortingCenter, "CW_OUTBOUND": tracker.StageAtSortingCenter,
	"CW_COMMON_PROCESSING1": tracker.StageAtSortingCenter, "SC_INBOUND_SUCCESS": tracker.StageAtSortingCenter,
	"SC_OUTBOUND_SUCCESS": tracker.StageAtSortingCenter, "SC_SIGN_IN_SUCCESS": tracker.StageAtSortingCenter,
	"SC_HO_OUT_SUCCESS": tracker.StageAtSortingCenter, "SC_TRANS_INBOUND_SUCCESS": tracker.StageAtSortingCenter,
	"SC_TRANS_OUTBOUND_SUCCESS": tracker.StageAtSortingCenter, "SC_OUTBOUND_FAILURE": tracker.StageAtSortingCenter,
	"SC_INBOUND_FAILURE": tracker.StageException, "SC_SIGN_IN_FAILURE": tracker.StageException,
	"SC_HO_OUT_FAILURE": tracker.StageException, "LH_HO_IN_SUCCESS": tracker.StageAtSortingCenter,
	"LH_HO_IN_FAILURE": tracker.StageException,

	"CC_EX_START": tracker.StageExportCustoms, "CC_EX_SUCCESS": tracker.StageExportCustoms,
	"CC_EX_FAILURE": tracker.StageException,

	"LH_HO_AIRLINE": tracker.StageDepartedOrigin, "LH_DEPART": tracker.StageDepartedOrigin,
	"LH_HO_AIRLINE_FAILURE": tracker.StageException,
	"LH_POST_COLLECTION":    tracker.StageInTransit, "LH_TRANS_ARRIVE": tracker.StageInTransit,
	"LH_TRANS_DEPART": tracker.StageInTransit, "TD_TRANS_ARRIVE": tracker.StageInTransit,
	"TD_TRANS_DEPART": tracker.StageInTransit, "TD_TRANS_ARRIVE_C": tracker.StageInTransit,
	"TD_TRANS_DEPART_C": tracker.StageInTransit, "TD_TRANSWH_OUTBOUND": tracker.StageInTransit,
	"CC_TRANS_START": tracker.StageInTransit, "CC_TRANS_SUCCESS": tracker.StageInTransit,
	"CC_TRANS_FAILURE": tracker.StageException, "GTMS_OE_DEPART": tracker.StageInTransit,
	"OE_DEPART": tracker.StageInTransit, "LH_ARRIVE": tracker.StageArrivedDestination,
	"LH_HO_OUT_SUCCESS": tracker.StageArrivedDestination, "TD_TRANS_ARRIVE_DCP": tracker.StageArrivedDestination,
	"LH_ARRIVE_FAILURE": tracker.StageException, "LH_HO_OUT_FAILURE": tracker.StageException,

	"CC_HO_IN_SUCCESS": tracker.StageImportCustoms, "CC_HO_OUT_SUCCESS": tracker.StageImportCustoms,
	"CUSTOMS_ARRIVED_IN_AREA_CALLBACK": tracker.StageImportCustoms, "CC_IM_START": tracker.StageImportCustoms,
	"CC_IM_PROCESS": tracker.StageImportCustoms, "CC_IM_SUCCESS": tracker.StageImportCustoms,
	"CUS_DECLARE": tracker.StageImportCustoms, "CUS_SUCCESS": tracker.StageImportCustoms,
	"CUS_TAX": tracker.StageImportCustoms, "CIQ_SUCCESS": tracker.StageImportCustoms,
	"CC_HO_IN_FAILURE": tracker.StageException, "CC_HO_OUT_FAILURE": tracker.StageException,
	"CC_IM_FAILURE": tracker.StageException, "CC_IM_EXCEPTION": tracker.StageException,
	"CUS_FAILURE": tracker.StageException, "CIQ_FAILURE": tracker.StageException,

	"GTMS_ACCEPT": tracker.StageHandedToLastMile, "SL_ACCEPT": tracker.StageHandedToLastMile,
	"GTMS_SC_ARRIVE": tracker.StageHandedToLastMile, "GTMS_SC_DEPART": tracker.StageHandedToLastMile,
	"GTMS_DO_ARRIVE": tracker.StageHandedToLastMile, "GTMS_STATION_IN": tracker.StageHandedToLastMile,
	"GTMS_STATION_OUT": tracker.StageHandedToLastMile, "GSTAHUB_INBOUND": tracker.StageHandedToLastMile,
	"GTMS_SC_ARRIVE_FAILURE": tracker.StageException, "GSTAHUB_INBOUND_FAIL": tracker.StageException,
	"GTMS_FAILURE": tracker.StageException, "GTMS_STA_WAIT_CUST_CHANGE_ADDRESS": tracker.StageException,

	"GTMS_DO_DEPART": tracker.StageOutForDelivery, "GTMS_DELIVERING": tracker.StageOutForDelivery,
	"GTMS_RE_DELIVERING": tracker.StageOutForDelivery, "SENT_SCAN": tracker.StageOutForDelivery,
	"LM_DELIVERY_DEPART": tracker.StageOutForDelivery, "GTMS_DEL_FAILURE": tracker.StageAttemptedDelivery,
	"LM_DELIVERY_FAILURE": tracker.StageAttemptedDelivery,

	"GTMS_STA_SIGNED": tracker.StageAwaitingPickup, "GTMS_WAIT_SELF_PICK": tracker.StageAwaitingPickup,
	"GSTA_INBOUND": tracker.StageAwaitingPickup, "GSTA_INFORM_BUYER": tracker.StageAwaitingPickup,
	"POSTMAN_POST": tracker.StageAwaitingPickup, "GTMS_PUDO_INBOUND": tracker.StageAwaitingPickup,
	"PUDO_INBOUND": tracker.StageAwaitingPickup, "PUDO_DELIVERY": tracker.StageAwaitingPickup,
	"GSTA_INBOUND_FAIL": tracker.StageException,

	"GTMS_SIGNED": tracker.StageDelivered, "GSTA_SIGN": tracker.StageDelivered,
	"GSTA_BUYER_SIGN": tracker.StageDelivered, "STA_SIGN": tracker.StageDelivered,
	"SIGNED": tracker.StageDelivered, "LM_SIGN_SUCCESS": tracker.StageDelivered,
	"GTMS_PUDO_SIGNED": tracker.StageDelivered, "PUDO_SIGN_SUCCESS": tracker.StageDelivered,
	"GTMS_SIGN_FAILURE": tracker.StageException, "GTMS_STA_SIGN_FAILURE": tracker.StageException,
	"GSTA_SIGN_FAIL": tracker.StageException, "GSTA_BUYER_SIGN_FAIL": tracker.StageException,
	"STA_SIGN_FAIL": tracker.StageException, "REJECT": tracker.StageException,
	"FAILED": tracker.StageException, "EXCEPTION": tracker.StageException,
	"LM_PARCEL_EXCEPTION": tracker.StageException,

	"GTMS_PUDO_OVERDUE": tracker.StageReturning, "PUDO_OVERDUE": tracker.StageReturning,
	"LM_UNREACHABLE_RETURN": tracker.StageReturning, "RT_INBOUND": tracker.StageReturning,
	"RT_OUTBOUND": tracker.StageReturning, "RT_HO_OUT": tracker.StageReturning,
	"RT_WH_HO_IN": tracker.StageReturning, "RT_WH_HO_IN_FAIL": tracker.StageReturning,
	"RT_WH_INBOUND": tracker.StageReturning, "RT_WH_INBOUND_FAILURE": tracker.StageReturning,
	"RT_WH_OUTBOUND": tracker.StageReturning, "RT_WH_HO_OUT": tracker.StageReturning,
	"RT_TRANSWH_HO_IN": tracker.StageReturning, "RT_TRANSWH_INBOUND": tracker.StageReturning,
	"RT_TRANSWH_OUTBOUND": tracker.StageReturning, "RT_TMS_ACCEPT": tracker.StageReturning,
	"RT_SIGNIN_SUCCESS": tracker.StageReturning, "RT_DO_DEPART": tracker.StageReturning,
	"RT_DO_ARRIVE": tracker.StageReturning, "RT_SC_INBOUND": tracker.StageReturning,
	"RT_SC_OUTBOUND": tracker.StageReturning, "RT_LM_DELIVERY_DEPART": tracker.StageReturning,
	"RT_LM_DELIVERY_ARRIVE": tracker.StageReturning, "RETURNED": tracker.StageReturned,
	"RT_LM_SIGN_SUCCESS": tracker.StageReturned, "RT_DESTROY": tracker.StageLost,
	"RT_WH_DESTROY": tracker.StageLost,

	// Vague codes: in_transit by themselves; Parse may keep a later stage.
	"COMMON_INTRANSIT": tracker.StageInTransit, "COMMON_ACCEPT": tracker.StageInTransit,
	"COMMON_DEPART": tracker.StageInTransit, "LAST_MILE_ASN_NOTIFY": tracker.StageInTransit,
	"TRANSIT_PORT_REROUTE_CALLBACK": tracker.StageInTransit, "GTMS_OTHER": tracker.StageInTransit,
	"LH_OTHER": tracker.StageInTransit, "GSTA_OTHER": tracker.StageInTransit,
	"GTMS_RELABEL": tracker.StageInTransit, "GTMS_STA_CUST_TO_DOOR": tracker.StageInTransit,
	"GTMS_STA_CHANGE": tracker.StageInTransit, "GTMS_STA_CN_TO_DOOR": tracker.StageInTransit,
	"GTMS_STA_CN_CHANGE": tracker.StageInTransit, "GTMS_STA_CNCP_TO_DOOR": tracker.StageInTransit,
	"GTMS_STA_CNCP_CHANGE": tracker.StageInTransit, "SC_INBOUND": tracker.StageInTransit,
	"SC_OUTBOUND": tracker.StageInTransit, "SC_SORTING": tracker.StageInTransit,
	"SC_ARRIVE": tracker.StageInTransit, "SC_DEPART": tracker.StageInTransit,
	"TRANSFER_ARRIVE": tracker.StageInTransit, "TRANSFER_DEPART": tracker.StageInTransit,
	"DEPARTURE": tracker.StageInTransit, "ARRIVAL": tracker.StageInTransit,
}

func TestStageOfEveryMappedCode(t *testing.T) {
	for code, want := range wantStages {
		t.Run(code, func(t *testing.T) {
			if got := Stage(code, ""); got != want {
				t.Errorf("Stage(%q) = %s, want %s", code, got, want)
			}
		})
	}
	for code := range codes {
		if _, ok := wantStages[code]; !ok {
			t.Errorf("code %s is mapped but not covered by this test", code)
		}
	}
}

func TestStageCases(t *testing.T) {
	tests := []struct {
		name, code, desc string
		want             tracker.Stage
	}{
		{"station signature is not a delivery", "GTMS_STA_SIGNED", "Signed", tracker.StageAwaitingPickup},
		{"buyer signature is", "GTMS_SIGNED", "Package delivered", tracker.StageDelivered},
		{"lower case and spaces", " gtms signed ", "", tracker.StageDelivered},
		{"a description does not override a known code", "GTMS_DO_DEPART", "delivery failed", tracker.StageOutForDelivery},
		{"unknown code", "NEW_SHINY_CODE", "Arrived at hub", tracker.StageInTransit},
		{"unknown failure code", "NEW_SHINY_FAILURE", "", tracker.StageException},
		{"unknown fail code", "XYZ_SIGN_FAIL", "", tracker.StageException},
		{"unknown code, failure text", "NEW_SHINY_CODE", "Delivery failed, address incomplete", tracker.StageException},
		{"unknown code, unable to deliver", "X", "Unable to deliver: recipient moved", tracker.StageException},
		{"unknown code, damaged", "X", "Parcel damaged in transit", tracker.StageException},
		{"failure inside a word does not count", "X", "Failsafe routing applied", tracker.StageInTransit},
		{"vague code, failure text", "COMMON_INTRANSIT", "Customs inspection abnormal", tracker.StageException},
		{"empty code", "", "Shipment on the way", tracker.StageInTransit},
		{"empty everything", "", "", tracker.StageInTransit},
		{"non-ASCII", "配送中", "運送中", tracker.StageInTransit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Stage(tt.code, tt.desc); got != tt.want {
				t.Errorf("Stage(%q, %q) = %s, want %s", tt.code, tt.desc, got, tt.want)
			}
		})
	}
}

func TestEveryMappedStageIsStable(t *testing.T) {
	for code, e := range codes {
		if e.stage.String() == "" || e.stage == tracker.StageNotFound {
			t.Errorf("code %s maps to %v, which no scan may have", code, e.stage)
		}
		if e.vague && e.stage != tracker.StageInTransit {
			t.Errorf("vague code %s maps to %s, want in_transit", code, e.stage)
		}
		if normalizeCode(code) != code {
			t.Errorf("code %s is not written in its normal form", code)
		}
	}
}
