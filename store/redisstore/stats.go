package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/todoku/todoku/store"
)

// Stats implements store.Store with four O(1) or O(log n) commands in one
// round trip: ZCARD and ZCOUNT of the schedule, XLEN of the outbox and its
// first entry, whose At gives the age.
func (s *Store) Stats(ctx context.Context, now time.Time) (store.Stats, error) {
	fail := func(err error) (store.Stats, error) {
		return store.Stats{}, fmt.Errorf("redisstore: unable to read stats: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	var (
		scheduled, due, outbox *redis.IntCmd
		first                  *redis.XMessageSliceCmd
	)
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		scheduled = p.ZCard(ctx, s.keys.schedule())
		due = p.ZCount(ctx, s.keys.schedule(), "-inf", ms(now))
		outbox = p.XLen(ctx, s.keys.outbox())
		first = p.XRangeN(ctx, s.keys.outbox(), "-", "+", 1)
		return nil
	})
	if err != nil {
		return fail(err)
	}
	st := store.Stats{Scheduled: scheduled.Val(), Due: due.Val(), Outbox: outbox.Val()}
	if msgs := first.Val(); len(msgs) > 0 {
		if raw, ok := msgs[0].Values["n"].(string); ok {
			var n struct {
				At time.Time `json:"at"`
			}
			if json.Unmarshal([]byte(raw), &n) == nil && !n.At.IsZero() && now.After(n.At) {
				st.OldestOutbox = now.Sub(n.At)
			}
		}
	}
	return st, nil
}
