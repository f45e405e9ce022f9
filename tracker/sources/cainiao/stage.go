package cainiao

import (
	"strings"
	"unicode"

	"github.com/todoku/todoku/tracker"
)

// entry is how one actionCode maps onto the journey.
type entry struct {
	stage tracker.Stage
	// vague marks codes that do not say where the parcel is (a carrier
	// note, an address change, a sorting scan on an unknown side of the
	// border). Parse lets such a scan keep the stage the parcel already
	// reached instead of sending it back to in_transit.
	vague bool
}

// codes maps Cainiao actionCodes onto stages. The vocabulary is Alibaba's
// published tracking enum (aliexpress.logistics.redefining.querytrackingresult,
// which says itself that it is not exhaustive) plus the codes real
// detail.json answers have shown; the stages follow the meaning Cainiao gives
// each code and, where that is ambiguous, the standard description it sends
// with it.
var codes = map[string]entry{
	// Order and fulfilment warehouse: the seller has booked the shipment.
	"CONSIGN":           {stage: tracker.StageInfoReceived},
	"OM_CONSIGN":        {stage: tracker.StageInfoReceived},
	"GTMS_ASN":          {stage: tracker.StageInfoReceived},
	"PRE_READY_TO_SHIP": {stage: tracker.StageInfoReceived},
	"WMS_CONFIRMED":     {stage: tracker.StageInfoReceived},
	"GWMS_ACCEPT":       {stage: tracker.StageInfoReceived},
	"GWMS_PICK":         {stage: tracker.StageInfoReceived},
	"GWMS_PACKAGE":      {stage: tracker.StageInfoReceived},
	"GWMS_REJECT":       {stage: tracker.StageException},
	"GWMS_EXCEPTION":    {stage: tracker.StageException},
	"GWMS_CANCEL":       {stage: tracker.StageException},

	// Picked up: the warehouse shipped it out or the carrier collected it.
	"GWMS_OUTBOUND":      {stage: tracker.StagePickedUp},
	"GWMS_HANDOVER":      {stage: tracker.StagePickedUp},
	"PU_PICKUP_SUCCESS":  {stage: tracker.StagePickedUp},
	"PU_SIGN_IN_SUCCESS": {stage: tracker.StagePickedUp},
	"GOT":                {stage: tracker.StagePickedUp},
	"PU_PICKUP_FAILURE":  {stage: tracker.StageException},
	"PU_SIGN_IN_FAILURE": {stage: tracker.StageException},

	// Consolidation warehouse and origin sorting centre.
	"CW_INBOUND":                {stage: tracker.StageAtSortingCenter},
	"CW_OUTBOUND":               {stage: tracker.StageAtSortingCenter},
	"CW_COMMON_PROCESSING1":     {stage: tracker.StageAtSortingCenter},
	"SC_INBOUND_SUCCESS":        {stage: tracker.StageAtSortingCenter},
	"SC_OUTBOUND_SUCCESS":       {stage: tracker.StageAtSortingCenter},
	"SC_SIGN_IN_SUCCESS":        {stage: tracker.StageAtSortingCenter},
	"SC_HO_OUT_SUCCESS":         {stage: tracker.StageAtSortingCenter},
	"SC_TRANS_INBOUND_SUCCESS":  {stage: tracker.StageAtSortingCenter},
	"SC_TRANS_OUTBOUND_SUCCESS": {stage: tracker.StageAtSortingCenter},
	// Worded "Processing delay at sorting center": a wait, not a fault.
	"SC_OUTBOUND_FAILURE": {stage: tracker.StageAtSortingCenter},
	"SC_INBOUND_FAILURE":  {stage: tracker.StageException},
	"SC_SIGN_IN_FAILURE":  {stage: tracker.StageException},
	"SC_HO_OUT_FAILURE":   {stage: tracker.StageException},
	// "Arrived at departure transport hub", before export clearance.
	"LH_HO_IN_SUCCESS": {stage: tracker.StageAtSortingCenter},
	"LH_HO_IN_FAILURE": {stage: tracker.StageException},

	// Export customs.
	"CC_EX_START":   {stage: tracker.StageExportCustoms},
	"CC_EX_SUCCESS": {stage: tracker.StageExportCustoms},
	"CC_EX_FAILURE": {stage: tracker.StageException},

	// Line haul: handed to the airline, departed, arrived.
	"LH_HO_AIRLINE":         {stage: tracker.StageDepartedOrigin},
	"LH_DEPART":             {stage: tracker.StageDepartedOrigin},
	"LH_HO_AIRLINE_FAILURE": {stage: tracker.StageException},
	// Listed as a handover exception in the enum, but real answers word it
	// "Accepted for transportation by postal service".
	"LH_POST_COLLECTION":  {stage: tracker.StageInTransit},
	"LH_TRANS_ARRIVE":     {stage: tracker.StageInTransit},
	"LH_TRANS_DEPART":     {stage: tracker.StageInTransit},
	"TD_TRANS_ARRIVE":     {stage: tracker.StageInTransit},
	"TD_TRANS_DEPART":     {stage: tracker.StageInTransit},
	"TD_TRANS_ARRIVE_C":   {stage: tracker.StageInTransit},
	"TD_TRANS_DEPART_C":   {stage: tracker.StageInTransit},
	"TD_TRANSWH_OUTBOUND": {stage: tracker.StageInTransit},
	"CC_TRANS_START":      {stage: tracker.StageInTransit},
	"CC_TRANS_SUCCESS":    {stage: tracker.StageInTransit},
	"CC_TRANS_FAILURE":    {stage: tracker.StageException},
	"GTMS_OE_DEPART":      {stage: tracker.StageInTransit},
	"OE_DEPART":           {stage: tracker.StageInTransit},
	"LH_ARRIVE":           {stage: tracker.StageArrivedDestination},
	"LH_HO_OUT_SUCCESS":   {stage: tracker.StageArrivedDestination},
	// "Awaiting for transit to final delivery office".
	"TD_TRANS_ARRIVE_DCP": {stage: tracker.StageArrivedDestination},
	"LH_ARRIVE_FAILURE":   {stage: tracker.StageException},
	"LH_HO_OUT_FAILURE":   {stage: tracker.StageException},

	// Import customs. The CC_HO_* handover codes do not say which side of
	// the border they are on; Parse reads the scan's group for that.
	"CC_HO_IN_SUCCESS":                 {stage: tracker.StageImportCustoms},
	"CC_HO_OUT_SUCCESS":                {stage: tracker.StageImportCustoms},
	"CUSTOMS_ARRIVED_IN_AREA_CALLBACK": {stage: tracker.StageImportCustoms},
	"CC_IM_START":                      {stage: tracker.StageImportCustoms},
	"CC_IM_PROCESS":                    {stage: tracker.StageImportCustoms},
	"CC_IM_SUCCESS":                    {stage: tracker.StageImportCustoms},
	"CUS_DECLARE":                      {stage: tracker.StageImportCustoms},
	"CUS_SUCCESS":                      {stage: tracker.StageImportCustoms},
	"CUS_TAX":                          {stage: tracker.StageImportCustoms},
	"CIQ_SUCCESS":                      {stage: tracker.StageImportCustoms},
	"CC_HO_IN_FAILURE":                 {stage: tracker.StageException},
	"CC_HO_OUT_FAILURE":                {stage: tracker.StageException},
	"CC_IM_FAILURE":                    {stage: tracker.StageException},
	"CC_IM_EXCEPTION":                  {stage: tracker.StageException},
	"CUS_FAILURE":                      {stage: tracker.StageException},
	"CIQ_FAILURE":                      {stage: tracker.StageException},

	// With the destination country's carrier.
	"GTMS_ACCEPT":            {stage: tracker.StageHandedToLastMile},
	"SL_ACCEPT":              {stage: tracker.StageHandedToLastMile},
	"GTMS_SC_ARRIVE":         {stage: tracker.StageHandedToLastMile},
	"GTMS_SC_DEPART":         {stage: tracker.StageHandedToLastMile},
	"GTMS_DO_ARRIVE":         {stage: tracker.StageHandedToLastMile},
	"GTMS_STATION_IN":        {stage: tracker.StageHandedToLastMile},
	"GTMS_STATION_OUT":       {stage: tracker.StageHandedToLastMile},
	"GSTAHUB_INBOUND":        {stage: tracker.StageHandedToLastMile},
	"GTMS_SC_ARRIVE_FAILURE": {stage: tracker.StageException},
	"GSTAHUB_INBOUND_FAIL":   {stage: tracker.StageException},
	"GTMS_FAILURE":           {stage: tracker.StageException},
	// Waiting for the buyer to correct the address.
	"GTMS_STA_WAIT_CUST_CHANGE_ADDRESS": {stage: tracker.StageException},

	// Out for delivery, and a failed attempt.
	"GTMS_DO_DEPART":      {stage: tracker.StageOutForDelivery},
	"GTMS_DELIVERING":     {stage: tracker.StageOutForDelivery},
	"GTMS_RE_DELIVERING":  {stage: tracker.StageOutForDelivery},
	"SENT_SCAN":           {stage: tracker.StageOutForDelivery},
	"LM_DELIVERY_DEPART":  {stage: tracker.StageOutForDelivery},
	"GTMS_DEL_FAILURE":    {stage: tracker.StageAttemptedDelivery},
	"LM_DELIVERY_FAILURE": {stage: tracker.StageAttemptedDelivery},

	// At a pickup point or locker. GTMS_STA_SIGNED is the station signing
	// for the parcel, not the buyer: it waits there to be collected.
	"GTMS_STA_SIGNED":     {stage: tracker.StageAwaitingPickup},
	"GTMS_WAIT_SELF_PICK": {stage: tracker.StageAwaitingPickup},
	"GSTA_INBOUND":        {stage: tracker.StageAwaitingPickup},
	"GSTA_INFORM_BUYER":   {stage: tracker.StageAwaitingPickup},
	"POSTMAN_POST":        {stage: tracker.StageAwaitingPickup},
	"GTMS_PUDO_INBOUND":   {stage: tracker.StageAwaitingPickup},
	"PUDO_INBOUND":        {stage: tracker.StageAwaitingPickup},
	"PUDO_DELIVERY":       {stage: tracker.StageAwaitingPickup},
	"GSTA_INBOUND_FAIL":   {stage: tracker.StageException},

	// Delivered: signed by the buyer, at the door or at the pickup point.
	"GTMS_SIGNED":           {stage: tracker.StageDelivered},
	"GSTA_SIGN":             {stage: tracker.StageDelivered},
	"GSTA_BUYER_SIGN":       {stage: tracker.StageDelivered},
	"STA_SIGN":              {stage: tracker.StageDelivered},
	"SIGNED":                {stage: tracker.StageDelivered},
	"LM_SIGN_SUCCESS":       {stage: tracker.StageDelivered},
	"GTMS_PUDO_SIGNED":      {stage: tracker.StageDelivered},
	"PUDO_SIGN_SUCCESS":     {stage: tracker.StageDelivered},
	"GTMS_SIGN_FAILURE":     {stage: tracker.StageException},
	"GTMS_STA_SIGN_FAILURE": {stage: tracker.StageException},
	"GSTA_SIGN_FAIL":        {stage: tracker.StageException},
	"GSTA_BUYER_SIGN_FAIL":  {stage: tracker.StageException},
	"STA_SIGN_FAIL":         {stage: tracker.StageException},
	"REJECT":                {stage: tracker.StageException},
	"FAILED":                {stage: tracker.StageException},
	"EXCEPTION":             {stage: tracker.StageException},
	"LM_PARCEL_EXCEPTION":   {stage: tracker.StageException},

	// Going back to the seller, back, or destroyed on the way.
	"GTMS_PUDO_OVERDUE":     {stage: tracker.StageReturning},
	"PUDO_OVERDUE":          {stage: tracker.StageReturning},
	"LM_UNREACHABLE_RETURN": {stage: tracker.StageReturning},
	"RT_INBOUND":            {stage: tracker.StageReturning},
	"RT_OUTBOUND":           {stage: tracker.StageReturning},
	"RT_HO_OUT":             {stage: tracker.StageReturning},
	"RT_WH_HO_IN":           {stage: tracker.StageReturning},
	"RT_WH_HO_IN_FAIL":      {stage: tracker.StageReturning},
	"RT_WH_INBOUND":         {stage: tracker.StageReturning},
	"RT_WH_INBOUND_FAILURE": {stage: tracker.StageReturning},
	"RT_WH_OUTBOUND":        {stage: tracker.StageReturning},
	"RT_WH_HO_OUT":          {stage: tracker.StageReturning},
	"RT_TRANSWH_HO_IN":      {stage: tracker.StageReturning},
	"RT_TRANSWH_INBOUND":    {stage: tracker.StageReturning},
	"RT_TRANSWH_OUTBOUND":   {stage: tracker.StageReturning},
	"RT_TMS_ACCEPT":         {stage: tracker.StageReturning},
	"RT_SIGNIN_SUCCESS":     {stage: tracker.StageReturning},
	"RT_DO_DEPART":          {stage: tracker.StageReturning},
	"RT_DO_ARRIVE":          {stage: tracker.StageReturning},
	"RT_SC_INBOUND":         {stage: tracker.StageReturning},
	"RT_SC_OUTBOUND":        {stage: tracker.StageReturning},
	"RT_LM_DELIVERY_DEPART": {stage: tracker.StageReturning},
	"RT_LM_DELIVERY_ARRIVE": {stage: tracker.StageReturning},
	"RETURNED":              {stage: tracker.StageReturned},
	"RT_LM_SIGN_SUCCESS":    {stage: tracker.StageReturned},
	"RT_DESTROY":            {stage: tracker.StageLost},
	"RT_WH_DESTROY":         {stage: tracker.StageLost},

	// Vague scans: a carrier note, an address change, or a sorting scan
	// that does not say on which side of the border it happened.
	"COMMON_INTRANSIT":              {stage: tracker.StageInTransit, vague: true},
	"COMMON_ACCEPT":                 {stage: tracker.StageInTransit, vague: true},
	"COMMON_DEPART":                 {stage: tracker.StageInTransit, vague: true},
	"LAST_MILE_ASN_NOTIFY":          {stage: tracker.StageInTransit, vague: true},
	"TRANSIT_PORT_REROUTE_CALLBACK": {stage: tracker.StageInTransit, vague: true},
	"GTMS_OTHER":                    {stage: tracker.StageInTransit, vague: true},
	"LH_OTHER":                      {stage: tracker.StageInTransit, vague: true},
	"GSTA_OTHER":                    {stage: tracker.StageInTransit, vague: true},
	"GTMS_RELABEL":                  {stage: tracker.StageInTransit, vague: true},
	"GTMS_STA_CUST_TO_DOOR":         {stage: tracker.StageInTransit, vague: true},
	"GTMS_STA_CHANGE":               {stage: tracker.StageInTransit, vague: true},
	"GTMS_STA_CN_TO_DOOR":           {stage: tracker.StageInTransit, vague: true},
	"GTMS_STA_CN_CHANGE":            {stage: tracker.StageInTransit, vague: true},
	"GTMS_STA_CNCP_TO_DOOR":         {stage: tracker.StageInTransit, vague: true},
	"GTMS_STA_CNCP_CHANGE":          {stage: tracker.StageInTransit, vague: true},
	"SC_INBOUND":                    {stage: tracker.StageInTransit, vague: true},
	"SC_OUTBOUND":                   {stage: tracker.StageInTransit, vague: true},
	"SC_SORTING":                    {stage: tracker.StageInTransit, vague: true},
	"SC_ARRIVE":                     {stage: tracker.StageInTransit, vague: true},
	"SC_DEPART":                     {stage: tracker.StageInTransit, vague: true},
	"TRANSFER_ARRIVE":               {stage: tracker.StageInTransit, vague: true},
	"TRANSFER_DEPART":               {stage: tracker.StageInTransit, vague: true},
	"DEPARTURE":                     {stage: tracker.StageInTransit, vague: true},
	"ARRIVAL":                       {stage: tracker.StageInTransit, vague: true},
}

// Stage maps a Cainiao actionCode (any case; spaces count as underscores)
// onto a stage. A code it does not know, or a vague one, is in_transit, or
// exception when the code or the description says something failed.
func Stage(actionCode, desc string) tracker.Stage {
	s, _ := classify(actionCode, desc)
	return s
}

// classify is Stage that also reports whether the scan is vague: unknown or
// not saying where the parcel is, so that an earlier, more specific stage
// may stand.
func classify(actionCode, desc string) (tracker.Stage, bool) {
	code := normalizeCode(actionCode)
	e, known := codes[code]
	if known && !e.vague {
		return e.stage, false
	}
	if failed(code, desc) {
		return tracker.StageException, false
	}
	return tracker.StageInTransit, true
}

// normalizeCode upper-cases a code and turns runs of spaces into one
// underscore; Cainiao has been seen spelling codes both ways.
func normalizeCode(code string) string {
	return strings.Join(strings.Fields(strings.ToUpper(code)), "_")
}

// failureWords are words that, in a description, say something went
// wrong.
var failureWords = map[string]bool{
	"fail": true, "failed": true, "failure": true, "fails": true,
	"exception": true, "abnormal": true, "unsuccessful": true,
	"undeliverable": true, "damaged": true, "lost": true, "refused": true,
	"rejected": true, "seized": true, "confiscated": true, "destroyed": true,
}

// failed reports whether an unmapped code or its description clearly says
// something failed.
func failed(code, desc string) bool {
	for _, suffix := range []string{"_FAILURE", "_FAIL", "_EXCEPTION", "_REJECT"} {
		if strings.HasSuffix(code, suffix) {
			return true
		}
	}
	lower := strings.ToLower(desc)
	if strings.Contains(lower, "unable to deliver") || strings.Contains(lower, "could not be delivered") {
		return true
	}
	for _, w := range strings.FieldsFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if failureWords[w] {
			return true
		}
	}
	return false
}
