package handlers

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// DeliveredStore gives the delivered timelines durations are measured on.
type DeliveredStore interface {
	Delivered(ctx context.Context, max int) ([]tracker.Shipment, error)
}

// MeasuredDurations are typical durations measured from the store's
// delivered shipments: a route with enough of them uses its own
// percentiles, the others the defaults. The measure is refreshed at most
// every Every (default an hour) and is safe for concurrent use.
type MeasuredDurations struct {
	Store  DeliveredStore
	Every  time.Duration
	Logger *slog.Logger

	mu  sync.Mutex
	at  time.Time
	cur tracker.Durations
}

func (m *MeasuredDurations) current() tracker.Durations {
	m.mu.Lock()
	defer m.mu.Unlock()
	every := m.Every
	if every <= 0 {
		every = time.Hour
	}
	if m.cur != nil && time.Since(m.at) < every {
		return m.cur
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	delivered, err := m.Store.Delivered(ctx, store.MaxDelivered)
	if err != nil {
		if m.Logger != nil {
			m.Logger.Warn("Could not read delivered timelines; typical durations stay as they were.", slog.Any("error", err))
		}
		if m.cur == nil {
			return tracker.DefaultDurations()
		}
		return m.cur
	}
	m.cur, m.at = tracker.Measure(delivered, 0), time.Now()
	return m.cur
}

// Stage implements tracker.Durations.
func (m *MeasuredDurations) Stage(r tracker.Route, s tracker.Stage) (tracker.DurationRange, bool) {
	return m.current().Stage(r, s)
}

// Total implements tracker.Durations.
func (m *MeasuredDurations) Total(r tracker.Route) (tracker.DurationRange, bool) {
	return m.current().Total(r)
}
