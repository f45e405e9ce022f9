package store_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/store/storetest"
	"github.com/todoku/todoku/tracker"
)

// viaJSON is what a JSON round trip, the format before this codec, makes
// of sh: decoding must give exactly the same values.
func viaJSON(t *testing.T, sh tracker.Shipment) tracker.Shipment {
	t.Helper()
	raw, err := json.Marshal(sh)
	if err != nil {
		t.Fatal(err)
	}
	var out tracker.Shipment
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestShipmentCodec(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 5, 0, 0, 0, time.UTC)
	tokyo := time.FixedZone("JST", 9*3600)
	tests := []struct {
		name string
		sh   tracker.Shipment
	}{
		{"empty", tracker.Shipment{}},
		{"stub", tracker.Shipment{Number: "LP00123456789012", Stage: tracker.StageNotFound, Since: t0}},
		{"full", tracker.Shipment{
			Number: "LP00123456789012", Carrier: "cainiao", Source: "cainiao", Stage: tracker.StageHandedToLastMile,
			Linked: []string{"123456789012", "JP123"}, LastMile: "japanpost",
			ETA: t0.Add(72 * time.Hour).In(tokyo), Since: t0.Add(-240 * time.Hour), CheckedAt: t0.Add(1500 * time.Millisecond),
			Error: tracker.ErrKindUnavailable, FailingSince: t0.Add(-time.Hour).In(time.Local), Sandbox: true,
			Events: []tracker.Event{
				{Time: t0.Add(-200 * time.Hour).In(time.FixedZone("", 8*3600)), Location: "深圳市", Text: "【深圳转运中心】已发出", Code: "SC_OUTBOUND_SUCCESS", Stage: tracker.StageAtSortingCenter, Source: "cainiao"},
				{Time: t0.Add(-100*time.Hour - 123*time.Nanosecond), Text: "Arrived", Stage: tracker.StageInTransit},
				{Time: t0.Add(-300 * time.Hour).In(tokyo), Text: "out of order", Stage: tracker.StageUnknown, Source: "x"},
				{Time: t0.In(time.Local), Location: "Setagaya", Text: "引受", Code: "10", Stage: tracker.StageHandedToLastMile, Source: "japanpost"},
			},
		}},
		{"realistic", storetest.Realistic("LP00123456789012", 20, t0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := store.EncodeShipment(tc.sh)
			got, err := store.DecodeShipment(raw)
			if err != nil {
				t.Fatalf("DecodeShipment: %v", err)
			}
			if want := viaJSON(t, tc.sh); !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip\n got %+v\nwant %+v", got, want)
			}
			st, err := store.ShipmentStage(raw)
			if err != nil || st != tc.sh.Stage {
				t.Errorf("ShipmentStage = %v, %v; want %v", st, err, tc.sh.Stage)
			}

			// Older values are JSON and stay readable.
			old, _ := json.Marshal(tc.sh)
			got, err = store.DecodeShipment(old)
			if err != nil || !reflect.DeepEqual(got, viaJSON(t, tc.sh)) {
				t.Errorf("DecodeShipment(JSON) = %+v, %v", got, err)
			}
			if st, err := store.ShipmentStage(old); err != nil || st != tc.sh.Stage {
				t.Errorf("ShipmentStage(JSON) = %v, %v; want %v", st, err, tc.sh.Stage)
			}

			// Touching rewrites checked-at and nothing else.
			at := t0.Add(48*time.Hour + 7).In(tokyo)
			if !store.TouchShipment(raw, at) {
				t.Fatal("TouchShipment = false on the current format")
			}
			want := tc.sh
			want.CheckedAt = at
			if got, err := store.DecodeShipment(raw); err != nil || !reflect.DeepEqual(got, viaJSON(t, want)) {
				t.Errorf("after TouchShipment = %+v, %v; want %+v", got, err, viaJSON(t, want))
			}
			if store.TouchShipment(old, at) {
				t.Error("TouchShipment = true on JSON")
			}
		})
	}
}

func TestShipmentCodecRejects(t *testing.T) {
	good := store.EncodeShipment(storetest.Realistic("LP00123456789012", 5, time.Now()))
	for name, raw := range map[string][]byte{
		"empty":     nil,
		"unknown":   {0x7f, 1, 2},
		"truncated": good[:len(good)-3],
		"no header": good[:4],
		"bad json":  []byte(`{"number":`),
	} {
		if _, err := store.DecodeShipment(raw); err == nil {
			t.Errorf("DecodeShipment(%s) succeeded", name)
		}
	}
	if _, err := store.DecodeShipment([]byte{0x7f}); !errors.Is(err, store.ErrUnknownFormat) {
		t.Errorf("unknown format error = %v, want ErrUnknownFormat", err)
	}
}

// TestShipmentCodecSize keeps a realistic 20-event timeline small: the
// stored form is what Redis holds per shipment.
func TestShipmentCodecSize(t *testing.T) {
	sh := storetest.Realistic("LP00123456789012", 20, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	if len(sh.Events) != 20 {
		t.Fatalf("Realistic gave %d events, want 20", len(sh.Events))
	}
	js, _ := json.Marshal(sh)
	raw := store.EncodeShipment(sh)
	t.Logf("20 events: JSON %d bytes, encoded %d bytes", len(js), len(raw))
	if len(raw) > 1100 {
		t.Errorf("encoded %d bytes, want at most 1100 (JSON: %d)", len(raw), len(js))
	}
}

func BenchmarkEncodeShipment(b *testing.B) {
	sh := storetest.Realistic("LP00123456789012", 20, time.Now())
	for b.Loop() {
		store.EncodeShipment(sh)
	}
}

func BenchmarkDecodeShipment(b *testing.B) {
	raw := store.EncodeShipment(storetest.Realistic("LP00123456789012", 20, time.Now()))
	for b.Loop() {
		if _, err := store.DecodeShipment(raw); err != nil {
			b.Fatal(err)
		}
	}
}
