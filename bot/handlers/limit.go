package handlers

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/todoku/todoku/store"
)

// DefaultMaxParcels is how many parcels one chat may follow at once. A
// shopper rarely has more than a few dozen orders on the way; a hundred
// leaves room for a busy month of sales while keeping /list readable,
// every chat's share of the carriers' rate limits and of the LINE push
// quota small, and /forget one bounded step.
const DefaultMaxParcels = 100

// errLimit means the chat follows as many parcels as it may.
var errLimit = errors.New("handlers: the chat follows the most parcels it may")

// room counts how many more parcels a chat may follow, for one message.
// Archived parcels do not count.
func (h *Handlers) room(ctx context.Context, chat store.ChatKey) (int, error) {
	subs, err := h.Store.Subscriptions(ctx, chat)
	if err != nil {
		return 0, fmt.Errorf("handlers: unable to count subscriptions: %w", err)
	}
	active := 0
	for _, s := range subs {
		if !s.Archived {
			active++
		}
	}
	return h.MaxParcels - active, nil
}

// chatLocks serialises the tracking messages of one chat within the
// process, so that a burst of pastes counts the chat's parcels one
// message after the other and cannot overshoot the limit. (Replicas
// sharing one store may together overshoot by at most one message's
// numbers each.)
type chatLocks struct {
	mu sync.Mutex
	m  map[store.ChatKey]*chatLock
}

type chatLock struct {
	sync.Mutex
	refs int
}

// lock locks chat and returns its unlock.
func (l *chatLocks) lock(chat store.ChatKey) (unlock func()) {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[store.ChatKey]*chatLock{}
	}
	cl := l.m[chat]
	if cl == nil {
		cl = &chatLock{}
		l.m[chat] = cl
	}
	cl.refs++
	l.mu.Unlock()
	cl.Lock()
	return func() {
		cl.Unlock()
		l.mu.Lock()
		if cl.refs--; cl.refs == 0 {
			delete(l.m, chat)
		}
		l.mu.Unlock()
	}
}
