package redisstore

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/todoku/todoku/store"
)

// releaseIdle is the idle time a released entry is given: longer than any
// outbox lease, so that the next XAUTOCLAIM takes it, and short enough to
// keep its delivery time after the epoch (Redis clamps one before it to
// now, which would hold the entry for a whole lease).
const releaseIdle = 30 * 24 * 60 * 60 * 1000 // 30 days in milliseconds

// releaseScript marks the pending entries ARGV[3..] that consumer ARGV[2]
// holds in group ARGV[1] of stream KEYS[1] as idle for ARGV[3] ms, so that
// they are claimable at once; entries it does not hold are left alone.
var releaseScript = redis.NewScript(`
for i = 4, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if p[1] and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'IDLE', ARGV[3], 'JUSTID')
  end
end
return 0
`)

// ReleaseOutbox implements store.Store.
func (s *Store) ReleaseOutbox(ctx context.Context, consumer string, ns []store.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	args := make([]any, 0, 3+len(ns))
	args = append(args, outboxGroup, consumer, releaseIdle)
	for _, n := range ns {
		args = append(args, n.ID)
	}
	if err := releaseScript.Run(ctx, s.rdb, []string{s.keys.outbox()}, args...).Err(); err != nil {
		return fmt.Errorf("redisstore: unable to release %d notifications of %s: %w", len(ns), consumer, err)
	}
	return nil
}
