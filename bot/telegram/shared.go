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

// SharedLimiter paces sends through p with DefaultLimits, so that all
// replicas together stay within Telegram's limits.
func SharedLimiter(p Pacer) Limiter { return DefaultLimits().Shared(p) }

// Shared returns a limiter that keeps l across every process pacing
// through p. Sends are spaced evenly rather than in bursts, which keeps
// every sliding window of the limits: one message a second in a chat
// becomes one every (1 s + margin), 20 a minute in a group one every
// (60 s + margin)/20, 30 a second overall one every (1 s + margin)/30.
func (l Limits) Shared(p Pacer) Limiter {
	return &sharedLimiter{pace: p, now: time.Now, local: newMemLimiter(l, realClock{}),
		chat:   l.Chat.spacing(l.Margin),
		group:  l.Group.spacing(l.Margin),
		global: l.Global.spacing(l.Margin),
	}
}

type sharedLimiter struct {
	// local keeps this process's sends within l on their real times
	// first, so that those reaching the shared slots are already evenly
	// spread.
	local               Limiter
	pace                Pacer
	now                 func() time.Time
	chat, group, global time.Duration // spacings
}

type paceSlot struct {
	key string
	iv  time.Duration
}

// Wait lets the process's own limiter space the send, then reserves the
// chat's (and group's) next shared slot and waits for it, then
// reserves the first overall slot from then on, so that overall slots are
// taken for the time messages really go and none is left unused in
// between. If the overall slot comes later, the chat's next slot is
// pushed back by the difference: the chat's spacing counts from the real
// send.
func (l *sharedLimiter) Wait(ctx context.Context, chatID string, group bool) error {
	if l.local != nil {
		if err := l.local.Wait(ctx, chatID, group); err != nil {
			return err
		}
	}
	own := []paceSlot{{"telegram:chat:" + chatID, l.chat}}
	if group {
		own = append(own, paceSlot{"telegram:group:" + chatID, l.group})
	}
	now := l.now()
	var wait time.Duration
	for _, s := range own {
		w, err := l.pace(ctx, s.key, s.iv, now)
		if err != nil {
			return fmt.Errorf("telegram: unable to pace sends: %w", err)
		}
		wait = max(wait, w)
	}
	if err := sleep(ctx, wait); err != nil {
		return err
	}
	now = l.now()
	wait, err := l.pace(ctx, "telegram:all", l.global, now)
	if err != nil {
		return fmt.Errorf("telegram: unable to pace sends: %w", err)
	}
	if wait > 0 {
		for _, s := range own {
			// A slot of length wait right behind the one taken moves the
			// chat's next slot wait later.
			if _, err := l.pace(ctx, s.key, wait, now); err != nil {
				return fmt.Errorf("telegram: unable to pace sends: %w", err)
			}
		}
	}
	return sleep(ctx, wait)
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
