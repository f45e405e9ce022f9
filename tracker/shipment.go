package tracker

import (
	"slices"
	"strings"
	"time"
)

// Event is one scan or status line reported by a source.
type Event struct {
	Time     time.Time `json:"time"`
	Location string    `json:"location,omitempty"`
	Text     string    `json:"text"`           // raw description as the source gave it
	Code     string    `json:"code,omitempty"` // raw status code, kept for mapping audits
	Stage    Stage     `json:"stage"`
	Source   string    `json:"source"`
}

// Key identifies an event across fetches: the same scan reported twice has the
// same key. It is also part of notification idempotency keys.
func (e Event) Key() string {
	var b strings.Builder
	b.Grow(len(time.RFC3339) + 8 + len(e.Code) + len(e.Text)) // one allocation
	b.WriteString(e.Time.UTC().Format(time.RFC3339))
	b.WriteByte('|')
	b.WriteString(e.Code)
	b.WriteByte('|')
	b.WriteString(e.Text)
	return b.String()
}

// Shipment is the latest known state of one tracking number.
type Shipment struct {
	Number    string    `json:"number"`
	Carrier   string    `json:"carrier,omitempty"`
	Source    string    `json:"source,omitempty"`
	Events    []Event   `json:"events,omitempty"` // merged, de-duplicated, oldest first
	Stage     Stage     `json:"stage"`
	Linked    []string  `json:"linked,omitempty"`    // last-mile numbers after a handover
	LastMile  string    `json:"last_mile,omitempty"` // carrier ID of the last-mile carrier
	ETA       time.Time `json:"eta,omitzero"`
	Since     time.Time `json:"since"` // when Todoku began following it
	CheckedAt time.Time `json:"checked_at,omitzero"`
	Error     string    `json:"error,omitempty"` // last fetch failure, as a stable kind
	// FailingSince is when fetches began to fail without a success since.
	FailingSince time.Time `json:"failing_since,omitzero"`
	Sandbox      bool      `json:"sandbox,omitempty"`
}

// Latest returns the newest event, if any.
func (s Shipment) Latest() (Event, bool) {
	if len(s.Events) == 0 {
		return Event{}, false
	}
	return s.Events[len(s.Events)-1], true
}

// MergeEvents returns old and fresh merged, de-duplicated by Key and sorted
// oldest first. Neither input is modified.
func MergeEvents(old, fresh []Event) []Event {
	seen := make(map[string]bool, len(old)+len(fresh))
	out := make([]Event, 0, len(old)+len(fresh))
	for _, list := range [][]Event{old, fresh} {
		for _, e := range list {
			k := e.Key()
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b Event) int { return a.Time.Compare(b.Time) })
	return out
}

// StageOf returns the stage the newest event puts the shipment in, or
// StageNotFound when there are none.
func StageOf(events []Event) Stage {
	if len(events) == 0 {
		return StageNotFound
	}
	return events[len(events)-1].Stage
}

// Change is what a fetch added to a shipment.
type Change struct {
	NewEvents []Event `json:"new_events,omitempty"`
	From      Stage   `json:"from"`
	To        Stage   `json:"to"`
}

// StageChanged reports whether the shipment moved to another stage.
func (c Change) StageChanged() bool { return c.From != c.To }

// Empty reports whether nothing new happened.
func (c Change) Empty() bool { return len(c.NewEvents) == 0 && !c.StageChanged() }

// Diff compares the stored snapshot with a freshly merged one and says which
// events and which stage are new.
func Diff(old, fresh Shipment) Change {
	known := make(map[string]bool, len(old.Events))
	for _, e := range old.Events {
		known[e.Key()] = true
	}
	var added []Event
	for _, e := range fresh.Events {
		if !known[e.Key()] {
			added = append(added, e)
		}
	}
	return Change{NewEvents: added, From: old.Stage, To: fresh.Stage}
}

// Apply merges a source's result into the snapshot and returns the new
// snapshot and what changed.
func Apply(old Shipment, r Result, now time.Time) (Shipment, Change) {
	next := old
	next.CheckedAt = now
	next.Error = r.Error
	if r.Error != "" {
		if r.Error != ErrKindNotFound && next.FailingSince.IsZero() {
			next.FailingSince = now
		}
		return next, Change{From: old.Stage, To: old.Stage}
	}
	next.FailingSince = time.Time{}
	next.Events = MergeEvents(old.Events, r.Events)
	next.Stage = StageOf(next.Events)
	if r.Carrier != "" {
		next.Carrier = r.Carrier
	}
	if r.Source != "" {
		next.Source = r.Source
	}
	if r.LastMile != "" {
		next.LastMile = r.LastMile
	}
	if !r.ETA.IsZero() {
		next.ETA = r.ETA
	}
	for _, n := range r.Linked {
		if !slices.Contains(next.Linked, n) {
			next.Linked = append(next.Linked, n)
		}
	}
	return next, Diff(old, next)
}

// LastMileStage is the stage an event of the last-mile carrier stands for in
// the whole journey. The domestic carrier starts its own story with
// "accepted" or "in transit" scans, which for the buyer all mean the parcel
// is with the local carrier; later stages keep their meaning.
func LastMileStage(s Stage) Stage {
	step, _ := s.Progress()
	hand, _ := StageHandedToLastMile.Progress()
	if s == StageNotFound || s == StageUnknown || (step < hand && !s.Problem()) {
		return StageHandedToLastMile
	}
	return s
}

// MergeLinked folds the result of a last-mile number into the result of the
// shipment it continues: its events join with last-mile stages, so the
// shipment tells one story. A failed or empty linked result changes nothing.
func MergeLinked(parent *Result, linked Result) {
	if linked.Error != "" || len(linked.Events) == 0 {
		return
	}
	for _, e := range linked.Events {
		e.Stage = LastMileStage(e.Stage)
		if e.Source == "" {
			e.Source = linked.Source
		}
		parent.Events = append(parent.Events, e)
	}
	if parent.Error != "" {
		// The international source failed, but the story goes on here.
		parent.Error = ""
	}
	if parent.ETA.IsZero() {
		parent.ETA = linked.ETA
	}
}
