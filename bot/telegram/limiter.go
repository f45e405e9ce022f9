package telegram

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Limiter paces messages so that Telegram's flood control is never
// triggered. Wait blocks until one more message may go to the chat (group
// tells whether it is a group chat) and counts it as sent.
type Limiter interface {
	Wait(ctx context.Context, chatID string, group bool) error
}

// Answerer is a Limiter that is told how long each message it let go took
// to be answered, so that it can allow for one that reached the API later
// than it went.
type Answerer interface {
	Answered(chatID string, took time.Duration)
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

// Limiter returns an in-process limiter that keeps l: the slots of
// Shared, reserved in this process only.
func (l Limits) Limiter() Limiter { return newMemLimiter(l, realClock{}) }

func newMemLimiter(lim Limits, c clock) *pacedLimiter {
	slots := &localSlots{slots: map[string]time.Time{}}
	return newPacedLimiter(lim, slots.pace, c)
}

// pacedLimiter spaces sends evenly on slots it reserves through a Pacer:
// one every (1 s + margin) in a chat, every (60 s + margin)/20 in a
// group, every (1 s + margin)/30 overall. Slots are reserved ahead on
// fixed times, so a sender that wakes late does not push the next ones
// back and the overall rate holds at the limit less the margin. The
// guard then checks every window of the limits against the times this
// process really let messages go, each moved later by however much
// longer its round trip took than the fastest recent one (see
// Answered), so that a message that went or arrived late cannot crowd
// the ones after it.
type pacedLimiter struct {
	lim                 Limits
	pace                Pacer
	clock               clock
	chat, group, global time.Duration // spacings
	guard               *guard
}

func newPacedLimiter(lim Limits, p Pacer, c clock) *pacedLimiter {
	return &pacedLimiter{lim: lim, pace: p, clock: c, guard: newGuard(lim),
		chat: lim.Chat.spacing(lim.Margin), group: lim.Group.spacing(lim.Margin), global: lim.Global.spacing(lim.Margin)}
}

type paceSlot struct {
	key string
	iv  time.Duration
}

// Wait reserves the chat's (and group's) next slot and waits for it, then
// reserves the first overall slot from then on and waits for that. The
// chat's slots count from the real send: when the overall slot comes
// later than the chat's, the chat's next slot is pushed back by the
// difference. Waits run to the reserved times, not for the waits the
// pacer returned, so the pacer's round trips do not make sends late.
func (l *pacedLimiter) Wait(ctx context.Context, chatID string, group bool) error {
	own := []paceSlot{{"telegram:chat:" + chatID, l.chat}}
	if group {
		own = append(own, paceSlot{"telegram:group:" + chatID, l.group})
	}
	now := l.clock.Now()
	var wait time.Duration
	for _, s := range own {
		w, err := l.pace(ctx, s.key, s.iv, now)
		if err != nil {
			return fmt.Errorf("telegram: unable to pace sends: %w", err)
		}
		wait = max(wait, w)
	}
	chatAt := now.Add(wait)
	if err := l.sleepUntil(ctx, chatID, chatAt); err != nil {
		return err
	}
	now = l.clock.Now()
	wait, err := l.pace(ctx, "telegram:all", l.global, now)
	if err != nil {
		return fmt.Errorf("telegram: unable to pace sends: %w", err)
	}
	at := now.Add(wait)
	if push := at.Sub(chatAt); push > 0 {
		for _, s := range own {
			// A slot of length push right behind the one taken moves the
			// chat's next slot push later.
			if _, err := l.pace(ctx, s.key, push, now); err != nil {
				return fmt.Errorf("telegram: unable to pace sends: %w", err)
			}
		}
	}
	if err := l.sleepUntil(ctx, chatID, at); err != nil {
		return err
	}
	for {
		next, ok := l.guard.admit(chatID, group, l.clock.Now)
		if ok {
			return nil
		}
		if err := l.sleepUntil(ctx, chatID, next); err != nil {
			return err
		}
	}
}

// Answered implements Answerer.
func (l *pacedLimiter) Answered(chatID string, took time.Duration) { l.guard.answered(chatID, took) }

func (l *pacedLimiter) sleepUntil(ctx context.Context, chatID string, at time.Time) error {
	if err := l.clock.Sleep(ctx, at.Sub(l.clock.Now())); err != nil {
		return fmt.Errorf("telegram: rate limit wait for chat %s: %w", chatID, err)
	}
	return nil
}

// localSlots is a Pacer within the process, for the in-process limiter.
type localSlots struct {
	mu    sync.Mutex
	slots map[string]time.Time // next free slot by key
}

// sweepAfter is how many keys (or chats) a limiter keeps before it
// forgets idle ones.
const sweepAfter = 1024

func (s *localSlots) pace(ctx context.Context, key string, interval time.Duration, now time.Time) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.slots) >= 2*sweepAfter {
		for k, t := range s.slots {
			if t.Before(now) {
				delete(s.slots, k) // a past slot limits nothing
			}
		}
	}
	slot := later(now, s.slots[key])
	s.slots[key] = slot.Add(interval)
	return slot.Sub(now), nil
}

// guard keeps the times this process let the latest messages go, overall
// and per chat, and admits one more only when every window of the limits
// allows it.
type guard struct {
	lim Limits

	mu        sync.Mutex
	chats     map[string]*history
	global    *history
	lastSweep time.Time
	took      []time.Duration // the latest round trips
	tookNext  int             // the slot of took to write next once full
}

func newGuard(lim Limits) *guard {
	return &guard{lim: lim, chats: make(map[string]*history), global: newHistory(lim.Global.N)}
}

// admit records a message to the chat as let go now if every window
// allows it; else it returns when they will. It reads the time under its
// lock, so that the times it keeps are in order.
func (g *guard) admit(chatID string, group bool, clock func() time.Time) (time.Time, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := clock()
	h := g.chats[chatID]
	if h == nil {
		h = newHistory(max(g.lim.Chat.N, g.lim.Group.N))
		g.chats[chatID] = h
	}
	at := h.next(g.lim.Chat, now, g.lim.Margin)
	if group {
		at = later(at, h.next(g.lim.Group, now, g.lim.Margin))
	}
	at = later(at, g.global.next(g.lim.Global, now, g.lim.Margin))
	if at.After(now) {
		return at, false
	}
	h.add(now)
	g.global.add(now)
	g.sweepLocked(now)
	return now, true
}

// tookMemory is how many of the latest round trips the guard keeps to
// know the fastest.
const tookMemory = 64

// answered tells the guard that the latest message to the chat got its
// answer took after it was let go. A message cannot have arrived later
// than it went plus the time its round trip took beyond the fastest
// recent one (whatever the network and the API's side took longer, it
// took on the way there or back): the guard counts it that much later in
// every window, so that a message that went out late does not crowd the
// ones after it at the API.
func (g *guard) answered(chatID string, took time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.took) < tookMemory {
		g.took = append(g.took, took)
	} else {
		g.took[g.tookNext] = took
		g.tookNext = (g.tookNext + 1) % tookMemory
	}
	late := took - slices.Min(g.took)
	h := g.chats[chatID]
	if late <= 0 || h == nil {
		return
	}
	t := h.last()
	h.move(t, late)
	g.global.move(t, late)
}

// sweepLocked forgets chats that sent nothing for longer than every window.
func (g *guard) sweepLocked(now time.Time) {
	longest := max(g.lim.Chat.Per, g.lim.Group.Per) + g.lim.Margin
	if len(g.chats) < sweepAfter || now.Sub(g.lastSweep) < longest {
		return
	}
	g.lastSweep = now
	for id, h := range g.chats {
		if now.Sub(h.last()) > longest {
			delete(g.chats, id)
		}
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// history holds the times of the latest sends, in order, at most its
// capacity of them.
type history struct {
	times []time.Time // ascending
}

func newHistory(n int) *history { return &history{times: make([]time.Time, 0, max(n, 1))} }

// add records a send at t, forgetting the earliest when full.
func (h *history) add(t time.Time) {
	if len(h.times) == cap(h.times) {
		if !t.After(h.times[0]) {
			return
		}
		h.times = append(h.times[:0], h.times[1:]...)
	}
	i := len(h.times)
	for i > 0 && h.times[i-1].After(t) {
		i--
	}
	h.times = slices.Insert(h.times, i, t)
}

// move moves the send recorded at t to t+d, when it is still recorded.
func (h *history) move(t time.Time, d time.Duration) {
	i := slices.IndexFunc(h.times, t.Equal)
	if i < 0 {
		return
	}
	h.times = slices.Delete(h.times, i, i+1)
	h.add(t.Add(d))
}

func (h *history) last() time.Time {
	if len(h.times) == 0 {
		return time.Time{}
	}
	return h.times[len(h.times)-1]
}

// nth returns the time of the n-th latest send (1 = the latest), and
// false when fewer were recorded.
func (h *history) nth(n int) (time.Time, bool) {
	if n < 1 || n > len(h.times) {
		return time.Time{}, false
	}
	return h.times[len(h.times)-n], true
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
