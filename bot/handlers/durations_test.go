package handlers

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/todoku/todoku/tracker"
)

type deliveredFunc func(ctx context.Context, max int) ([]tracker.Shipment, error)

func (f deliveredFunc) Delivered(ctx context.Context, max int) ([]tracker.Shipment, error) {
	return f(ctx, max)
}

func TestMeasuredDurationsReplaceDefaults(t *testing.T) {
	route := tracker.Route{Origin: "CN", Dest: "JP", Service: "aliexpress_standard"}
	def, ok := tracker.DefaultDurations().Total(route)
	if !ok {
		t.Fatalf("no default total for %+v", route)
	}
	// Forty parcels that each took exactly six days door to door.
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	var delivered []tracker.Shipment
	for i := range 40 {
		since := start.Add(time.Duration(i) * time.Hour)
		delivered = append(delivered, tracker.Shipment{
			Number: fmt.Sprintf("LP%014d", i), Carrier: tracker.CarrierCainiao, LastMile: tracker.CarrierJapanPost, Since: since, Stage: tracker.StageDelivered,
			Events: []tracker.Event{{Time: since, Stage: tracker.StageInfoReceived}, {Time: since.Add(6 * 24 * time.Hour), Stage: tracker.StageDelivered}},
		})
	}
	calls := 0
	m := &MeasuredDurations{Store: deliveredFunc(func(context.Context, int) ([]tracker.Shipment, error) {
		calls++
		return delivered, nil
	})}
	if got := tracker.RouteOf(delivered[0]); got != route {
		t.Fatalf("route of a Cainiao parcel to Japan Post is %+v; the test assumes %+v", got, route)
	}
	got, ok := m.Total(route)
	if !ok || got.P50 != 6*24*time.Hour || got == def {
		t.Errorf("measured total %+v (ok %v); want 6 days, not the default %+v", got, ok, def)
	}
	m.Total(route)
	if calls != 1 {
		t.Errorf("read the store %d times within an hour", calls)
	}

	failing := &MeasuredDurations{Store: deliveredFunc(func(context.Context, int) ([]tracker.Shipment, error) {
		return nil, errors.New("store down")
	})}
	if got, ok := failing.Total(route); !ok || got != def {
		t.Errorf("with the store down: %+v, want the defaults %+v", got, def)
	}
}
