package boltstore

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketLeases holds the leases: name -> expiry (ordered int, wall ns) +
// holder. It is created on first use, so stores written before leases
// existed open unchanged.
var bucketLeases = []byte("leases")

// AcquireLease implements store.Store. The file serves one process, so the
// lease only orders the holders inside it; its ttl runs on the store's
// wall clock (WithClock).
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, fmt.Errorf("boltstore: unable to acquire lease %s: ttl %s is not positive", name, ttl)
	}
	if holder == "" {
		return false, fmt.Errorf("boltstore: unable to acquire lease %s: empty holder", name)
	}
	var ours bool
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketLeases)
		if err != nil {
			return err
		}
		now := s.now().UnixNano()
		if v := b.Get([]byte(name)); len(v) >= 8 && decodeInt(v[:8]) > now && !bytes.Equal(v[8:], []byte(holder)) {
			return nil // held by someone else, and not expired
		}
		ours = true
		return b.Put([]byte(name), append(encodeInt(now+int64(ttl)), holder...))
	})
	if err != nil {
		return false, fmt.Errorf("boltstore: unable to acquire lease %s: %w", name, err)
	}
	return ours, nil
}

// ReleaseLease implements store.Store.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLeases)
		if b == nil {
			return nil
		}
		if v := b.Get([]byte(name)); len(v) >= 8 && bytes.Equal(v[8:], []byte(holder)) {
			return b.Delete([]byte(name))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("boltstore: unable to release lease %s: %w", name, err)
	}
	return nil
}
