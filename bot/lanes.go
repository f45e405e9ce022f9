package bot

import (
	"context"
	"sync"
	"time"

	"github.com/todoku/todoku/store"
)

// lanes holds the claimed notifications that wait for delivery, one lane
// per chat in claim order. A lane is served by one worker at a time (or
// held by a reply that folds it), so a chat never gets two pushes at once
// nor two out of order, while other chats' lanes are served by other
// workers.
type lanes struct {
	mu    sync.Mutex
	cond  *sync.Cond // signalled when a lane becomes ready or the lanes close
	chats map[store.ChatKey]*lane
	ready []store.ChatKey // lanes to serve, oldest first; may name lanes no longer ready
	// claimed is when each notification in a lane (or being sent) was
	// claimed, by ID; a notification claimed again is not queued twice.
	claimed map[string]time.Time
	// held chats take no new notifications until the time given: an
	// earlier one of theirs went back to the outbox, and later ones must
	// not overtake it.
	held map[store.ChatKey]time.Time
	low  chan struct{} // gets a value when the lanes empty below half their capacity
	cap  int
}

type lane struct {
	q      []store.Notification
	busy   bool // a worker sends its head, or a reply holds it
	queued bool // its chat is in ready
}

// sweepHeld is how many held chats the lanes keep before they forget
// the expired holds.
const sweepHeld = 1024

func newLanes(capacity int) *lanes {
	l := &lanes{chats: map[store.ChatKey]*lane{}, claimed: map[string]time.Time{},
		held: map[store.ChatKey]time.Time{}, low: make(chan struct{}, 1), cap: capacity}
	l.cond = sync.NewCond(&l.mu)
	return l
}

// size is how many notifications wait or are being sent.
func (l *lanes) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.claimed)
}

// add queues claimed notifications behind their chats' earlier ones. A
// notification already queued only has its claim time renewed; one of a
// held chat is left to come back after its lease.
func (l *lanes) add(ns []store.Notification, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.held) > sweepHeld {
		for c, until := range l.held {
			if !now.Before(until) {
				delete(l.held, c)
			}
		}
	}
	for _, n := range ns {
		if _, ok := l.claimed[n.ID]; ok {
			l.claimed[n.ID] = now
			continue
		}
		if until, ok := l.held[n.Chat]; ok {
			if now.Before(until) {
				continue
			}
			delete(l.held, n.Chat)
		}
		ln := l.chats[n.Chat]
		if ln == nil {
			ln = &lane{}
			l.chats[n.Chat] = ln
		}
		ln.q = append(ln.q, n)
		l.claimed[n.ID] = now
		l.readyLocked(n.Chat, ln)
	}
}

// readyLocked puts a lane with work and no worker in the ready queue.
func (l *lanes) readyLocked(chat store.ChatKey, ln *lane) {
	if ln.busy || ln.queued || len(ln.q) == 0 {
		return
	}
	ln.queued = true
	l.ready = append(l.ready, chat)
	l.cond.Signal()
}

// take hands out the head of the oldest ready lane and marks the lane
// busy, with the time its notification was claimed. When no lane is
// ready it waits if wait is set (until one is or ctx is done; wake
// rouses it to look), else it reports false.
func (l *lanes) take(ctx context.Context, wait bool) (store.Notification, time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		for len(l.ready) > 0 {
			chat := l.ready[0]
			l.ready[0] = store.ChatKey{}
			l.ready = l.ready[1:]
			ln := l.chats[chat]
			if ln == nil || !ln.queued {
				continue
			}
			ln.queued = false
			if ln.busy {
				continue
			}
			if len(ln.q) == 0 {
				delete(l.chats, chat)
				continue
			}
			ln.busy = true
			n := ln.q[0]
			ln.q = ln.q[1:]
			return n, l.claimed[n.ID], true
		}
		if !wait || ctx.Err() != nil {
			return store.Notification{}, time.Time{}, false
		}
		l.cond.Wait()
	}
}

// done settles the notification a worker took. When it was not settled
// (it stays in the outbox), the rest of its chat's lane goes back to the
// outbox too, and the chat takes no new ones until hold, so none overtakes
// it.
func (l *lanes) done(n store.Notification, settled bool, hold time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.claimed, n.ID)
	ln := l.chats[n.Chat]
	if ln == nil {
		return
	}
	ln.busy = false
	if !settled {
		for _, m := range ln.q {
			delete(l.claimed, m.ID)
		}
		ln.q = nil
		l.held[n.Chat] = hold
	}
	l.settleLocked(n.Chat, ln)
}

// settleLocked requeues a lane that has work left or forgets an empty one,
// and tells the claimer when the lanes have room.
func (l *lanes) settleLocked(chat store.ChatKey, ln *lane) {
	if len(ln.q) == 0 && !ln.busy {
		if !ln.queued {
			delete(l.chats, chat)
		}
	} else {
		l.readyLocked(chat, ln)
	}
	if len(l.claimed) <= l.cap/2 {
		select {
		case l.low <- struct{}{}:
		default:
		}
	}
}

// hold takes up to max notifications at the head of chat's lane for a
// reply, and keeps workers off the lane until release. It takes none
// while a worker is sending to the chat: that push goes first.
func (l *lanes) hold(chat store.ChatKey, max int) []store.Notification {
	l.mu.Lock()
	defer l.mu.Unlock()
	ln := l.chats[chat]
	if ln == nil || ln.busy || len(ln.q) == 0 {
		return nil
	}
	k := min(max, len(ln.q))
	out := append([]store.Notification(nil), ln.q[:k]...)
	ln.q = ln.q[k:]
	ln.busy = true
	return out
}

// release ends a hold: the settled notifications leave the lanes and the
// others go back to the head of the lane, in order.
func (l *lanes) release(chat store.ChatKey, settled, back []store.Notification) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, n := range settled {
		delete(l.claimed, n.ID)
	}
	ln := l.chats[chat]
	if ln == nil {
		return
	}
	ln.busy = false
	if len(back) > 0 {
		ln.q = append(append([]store.Notification(nil), back...), ln.q...)
	}
	l.settleLocked(chat, ln)
}

// clear empties the lanes no worker or reply holds and returns what they
// held, each chat's in order.
func (l *lanes) clear() []store.Notification {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []store.Notification
	for chat, ln := range l.chats {
		if ln.busy {
			continue
		}
		for _, n := range ln.q {
			delete(l.claimed, n.ID)
		}
		out = append(out, ln.q...)
		delete(l.chats, chat)
	}
	return out
}

// wake wakes the waiting workers so they look at their context.
func (l *lanes) wake() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cond.Broadcast()
}
