package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/todoku/todoku/store"
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

// testRenewOutbox checks that renewing a claim starts its lease again,
// and that a consumer whose claim ran out and was taken by another, or
// whose notification was acknowledged, is told it no longer holds it.
func testRenewOutbox(t *testing.T, h *harness) {
	ctx := context.Background()
	chat := chatKey("1")
	h.subscribe(chat, "N1", t0, tracker.StageNotFound)
	h.advance("N1", tracker.StageNotFound, tracker.StageInfoReceived, t0, t0.Add(time.Hour))
	renew := func(consumer string, n store.Notification, lease time.Duration) bool {
		t.Helper()
		held, err := h.s.RenewOutbox(ctx, consumer, n, lease)
		if err != nil {
			t.Fatalf("RenewOutbox(%s): %v", consumer, err)
		}
		return held
	}
	ns := h.claimOutbox("a", 1, shortLease)
	if len(ns) != 1 {
		t.Fatalf("claimed %d notifications, want 1", len(ns))
	}
	if !renew("a", ns[0], shortLease) {
		t.Fatal("the consumer holding a fresh claim was told it does not hold it")
	}
	back := h.pollOutbox("b", 1, shortLease) // a's lease runs out: b takes it
	mustEqual(t, "taken over", back, ns)
	if renew("a", ns[0], shortLease) {
		t.Error("a consumer whose claim another took was told it still holds it")
	}
	time.Sleep(4 * shortLease) // b's claim is past its lease too...
	const fresh = 3 * shortLease
	if !renew("b", back[0], fresh) {
		t.Fatal("the consumer holding the claim was told it does not hold it")
	}
	// ...but renewed: claimers with a lease of fresh leave it alone.
	if got := h.claimOutbox("c", 1, fresh); len(got) != 0 {
		t.Fatalf("a renewed claim was handed out again: %+v", got)
	}
	h.ack(back[0], true)
	if renew("b", back[0], fresh) {
		t.Error("an acknowledged notification was renewed")
	}
}
