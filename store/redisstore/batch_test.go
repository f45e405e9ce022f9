package redisstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/store/redisstore"
	"github.com/todoku/todoku/store/storetest"
)

// SubscribeMany stores what Subscribe would, and schedules the numbers.
func TestSubscribeMany(t *testing.T) {
	url := redisURL(t)
	ctx := context.Background()
	st, err := redisstore.Open(ctx, url, redisstore.WithPrefix(namespace(t, url)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	var entries []store.Subscribing
	for i := range 300 {
		number := fmt.Sprintf("LP%014d", i)
		entries = append(entries, store.Subscribing{
			Sub:  store.Subscription{Chat: store.ChatKey{Platform: "telegram", ID: fmt.Sprint(i % 7)}, Number: number, CreatedAt: now},
			Stub: storetest.Realistic(number, 5, now.Add(-48*time.Hour)),
		})
	}
	if err := st.SubscribeMany(ctx, entries); err != nil {
		t.Fatal(err)
	}
	// Again: nothing changes, as with Subscribe.
	if err := st.SubscribeMany(ctx, entries[:10]); err != nil {
		t.Fatal(err)
	}
	subs, err := st.Subscriptions(ctx, store.ChatKey{Platform: "telegram", ID: "3"})
	if err != nil || len(subs) != 43 {
		t.Fatalf("Subscriptions = %d, %v; want 43", len(subs), err)
	}
	sh, err := st.Shipment(ctx, "LP00000000000042")
	if err != nil || len(sh.Events) != 5 || sh.Number != "LP00000000000042" {
		t.Errorf("Shipment = %+v, %v", sh, err)
	}
	claims, err := st.ClaimDue(ctx, now, 1000, time.Minute)
	if err != nil || len(claims) != 300 {
		t.Errorf("ClaimDue = %d claims, %v; want 300", len(claims), err)
	}
}

// A server that forgot its scripts (restart, SCRIPT FLUSH) still commits.
func TestCommitManyAfterScriptFlush(t *testing.T) {
	url := redisURL(t)
	ctx := context.Background()
	st, err := redisstore.Open(ctx, url, redisstore.WithPrefix(namespace(t, url)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	sh := storetest.Realistic("LP00000000000001", 3, now.Add(-48*time.Hour))
	if _, _, _, err := st.Subscribe(ctx, store.Subscription{Chat: store.ChatKey{Platform: "line", ID: "U1"}, Number: sh.Number, CreatedAt: now}, sh); err != nil {
		t.Fatal(err)
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	claims, err := st.ClaimDue(ctx, now, 10, time.Minute)
	if err != nil || len(claims) != 1 {
		t.Fatalf("ClaimDue = %v, %v", claims, err)
	}
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	sh.CheckedAt = now
	errs, err := st.CommitMany(ctx, []store.Check{{Claim: claims[0], Snap: sh, Next: now.Add(time.Hour)}}, now)
	if err != nil || errs[0] != nil {
		t.Fatalf("CommitMany after SCRIPT FLUSH = %v, %v", errs, err)
	}
	got, err := st.Shipment(ctx, sh.Number)
	if err != nil || !got.CheckedAt.Equal(now) {
		t.Errorf("Shipment = %+v, %v", got, err)
	}
}
