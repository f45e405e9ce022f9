package thailandpost

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/todoku/todoku/tracker"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sharedPayload is a real /track answer kept with the project's shared test
// data, outside this module's testdata.
const sharedPayload = "../../../../shared/testdata/carriers/thailandpost-track.json"

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// goldenResult is the part of a Result the golden files hold, so that new
// Result fields elsewhere do not churn them.
type goldenResult struct {
	Number  string          `json:"number"`
	Carrier string          `json:"carrier"`
	Error   string          `json:"error,omitempty"`
	Events  []tracker.Event `json:"events,omitempty"`
}

// golden compares rs, as indented JSON, with testdata/name.
func golden(t *testing.T, name string, rs []tracker.Result) {
	t.Helper()
	got := make([]goldenResult, 0, len(rs))
	for _, r := range rs {
		got = append(got, goldenResult{r.Number, r.Carrier, r.Error, r.Events})
	}
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := readFile(t, path)
	if !bytes.Equal(b, want) {
		t.Errorf("%s differs (run with -update to accept):\n%s", path, b)
	}
}

func bkk(y int, m time.Month, d, h, min, s int) time.Time {
	return time.Date(y, m, d, h, min, s, 0, time.FixedZone("", 7*60*60))
}

func TestParseSharedPayload(t *testing.T) {
	rs, err := Parse(readFile(t, sharedPayload), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("got %d results, want 1", len(rs))
	}
	r := rs[0]
	if r.Number != "ED852942182TH" || r.Source != Name || r.Carrier != tracker.CarrierThailandPost || r.Error != "" {
		t.Errorf("result header = %+v", r)
	}
	want := []struct {
		at    time.Time
		code  string
		stage tracker.Stage
		text  string
		loc   string
	}{
		{bkk(2019, time.July, 19, 18, 12, 26), "103", tracker.StagePickedUp, "รับฝาก", "คต.กาดสวนแก้ว 00131"},
		{bkk(2019, time.July, 20, 15, 12, 15), "201", tracker.StageInTransit, "ส่งออกจากที่ทำการกลางทาง", "คต.กาดสวนแก้ว 00131"},
	}
	if len(r.Events) != len(want) {
		t.Fatalf("got %d events, want %d", len(r.Events), len(want))
	}
	for i, w := range want {
		e := r.Events[i]
		if !e.Time.Equal(w.at) || e.Code != w.code || e.Stage != w.stage || e.Text != w.text || e.Location != w.loc || e.Source != Name {
			t.Errorf("event %d = %+v, want %+v", i, e, w)
		}
		if _, off := e.Time.Zone(); off != 7*60*60 {
			t.Errorf("event %d is in zone offset %d, want Bangkok", i, off)
		}
	}
	golden(t, "thailandpost-track.golden.json", rs)
}

func TestParseEnglish(t *testing.T) {
	rs, err := Parse(readFile(t, "testdata/track-en.json"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	byNumber := make(map[string]tracker.Result)
	for _, r := range rs {
		byNumber[r.Number] = r
	}

	delivered := byNumber["EF123456785TH"]
	if got := tracker.StageOf(delivered.Events); got != tracker.StageDelivered {
		t.Errorf("EF123456785TH stage = %s, want delivered", got)
	}
	if len(delivered.Events) != 3 || !delivered.Events[2].Time.Equal(bkk(2019, time.October, 26, 10, 0, 44)) {
		t.Errorf("EF123456785TH events are not sorted oldest first with Gregorian dates: %+v", delivered.Events)
	}
	if got := delivered.Events[2].Text; got != "Final delivery - Successful" {
		t.Errorf("delivery text = %q", got)
	}
	for _, e := range delivered.Events {
		if strings.Contains(e.Text, "RECEIVER") || strings.Contains(e.Location, "RECEIVER") {
			t.Errorf("the receiver's name leaked into an event: %+v", e)
		}
	}

	returned := byNumber["RB234567895TH"]
	var stages []string
	for _, e := range returned.Events {
		stages = append(stages, e.Stage.String())
	}
	if got, want := strings.Join(stages, ","), "picked_up,attempted_delivery,returning,returning,returned"; got != want {
		t.Errorf("returned parcel stages = %s, want %s", got, want)
	}
	if got := returned.Events[1].Text; got != "Unsuccessful (physical) delivery - Addressee not known" {
		t.Errorf("failed delivery text = %q", got)
	}
	if !returned.Events[4].Time.Equal(bkk(2020, time.February, 29, 13, 15, 0)) {
		t.Errorf("leap day read as %v", returned.Events[4].Time)
	}

	if nf := byNumber["EB345678909TH"]; nf.Error != tracker.ErrKindNotFound || len(nf.Events) != 0 {
		t.Errorf("barcode without lines = %+v, want not_found", nf)
	}
	golden(t, "track-en.golden.json", rs)
}

func TestParseUnreadableDateFailsOnlyThatNumber(t *testing.T) {
	body := `{"response":{"items":{
		"EF123456785TH":[{"barcode":"EF123456785TH","status":"501","status_description":"x","status_date":"yesterday"}],
		"RB234567895TH":[{"barcode":"RB234567895TH","status":"103","status_description":"y","status_date":"01/02/2563 09:00:00+07:00"}]
	}},"message":"successful","status":true}`
	rs, err := Parse([]byte(body), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Error != tracker.ErrKindBadResponse || len(rs[0].Events) != 0 {
		t.Errorf("unreadable number = %+v, want bad_response without events", rs[0])
	}
	if rs[1].Error != "" || len(rs[1].Events) != 1 || !rs[1].Events[0].Time.Equal(bkk(2020, time.February, 1, 9, 0, 0)) {
		t.Errorf("readable number = %+v", rs[1])
	}
}

func TestParseRefusals(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		quota bool
		msg   string
	}{
		{"generic", `{"status":false,"message":"Invalid barcode format"}`, false, "Invalid barcode format"},
		{"empty message", `{"status":false,"message":""}`, false, ""},
		{"with null response", `{"response":null,"status":false,"message":"error"}`, false, "error"},
		{"limit in English", `{"status":false,"message":"Track count limit exceeded"}`, true, "Track count limit exceeded"},
		{"limit in Thai", `{"status":false,"message":"จำนวนการเรียกใช้เกินกำหนด"}`, true, "จำนวนการเรียกใช้เกินกำหนด"},
		{"count reached", `{"response":{"items":{},"track_count":{"track_date":"27/08/2562","count_number":1500,"track_count_limit":1500}},"status":false,"message":"unsuccessful"}`, true, "unsuccessful"},
		{"count not reached", `{"response":{"items":{},"track_count":{"track_date":"27/08/2562","count_number":15,"track_count_limit":1500}},"status":false,"message":"unsuccessful"}`, false, "unsuccessful"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.body), time.Time{})
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if ae.Quota != tt.quota || ae.Message != tt.msg {
				t.Errorf("got %+v, want quota %v message %q", ae, tt.quota, tt.msg)
			}
		})
	}
}

func TestParseBroken(t *testing.T) {
	for _, body := range []string{
		``,
		`<html><body>Bad gateway</body></html>`,
		`{"response":{"items":{"ED852942182TH":[{"barcode":"ED8`,
		`[]`,
		`null`,
		`{}`,
		`{"status":"true"}`,
		`{"status":true}`,
		`{"status":true,"response":{}}`,
		`{"status":true,"response":{"items":[]}}`,
		`{"status":true,"response":{"items":{"X":[{"status":501}]}}}`,
	} {
		if rs, err := Parse([]byte(body), time.Time{}); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", body, rs)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		// Status lines in Thai answers: Buddhist era.
		{"19/07/2562 13:10:00+07:00", bkk(2019, time.July, 19, 13, 10, 0)},
		{"31/12/2566 23:59:59+07:00", bkk(2023, time.December, 31, 23, 59, 59)},
		{"01/01/2567 00:00:00+07:00", bkk(2024, time.January, 1, 0, 0, 0)},
		{"29/02/2563 10:00:00+07:00", bkk(2020, time.February, 29, 10, 0, 0)}, // 2563 alone is no leap year
		{"29/02/2567 10:00:00+07:00", bkk(2024, time.February, 29, 10, 0, 0)},
		{"19/07/2562 13:10+07:00", bkk(2019, time.July, 19, 13, 10, 0)},
		{"19/07/2562 13:10:00", bkk(2019, time.July, 19, 13, 10, 0)},
		{"19/07/2562 13:10", bkk(2019, time.July, 19, 13, 10, 0)},
		{"27/08/2562", bkk(2019, time.August, 27, 0, 0, 0)},
		{" 19/07/2562 13:10:00+07:00 ", bkk(2019, time.July, 19, 13, 10, 0)},
		// English answers: Gregorian.
		{"26/10/2019 10:00:44+07:00", bkk(2019, time.October, 26, 10, 0, 44)},
		{"26/10/2019 03:00:44Z", bkk(2019, time.October, 26, 10, 0, 44)},
		{"26/10/2019 10:00:44+0700", bkk(2019, time.October, 26, 10, 0, 44)},
		// Other offsets keep the instant.
		{"19/07/2562 15:10:00+09:00", bkk(2019, time.July, 19, 13, 10, 0)},
		// Token expiry: year first, Gregorian (or Buddhist, just in case).
		{"2019-09-28 10:18:20+07:00", bkk(2019, time.September, 28, 10, 18, 20)},
		{"2562-09-28 10:18:20+07:00", bkk(2019, time.September, 28, 10, 18, 20)},
		{"2024-04-01T22:13:42+07:00", bkk(2024, time.April, 1, 22, 13, 42)},
		{"2024-04-01 22:13:42", bkk(2024, time.April, 1, 22, 13, 42)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseDate(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("parseDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if _, off := got.Zone(); off != 7*60*60 {
				t.Errorf("parseDate(%q) is not in Bangkok time: %v", tt.in, got)
			}
		})
	}
	for _, bad := range []string{
		"", "yesterday", "19/07/62 13:10:00", "31/02/2562 10:00:00+07:00", "29/02/2562 10:00:00+07:00",
		"19/13/2562 10:00:00", "+9/07/2562 13:10:00", "19/07/+562 13:10:00", "19/07/2562 25:00:00",
		"2019-13-01 00:00:00", "19-07-2562 13:10:00", "19/07/2562T13:10:00",
	} {
		if got, err := parseDate(bad); err == nil {
			t.Errorf("parseDate(%q) = %v, want an error", bad, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(readFile(f, sharedPayload))
	f.Add(readFile(f, "testdata/track-en.json"))
	f.Add([]byte(`{"status":false,"message":"limit"}`))
	f.Add([]byte(`{"status":true,"response":{"items":{"A":null,"B":[{"status":"203","status_date":"29/02/2563 10:00"}]}}}`))
	f.Add([]byte(`{"response":{"items":{"ED852942182TH":[{"barcode":"ED8`))
	f.Fuzz(func(t *testing.T, body []byte) {
		rs, err := Parse(body, time.Time{})
		if err != nil {
			if rs != nil {
				t.Errorf("results %v along with error %v", rs, err)
			}
			return
		}
		for _, r := range rs {
			if r.Source != Name {
				t.Errorf("result without source: %+v", r)
			}
			if r.Error != "" && len(r.Events) > 0 {
				t.Errorf("result with both error and events: %+v", r)
			}
			if r.Error == "" && len(r.Events) == 0 {
				t.Errorf("result with neither error nor events: %+v", r)
			}
			for i, e := range r.Events {
				if e.Stage.String() == "" || e.Source != Name || e.Time.IsZero() {
					t.Errorf("malformed event: %+v", e)
				}
				if i > 0 && e.Time.Before(r.Events[i-1].Time) {
					t.Errorf("events out of order: %+v", r.Events)
				}
			}
		}
	})
}
