package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/todoku/todoku/tracker"
)

// detection is one line of `bot detect`: every reading of every number
// found, best first within a number (those with check_digit "invalid" are
// likely typos), and, when there is none, why the text is not a tracking
// number.
type detection struct {
	Input       string              `json:"input"`
	Candidates  []tracker.Candidate `json:"candidates"`
	NotTracking string              `json:"not_tracking"`
}

// detect runs `bot detect [--json] [--lang L] [--country C] TEXT...`. The
// language or country of the chat ranks ambiguous numbers (ja: Japanese
// carriers first, th: Thai carriers first).
func detect(args []string, stdout, stderr io.Writer) int {
	var (
		inputs []string
		hint   tracker.Hint
	)
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--json":
			continue // JSON is the only output format
		case a == "--lang" || a == "--country":
			if i+1 == len(args) {
				fmt.Fprintf(stderr, "bot: detect: %s needs a value\n", a)
				return 2
			}
			i++
			if a == "--lang" {
				hint.Lang = args[i]
			} else {
				hint.Country = args[i]
			}
		case strings.HasPrefix(a, "--lang="):
			hint.Lang = strings.TrimPrefix(a, "--lang=")
		case strings.HasPrefix(a, "--country="):
			hint.Country = strings.TrimPrefix(a, "--country=")
		default:
			inputs = append(inputs, a)
		}
	}
	if len(inputs) == 0 {
		fmt.Fprintln(stderr, "bot: detect needs at least one TEXT, e.g. bot detect \"my parcel RB004010604CN\"")
		return 2
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for _, in := range inputs {
		a := tracker.Analyze(in, hint)
		d := detection{Input: in, Candidates: tracker.DetectFor(in, hint), NotTracking: a.NotTracking}
		if d.Candidates == nil {
			d.Candidates = []tracker.Candidate{}
		}
		if err := enc.Encode(d); err != nil {
			fmt.Fprintf(stderr, "bot: %v\n", err)
			return 1
		}
	}
	return 0
}
