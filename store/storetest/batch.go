package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

func testShipments(t *testing.T, h *harness) {
	ctx := context.Background()
	a := Realistic("LP00000000000101", 20, t0)
	h.subscribe(chatKey("1"), "LP00000000000102", t0, tracker.StageNotFound)
	if _, _, _, err := h.s.Subscribe(ctx, store.Subscription{Chat: chatKey("1"), Number: a.Number, CreatedAt: t0}, a); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	got, err := h.s.Shipments(ctx, []string{a.Number, "LP00000000000102", "LP00000000000199"})
	if err != nil {
		t.Fatalf("Shipments: %v", err)
	}
	want := map[string]tracker.Shipment{a.Number: h.shipment(a.Number), "LP00000000000102": stub("LP00000000000102", tracker.StageNotFound)}
	mustEqual(t, "Shipments", got, want)
	mustEqual(t, "realistic shipment", got[a.Number].Events, h.shipment(a.Number).Events)
	if len(got[a.Number].Events) != 20 {
		t.Errorf("stored %d events, want 20", len(got[a.Number].Events))
	}
	if none, err := h.s.Shipments(ctx, nil); err != nil || len(none) != 0 {
		t.Errorf("Shipments(nil) = %v, %v; want empty", none, err)
	}
}

func testCommitMany(t *testing.T, h *harness) {
	ctx := context.Background()
	const moved, same, lost, stopped = "LP00000000000111", "LP00000000000112", "LP00000000000113", "LP00000000000114"
	for _, n := range []string{moved, same, lost, stopped} {
		h.subscribe(chatKey("1"), n, t0, tracker.StageInfoReceived)
	}
	h.subscribe(chatKey("2"), moved, t0, tracker.StageInfoReceived)
	claims := h.claimDue(t0, 10)
	if len(claims) != 4 {
		t.Fatalf("claimed %d, want 4", len(claims))
	}
	by := map[string]store.Claim{}
	for _, c := range claims {
		by[c.Number] = c
	}
	// lost's claim expires and another poller takes it.
	later := t0.Add(lease + time.Second)
	if _, err := h.s.ClaimNumber(ctx, lost, later, lease); err != nil {
		t.Fatalf("ClaimNumber: %v", err)
	}

	now := later.Add(-time.Second)
	ev := event(now.Add(-time.Minute), tracker.StageInTransit, "in transit")
	movedSnap := tracker.Shipment{Number: moved, Stage: tracker.StageInTransit, Events: []tracker.Event{ev}, Since: t0, CheckedAt: now}
	sameSnap := stub(same, tracker.StageInfoReceived)
	sameSnap.CheckedAt = now
	next := now.Add(time.Hour)
	checks := []store.Check{
		{Claim: by[moved], Snap: movedSnap, Change: tracker.Change{NewEvents: []tracker.Event{ev}, From: tracker.StageInfoReceived, To: tracker.StageInTransit}, Next: next},
		{Claim: by[same], Snap: sameSnap, Change: tracker.Change{From: tracker.StageInfoReceived, To: tracker.StageInfoReceived}, Next: next, Unchanged: true},
		{Claim: by[lost], Snap: stub(lost, tracker.StageDelivered), Change: tracker.Change{From: tracker.StageInfoReceived, To: tracker.StageDelivered}, Next: next},
		{Claim: by[stopped], Snap: stub(stopped, tracker.StageExpired), Change: tracker.Change{From: tracker.StageInfoReceived, To: tracker.StageExpired}},
		// the same claim twice in one call: only the first counts
		{Claim: by[moved], Snap: stub(moved, tracker.StageLost), Change: tracker.Change{From: tracker.StageInTransit, To: tracker.StageLost}, Next: next},
	}
	errs, err := h.s.CommitMany(ctx, checks, now)
	if err != nil {
		t.Fatalf("CommitMany: %v", err)
	}
	if len(errs) != len(checks) {
		t.Fatalf("CommitMany gave %d errors for %d checks", len(errs), len(checks))
	}
	for i, want := range []bool{false, false, true, false, true} {
		if lostLease := errors.Is(errs[i], store.ErrLeaseLost); lostLease != want || (!want && errs[i] != nil) {
			t.Errorf("check %d (%s): error %v, want lease lost %v", i, checks[i].Claim.Number, errs[i], want)
		}
	}

	mustEqual(t, "moved shipment", h.shipment(moved), movedSnap)
	mustEqual(t, "unchanged shipment", h.shipment(same), sameSnap)
	mustEqual(t, "lost shipment", h.shipment(lost), stub(lost, tracker.StageInfoReceived))
	mustEqual(t, "stopped shipment", h.shipment(stopped), stub(stopped, tracker.StageExpired))

	ns := h.claimOutbox("d", 10, longLease)
	got := map[string]int{}
	for _, n := range ns {
		got[n.Number+" "+n.Chat.ID+" "+n.To.String()]++
	}
	mustEqual(t, "notifications", got, map[string]int{
		moved + " 1 in_transit": 1, moved + " 2 in_transit": 1, stopped + " 1 expired": 1,
	})
	mustEqual(t, "due before the other lease ends", h.dueNumbers(later.Add(lease-time.Second)), []string{})
	mustEqual(t, "due at next", h.dueNumbers(next), []string{lost, moved, same})

	// Committing an unchanged check again touches the checked-at only.
	c, err := h.s.ClaimNumber(ctx, same, next.Add(lease+time.Second), lease)
	if err != nil {
		t.Fatalf("ClaimNumber: %v", err)
	}
	sameSnap.CheckedAt = next.Add(lease + 2*time.Second)
	errs, err = h.s.CommitMany(ctx, []store.Check{{Claim: c, Snap: sameSnap, Change: tracker.Change{From: sameSnap.Stage, To: sameSnap.Stage}, Unchanged: true}}, sameSnap.CheckedAt)
	if err != nil || errs[0] != nil {
		t.Fatalf("CommitMany(touch) = %v, %v", errs, err)
	}
	mustEqual(t, "touched shipment", h.shipment(same), sameSnap)
	if errs, err := h.s.CommitMany(ctx, nil, now); err != nil || len(errs) != 0 {
		t.Errorf("CommitMany(nil) = %v, %v", errs, err)
	}
}

// bulkSubscriber is a store that subscribes in bulk.
type bulkSubscriber interface {
	SubscribeMany(ctx context.Context, entries []store.Subscribing) error
}

// testSubscribeMany checks that a store's SubscribeMany, when it has one,
// leaves what Subscribe would: subscriptions, snapshots kept when they
// exist, numbers scheduled unless final.
func testSubscribeMany(t *testing.T, h *harness) {
	bulk, ok := h.s.(bulkSubscriber)
	if !ok {
		t.Skip("the store has no SubscribeMany")
	}
	ctx := context.Background()
	const existing, fresh, final = "LP00000000000121", "LP00000000000122", "LP00000000000123"
	h.subscribe(chatKey("1"), existing, t0, tracker.StageInTransit)
	rich := Realistic(fresh, 20, t0.Add(-72*time.Hour))
	entries := []store.Subscribing{
		{Sub: store.Subscription{Chat: chatKey("2"), Number: existing, CreatedAt: t0}, Stub: stub(existing, tracker.StageNotFound)},
		{Sub: store.Subscription{Chat: chatKey("2"), Number: fresh, CreatedAt: t0}, Stub: rich},
		{Sub: store.Subscription{Chat: chatKey("3"), Number: fresh, CreatedAt: t0}, Stub: rich},
		{Sub: store.Subscription{Chat: chatKey("2"), Number: final, CreatedAt: t0}, Stub: stub(final, tracker.StageDelivered)},
	}
	if err := bulk.SubscribeMany(ctx, entries); err != nil {
		t.Fatalf("SubscribeMany: %v", err)
	}
	if err := bulk.SubscribeMany(ctx, entries[:1]); err != nil {
		t.Fatalf("SubscribeMany again: %v", err)
	}
	mustEqual(t, "existing snapshot", h.shipment(existing).Stage, tracker.StageInTransit)
	mustEqual(t, "new snapshot", h.shipment(fresh), rich)
	mustEqual(t, "last stage", h.subscription(chatKey("2"), existing).LastStage, tracker.StageInTransit)
	mustEqual(t, "final stub", h.shipment(final).Stage, tracker.StageDelivered)
	subs, err := h.s.Subscribers(ctx, fresh)
	if err != nil {
		t.Fatalf("Subscribers: %v", err)
	}
	mustEqual(t, "subscribers", subs, []store.ChatKey{chatKey("2"), chatKey("3")})
	mustEqual(t, "due", h.dueNumbers(t0), []string{existing, fresh})
}
