package redisstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/todoku/todoku/store/redisstore"
	"github.com/todoku/todoku/store/storetest"
)

// TestForgetLeavesNothing scans every key under the prefix and reads every
// value, hash field, set and sorted-set member, list item, stream entry and
// pending entry after Forget.
func TestForgetLeavesNothing(t *testing.T) {
	url := redisURL(t)
	prefix := namespace(t, url)
	ctx := context.Background()
	s, err := redisstore.Open(ctx, url, redisstore.WithPrefix(prefix))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("parse url: %v", err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })

	storetest.ForgetLeavesNothing(t, s, func(t *testing.T) []string {
		var out []string
		add := func(key string, vals ...string) {
			for _, v := range vals {
				out = append(out, key+" = "+v)
			}
		}
		iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			key := iter.Val()
			out = append(out, key)
			typ, err := rdb.Type(ctx, key).Result()
			if err != nil {
				t.Fatalf("TYPE %s: %v", key, err)
			}
			switch typ {
			case "string":
				add(key, rdb.Get(ctx, key).Val())
			case "hash":
				for f, v := range rdb.HGetAll(ctx, key).Val() {
					add(key, f+" -> "+v)
				}
			case "set":
				add(key, rdb.SMembers(ctx, key).Val()...)
			case "zset":
				add(key, rdb.ZRange(ctx, key, 0, -1).Val()...)
			case "list":
				add(key, rdb.LRange(ctx, key, 0, -1).Val()...)
			case "stream":
				for _, m := range rdb.XRange(ctx, key, "-", "+").Val() {
					add(key, fmt.Sprintf("%s %v", m.ID, m.Values))
				}
				groups, err := rdb.XInfoGroups(ctx, key).Result()
				if err != nil {
					t.Fatalf("XINFO GROUPS %s: %v", key, err)
				}
				for _, g := range groups {
					pending, err := rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: key, Group: g.Name, Start: "-", End: "+", Count: 10000}).Result()
					if err != nil {
						t.Fatalf("XPENDING %s: %v", key, err)
					}
					for _, p := range pending {
						add(key, fmt.Sprintf("pending %s %s %s", g.Name, p.ID, p.Consumer))
						// A pending entry whose content is gone must not
						// be handed out again with it.
						for _, m := range rdb.XRange(ctx, key, p.ID, p.ID).Val() {
							add(key, fmt.Sprintf("pending %s %v", m.ID, m.Values))
						}
					}
				}
			default:
				t.Fatalf("key %s has type %s, which this scan does not read", key, typ)
			}
		}
		if err := iter.Err(); err != nil {
			t.Fatalf("SCAN: %v", err)
		}
		return out
	})
}
