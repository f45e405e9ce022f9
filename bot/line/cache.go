package line

import (
	"container/list"
	"sync"
	"time"
)

// cache is a small LRU map whose entries also expire after a TTL. It is
// safe for concurrent use.
type cache[V any] struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	now   func() time.Time
	items map[string]*list.Element
	order *list.List // front: most recently added or read
}

type entry[V any] struct {
	key     string
	val     V
	expires time.Time
}

func newCache[V any](max int, ttl time.Duration, now func() time.Time) *cache[V] {
	return &cache[V]{max: max, ttl: ttl, now: now, items: map[string]*list.Element{}, order: list.New()}
}

// get returns the live value of key.
func (c *cache[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.getLocked(key)
}

func (c *cache[V]) getLocked(key string) (V, bool) {
	var zero V
	el, ok := c.items[key]
	if !ok {
		return zero, false
	}
	e := el.Value.(*entry[V])
	if !c.now().Before(e.expires) {
		c.order.Remove(el)
		delete(c.items, key)
		return zero, false
	}
	c.order.MoveToFront(el)
	return e.val, true
}

// add stores key unless it is present and live, and reports whether it
// stored it.
func (c *cache[V]) add(key string, v V) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.getLocked(key); ok {
		return false
	}
	c.putLocked(key, v)
	return true
}

// put stores or replaces key, evicting the least recently used entries
// beyond the bound.
func (c *cache[V]) put(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(key, v)
}

func (c *cache[V]) putLocked(key string, v V) {
	exp := c.now().Add(c.ttl)
	if el, ok := c.items[key]; ok {
		e := el.Value.(*entry[V])
		e.val, e.expires = v, exp
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(&entry[V]{key: key, val: v, expires: exp})
	for c.order.Len() > c.max {
		old := c.order.Remove(c.order.Back()).(*entry[V])
		delete(c.items, old.key)
	}
}
