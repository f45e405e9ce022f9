package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// FirstSeenMany implements store.Store: one SET NX per key, pipelined.
func (s *Store) FirstSeenMany(ctx context.Context, keys []string, ttl time.Duration) ([]bool, error) {
	if ttl < time.Millisecond {
		return nil, fmt.Errorf("redisstore: unable to record %d events: ttl %s is under a millisecond", len(keys), ttl)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("redisstore: unable to record %d events: %w", len(keys), err)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	cmds := make([]*redis.BoolCmd, len(keys))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.SetNX(ctx, s.keys.seen(k), "1", ttl)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("redisstore: unable to record %d events: %w", len(keys), err)
	}
	first := make([]bool, len(keys))
	for i, c := range cmds {
		first[i] = c.Val()
	}
	return first, nil
}
