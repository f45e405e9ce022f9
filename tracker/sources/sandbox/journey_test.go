package sandbox

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

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
		a, b := Journey(n), Journey(n)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("Journey(%s) differs between calls", n)
		}
	}
	if reflect.DeepEqual(Journey("SBXJP0004"), Journey("SBXJP0005")) {
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
			if got := problemOf(Journey(tt.number)); got != tt.want {
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
			steps := Journey(n)
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
		steps := Journey(n)
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
			steps := Journey(n)
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
		if steps := Journey(n); steps != nil {
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
