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

// Window is "at most N messages in any period of length Per".
type Window struct {
	N   int
	Per time.Duration
}

// spacing is the even gap between messages that keeps w with margin to
// spare over N messages.
func (w Window) spacing(margin time.Duration) time.Duration {
	n := time.Duration(max(w.N, 1))
	return (w.Per + margin + n - 1) / n // rounded up: N gaps never fall short of Per
}

// Limits are the send limits a limiter keeps. The zero value is not
// useful; start from DefaultLimits.
type Limits struct {
	Chat   Window // any chat: 1 message a second
	Group  Window // group chats: 20 messages a minute
	Global Window // the whole bot: about 30 messages a second
	// Margin widens every window for the time a request takes to arrive,
	// which varies from one request to the next.
	Margin time.Duration
}

// DefaultLimits are the limits Telegram documents in its bot FAQ: one
// message a second in a chat, 20 a minute in a group, about 30 a second
// overall, with a margin of 20 ms a window (the bot then sends at 98% of
// the overall limit).
func DefaultLimits() Limits {
	return Limits{
		Chat:   Window{1, time.Second},
		Group:  Window{20, time.Minute},
		Global: Window{30, time.Second},
		Margin: 20 * time.Millisecond,
	}
}

// Scaled returns l with every period and the margin divided by f: f times
// the rates, for running the same code on faster time (a benchmark
// against a fake API that enforces the same scaled limits).
func (l Limits) Scaled(f float64) Limits {
	scale := func(d time.Duration) time.Duration { return time.Duration(float64(d) / f) }
	l.Chat.Per = scale(l.Chat.Per)
	l.Group.Per = scale(l.Group.Per)
	l.Global.Per = scale(l.Global.Per)
	l.Margin = scale(l.Margin)
	return l
}

// Ceiling is the most messages a second l lets through overall.
func (l Limits) Ceiling() float64 {
	return float64(l.Global.N) / l.Global.Per.Seconds()
}

// NewLimiter returns an in-process limiter with DefaultLimits.
func NewLimiter() Limiter { return DefaultLimits().Limiter() }

// Limiter returns an in-process limiter that keeps l. Every window is
// checked against the times messages were really let go (a sender that
// wakes late does not leave the next one less room), and messages are
// kept at least three quarters of the overall spacing apart, so that they
// go out evenly rather than in bursts.
func (l Limits) Limiter() Limiter { return newMemLimiter(l, realClock{}) }

// memLimiter keeps the times of the latest sends overall and per chat.
// Senders whose chat allows a message take turns at the overall window.
type memLimiter struct {
	lim    Limits
	clock  clock
	minGap time.Duration // between two sends overall
	turn   chan struct{} // held by the sender waiting at the overall window

	mu        sync.Mutex
	chats     map[string]*history
	global    *history
	lastSweep time.Time
}

func newMemLimiter(lim Limits, c clock) *memLimiter {
	return &memLimiter{lim: lim, clock: c, minGap: lim.Global.Per * 3 / (4 * time.Duration(max(lim.Global.N, 1))),
		turn: make(chan struct{}, 1), chats: make(map[string]*history), global: newHistory(lim.Global.N)}
}

// sweepAfter is how many chats the limiter keeps before it forgets idle ones.
const sweepAfter = 1024

// Wait waits until the chat's windows let one more message through, then
// takes its turn at the overall window, waits until that lets it through
// too and records the send.
func (l *memLimiter) Wait(ctx context.Context, chatID string, group bool) error {
	for {
		if err := l.waitChat(ctx, chatID, group); err != nil {
			return err
		}
		select {
		case l.turn <- struct{}{}:
		case <-ctx.Done():
			return fmt.Errorf("telegram: rate limit wait for chat %s: %w", chatID, ctx.Err())
		}
		sent, err := l.waitGlobal(ctx, chatID, group)
		<-l.turn
		if err != nil || sent {
			return err
		}
		// Another sender to the same chat went first: wait for the chat again.
	}
}

// chatNextLocked is when the chat's windows let one more message through.
func (l *memLimiter) chatNextLocked(chatID string, group bool, now time.Time) (*history, time.Time) {
	h := l.chats[chatID]
	if h == nil {
		h = newHistory(max(l.lim.Chat.N, l.lim.Group.N))
		l.chats[chatID] = h
	}
	at := h.next(l.lim.Chat, now, l.lim.Margin)
	if group {
		at = later(at, h.next(l.lim.Group, now, l.lim.Margin))
	}
	return h, at
}

func (l *memLimiter) waitChat(ctx context.Context, chatID string, group bool) error {
	for {
		l.mu.Lock()
		now := l.clock.Now()
		_, at := l.chatNextLocked(chatID, group, now)
		l.mu.Unlock()
		if !at.After(now) {
			return nil
		}
		if err := l.clock.Sleep(ctx, at.Sub(now)); err != nil {
			return fmt.Errorf("telegram: rate limit wait for chat %s: %w", chatID, err)
		}
	}
}

// waitGlobal waits, holding the turn, until the overall window lets a
// message through and records it; false means the chat's windows no
// longer allow it.
func (l *memLimiter) waitGlobal(ctx context.Context, chatID string, group bool) (bool, error) {
	for {
		l.mu.Lock()
		now := l.clock.Now()
		h, chatAt := l.chatNextLocked(chatID, group, now)
		if chatAt.After(now) {
			l.mu.Unlock()
			return false, nil
		}
		at := l.global.next(l.lim.Global, now, l.lim.Margin)
		at = later(at, l.global.last().Add(l.minGap))
		if !at.After(now) {
			h.add(now)
			l.global.add(now)
			l.sweepLocked(now)
			l.mu.Unlock()
			return true, nil
		}
		l.mu.Unlock()
		if err := l.clock.Sleep(ctx, at.Sub(now)); err != nil {
			return false, fmt.Errorf("telegram: rate limit wait for chat %s: %w", chatID, err)
		}
	}
}

// sweepLocked forgets chats that sent nothing for longer than every window.
func (l *memLimiter) sweepLocked(now time.Time) {
	longest := max(l.lim.Chat.Per, l.lim.Group.Per) + l.lim.Margin
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
// keeps w: the w.N-th latest send must be at least w.Per (plus margin) ago.
func (h *history) next(w Window, now time.Time, margin time.Duration) time.Time {
	t, ok := h.nth(w.N)
	if !ok {
		return now
	}
	return later(now, t.Add(w.Per+margin))
}
