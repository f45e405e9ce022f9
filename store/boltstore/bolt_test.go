package boltstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/store/boltstore"
	"github.com/todoku/todoku/store/storetest"
	"github.com/todoku/todoku/tracker"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func() store.Store {
		path := filepath.Join(t.TempDir(), "todoku.db")
		return func() store.Store {
			s, err := boltstore.Open(path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			return s
		}
	})
}

func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "todoku.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })

	start := time.Now()
	second, err := boltstore.Open(path)
	elapsed := time.Since(start)
	if err == nil {
		_ = second.Close()
		t.Fatal("second Open succeeded, want ErrLocked")
	}
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second Open error = %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file %s", err, path)
	}
	if elapsed > 2*time.Second {
		t.Errorf("second Open took %s, want it to fail at once", elapsed)
	}

	// Once the first store is closed the file opens again.
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	third, err := boltstore.Open(path)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	if err := third.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestCloseTwice(t *testing.T) {
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "todoku.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestWallClock checks that outbox leases and dedupe TTLs follow the
// injected wall clock, not the virtual times callers pass in.
func TestWallClock(t *testing.T) {
	ctx := context.Background()
	wall := time.Date(2025, time.November, 25, 5, 0, 0, 0, time.UTC)
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "todoku.db"), boltstore.WithClock(func() time.Time { return wall }))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })

	virtual := wall.Add(-30 * 24 * time.Hour)
	chat := store.ChatKey{Platform: "telegram", ID: "1"}
	if _, _, _, err := s.Subscribe(ctx, store.Subscription{Chat: chat, Number: "LP1", CreatedAt: virtual}, tracker.Shipment{Number: "LP1", Stage: tracker.StageNotFound}); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	c, err := s.ClaimNumber(ctx, "LP1", virtual, time.Minute)
	if err != nil {
		t.Fatalf("ClaimNumber: %v", err)
	}
	if err := s.Commit(ctx, c, tracker.Shipment{Number: "LP1", Stage: tracker.StagePickedUp}, tracker.Change{From: tracker.StageNotFound, To: tracker.StagePickedUp}, virtual.Add(time.Hour), virtual); err != nil {
		t.Fatalf("Commit: %v", err)
	}

	claim := func() int {
		t.Helper()
		ns, err := s.ClaimOutbox(ctx, "d", 10, time.Minute)
		if err != nil {
			t.Fatalf("ClaimOutbox: %v", err)
		}
		return len(ns)
	}
	seen := func() bool {
		t.Helper()
		ok, err := s.FirstSeen(ctx, "evt", time.Minute)
		if err != nil {
			t.Fatalf("FirstSeen: %v", err)
		}
		return ok
	}
	if n := claim(); n != 1 {
		t.Fatalf("first claim got %d, want 1", n)
	}
	if !seen() {
		t.Fatal("FirstSeen = false for a new key")
	}
	wall = wall.Add(59 * time.Second)
	if n := claim(); n != 0 {
		t.Fatalf("claim within the lease got %d, want 0", n)
	}
	if seen() {
		t.Fatal("FirstSeen = true within the ttl")
	}
	wall = wall.Add(2 * time.Second)
	if n := claim(); n != 1 {
		t.Fatalf("claim after the lease got %d, want 1", n)
	}
	if !seen() {
		t.Fatal("FirstSeen = false after the ttl")
	}
}

func BenchmarkClaimCommit(b *testing.B) {
	s, err := boltstore.Open(filepath.Join(b.TempDir(), "todoku.db"))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	b.Cleanup(func() { _ = s.Close() })
	storetest.BenchmarkClaimCommit(b, s)
}
