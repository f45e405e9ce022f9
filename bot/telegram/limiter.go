package telegram

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Limiter paces messages so that Telegram's flood control is never
// triggered. Wait blocks until one more message may go to the chat (group
// tells whether it is a group chat) and counts it as sent.
type Limiter interface {
	Wait(ctx context.Context, chatID string, group bool) error
}

// window is "at most n messages in any period of length per".
type window struct {
	n   int
	per time.Duration
}

// limits are the send limits Telegram documents in its bot FAQ.
type limits struct {
	chat   window // any chat: 1 message a second
	group  window // group chats: 20 messages a minute
	global window // the whole bot: about 30 messages a second
}

var defaultLimits = limits{
	chat:   window{1, time.Second},
	group:  window{20, time.Minute},
	global: window{30, time.Second},
}

// NewLimiter returns an in-process limiter with Telegram's documented
// limits: one message a second in a chat, 20 a minute in a group, 30 a
// second overall, each window widened by a small margin for the time a
// request takes to arrive.
func NewLimiter() Limiter {
	return newMemLimiter(defaultLimits, realClock{}, 50*time.Millisecond)
}

// memLimiter keeps the times of the latest sends per chat and overall, and
// lets a send through when it keeps every window within its count.
type memLimiter struct {
	lim    limits
	clock  clock
	margin time.Duration

	mu        sync.Mutex
	chats     map[string]*history
	global    *history
	lastSweep time.Time
}

func newMemLimiter(lim limits, c clock, margin time.Duration) *memLimiter {
	return &memLimiter{lim: lim, clock: c, margin: margin,
		chats: make(map[string]*history), global: newHistory(lim.global.n)}
}

// sweepAfter is how many chats the limiter keeps before it forgets idle ones.
const sweepAfter = 1024

func (l *memLimiter) Wait(ctx context.Context, chatID string, group bool) error {
	for {
		l.mu.Lock()
		now := l.clock.Now()
		h := l.chats[chatID]
		if h == nil {
			h = newHistory(max(l.lim.chat.n, l.lim.group.n))
			l.chats[chatID] = h
		}
		at := l.global.next(l.lim.global, now, l.margin)
		at = later(at, h.next(l.lim.chat, now, l.margin))
		if group {
			at = later(at, h.next(l.lim.group, now, l.margin))
		}
		if !at.After(now) {
			h.add(now)
			l.global.add(now)
			l.sweepLocked(now)
			l.mu.Unlock()
			return nil
		}
		l.mu.Unlock()
		if err := l.clock.Sleep(ctx, at.Sub(now)); err != nil {
			return fmt.Errorf("telegram: rate limit wait for chat %s: %w", chatID, err)
		}
	}
}

// sweepLocked forgets chats that sent nothing for longer than every window.
func (l *memLimiter) sweepLocked(now time.Time) {
	longest := max(l.lim.chat.per, l.lim.group.per) + l.margin
	if len(l.chats) < sweepAfter || now.Sub(l.lastSweep) < longest {
		return
	}
	l.lastSweep = now
	for id, h := range l.chats {
		if now.Sub(h.last()) > longest {
			delete(l.chats, id)
		}
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// history holds the times of the latest sends, oldest first in ring order.
type history struct {
	times []time.Time
	head  int // slot of the oldest time once full
}

func newHistory(n int) *history { return &history{times: make([]time.Time, 0, max(n, 1))} }

func (h *history) add(t time.Time) {
	if len(h.times) < cap(h.times) {
		h.times = append(h.times, t)
		return
	}
	h.times[h.head] = t
	h.head = (h.head + 1) % len(h.times)
}

func (h *history) last() time.Time {
	if len(h.times) == 0 {
		return time.Time{}
	}
	if len(h.times) < cap(h.times) {
		return h.times[len(h.times)-1]
	}
	return h.times[(h.head+len(h.times)-1)%len(h.times)]
}

// nth returns the time of the n-th latest send (1 = the latest), and
// false when fewer were recorded.
func (h *history) nth(n int) (time.Time, bool) {
	if n < 1 || n > len(h.times) {
		return time.Time{}, false
	}
	if len(h.times) < cap(h.times) {
		return h.times[len(h.times)-n], true
	}
	return h.times[(h.head+len(h.times)-n)%len(h.times)], true
}

// next returns the earliest time, not before now, at which one more send
// keeps w: the w.n-th latest send must be at least w.per (plus margin) ago.
func (h *history) next(w window, now time.Time, margin time.Duration) time.Time {
	t, ok := h.nth(w.n)
	if !ok {
		return now
	}
	return later(now, t.Add(w.per+margin))
}
