package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// ClaimDue implements store.Store.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, max int, lease time.Duration) ([]store.Claim, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("redisstore: unable to claim due shipments: %w", err)
	}
	if max <= 0 {
		return nil, nil
	}
	k := s.keys
	res, err := claimDueScript.Run(ctx, s.rdb,
		[]string{k.schedule(), k.claims(), k.claimSeq()},
		ms(now), max, ms(now.Add(lease)),
	).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("redisstore: unable to claim due shipments: %w", err)
	}
	out := make([]store.Claim, 0, len(res)/2)
	for i := 0; i+1 < len(res); i += 2 {
		out = append(out, store.Claim{Number: res[i], Token: res[i+1]})
	}
	return out, nil
}

// ClaimNumber implements store.Store.
func (s *Store) ClaimNumber(ctx context.Context, number string, now time.Time, lease time.Duration) (store.Claim, error) {
	if err := ctx.Err(); err != nil {
		return store.Claim{}, fmt.Errorf("redisstore: unable to claim %s: %w", number, err)
	}
	k := s.keys
	token, err := claimNumberScript.Run(ctx, s.rdb,
		[]string{k.schedule(), k.claims(), k.claimSeq()},
		number, ms(now), ms(now.Add(lease)),
	).Text()
	if errors.Is(err, redis.Nil) {
		return store.Claim{}, fmt.Errorf("redisstore: unable to claim %s: %w", number, store.ErrLeased)
	}
	if err != nil {
		return store.Claim{}, fmt.Errorf("redisstore: unable to claim %s: %w", number, err)
	}
	return store.Claim{Number: number, Token: token}, nil
}

// notificationTail is a store.Notification without its chat: commitScript
// prepends the chat of each subscriber.
type notificationTail struct {
	Number string        `json:"number"`
	From   tracker.Stage `json:"from"`
	To     tracker.Stage `json:"to"`
	Event  tracker.Event `json:"event"`
	At     time.Time     `json:"at"`
}

// Commit implements store.Store.
func (s *Store) Commit(ctx context.Context, c store.Claim, snap tracker.Shipment, change tracker.Change, next, now time.Time) error {
	fail := func(err error) error {
		return fmt.Errorf("redisstore: unable to commit %s: %w", c.Number, err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	snapJSON, err := json.Marshal(snap)
	if err != nil {
		return fail(err)
	}
	changed, tail := "0", ""
	if change.StageChanged() {
		latest, _ := snap.Latest()
		raw, err := json.Marshal(notificationTail{Number: c.Number, From: change.From, To: change.To, Event: latest, At: now})
		if err != nil {
			return fail(err)
		}
		changed, tail = "1", ","+string(raw[1:])
	}
	nextMs := ""
	if !next.IsZero() {
		nextMs = ms(next)
	}
	k := s.keys
	ok, err := commitScript.Run(ctx, s.rdb,
		[]string{k.claims(), k.shipment(c.Number), k.subscribers(c.Number), k.schedule(), k.outbox()},
		c.Number, c.Token, snapJSON, changed, tail, nextMs,
	).Int()
	if err != nil {
		return fail(err)
	}
	if ok != 1 {
		return fail(store.ErrLeaseLost)
	}
	return nil
}
