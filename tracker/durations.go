package tracker

import (
	"slices"
	"strings"
	"time"
)

// DurationRange is how long something typically takes: half of the parcels
// are done within P50 (the median), nine in ten within P90.
type DurationRange struct {
	P50 time.Duration `json:"p50"`
	P90 time.Duration `json:"p90"`
}

// IsZero reports whether the range is unknown.
func (r DurationRange) IsZero() bool { return r.P50 == 0 && r.P90 == 0 }

// add returns the sum of two ranges.
func (r DurationRange) add(o DurationRange) DurationRange {
	return DurationRange{P50: r.P50 + o.P50, P90: r.P90 + o.P90}
}

// scale multiplies both ends by num/den.
func (r DurationRange) scale(num, den int64) DurationRange {
	return DurationRange{
		P50: time.Duration(int64(r.P50) * num / den),
		P90: time.Duration(int64(r.P90) * num / den),
	}
}

// Route is what typical durations are kept for: where a parcel comes from,
// where it goes, and how it travels.
//
// Origin and Dest are ISO 3166 alpha-2 codes ("CN", "JP", "TH"); Dest is ""
// when nothing tells it yet. Service is a Shipping ID for a journey from
// abroad, or a carrier ID (japan-post, yamato, ...) for a domestic leg, whose
// Origin and Dest are then both the country of that carrier.
type Route struct {
	Origin  string `json:"origin"`
	Dest    string `json:"dest"`
	Service string `json:"service"`
}

// String returns "CN>JP/aliexpress_standard", for logs and map keys.
func (r Route) String() string { return r.Origin + ">" + r.Dest + "/" + r.Service }

// domestic reports whether the route is the leg of one domestic carrier.
func (r Route) domestic() bool {
	_, ok := lastMiles[r.Service]
	return ok
}

// Durations tells how long parcels of a route typically take.
type Durations interface {
	// Stage is the typical time a parcel of the route spends in stage s,
	// from the first event of s to the first event of the next stage. For
	// StageNotFound it is the time from when a number is followed to its
	// first event.
	Stage(route Route, s Stage) (DurationRange, bool)
	// Total is the typical time from the first event to delivery.
	Total(route Route) (DurationRange, bool)
}

// Shipping IDs name how a parcel from abroad travels. They are stable: they
// are stored with measured durations and used as translation keys.
//
//	aliexpress_standard    AliExpress Standard Shipping: Cainiao LP numbers,
//	                       consolidators (Yanwen, YunExpress, 4PX, J&T China,
//	                       SF), China Post S10 numbers other than EMS, and
//	                       any international number nothing else tells about
//	cainiao_super_economy  Cainiao Super Economy; no number shape tells it
//	                       apart from Standard, so RouteOf never returns it,
//	                       but a caller that knows the service may ask for it
//	aliexpress_premium     AliExpress Premium Shipping
//	ems                    EMS (S10 numbers starting with E)
//	dhl                    DHL Express
//	fedex                  FedEx
//	ups                    UPS
const (
	ShippingStandard     = "aliexpress_standard"
	ShippingSuperEconomy = "cainiao_super_economy"
	ShippingPremium      = "aliexpress_premium"
	ShippingEMS          = "ems"
	ShippingDHL          = "dhl"
	ShippingFedEx        = "fedex"
	ShippingUPS          = "ups"
)

const oneDay = 24 * time.Hour

// shipping holds the door-to-door figures of a Shipping ID.
type shipping struct {
	total   DurationRange
	express bool // the courier delivers itself: no domestic carrier takes over
}

// shippings are the door-to-door durations of DOMAIN.md's table (China to
// Japan), read as P50..P90: the guide's lower figure as the median, its upper
// figure as the time by which nine parcels in ten have arrived. The guide
// quotes China to Japan only; Thailand takes the same figures until measured.
//
//	service                 P50   P90   source
//	aliexpress_standard     10d   25d   guide: 10-25 days
//	cainiao_super_economy   10d   20d   guide: 10-20 days
//	aliexpress_premium       5d   10d   guide: 5-10 days
//	ems                      5d   10d   not in the guide: taken as Premium
//	dhl                      1d    3d   guide: 1-3 days
//	fedex                    2d    4d   guide: 2-4 days
//	ups                      2d    4d   not in the guide: taken as FedEx
var shippings = map[string]shipping{
	ShippingStandard:     {total: DurationRange{10 * oneDay, 25 * oneDay}},
	ShippingSuperEconomy: {total: DurationRange{10 * oneDay, 20 * oneDay}},
	ShippingPremium:      {total: DurationRange{5 * oneDay, 10 * oneDay}},
	ShippingEMS:          {total: DurationRange{5 * oneDay, 10 * oneDay}},
	ShippingDHL:          {total: DurationRange{1 * oneDay, 3 * oneDay}, express: true},
	ShippingFedEx:        {total: DurationRange{2 * oneDay, 4 * oneDay}, express: true},
	ShippingUPS:          {total: DurationRange{2 * oneDay, 4 * oneDay}, express: true},
}

// lastMile holds the figures of a domestic carrier.
type lastMile struct {
	country string
	total   DurationRange // from the handover to delivery
	holding time.Duration // how long a parcel is kept after a failed attempt
}

// lastMiles are the domestic carriers' figures.
//
//	carrier        country  handover to delivery   holding  source
//	japan-post     JP       2d..4d                 7d       guide: 2-4 days, held about 7 days
//	yamato         JP       1d..2d                 7d       guide: 1-2 days; Yamato keeps 7 days
//	sagawa         JP       1d..3d                 7d       guide: 1-3 days; Sagawa keeps 7 days
//	thailand-post  TH       2d..4d                 7d       assumed as Japan Post; EMS is kept 7 days
//	kerry-express  TH       1d..3d                 3d       assumed as Sagawa; shorter holding to be safe
//	flash-express  TH       1d..3d                 3d       as kerry-express
//	jt-express-th  TH       1d..3d                 3d       as kerry-express
//	best-express   TH       1d..3d                 3d       as kerry-express
var lastMiles = map[string]lastMile{
	CarrierJapanPost:    {"JP", DurationRange{2 * oneDay, 4 * oneDay}, 7 * oneDay},
	CarrierYamato:       {"JP", DurationRange{1 * oneDay, 2 * oneDay}, 7 * oneDay},
	CarrierSagawa:       {"JP", DurationRange{1 * oneDay, 3 * oneDay}, 7 * oneDay},
	CarrierThailandPost: {"TH", DurationRange{2 * oneDay, 4 * oneDay}, 7 * oneDay},
	CarrierKerry:        {"TH", DurationRange{1 * oneDay, 3 * oneDay}, 3 * oneDay},
	CarrierFlash:        {"TH", DurationRange{1 * oneDay, 3 * oneDay}, 3 * oneDay},
	CarrierJTThailand:   {"TH", DurationRange{1 * oneDay, 3 * oneDay}, 3 * oneDay},
	CarrierBestExpress:  {"TH", DurationRange{1 * oneDay, 3 * oneDay}, 3 * oneDay},
}

// defaultLastMile is the carrier that usually delivers AliExpress parcels in
// a country: the post. Other countries and an unknown one take Japan Post's
// figures.
func defaultLastMile(country string) string {
	if country == "TH" {
		return CarrierThailandPost
	}
	return CarrierJapanPost
}

// countryOfCarrier returns the country of a domestic carrier, or "".
func countryOfCarrier(carrier string) string { return lastMiles[carrier].country }

// Holding is how long the carrier keeps a parcel after a failed delivery
// attempt or at a pickup point before it goes back: 7 days for the Japanese
// carriers and Thailand Post, 3 days assumed for Thailand's private couriers,
// 7 days for any other.
func Holding(carrier string) time.Duration {
	if lm, ok := lastMiles[carrier]; ok {
		return lm.holding
	}
	return 7 * oneDay
}

// Fixed stage figures shared by every route.
var (
	// notScanned is "not found" right after shipping: normal for 2-4 days.
	notScanned = DurationRange{2 * oneDay, 4 * oneDay}
	// notActive is a domestic number before its first scan: it is not
	// active for 1-3 days after the handover.
	notActive = DurationRange{1 * oneDay, 3 * oneDay}
	// outForDelivery: delivered the same day, or the next.
	outForDelivery = DurationRange{8 * time.Hour, 1 * oneDay}
	// expressHandover is an express courier's time at its destination
	// station before the van leaves.
	expressHandover = DurationRange{4 * time.Hour, 1 * oneDay}
)

// pathStages are the happy-path stages from the first scan to delivery, in
// order; a parcel spends time in each of them (or skips it).
var pathStages = []Stage{
	StageInfoReceived, StagePickedUp, StageAtSortingCenter, StageExportCustoms,
	StageDepartedOrigin, StageInTransit, StageArrivedDestination, StageImportCustoms,
	StageHandedToLastMile, StageOutForDelivery,
}

// internationalSplit divides the international part (first scan to the
// handover) of AliExpress Standard Shipping, 8 days P50 and 21 days P90
// (the door-to-door 10-25 days less Japan Post's 2-4 days), between its
// stages. Other services scale it to their own international part.
//
//	stage                P50   P90   why
//	info_received        24h   72h   label made, waiting for the first physical scan
//	picked_up            12h   24h   to the consolidator's warehouse
//	at_sorting_center    24h   48h   hub, congested in peak seasons
//	export_customs       24h   72h   export clearance
//	departed_origin      24h   72h   waiting for a flight
//	in_transit           48h  120h   the flight and transfers
//	arrived_destination  12h   36h   unloading at the office of exchange
//	import_customs       24h   60h   import clearance
var internationalSplit = []struct {
	stage Stage
	r     DurationRange
}{
	{StageInfoReceived, DurationRange{24 * time.Hour, 72 * time.Hour}},
	{StagePickedUp, DurationRange{12 * time.Hour, 24 * time.Hour}},
	{StageAtSortingCenter, DurationRange{24 * time.Hour, 48 * time.Hour}},
	{StageExportCustoms, DurationRange{24 * time.Hour, 72 * time.Hour}},
	{StageDepartedOrigin, DurationRange{24 * time.Hour, 72 * time.Hour}},
	{StageInTransit, DurationRange{48 * time.Hour, 120 * time.Hour}},
	{StageArrivedDestination, DurationRange{12 * time.Hour, 36 * time.Hour}},
	{StageImportCustoms, DurationRange{24 * time.Hour, 60 * time.Hour}},
}

// splitTotal is the sum of internationalSplit: 192h and 504h.
var splitTotal = func() DurationRange {
	var sum DurationRange
	for _, s := range internationalSplit {
		sum = sum.add(s.r)
	}
	return sum
}()

// defaults answers from the tables above.
type defaults struct{}

// DefaultDurations returns the durations Todoku starts from, before it has
// measured enough delivered parcels (see Measure):
//
//   - Total(route): the door-to-door figures of the route's Shipping ID (see
//     shippings); for a domestic leg, its carrier's handover to delivery (see
//     lastMiles).
//   - Stage(route, s) splits the total so that the stages of the path add up
//     to it exactly, P50 and P90 alike. The last mile is the domestic
//     carrier's (the post of the destination when nothing else is known):
//     out_for_delivery 8h..1d, handed_to_last_mile the rest. For express
//     couriers the last mile is their own: handed_to_last_mile 4h..1d and
//     out_for_delivery 8h..1d. What is left before the handover is split
//     between the international stages in the proportions of
//     internationalSplit, any rounding remainder going to in_transit.
//   - not_found (no first scan yet) takes 2d..4d from abroad, and 1d..3d on a
//     domestic leg (a domestic number is not active for 1-3 days after the
//     handover).
//   - attempted_delivery takes 1d..holding and awaiting_pickup 2d..holding,
//     where holding is the carrier's holding period (Holding).
//   - A domestic leg answers for the international stages too (a domestic
//     carrier may report customs), with the figures of Standard Shipping.
//
// A route whose Service is neither a Shipping ID nor a domestic carrier is
// unknown: both methods answer false.
func DefaultDurations() Durations { return defaults{} }

func (defaults) Total(route Route) (DurationRange, bool) {
	if lm, ok := lastMiles[route.Service]; ok {
		return lm.total, true
	}
	if sp, ok := shippings[route.Service]; ok {
		return sp.total, true
	}
	return DurationRange{}, false
}

func (d defaults) Stage(route Route, s Stage) (DurationRange, bool) {
	if lm, ok := lastMiles[route.Service]; ok {
		return domesticStage(route.Service, lm, s)
	}
	sp, ok := shippings[route.Service]
	if !ok {
		return DurationRange{}, false
	}
	carrier := defaultLastMile(route.Dest)
	switch s {
	case StageNotFound:
		return notScanned, true
	case StageAttemptedDelivery:
		return DurationRange{1 * oneDay, Holding(carrier)}, true
	case StageAwaitingPickup:
		return DurationRange{2 * oneDay, Holding(carrier)}, true
	}
	handed := lastMiles[carrier].total
	handed.P50 -= outForDelivery.P50
	handed.P90 -= outForDelivery.P90
	if sp.express {
		handed = expressHandover
	}
	switch s {
	case StageHandedToLastMile:
		return handed, true
	case StageOutForDelivery:
		return outForDelivery, true
	}
	intl := sp.total
	intl.P50 -= handed.P50 + outForDelivery.P50
	intl.P90 -= handed.P90 + outForDelivery.P90
	return splitStage(intl, s)
}

// domesticStage answers for the leg of one domestic carrier.
func domesticStage(carrier string, lm lastMile, s Stage) (DurationRange, bool) {
	switch s {
	case StageNotFound:
		return notActive, true
	case StageAttemptedDelivery:
		return DurationRange{1 * oneDay, lm.holding}, true
	case StageAwaitingPickup:
		return DurationRange{2 * oneDay, lm.holding}, true
	case StageHandedToLastMile:
		return DurationRange{lm.total.P50 - outForDelivery.P50, lm.total.P90 - outForDelivery.P90}, true
	case StageOutForDelivery:
		return outForDelivery, true
	}
	return splitStage(splitTotal, s)
}

// splitStage returns stage s's share of the international part intl, in the
// proportions of internationalSplit; in_transit takes the rounding remainder
// so that the shares add up to intl exactly.
func splitStage(intl DurationRange, s Stage) (DurationRange, bool) {
	var (
		rest  = intl
		found bool
		share DurationRange
	)
	for _, part := range internationalSplit {
		v := DurationRange{
			P50: scaleDuration(part.r.P50, intl.P50, splitTotal.P50),
			P90: scaleDuration(part.r.P90, intl.P90, splitTotal.P90),
		}
		if part.stage != StageInTransit {
			rest.P50 -= v.P50
			rest.P90 -= v.P90
		}
		if part.stage == s {
			share, found = v, true
		}
	}
	if !found {
		return DurationRange{}, false
	}
	if s == StageInTransit {
		share = rest
	}
	return share, true
}

// scaleDuration returns d * num / den, rounded down to the minute. The
// arithmetic is done in minutes so that it cannot overflow.
func scaleDuration(d, num, den time.Duration) time.Duration {
	if den <= 0 {
		return 0
	}
	m := int64(d/time.Minute) * int64(num/time.Minute) / int64(den/time.Minute)
	return time.Duration(m) * time.Minute
}

// Peak-season IDs, as Advice reasons. They are stable.
//
//	peak_season_11_11              Singles' Day (11.11) sale, 11-25 November
//	peak_season_black_friday       Black Friday to ten days after Cyber Monday
//	peak_season_lunar_new_year     ten days before to fifteen days after the
//	                               Lunar New Year (Chinese holidays)
const (
	ReasonPeak1111         = "peak_season_11_11"
	ReasonPeakBlackFriday  = "peak_season_black_friday"
	ReasonPeakLunarNewYear = "peak_season_lunar_new_year"
)

// A peak season stretches durations by peakNum/peakDen.
const peakNum, peakDen = 3, 2

// PeakStretch is how much a peak season stretches the international stages
// and the total: by half (x1.5), P50 and P90 alike.
func PeakStretch(r DurationRange) DurationRange { return r.scale(peakNum, peakDen) }

// china is the zone peak seasons are dated in. China keeps no daylight
// saving time, so a fixed zone is exact and needs no zone database.
var chinaZone = time.FixedZone("CST", 8*60*60)

// lunarNewYear lists the first day of the Lunar New Year (Spring Festival)
// from 2020 to 2040. Outside these years no Lunar New Year peak is detected.
var lunarNewYear = map[int][2]int{
	2020: {1, 25}, 2021: {2, 12}, 2022: {2, 1}, 2023: {1, 22}, 2024: {2, 10},
	2025: {1, 29}, 2026: {2, 17}, 2027: {2, 6}, 2028: {1, 26}, 2029: {2, 13},
	2030: {2, 3}, 2031: {1, 23}, 2032: {2, 11}, 2033: {1, 31}, 2034: {2, 19},
	2035: {2, 8}, 2036: {1, 28}, 2037: {2, 15}, 2038: {2, 4}, 2039: {1, 24},
	2040: {2, 12},
}

// peakWindow is a half-open span of days in China's calendar.
type peakWindow struct {
	id       string
	from, to time.Time // [from, to)
}

// peakWindows returns the peak seasons of year y, in China time.
func peakWindows(y int) []peakWindow {
	date := func(m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, chinaZone) }
	w := []peakWindow{{ReasonPeak1111, date(time.November, 11), date(time.November, 26)}}
	// Black Friday: the day after the fourth Thursday of November.
	first := date(time.November, 1)
	thursday := 1 + (int(time.Thursday)-int(first.Weekday())+7)%7
	bf := date(time.November, thursday+21+1)
	w = append(w, peakWindow{ReasonPeakBlackFriday, bf, bf.AddDate(0, 0, 14)})
	if md, ok := lunarNewYear[y]; ok {
		lny := date(time.Month(md[0]), md[1])
		w = append(w, peakWindow{ReasonPeakLunarNewYear, lny.AddDate(0, 0, -10), lny.AddDate(0, 0, 16)})
	}
	return w
}

// PeakSeasons returns the IDs of the peak seasons that overlap the span
// [from, to], in the order 11.11, Black Friday, Lunar New Year. The seasons
// are dated in China, where the parcels queue, so the answer does not depend
// on the zones of from and to.
func PeakSeasons(from, to time.Time) []string {
	if to.Before(from) {
		from, to = to, from
	}
	var ids []string
	for y := from.In(chinaZone).Year() - 1; y <= to.In(chinaZone).Year(); y++ {
		for _, w := range peakWindows(y) {
			if w.from.After(to) || !w.to.After(from) || slices.Contains(ids, w.id) {
				continue
			}
			ids = append(ids, w.id)
		}
	}
	order := []string{ReasonPeak1111, ReasonPeakBlackFriday, ReasonPeakLunarNewYear}
	slices.SortFunc(ids, func(a, b string) int { return slices.Index(order, a) - slices.Index(order, b) })
	return ids
}

// DefaultMinSamples is how many delivered parcels of a route Measure wants
// before its figures replace the defaults.
const DefaultMinSamples = 20

// Measured holds durations measured from delivered shipments. A figure
// (a route's total, or one stage of a route) replaces the default once it
// rests on at least MinSamples shipments; below that, Measured answers with
// DefaultDurations. It is read-only after Measure and safe for concurrent use.
type Measured struct {
	MinSamples int
	totals     map[Route][]time.Duration
	stages     map[routeStage][]time.Duration
}

type routeStage struct {
	route Route
	stage Stage
}

// Measure builds P50 and P90 per route and per stage from the event
// timelines of delivered shipments; others are skipped. Percentiles use the
// nearest-rank method on the sorted samples (P = the ceil(p/100 * n)-th
// smallest), so they are always durations that were really observed.
//
// For each shipment, the total runs from its first event to its first
// delivered event, and the time in a stage from the first event of a run of
// that stage to the first event of the next stage; a stage met in several
// runs adds them up, so one shipment gives one sample per stage. Events after
// delivery are ignored. The samples count for RouteOf(shipment); when the
// shipment names its last-mile carrier, the last-mile stages (handed over,
// out for delivery, attempted delivery, awaiting pickup) and the time from
// the handover to delivery also count for that carrier's domestic route.
//
// minSamples <= 0 means DefaultMinSamples.
func Measure(delivered []Shipment, minSamples int) *Measured {
	if minSamples <= 0 {
		minSamples = DefaultMinSamples
	}
	m := &Measured{
		MinSamples: minSamples,
		totals:     map[Route][]time.Duration{},
		stages:     map[routeStage][]time.Duration{},
	}
	for _, sh := range delivered {
		m.add(sh)
	}
	for _, v := range m.totals {
		slices.Sort(v)
	}
	for _, v := range m.stages {
		slices.Sort(v)
	}
	return m
}

// add records the samples of one shipment.
func (m *Measured) add(sh Shipment) {
	events := sortedEvents(sh.Events)
	end := slices.IndexFunc(events, func(e Event) bool { return e.Stage == StageDelivered })
	if end <= 0 {
		return // not delivered, or nothing before delivery
	}
	route := RouteOf(sh)
	lm, hasLM := lastMileRoute(sh, route)
	delivered := events[end].Time
	if total := delivered.Sub(events[0].Time); total > 0 {
		m.totals[route] = append(m.totals[route], total)
	}
	spent := map[Stage]time.Duration{}
	var order []Stage
	lmStart := time.Time{}
	for i := 0; i < end; {
		j := i + 1
		for j < end && events[j].Stage == events[i].Stage {
			j++
		}
		s := events[i].Stage
		if s != StageUnknown {
			if _, ok := spent[s]; !ok {
				order = append(order, s)
			}
			spent[s] += events[j].Time.Sub(events[i].Time)
		}
		if lastMilePhase(s) && lmStart.IsZero() {
			lmStart = events[i].Time
		}
		i = j
	}
	for _, s := range order {
		k := routeStage{route, s}
		m.stages[k] = append(m.stages[k], spent[s])
		if hasLM && lastMilePhase(s) {
			k := routeStage{lm, s}
			m.stages[k] = append(m.stages[k], spent[s])
		}
	}
	if hasLM && !lmStart.IsZero() {
		if total := delivered.Sub(lmStart); total > 0 {
			m.totals[lm] = append(m.totals[lm], total)
		}
	}
}

// Stage answers with the measured figure when it rests on at least
// MinSamples shipments, else with DefaultDurations.
func (m *Measured) Stage(route Route, s Stage) (DurationRange, bool) {
	if v := m.stages[routeStage{route, s}]; len(v) >= m.MinSamples && len(v) > 0 {
		return percentiles(v), true
	}
	return DefaultDurations().Stage(route, s)
}

// Total answers with the measured figure when it rests on at least
// MinSamples shipments, else with DefaultDurations.
func (m *Measured) Total(route Route) (DurationRange, bool) {
	if v := m.totals[route]; len(v) >= m.MinSamples && len(v) > 0 {
		return percentiles(v), true
	}
	return DefaultDurations().Total(route)
}

// Samples returns how many delivered shipments were measured on the route.
func (m *Measured) Samples(route Route) int { return len(m.totals[route]) }

// Routes returns every route with at least one sample, sorted.
func (m *Measured) Routes() []Route {
	out := make([]Route, 0, len(m.totals))
	for r := range m.totals {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Route) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// percentiles returns the nearest-rank P50 and P90 of sorted samples.
func percentiles(sorted []time.Duration) DurationRange {
	return DurationRange{P50: nearestRank(sorted, 50), P90: nearestRank(sorted, 90)}
}

// nearestRank returns the ceil(p/100 * n)-th smallest of sorted samples.
func nearestRank(sorted []time.Duration, p int) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := (p*n + 99) / 100
	return sorted[max(rank, 1)-1]
}

// sortedEvents returns the events oldest first, without modifying them.
func sortedEvents(events []Event) []Event {
	if slices.IsSortedFunc(events, func(a, b Event) int { return a.Time.Compare(b.Time) }) {
		return events
	}
	out := slices.Clone(events)
	slices.SortStableFunc(out, func(a, b Event) int { return a.Time.Compare(b.Time) })
	return out
}

// lastMilePhase reports whether stage s happens with the domestic carrier.
func lastMilePhase(s Stage) bool {
	switch s {
	case StageHandedToLastMile, StageOutForDelivery, StageAttemptedDelivery, StageAwaitingPickup:
		return true
	}
	return false
}

// lastMileRoute returns the domestic route of the shipment's last-mile
// carrier, when it names one that its own route is not already.
func lastMileRoute(sh Shipment, route Route) (Route, bool) {
	c := countryOfCarrier(sh.LastMile)
	if c == "" || route.Service == sh.LastMile {
		return Route{}, false
	}
	return Route{Origin: c, Dest: c, Service: sh.LastMile}, true
}

// RouteOf tells the route of a shipment from what its number, carrier and
// last mile say:
//
//   - the number's shape (Detect; the reading that names sh.Carrier wins):
//     an S10 number ending in JP or TH, a Japanese or Thai domestic format
//     is a domestic leg of its carrier (Origin = Dest = its country); an S10
//     number of another country starts there (EMS when it starts with E,
//     else aliexpress_standard); LP numbers and the Chinese consolidators are
//     CN aliexpress_standard; DHL, FedEx and UPS numbers are their express
//     services from CN; a sandbox number SBXJP... is CN to JP, Standard;
//   - without a recognised shape, the carrier does the same;
//   - anything else is aliexpress_standard from CN, the way most AliExpress
//     parcels travel.
//
// Dest comes from the last-mile carrier, then from the linked numbers'
// shapes, then from country names in the event locations ("Japan", "日本",
// "Bangkok", ...); it stays "" when nothing tells.
func RouteOf(sh Shipment) Route {
	number := Canonical(sh.Number)
	r, ok := routeOfNumber(number, sh.Carrier)
	if !ok {
		r = routeOfCarrier(sh.Carrier)
	}
	if r.Dest == "" {
		r.Dest = destOf(sh)
	}
	return r
}

// routeOfNumber reads the route from the number's shape.
func routeOfNumber(number, carrier string) (Route, bool) {
	var (
		best  Candidate
		found bool
	)
	for _, c := range Detect(number) {
		if c.Number != number {
			continue
		}
		if !found {
			best, found = c, true
		}
		if carrier != "" && slices.Contains(c.Carriers, carrier) {
			best = c
			break
		}
	}
	if !found {
		return Route{}, false
	}
	pick := func(def string) string {
		if carrier != "" && slices.Contains(best.Carriers, carrier) {
			return carrier
		}
		return def
	}
	switch best.Format {
	case FormatSandbox:
		return Route{Origin: "CN", Dest: best.Country, Service: ShippingStandard}, true
	case FormatS10:
		switch best.Country {
		case "JP":
			return domesticRoute(CarrierJapanPost), true
		case "TH":
			return domesticRoute(CarrierThailandPost), true
		case "":
			return Route{Origin: "CN", Service: ShippingStandard}, true
		}
		if best.Service == ServiceEMS {
			return Route{Origin: best.Country, Service: ShippingEMS}, true
		}
		return Route{Origin: best.Country, Service: ShippingStandard}, true
	case FormatJP11, FormatJP13:
		return domesticRoute(CarrierJapanPost), true
	case FormatJP12:
		return domesticRoute(pick(CarrierJapanPost)), true
	case FormatKerry, FormatFlash, FormatJTThailand, FormatBestExpress:
		return domesticRoute(best.Carriers[0]), true
	case FormatDHLExpress:
		return Route{Origin: "CN", Service: ShippingDHL}, true
	case FormatFedEx12, FormatFedEx15, FormatFedEx22:
		return Route{Origin: "CN", Service: ShippingFedEx}, true
	case FormatUSPS22:
		if pick("") == CarrierFedEx {
			return Route{Origin: "CN", Service: ShippingFedEx}, true
		}
		return Route{Origin: "US", Service: ShippingStandard}, true
	case FormatUSPS20:
		return Route{Origin: "US", Service: ShippingStandard}, true
	case FormatUPS:
		return Route{Origin: "CN", Service: ShippingUPS}, true
	}
	return Route{Origin: "CN", Service: ShippingStandard}, true
}

// routeOfCarrier reads the route from the carrier alone.
func routeOfCarrier(carrier string) Route {
	if countryOfCarrier(carrier) != "" {
		return domesticRoute(carrier)
	}
	switch carrier {
	case CarrierDHLExpress:
		return Route{Origin: "CN", Service: ShippingDHL}
	case CarrierFedEx:
		return Route{Origin: "CN", Service: ShippingFedEx}
	case CarrierUPS:
		return Route{Origin: "CN", Service: ShippingUPS}
	}
	return Route{Origin: "CN", Service: ShippingStandard}
}

// domesticRoute is the leg of one domestic carrier.
func domesticRoute(carrier string) Route {
	c := countryOfCarrier(carrier)
	return Route{Origin: c, Dest: c, Service: carrier}
}

// destWords are place names in event locations and texts that give away the
// destination, matched on the upper-cased text.
var destWords = []struct{ word, country string }{
	{"JAPAN", "JP"}, {"日本", "JP"}, {"TOKYO", "JP"}, {"東京", "JP"}, {"OSAKA", "JP"},
	{"大阪", "JP"}, {"NARITA", "JP"}, {"成田", "JP"}, {"HANEDA", "JP"}, {"羽田", "JP"},
	{"THAILAND", "TH"}, {"ประเทศไทย", "TH"}, {"BANGKOK", "TH"}, {"กรุงเทพ", "TH"},
	{"SUVARNABHUMI", "TH"}, {"泰国", "TH"},
}

// destOf finds the destination country of a shipment, or "".
func destOf(sh Shipment) string {
	if c := countryOfCarrier(sh.LastMile); c != "" {
		return c
	}
	for _, n := range sh.Linked {
		for _, c := range Detect(n) {
			if c.Format == FormatS10 && (c.Country == "JP" || c.Country == "TH") {
				return c.Country
			}
			if len(c.Carriers) > 0 {
				if cc := countryOfCarrier(c.Carriers[0]); cc != "" {
					return cc
				}
			}
		}
	}
	for i := len(sh.Events) - 1; i >= 0; i-- {
		e := sh.Events[i]
		text := strings.ToUpper(e.Location + " " + e.Text)
		for _, w := range destWords {
			if strings.Contains(text, w.word) {
				return w.country
			}
		}
	}
	return ""
}
