package telegram

import (
	"context"
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
// through p: the slots of every chat, group and of the whole bot are
// reserved in the store, and each process's guard checks its own sends
// against the windows on their real times.
func (l Limits) Shared(p Pacer) Limiter { return newPacedLimiter(l, p, realClock{}) }
