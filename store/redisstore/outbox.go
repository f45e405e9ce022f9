package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/todoku/todoku/store"
)

// ClaimOutbox implements store.Store. It first takes over entries pending
// longer than lease (their consumer presumably died), then reads entries
// never delivered; both come in stream order, and every pending entry is
// older than every undelivered one, so the result is oldest first.
func (s *Store) ClaimOutbox(ctx context.Context, consumer string, max int, lease time.Duration) ([]store.Notification, error) {
	fail := func(err error) ([]store.Notification, error) {
		return nil, fmt.Errorf("redisstore: unable to claim outbox for %s: %w", consumer, err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if max <= 0 {
		return nil, nil
	}
	s.pruneConsumers(ctx, consumer, time.Now())
	var out []store.Notification
	start := "0-0"
	regrouped := false
	for len(out) < max {
		msgs, next, err := s.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream:   s.keys.outbox(),
			Group:    outboxGroup,
			Consumer: consumer,
			MinIdle:  lease,
			Start:    start,
			Count:    int64(max - len(out)),
		}).Result()
		if isNoGroup(err) && !regrouped { // Redis lost the group: make it again
			regrouped = true
			if err := s.createGroup(ctx); err != nil {
				return fail(err)
			}
			continue
		}
		if err != nil {
			return fail(err)
		}
		if out, err = appendMessages(out, msgs); err != nil {
			return fail(err)
		}
		if next == "0-0" || next == "" {
			break
		}
		start = next
	}
	if len(out) >= max {
		return out, nil
	}
	streams, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group:    outboxGroup,
		Consumer: consumer,
		Streams:  []string{s.keys.outbox(), ">"},
		Count:    int64(max - len(out)),
		Block:    -1,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return out, nil
	}
	if err != nil {
		return fail(err)
	}
	for _, st := range streams {
		if out, err = appendMessages(out, st.Messages); err != nil {
			return fail(err)
		}
	}
	return out, nil
}

func appendMessages(out []store.Notification, msgs []redis.XMessage) ([]store.Notification, error) {
	for _, m := range msgs {
		raw, ok := m.Values["n"].(string)
		if !ok {
			continue // deleted while pending; nothing to deliver
		}
		var n store.Notification
		if err := json.Unmarshal([]byte(raw), &n); err != nil {
			return out, fmt.Errorf("entry %s: %w", m.ID, err)
		}
		n.ID = m.ID
		out = append(out, n)
	}
	return out, nil
}

// Ack implements store.Store. Acknowledging an entry that is already gone is
// not an error.
func (s *Store) Ack(ctx context.Context, n store.Notification, delivered bool) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: unable to ack notification %s: %w", n.ID, err)
	}
	flag := "0"
	if delivered {
		flag = "1"
	}
	k := s.keys
	err := ackScript.Run(ctx, s.rdb,
		[]string{k.outbox(), k.subs(n.Chat)},
		outboxGroup, n.ID, flag, n.Number, n.To.String(),
	).Err()
	if err != nil {
		return fmt.Errorf("redisstore: unable to ack notification %s: %w", n.ID, err)
	}
	return nil
}

// SetReminder implements store.Store.
func (s *Store) SetReminder(ctx context.Context, kind string, chat store.ChatKey, number string, at time.Time) error {
	member := ""
	if !at.IsZero() {
		raw, err := json.Marshal(store.Notification{Kind: kind, Chat: chat, Number: number, At: at})
		if err != nil {
			return fmt.Errorf("redisstore: unable to set reminder: %w", err)
		}
		member = string(raw)
	}
	err := setReminderScript.Run(ctx, s.rdb, []string{s.keys.reminders(), s.keys.reminderKeys()},
		store.ReminderKey(kind, chat, number), member, ms(at)).Err()
	if err != nil {
		return fmt.Errorf("redisstore: unable to set reminder %s for %s: %w", kind, number, err)
	}
	return nil
}

// QueueDueReminders implements store.Store.
func (s *Store) QueueDueReminders(ctx context.Context, now time.Time, max int) (int, error) {
	if max <= 0 {
		return 0, nil
	}
	n, err := queueRemindersScript.Run(ctx, s.rdb, []string{s.keys.reminders(), s.keys.reminderKeys(), s.keys.outbox()},
		ms(now), max).Int()
	if err != nil {
		return 0, fmt.Errorf("redisstore: unable to queue due reminders: %w", err)
	}
	return n, nil
}
