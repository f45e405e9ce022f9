package seventeentrack

import "sync"

// registry remembers which numbers are registered with 17TRACK, and with
// which carrier key, so that each is registered once. It holds at most max
// numbers and forgets the oldest first.
type registry struct {
	mu    sync.Mutex
	max   int
	gen   uint64
	m     map[string]entry
	order []slot // oldest first; stale slots are skipped
}

type entry struct {
	carrier int
	gen     uint64
}

type slot struct {
	number string
	gen    uint64
}

func newRegistry(max int) *registry {
	return &registry{max: max, m: make(map[string]entry)}
}

func (r *registry) has(n string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.m[n]
	return ok
}

// carrier is the key n was registered with; 0 when unknown.
func (r *registry) carrier(n string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[n].carrier
}

// add remembers n as registered; a known carrier key is kept when the new
// one is 0.
func (r *registry) add(n string, carrier int) {
	if n == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.m[n]; ok {
		if carrier != 0 {
			e.carrier = carrier
			r.m[n] = e
		}
		return
	}
	for len(r.m) >= r.max && len(r.order) > 0 {
		old := r.order[0]
		r.order = r.order[1:]
		if e, ok := r.m[old.number]; ok && e.gen == old.gen {
			delete(r.m, old.number)
		}
	}
	r.gen++
	r.m[n] = entry{carrier: carrier, gen: r.gen}
	r.order = append(r.order, slot{number: n, gen: r.gen})
	if len(r.order) > 2*r.max { // drop stale slots left by forget
		live := r.order[:0]
		for _, s := range r.order {
			if e, ok := r.m[s.number]; ok && e.gen == s.gen {
				live = append(live, s)
			}
		}
		r.order = live
	}
}

// forget drops n, so that it is registered again.
func (r *registry) forget(n string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, n)
}

func (r *registry) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.m)
}
