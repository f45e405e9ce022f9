package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/tracker"
)

func TestCardETA(t *testing.T) {
	now := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	p := i18n.For(i18n.Japanese)
	ev := tracker.Event{Time: now.Add(-time.Hour), Text: "Departed", Stage: tracker.StageDepartedOrigin}
	sh := tracker.Shipment{Number: "LP00123456789012", Carrier: tracker.CarrierCainiao, Since: now.Add(-72 * time.Hour),
		Events: []tracker.Event{ev}, Stage: tracker.StageDepartedOrigin}

	c := ShipmentCard(p, sh, "", now, tokyo, nil)
	if c.ETA == "" || strings.Contains(c.ETA, "%!") {
		t.Errorf("an estimate from typical durations is missing: %q", c.ETA)
	}
	sh.ETA = now.Add(5 * 24 * time.Hour)
	if c := ShipmentCard(p, sh, "", now, tokyo, nil); c.ETA != p.T("advice.eta_by", p.Date(sh.ETA, now, tokyo)) {
		t.Errorf("with the carrier's date, ETA = %q", c.ETA)
	}
	sh.Stage = tracker.StageDelivered
	sh.Events = append(sh.Events, tracker.Event{Time: now, Stage: tracker.StageDelivered, Text: "Delivered"})
	if c := ShipmentCard(p, sh, "", now, tokyo, nil); c.ETA != "" {
		t.Errorf("a delivered parcel has an ETA: %q", c.ETA)
	}
	if text := PlainText([]Message{{Card: ShipmentCard(p, tracker.Shipment{Number: "X", Since: now}, "", now, tokyo, nil)}}); strings.Contains(text, "%!") {
		t.Errorf("plain card %q", text)
	}
}

// quick says every stage and route takes an hour.
type quick struct{}

func (quick) Stage(tracker.Route, tracker.Stage) (tracker.DurationRange, bool) {
	return tracker.DurationRange{P50: time.Hour, P90: time.Hour}, true
}
func (quick) Total(tracker.Route) (tracker.DurationRange, bool) {
	return tracker.DurationRange{P50: 10 * time.Hour, P90: 10 * time.Hour}, true
}

func TestCardETAUsesTheGivenDurations(t *testing.T) {
	now := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	p := i18n.For(i18n.English)
	sh := tracker.Shipment{Number: "LP00123456789012", Carrier: tracker.CarrierCainiao, Since: now.Add(-time.Hour), Stage: tracker.StageInTransit,
		Events: []tracker.Event{{Time: now.Add(-time.Hour), Stage: tracker.StageInTransit, Text: "moving"}}}
	def, fast := ShipmentCard(p, sh, "", now, time.UTC, nil).ETA, ShipmentCard(p, sh, "", now, time.UTC, quick{}).ETA
	if fast == "" || fast == def {
		t.Errorf("ETA with hour-long stages %q, with the defaults %q: the durations given were not used", fast, def)
	}
}
