package boltstore

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// FirstSeenMany implements store.Store, in one transaction.
func (s *Store) FirstSeenMany(ctx context.Context, keys []string, ttl time.Duration) ([]bool, error) {
	if ttl <= 0 {
		return nil, fmt.Errorf("boltstore: unable to record %d events: ttl %s is not positive", len(keys), ttl)
	}
	if len(keys) == 0 {
		return nil, ctx.Err()
	}
	first := make([]bool, len(keys))
	err := s.update(ctx, func(tx *bolt.Tx) error {
		now := s.now().UnixNano()
		seen, index := tx.Bucket(bucketSeen), tx.Bucket(bucketSeenExpiry)
		if err := pruneSeen(seen, index, now); err != nil {
			return err
		}
		for i, key := range keys {
			var err error
			if first[i], err = markSeen(seen, index, []byte(key), now, now+int64(ttl)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: unable to record %d events: %w", len(keys), err)
	}
	return first, nil
}
