package boltstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/todoku/todoku/store"
)

// Stats implements store.Store in one read transaction: the schedule and
// outbox sizes come from page headers (no value is decoded), the due count
// walks the due index only as far as now, and the age is the first outbox
// entry's.
func (s *Store) Stats(ctx context.Context, now time.Time) (store.Stats, error) {
	var st store.Stats
	err := s.view(ctx, func(tx *bolt.Tx) error {
		st.Scheduled = int64(tx.Bucket(bucketSchedule).Stats().KeyN)
		outbox := tx.Bucket(bucketOutbox)
		st.Outbox = int64(outbox.Stats().KeyN)
		nowMs := now.UnixMilli()
		c := tx.Bucket(bucketDue).Cursor()
		for k, _ := c.First(); k != nil && decodeInt(k[:8]) <= nowMs; k, _ = c.Next() {
			st.Due++
		}
		if _, v := outbox.Cursor().First(); v != nil {
			var e outboxEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			if at := e.N.At; !at.IsZero() && now.After(at) {
				st.OldestOutbox = now.Sub(at)
			}
		}
		return nil
	})
	if err != nil {
		return store.Stats{}, fmt.Errorf("boltstore: unable to read stats: %w", err)
	}
	return st, nil
}
