package redisstore

import (
	"context"
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
	errs, err := s.CommitMany(ctx, []store.Check{{Claim: c, Snap: snap, Change: change, Next: next}}, now)
	if err != nil {
		return err
	}
	return errs[0]
}
