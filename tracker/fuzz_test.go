package tracker

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// FuzzAnalyze checks what the handlers rely on, for any text: every
// reading is well formed, a number is either to follow or a typo (never
// both, never twice), what is not tracking is a known kind, and each number
// to follow is found again when sent alone and when sent in full-width
// with spaces, as shoppers paste them.
func FuzzAnalyze(f *testing.F) {
	file, err := os.Open("testdata/corpus.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	sc := bufio.NewScanner(file)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var row struct {
			Input string `json:"input"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			f.Fatal(err)
		}
		f.Add(row.Input)
	}
	_ = file.Close()
	if err := sc.Err(); err != nil {
		f.Fatal(err)
	}
	f.Add(strings.Repeat("RB004010604CN ", 5000))
	f.Add("\xff\xfe\x00RB004010604CN\u202e\u200d")
	kinds := []string{"", NotTrackingOrderNumber, NotTrackingURL, NotTrackingPhone, NotTrackingPostalCode, NotTrackingDate, NotTrackingPrice}
	f.Fuzz(func(t *testing.T, text string) {
		for _, lang := range []string{"", "ja", "en", "th"} {
			a := Analyze(text, Hint{Lang: lang})
			checkCandidates(t, text, a.Candidates)
			if !slices.Contains(kinds, a.NotTracking) {
				t.Fatalf("Analyze(%q): not_tracking %q", text, a.NotTracking)
			}
			follow := map[string]bool{}
			for _, c := range a.Numbers() {
				if follow[c.Number] {
					t.Fatalf("Analyze(%q): %s twice among the numbers", text, c.Number)
				}
				follow[c.Number] = true
				if c.CheckDigit == CheckInvalid {
					t.Fatalf("Analyze(%q): %s is to follow with a failing check digit", text, c.Number)
				}
				for _, again := range []string{c.Number, " " + toFullWidth(c.Number) + " "} {
					b := Analyze(again, Hint{Lang: lang})
					if !slices.ContainsFunc(b.Numbers(), func(d Candidate) bool { return d.Number == c.Number }) {
						t.Fatalf("Analyze(%q) finds %s, but not in %q: %+v", text, c.Number, again, b)
					}
				}
			}
			typos := map[string]bool{}
			for _, c := range a.Typos {
				if follow[c.Number] || typos[c.Number] {
					t.Fatalf("Analyze(%q): typo %s is also to follow, or repeated", text, c.Number)
				}
				typos[c.Number] = true
				if c.Number == "" || Canonical(c.Number) != c.Number {
					t.Fatalf("Analyze(%q): typo %q is not canonical", text, c.Number)
				}
			}
		}
	})
}

// toFullWidth writes ASCII letters and digits in their full-width forms.
func toFullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '!' && r <= '~' {
			return r - '!' + '！'
		}
		return r
	}, s)
}
