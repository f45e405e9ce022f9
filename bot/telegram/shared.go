package telegram

import (
	"context"
	"fmt"
	"time"
)

// Pacer reserves the next slot of a rate limit that lets one event through
// every interval and says how long to wait for it: the store's Pace, which
// every replica sharing the store shares.
type Pacer func(ctx context.Context, key string, interval time.Duration, now time.Time) (time.Duration, error)

// Spacing of sends that keeps every window of Telegram's limits: one
// message a second in a chat, 20 a minute in a group (one every 3 s), 30 a
// second overall (one every 34 ms), plus a margin for the time a request
// takes to arrive.
const (
	chatSpacing   = time.Second + 50*time.Millisecond
	groupSpacing  = 3*time.Second + 50*time.Millisecond
	globalSpacing = 34 * time.Millisecond
)

// SharedLimiter paces sends through p, so that all replicas together stay
// within Telegram's limits. Sends are spaced evenly rather than in bursts,
// which keeps every sliding window of the documented limits.
func SharedLimiter(p Pacer) Limiter { return &sharedLimiter{pace: p, now: time.Now} }

type sharedLimiter struct {
	pace Pacer
	now  func() time.Time
}

func (l *sharedLimiter) Wait(ctx context.Context, chatID string, group bool) error {
	now := l.now()
	slots := []struct {
		key string
		iv  time.Duration
	}{{"telegram:all", globalSpacing}, {"telegram:chat:" + chatID, chatSpacing}}
	if group {
		slots = append(slots, struct {
			key string
			iv  time.Duration
		}{"telegram:group:" + chatID, groupSpacing})
	}
	var wait time.Duration
	for _, s := range slots {
		w, err := l.pace(ctx, s.key, s.iv, now)
		if err != nil {
			return fmt.Errorf("telegram: unable to pace sends: %w", err)
		}
		wait = max(wait, w)
	}
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
