package boltstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// Forget implements store.Store, in one transaction. Rate-limit slots live
// in memory; those naming the chat ("<platform>:<kind>:<id>") go too.
func (s *Store) Forget(ctx context.Context, chat store.ChatKey) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		solo, err := forgetSubscriptions(tx, chat)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketChats).Delete([]byte(chat.String())); err != nil {
			return err
		}
		names := func(n store.Notification) bool { return n.Chat == chat || solo[n.Number] }
		if err := forgetAliases(tx, solo); err != nil {
			return err
		}
		if err := forgetReminders(tx, names); err != nil {
			return err
		}
		if err := deleteWhere(tx.Bucket(bucketOutbox), func(v []byte) (bool, error) {
			var e outboxEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return false, err
			}
			return names(e.N), nil
		}); err != nil {
			return err
		}
		if len(solo) == 0 {
			return nil
		}
		return deleteWhere(tx.Bucket(bucketDelivered), func(v []byte) (bool, error) {
			var t tracker.Shipment
			if err := json.Unmarshal(v, &t); err != nil {
				return false, err
			}
			return solo[t.Number], nil
		})
	})
	if err != nil {
		return fmt.Errorf("boltstore: unable to forget chat %s: %w", chat, err)
	}
	s.forgetPace(chat)
	return nil
}

// forgetSubscriptions deletes the chat's subscriptions and its place among
// each number's subscribers, and everything of the numbers no one else
// follows; it returns those numbers.
func forgetSubscriptions(tx *bolt.Tx, chat store.ChatKey) (map[string]bool, error) {
	subs := tx.Bucket(bucketSubs)
	prefix := append([]byte(chat.String()), 0)
	var keys [][]byte
	c := subs.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	solo := map[string]bool{}
	for _, k := range keys {
		number := string(k[len(prefix):])
		if err := subs.Delete(k); err != nil {
			return nil, err
		}
		if err := tx.Bucket(bucketSubscribers).Delete(subscriberKey(number, chat)); err != nil {
			return nil, err
		}
		if hasSubscribers(tx, number) {
			continue
		}
		solo[number] = true
		if err := unschedule(tx, number); err != nil {
			return nil, err
		}
		for _, b := range [][]byte{bucketShipments, bucketClaims, bucketAliases} {
			if err := tx.Bucket(b).Delete([]byte(number)); err != nil {
				return nil, err
			}
		}
	}
	return solo, nil
}

// forgetAliases deletes the aliases that stand for a forgotten number.
func forgetAliases(tx *bolt.Tx, solo map[string]bool) error {
	if len(solo) == 0 {
		return nil
	}
	return deleteWhere(tx.Bucket(bucketAliases), func(v []byte) (bool, error) { return solo[string(v)], nil })
}

// forgetReminders deletes the reminders that names selects, with their
// index entries.
func forgetReminders(tx *bolt.Tx, names func(store.Notification) bool) error {
	rems, idx := tx.Bucket(bucketReminders), tx.Bucket(bucketReminderKey)
	var gone [][]byte
	c := rems.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var n store.Notification
		if err := json.Unmarshal(v, &n); err != nil {
			return err
		}
		if names(n) {
			gone = append(gone, bytes.Clone(k))
		}
	}
	for _, k := range gone {
		if err := rems.Delete(k); err != nil {
			return err
		}
		if err := idx.Delete(k[8:]); err != nil { // reminders are keyed by due (8 bytes) + reminder key
			return err
		}
	}
	return nil
}

// deleteWhere deletes every key of b whose value match selects.
func deleteWhere(b *bolt.Bucket, match func(v []byte) (bool, error)) error {
	var gone [][]byte
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		ok, err := match(v)
		if err != nil {
			return err
		}
		if ok {
			gone = append(gone, bytes.Clone(k))
		}
	}
	for _, k := range gone {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// forgetPace drops the in-memory rate-limit slots named
// "<platform>:<kind>:<id>" for the chat.
func (s *Store) forgetPace(chat store.ChatKey) {
	s.paceMu.Lock()
	defer s.paceMu.Unlock()
	for key := range s.pace {
		rest, ok := strings.CutPrefix(key, chat.Platform+":")
		if !ok {
			continue
		}
		if kind, ok := strings.CutSuffix(rest, ":"+chat.ID); ok && !strings.Contains(kind, ":") {
			delete(s.pace, key)
		}
	}
}
