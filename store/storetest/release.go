package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/todoku/todoku/tracker"
)

// testReleaseOutbox checks that released notifications are claimable at
// once by another consumer, in order, while those kept stay leased, and
// that a consumer cannot release what it no longer holds.
func testReleaseOutbox(t *testing.T, h *harness) {
	ctx := context.Background()
	chat := chatKey("1")
	numbers := []string{"N1", "N2", "N3"}
	for i, n := range numbers {
		h.subscribe(chat, n, t0, tracker.StageNotFound)
		now := t0.Add(time.Duration(i) * time.Minute)
		h.advance(n, tracker.StageNotFound, tracker.StageInfoReceived, now, now.Add(time.Hour))
	}
	claimed := h.claimOutbox("a", 10, longLease)
	if len(claimed) != 3 {
		t.Fatalf("claimed %d notifications, want 3", len(claimed))
	}
	if err := h.s.ReleaseOutbox(ctx, "a", nil); err != nil {
		t.Fatalf("ReleaseOutbox(none): %v", err)
	}
	// "b" holds nothing: its release changes nothing.
	if err := h.s.ReleaseOutbox(ctx, "b", claimed); err != nil {
		t.Fatalf("ReleaseOutbox by a consumer holding nothing: %v", err)
	}
	if ns := h.claimOutbox("b", 10, longLease); len(ns) != 0 {
		t.Fatalf("another consumer's release handed out %+v", ns)
	}
	if err := h.s.ReleaseOutbox(ctx, "a", claimed[1:]); err != nil {
		t.Fatalf("ReleaseOutbox: %v", err)
	}
	back := h.claimOutbox("b", 10, longLease)
	mustEqual(t, "released notifications claimed at once", back, claimed[1:])
	// "a" no longer holds those two: releasing all three again leaves them
	// with "b" and releases only the one "a" still holds.
	if err := h.s.ReleaseOutbox(ctx, "a", claimed); err != nil {
		t.Fatalf("ReleaseOutbox of notifications claimed by another: %v", err)
	}
	if ns := h.claimOutbox("c", 10, longLease); len(ns) != 1 || ns[0].ID != claimed[0].ID {
		t.Fatalf("after a stale release, claim handed out %+v; want only the one a still held", ns)
	}
	for _, n := range back {
		h.ack(n, true)
	}
	if err := h.s.ReleaseOutbox(ctx, "b", back); err != nil {
		t.Fatalf("ReleaseOutbox of acknowledged notifications: %v", err)
	}
	if ns := h.claimOutbox("d", 10, longLease); len(ns) != 0 {
		t.Fatalf("acknowledged notifications came back after a release: %+v", ns)
	}
}
