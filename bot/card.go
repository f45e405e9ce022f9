package bot

import (
	"strings"
	"time"

	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/tracker"
)

// StageName is the localized name of a stage; a shipment never checked yet
// reads as not found.
func StageName(p *i18n.Printer, s tracker.Stage) string {
	if s == tracker.StageUnknown {
		s = tracker.StageNotFound
	}
	return p.T("stage." + s.String() + ".name")
}

// CarrierName is the localized name of a carrier ID, or the ID itself when
// the catalog does not know it.
func CarrierName(p *i18n.Printer, id string) string {
	if id == "" {
		id = "unknown"
	}
	if key := "carrier." + id; i18n.Has(key) {
		return p.T(key)
	}
	return id
}

// NewCard renders a shipment at a stage (usually its current one) and with
// its newest event up to that point, in the printer's language and the
// chat's time zone.
func NewCard(p *i18n.Printer, sh tracker.Shipment, stage tracker.Stage, ev *tracker.Event, label string, now time.Time, loc *time.Location, d tracker.Durations) *Card {
	if stage == tracker.StageUnknown {
		stage = tracker.StageNotFound
	}
	step, steps := stage.Progress()
	c := &Card{
		Number:    sh.Number,
		Label:     label,
		Carrier:   CarrierName(p, sh.Carrier),
		Stage:     stage.String(),
		StageName: StageName(p, stage),
		StageHelp: p.T("stage." + stage.String() + ".help"),
		Step:      step,
		Steps:     steps,
	}
	if ev != nil && !ev.Time.IsZero() {
		c.Event = ev.Text
		c.EventTime = p.Time(ev.Time, now, loc)
		c.Location = ev.Location
	}
	if !stage.Final() && stage != tracker.StageReturning {
		c.ETA = ETA(p, sh, now, loc, d)
	}
	var notes []string
	if ev == nil || ev.Time.IsZero() {
		notes = append(notes, p.T("card.no_events"))
	}
	for _, n := range sh.Linked {
		notes = append(notes, p.T("card.linked", DisplayNumber(n)))
	}
	if sh.Sandbox {
		notes = append(notes, p.T("card.sandbox"))
	}
	c.Note = strings.Join(notes, "\n")
	return c
}

// ETA is the localized delivery estimate of a shipment: the carrier's own
// date when it gave one, else the range the typical durations d give (nil:
// the defaults); "" when nothing can be said.
func ETA(p *i18n.Printer, sh tracker.Shipment, now time.Time, loc *time.Location, d tracker.Durations) string {
	if d == nil {
		d = tracker.DefaultDurations()
	}
	r := tracker.Advise(sh, now, d, time.Time{}).ETA
	if !sh.ETA.IsZero() && sh.ETA.After(now) {
		r = tracker.Range{To: sh.ETA}
	}
	switch {
	case r.To.IsZero():
		return ""
	case !r.From.IsZero() && p.Date(r.From, now, loc) != p.Date(r.To, now, loc):
		return p.T("advice.eta", p.Date(r.From, now, loc), p.Date(r.To, now, loc))
	}
	return p.T("advice.eta_by", p.Date(r.To, now, loc))
}

// DisplayNumber writes a number the way its carrier prints it: Japanese
// 12-digit numbers in groups of four ("1234-5678-9013"); others unchanged.
func DisplayNumber(n string) string {
	if len(n) == 12 && strings.Trim(n, "0123456789") == "" {
		return n[:4] + "-" + n[4:8] + "-" + n[8:]
	}
	return n
}

// ShipmentCard renders a shipment's current state.
func ShipmentCard(p *i18n.Printer, sh tracker.Shipment, label string, now time.Time, loc *time.Location, d tracker.Durations) *Card {
	var ev *tracker.Event
	if e, ok := sh.Latest(); ok {
		ev = &e
	}
	return NewCard(p, sh, sh.Stage, ev, label, now, loc, d)
}

// PlainText renders messages for surfaces without rich formatting (the
// console, notification previews): cards become a few lines with a text
// progress bar, buttons a line of their commands.
func PlainText(msgs []Message) string {
	var b strings.Builder
	for i, m := range msgs {
		if i > 0 {
			b.WriteString("\n")
		}
		if m.Text != "" {
			b.WriteString(m.Text)
			b.WriteString("\n")
		}
		if c := m.Card; c != nil {
			title := c.Number
			if c.Label != "" {
				title = c.Label + " · " + c.Number
			}
			b.WriteString("📦 " + title)
			if c.Carrier != "" {
				b.WriteString(" (" + c.Carrier + ")")
			}
			b.WriteString("\n")
			b.WriteString("[" + strings.Repeat("■", c.Step) + strings.Repeat("□", max(c.Steps-c.Step, 0)) + "] " + c.StageName + "\n")
			b.WriteString("   " + c.StageHelp + "\n")
			if c.ETA != "" {
				b.WriteString("   🗓 " + c.ETA + "\n")
			}
			if c.Event != "" {
				line := "   " + c.EventTime + " " + c.Event
				if c.Location != "" {
					line += " — " + c.Location
				}
				b.WriteString(line + "\n")
			}
			if c.Note != "" {
				for _, n := range strings.Split(c.Note, "\n") {
					b.WriteString("   ※ " + n + "\n")
				}
			}
		}
		if len(m.Buttons) > 0 {
			parts := make([]string, len(m.Buttons))
			for j, btn := range m.Buttons {
				parts[j] = "[" + btn.Label + ": /" + btn.Data + "]"
			}
			b.WriteString(strings.Join(parts, " ") + "\n")
		}
	}
	return b.String()
}
