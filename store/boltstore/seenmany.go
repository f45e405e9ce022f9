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
		exp := now + int64(ttl)
		for i, key := range keys {
			k := []byte(key)
			if v := seen.Get(k); v != nil {
				if decodeInt(v) > now {
					continue
				}
				if err := index.Delete(append(encodeInt(decodeInt(v)), k...)); err != nil {
					return err
				}
			}
			first[i] = true
			if err := seen.Put(k, encodeInt(exp)); err != nil {
				return err
			}
			if err := index.Put(append(encodeInt(exp), k...), nil); err != nil {
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
