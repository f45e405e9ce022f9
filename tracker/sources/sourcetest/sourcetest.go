// Package sourcetest holds what the carrier sources' tests share: reading
// testdata pages and comparing normalized results with golden files
// (rewritten with go test -update).
package sourcetest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/todoku/todoku/tracker"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Page returns testdata/name.
func Page(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Golden is a Result with times as text, for comparing with files.
type Golden struct {
	Number string        `json:"number"`
	Error  string        `json:"error,omitempty"`
	ETA    string        `json:"eta,omitempty"`
	Events []GoldenEvent `json:"events,omitempty"`
}

// GoldenEvent is an Event with its time as text.
type GoldenEvent struct {
	Time     string `json:"time"`
	Stage    string `json:"stage"`
	Code     string `json:"code"`
	Text     string `json:"text"`
	Location string `json:"location"`
}

// Normalize turns results into their golden form, checking that every
// result and event names source and every result names carrier.
func Normalize(t *testing.T, rs []tracker.Result, source, carrier string) []Golden {
	t.Helper()
	var out []Golden
	for _, r := range rs {
		if r.Source != source || r.Carrier != carrier {
			t.Errorf("%s: source %q, carrier %q", r.Number, r.Source, r.Carrier)
		}
		g := Golden{Number: r.Number, Error: r.Error}
		if !r.ETA.IsZero() {
			g.ETA = r.ETA.Format(time.RFC3339)
		}
		for _, e := range r.Events {
			if e.Source != source {
				t.Errorf("event source %q", e.Source)
			}
			g.Events = append(g.Events, GoldenEvent{e.Time.Format(time.RFC3339), e.Stage.String(), e.Code, e.Text, e.Location})
		}
		out = append(out, g)
	}
	return out
}

// CheckGolden compares got with testdata/name.golden.json.
func CheckGolden(t *testing.T, name string, got []Golden) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("%s differs from %s (run go test -update to rewrite):\n%s", name, path, b)
	}
}
