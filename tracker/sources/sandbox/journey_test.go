package sandbox

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/todoku/todoku/tracker"
)

// numbers returns SBX<letters>0001 to SBX<letters>0200.
func numbers(letters string) []string {
	out := make([]string, 0, 200)
	for i := 1; i <= 200; i++ {
		out = append(out, fmt.Sprintf("SBX%s%04d", letters, i))
	}
	return out
}

func TestJourneyDeterministic(t *testing.T) {
	for _, n := range append(numbers("JP"), numbers("TH")...) {
		a, b := Journey(n, since), Journey(n, since)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("Journey(%s) differs between calls", n)
		}
	}
	if reflect.DeepEqual(Journey("SBXJP0004", since), Journey("SBXJP0005", since)) {
		t.Error("two numbers share one journey")
	}
}

// TestJourneyPinned guards the demo numbers: their route and timing are free
// to change with the generator, their story is not.
func TestJourneyPinned(t *testing.T) {
	tests := []struct {
		number string
		want   problem
	}{
		{"SBXJP0001", problemNone},
		{"SBXTH0001", problemNone},
		{"SBXTH0002", problemNone},
		{"SBXJP0002", problemRedelivery},
		{"SBXJP0003", problemPickup},
		{"SBXTH0003", problemHeld},
	}
	for _, tt := range tests {
		t.Run(tt.number, func(t *testing.T) {
			if got := problemOf(Journey(tt.number, since)); got != tt.want {
				t.Errorf("problem = %d, want %d", got, tt.want)
			}
		})
	}
}

// problemOf reads the problem back from the stages a journey goes through.
func problemOf(steps []Step) problem {
	stages := make([]tracker.Stage, len(steps))
	for i, s := range steps {
		stages[i] = s.Stage
	}
	attempted := slices.Contains(stages, tracker.StageAttemptedDelivery)
	held := slices.Contains(stages, tracker.StageAwaitingPickup)
	switch {
	case attempted && held:
		return problemHeld
	case attempted:
		return problemRedelivery
	case held:
		return problemPickup
	}
	return problemNone
}

func TestJourneyShape(t *testing.T) {
	allowed := map[tracker.Stage]bool{
		tracker.StageInfoReceived: true, tracker.StagePickedUp: true, tracker.StageAtSortingCenter: true,
		tracker.StageExportCustoms: true, tracker.StageDepartedOrigin: true, tracker.StageInTransit: true,
		tracker.StageArrivedDestination: true, tracker.StageImportCustoms: true,
		tracker.StageHandedToLastMile: true, tracker.StageOutForDelivery: true,
		tracker.StageAttemptedDelivery: true, tracker.StageAwaitingPickup: true, tracker.StageDelivered: true,
	}
	for _, route := range []struct{ letters, country string }{{"JP", "JP"}, {"TH", "TH"}} {
		for _, n := range numbers(route.letters) {
			steps := Journey(n, since)
			checkJourney(t, n, steps, allowed)
			checkRoute(t, n, steps, route.country)
		}
	}
}

func checkJourney(t *testing.T, n string, steps []Step, allowed map[tracker.Stage]bool) {
	t.Helper()
	if len(steps) < 10 {
		t.Fatalf("%s: only %d steps", n, len(steps))
	}
	if got := steps[0].Stage; got != tracker.StageInfoReceived {
		t.Errorf("%s: starts at %s", n, got)
	}
	if got := steps[len(steps)-1].Stage; got != tracker.StageDelivered {
		t.Errorf("%s: ends at %s", n, got)
	}
	if steps[0].Offset <= 0 {
		t.Errorf("%s: first step at %v, want after the start", n, steps[0].Offset)
	}
	if total := steps[len(steps)-1].Offset; total < MinJourney || total > MaxJourney {
		t.Errorf("%s: lasts %v, want %v to %v", n, total, MinJourney, MaxJourney)
	}
	handovers := 0
	for i, s := range steps {
		if !allowed[s.Stage] {
			t.Errorf("%s: step %d has stage %s", n, i, s.Stage)
		}
		if _, err := tracker.ParseStage(s.Stage.String()); err != nil {
			t.Errorf("%s: step %d: %v", n, i, err)
		}
		if i > 0 && s.Offset <= steps[i-1].Offset {
			t.Errorf("%s: step %d at %v is not after step %d at %v", n, i, s.Offset, i-1, steps[i-1].Offset)
		}
		if s.Stage == tracker.StageDelivered && i != len(steps)-1 {
			t.Errorf("%s: delivered at step %d of %d", n, i, len(steps))
		}
		if s.Text == "" || s.Location == "" || !strings.HasPrefix(s.Code, "SBX_") {
			t.Errorf("%s: step %d incomplete: %+v", n, i, s)
		}
		if s.Linked != "" {
			handovers++
			if s.Stage != tracker.StageHandedToLastMile {
				t.Errorf("%s: linked number on a %s step", n, s.Stage)
			}
			if !mod7(s.Linked) {
				t.Errorf("%s: linked number %s fails the mod 7 check", n, s.Linked)
			}
			if !strings.Contains(s.Text, s.Linked) {
				t.Errorf("%s: handover text %q does not name %s", n, s.Text, s.Linked)
			}
		}
		if s.Stage == tracker.StageAttemptedDelivery {
			next := steps[i+1].Stage
			if next != tracker.StageOutForDelivery && next != tracker.StageAwaitingPickup {
				t.Errorf("%s: attempted delivery followed by %s", n, next)
			}
		}
	}
	if handovers > 1 {
		t.Errorf("%s: %d linked numbers", n, handovers)
	}
}

// checkRoute checks the parcel leaves China and arrives in country.
func checkRoute(t *testing.T, n string, steps []Step, country string) {
	t.Helper()
	arrived := false
	for _, s := range steps {
		if s.Stage == tracker.StageArrivedDestination {
			arrived = true
		}
		inChina := strings.HasSuffix(s.Location, ", CN")
		inDest := strings.HasSuffix(s.Location, ", "+country)
		switch {
		case s.Stage <= tracker.StageDepartedOrigin && !inChina:
			t.Errorf("%s: %s in %q, want China", n, s.Stage, s.Location)
		case arrived && !inDest:
			t.Errorf("%s: %s in %q, want %s", n, s.Stage, s.Location, country)
		}
	}
	if !arrived {
		t.Errorf("%s: never arrives at the destination", n)
	}
}

func mod7(n string) bool {
	if len(n) != 12 {
		return false
	}
	v, err := strconv.ParseUint(n, 10, 64)
	if err != nil {
		return false
	}
	return (v/10)%7 == v%10
}

func TestMod7(t *testing.T) {
	// 12345678901 mod 7 = 3
	if !mod7("123456789013") || mod7("123456789014") || mod7("12345678901") {
		t.Fatal("mod7 helper is wrong")
	}
}

// TestJourneyVariety makes sure the hash does reach every kind of ending,
// carrier and linked number across the test ranges.
func TestJourneyVariety(t *testing.T) {
	problems := map[problem]int{}
	linked := 0
	carriers := map[string]bool{}
	for _, n := range append(numbers("JP"), numbers("TH")...) {
		steps := Journey(n, since)
		problems[problemOf(steps)]++
		for _, s := range steps {
			if s.Linked != "" {
				linked++
			}
			if after, ok := strings.CutPrefix(s.Text, "Handed over to last-mile carrier "); ok {
				name, _, _ := strings.Cut(after, ",")
				carriers[name] = true
			}
		}
	}
	for _, p := range []problem{problemNone, problemRedelivery, problemPickup, problemHeld} {
		if problems[p] == 0 {
			t.Errorf("no journey with problem %d", p)
		}
	}
	if problems[problemNone] < 200 {
		t.Errorf("only %d of 400 journeys are clean", problems[problemNone])
	}
	if linked == 0 {
		t.Error("no journey hands over to a new domestic number")
	}
	for _, c := range []string{"Japan Post", "Yamato Transport", "Sagawa Express", "Thailand Post", "Kerry Express", "Flash Express"} {
		if !carriers[c] {
			t.Errorf("carrier %s never used", c)
		}
	}
}

func TestJourneyOtherLetters(t *testing.T) {
	countries := map[string]int{}
	for _, letters := range []string{"AA", "AB", "CN", "XX", "ZZ", "QA", "US", "KR"} {
		for _, n := range numbers(letters)[:25] {
			steps := Journey(n, since)
			if len(steps) == 0 {
				t.Fatalf("%s: no journey", n)
			}
			last := steps[len(steps)-1].Location
			country := last[len(last)-2:]
			if country != "JP" && country != "TH" {
				t.Fatalf("%s: delivered in %q", n, last)
			}
			countries[country]++
			checkRoute(t, n, steps, country)
		}
	}
	if countries["JP"] == 0 || countries["TH"] == 0 {
		t.Errorf("routes picked: %v, want both", countries)
	}
}

func TestJourneyNotServed(t *testing.T) {
	for _, n := range []string{"", "SBX", "SBXJP123", "sbxjp0001", "LP00123456789012"} {
		if steps := Journey(n, since); steps != nil {
			t.Errorf("Journey(%q) = %d steps, want nil", n, len(steps))
		}
	}
}

func TestScale(t *testing.T) {
	ds := []draft{{gap: 10}, {gap: 20}, {gap: 30}}
	scale(ds, 100)
	got := []int{ds[0].gap, ds[1].gap, ds[2].gap}
	if want := []int{16, 33, 51}; !slices.Equal(got, want) {
		t.Errorf("scaled gaps = %v, want %v", got, want)
	}
}

// starts are subscription times spread over the day, so that the last mile
// meets the destination's clock at every hour.
func starts() []time.Time {
	var out []time.Time
	for h := range 24 {
		out = append(out, time.Date(2026, 3, 2, h, 17*h%60, 0, 0, time.UTC))
	}
	return out
}

// TestJourneyLastMileClock checks the last mile against the destination's
// clock: "out for delivery" leaves with a delivery run (07:00-10:30, or
// 13:00-15:00 for couriers) on the first run that takes a parcel sorted at
// the office (by 06:00 for the morning, 11:00 for the afternoon), the door
// is reached the same day before 20:00, and destination scans carry the
// destination's local time.
func TestJourneyLastMileClock(t *testing.T) {
	zones := map[string]int{"JP": 9 * 60 * 60, "TH": 7 * 60 * 60, "CN": 8 * 60 * 60, "HK": 8 * 60 * 60}
	var ofd, afternoon, postAfternoon, sameMorning int
	for _, start := range starts() {
		for _, n := range append(numbers("JP")[:60], numbers("TH")[:60]...) {
			steps := Journey(n, start)
			checkJourney(t, n, steps, map[tracker.Stage]bool{
				tracker.StageInfoReceived: true, tracker.StagePickedUp: true, tracker.StageAtSortingCenter: true,
				tracker.StageExportCustoms: true, tracker.StageDepartedOrigin: true, tracker.StageInTransit: true,
				tracker.StageArrivedDestination: true, tracker.StageImportCustoms: true,
				tracker.StageHandedToLastMile: true, tracker.StageOutForDelivery: true,
				tracker.StageAttemptedDelivery: true, tracker.StageAwaitingPickup: true, tracker.StageDelivered: true,
			})
			post := false
			var office time.Time
			for i, s := range steps {
				at := start.Add(s.Offset).In(s.Zone)
				country := s.Location[len(s.Location)-2:]
				if _, off := at.Zone(); off != zones[country] {
					t.Fatalf("%s from %s: step %d in %s at offset %ds", n, start, i, country, off)
				}
				if strings.HasPrefix(s.Text, "Handed over to last-mile carrier ") {
					post = strings.Contains(s.Text, " Post")
				}
				local := at.Hour()*60 + at.Minute()
				switch s.Code {
				case "SBX_LAST_MILE_ARRIVED":
					office = at
				case "SBX_OUT_FOR_DELIVERY":
					ofd++
					morning := local >= 7*60 && local <= 10*60+30
					after := local >= 13*60 && local <= 15*60
					if after {
						afternoon++
						if post {
							postAfternoon++
						}
					}
					if !morning && !after {
						t.Errorf("%s from %s: out for delivery at %s local", n, start, at.Format("15:04"))
					}
					if steps[i-1].Code == "SBX_LAST_MILE_ARRIVED" {
						cutoff := time.Date(at.Year(), at.Month(), at.Day(), 6, 0, 0, 0, at.Location())
						if after {
							cutoff = cutoff.Add(5 * time.Hour)
						}
						if office.After(cutoff) || !office.After(cutoff.Add(-24*time.Hour)) {
							t.Errorf("%s from %s: at the office %s, out %s: not the first run",
								n, start, office.Format(time.DateTime), at.Format(time.DateTime))
						}
						if morning && office.Day() == at.Day() {
							sameMorning++
						}
					}
					next := start.Add(steps[i+1].Offset).In(s.Zone)
					if next.YearDay() != at.YearDay() || next.Hour()*60+next.Minute() > 20*60 {
						t.Errorf("%s from %s: out %s, then %s at %s", n, start, at.Format(time.DateTime), steps[i+1].Stage, next.Format(time.DateTime))
					}
				case "SBX_DELIVERY_ATTEMPTED":
					if next := steps[i+1]; next.Stage == tracker.StageOutForDelivery {
						if d := start.Add(next.Offset).In(s.Zone).YearDay() - at.YearDay(); d < 1 || d > 2 {
							t.Errorf("%s from %s: redelivery %d days after the attempt", n, start, d)
						}
					}
				}
			}
		}
	}
	t.Logf("%d out-for-delivery runs, %d in the afternoon, %d the morning the parcel reached the office", ofd, afternoon, sameMorning)
	if afternoon == 0 || afternoon*100 > ofd*15 {
		t.Errorf("%d of %d runs in the afternoon; want a small share", afternoon, ofd)
	}
	if postAfternoon > 0 {
		t.Errorf("%d afternoon runs of a post; posts deliver in the morning", postAfternoon)
	}
	if sameMorning == 0 {
		t.Error("no parcel sorted overnight went out the same morning")
	}
}

// TestJourneyStartKeepsRoute: the start moves the last mile's timing, never
// the route, the carriers or the problem.
func TestJourneyStartKeepsRoute(t *testing.T) {
	strip := func(steps []Step) []Step {
		out := slices.Clone(steps)
		for i := range out {
			out[i].Offset = 0
		}
		return out
	}
	for _, n := range append(numbers("JP")[:50], numbers("TH")[:50]...) {
		want := strip(Journey(n, since))
		for _, start := range starts() {
			if got := strip(Journey(n, start)); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: the route changes with the start %s", n, start)
			}
		}
	}
	a, b := Journey("SBXJP0042", starts()[0]), Journey("SBXJP0042", starts()[12])
	if reflect.DeepEqual(a, b) {
		t.Error("the last mile's timing ignores the start")
	}
}
