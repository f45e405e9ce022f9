package boltstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/todoku/todoku/store"
)

// outboxEntry is one stored notification. LeaseUntil is zero until the entry
// is handed out, then the wall-clock time (Unix ns) its lease ends.
type outboxEntry struct {
	N          store.Notification `json:"n"`
	LeaseUntil int64              `json:"lease_until,omitempty"`
	Consumer   string             `json:"consumer,omitempty"`
}

func appendOutbox(outbox *bolt.Bucket, n store.Notification) error {
	seq, err := outbox.NextSequence()
	if err != nil {
		return err
	}
	raw, err := json.Marshal(outboxEntry{N: n})
	if err != nil {
		return err
	}
	return outbox.Put(binary.BigEndian.AppendUint64(nil, seq), raw)
}

// ClaimOutbox implements store.Store. Entries are keyed by sequence, so a
// cursor walk yields them oldest first.
func (s *Store) ClaimOutbox(ctx context.Context, consumer string, max int, lease time.Duration) ([]store.Notification, error) {
	var out []store.Notification
	err := s.update(ctx, func(tx *bolt.Tx) error {
		if max <= 0 {
			return nil
		}
		now := s.now().UnixNano()
		outbox := tx.Bucket(bucketOutbox)
		type pick struct {
			key []byte
			e   outboxEntry
		}
		var picked []pick
		c := outbox.Cursor()
		for k, v := c.First(); k != nil && len(picked) < max; k, v = c.Next() {
			var e outboxEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			if e.LeaseUntil != 0 && e.LeaseUntil > now {
				continue
			}
			picked = append(picked, pick{key: append([]byte(nil), k...), e: e})
		}
		for _, p := range picked {
			p.e.LeaseUntil = now + int64(lease)
			p.e.Consumer = consumer
			if err := put(outbox, p.key, p.e); err != nil {
				return err
			}
			n := p.e.N
			n.ID = strconv.FormatUint(binary.BigEndian.Uint64(p.key), 10)
			out = append(out, n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: unable to claim outbox for %s: %w", consumer, err)
	}
	return out, nil
}

// Ack implements store.Store. Acknowledging an entry that is already gone is
// not an error.
func (s *Store) Ack(ctx context.Context, n store.Notification, delivered bool) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("boltstore: unable to ack notification %s: %w", n.ID, err)
	}
	seq, err := strconv.ParseUint(n.ID, 10, 64)
	if err != nil {
		return fmt.Errorf("boltstore: unable to ack notification %q: malformed id: %w", n.ID, err)
	}
	err = s.update(ctx, func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketOutbox).Delete(binary.BigEndian.AppendUint64(nil, seq)); err != nil {
			return err
		}
		if !delivered {
			return nil
		}
		subs := tx.Bucket(bucketSubs)
		key := subKey(n.Chat, n.Number)
		var sub store.Subscription
		if err := get(subs, key, &sub); errors.Is(err, store.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		sub.LastStage = n.To
		return put(subs, key, sub)
	})
	if err != nil {
		return fmt.Errorf("boltstore: unable to ack notification %s: %w", n.ID, err)
	}
	return nil
}
