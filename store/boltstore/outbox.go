package boltstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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

// SetReminder implements store.Store.
func (s *Store) SetReminder(ctx context.Context, kind string, chat store.ChatKey, number string, at time.Time) error {
	rk := []byte(store.ReminderKey(kind, chat, number))
	err := s.update(ctx, func(tx *bolt.Tx) error {
		rems, idx := tx.Bucket(bucketReminders), tx.Bucket(bucketReminderKey)
		if old := idx.Get(rk); old != nil {
			if err := rems.Delete(old); err != nil {
				return err
			}
			if err := idx.Delete(rk); err != nil {
				return err
			}
		}
		if at.IsZero() {
			return nil
		}
		raw, err := json.Marshal(store.Notification{Kind: kind, Chat: chat, Number: number, At: at})
		if err != nil {
			return err
		}
		key := append(encodeInt(at.UnixMilli()), rk...)
		if err := rems.Put(key, raw); err != nil {
			return err
		}
		return idx.Put(rk, key)
	})
	if err != nil {
		return fmt.Errorf("boltstore: unable to set reminder %s for %s: %w", kind, number, err)
	}
	return nil
}

// QueueDueReminders implements store.Store.
func (s *Store) QueueDueReminders(ctx context.Context, now time.Time, max int) (int, error) {
	moved := 0
	err := s.update(ctx, func(tx *bolt.Tx) error {
		rems, idx, outbox := tx.Bucket(bucketReminders), tx.Bucket(bucketReminderKey), tx.Bucket(bucketOutbox)
		limit := encodeInt(now.UnixMilli())
		c := rems.Cursor()
		var done [][]byte
		for k, v := c.First(); k != nil && moved < max && string(k[:len(limit)]) <= string(limit); k, v = c.Next() {
			var n store.Notification
			if err := json.Unmarshal(v, &n); err != nil {
				return err
			}
			if err := appendOutbox(outbox, n); err != nil {
				return err
			}
			if err := idx.Delete(k[len(limit):]); err != nil {
				return err
			}
			done = append(done, slices.Clone(k))
			moved++
		}
		for _, k := range done {
			if err := rems.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("boltstore: unable to queue due reminders: %w", err)
	}
	return moved, nil
}

// ReleaseOutbox implements store.Store.
func (s *Store) ReleaseOutbox(ctx context.Context, consumer string, ns []store.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	err := s.update(ctx, func(tx *bolt.Tx) error {
		outbox := tx.Bucket(bucketOutbox)
		for _, n := range ns {
			seq, err := strconv.ParseUint(n.ID, 10, 64)
			if err != nil {
				return fmt.Errorf("malformed id %q: %w", n.ID, err)
			}
			key := binary.BigEndian.AppendUint64(nil, seq)
			var e outboxEntry
			if err := get(outbox, key, &e); errors.Is(err, store.ErrNotFound) {
				continue // acknowledged meanwhile
			} else if err != nil {
				return err
			}
			if e.Consumer != consumer || e.LeaseUntil == 0 {
				continue
			}
			e.LeaseUntil = 0
			if err := put(outbox, key, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("boltstore: unable to release %d notifications of %s: %w", len(ns), consumer, err)
	}
	return nil
}

// RenewOutbox implements store.Store.
func (s *Store) RenewOutbox(ctx context.Context, consumer string, n store.Notification, lease time.Duration) (bool, error) {
	seq, err := strconv.ParseUint(n.ID, 10, 64)
	if err != nil {
		return false, fmt.Errorf("boltstore: unable to renew notification %q: malformed id: %w", n.ID, err)
	}
	held := false
	err = s.update(ctx, func(tx *bolt.Tx) error {
		outbox := tx.Bucket(bucketOutbox)
		key := binary.BigEndian.AppendUint64(nil, seq)
		var e outboxEntry
		if err := get(outbox, key, &e); errors.Is(err, store.ErrNotFound) {
			return nil // acknowledged
		} else if err != nil {
			return err
		}
		if e.Consumer != consumer {
			return nil // claimed by another after the lease
		}
		held = true
		e.LeaseUntil = s.now().UnixNano() + int64(lease)
		return put(outbox, key, e)
	})
	if err != nil {
		return false, fmt.Errorf("boltstore: unable to renew notification %s: %w", n.ID, err)
	}
	return held, nil
}
