package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/store/redisstore"
	"github.com/todoku/todoku/store/storetest"
	"github.com/todoku/todoku/tracker"
)

// redisURL returns the test server's URL from TODOKU_TEST_REDIS_URL. Without
// it the tests are skipped, except on CI where they must run.
func redisURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("TODOKU_TEST_REDIS_URL")
	if url != "" {
		return url
	}
	const how = "TODOKU_TEST_REDIS_URL is not set; to run the Redis suite start a server " +
		"(redis-server --port 6399 --save '' --appendonly no) and set " +
		"TODOKU_TEST_REDIS_URL=redis://127.0.0.1:6399/0"
	if os.Getenv("CI") == "true" {
		tb.Fatal(how)
	}
	tb.Skip(how)
	return ""
}

// namespace returns a fresh random key prefix and deletes its keys when the
// test ends.
func namespace(tb testing.TB, url string) string {
	tb.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		tb.Fatalf("random prefix: %v", err)
	}
	prefix := "todoku-test-" + hex.EncodeToString(b) + ":"
	tb.Cleanup(func() {
		opts, err := redis.ParseURL(url)
		if err != nil {
			tb.Errorf("parse url: %v", err)
			return
		}
		rdb := redis.NewClient(opts)
		defer rdb.Close()
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			tb.Errorf("scan %s*: %v", prefix, err)
			return
		}
		if len(keys) > 0 {
			if err := rdb.Del(ctx, keys...).Err(); err != nil {
				tb.Errorf("delete %d keys: %v", len(keys), err)
			}
		}
	})
	return prefix
}

func TestConformance(t *testing.T) {
	url := redisURL(t)
	storetest.Run(t, func(t *testing.T) func() store.Store {
		prefix := namespace(t, url)
		return func() store.Store {
			s, err := redisstore.Open(context.Background(), url, redisstore.WithPrefix(prefix))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			return s
		}
	})
}

func TestSchemaVersion(t *testing.T) {
	url := redisURL(t)
	prefix := namespace(t, url)
	ctx := context.Background()
	s, err := redisstore.Open(ctx, url, redisstore.WithPrefix(prefix))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("parse url: %v", err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	if got, err := rdb.Get(ctx, prefix+"schema").Result(); err != nil || got != "2" {
		t.Fatalf("schema key = %q, %v; want \"2\"", got, err)
	}
	if err := rdb.Set(ctx, prefix+"schema", "999", 0).Err(); err != nil {
		t.Fatalf("set schema: %v", err)
	}
	if s, err := redisstore.Open(ctx, url, redisstore.WithPrefix(prefix)); err == nil {
		_ = s.Close()
		t.Fatal("Open with an unknown schema version succeeded, want an error")
	}
}

// TestKeys runs one full cycle and checks that every key written is one
// documented in keys.go, with its type and TTL, and that an acknowledged
// notification leaves neither a stream entry nor a pending entry behind.
func TestKeys(t *testing.T) {
	url := redisURL(t)
	prefix := namespace(t, url)
	ctx := context.Background()
	s, err := redisstore.Open(ctx, url, redisstore.WithPrefix(prefix))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })

	now := time.Date(2025, time.November, 25, 5, 0, 0, 0, time.UTC)
	chat := store.ChatKey{Platform: "line", ID: "U1"}
	if err := s.SaveChat(ctx, store.Chat{Key: chat, Lang: "ja"}); err != nil {
		t.Fatalf("SaveChat: %v", err)
	}
	sub := store.Subscription{Chat: chat, Number: "LP1", CreatedAt: now}
	if _, _, _, err := s.Subscribe(ctx, sub, tracker.Shipment{Number: "LP1", Stage: tracker.StageNotFound}); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	claims, err := s.ClaimDue(ctx, now, 10, time.Minute)
	if err != nil || len(claims) != 1 {
		t.Fatalf("ClaimDue = %v, %v; want one claim", claims, err)
	}
	snap := tracker.Shipment{Number: "LP1", Stage: tracker.StageInTransit}
	if err := s.Commit(ctx, claims[0], snap, tracker.Change{From: tracker.StageNotFound, To: tracker.StageInTransit}, now.Add(time.Hour), now); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if _, err := s.ClaimNumber(ctx, "LP2", now, time.Minute); err != nil {
		t.Fatalf("ClaimNumber: %v", err)
	}
	if _, err := s.FirstSeen(ctx, "evt", time.Hour); err != nil {
		t.Fatalf("FirstSeen: %v", err)
	}

	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("parse url: %v", err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	stream := prefix + "outbox"
	if n, err := rdb.XLen(ctx, stream).Result(); err != nil || n != 1 {
		t.Fatalf("XLEN outbox = %d, %v; want 1", n, err)
	}

	documented := map[string]string{ // key, or key prefix ending in ":", -> type
		"schema": "string", "chat:": "string", "subs:": "hash", "subscribers:": "set",
		"shipment:": "string", "schedule": "zset", "claims": "hash", "claimseq": "string",
		"outbox": "stream", "seen:": "string",
	}
	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatalf("KEYS: %v", err)
	}
	if len(keys) != len(documented) {
		t.Errorf("got %d keys %v, want one of each of the %d documented", len(keys), keys, len(documented))
	}
	for _, k := range keys {
		name := strings.TrimPrefix(k, prefix)
		want, ok := documented[name]
		if !ok {
			if i := strings.Index(name, ":"); i >= 0 {
				want, ok = documented[name[:i+1]]
			}
		}
		if !ok {
			t.Errorf("key %q is not documented in keys.go", name)
			continue
		}
		if typ, err := rdb.Type(ctx, k).Result(); err != nil || typ != want {
			t.Errorf("TYPE %s = %q, %v; want %q", name, typ, err, want)
		}
		ttl, err := rdb.PTTL(ctx, k).Result()
		if err != nil {
			t.Fatalf("PTTL %s: %v", name, err)
		}
		if hasTTL := ttl > 0; hasTTL != strings.HasPrefix(name, "seen:") {
			t.Errorf("PTTL %s = %s; only seen: keys expire", name, ttl)
		}
	}

	ns, err := s.ClaimOutbox(ctx, "d", 10, time.Minute)
	if err != nil || len(ns) != 1 {
		t.Fatalf("ClaimOutbox = %v, %v; want one", ns, err)
	}
	if err := s.Ack(ctx, ns[0], true); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	if n, err := rdb.XLen(ctx, stream).Result(); err != nil || n != 0 {
		t.Errorf("XLEN outbox after Ack = %d, %v; want 0", n, err)
	}
	pending, err := rdb.XPending(ctx, stream, "dispatch").Result()
	if err != nil || pending.Count != 0 {
		t.Errorf("XPENDING after Ack = %+v, %v; want none", pending, err)
	}
}

func TestOpenBadURL(t *testing.T) {
	if _, err := redisstore.Open(context.Background(), "http://127.0.0.1:1/0"); err == nil || !strings.HasPrefix(err.Error(), "redisstore: ") {
		t.Fatalf("Open(http://...) error = %v, want a redisstore error", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := redisstore.Open(ctx, "redis://127.0.0.1:1/0"); err == nil || !strings.HasPrefix(err.Error(), "redisstore: ") {
		t.Fatalf("Open(unreachable) error = %v, want a redisstore error", err)
	}
}

func BenchmarkClaimCommit(b *testing.B) {
	url := redisURL(b)
	s, err := redisstore.Open(context.Background(), url, redisstore.WithPrefix(namespace(b, url)))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	b.Cleanup(func() { _ = s.Close() })
	storetest.BenchmarkClaimCommit(b, s)
}
