package boltstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// Shipments implements store.Store in one read transaction.
func (s *Store) Shipments(ctx context.Context, numbers []string) (map[string]tracker.Shipment, error) {
	out := make(map[string]tracker.Shipment, len(numbers))
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketShipments)
		for _, n := range numbers {
			var sh tracker.Shipment
			if err := getShipment(b, []byte(n), &sh); errors.Is(err, store.ErrNotFound) {
				continue
			} else if err != nil {
				return fmt.Errorf("%s: %w", n, err)
			}
			out[n] = sh
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: unable to load %d shipments: %w", len(numbers), err)
	}
	return out, nil
}

// CommitMany implements store.Store in one write transaction, which
// bbolt's Batch may share with concurrent calls: one file sync for all of
// them.
func (s *Store) CommitMany(ctx context.Context, checks []store.Check, now time.Time) ([]error, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("boltstore: unable to commit %d checks: %w", len(checks), err)
	}
	// Encoding outside the transaction keeps it off the single writer.
	encoded := make([][]byte, len(checks))
	for i, c := range checks {
		if !c.Unchanged {
			encoded[i] = store.EncodeShipment(c.Snap)
		}
	}
	errs := make([]error, len(checks))
	// Batch may run fn again, alone, when a transaction it shared failed.
	err := s.db.Batch(func(tx *bolt.Tx) error {
		clear(errs)
		for i, c := range checks {
			err := commit(tx, c, encoded[i], now)
			if errors.Is(err, store.ErrLeaseLost) {
				errs[i] = fmt.Errorf("boltstore: unable to commit %s: %w", c.Claim.Number, err)
				continue
			}
			if err != nil {
				return fmt.Errorf("%s: %w", c.Claim.Number, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: unable to commit %d checks: %w", len(checks), err)
	}
	return errs, nil
}

// SubscribeMany does for every entry what Subscribe does, all in one
// transaction (the stubs encoded before it starts): for bulk imports and
// load tests.
func (s *Store) SubscribeMany(ctx context.Context, entries []store.Subscribing) error {
	encoded := make([][]byte, len(entries))
	for i, e := range entries {
		encoded[i] = store.EncodeShipment(e.Stub)
	}
	err := s.update(ctx, func(tx *bolt.Tx) error {
		for i, e := range entries {
			if _, _, _, err := subscribe(tx, e.Sub, e.Stub, encoded[i]); err != nil {
				return fmt.Errorf("%s: %w", e.Sub.Number, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("boltstore: unable to subscribe %d: %w", len(entries), err)
	}
	return nil
}
