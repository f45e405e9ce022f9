package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// acquireLeaseScript takes a free lease or renews the caller's own: the
// key holds the holder and expires after the ttl, on the server's clock.
//
//	KEYS: lease:<name>
//	ARGV: holder, ttl ms
//	returns: 1 when the holder holds the lease now, else 0
var acquireLeaseScript = redis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`)

// releaseLeaseScript deletes a lease only if the caller holds it.
//
//	KEYS: lease:<name>
//	ARGV: holder
//	returns: 1 when it was released, else 0
var releaseLeaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// AcquireLease implements store.Store. The lease is a key that Redis
// expires by its own clock, so replicas with skewed clocks agree on it.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if ttl < time.Millisecond {
		return false, fmt.Errorf("redisstore: unable to acquire lease %s: ttl %s is under a millisecond", name, ttl)
	}
	if holder == "" {
		return false, fmt.Errorf("redisstore: unable to acquire lease %s: empty holder", name)
	}
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("redisstore: unable to acquire lease %s: %w", name, err)
	}
	got, err := acquireLeaseScript.Run(ctx, s.rdb, []string{s.keys.lease(name)}, holder, ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("redisstore: unable to acquire lease %s: %w", name, err)
	}
	return got == 1, nil
}

// ReleaseLease implements store.Store.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: unable to release lease %s: %w", name, err)
	}
	if err := releaseLeaseScript.Run(ctx, s.rdb, []string{s.keys.lease(name)}, holder).Err(); err != nil {
		return fmt.Errorf("redisstore: unable to release lease %s: %w", name, err)
	}
	return nil
}
