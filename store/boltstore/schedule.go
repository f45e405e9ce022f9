package boltstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// claim is the stored lease on one number. Until is in the caller's
// virtual time, in Unix milliseconds.
type claim struct {
	Token string `json:"token"`
	Until int64  `json:"until"`
}

// ClaimDue implements store.Store. It walks the due index from the earliest
// entry and stops at the first one after now.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, max int, lease time.Duration) ([]store.Claim, error) {
	var out []store.Claim
	err := s.update(ctx, func(tx *bolt.Tx) error {
		if max <= 0 {
			return nil
		}
		nowMs := now.UnixMilli()
		until := nowMs + lease.Milliseconds()
		claims := tx.Bucket(bucketClaims)

		type entry struct {
			number string
			until  int64 // when the entry is due again
		}
		var picked, held []entry
		c := tx.Bucket(bucketDue).Cursor()
		for k, _ := c.First(); k != nil && len(picked) < max; k, _ = c.Next() {
			due := decodeInt(k[:8])
			if due > nowMs {
				break
			}
			number := string(k[8:])
			var cl claim
			if err := get(claims, []byte(number), &cl); err == nil && cl.Until > nowMs {
				// Claimed by ClaimNumber: due again when that lease ends.
				held = append(held, entry{number, cl.Until})
				continue
			} else if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			picked = append(picked, entry{number, until})
		}
		for _, e := range held {
			if err := reschedule(tx, e.number, e.until); err != nil {
				return err
			}
		}
		for _, e := range picked {
			cl, err := newClaim(claims, e.number, until)
			if err != nil {
				return err
			}
			if err := reschedule(tx, e.number, e.until); err != nil {
				return err
			}
			out = append(out, cl)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: unable to claim due shipments: %w", err)
	}
	return out, nil
}

// ClaimNumber implements store.Store.
func (s *Store) ClaimNumber(ctx context.Context, number string, now time.Time, lease time.Duration) (store.Claim, error) {
	var out store.Claim
	err := s.update(ctx, func(tx *bolt.Tx) error {
		nowMs := now.UnixMilli()
		until := nowMs + lease.Milliseconds()
		claims := tx.Bucket(bucketClaims)
		var cl claim
		if err := get(claims, []byte(number), &cl); err == nil && cl.Until > nowMs {
			return store.ErrLeased
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var err error
		if out, err = newClaim(claims, number, until); err != nil {
			return err
		}
		// A scheduled number stays off ClaimDue until the lease ends.
		if v := tx.Bucket(bucketSchedule).Get([]byte(number)); v != nil {
			if due := decodeInt(v); due < until {
				return reschedule(tx, number, until)
			}
		}
		return nil
	})
	if err != nil {
		return store.Claim{}, fmt.Errorf("boltstore: unable to claim %s: %w", number, err)
	}
	return out, nil
}

// Commit implements store.Store.
func (s *Store) Commit(ctx context.Context, c store.Claim, snap tracker.Shipment, change tracker.Change, next, now time.Time) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		return commit(tx, store.Check{Claim: c, Snap: snap, Change: change, Next: next}, nil, now)
	})
	if err != nil {
		return fmt.Errorf("boltstore: unable to commit %s: %w", c.Number, err)
	}
	return nil
}

// commit applies one check in tx, or returns store.ErrLeaseLost having
// written nothing; encoded is the check's snapshot already encoded, or nil.
func commit(tx *bolt.Tx, c store.Check, encoded []byte, now time.Time) error {
	number := []byte(c.Claim.Number)
	claims := tx.Bucket(bucketClaims)
	var cl claim
	if err := get(claims, number, &cl); errors.Is(err, store.ErrNotFound) || (err == nil && cl.Token != c.Claim.Token) {
		return store.ErrLeaseLost
	} else if err != nil {
		return err
	}
	if err := putSnapshot(tx.Bucket(bucketShipments), number, c.Snap, c.Unchanged, encoded); err != nil {
		return err
	}
	subscribers := tx.Bucket(bucketSubscribers)
	prefix := append([]byte(c.Claim.Number), 0)
	if c.Change.StageChanged() {
		latest, _ := c.Snap.Latest()
		outbox := tx.Bucket(bucketOutbox)
		cur := subscribers.Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
			chat, err := store.ParseChatKey(string(k[len(prefix):]))
			if err != nil {
				return err
			}
			n := store.Notification{Chat: chat, Number: c.Claim.Number, From: c.Change.From, To: c.Change.To, Event: latest, At: now}
			if err := appendOutbox(outbox, n); err != nil {
				return err
			}
		}
	}
	if err := claims.Delete(number); err != nil {
		return err
	}
	if err := unschedule(tx, c.Claim.Number); err != nil {
		return err
	}
	if c.Next.IsZero() || !hasSubscribers(tx, c.Claim.Number) {
		return nil
	}
	return reschedule(tx, c.Claim.Number, c.Next.UnixMilli())
}

// putSnapshot stores snap; when unchanged says it differs from the stored
// value in its checked-at at most, a stored value in the current format
// only has its checked-at rewritten.
func putSnapshot(b *bolt.Bucket, number []byte, snap tracker.Shipment, unchanged bool, encoded []byte) error {
	if unchanged {
		if old := b.Get(number); old != nil {
			raw := bytes.Clone(old)
			if store.TouchShipment(raw, snap.CheckedAt) {
				return b.Put(number, raw)
			}
		}
	}
	if encoded == nil {
		encoded = store.EncodeShipment(snap)
	}
	return b.Put(number, encoded)
}

func newClaim(claims *bolt.Bucket, number string, until int64) (store.Claim, error) {
	seq, err := claims.NextSequence()
	if err != nil {
		return store.Claim{}, err
	}
	cl := claim{Token: fmt.Sprintf("%d.%d", seq, until), Until: until}
	raw, err := json.Marshal(cl)
	if err != nil {
		return store.Claim{}, err
	}
	if err := claims.Put([]byte(number), raw); err != nil {
		return store.Claim{}, err
	}
	return store.Claim{Number: number, Token: cl.Token}, nil
}

// scheduleNX puts number on the schedule at due unless it is scheduled
// already or leased at due.
func scheduleNX(tx *bolt.Tx, number string, due int64) error {
	if tx.Bucket(bucketSchedule).Get([]byte(number)) != nil {
		return nil
	}
	var cl claim
	if err := get(tx.Bucket(bucketClaims), []byte(number), &cl); err == nil && cl.Until > due {
		return nil
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return reschedule(tx, number, due)
}

// reschedule moves number from its current due time, if any, to due.
func reschedule(tx *bolt.Tx, number string, due int64) error {
	if err := unschedule(tx, number); err != nil {
		return err
	}
	if err := tx.Bucket(bucketSchedule).Put([]byte(number), encodeInt(due)); err != nil {
		return err
	}
	return tx.Bucket(bucketDue).Put(dueKey(due, number), nil)
}

// unschedule takes number off the schedule; it is a no-op when absent.
func unschedule(tx *bolt.Tx, number string) error {
	sched := tx.Bucket(bucketSchedule)
	v := sched.Get([]byte(number))
	if v == nil {
		return nil
	}
	if err := tx.Bucket(bucketDue).Delete(dueKey(decodeInt(v), number)); err != nil {
		return err
	}
	return sched.Delete([]byte(number))
}

func dueKey(due int64, number string) []byte {
	return append(encodeInt(due), number...)
}
