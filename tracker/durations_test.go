package tracker

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func adHours(n int) time.Duration { return time.Duration(n) * time.Hour }

func TestDefaultStagesAddUpToTheTotal(t *testing.T) {
	d := DefaultDurations()
	for service := range shippings {
		for _, dest := range []string{"JP", "TH", ""} {
			route := Route{Origin: "CN", Dest: dest, Service: service}
			total, ok := d.Total(route)
			if !ok {
				t.Fatalf("%v: no total", route)
			}
			var sum DurationRange
			for _, s := range pathStages {
				r, ok := d.Stage(route, s)
				if !ok {
					t.Fatalf("%v: no figure for %v", route, s)
				}
				if r.P50 <= 0 || r.P90 < r.P50 {
					t.Errorf("%v %v: bad range %v..%v", route, s, r.P50, r.P90)
				}
				sum = sum.add(r)
			}
			if sum != total {
				t.Errorf("%v: stages add up to %v..%v, total is %v..%v", route, sum.P50, sum.P90, total.P50, total.P90)
			}
		}
	}
	for carrier, lm := range lastMiles {
		route := domesticRoute(carrier)
		if route.Dest != lm.country || route.Origin != lm.country {
			t.Errorf("%s: route %v", carrier, route)
		}
		total, _ := d.Total(route)
		h, _ := d.Stage(route, StageHandedToLastMile)
		o, _ := d.Stage(route, StageOutForDelivery)
		if h.add(o) != total || total != lm.total {
			t.Errorf("%s: last mile %v + %v != %v", carrier, h, o, total)
		}
	}
}

func TestDefaultDurationsTable(t *testing.T) {
	std := Route{"CN", "JP", ShippingStandard}
	tests := []struct {
		route Route
		stage Stage // StageUnknown: the total
		want  DurationRange
		ok    bool
	}{
		{std, StageUnknown, DurationRange{adHours(240), adHours(600)}, true},
		{std, StageNotFound, DurationRange{adHours(48), adHours(96)}, true},
		{std, StageInfoReceived, DurationRange{adHours(24), adHours(72)}, true},
		{std, StagePickedUp, DurationRange{adHours(12), adHours(24)}, true},
		{std, StageAtSortingCenter, DurationRange{adHours(24), adHours(48)}, true},
		{std, StageExportCustoms, DurationRange{adHours(24), adHours(72)}, true},
		{std, StageDepartedOrigin, DurationRange{adHours(24), adHours(72)}, true},
		{std, StageInTransit, DurationRange{adHours(48), adHours(120)}, true},
		{std, StageArrivedDestination, DurationRange{adHours(12), adHours(36)}, true},
		{std, StageImportCustoms, DurationRange{adHours(24), adHours(60)}, true},
		{std, StageHandedToLastMile, DurationRange{adHours(40), adHours(72)}, true},
		{std, StageOutForDelivery, DurationRange{adHours(8), adHours(24)}, true},
		{std, StageAttemptedDelivery, DurationRange{adHours(24), 7 * oneDay}, true},
		{std, StageAwaitingPickup, DurationRange{adHours(48), 7 * oneDay}, true},
		{std, StageDelivered, DurationRange{}, false},
		{std, StageException, DurationRange{}, false},
		{Route{"CN", "JP", ShippingSuperEconomy}, StageUnknown, DurationRange{10 * oneDay, 20 * oneDay}, true},
		{Route{"CN", "JP", ShippingPremium}, StageUnknown, DurationRange{5 * oneDay, 10 * oneDay}, true},
		// Premium: 72h..144h before the handover, in the split's proportions.
		{Route{"CN", "JP", ShippingPremium}, StageInfoReceived, DurationRange{adHours(9), adHours(20) + 34*time.Minute}, true},
		{Route{"CN", "", ShippingEMS}, StageUnknown, DurationRange{5 * oneDay, 10 * oneDay}, true},
		{Route{"CN", "", ShippingDHL}, StageUnknown, DurationRange{1 * oneDay, 3 * oneDay}, true},
		{Route{"CN", "", ShippingDHL}, StageHandedToLastMile, DurationRange{adHours(4), adHours(24)}, true},
		{Route{"CN", "", ShippingFedEx}, StageUnknown, DurationRange{2 * oneDay, 4 * oneDay}, true},
		{Route{"CN", "", ShippingUPS}, StageUnknown, DurationRange{2 * oneDay, 4 * oneDay}, true},
		{Route{"CN", "TH", ShippingStandard}, StageAttemptedDelivery, DurationRange{adHours(24), 7 * oneDay}, true},
		{domesticRoute(CarrierJapanPost), StageUnknown, DurationRange{2 * oneDay, 4 * oneDay}, true},
		{domesticRoute(CarrierJapanPost), StageNotFound, DurationRange{1 * oneDay, 3 * oneDay}, true},
		{domesticRoute(CarrierJapanPost), StageImportCustoms, DurationRange{adHours(24), adHours(60)}, true},
		{domesticRoute(CarrierYamato), StageUnknown, DurationRange{1 * oneDay, 2 * oneDay}, true},
		{domesticRoute(CarrierYamato), StageHandedToLastMile, DurationRange{adHours(16), adHours(24)}, true},
		{domesticRoute(CarrierSagawa), StageUnknown, DurationRange{1 * oneDay, 3 * oneDay}, true},
		{domesticRoute(CarrierThailandPost), StageAwaitingPickup, DurationRange{2 * oneDay, 7 * oneDay}, true},
		{domesticRoute(CarrierKerry), StageAttemptedDelivery, DurationRange{1 * oneDay, 3 * oneDay}, true},
		{Route{"CN", "JP", "pigeon"}, StageUnknown, DurationRange{}, false},
		{Route{"CN", "JP", "pigeon"}, StageInTransit, DurationRange{}, false},
	}
	d := DefaultDurations()
	for _, tt := range tests {
		var (
			got DurationRange
			ok  bool
		)
		if tt.stage == StageUnknown {
			got, ok = d.Total(tt.route)
		} else {
			got, ok = d.Stage(tt.route, tt.stage)
		}
		if got != tt.want || ok != tt.ok {
			t.Errorf("%v %v = %v..%v, %v; want %v..%v, %v", tt.route, tt.stage, got.P50, got.P90, ok, tt.want.P50, tt.want.P90, tt.ok)
		}
	}
}

func TestHolding(t *testing.T) {
	for carrier, want := range map[string]time.Duration{
		CarrierJapanPost: 7 * oneDay, CarrierYamato: 7 * oneDay, CarrierSagawa: 7 * oneDay,
		CarrierThailandPost: 7 * oneDay, CarrierKerry: 3 * oneDay, "": 7 * oneDay, CarrierDHLExpress: 7 * oneDay,
	} {
		if got := Holding(carrier); got != want {
			t.Errorf("Holding(%q) = %v, want %v", carrier, got, want)
		}
	}
}

func TestPeakSeasons(t *testing.T) {
	utc := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	tests := []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{"june", utc(2026, 6, 1, 0), utc(2026, 6, 20, 0), nil},
		{"11.11 starts at midnight in China", utc(2026, 11, 10, 16), utc(2026, 11, 10, 16), []string{ReasonPeak1111}},
		{"the evening before in China", utc(2026, 11, 10, 15), utc(2026, 11, 10, 15), nil},
		{"11.11 ends after the 25th", utc(2026, 11, 25, 12), utc(2026, 11, 25, 12), []string{ReasonPeak1111}},
		{"between 11.11 and Black Friday", utc(2026, 11, 26, 0), utc(2026, 11, 26, 12), nil},
		{"Black Friday 2026 is 27 November", utc(2026, 11, 27, 0), utc(2026, 11, 27, 0), []string{ReasonPeakBlackFriday}},
		{"Black Friday 2025 is 28 November", utc(2025, 11, 28, 0), utc(2025, 11, 28, 0), []string{ReasonPeakBlackFriday}},
		{"Black Friday 2024 is 29 November", utc(2024, 11, 28, 0), utc(2024, 11, 28, 12), nil},
		{"ten days after Cyber Monday", utc(2026, 12, 10, 12), utc(2026, 12, 10, 12), []string{ReasonPeakBlackFriday}},
		{"then over", utc(2026, 12, 11, 0), utc(2026, 12, 20, 0), nil},
		{"a span over both", utc(2026, 11, 1, 0), utc(2026, 12, 31, 0), []string{ReasonPeak1111, ReasonPeakBlackFriday}},
		{"reversed span", utc(2026, 12, 31, 0), utc(2026, 11, 1, 0), []string{ReasonPeak1111, ReasonPeakBlackFriday}},
		{"before Lunar New Year 2027 (6 Feb)", utc(2027, 1, 26, 0), utc(2027, 1, 26, 12), nil},
		{"ten days before", utc(2027, 1, 27, 0), utc(2027, 1, 27, 0), []string{ReasonPeakLunarNewYear}},
		{"fifteen days after", utc(2027, 2, 21, 12), utc(2027, 2, 21, 12), []string{ReasonPeakLunarNewYear}},
		{"then over", utc(2027, 2, 22, 0), utc(2027, 3, 1, 0), nil},
		{"over the year end", utc(2026, 12, 20, 0), utc(2027, 2, 1, 0), []string{ReasonPeakLunarNewYear}},
		{"Lunar New Year 2026 (17 Feb)", utc(2026, 2, 20, 0), utc(2026, 2, 20, 0), []string{ReasonPeakLunarNewYear}},
		{"a whole year", utc(2026, 1, 1, 0), utc(2026, 12, 31, 0), []string{ReasonPeak1111, ReasonPeakBlackFriday, ReasonPeakLunarNewYear}},
	}
	zones := []*time.Location{time.UTC, time.FixedZone("JST", 9*3600), time.FixedZone("ICT", 7*3600), time.FixedZone("HST", -10*3600)}
	for _, tt := range tests {
		for _, z := range zones {
			got := PeakSeasons(tt.from.In(z), tt.to.In(z))
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s (%s): PeakSeasons(%v, %v) = %v, want %v", tt.name, z, tt.from, tt.to, got, tt.want)
			}
		}
	}
	if !(DurationRange{}).IsZero() || (DurationRange{P90: 1}).IsZero() {
		t.Error("DurationRange.IsZero")
	}
	if got := PeakStretch(DurationRange{adHours(48), adHours(120)}); got != (DurationRange{adHours(72), adHours(180)}) {
		t.Errorf("PeakStretch = %v", got)
	}
}

func TestNearestRank(t *testing.T) {
	seq := func(n int) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = adHours(i + 1)
		}
		return out
	}
	tests := []struct {
		n        int
		p50, p90 time.Duration
	}{
		{1, adHours(1), adHours(1)},
		{2, adHours(1), adHours(2)},
		{3, adHours(2), adHours(3)},
		{10, adHours(5), adHours(9)},
		{20, adHours(10), adHours(18)},
		{21, adHours(11), adHours(19)},
		{100, adHours(50), adHours(90)},
	}
	for _, tt := range tests {
		if got := percentiles(seq(tt.n)); got.P50 != tt.p50 || got.P90 != tt.p90 {
			t.Errorf("n=%d: %v..%v, want %v..%v", tt.n, got.P50, got.P90, tt.p50, tt.p90)
		}
	}
	if got := nearestRank(nil, 50); got != 0 {
		t.Errorf("empty = %v", got)
	}
}

// deliveredLP is a Cainiao parcel delivered by Japan Post: k*12h with the
// label only, k*6h at customs in two runs, the rest in transit, delivered
// after k days, then a stray event after delivery.
func adDeliveredLP(base time.Time, k int) Shipment {
	at := func(d time.Duration) time.Time { return base.Add(d) }
	u := time.Duration(k) * time.Hour
	events := []Event{
		{Time: at(0), Stage: StageInfoReceived, Source: "cainiao", Text: "a"},
		{Time: at(6 * u), Stage: StageInfoReceived, Source: "cainiao", Text: "b"},
		{Time: at(12 * u), Stage: StageImportCustoms, Source: "cainiao", Text: "c"},
		{Time: at(15 * u), Stage: StageInTransit, Source: "cainiao", Text: "d"},
		{Time: at(16 * u), Stage: StageImportCustoms, Source: "cainiao", Text: "e"},
		{Time: at(19 * u), Stage: StageHandedToLastMile, Source: "japanpost", Text: "f"},
		{Time: at(24 * u), Stage: StageDelivered, Source: "japanpost", Text: "g"},
		{Time: at(30 * u), Stage: StageDelivered, Source: "japanpost", Text: "h"},
	}
	return Shipment{Number: "LP00123456789012", Carrier: CarrierCainiao, LastMile: CarrierJapanPost,
		Linked: []string{"400012345670"}, Events: events, Stage: StageDelivered}
}

func TestMeasure(t *testing.T) {
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var delivered []Shipment
	for k := 1; k <= 20; k++ {
		sh := adDeliveredLP(base.AddDate(0, 0, k), k)
		if k%3 == 0 { // sources may hand events over in any order
			slices.Reverse(sh.Events)
		}
		delivered = append(delivered, sh)
	}
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(delivered), func(i, j int) { delivered[i], delivered[j] = delivered[j], delivered[i] })
	// Not delivered, or nothing before delivery: skipped.
	moving := adDeliveredLP(base, 100)
	moving.Events = moving.Events[:4]
	moving.Stage = StageInTransit
	only := adDeliveredLP(base, 100)
	only.Events = only.Events[6:7]
	delivered = append(delivered, moving, only)

	route := Route{"CN", "JP", ShippingStandard}
	lm := Route{"JP", "JP", CarrierJapanPost}
	p := func(p50, p90 int) DurationRange { return DurationRange{adHours(p50), adHours(p90)} }
	// For k = 1..20, a stage lasting k*n hours has P50 10n and P90 18n.
	want := []struct {
		route Route
		stage Stage // StageUnknown: the total
		r     DurationRange
	}{
		{route, StageUnknown, p(240, 432)},
		{route, StageInfoReceived, p(120, 216)},
		{route, StageImportCustoms, p(60, 108)}, // 3k + 3k
		{route, StageInTransit, p(10, 18)},
		{route, StageHandedToLastMile, p(50, 90)},
		{lm, StageHandedToLastMile, p(50, 90)},
		{lm, StageUnknown, p(50, 90)},
	}
	check := func(m *Measured, measured bool) {
		t.Helper()
		for _, w := range want {
			var got, def DurationRange
			if w.stage == StageUnknown {
				got, _ = m.Total(w.route)
				def, _ = DefaultDurations().Total(w.route)
			} else {
				got, _ = m.Stage(w.route, w.stage)
				def, _ = DefaultDurations().Stage(w.route, w.stage)
			}
			exp := def
			if measured {
				exp = w.r
			}
			if got != exp {
				t.Errorf("min %d: %v %v = %v..%v, want %v..%v", m.MinSamples, w.route, w.stage, got.P50, got.P90, exp.P50, exp.P90)
			}
		}
	}
	m := Measure(delivered, 20)
	check(m, true)
	if n := m.Samples(route); n != 20 {
		t.Errorf("Samples(route) = %d", n)
	}
	if n := m.Samples(lm); n != 20 {
		t.Errorf("Samples(last mile) = %d", n)
	}
	if got := m.Routes(); !slices.Equal(got, []Route{route, lm}) {
		t.Errorf("Routes() = %v", got)
	}
	// A stage nobody went through falls back, as does an unmeasured route.
	if got, _ := m.Stage(route, StageOutForDelivery); got != outForDelivery {
		t.Errorf("unmeasured stage = %v", got)
	}
	if got, ok := m.Total(Route{"CN", "TH", ShippingStandard}); !ok || got != (DurationRange{10 * oneDay, 25 * oneDay}) {
		t.Errorf("unmeasured route = %v, %v", got, ok)
	}
	// Below the minimum, the defaults stay.
	check(Measure(delivered, 21), false)
	check(Measure(delivered[:19], 0), false) // 0 means DefaultMinSamples, 20
	check(Measure(nil, 5), false)
}

func TestRouteOf(t *testing.T) {
	tests := []struct {
		name string
		sh   Shipment
		want Route
	}{
		{"LP handed to Japan Post", Shipment{Number: "LP00123456789012", Carrier: CarrierCainiao, LastMile: CarrierJapanPost},
			Route{"CN", "JP", ShippingStandard}},
		{"LP, nothing tells where", Shipment{Number: "LP00123456789012"}, Route{"CN", "", ShippingStandard}},
		{"LP as pasted", Shipment{Number: "lp 0012 3456 7890 12", LastMile: CarrierThailandPost}, Route{"CN", "TH", ShippingStandard}},
		{"China Post registered", Shipment{Number: "RB004010604CN", Carrier: CarrierChinaPost}, Route{"CN", "", ShippingStandard}},
		{"linked to a Japanese number", Shipment{Number: "RB004010604CN", Linked: []string{"400012345670"}}, Route{"CN", "JP", ShippingStandard}},
		{"linked to a Thai number", Shipment{Number: "RB004010604CN", Linked: []string{"KEX20486575714"}}, Route{"CN", "TH", ShippingStandard}},
		{"linked to a Thai S10", Shipment{Number: "RB004010604CN", Linked: []string{"RX123456785TH"}}, Route{"CN", "TH", ShippingStandard}},
		{"EMS from China", Shipment{Number: "EA123456785CN"}, Route{"CN", "", ShippingEMS}},
		{"from Singapore", Shipment{Number: "UA987654326SG", LastMile: CarrierYamato}, Route{"SG", "JP", ShippingStandard}},
		{"Japan Post S10", Shipment{Number: "EE739482617JP"}, Route{"JP", "JP", CarrierJapanPost}},
		{"Thailand Post S10", Shipment{Number: "RX123456785TH"}, Route{"TH", "TH", CarrierThailandPost}},
		{"12 digits, Yamato", Shipment{Number: "400012345670", Carrier: CarrierYamato}, Route{"JP", "JP", CarrierYamato}},
		{"12 digits, Sagawa", Shipment{Number: "123456789013", Carrier: CarrierSagawa}, Route{"JP", "JP", CarrierSagawa}},
		{"12 digits, nobody said", Shipment{Number: "400012345670"}, Route{"JP", "JP", CarrierJapanPost}},
		{"13 digits", Shipment{Number: "1234567890124"}, Route{"JP", "JP", CarrierJapanPost}},
		{"J&T Thailand", Shipment{Number: "821797074556", Carrier: CarrierJTThailand}, Route{"TH", "TH", CarrierJTThailand}},
		{"Kerry", Shipment{Number: "KEX20486575714"}, Route{"TH", "TH", CarrierKerry}},
		{"Flash", Shipment{Number: "TH42102D96VH9Q"}, Route{"TH", "TH", CarrierFlash}},
		{"YunExpress", Shipment{Number: "YT2229521272164446"}, Route{"CN", "", ShippingStandard}},
		{"Yanwen to Japan", Shipment{Number: "UG123456785YW", Events: []Event{{Location: "Narita, JAPAN"}}}, Route{"CN", "JP", ShippingStandard}},
		{"DHL", Shipment{Number: "1234567891", Carrier: CarrierDHLExpress}, Route{"CN", "", ShippingDHL}},
		{"UPS", Shipment{Number: "1Z5R89390357567127"}, Route{"CN", "", ShippingUPS}},
		{"sandbox Japan", Shipment{Number: "SBXJP0001", Carrier: CarrierSandbox}, Route{"CN", "JP", ShippingStandard}},
		{"sandbox Thailand", Shipment{Number: "SBXTH0003"}, Route{"CN", "TH", ShippingStandard}},
		{"no shape, Sagawa", Shipment{Number: "X", Carrier: CarrierSagawa}, Route{"JP", "JP", CarrierSagawa}},
		{"no shape, FedEx", Shipment{Number: "X", Carrier: CarrierFedEx}, Route{"CN", "", ShippingFedEx}},
		{"no shape at all", Shipment{}, Route{"CN", "", ShippingStandard}},
		{"Thai place names", Shipment{Number: "LP00123456789012", Events: []Event{
			{Location: "Guangzhou"}, {Text: "ถึงที่ทำการไปรษณีย์ กรุงเทพมหานคร"}}}, Route{"CN", "TH", ShippingStandard}},
		{"Japanese place names", Shipment{Number: "LP00123456789012", Events: []Event{{Text: "川崎東郵便局 日本"}}}, Route{"CN", "JP", ShippingStandard}},
	}
	for _, tt := range tests {
		if got := RouteOf(tt.sh); got != tt.want {
			t.Errorf("%s: RouteOf = %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := (Route{"CN", "JP", ShippingStandard}).String(); got != "CN>JP/aliexpress_standard" {
		t.Errorf("String() = %q", got)
	}
}
