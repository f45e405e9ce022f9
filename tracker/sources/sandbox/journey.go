package sandbox

import (
	"fmt"
	"hash/fnv"
	"time"

	"github.com/todoku/todoku/tracker"
)

// Step is one scripted scan of a simulated journey.
type Step struct {
	// Offset is the simulated time since the journey started, unscaled.
	Offset   time.Duration
	Stage    tracker.Stage
	Text     string
	Code     string
	Location string
	// Linked is the domestic number the parcel is handed over to; it is set
	// on the handover step only, and only when the last-mile carrier issues
	// a new number.
	Linked string
}

// Bounds of a whole journey, from the start to delivery. They follow
// AliExpress Standard Shipping (10-25 days door to door) without its slowest
// tail, so that an accelerated demo ends in predictable time.
const (
	MinJourney = 10 * 24 * time.Hour
	MaxJourney = 20 * 24 * time.Hour
)

// minInternational is the shortest time from the first scan to the handover
// to the last-mile carrier.
const minInternational = 7 * 24 * time.Hour

// problem is what goes wrong, if anything, at the end of a journey.
type problem int

const (
	problemNone       problem = iota
	problemRedelivery         // nobody home, delivered on the second attempt
	problemPickup             // left at a pickup point, collected later
	problemHeld               // nobody home, held at the office, collected later
)

// pinned journeys keep the demo numbers stable whatever the hash says.
var pinned = map[string]problem{
	"SBXJP0001": problemNone,
	"SBXTH0001": problemNone,
	"SBXTH0002": problemNone,
	"SBXJP0002": problemRedelivery,
	"SBXJP0003": problemPickup,
	"SBXTH0003": problemHeld,
}

type origin struct {
	city, province string
	sorting        string // sorting centre
	port           string // where export customs clear
	airport        string
	viaHongKong    bool
}

var origins = []origin{
	{"Shenzhen", "Guangdong", "Shenzhen Sorting Center", "Shenzhen", "Shenzhen Bao'an International Airport", true},
	{"Guangzhou", "Guangdong", "Guangzhou Baiyun Sorting Center", "Guangzhou", "Guangzhou Baiyun International Airport", false},
	{"Yiwu", "Zhejiang", "Yiwu Sorting Center", "Shanghai", "Shanghai Pudong International Airport", false},
	{"Dongguan", "Guangdong", "Dongguan Humen Sorting Center", "Shenzhen", "Shenzhen Bao'an International Airport", true},
	{"Hangzhou", "Zhejiang", "Hangzhou Xiaoshan Sorting Center", "Hangzhou", "Hangzhou Xiaoshan International Airport", false},
}

// gateway is where international mail enters the destination country.
type gateway struct {
	airport  string
	exchange string // office of exchange, where customs clear
}

type city struct {
	district, region string
	gateway          int // index into the route's gateways
}

type lastMile struct {
	name       string
	office     string // format for the delivery office, from the district
	minH, maxH int    // handover to delivery, in hours
	newNumber  int    // percent of parcels given a domestic 12-digit number
	arrived    string
	out        string
	delivered  string
	attempted  string
	held       string
	collected  string
	pickup     []string // formats for pickup points, from the district
}

type route struct {
	country   string // ISO 3166 code used in locations
	gateways  []gateway
	cities    []city
	carriers  []lastMile
	customsIn []string // texts for the start of import customs
}

var routeJP = route{
	country: "JP",
	gateways: []gateway{
		{"Narita International Airport, Chiba", "Tokyo International Exchange Office, Tokyo"},
		{"Kansai International Airport, Osaka", "Osaka International Exchange Office, Osaka"},
	},
	cities: []city{
		{"Setagaya", "Tokyo", 0}, {"Shinjuku", "Tokyo", 0}, {"Nerima", "Tokyo", 0},
		{"Yokohama", "Kanagawa", 0}, {"Saitama", "Saitama", 0}, {"Chiba", "Chiba", 0},
		{"Sendai", "Miyagi", 0}, {"Sapporo", "Hokkaido", 0},
		{"Osaka", "Osaka", 1}, {"Kyoto", "Kyoto", 1}, {"Kobe", "Hyogo", 1},
		{"Nagoya", "Aichi", 1}, {"Hiroshima", "Hiroshima", 1}, {"Fukuoka", "Fukuoka", 1},
	},
	carriers: []lastMile{
		{
			name: "Japan Post", office: "%s Post Office", minH: 48, maxH: 96, newNumber: 50,
			arrived: "Arrival at collection/delivery office", out: "Out for delivery",
			delivered: "Final delivery", attempted: "Absence. Attempted delivery.",
			held: "Retention at post office", collected: "Delivered at counter",
			pickup: []string{"%s Station Post Office Parcel Locker", "FamilyMart %s", "Lawson %s"},
		},
		{
			name: "Yamato Transport", office: "%s Delivery Center", minH: 24, maxH: 48, newNumber: 100,
			arrived: "Arrived at delivery center", out: "Out for delivery",
			delivered: "Delivered", attempted: "Delivery attempted. Notice left.",
			held: "Held at delivery center for pickup", collected: "Picked up at delivery center",
			pickup: []string{"PUDO Station %s", "FamilyMart %s", "Yamato %s Service Center"},
		},
		{
			name: "Sagawa Express", office: "%s Sales Office", minH: 24, maxH: 72, newNumber: 100,
			arrived: "Arrived at delivery sales office", out: "Out for delivery",
			delivered: "Delivery completed", attempted: "Absent. Delivery notice left.",
			held: "Held at sales office", collected: "Picked up at sales office",
			pickup: []string{"Lawson %s", "Sagawa %s Service Center"},
		},
	},
	customsIn: []string{"Import customs clearance started", "Handed over to customs"},
}

var routeTH = route{
	country: "TH",
	gateways: []gateway{
		{"Suvarnabhumi Airport, Samut Prakan", "Bangkok International Mail Processing Center, Bangkok"},
		{"Suvarnabhumi Airport, Samut Prakan", "Suvarnabhumi Customs Free Zone, Bangkok"},
	},
	cities: []city{
		{"Chatuchak", "Bangkok", 0}, {"Bang Kapi", "Bangkok", 1}, {"Sathon", "Bangkok", 0},
		{"Mueang Nonthaburi", "Nonthaburi", 1}, {"Mueang Chiang Mai", "Chiang Mai", 0},
		{"Mueang Khon Kaen", "Khon Kaen", 0}, {"Hat Yai", "Songkhla", 1},
		{"Kathu", "Phuket", 1}, {"Bang Lamung", "Chon Buri", 0},
	},
	carriers: []lastMile{
		{
			name: "Thailand Post", office: "%s Post Office", minH: 48, maxH: 96,
			arrived: "Arrived at delivery post office", out: "Out for delivery",
			delivered: "Delivered successfully", attempted: "Delivery attempted - recipient not available",
			held: "Held at post office for collection", collected: "Collected at post office counter",
			pickup: []string{"%s Post Office", "7-Eleven %s"},
		},
		{
			name: "Kerry Express", office: "Kerry Express %s Hub", minH: 24, maxH: 72,
			arrived: "Arrived at destination hub", out: "Out for delivery",
			delivered: "Successfully delivered", attempted: "Unable to deliver - consignee not available",
			held: "Held at service point for collection", collected: "Collected by consignee",
			pickup: []string{"Kerry Express %s Service Point", "7-Eleven %s"},
		},
		{
			name: "Flash Express", office: "Flash Express %s DC", minH: 24, maxH: 72,
			arrived: "Parcel arrived at distribution center", out: "Courier is delivering your parcel",
			delivered: "Signed for by recipient", attempted: "Delivery failed - recipient unavailable",
			held: "Parcel kept at branch for self pickup", collected: "Collected by recipient at branch",
			pickup: []string{"Flash Home %s", "Flash Express %s Branch"},
		},
	},
	customsIn: []string{"Import customs clearance started", "Arrived at customs"},
}

// Journey returns the whole scripted journey of a number, oldest step first,
// with offsets in simulated (unscaled) time since the journey started. It is
// pure: the same number always gives the same journey. It returns nil for a
// number the sandbox does not serve.
func Journey(number string) []Step {
	if !served(number) {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte(number))
	seed := h.Sum64()
	r := &rng{state: seed}

	rt := &routeJP
	switch number[3:5] {
	case "JP":
	case "TH":
		rt = &routeTH
	default:
		if seed>>63 == 1 {
			rt = &routeTH
		}
	}
	o := pick(r, origins)
	c := pick(r, rt.cities)
	gw := rt.gateways[c.gateway]
	lm := pick(r, rt.carriers)

	p, ok := pinned[number]
	if !ok {
		switch n := r.intn(100); {
		case n < 15:
			p = problemRedelivery
		case n < 25:
			p = problemPickup
		case n < 33:
			p = problemHeld
		}
	}

	cn := func(place string) string { return place + ", CN" }
	dst := func(place string) string { return place + ", " + rt.country }
	home := dst(c.district + ", " + c.region)
	office := dst(fmt.Sprintf(lm.office, c.district) + ", " + c.region)

	// The international leg, with raw gaps in minutes that are scaled below
	// to fit the journey's drawn length.
	intl := []draft{
		{0, step(tracker.StageInfoReceived, "SBX_INFO_RECEIVED",
			pick(r, []string{"Shipping information received", "Order information received by carrier", "Package ready for shipping"}),
			cn(o.city+", "+o.province))},
		{r.between(12*60, 60*60), step(tracker.StagePickedUp, "SBX_PICKED_UP",
			pick(r, []string{"Package picked up by carrier", "Received by logistics company", "Accepted by carrier"}),
			cn(o.city+", "+o.province))},
		{r.between(4*60, 24*60), step(tracker.StageAtSortingCenter, "SBX_SORTING_ARRIVED",
			"Arrived at sorting center", cn(o.sorting))},
	}
	if r.chance(70) {
		intl = append(intl, draft{r.between(2*60, 12*60), step(tracker.StageAtSortingCenter, "SBX_SORTING_DEPARTED",
			"Departed from sorting center", cn(o.sorting))})
	}
	intl = append(intl, draft{r.between(12*60, 48*60), step(tracker.StageExportCustoms, "SBX_EXPORT_CUSTOMS",
		"Export customs clearance started", cn(o.port))})
	if r.chance(80) {
		intl = append(intl, draft{r.between(4*60, 24*60), step(tracker.StageExportCustoms, "SBX_EXPORT_CLEARED",
			"Export customs clearance complete", cn(o.port))})
	}
	intl = append(intl, draft{r.between(12*60, 72*60), step(tracker.StageDepartedOrigin, "SBX_DEPARTED",
		pick(r, []string{"Departed from departure country/region", "Flight departed from origin"}), cn(o.airport))})
	if o.viaHongKong && r.chance(50) {
		intl = append(intl, draft{r.between(4*60, 18*60), step(tracker.StageInTransit, "SBX_TRANSIT_HUB",
			"Arrived at transit hub", "Hong Kong International Airport, HK")})
	}
	intl = append(intl,
		draft{r.between(6*60, 48*60), step(tracker.StageInTransit, "SBX_LINEHAUL_ARRIVED",
			pick(r, []string{"Arrived at linehaul office", "Flight arrived at destination airport"}), dst(gw.airport))},
		draft{r.between(12*60, 72*60), step(tracker.StageArrivedDestination, "SBX_ARRIVED_DESTINATION",
			pick(r, []string{"Arrived at destination country/region", "Arrival at office of exchange"}), dst(gw.exchange))},
		draft{r.between(4*60, 24*60), step(tracker.StageImportCustoms, "SBX_IMPORT_CUSTOMS",
			pick(r, rt.customsIn), dst(gw.exchange))},
	)
	if r.chance(75) {
		intl = append(intl, draft{r.between(6*60, 72*60), step(tracker.StageImportCustoms, "SBX_IMPORT_CLEARED",
			"Import customs clearance complete", dst(gw.exchange))})
	}
	handover := step(tracker.StageHandedToLastMile, "SBX_HANDED_OVER",
		"Handed over to last-mile carrier "+lm.name, dst(gw.exchange))
	if lm.newNumber > 0 && r.chance(lm.newNumber) {
		handover.Linked = domesticNumber(r)
		handover.Text += ", new tracking number: " + handover.Linked
	}
	intl = append(intl, draft{r.between(4*60, 24*60), handover})

	// The last mile, in real durations from the handover.
	total := r.between(lm.minH*60, lm.maxH*60)
	final := r.between(60, 8*60) // out for delivery to delivered
	before := total - final
	atOffice := before * r.between(35, 65) / 100
	last := []draft{
		{atOffice, step(tracker.StageHandedToLastMile, "SBX_LAST_MILE_ARRIVED", lm.arrived, office)},
	}
	switch p {
	case problemNone:
		last = append(last,
			draft{before - atOffice, step(tracker.StageOutForDelivery, "SBX_OUT_FOR_DELIVERY", lm.out, home)},
			draft{final, step(tracker.StageDelivered, "SBX_DELIVERED", lm.delivered, home)})
	case problemRedelivery:
		last = append(last,
			draft{before - atOffice, step(tracker.StageOutForDelivery, "SBX_OUT_FOR_DELIVERY", lm.out, home)},
			draft{final, step(tracker.StageAttemptedDelivery, "SBX_DELIVERY_ATTEMPTED", lm.attempted, home)},
			draft{r.between(16*60, 40*60), step(tracker.StageOutForDelivery, "SBX_OUT_FOR_DELIVERY", lm.out, home)},
			draft{r.between(60, 6*60), step(tracker.StageDelivered, "SBX_DELIVERED", lm.delivered, home)})
	case problemHeld:
		last = append(last,
			draft{before - atOffice, step(tracker.StageOutForDelivery, "SBX_OUT_FOR_DELIVERY", lm.out, home)},
			draft{final, step(tracker.StageAttemptedDelivery, "SBX_DELIVERY_ATTEMPTED", lm.attempted, home)},
			draft{r.between(60, 4*60), step(tracker.StageAwaitingPickup, "SBX_AWAITING_PICKUP", lm.held, office)},
			draft{r.between(4*60, 72*60), step(tracker.StageDelivered, "SBX_COLLECTED", lm.collected, office)})
	case problemPickup:
		point := dst(fmt.Sprintf(pick(r, lm.pickup), c.district) + ", " + c.region)
		last = append(last,
			draft{before - atOffice, step(tracker.StageAwaitingPickup, "SBX_AWAITING_PICKUP",
				"Arrived at pickup point, awaiting collection", point)},
			draft{r.between(2*60, 72*60), step(tracker.StageDelivered, "SBX_COLLECTED",
				"Collected by recipient at pickup point", point)})
	}

	// Fit the international leg so that the whole journey lasts between
	// MinJourney and MaxJourney and the leg itself at least minInternational.
	first := r.between(30, 6*60) // until the first scan
	lastMin := 0
	for _, d := range last {
		lastMin += d.gap
	}
	lo := max(minutes(MinJourney), first+minutes(minInternational)+lastMin)
	span := r.between(lo, minutes(MaxJourney)) - first - lastMin
	scale(intl, span)

	steps := make([]Step, 0, len(intl)+len(last))
	at := time.Duration(first) * time.Minute
	for _, list := range [][]draft{intl, last} {
		for _, d := range list {
			at += time.Duration(d.gap) * time.Minute
			d.step.Offset = at
			steps = append(steps, d.step)
		}
	}
	return steps
}

// draft is a step with its gap from the previous one, in minutes.
type draft struct {
	gap  int
	step Step
}

func step(st tracker.Stage, code, text, location string) Step {
	return Step{Stage: st, Code: code, Text: text, Location: location}
}

// scale resizes the gaps so that they add up to span minutes, keeping their
// proportions; the last gap takes the rounding remainder.
func scale(ds []draft, span int) {
	sum := 0
	for _, d := range ds {
		sum += d.gap
	}
	if sum == 0 || len(ds) == 0 {
		return
	}
	used := 0
	for i := range ds[:len(ds)-1] {
		ds[i].gap = ds[i].gap * span / sum
		used += ds[i].gap
	}
	ds[len(ds)-1].gap = span - used
}

func minutes(d time.Duration) int { return int(d / time.Minute) }

// domesticNumber draws a 12-digit number whose last digit is the first
// eleven modulo 7, the check used by Japanese couriers.
func domesticNumber(r *rng) string {
	n := 10_000_000_000 + r.next()%90_000_000_000
	return fmt.Sprintf("%011d%d", n, n%7)
}

// rng is SplitMix64: tiny, fast and fixed forever, so journeys never change
// with the Go release.
type rng struct{ state uint64 }

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

func (r *rng) chance(percent int) bool { return r.intn(100) < percent }

func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }
