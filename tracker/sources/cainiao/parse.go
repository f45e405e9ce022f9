package cainiao

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/todoku/todoku/tracker"
)

// answer is the envelope of a detail.json answer: one module per number
// asked about.
type answer struct {
	Success   *bool             `json:"success"`
	Module    []json.RawMessage `json:"module"`
	ErrorCode any               `json:"errorCode"`
	ErrorMsg  any               `json:"errorMsg"`
}

// module is what Cainiao knows about one number. Fields Todoku has no use
// for (processInfo, daysNumber, the country names) are not read.
type module struct {
	MailNo       string `json:"mailNo"`
	MailNoSource string `json:"mailNoSource"` // "AE", "EXTERNAL", ...
	// CopyRealMailNo is the last-mile number; RealMailNo is the same for
	// display ("Latest Tracking Number:\tRC000000003EE").
	CopyRealMailNo string   `json:"copyRealMailNo"`
	RealMailNo     string   `json:"realMailNo"`
	DestCpInfo     *cpInfo  `json:"destCpInfo"`
	GlobalEtaInfo  *etaInfo `json:"globalEtaInfo"`
	// EstimatedDeliveryTime is an older ETA field, in epoch milliseconds.
	EstimatedDeliveryTime millis   `json:"estimatedDeliveryTime"`
	LatestTrace           *detail  `json:"latestTrace"`
	DetailList            []detail `json:"detailList"`
}

// cpInfo names the last-mile carrier.
type cpInfo struct {
	CpName string `json:"cpName"`
	CpCode string `json:"cpCode"`
	Code   string `json:"code"`
}

// etaInfo is the delivery window, in epoch milliseconds.
type etaInfo struct {
	DeliveryMinTime millis `json:"deliveryMinTime"`
	DeliveryMaxTime millis `json:"deliveryMaxTime"`
}

// detail is one scan.
type detail struct {
	Time         millis `json:"time"`     // epoch milliseconds
	TimeStr      string `json:"timeStr"`  // "2026-02-06 15:25:17", wall clock in TimeZone
	TimeZone     string `json:"timeZone"` // "GMT+08:00", "GMT+2"
	Desc         string `json:"desc"`     // the carrier's own note
	StanderdDesc string `json:"standerdDesc"`
	ActionCode   string `json:"actionCode"`
	Group        *struct {
		NodeCode string `json:"nodeCode"` // "AE_GROUP_EX_CLEARING_CUSTOMS", ...
	} `json:"group"`
}

// millis is an epoch time in milliseconds, sent as a number or a string of
// digits; zero when absent, null or unreadable.
type millis int64

func (m *millis) UnmarshalJSON(b []byte) error {
	*m = 0
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	if s == "" || s == "null" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	// Year 2000 to 2100: anything else is not a real scan time.
	if f < 946684800000 || f > 4102444800000 {
		return nil
	}
	*m = millis(f)
	return nil
}

func (m millis) time() (time.Time, bool) {
	if m == 0 {
		return time.Time{}, false
	}
	return time.UnixMilli(int64(m)).UTC(), true
}

// APIError is an answer with success false: Cainiao refused the request
// and, sometimes, said why.
type APIError struct {
	Code    string
	Message string
}

func (e *APIError) Error() string {
	msg := "cainiao: the answer says success=false"
	if e.Code != "" {
		msg += " (" + e.Code + ")"
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Parse reads a detail.json answer into one Result per module it holds, in
// the answer's order, keyed by the canonical mailNo; a number repeated in
// the answer is reported once. It is pure.
//
// A module with no scans is the not_found error kind: Cainiao answers
// unknown and not-yet-scanned numbers that way. A module whose scans cannot
// be read (a scan without a usable time, fields of the wrong type) gets the
// bad_response error kind and no events, so that nothing half-read reaches
// the shipment. An answer that is not JSON, has no module list, or says
// success=false (an *APIError) is an error.
//
// Events carry the actionCode as Code, Cainiao's standard description (or
// the carrier's note when the standard one says nothing) as Text, the place
// Cainiao puts in brackets ("[Xiaoshan District] Departed from sorting
// center") as Location, and the scan time: timeStr in the zone timeZone
// names (see detail.when for why not the epoch time). A vague scan (see
// Stage) keeps the stage the parcel had already reached beyond in_transit
// (other than exception), so a "carrier update" after the arrival does not
// send it back. The last-mile number (copyRealMailNo, else the number
// inside realMailNo) goes to Linked when it differs from the number, the
// last-mile carrier (destCpInfo) to LastMile when Todoku knows it, and the
// end of the estimated delivery window (globalEtaInfo) to ETA while the
// parcel is not delivered. Carrier is left empty: the carrier of the number
// itself is what Detect said.
//
// since is not needed: every time Cainiao sends carries its date.
func Parse(body []byte, since time.Time) ([]tracker.Result, error) {
	_ = since
	var a answer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("cainiao: unable to decode the answer: %w", err)
	}
	if a.Success == nil {
		return nil, errors.New("cainiao: the answer has no success flag")
	}
	if !*a.Success {
		return nil, &APIError{Code: asString(a.ErrorCode), Message: asString(a.ErrorMsg)}
	}
	if a.Module == nil {
		return nil, errors.New("cainiao: the answer has no module list")
	}
	out := make([]tracker.Result, 0, len(a.Module))
	seen := make(map[string]bool, len(a.Module))
	for i, raw := range a.Module {
		r, err := parseModule(raw)
		if err != nil {
			return nil, fmt.Errorf("cainiao: module %d: %w", i, err)
		}
		if seen[r.Number] {
			continue
		}
		seen[r.Number] = true
		out = append(out, r)
	}
	return out, nil
}

// parseModule reads one module. It fails only when the module does not even
// say which number it is about.
func parseModule(raw json.RawMessage) (tracker.Result, error) {
	var m module
	if err := json.Unmarshal(raw, &m); err != nil {
		// Say which number could not be read, when that much is readable.
		var id struct {
			MailNo string `json:"mailNo"`
		}
		if json.Unmarshal(raw, &id) != nil || canonical(id.MailNo) == "" {
			return tracker.Result{}, fmt.Errorf("unreadable module: %w", err)
		}
		return tracker.Result{Number: canonical(id.MailNo), Source: Name, Error: tracker.ErrKindBadResponse}, nil
	}
	number := canonical(m.MailNo)
	if number == "" {
		return tracker.Result{}, errors.New("module without a mailNo")
	}
	r := tracker.Result{Number: number, Source: Name}
	scans := m.DetailList
	if len(scans) == 0 && m.LatestTrace != nil && (m.LatestTrace.ActionCode != "" || m.LatestTrace.Time != 0) {
		scans = []detail{*m.LatestTrace}
	}
	if len(scans) == 0 {
		r.Error = tracker.ErrKindNotFound
		return r, nil
	}
	events, ok := parseEvents(scans)
	if !ok {
		r.Error = tracker.ErrKindBadResponse
		return r, nil
	}
	r.Events = events
	if n := lastMileNumber(m); n != "" && n != number {
		r.Linked = []string{n}
	}
	if m.DestCpInfo != nil {
		r.LastMile = carrierID(m.DestCpInfo.CpName, m.DestCpInfo.CpCode, m.DestCpInfo.Code)
	}
	if !tracker.StageOf(events).Final() {
		r.ETA = eta(m)
	}
	return r, nil
}

// parseEvents turns scans into events, oldest first, or reports false when
// a scan has no usable time.
func parseEvents(scans []detail) ([]tracker.Event, bool) {
	type scan struct {
		tracker.Event
		vague bool
	}
	list := make([]scan, 0, len(scans))
	for _, d := range scans {
		at, ok := d.when()
		if !ok {
			return nil, false
		}
		stage, vague := classify(d.ActionCode, d.Desc+" "+d.StanderdDesc)
		stage = bySide(stage, d)
		place, text := describe(d)
		list = append(list, scan{Event: tracker.Event{
			Time:     at,
			Location: place,
			Text:     text,
			Code:     strings.TrimSpace(d.ActionCode),
			Stage:    stage,
			Source:   Name,
		}, vague: vague})
	}
	// Cainiao lists the newest scan first. Turned oldest first before the
	// stable sort, scans with the same time stay in the order they happened.
	if len(list) > 1 && !list[0].Time.Before(list[len(list)-1].Time) {
		slices.Reverse(list)
	}
	slices.SortStableFunc(list, func(a, b scan) int { return a.Time.Compare(b.Time) })
	events := make([]tracker.Event, len(list))
	reached := tracker.StageUnknown
	for i, s := range list {
		if s.vague && reached > tracker.StageInTransit && reached != tracker.StageException {
			s.Stage = reached
		}
		if !s.vague {
			reached = s.Stage
		}
		events[i] = s.Event
	}
	return events, true
}

// customsGroups tells which side of the border a customs handover scan is
// on, from the group Cainiao files it under.
var customsGroups = map[string]tracker.Stage{
	"AE_GROUP_EX_CLEARING_CUSTOMS": tracker.StageExportCustoms,
	"AE_GROUP_IM_CLEARING_CUSTOMS": tracker.StageImportCustoms,
}

// bySide corrects the stage of a customs handover scan (CC_HO_*), whose
// code does not say whether it is export or import customs, from its group.
func bySide(s tracker.Stage, d detail) tracker.Stage {
	if s != tracker.StageImportCustoms || d.Group == nil || !strings.HasPrefix(normalizeCode(d.ActionCode), "CC_HO_") {
		return s
	}
	if side, ok := customsGroups[d.Group.NodeCode]; ok {
		return side
	}
	return s
}

// placeholders are standard descriptions that say nothing about the scan;
// the carrier's note is shown instead.
var placeholders = map[string]bool{
	"":                    true,
	"carrier update":      true,
	"shipment on the way": true,
}

// describe returns the place and the text of a scan. Cainiao puts the place
// first, in brackets, in its standard description.
func describe(d detail) (place, text string) {
	std := strings.TrimSpace(d.StanderdDesc)
	if strings.HasPrefix(std, "[") {
		if end := strings.Index(std, "]"); end > 0 {
			place = strings.TrimSpace(std[1:end])
			std = strings.TrimSpace(std[end+1:])
		}
	}
	text = std
	if note := strings.TrimSpace(d.Desc); note != "" && placeholders[strings.ToLower(std)] {
		text = note
	}
	if text == "" {
		text = strings.TrimSpace(d.ActionCode)
	}
	return place, text
}

// chinaTime is the zone assumed for a wall-clock time that comes with no
// zone: Cainiao's own.
var chinaTime = time.FixedZone("+08:00", 8*3600)

// when returns the scan time in the scan's zone, or false when the scan has
// no usable time.
//
// timeStr read in timeZone comes first. Real answers show why: the epoch
// time is timeStr read as China time even when timeZone names another zone
// (a scan stamped "2026-08-22 20:03:00", "GMT+3" carries the epoch of
// 20:03 at +08:00), so the epoch is only used when timeStr is missing or
// unreadable, in timeZone when there is one, else in the zone the
// difference between timeStr and the epoch shows.
func (d detail) when() (time.Time, bool) {
	zone, zoneOK := parseZone(d.TimeZone)
	wall, wallOK := parseWallClock(d.TimeStr)
	if wallOK && zoneOK {
		return inZone(wall, zone), true
	}
	if at, ok := d.Time.time(); ok {
		switch {
		case zoneOK:
			return at.In(zone), true
		case wallOK:
			if z, ok := zoneFromWall(wall, at); ok {
				return at.In(z), true
			}
		}
		return at, true
	}
	if wallOK {
		return inZone(wall, chinaTime), true
	}
	return time.Time{}, false
}

// inZone reads the wall clock of wall (a UTC time) in zone.
func inZone(wall time.Time, zone *time.Location) time.Time {
	return time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), zone)
}

// parseWallClock reads timeStr as a wall-clock time (returned in UTC).
func parseWallClock(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006/01/02 15:04:05", "2006/01/02 15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// zoneFromWall infers the zone in which instant at reads as wall, when the
// difference, to the minute, is a whole quarter hour within ±14 hours.
func zoneFromWall(wall, at time.Time) (*time.Location, bool) {
	diff := wall.Sub(at).Round(time.Minute)
	if diff%(15*time.Minute) != 0 || diff < -14*time.Hour || diff > 14*time.Hour {
		return nil, false
	}
	return fixedZone(int(diff / time.Second)), true
}

var zoneRE = regexp.MustCompile(`^(?:GMT|UTC)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$`)

// parseZone reads a zone as Cainiao writes it: "GMT+08:00", "GMT+8",
// "GMT-5", "UTC+05:30", "+0900", "GMT".
func parseZone(s string) (*time.Location, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	switch s {
	case "":
		return nil, false
	case "GMT", "UTC", "Z":
		return time.UTC, true
	}
	m := zoneRE.FindStringSubmatch(s)
	if m == nil {
		return nil, false
	}
	h, _ := strconv.Atoi(m[2])
	mins := 0
	if m[3] != "" {
		mins, _ = strconv.Atoi(m[3])
	}
	if h > 14 || mins > 59 {
		return nil, false
	}
	offset := h*3600 + mins*60
	if m[1] == "-" {
		offset = -offset
	}
	return fixedZone(offset), true
}

// fixedZone names a fixed offset the way RFC 3339 writes it, "+08:00".
func fixedZone(offset int) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	sign := '+'
	abs := offset
	if offset < 0 {
		sign, abs = '-', -offset
	}
	return time.FixedZone(fmt.Sprintf("%c%02d:%02d", sign, abs/3600, abs%3600/60), offset)
}

// lastMileNumber returns the last-mile carrier's number: copyRealMailNo,
// else the number inside the display text of realMailNo.
func lastMileNumber(m module) string {
	for _, field := range []string{m.CopyRealMailNo, m.RealMailNo} {
		if n := numberIn(field); n != "" {
			return n
		}
	}
	return ""
}

// numberIn finds a tracking number in a short text: the whole text when it
// is one word, else the word Detect recognises, else the last word of 8 or more
// letters and digits that holds a digit ("Latest Tracking Number:\t...").
func numberIn(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return ""
	}
	if !strings.ContainsFunc(s, unicode.IsSpace) {
		if n := canonical(s); len(n) >= 8 && hasDigit(n) {
			return n
		}
	}
	words := strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool {
		return !('A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	})
	last := ""
	for _, w := range words {
		if len(w) < 8 || len(w) > 40 || !hasDigit(w) {
			continue
		}
		if cands := tracker.Detect(w); len(cands) > 0 && cands[0].Number == w {
			return w
		}
		last = w
	}
	return last
}

func hasDigit(s string) bool {
	return strings.ContainsFunc(s, unicode.IsDigit)
}

// canonical returns the canonical form of a number, or "" when it holds
// anything but ASCII letters and digits once canonical.
func canonical(s string) string {
	n := tracker.Canonical(s)
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return ""
		}
	}
	return n
}

// lastMileCarriers recognises the last-mile carriers Todoku has IDs for in
// destCpInfo's name or code.
var lastMileCarriers = []struct {
	id    string
	names []string
}{
	{tracker.CarrierJapanPost, []string{"JAPANPOST", "JPPOST", "日本郵便", "ゆうパック", "ゆうパケット"}},
	{tracker.CarrierYamato, []string{"YAMATO", "KURONEKO", "ヤマト", "クロネコ"}},
	{tracker.CarrierSagawa, []string{"SAGAWA", "佐川"}},
	{tracker.CarrierThailandPost, []string{"THAILANDPOST", "THPOST", "ไปรษณีย์ไทย"}},
}

// carrierID returns the carrier ID for a last-mile carrier as destCpInfo
// names it, or "" when Todoku has none for it.
func carrierID(names ...string) string {
	for _, name := range names {
		key := strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || r == '-' || r == '_' || r == '.' {
				return -1
			}
			return unicode.ToUpper(r)
		}, name)
		if key == "" {
			continue
		}
		for _, c := range lastMileCarriers {
			for _, n := range c.names {
				if strings.Contains(key, n) {
					return c.id
				}
			}
		}
	}
	return ""
}

// eta returns the end of the delivery window, the date Cainiao words as
// "Estimated delivery by", or the older single estimate.
func eta(m module) time.Time {
	if e := m.GlobalEtaInfo; e != nil {
		if t, ok := e.DeliveryMaxTime.time(); ok {
			return t
		}
		if t, ok := e.DeliveryMinTime.time(); ok {
			return t
		}
	}
	t, _ := m.EstimatedDeliveryTime.time()
	return t
}

// asString renders an error code or message Cainiao sent as a string or a
// number.
func asString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}
