package tracker

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func ev(h int, s Stage, text string) Event {
	return Event{Time: t0.Add(time.Duration(h) * time.Hour), Text: text, Code: s.String(), Stage: s, Source: "test"}
}

func TestStageIDsAreStable(t *testing.T) {
	want := []string{"not_found", "info_received", "picked_up", "at_sorting_center", "export_customs",
		"departed_origin", "in_transit", "arrived_destination", "import_customs", "handed_to_last_mile",
		"out_for_delivery", "attempted_delivery", "awaiting_pickup", "delivered", "returning", "returned",
		"exception", "lost", "expired"}
	var got []string
	for _, s := range Stages() {
		got = append(got, s.String())
		back, err := ParseStage(s.String())
		if err != nil || back != s {
			t.Errorf("ParseStage(%q) = %v, %v", s, back, err)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("stage IDs changed:\n got %v\nwant %v", got, want)
	}
	b, err := json.Marshal(struct{ S Stage }{StageOutForDelivery})
	if err != nil || string(b) != `{"S":"out_for_delivery"}` {
		t.Errorf("JSON = %s, %v", b, err)
	}
	var back struct{ S Stage }
	if err := json.Unmarshal([]byte(`{"S":"nope"}`), &back); err == nil {
		t.Error("an unknown stage ID was accepted")
	}
}

func TestMergeEvents(t *testing.T) {
	a, b, c := ev(1, StagePickedUp, "a"), ev(2, StageInTransit, "b"), ev(3, StageDelivered, "c")
	got := MergeEvents([]Event{a, b}, []Event{c, b, a})
	if len(got) != 3 || got[0].Text != "a" || got[2].Text != "c" {
		t.Errorf("MergeEvents = %+v", got)
	}
}

func TestApplyAndDiff(t *testing.T) {
	old := Shipment{Number: "LP00123456789012", Since: t0, Stage: StageUnknown}
	now := t0.Add(5 * time.Hour)
	next, ch := Apply(old, Result{Number: old.Number, Events: []Event{ev(2, StageInTransit, "b"), ev(1, StagePickedUp, "a")}, Linked: []string{"123456789013"}, LastMile: "japan-post"}, now)
	if next.Stage != StageInTransit || !ch.StageChanged() || ch.From != StageUnknown || len(ch.NewEvents) != 2 ||
		next.LastMile != "japan-post" || !slices.Equal(next.Linked, []string{"123456789013"}) || !next.CheckedAt.Equal(now) {
		t.Fatalf("Apply = %+v, %+v", next, ch)
	}
	again, ch := Apply(next, Result{Number: old.Number, Events: []Event{ev(1, StagePickedUp, "a")}, Linked: []string{"123456789013"}}, now)
	if !ch.Empty() || again.Stage != StageInTransit || len(again.Linked) != 1 {
		t.Errorf("re-applying known events changed %+v", ch)
	}

	// A failure keeps the events and stage, and remembers when failing began.
	failed, ch := Apply(next, Result{Number: old.Number, Error: ErrKindUnavailable}, now.Add(time.Hour))
	if !ch.Empty() || failed.Stage != StageInTransit || len(failed.Events) != 2 || !failed.FailingSince.Equal(now.Add(time.Hour)) {
		t.Errorf("failure: %+v, %+v", failed, ch)
	}
	failed, _ = Apply(failed, Result{Number: old.Number, Error: ErrKindBadResponse}, now.Add(2*time.Hour))
	if !failed.FailingSince.Equal(now.Add(time.Hour)) {
		t.Errorf("FailingSince moved to %v", failed.FailingSince)
	}
	ok, _ := Apply(failed, Result{Number: old.Number}, now.Add(3*time.Hour))
	if !ok.FailingSince.IsZero() || ok.Error != "" {
		t.Errorf("success did not clear the failure: %+v", ok)
	}
	nf, _ := Apply(Shipment{Number: "X"}, Result{Number: "X", Error: ErrKindNotFound}, now)
	if !nf.FailingSince.IsZero() {
		t.Error("not found counted as a failing source")
	}
}

func TestLastMileStage(t *testing.T) {
	for in, want := range map[Stage]Stage{
		StageNotFound:          StageHandedToLastMile,
		StageInfoReceived:      StageHandedToLastMile,
		StagePickedUp:          StageHandedToLastMile,
		StageAtSortingCenter:   StageHandedToLastMile,
		StageInTransit:         StageHandedToLastMile,
		StageImportCustoms:     StageHandedToLastMile,
		StageHandedToLastMile:  StageHandedToLastMile,
		StageOutForDelivery:    StageOutForDelivery,
		StageAttemptedDelivery: StageAttemptedDelivery,
		StageAwaitingPickup:    StageAwaitingPickup,
		StageDelivered:         StageDelivered,
		StageReturning:         StageReturning,
		StageException:         StageException,
	} {
		if got := LastMileStage(in); got != want {
			t.Errorf("LastMileStage(%v) = %v, want %v", in, got, want)
		}
	}
}

func TestMergeLinked(t *testing.T) {
	parent := Result{Number: "LP00123456789012", Source: "cainiao", Events: []Event{ev(1, StageHandedToLastMile, "handed over")}}
	MergeLinked(&parent, Result{Number: "123456789013", Source: "japan-post", Error: ErrKindNotFound})
	if len(parent.Events) != 1 {
		t.Fatalf("a not-yet-active domestic number added events: %+v", parent.Events)
	}
	MergeLinked(&parent, Result{Number: "123456789013", Source: "japan-post", Events: []Event{
		{Time: t0.Add(2 * time.Hour), Text: "引受", Stage: StagePickedUp},
		{Time: t0.Add(9 * time.Hour), Text: "お届け済み", Stage: StageDelivered},
	}})
	sh, _ := Apply(Shipment{Number: parent.Number}, parent, t0.Add(10*time.Hour))
	var stages []Stage
	for _, e := range sh.Events {
		stages = append(stages, e.Stage)
	}
	if !slices.Equal(stages, []Stage{StageHandedToLastMile, StageHandedToLastMile, StageDelivered}) || sh.Stage != StageDelivered {
		t.Errorf("merged stages %v, shipment at %v", stages, sh.Stage)
	}
	if sh.Events[1].Source != "japan-post" {
		t.Errorf("linked event source %q", sh.Events[1].Source)
	}
	failedParent := Result{Number: "LP1", Error: ErrKindUnavailable}
	MergeLinked(&failedParent, Result{Number: "2", Source: "japan-post", Events: []Event{ev(3, StageOutForDelivery, "配達中")}})
	if failedParent.Error != "" || len(failedParent.Events) != 1 {
		t.Errorf("linked events lost when the international source failed: %+v", failedParent)
	}
}
