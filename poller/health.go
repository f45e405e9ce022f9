package poller

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// SourceHealth is what the poller knows of one source's recent answers.
type SourceHealth struct {
	Source       string    `json:"source"`
	OK           bool      `json:"ok"`
	LastSuccess  time.Time `json:"last_success,omitzero"`
	FailingSince time.Time `json:"failing_since,omitzero"`
	Failures     int       `json:"consecutive_failures"`
	LastError    string    `json:"last_error,omitempty"` // a failure kind, never a raw message
	BlockedUntil time.Time `json:"blocked_until,omitzero"`
}

// health tracks every source's state and holds back a failing source:
// after a failure nothing is sent to it until the wait it asked for, or an
// exponential back-off, has passed.
type health struct {
	mu      sync.Mutex
	sources map[string]*SourceHealth
}

// Back-off after consecutive failures: 1, 2, 4 … minutes, at most 30.
const (
	backoffBase = time.Minute
	backoffMax  = 30 * time.Minute
)

func (h *health) get(name string) *SourceHealth {
	if h.sources == nil {
		h.sources = map[string]*SourceHealth{}
	}
	s, ok := h.sources[name]
	if !ok {
		s = &SourceHealth{Source: name, OK: true}
		h.sources[name] = s
	}
	return s
}

// blocked reports until when a source is held back, and why.
func (h *health) blocked(name string, now time.Time) (time.Time, string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.get(name)
	if now.Before(s.BlockedUntil) {
		return s.BlockedUntil, s.LastError, true
	}
	return time.Time{}, "", false
}

func (h *health) success(name string, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.get(name)
	*s = SourceHealth{Source: name, OK: true, LastSuccess: now}
}

// failure records a failed fetch and returns until when the source is held
// back.
func (h *health) failure(name, kind string, retryAfter time.Duration, now time.Time) time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.get(name)
	if s.Failures == 0 {
		s.FailingSince = now
	}
	s.Failures++
	s.OK = false
	s.LastError = kind
	wait := backoffBase << min(s.Failures-1, 10)
	wait = max(min(wait, backoffMax), retryAfter)
	s.BlockedUntil = now.Add(wait)
	return s.BlockedUntil
}

func (h *health) snapshot() []SourceHealth {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]SourceHealth, 0, len(h.sources))
	for _, s := range h.sources {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b SourceHealth) int { return strings.Compare(a.Source, b.Source) })
	return out
}
