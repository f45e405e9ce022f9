package handlers_test

import (
	"context"
	"testing"
	"time"

	"github.com/todoku/todoku/tracker"
)

// TestQuestionsCheckAStaleSnapshot: polling is sparse on the long legs, so
// a question about a parcel whose snapshot is older than half an hour asks
// the carrier first; a fresh snapshot is answered as it is.
func TestQuestionsCheckAStaleSnapshot(t *testing.T) {
	for _, ask := range []string{"/show 1", "/why 1", "where is it?"} {
		t.Run(ask, func(t *testing.T) {
			h := newHarness(t)
			h.say(t, "SBXJP0001")
			before, err := h.st.Shipment(context.Background(), "SBXJP0001")
			if err != nil {
				t.Fatal(err)
			}

			h.now = h.now.Add(10 * time.Minute) // fresh: no new check
			h.say(t, ask)
			if sh, _ := h.st.Shipment(context.Background(), "SBXJP0001"); !sh.CheckedAt.Equal(before.CheckedAt) {
				t.Errorf("a snapshot checked 10 minutes ago was checked again at %v", sh.CheckedAt)
			}

			h.now = h.now.Add(5 * 24 * time.Hour) // stale, and the journey moved on
			out := h.say(t, ask)
			after, err := h.st.Shipment(context.Background(), "SBXJP0001")
			if err != nil {
				t.Fatal(err)
			}
			if !after.CheckedAt.Equal(h.now) {
				t.Fatalf("a five-day-old snapshot was not checked on request: checked at %v, now %v", after.CheckedAt, h.now)
			}
			if after.Stage == before.Stage || after.Stage == tracker.StageNotFound {
				t.Fatalf("five days on the stage is still %v", after.Stage)
			}
			if len(out) == 0 || out[0].Card == nil || out[0].Card.Stage != after.Stage.String() {
				t.Errorf("the answer shows %+v, want the checked stage %v", out, after.Stage)
			}
		})
	}
}
