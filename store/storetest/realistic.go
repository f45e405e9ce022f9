package storetest

import (
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/todoku/todoku/tracker"
)

// transitScans are scans carriers add between the milestones of a journey,
// as Cainiao words them.
var transitScans = []struct{ code, text string }{
	{"GTMS_OE_DEPART", "Shipment departed from facility"},
	{"SC_INBOUND_SUCCESS", "Arrived at facility"},
	{"COMMON_INTRANSIT", "In transit"},
	{"LH_HO_IN_SUCCESS", "Handed over to linehaul carrier"},
	{"CW_OUTBOUND", "Left the warehouse"},
	{"COMMON_INTRANSIT", "wait for customs clearance"},
}

// cainiaoCodes are the raw codes Cainiao gives for each stage.
var cainiaoCodes = map[tracker.Stage]string{
	tracker.StageInfoReceived:       "CW_ORDER_INFO_RECEIVED",
	tracker.StagePickedUp:           "PU_PICKUP_SUCCESS",
	tracker.StageAtSortingCenter:    "SC_OUTBOUND_SUCCESS",
	tracker.StageExportCustoms:      "CC_EX_SUCCESS",
	tracker.StageDepartedOrigin:     "LH_DEPART",
	tracker.StageInTransit:          "LH_ARRIVE",
	tracker.StageArrivedDestination: "LH_ARRIVE_DEST",
	tracker.StageImportCustoms:      "CC_IM_SUCCESS",
	tracker.StageHandedToLastMile:   "GTMS_ACCEPT",
	tracker.StageOutForDelivery:     "GTMS_DO_DEPART",
}

// milestone is one scan of a journey in realistic: when, where and what.
type milestone struct {
	hours    int
	stage    tracker.Stage
	text     string
	location string // "%s" is the origin or destination city
	dest     bool   // scanned at the destination, in its zone
}

// journeyJP and journeyTH are journeys as Cainiao and the last-mile
// carriers word them.
var (
	journeyJP = []milestone{
		{0, tracker.StageInfoReceived, "Shipping information received", "%s, Guangdong, CN", false},
		{30, tracker.StagePickedUp, "Received by logistics company", "%s, Guangdong, CN", false},
		{41, tracker.StageAtSortingCenter, "Arrived at sorting center", "%s Sorting Center, CN", false},
		{50, tracker.StageAtSortingCenter, "Departed from sorting center", "%s Sorting Center, CN", false},
		{97, tracker.StageExportCustoms, "Export customs clearance started", "%s, CN", false},
		{117, tracker.StageExportCustoms, "Export customs clearance complete", "%s, CN", false},
		{196, tracker.StageDepartedOrigin, "Departed from departure country/region", "%s Baiyun International Airport, CN", false},
		{251, tracker.StageInTransit, "Arrived at linehaul office", "Narita International Airport, Chiba, JP", true},
		{279, tracker.StageArrivedDestination, "Arrival at office of exchange", "Tokyo International Exchange Office, Tokyo, JP", true},
		{286, tracker.StageImportCustoms, "Import customs clearance started", "Tokyo International Exchange Office, Tokyo, JP", true},
		{350, tracker.StageImportCustoms, "Import customs clearance complete", "Tokyo International Exchange Office, Tokyo, JP", true},
		{375, tracker.StageHandedToLastMile, "Handed over to last-mile carrier Japan Post, new tracking number: %s", "Tokyo International Exchange Office, Tokyo, JP", true},
		{424, tracker.StageHandedToLastMile, "Arrival at collection/delivery office", "%s Post Office, Tokyo, JP", true},
		{462, tracker.StageOutForDelivery, "Out for delivery", "%s, Tokyo, JP", true},
	}
	journeyTH = []milestone{
		{4, tracker.StageInfoReceived, "Order information received by carrier", "%s, Zhejiang, CN", false},
		{50, tracker.StagePickedUp, "Package picked up by carrier", "%s, Zhejiang, CN", false},
		{55, tracker.StageAtSortingCenter, "Arrived at sorting center", "%s Sorting Center, CN", false},
		{65, tracker.StageAtSortingCenter, "Departed from sorting center", "%s Sorting Center, CN", false},
		{94, tracker.StageExportCustoms, "Export customs clearance started", "%s, CN", false},
		{105, tracker.StageExportCustoms, "Export customs clearance complete", "%s, CN", false},
		{123, tracker.StageDepartedOrigin, "Flight departed from origin", "Shanghai Pudong International Airport, CN", false},
		{147, tracker.StageInTransit, "Arrived at linehaul office", "Suvarnabhumi Airport, Samut Prakan, TH", true},
		{191, tracker.StageArrivedDestination, "Arrived at destination country/region", "Bangkok International Mail Processing Center, Bangkok, TH", true},
		{203, tracker.StageImportCustoms, "Import customs clearance started", "Bangkok International Mail Processing Center, Bangkok, TH", true},
		{260, tracker.StageImportCustoms, "Import customs clearance complete", "Bangkok International Mail Processing Center, Bangkok, TH", true},
		{280, tracker.StageHandedToLastMile, "Handed over to last-mile carrier Flash Express, new tracking number: %s", "Bangkok International Mail Processing Center, Bangkok, TH", true},
		{292, tracker.StageHandedToLastMile, "Parcel arrived at distribution center", "Flash Express %s DC, Khon Kaen, TH", true},
		{301, tracker.StageOutForDelivery, "Courier is delivering your parcel", "%s, Khon Kaen, TH", true},
	}
	originCities = []string{"Guangzhou", "Shenzhen", "Dongguan", "Yiwu", "Hangzhou"}
	destCities   = []string{"Setagaya", "Shinjuku", "Nerima", "Mueang Khon Kaen", "Ban Phai"}
)

// Realistic returns the snapshot of a parcel under way with n events as
// carriers report them: texts, locations, raw codes and zone offsets
// (origin scans at +08:00, destination scans at the destination's offset)
// of a journey to Japan or Thailand, filled up with the transit scans
// Cainiao adds between milestones, started at start. The same number
// always gives the same shipment. Benchmarks use it to measure storage
// with real-sized data.
func Realistic(number string, n int, start time.Time) tracker.Shipment {
	h := fnv.New64a()
	h.Write([]byte(number))
	seed := h.Sum64()
	steps, dest := journeyJP, time.FixedZone("", 9*3600)
	if seed%3 == 0 {
		steps, dest = journeyTH, time.FixedZone("", 7*3600)
	}
	cn := time.FixedZone("", 8*3600)
	origin := originCities[seed%uint64(len(originCities))]
	city := destCities[(seed/7)%uint64(len(destCities))]
	domestic := fmt.Sprintf("%012d", seed%1_000_000_000_000)
	sh := tracker.Shipment{Number: number, Carrier: "cainiao", Source: "cainiao", Since: start}
	if len(steps) > n {
		steps = steps[:n]
	}
	extra := n - len(steps)
	for j, st := range steps {
		zone, place, text := cn, origin, st.text
		if st.dest {
			zone, place = dest, city
		}
		if strings.Contains(text, "%s") {
			text = fmt.Sprintf(text, domestic)
			sh.Linked = []string{domestic}
		}
		location := st.location
		if strings.Contains(location, "%s") {
			location = fmt.Sprintf(location, place)
		}
		offset := time.Duration(st.hours)*time.Hour + time.Duration(seed%53)*time.Minute
		m := tracker.Event{Time: start.Add(offset).In(zone), Location: location, Text: text,
			Code: cainiaoCodes[st.stage], Stage: st.stage, Source: "cainiao"}
		sh.Events = append(sh.Events, m)
		// transit scans after this milestone, spread evenly over the journey
		for k := range extra*(j+1)/len(steps) - extra*j/len(steps) {
			scan := transitScans[(int(seed%7)+j+k)%len(transitScans)]
			sh.Events = append(sh.Events, tracker.Event{Time: m.Time.Add(time.Duration(45+k*97) * time.Minute),
				Location: m.Location, Text: scan.text, Code: scan.code, Stage: m.Stage, Source: "cainiao"})
		}
	}
	sh.Events = tracker.MergeEvents(nil, sh.Events)
	sh.Stage = tracker.StageOf(sh.Events)
	if last, ok := sh.Latest(); ok {
		sh.CheckedAt = last.Time.Add(time.Hour).UTC()
	}
	return sh
}
