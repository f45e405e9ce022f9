package sandbox

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
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
	// Zone is the time zone of the place of the scan: carriers report local
	// times, China's for the first leg and the destination's after it.
	Zone *time.Location
}

// Bounds of a whole journey, from the start to delivery. They follow
// AliExpress Standard Shipping (10-25 days door to door) without its slowest
// tail, so that an accelerated demo ends in predictable time.
const (
	MinJourney = 10 * 24 * time.Hour
	MaxJourney = 20 * 24 * time.Hour
)

// lastMileRest is what the journey's length leaves for the last mile after
// the transit to the delivery office: the wait for a delivery run and the
// run itself, or a second attempt or a collection.
const lastMileRest = 2 * 24 * time.Hour

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
	minH, maxH int    // handover to arrival at the delivery office, in hours
	afternoon  int    // percent of delivery runs that leave in the afternoon
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
	zone      *time.Location
	gateways  []gateway
	cities    []city
	carriers  []lastMile
	customsIn []string // texts for the start of import customs
}

var routeJP = route{
	country: "JP",
	zone:    zone("Asia/Tokyo", 9),
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
			name: "Japan Post", office: "%s Post Office", minH: 20, maxH: 60, newNumber: 50,
			arrived: "Arrival at collection/delivery office", out: "Out for delivery",
			delivered: "Final delivery", attempted: "Absence. Attempted delivery.",
			held: "Retention at post office", collected: "Delivered at counter",
			pickup: []string{"%s Station Post Office Parcel Locker", "FamilyMart %s", "Lawson %s"},
		},
		{
			name: "Yamato Transport", office: "%s Delivery Center", minH: 8, maxH: 30, afternoon: 15, newNumber: 100,
			arrived: "Arrived at delivery center", out: "Out for delivery",
			delivered: "Delivered", attempted: "Delivery attempted. Notice left.",
			held: "Held at delivery center for pickup", collected: "Picked up at delivery center",
			pickup: []string{"PUDO Station %s", "FamilyMart %s", "Yamato %s Service Center"},
		},
		{
			name: "Sagawa Express", office: "%s Sales Office", minH: 10, maxH: 40, afternoon: 15, newNumber: 100,
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
	zone:    zone("Asia/Bangkok", 7),
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
			name: "Thailand Post", office: "%s Post Office", minH: 20, maxH: 60,
			arrived: "Arrived at delivery post office", out: "Out for delivery",
			delivered: "Delivered successfully", attempted: "Delivery attempted - recipient not available",
			held: "Held at post office for collection", collected: "Collected at post office counter",
			pickup: []string{"%s Post Office", "7-Eleven %s"},
		},
		{
			name: "Kerry Express", office: "Kerry Express %s Hub", minH: 10, maxH: 40, afternoon: 15,
			arrived: "Arrived at destination hub", out: "Out for delivery",
			delivered: "Successfully delivered", attempted: "Unable to deliver - consignee not available",
			held: "Held at service point for collection", collected: "Collected by consignee",
			pickup: []string{"Kerry Express %s Service Point", "7-Eleven %s"},
		},
		{
			name: "Flash Express", office: "Flash Express %s DC", minH: 10, maxH: 40, afternoon: 15,
			arrived: "Parcel arrived at distribution center", out: "Courier is delivering your parcel",
			delivered: "Signed for by recipient", attempted: "Delivery failed - recipient unavailable",
			held: "Parcel kept at branch for self pickup", collected: "Collected by recipient at branch",
			pickup: []string{"Flash Home %s", "Flash Express %s Branch"},
		},
	},
	customsIn: []string{"Import customs clearance started", "Arrived at customs"},
}

// Journey returns the whole scripted journey of a number followed from
// start, oldest step first, with offsets in simulated (unscaled) time since
// start. The route, the carriers and any problem depend on the number only;
// the timing of the last mile also follows the destination's local clock
// (delivery runs leave in the morning, deliveries end in the evening), so it
// depends on start's time of day. It is pure: the same number and start
// always give the same journey. It returns nil for a number the sandbox
// does not serve.
func Journey(number string, start time.Time) []Step {
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

	// The last mile is drawn here and timed on the destination's clock
	// once the handover's time is known.
	lmd := drawLastMile(r, lm, p)
	var point string
	if p == problemPickup {
		point = dst(fmt.Sprintf(pick(r, lm.pickup), c.district) + ", " + c.region)
	}

	// Fit the international leg so that the whole journey lasts between
	// MinJourney and MaxJourney and the leg itself at least minInternational.
	// The last mile lasts at least its transit to the delivery office, and
	// usually a day or two more until the door.
	first := r.between(30, 6*60) // until the first scan
	lo := max(minutes(MinJourney)-lmd.transit, first+minutes(minInternational)) - first
	hi := max(minutes(MaxJourney-lastMileRest)-first-lmd.transit, lo)
	span := r.between(lo, hi)

	build := func(span int) []Step {
		ds := slices.Clone(intl)
		scale(ds, span)
		steps := make([]Step, 0, len(ds)+6)
		at := time.Duration(first) * time.Minute
		for _, d := range ds {
			at += time.Duration(d.gap) * time.Minute
			d.step.Offset = at
			steps = append(steps, d.step)
		}
		for _, t := range lmd.timed(start.Add(at).In(rt.zone)) {
			s := step(t.stage, t.code, "", "")
			switch t.code {
			case "SBX_LAST_MILE_ARRIVED":
				s.Text, s.Location = lm.arrived, office
			case "SBX_OUT_FOR_DELIVERY":
				s.Text, s.Location = lm.out, home
			case "SBX_DELIVERY_ATTEMPTED":
				s.Text, s.Location = lm.attempted, home
			case "SBX_DELIVERED":
				s.Text, s.Location = lm.delivered, home
			case "SBX_AWAITING_PICKUP":
				s.Text, s.Location = lm.held, office
				if p == problemPickup {
					s.Text, s.Location = "Arrived at pickup point, awaiting collection", point
				}
			case "SBX_COLLECTED":
				s.Text, s.Location = lm.collected, office
				if p == problemPickup {
					s.Text, s.Location = "Collected by recipient at pickup point", point
				}
			}
			s.Offset = t.at.Sub(start)
			steps = append(steps, s)
		}
		for i := range steps {
			steps[i].Zone = zoneOf(steps[i].Location, rt.zone)
		}
		return steps
	}
	steps := build(span)
	// Waits for delivery runs may push the end past MaxJourney: shorten the
	// international leg by whole days, which keeps the handover's time of
	// day and so the last mile's timing.
	if over := steps[len(steps)-1].Offset - MaxJourney; over > 0 {
		days := int((over + 24*time.Hour - 1) / (24 * time.Hour))
		steps = build(span - days*24*60)
	}
	return steps
}

// zoneOf is the time zone of a location: China's for ", CN" and ", HK",
// else the destination's.
func zoneOf(location string, dest *time.Location) *time.Location {
	if strings.HasSuffix(location, ", CN") || strings.HasSuffix(location, ", HK") {
		return chinaZone
	}
	return dest
}

var chinaZone = zone("Asia/Shanghai", 8)

// zone loads a time zone, or stands in a fixed one with its offset in hours
// where the zone database is missing: none of these zones keeps daylight
// saving time, so the fixed zone is exact.
func zone(name string, hours int) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.FixedZone(name, hours*60*60)
}

// run is a delivery run of the day, in minutes of the local day: it takes
// the parcels sorted at the office by cutoff and leaves between from and to.
type run struct{ cutoff, from, to int }

var (
	// The morning run: the bulk of every carrier's deliveries.
	morningRun = run{cutoff: 6 * 60, from: 7 * 60, to: 10*60 + 30}
	// The courier carriers' smaller afternoon run.
	afternoonRun = run{cutoff: 11 * 60, from: 13 * 60, to: 15 * 60}
)

// Working hours of deliveries and of counters, in minutes of the local day.
const (
	minDelivery   = 20      // shortest time from the run's start to the door
	lastDelivery  = 20 * 60 // deliveries end by 20:00
	counterOpens  = 9 * 60
	counterCloses = 19 * 60
)

// leaves is when the first run of kind r that takes a parcel sorted at
// after leaves; frac (0-1000) places it within the run's window.
func (r run) leaves(after time.Time, frac int) time.Time {
	day := midnight(after)
	if minuteOfDay(after) > r.cutoff {
		day = day.AddDate(0, 0, 1)
	}
	return day.Add(time.Duration(r.from+frac*(r.to-r.from)/1000) * time.Minute)
}

// delivered is when a parcel that left on a run at out reaches the door:
// frac (0-1000) places it between a few minutes after the run's start and
// eight hours later or the end of the working day, whichever comes first.
func delivered(out time.Time, frac int) time.Time {
	span := min(8*60, lastDelivery-minuteOfDay(out)) - minDelivery
	return out.Add(time.Duration(minDelivery+frac*max(span, 0)/1000) * time.Minute)
}

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

func minuteOfDay(t time.Time) int { return t.Hour()*60 + t.Minute() }

// lastMileDraws are the random choices of a last mile, drawn before its
// timing is known so that the route never depends on the start.
type lastMileDraws struct {
	problem   problem
	transit   int  // handover to the delivery office, minutes
	afternoon bool // the first run is an afternoon run
	leave     int  // where in the run's window it leaves, 0-1000
	arrive    int  // where in the working day it reaches the door, 0-1000
	// The second run after a failed attempt (redelivery).
	later      bool // not the next day but the one after
	afternoon2 bool
	leave2     int
	arrive2    int
	// A parcel held or left at a pickup point.
	held    int // attempt to "held at the office", minutes
	pointIn int // run's start to the pickup point, minutes
	collect int // minutes until collected (pickup point)
	days    int // days until collected at the counter (held)
	counter int // where in the counter's hours, 0-1000
}

func drawLastMile(r *rng, lm lastMile, p problem) lastMileDraws {
	afternoon := func() bool { return lm.afternoon > 0 && r.chance(lm.afternoon) }
	d := lastMileDraws{problem: p, transit: r.between(lm.minH*60, lm.maxH*60)}
	d.afternoon, d.leave, d.arrive = afternoon(), r.intn(1001), r.intn(1001)
	switch p {
	case problemRedelivery:
		d.later, d.afternoon2, d.leave2, d.arrive2 = r.chance(30), afternoon(), r.intn(1001), r.intn(1001)
	case problemHeld:
		d.held, d.days, d.counter = r.between(60, 4*60), r.between(0, 2), r.intn(1001)
	case problemPickup:
		d.pointIn, d.collect = r.between(30, 4*60), r.between(2*60, 72*60)
	}
	return d
}

// timedStep is a last-mile step at its local time.
type timedStep struct {
	at    time.Time
	stage tracker.Stage
	code  string
}

// timed places the last mile on the destination's clock from the handover
// (a time in the destination's zone): the parcel reaches the delivery
// office, goes out on the first run that takes it, and reaches the door
// within the working day; a failed attempt goes out again on a run of the
// next day (or the one after), or waits at the office for the counter.
func (d lastMileDraws) timed(handover time.Time) []timedStep {
	runOf := func(afternoon bool) run {
		if afternoon {
			return afternoonRun
		}
		return morningRun
	}
	office := handover.Add(time.Duration(d.transit) * time.Minute)
	out := runOf(d.afternoon).leaves(office, d.leave)
	steps := []timedStep{{office, tracker.StageHandedToLastMile, "SBX_LAST_MILE_ARRIVED"}}
	door := delivered(out, d.arrive)
	switch d.problem {
	case problemNone:
		steps = append(steps,
			timedStep{out, tracker.StageOutForDelivery, "SBX_OUT_FOR_DELIVERY"},
			timedStep{door, tracker.StageDelivered, "SBX_DELIVERED"})
	case problemRedelivery:
		// Redelivery is booked for a run of a later day.
		next := midnight(door).AddDate(0, 0, 1)
		if d.later {
			next = next.AddDate(0, 0, 1)
		}
		out2 := runOf(d.afternoon2).leaves(next, d.leave2)
		steps = append(steps,
			timedStep{out, tracker.StageOutForDelivery, "SBX_OUT_FOR_DELIVERY"},
			timedStep{door, tracker.StageAttemptedDelivery, "SBX_DELIVERY_ATTEMPTED"},
			timedStep{out2, tracker.StageOutForDelivery, "SBX_OUT_FOR_DELIVERY"},
			timedStep{delivered(out2, d.arrive2), tracker.StageDelivered, "SBX_DELIVERED"})
	case problemHeld:
		held := door.Add(time.Duration(d.held) * time.Minute)
		collected := midnight(held).AddDate(0, 0, d.days).
			Add(time.Duration(counterOpens+d.counter*(counterCloses-counterOpens)/1000) * time.Minute)
		if collected.Before(held.Add(time.Hour)) {
			collected = collected.AddDate(0, 0, 1)
		}
		steps = append(steps,
			timedStep{out, tracker.StageOutForDelivery, "SBX_OUT_FOR_DELIVERY"},
			timedStep{door, tracker.StageAttemptedDelivery, "SBX_DELIVERY_ATTEMPTED"},
			timedStep{held, tracker.StageAwaitingPickup, "SBX_AWAITING_PICKUP"},
			timedStep{collected, tracker.StageDelivered, "SBX_COLLECTED"})
	case problemPickup:
		// The run drops it at the pickup point instead of the door.
		at := out.Add(time.Duration(d.pointIn) * time.Minute)
		steps = append(steps,
			timedStep{at, tracker.StageAwaitingPickup, "SBX_AWAITING_PICKUP"},
			timedStep{at.Add(time.Duration(d.collect) * time.Minute), tracker.StageDelivered, "SBX_COLLECTED"})
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
