package seventeentrack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/todoku/todoku/tracker"
)

// Webhook event names.
const (
	eventUpdated = "TRACKING_UPDATED"
	eventStopped = "TRACKING_STOPPED"
)

// 17TRACK error codes Todoku acts on (per item in data.rejected, or for a
// whole call in the top-level code).
const (
	codeIPNotAllowed      = -18010001
	codeInvalidKey        = -18010002
	codeInternal          = -18010003
	codeAccountDisabled   = -18010004
	codeUnauthorized      = -18010005
	codeAlreadyRegistered = -18019901
	codeNotRegistered     = -18019902
	codeRetrackStopped    = -18019904 // only stopped numbers can be retracked
	codeStopTracked       = -18019906 // only numbers being tracked can be stopped
	codeDailyLimit        = -18019907
	codeQuotaExhausted    = -18019908
)

// codeText explains the codes whose 17TRACK message Todoku does not repeat.
var codeText = map[int]string{
	codeIPNotAllowed:    "this server's IP address is not on the account's whitelist",
	codeInvalidKey:      "the API key is not valid",
	codeInternal:        "17TRACK had an internal error",
	codeAccountDisabled: "the account is disabled",
	codeUnauthorized:    "the account may not use this API",
	codeDailyLimit:      "the account's daily registration limit is used up",
	codeQuotaExhausted:  "the account's tracking quota is used up",
}

// codeKind classifies a 17TRACK error code as a failure kind.
func codeKind(code int) string {
	switch code {
	case codeIPNotAllowed, codeInvalidKey, codeAccountDisabled, codeUnauthorized, codeDailyLimit, codeQuotaExhausted:
		return tracker.ErrKindQuota
	case codeInternal:
		return tracker.ErrKindUnavailable
	case 429:
		return tracker.ErrKindRateLimited
	}
	return tracker.ErrKindNotFound
}

// apiError is one error 17TRACK reports.
type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// rejection is one item of data.rejected.
type rejection struct {
	Number  string   `json:"number"`
	Carrier flexInt  `json:"carrier"`
	Error   apiError `json:"error"`
}

// batch is the data of an answer to a call carrying numbers.
type batch[T any] struct {
	Accepted []T         `json:"accepted"`
	Rejected []rejection `json:"rejected"`
}

// trackItem is one number's data in a gettrackinfo answer or a webhook.
type trackItem struct {
	Number    string     `json:"number"`
	Carrier   flexInt    `json:"carrier"`
	TrackInfo *trackInfo `json:"track_info"`
}

type trackInfo struct {
	ShippingInfo struct {
		ShipperAddress struct {
			Country string `json:"country"`
		} `json:"shipper_address"`
		RecipientAddress struct {
			Country string `json:"country"`
		} `json:"recipient_address"`
	} `json:"shipping_info"`
	LatestStatus struct {
		Status    string `json:"status"`
		SubStatus string `json:"sub_status"`
	} `json:"latest_status"`
	TimeMetrics struct {
		EstimatedDeliveryDate struct {
			From string `json:"from"`
			To   string `json:"to"`
		} `json:"estimated_delivery_date"`
	} `json:"time_metrics"`
	MiscInfo struct {
		LocalNumber   string  `json:"local_number"`
		LocalProvider string  `json:"local_provider"`
		LocalKey      flexInt `json:"local_key"`
	} `json:"misc_info"`
	Tracking struct {
		Providers []struct {
			Provider struct {
				Key  flexInt `json:"key"`
				Name string  `json:"name"`
			} `json:"provider"`
			Events []wireEvent `json:"events"`
		} `json:"providers"`
	} `json:"tracking"`
}

type wireEvent struct {
	TimeISO string `json:"time_iso"`
	TimeUTC string `json:"time_utc"`
	TimeRaw *struct {
		Date     string `json:"date"`
		Time     string `json:"time"`
		Timezone string `json:"timezone"`
	} `json:"time_raw"`
	Description string `json:"description"`
	Location    string `json:"location"`
	Stage       string `json:"stage"`
	SubStatus   string `json:"sub_status"`
	Address     struct {
		Country string `json:"country"`
		State   string `json:"state"`
		City    string `json:"city"`
	} `json:"address"`
}

// flexInt reads a JSON number, a number in a string, or null (as 0).
type flexInt int

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n != int64(int(n)) {
		*f = 0 // an odd key is no reason to drop the tracking data
		return nil
	}
	*f = flexInt(n)
	return nil
}

// Parse reads a gettrackinfo answer or a webhook body (TRACKING_UPDATED or
// TRACKING_STOPPED) and returns one result per number it holds: numbers
// 17TRACK rejected, and numbers without events yet, carry an error kind. A
// TRACKING_STOPPED body holds no results. Parse is pure; since is accepted
// for symmetry with other sources and is not needed, as 17TRACK's times
// carry full dates and zones.
func Parse(body []byte, since time.Time) ([]tracker.Result, error) {
	return parse(body, since, nil)
}

// parse is Parse reporting every status word it does not know to unknown.
func parse(body []byte, _ time.Time, unknown func(code string)) ([]tracker.Result, error) {
	var env struct {
		Code  *int            `json:"code"`
		Event string          `json:"event"`
		Data  json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("seventeentrack: unable to read the body: %w", err)
	}
	switch {
	case env.Event == eventUpdated:
		var it trackItem
		if err := json.Unmarshal(env.Data, &it); err != nil {
			return nil, fmt.Errorf("seventeentrack: unable to read the webhook data: %w", err)
		}
		if it.Number == "" {
			return nil, errors.New("seventeentrack: the webhook data has no number")
		}
		return []tracker.Result{toResult(it, unknown)}, nil
	case env.Event == eventStopped:
		return nil, nil
	case env.Event != "":
		return nil, fmt.Errorf("seventeentrack: unknown webhook event %q", env.Event)
	case env.Code == nil:
		return nil, errors.New("seventeentrack: neither a gettrackinfo answer nor a webhook body")
	case *env.Code != 0:
		return nil, fmt.Errorf("seventeentrack: the answer carries error code %d", *env.Code)
	}
	var data batch[trackItem]
	if err := json.Unmarshal(env.Data, &data); err != nil {
		return nil, fmt.Errorf("seventeentrack: unable to read the answer's data: %w", err)
	}
	out := make([]tracker.Result, 0, len(data.Accepted)+len(data.Rejected))
	for _, it := range data.Accepted {
		if it.Number == "" {
			continue
		}
		out = append(out, toResult(it, unknown))
	}
	for _, rj := range data.Rejected {
		if rj.Number == "" {
			continue
		}
		out = append(out, tracker.Result{
			Number: tracker.Canonical(rj.Number),
			Source: Name,
			Error:  codeKind(rj.Error.Code),
		})
	}
	return out, nil
}

// toResult normalises one number's tracking data.
func toResult(it trackItem, unknown func(code string)) tracker.Result {
	r := tracker.Result{Number: tracker.Canonical(it.Number), Source: Name}
	ti := it.TrackInfo
	if ti == nil {
		r.Error = tracker.ErrKindNotFound
		return r
	}
	r.Carrier = carrierName(int(it.Carrier), ti)
	if ln := tracker.Canonical(ti.MiscInfo.LocalNumber); ln != "" && ln != r.Number {
		r.Linked = []string{ln}
		r.LastMile = carrierIDs[int(ti.MiscInfo.LocalKey)]
	}
	eta := ti.TimeMetrics.EstimatedDeliveryDate
	for _, s := range []string{eta.To, eta.From} {
		if t, ok := parseTime(s); ok {
			r.ETA = t
			break
		}
	}

	type raw struct {
		ev      tracker.Event
		own     bool   // the event names its own stage
		country string // where it happened, when 17TRACK says
	}
	var evs []raw
	for _, p := range ti.Tracking.Providers {
		for _, we := range p.Events {
			t, ok := eventTime(we)
			if !ok {
				continue
			}
			e := tracker.Event{
				Time:     t,
				Location: location(we),
				Text:     strings.TrimSpace(we.Description),
				Code:     firstNonEmpty(we.SubStatus, we.Stage),
				Source:   Name,
			}
			st, known := lookupStage(we.Stage, we.SubStatus)
			if !known && unknown != nil {
				unknown(e.Code)
			}
			e.Stage = st
			evs = append(evs, raw{ev: e, own: st != tracker.StageUnknown, country: strings.ToUpper(strings.TrimSpace(we.Address.Country))})
		}
	}
	if len(evs) == 0 {
		r.Error = tracker.ErrKindNotFound
		return r
	}
	slices.SortStableFunc(evs, func(a, b raw) int { return a.ev.Time.Compare(b.ev.Time) })

	// Events without a stage are scans on the way, except the newest: the
	// latest status describes where that one left the parcel.
	latest, known := lookupStage(ti.LatestStatus.Status, ti.LatestStatus.SubStatus)
	if !known && unknown != nil {
		unknown(firstNonEmpty(ti.LatestStatus.SubStatus, ti.LatestStatus.Status))
	}
	origin := strings.ToUpper(strings.TrimSpace(ti.ShippingInfo.ShipperAddress.Country))
	dest := strings.ToUpper(strings.TrimSpace(ti.ShippingInfo.RecipientAddress.Country))
	for i := range evs {
		e := &evs[i].ev
		if !evs[i].own {
			e.Stage = tracker.StageInTransit
			if i == len(evs)-1 && latest != tracker.StageUnknown && latest != tracker.StageNotFound {
				e.Stage = latest
			}
		}
		// 17TRACK names export and import customs alike; the event's
		// country tells them apart when origin and destination differ.
		if e.Stage == tracker.StageImportCustoms && origin != "" && origin != dest && evs[i].country == origin {
			e.Stage = tracker.StageExportCustoms
		}
	}
	r.Events = make([]tracker.Event, len(evs))
	for i, e := range evs {
		r.Events[i] = e.ev
	}
	return r
}

// carrierName names the carrier of a number: its Todoku carrier ID when
// Todoku knows the 17TRACK key, else 17TRACK's provider name.
func carrierName(key int, ti *trackInfo) string {
	if id, ok := carrierIDs[key]; ok {
		return id
	}
	name := ""
	for _, p := range ti.Tracking.Providers {
		if int(p.Provider.Key) == key && p.Provider.Name != "" {
			return strings.TrimSpace(p.Provider.Name)
		}
		if name == "" {
			name = strings.TrimSpace(p.Provider.Name)
		}
	}
	return name
}

// eventTime is the event's time in the carrier's zone when 17TRACK gives
// it, else in UTC.
func eventTime(e wireEvent) (time.Time, bool) {
	for _, s := range []string{e.TimeISO, e.TimeUTC} {
		if t, ok := parseTime(s); ok {
			return t, true
		}
	}
	if e.TimeRaw != nil && e.TimeRaw.Date != "" {
		s := e.TimeRaw.Date
		if e.TimeRaw.Time != "" {
			s += "T" + e.TimeRaw.Time
		}
		if tz := strings.TrimSpace(e.TimeRaw.Timezone); tz != "" {
			if t, ok := parseTime(s + tz); ok {
				return t, true
			}
		}
		return parseTime(s)
	}
	return time.Time{}, false
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseTime reads the time formats 17TRACK uses; times without a zone are
// taken as UTC.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 1990 || t.Year() > 2200 {
				return time.Time{}, false
			}
			return t, true
		}
	}
	return time.Time{}, false
}

// location is the event's location, or its address when it has none.
func location(e wireEvent) string {
	if l := strings.TrimSpace(e.Location); l != "" {
		return l
	}
	var parts []string
	for _, p := range []string{e.Address.City, e.Address.State, e.Address.Country} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
