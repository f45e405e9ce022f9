package cainiao

import (
	"testing"
	"time"

	"github.com/todoku/todoku/tracker"
)

func FuzzParse(f *testing.F) {
	for _, path := range []string{realPayloads, "testdata/japan-handover.json", "testdata/batch-three.json", "testdata/slider.html"} {
		f.Add(read(f, path))
	}
	for _, s := range []string{
		``, `null`, `[]`, `{}`, `{"success":true,"module":[]}`, `{"success":false}`,
		`{"success":true,"module":[null]}`,
		`{"success":true,"module":[{"mailNo":"LP1","detailList":[{"time":"x","timeStr":"2026-13-40 99:99:99","timeZone":"GMT+99"}]}]}`,
		`{"success":true,"module":[{"mailNo":"LP1","detailList":[{"time":1e300,"timeZone":"GMT-14:00","standerdDesc":"[","actionCode":"  "}]}]}`,
		`{"success":true,"module":[{"mailNo":"LP1","realMailNo":"\t\t","destCpInfo":{"cpName":"日本郵便"},"detailList":[{"timeStr":"2026-03-10 10:05","standerdDesc":"[]"}]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rs, err := Parse(body, time.Time{})
		if err != nil {
			if rs != nil {
				t.Fatalf("results %v alongside error %v", rs, err)
			}
			return
		}
		seen := map[string]bool{}
		for _, r := range rs {
			if r.Number == "" || canonical(r.Number) != r.Number || seen[r.Number] {
				t.Fatalf("bad or repeated number %q", r.Number)
			}
			seen[r.Number] = true
			if r.Error != "" && len(r.Events) > 0 {
				t.Fatalf("%s: events alongside error %q", r.Number, r.Error)
			}
			if r.Error == "" && len(r.Events) == 0 {
				t.Fatalf("%s: neither events nor an error", r.Number)
			}
			for _, e := range r.Events {
				if e.Time.IsZero() || e.Stage == tracker.StageUnknown || e.Stage == tracker.StageNotFound || e.Source != Name {
					t.Fatalf("%s: bad event %+v", r.Number, e)
				}
			}
			for _, l := range r.Linked {
				if l == r.Number || canonical(l) != l {
					t.Fatalf("%s: bad linked number %q", r.Number, l)
				}
			}
		}
	})
}
