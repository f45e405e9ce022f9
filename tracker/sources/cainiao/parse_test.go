package cainiao

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/todoku/todoku/tracker"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// realPayloads holds three real, redacted detail.json answers (delivered,
// out of customs, unknown number). It lives with the other carriers'
// recorded payloads, outside this package.
const realPayloads = "../../../../shared/testdata/carriers/cainiao-detail-real-redacted.json"

func read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("unable to read %s: %v", path, err)
	}
	return b
}

func byNumber(t *testing.T, rs []tracker.Result) map[string]tracker.Result {
	t.Helper()
	out := make(map[string]tracker.Result, len(rs))
	for _, r := range rs {
		if _, dup := out[r.Number]; dup {
			t.Fatalf("number %s answered twice", r.Number)
		}
		out[r.Number] = r
	}
	return out
}

func zone(offsetHours float64) *time.Location {
	return time.FixedZone("", int(offsetHours*3600))
}

// golden is what a test expects of one parsed number.
type golden struct {
	err         string
	stage       tracker.Stage // after tracker.Apply
	events      int
	first, last tracker.Stage
	firstAt     time.Time
	lastAt      time.Time
	linked      []string
	lastMile    string
	eta         time.Time
}

func checkGolden(t *testing.T, r tracker.Result, want golden) {
	t.Helper()
	if r.Error != want.err {
		t.Fatalf("Error = %q, want %q", r.Error, want.err)
	}
	if r.Source != Name {
		t.Errorf("Source = %q, want %q", r.Source, Name)
	}
	snap, _ := tracker.Apply(tracker.Shipment{Number: r.Number}, r, time.Now())
	if want.err != "" {
		if len(r.Events) != 0 {
			t.Errorf("a failed result carries %d events", len(r.Events))
		}
		return
	}
	if snap.Stage != want.stage {
		t.Errorf("stage = %s, want %s", snap.Stage, want.stage)
	}
	if len(snap.Events) != want.events {
		t.Fatalf("%d events, want %d", len(snap.Events), want.events)
	}
	first, last := snap.Events[0], snap.Events[len(snap.Events)-1]
	if first.Stage != want.first || !first.Time.Equal(want.firstAt) {
		t.Errorf("first event %s at %v, want %s at %v", first.Stage, first.Time, want.first, want.firstAt)
	}
	if last.Stage != want.last || !last.Time.Equal(want.lastAt) {
		t.Errorf("last event %s at %v, want %s at %v", last.Stage, last.Time, want.last, want.lastAt)
	}
	// The zone is the scan's, not UTC or the machine's.
	if _, off := last.Time.Zone(); off != func() int { _, o := want.lastAt.Zone(); return o }() {
		t.Errorf("last event in zone offset %d, want that of %v", off, want.lastAt)
	}
	if !slices.Equal(r.Linked, want.linked) {
		t.Errorf("Linked = %q, want %q", r.Linked, want.linked)
	}
	if r.LastMile != want.lastMile {
		t.Errorf("LastMile = %q, want %q", r.LastMile, want.lastMile)
	}
	if !r.ETA.Equal(want.eta) {
		t.Errorf("ETA = %v, want %v", r.ETA, want.eta)
	}
	for _, e := range r.Events {
		if e.Source != Name || e.Code == "" || e.Text == "" || e.Time.IsZero() {
			t.Errorf("incomplete event %+v", e)
		}
	}
}

func TestParseRealPayloads(t *testing.T) {
	abs, _ := filepath.Abs(realPayloads)
	rs, err := Parse(read(t, realPayloads), time.Time{})
	if err != nil {
		t.Fatalf("Parse(%s): %v", abs, err)
	}
	got := byNumber(t, rs)
	if len(got) != 3 {
		t.Fatalf("%d results, want 3", len(got))
	}
	tests := map[string]golden{
		// Delivered in Belgium; every scan stamped GMT+08:00.
		"RC000000001EE": {
			stage: tracker.StageDelivered, events: 7,
			first: tracker.StagePickedUp, firstAt: time.Date(2025, 12, 8, 22, 29, 0, 0, zone(8)),
			last: tracker.StageDelivered, lastAt: time.Date(2026, 2, 6, 15, 25, 17, 0, zone(8)),
		},
		// Left customs (filed under export clearing); handed to a new number.
		"RC000000002EE": {
			stage: tracker.StageExportCustoms, events: 4,
			first: tracker.StagePickedUp, firstAt: time.Date(2026, 7, 2, 0, 16, 31, 0, zone(8)),
			last: tracker.StageExportCustoms, lastAt: time.Date(2026, 8, 23, 14, 18, 40, 0, zone(2)),
			linked: []string{"RC000000003EE"},
			eta:    time.UnixMilli(1787828878899),
		},
		// Unknown number: an empty detailList, mailNoSource EXTERNAL.
		"LP00000000000": {err: tracker.ErrKindNotFound},
	}
	for number, want := range tests {
		t.Run(number, func(t *testing.T) {
			r, ok := got[number]
			if !ok {
				t.Fatalf("no result for %s", number)
			}
			checkGolden(t, r, want)
		})
	}

	compareGolden(t, "testdata/real-redacted.golden.json", rs)

	t.Run("a carrier note after the arrival keeps the stage", func(t *testing.T) {
		for _, e := range got["RC000000001EE"].Events {
			if e.Code == "COMMON_INTRANSIT" {
				if e.Stage != tracker.StageArrivedDestination || e.Text != "wait for customs clearance" {
					t.Errorf("COMMON_INTRANSIT event = %s %q, want arrived_destination with the carrier's note", e.Stage, e.Text)
				}
				return
			}
		}
		t.Error("no COMMON_INTRANSIT event")
	})
	t.Run("the wall clock in its own zone", func(t *testing.T) {
		// "2026-08-22 20:03:00", "GMT+3", although the epoch time reads it
		// as China time.
		for _, e := range got["RC000000002EE"].Events {
			if e.Code == "LH_POST_COLLECTION" {
				want := time.Date(2026, 8, 22, 20, 3, 0, 0, zone(3))
				if !e.Time.Equal(want) || e.Time.Format("15:04 -07:00") != "20:03 +03:00" {
					t.Errorf("LH_POST_COLLECTION at %v, want %v", e.Time, want)
				}
				return
			}
		}
		t.Error("no LH_POST_COLLECTION event")
	})
	t.Run("the place in brackets", func(t *testing.T) {
		for _, e := range got["RC000000002EE"].Events {
			if e.Code == "SC_OUTBOUND_SUCCESS" {
				if e.Location != "Xiaoshan District" || e.Text != "Departed from sorting center" {
					t.Errorf("SC_OUTBOUND_SUCCESS: location %q, text %q", e.Location, e.Text)
				}
				return
			}
		}
		t.Error("no SC_OUTBOUND_SUCCESS event")
	})
}

func TestParseJapanHandover(t *testing.T) {
	rs, err := Parse(read(t, "testdata/japan-handover.json"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("%d results, want 1", len(rs))
	}
	r := rs[0]
	checkGolden(t, r, golden{
		stage: tracker.StageAwaitingPickup, events: 22,
		first: tracker.StageInfoReceived, firstAt: time.Date(2026, 3, 2, 10, 15, 0, 0, zone(8)),
		last: tracker.StageAwaitingPickup, lastAt: time.Date(2026, 3, 10, 10, 5, 0, 0, zone(9)),
		linked:   []string{"490123456782"},
		lastMile: tracker.CarrierJapanPost,
		eta:      time.Date(2026, 3, 13, 23, 59, 59, 0, zone(8)),
	})
	stages := map[string]tracker.Stage{}
	for _, e := range r.Events {
		stages[e.Code] = e.Stage
	}
	for code, want := range map[string]tracker.Stage{
		"CC_HO_IN_SUCCESS":  tracker.StageImportCustoms, // filed under import clearing
		"CC_EX_START":       tracker.StageExportCustoms,
		"GTMS_ACCEPT":       tracker.StageHandedToLastMile,
		"COMMON_INTRANSIT":  tracker.StageHandedToLastMile, // vague: keeps the handover
		"GTMS_DEL_FAILURE":  tracker.StageAttemptedDelivery,
		"GTMS_STA_SIGNED":   tracker.StageAwaitingPickup,
		"LH_ARRIVE":         tracker.StageArrivedDestination,
		"CC_HO_OUT_SUCCESS": tracker.StageImportCustoms,
	} {
		if stages[code] != want {
			t.Errorf("%s: stage %s, want %s", code, stages[code], want)
		}
	}
	compareGolden(t, "testdata/japan-handover.golden.json", rs)
}

func TestParseBatch(t *testing.T) {
	rs, err := Parse(read(t, "testdata/batch-three.json"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	got := byNumber(t, rs)
	tests := map[string]golden{
		"LP00898765432101": {
			stage: tracker.StageAtSortingCenter, events: 3,
			first: tracker.StageInfoReceived, firstAt: time.Date(2026, 4, 1, 11, 0, 0, 0, zone(8)),
			last: tracker.StageAtSortingCenter, lastAt: time.Date(2026, 4, 3, 22, 10, 0, 0, zone(8)),
			eta: time.Date(2026, 4, 15, 23, 59, 59, 0, zone(8)),
		},
		// Handed to Thailand Post under the same number: no link, and no
		// ETA once delivered.
		"RB234567895CN": {
			stage: tracker.StageDelivered, events: 6,
			first: tracker.StagePickedUp, firstAt: time.Date(2026, 3, 28, 9, 0, 0, 0, zone(8)),
			last: tracker.StageDelivered, lastAt: time.Date(2026, 4, 3, 15, 55, 0, 0, zone(7)),
			lastMile: tracker.CarrierThailandPost,
		},
		"LP00811111111111": {err: tracker.ErrKindNotFound},
	}
	for number, want := range tests {
		t.Run(number, func(t *testing.T) { checkGolden(t, got[number], want) })
	}
	compareGolden(t, "testdata/batch-three.golden.json", rs)
}

// compareGolden compares the normalized results with a golden file, which
// -update rewrites.
func compareGolden(t *testing.T, path string, rs []tracker.Result) {
	t.Helper()
	got, err := json.MarshalIndent(rs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := read(t, path); !bytes.Equal(got, want) {
		t.Errorf("normalized results differ from %s (run go test -update to accept):\n%s", path, got)
	}
}

func TestParseModules(t *testing.T) {
	tests := []struct {
		name string
		body string
		want func(t *testing.T, r tracker.Result)
	}{
		{"latestTrace only", `{"success":true,"module":[{"mailNo":"LP00812345678901","detailList":[],
			"latestTrace":{"time":1773108300000,"timeStr":"2026-03-10 10:05:00","timeZone":"GMT+09:00","actionCode":"GTMS_SIGNED","standerdDesc":"Package delivered"}}]}`,
			func(t *testing.T, r tracker.Result) {
				if r.Error != "" || len(r.Events) != 1 || r.Events[0].Stage != tracker.StageDelivered {
					t.Errorf("got %+v", r)
				}
			}},
		{"no detailList at all", `{"success":true,"module":[{"mailNo":"LP00812345678901"}]}`,
			func(t *testing.T, r tracker.Result) {
				if r.Error != tracker.ErrKindNotFound {
					t.Errorf("Error = %q, want not_found", r.Error)
				}
			}},
		{"a scan without a time", `{"success":true,"module":[{"mailNo":"LP00812345678901","detailList":[
			{"time":1773108300000,"timeStr":"2026-03-10 10:05:00","timeZone":"GMT+9","actionCode":"GTMS_SIGNED"},
			{"actionCode":"GTMS_DO_DEPART","desc":"Out for delivery"}]}]}`,
			func(t *testing.T, r tracker.Result) {
				if r.Error != tracker.ErrKindBadResponse || len(r.Events) != 0 {
					t.Errorf("got %+v, want bad_response and no events", r)
				}
			}},
		{"a field of the wrong type", `{"success":true,"module":[{"mailNo":"LP00812345678901","detailList":[{"desc":17}]}]}`,
			func(t *testing.T, r tracker.Result) {
				if r.Number != "LP00812345678901" || r.Error != tracker.ErrKindBadResponse || len(r.Events) != 0 {
					t.Errorf("got %+v, want bad_response and no events", r)
				}
			}},
		{"epoch only, zone named", `{"success":true,"module":[{"mailNo":"X12345678","detailList":[
			{"time":"1773108300000","timeZone":"GMT-05:00","actionCode":"LH_ARRIVE"}]}]}`,
			func(t *testing.T, r tracker.Result) {
				want := time.UnixMilli(1773108300000)
				if len(r.Events) != 1 || !r.Events[0].Time.Equal(want) || r.Events[0].Time.Format("-07:00") != "-05:00" {
					t.Errorf("got %+v, want %v at -05:00", r.Events, want)
				}
			}},
		{"no zone: inferred from the wall clock", `{"success":true,"module":[{"mailNo":"X12345678","detailList":[
			{"time":1773108300000,"timeStr":"2026-03-10 11:05:00","actionCode":"LH_ARRIVE"}]}]}`,
			func(t *testing.T, r tracker.Result) {
				if len(r.Events) != 1 || r.Events[0].Time.Format("2006-01-02 15:04 -07:00") != "2026-03-10 11:05 +09:00" {
					t.Errorf("got %+v", r.Events)
				}
			}},
		{"wall clock only, no zone: China time", `{"success":true,"module":[{"mailNo":"X12345678","detailList":[
			{"timeStr":"2026-03-10 11:05","actionCode":"LH_DEPART"}]}]}`,
			func(t *testing.T, r tracker.Result) {
				if len(r.Events) != 1 || r.Events[0].Time.Format("2006-01-02 15:04 -07:00") != "2026-03-10 11:05 +08:00" {
					t.Errorf("got %+v", r.Events)
				}
			}},
		{"unknown code kept raw", `{"success":true,"module":[{"mailNo":"X12345678","detailList":[
			{"time":1773108300000,"timeStr":"2026-03-10 10:05:00","timeZone":"GMT+8","actionCode":"BRAND_NEW_CODE","standerdDesc":"Carrier update","desc":"Something happened"}]}]}`,
			func(t *testing.T, r tracker.Result) {
				if len(r.Events) != 1 || r.Events[0].Code != "BRAND_NEW_CODE" || r.Events[0].Stage != tracker.StageInTransit || r.Events[0].Text != "Something happened" {
					t.Errorf("got %+v", r.Events)
				}
			}},
		{"scans at the same second, newest first", `{"success":true,"module":[{"mailNo":"X12345678","detailList":[
			{"timeStr":"2026-03-10 10:05:00","timeZone":"GMT+9","actionCode":"GTMS_SIGNED"},
			{"timeStr":"2026-03-10 10:05:00","timeZone":"GMT+9","actionCode":"GTMS_DO_DEPART"}]}]}`,
			func(t *testing.T, r tracker.Result) {
				snap, _ := tracker.Apply(tracker.Shipment{}, r, time.Now())
				if snap.Stage != tracker.StageDelivered {
					t.Errorf("stage %s, want delivered", snap.Stage)
				}
			}},
		{"display-only last-mile number", `{"success":true,"module":[{"mailNo":"LP00812345678901","realMailNo":"Yamato Transport 271828182846",
			"destCpInfo":{"cpName":"YAMATO TRANSPORT"},"detailList":[{"time":1773108300000,"timeStr":"2026-03-10 10:05:00","timeZone":"GMT+9","actionCode":"GTMS_ACCEPT"}]}]}`,
			func(t *testing.T, r tracker.Result) {
				if !slices.Equal(r.Linked, []string{"271828182846"}) || r.LastMile != tracker.CarrierYamato {
					t.Errorf("Linked %q, LastMile %q", r.Linked, r.LastMile)
				}
			}},
		{"the same number is not linked to itself", `{"success":true,"module":[{"mailNo":"rb234567895cn","copyRealMailNo":"RB234567895CN",
			"detailList":[{"time":1773108300000,"timeStr":"2026-03-10 10:05:00","timeZone":"GMT+9","actionCode":"GTMS_ACCEPT"}]}]}`,
			func(t *testing.T, r tracker.Result) {
				if r.Number != "RB234567895CN" || len(r.Linked) != 0 {
					t.Errorf("Number %q, Linked %q", r.Number, r.Linked)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := Parse([]byte(tt.body), time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 1 {
				t.Fatalf("%d results, want 1", len(rs))
			}
			tt.want(t, rs[0])
		})
	}
}

func TestParseRejectsWrongShapes(t *testing.T) {
	tests := []struct {
		name, body string
		apiError   bool
	}{
		{"not JSON", `<html>slide to verify</html>`, false},
		{"truncated", `{"module":[{"mailNo":"LP0`, false},
		{"no success flag", `{"module":[]}`, false},
		{"captcha instruction", `{"action":"captcha","url":"/_____tmd_____/punish?x5secdata=x"}`, false},
		{"success without module", `{"success":true}`, false},
		{"module null", `{"success":true,"module":null}`, false},
		{"module not a list", `{"success":true,"module":{"mailNo":"LP00812345678901"}}`, false},
		{"module without mailNo", `{"success":true,"module":[{"detailList":[]}]}`, false},
		{"module not an object", `{"success":true,"module":["LP00812345678901"]}`, false},
		{"success false", `{"success":false,"errorCode":"SYSTEM_ERROR","errorMsg":"busy"}`, true},
		{"success false, numeric code", `{"success":false,"errorCode":500}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := Parse([]byte(tt.body), time.Time{})
			if err == nil || rs != nil {
				t.Fatalf("Parse = %v, %v; want an error and no results", rs, err)
			}
			var ae *APIError
			if errors.As(err, &ae) != tt.apiError {
				t.Errorf("error %v: APIError %v, want %v", err, !tt.apiError, tt.apiError)
			}
		})
	}
}

func TestParseEmptyModuleList(t *testing.T) {
	rs, err := Parse([]byte(`{"success":true,"module":[]}`), time.Time{})
	if err != nil || len(rs) != 0 {
		t.Fatalf("Parse = %v, %v; want no results and no error", rs, err)
	}
}

func TestParseZone(t *testing.T) {
	tests := []struct {
		in   string
		want int // offset in seconds
		ok   bool
	}{
		{"GMT+08:00", 8 * 3600, true}, {"GMT+8", 8 * 3600, true}, {"GMT+2", 2 * 3600, true},
		{"GMT-5", -5 * 3600, true}, {"UTC+05:30", 5*3600 + 30*60, true}, {"+0900", 9 * 3600, true},
		{"gmt+09:00", 9 * 3600, true}, {"GMT", 0, true}, {"UTC", 0, true},
		{"", 0, false}, {"GMT+15", 0, false}, {"GMT+08:75", 0, false}, {"Asia/Tokyo", 0, false}, {"8", 0, false},
	}
	for _, tt := range tests {
		loc, ok := parseZone(tt.in)
		if ok != tt.ok {
			t.Errorf("parseZone(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if _, off := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).Zone(); off != tt.want {
			t.Errorf("parseZone(%q) offset %d, want %d", tt.in, off, tt.want)
		}
	}
}

func TestNumberIn(t *testing.T) {
	tests := map[string]string{
		"Latest Tracking Number:\tRC000000003EE": "RC000000003EE",
		"490123456782":                           "490123456782",
		" 4901-2345-6782 ":                       "490123456782",
		"PostNL 3SDFC0123456789":                 "3SDFC0123456789",
		"handed over locally":                    "",
		"":                                       "",
		"No. 12":                                 "",
	}
	for in, want := range tests {
		if got := numberIn(in); got != want {
			t.Errorf("numberIn(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCarrierID(t *testing.T) {
	tests := map[string]string{
		"Japan Post": tracker.CarrierJapanPost, "JAPANPOST": tracker.CarrierJapanPost,
		"日本郵便": tracker.CarrierJapanPost, "Yamato Transport": tracker.CarrierYamato,
		"Sagawa Express": tracker.CarrierSagawa, "Thailand Post": tracker.CarrierThailandPost,
		"Kerry Express": "", "PostNL": "", "": "",
	}
	for in, want := range tests {
		if got := carrierID(in); got != want {
			t.Errorf("carrierID(%q) = %q, want %q", in, got, want)
		}
	}
}
