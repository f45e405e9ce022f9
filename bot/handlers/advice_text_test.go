package handlers

import (
	"strings"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// TestAdviceTextForEverySituation renders the advice for each situation of
// the troubleshooting table (not scanned, stalled mid-way, handed over,
// nobody home, waiting at a pickup point, lost with protection running
// out, delivered) in Japanese, English and Thai.
func TestAdviceTextForEverySituation(t *testing.T) {
	now := time.Date(2026, 6, 10, 3, 0, 0, 0, time.UTC) // no peak season
	day := 24 * time.Hour
	ev := func(ago time.Duration, s tracker.Stage) tracker.Event {
		return tracker.Event{Time: now.Add(-ago), Stage: s, Text: s.String()}
	}
	lp := func(since time.Duration, events ...tracker.Event) tracker.Shipment {
		sh := tracker.Shipment{Number: "LP00123456789012", Carrier: tracker.CarrierCainiao, Since: now.Add(-since), Events: events}
		sh.Stage = tracker.StageOf(events)
		if len(events) == 0 {
			sh.Stage = tracker.StageNotFound
		}
		return sh
	}
	handed := lp(12*day, ev(11*day, tracker.StageInfoReceived), ev(2*day, tracker.StageHandedToLastMile))
	handed.Linked, handed.LastMile = []string{"123456789013"}, tracker.CarrierJapanPost
	home := lp(12*day, ev(11*day, tracker.StageInfoReceived), ev(3*day, tracker.StageHandedToLastMile), ev(5*time.Hour, tracker.StageAttemptedDelivery))
	home.LastMile = tracker.CarrierJapanPost
	tests := []struct {
		name       string
		sh         tracker.Shipment
		protection time.Time
		verdict    tracker.Verdict
		step       tracker.Step
	}{
		{"not scanned right after shipping", lp(1 * day), time.Time{}, tracker.VerdictNotYetScanned, tracker.StepWaitUntil},
		{"stalled mid-way", lp(20*day, ev(19*day, tracker.StageInfoReceived), ev(12*day, tracker.StageInTransit)), time.Time{}, "", ""},
		{"handed over", handed, time.Time{}, tracker.VerdictHandedOver, ""},
		{"nobody home", home, time.Time{}, tracker.VerdictNeedsAction, tracker.StepRequestRedelivery},
		{"lost, protection ending", lp(45*day, ev(44*day, tracker.StageInfoReceived), ev(40*day, tracker.StageInTransit)), now.Add(4 * day), tracker.VerdictLikelyLost, tracker.StepOpenDispute},
		{"delivered", lp(9*day, ev(8*day, tracker.StageInfoReceived), ev(1*day, tracker.StageDelivered)), time.Time{}, tracker.VerdictDelivered, tracker.StepNone},
	}
	for _, tt := range tests {
		a := tracker.Advise(tt.sh, now, tracker.DefaultDurations(), tt.protection)
		if tt.verdict != "" && a.Verdict != tt.verdict {
			t.Errorf("%s: verdict %s, want %s", tt.name, a.Verdict, tt.verdict)
		}
		if tt.step != "" && a.Next != tt.step {
			t.Errorf("%s: step %s, want %s", tt.name, a.Next, tt.step)
		}
		for _, lang := range i18n.Langs() {
			p := i18n.For(lang)
			c := &bot.Context{P: p, Now: now, Chat: store.Chat{Lang: lang, TimeZone: i18n.DefaultZone(lang)}}
			text := adviceText(c, a)
			if !strings.Contains(text, p.T("advice.verdict."+string(a.Verdict))) {
				t.Errorf("%s/%s: %q lacks the verdict", tt.name, lang, text)
			}
			if !strings.Contains(text, "👉 ") || strings.Contains(text, "advice.") || strings.Contains(text, "%!") {
				t.Errorf("%s/%s: %q has no step, or a raw key or verb", tt.name, lang, text)
			}
			if a.RedeliveryURL != "" && !strings.Contains(text, a.RedeliveryURL) {
				t.Errorf("%s/%s: %q lacks the redelivery page", tt.name, lang, text)
			}
			if !a.DisputeBy.IsZero() && !strings.Contains(text, p.Date(a.DisputeBy, now, c.Location())) {
				t.Errorf("%s/%s: %q lacks the dispute date", tt.name, lang, text)
			}
		}
	}
}
