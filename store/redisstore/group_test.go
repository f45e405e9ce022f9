package redisstore

import (
	"context"
	"testing"
	"time"

	"github.com/todoku/todoku/internal/redistest"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// TestOutboxGroupLost checks that the outbox works again after Redis lost
// its data under an open store: the consumer group, made at Open, is made
// again by the next ClaimOutbox instead of failing with NOGROUP forever.
func TestOutboxGroupLost(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	ctx := context.Background()
	s, err := Open(ctx, srv.URL())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := srv.Client().FlushAll(ctx).Err(); err != nil {
		t.Fatalf("FLUSHALL: %v", err)
	}
	if ns, err := s.ClaimOutbox(ctx, "d", 10, time.Minute); err != nil || len(ns) != 0 {
		t.Fatalf("ClaimOutbox after the data loss = %v, %v; want none and no error", ns, err)
	}
	writeNotification(t, s, store.ChatKey{Platform: "telegram", ID: "1"})
	ns, err := s.ClaimOutbox(ctx, "d", 10, time.Minute)
	if err != nil || len(ns) != 1 || ns[0].To != tracker.StageInTransit {
		t.Fatalf("ClaimOutbox = %+v, %v; want the in_transit notification", ns, err)
	}
	if err := s.Ack(ctx, ns[0], true); err != nil {
		t.Fatalf("Ack: %v", err)
	}
}

// TestOutboxConsumersPruned checks that the consumers of replicas gone for
// good are removed from the outbox group, except those still owning pending
// entries, whose notifications must stay claimable.
func TestOutboxConsumersPruned(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	ctx := context.Background()
	s, err := Open(ctx, srv.URL())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	for _, c := range []string{"gone", "self"} { // consumers with nothing pending
		if err := srv.Client().XGroupCreateConsumer(ctx, s.keys.outbox(), outboxGroup, c).Err(); err != nil {
			t.Fatalf("XGROUP CREATECONSUMER %s: %v", c, err)
		}
	}
	writeNotification(t, s, store.ChatKey{Platform: "line", ID: "U1"})
	if ns, err := s.ClaimOutbox(ctx, "holding", 10, time.Minute); err != nil || len(ns) != 1 {
		t.Fatalf("ClaimOutbox(holding) = %v, %v; want one", ns, err)
	}

	gone, err := s.removeIdleConsumers(ctx, "self", 0)
	if err != nil {
		t.Fatalf("removeIdleConsumers: %v", err)
	}
	if len(gone) != 1 || gone[0] != "gone" {
		t.Errorf("removed %v, want [gone]", gone)
	}
	left, err := srv.Client().XInfoConsumers(ctx, s.keys.outbox(), outboxGroup).Result()
	if err != nil {
		t.Fatalf("XINFO CONSUMERS: %v", err)
	}
	names := map[string]bool{}
	for _, c := range left {
		names[c.Name] = true
	}
	if len(names) != 2 || !names["self"] || !names["holding"] {
		t.Errorf("consumers left = %v, want self and holding", names)
	}
	// The pending entry is still there for another consumer to take over.
	if ns, err := s.ClaimOutbox(ctx, "other", 10, 0); err != nil || len(ns) != 1 {
		t.Errorf("ClaimOutbox(other) after pruning = %v, %v; want the pending entry", ns, err)
	}
}

// writeNotification has chat follow LP1 and moves LP1 to in_transit, which
// writes one notification to the outbox.
func writeNotification(t *testing.T, s *Store, chat store.ChatKey) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, time.November, 25, 5, 0, 0, 0, time.UTC)
	if _, _, _, err := s.Subscribe(ctx, store.Subscription{Chat: chat, Number: "LP1", CreatedAt: now},
		tracker.Shipment{Number: "LP1", Stage: tracker.StageNotFound}); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	claims, err := s.ClaimDue(ctx, now, 1, time.Minute)
	if err != nil || len(claims) != 1 {
		t.Fatalf("ClaimDue = %v, %v", claims, err)
	}
	change := tracker.Change{From: tracker.StageNotFound, To: tracker.StageInTransit}
	if err := s.Commit(ctx, claims[0], tracker.Shipment{Number: "LP1", Stage: tracker.StageInTransit}, change, now.Add(time.Hour), now); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}
