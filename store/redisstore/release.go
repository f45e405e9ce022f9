package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/todoku/todoku/store"
)

// releaseIdle is the idle time a released entry is given: longer than any
// outbox lease, so that the next XAUTOCLAIM takes it, and short enough to
// keep its delivery time after the epoch (Redis clamps one before it to
// now, which would hold the entry for a whole lease).
const releaseIdle = 30 * 24 * 60 * 60 * 1000 // 30 days in milliseconds

// setIdleScript sets the idle time of the pending entries ARGV[4..] that
// consumer ARGV[2] holds in group ARGV[1] of stream KEYS[1] to ARGV[3]
// ms: a long one releases them for any consumer to claim at once, 0
// renews their lease. Entries it does not hold are left alone; it returns
// how many it held.
var setIdleScript = redis.NewScript(`
local held = 0
for i = 4, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if p[1] and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'IDLE', ARGV[3], 'JUSTID')
    held = held + 1
  end
end
return held
`)

func (s *Store) setIdle(ctx context.Context, consumer string, idle int64, ns []store.Notification) (int64, error) {
	args := make([]any, 0, 3+len(ns))
	args = append(args, outboxGroup, consumer, idle)
	for _, n := range ns {
		args = append(args, n.ID)
	}
	return setIdleScript.Run(ctx, s.rdb, []string{s.keys.outbox()}, args...).Int64()
}

// ReleaseOutbox implements store.Store.
func (s *Store) ReleaseOutbox(ctx context.Context, consumer string, ns []store.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	if _, err := s.setIdle(ctx, consumer, releaseIdle, ns); err != nil {
		return fmt.Errorf("redisstore: unable to release %d notifications of %s: %w", len(ns), consumer, err)
	}
	return nil
}

// RenewOutbox implements store.Store. The lease is the claimers' own
// (XAUTOCLAIM's minimum idle time): renewing starts it again.
func (s *Store) RenewOutbox(ctx context.Context, consumer string, n store.Notification, _ time.Duration) (bool, error) {
	held, err := s.setIdle(ctx, consumer, 0, []store.Notification{n})
	if err != nil {
		return false, fmt.Errorf("redisstore: unable to renew notification %s of %s: %w", n.ID, consumer, err)
	}
	return held == 1, nil
}
