package seventeentrack

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/todoku/todoku/tracker"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func readShared(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(sharedCarriers + name)
	if err != nil {
		t.Fatalf("read the shared payload: %v", err)
	}
	return b
}

// goldenResult is the normalized form the golden files hold: the fields
// this source fills, so that fields added to tracker.Result later do not
// change them.
type goldenResult struct {
	Number    string          `json:"number"`
	Source    string          `json:"source"`
	Carrier   string          `json:"carrier,omitempty"`
	Events    []tracker.Event `json:"events,omitempty"`
	ETA       time.Time       `json:"eta,omitzero"`
	Linked    []string        `json:"linked,omitempty"`
	LastMile  string          `json:"last_mile,omitempty"`
	Error     string          `json:"error,omitempty"`
	NextCheck time.Duration   `json:"next_check,omitempty"`
}

// golden compares results with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, results []tracker.Result) {
	t.Helper()
	norm := make([]goldenResult, len(results))
	for i, r := range results {
		norm[i] = goldenResult{r.Number, r.Source, r.Carrier, r.Events, r.ETA, r.Linked, r.LastMile, r.Error, r.NextCheck}
	}
	got, err := json.MarshalIndent(norm, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read the golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("results differ from %s (run with -update after checking):\n%s", path, got)
	}
}

func TestParseGetTrackInfoGolden(t *testing.T) {
	rs, err := Parse(readShared(t, "17track-v2.2-gettrackinfo.json"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "gettrackinfo.golden.json", rs)

	if len(rs) != 2 {
		t.Fatalf("got %d results, want 2 (one accepted, one rejected)", len(rs))
	}
	ups, rejected := rs[0], rs[1]
	if ups.Number != "1Z2617V10397725789" || ups.Source != "17track" || ups.Carrier != tracker.CarrierUPS || ups.Error != "" {
		t.Errorf("accepted result = %+v", ups)
	}
	if len(ups.Events) != 5 {
		t.Fatalf("got %d events, want 5", len(ups.Events))
	}
	wantStages := []tracker.Stage{
		tracker.StageInfoReceived,   // label created
		tracker.StageInTransit,      // origin scan, no stage given
		tracker.StageInTransit,      // arrived at facility, no stage given
		tracker.StageOutForDelivery, // out for delivery
		tracker.StageDelivered,      // delivered
	}
	for i, e := range ups.Events {
		if e.Stage != wantStages[i] {
			t.Errorf("event %d (%s) stage = %v, want %v", i, e.Text, e.Stage, wantStages[i])
		}
		if e.Source != "17track" || e.Time.IsZero() {
			t.Errorf("event %d = %+v", i, e)
		}
	}
	last := ups.Events[4]
	if want := time.Date(2022, 4, 4, 23, 35, 22, 0, time.UTC); !last.Time.Equal(want) {
		t.Errorf("delivered at %v, want %v", last.Time, want)
	}
	if _, off := last.Time.Zone(); off != -7*3600 {
		t.Errorf("delivered event zone offset %d, want the carrier's -07:00", off)
	}
	if last.Location != "GASQUET, CA, US" || last.Code != "Delivered" || last.Text != "DELIVERED" {
		t.Errorf("delivered event = %+v", last)
	}
	if tracker.StageOf(ups.Events) != tracker.StageDelivered {
		t.Errorf("stage of the events = %v", tracker.StageOf(ups.Events))
	}
	if !ups.ETA.IsZero() || len(ups.Linked) != 0 {
		t.Errorf("ETA %v, linked %v: the payload has neither", ups.ETA, ups.Linked)
	}
	if rejected.Number != "RR123456789CN" || rejected.Error != tracker.ErrKindNotFound || len(rejected.Events) != 0 {
		t.Errorf("rejected result = %+v", rejected)
	}
}

func TestParseWebhookGolden(t *testing.T) {
	body := readShared(t, "17track-v2.2-webhook-tracking-updated.json")
	rs, err := Parse(body, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "webhook-tracking-updated.golden.json", rs)
	if len(rs) != 1 {
		t.Fatalf("got %d results, want 1", len(rs))
	}
	// The push carries the same data as the gettrackinfo answer.
	info, err := Parse(readShared(t, "17track-v2.2-gettrackinfo.json"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(rs[0])
	b, _ := json.Marshal(info[0])
	if !bytes.Equal(a, b) {
		t.Errorf("webhook result differs from the gettrackinfo result:\n%s\n%s", a, b)
	}
}

func TestParseDetails(t *testing.T) {
	body := []byte(`{
	  "event": "TRACKING_UPDATED",
	  "data": {
	    "number": "LP00123456789012",
	    "carrier": 190271,
	    "track_info": {
	      "shipping_info": {"shipper_address": {"country": "CN"}, "recipient_address": {"country": "JP"}},
	      "latest_status": {"status": "AvailableForPickup", "sub_status": "AvailableForPickup_Other"},
	      "time_metrics": {"estimated_delivery_date": {"source": "Official", "from": "2026-03-10T00:00:00+09:00", "to": "2026-03-12T00:00:00+09:00"}},
	      "misc_info": {"local_number": "1234-5678-9012", "local_provider": "Japan Post", "local_key": "10021"},
	      "tracking": {"providers": [
	        {"provider": {"key": 10021, "name": "Japan Post"}, "events": [
	          {"time_iso": "2026-03-09T10:00:00+09:00", "time_utc": "2026-03-09T01:00:00Z", "description": "Arrived at post office", "location": "", "stage": null, "address": {"country": "JP", "city": "Tokyo"}}
	        ]},
	        {"provider": {"key": 190271, "name": "Cainiao"}, "events": [
	          {"time_iso": "2026-03-06T08:00:00+09:00", "description": "Import customs clearance started", "stage": "InTransit_CustomsProcessing", "address": {"country": "JP"}},
	          {"time_utc": "2026-03-03T02:00:00Z", "description": "Export customs clearance started", "sub_status": "InTransit_CustomsProcessing", "address": {"country": "CN"}},
	          {"time_iso": "2026-03-04T08:00:00+08:00", "description": "Departed", "stage": "InTransit_Departure", "address": {"country": "CN"}},
	          {"time_raw": {"date": "2026-03-02", "time": "09:00:00", "timezone": "+08:00"}, "description": "Picked up", "stage": "PickedUp"},
	          {"time_iso": "", "time_utc": null, "description": "no time at all", "stage": "InTransit"},
	          {"time_iso": "2026-03-05T08:00:00+08:00", "description": "Sorting", "stage": "InTransit_Wormhole"}
	        ]}
	      ]}
	    }
	  }
	}`)
	var unknown []string
	rs, err := parse(body, time.Time{}, func(c string) { unknown = append(unknown, c) })
	if err != nil {
		t.Fatal(err)
	}
	r := rs[0]
	if r.Carrier != tracker.CarrierCainiao {
		t.Errorf("carrier %q, want cainiao", r.Carrier)
	}
	if len(r.Linked) != 1 || r.Linked[0] != "123456789012" || r.LastMile != tracker.CarrierJapanPost {
		t.Errorf("linked %v by %q, want the canonical local number by Japan Post", r.Linked, r.LastMile)
	}
	if want := time.Date(2026, 3, 12, 0, 0, 0, 0, time.FixedZone("", 9*3600)); !r.ETA.Equal(want) {
		t.Errorf("ETA %v, want the end of the range %v", r.ETA, want)
	}
	got := make([]string, len(r.Events))
	for i, e := range r.Events {
		got[i] = e.Stage.String() + ":" + e.Text
	}
	want := []string{
		"picked_up:Picked up",
		"export_customs:Export customs clearance started",
		"departed_origin:Departed",
		"in_transit:Sorting",
		"import_customs:Import customs clearance started",
		"awaiting_pickup:Arrived at post office", // newest, no stage: the latest status
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.Events[5].Location != "Tokyo, JP" {
		t.Errorf("location from the address = %q", r.Events[5].Location)
	}
	if r.Events[5].Code != "" || r.Events[3].Code != "InTransit_Wormhole" {
		t.Errorf("codes = %q, %q: raw codes are kept as given", r.Events[5].Code, r.Events[3].Code)
	}
	if len(unknown) != 1 || unknown[0] != "InTransit_Wormhole" {
		t.Errorf("unknown codes reported: %v", unknown)
	}
}

func TestParseEmptyAndOther(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		results int
		errKind string // of the first result
		wantErr bool
	}{
		{"stopped push", `{"event":"TRACKING_STOPPED","data":{"number":"RR123456789CN","carrier":3011,"tag":null}}`, 0, "", false},
		{"not yet tracked", `{"code":0,"data":{"accepted":[{"number":"LP00123456789012","carrier":190271,"track_info":{"latest_status":{"status":"NotFound","sub_status":"NotFound_Other"},"tracking":{"providers":[]}}}],"rejected":[]}}`, 1, tracker.ErrKindNotFound, false},
		{"no track_info", `{"code":0,"data":{"accepted":[{"number":"LP00123456789012","track_info":null}]}}`, 1, tracker.ErrKindNotFound, false},
		{"quota refusal", `{"code":0,"data":{"accepted":[],"rejected":[{"number":"LP00123456789012","error":{"code":-18019908,"message":"quota"}}]}}`, 1, tracker.ErrKindQuota, false},
		{"error answer", `{"code":-18010002,"data":{"errors":[{"code":-18010002,"message":"Invalid security key."}]}}`, 0, "", true},
		{"unknown event", `{"event":"TRACKING_EXPLODED","data":{}}`, 0, "", true},
		{"webhook without number", `{"event":"TRACKING_UPDATED","data":{}}`, 0, "", true},
		{"other JSON", `{"hello":"world"}`, 0, "", true},
		{"truncated", `{"code":0,"data":{"accepted":[{"num`, 0, "", true},
		{"HTML", `<html>oops</html>`, 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := Parse([]byte(tt.body), time.Time{})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if len(rs) != tt.results {
				t.Fatalf("got %d results, want %d", len(rs), tt.results)
			}
			if tt.results > 0 && rs[0].Error != tt.errKind {
				t.Errorf("error kind %q, want %q", rs[0].Error, tt.errKind)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(readShared(f, "17track-v2.2-gettrackinfo.json"))
	f.Add(readShared(f, "17track-v2.2-webhook-tracking-updated.json"))
	f.Add([]byte(`{"event":"TRACKING_STOPPED","data":{"number":"X"}}`))
	f.Add([]byte(`{"code":0,"data":{"accepted":[{"number":"A1","carrier":"7","track_info":{"tracking":{"providers":[{"events":[{"time_utc":"2026-01-01T00:00:00Z","stage":"Exception_X"}]}]}}}]}}`))
	f.Add([]byte(`{"code":0,"data":{"rejected":[{"number":"A1","error":{"code":-18019902}}]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		rs, err := Parse(body, time.Time{})
		if err != nil {
			return
		}
		for _, r := range rs {
			if r.Source != Name {
				t.Errorf("result source %q", r.Source)
			}
			if r.Error == "" && len(r.Events) == 0 {
				t.Errorf("result %q has neither events nor an error", r.Number)
			}
			for _, e := range r.Events {
				if e.Time.IsZero() || e.Stage == tracker.StageUnknown || e.Source != Name {
					t.Errorf("event %+v", e)
				}
			}
		}
	})
}
