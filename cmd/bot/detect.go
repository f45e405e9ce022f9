package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/todoku/todoku/tracker"
)

// detection is one line of `bot detect`.
type detection struct {
	Input       string              `json:"input"`
	Candidates  []tracker.Candidate `json:"candidates"`
	NotTracking string              `json:"not_tracking"`
}

func detect(args []string, stdout, stderr io.Writer) int {
	var inputs []string
	for _, a := range args {
		if a == "--json" {
			continue // JSON is the only output format
		}
		inputs = append(inputs, a)
	}
	if len(inputs) == 0 {
		fmt.Fprintln(stderr, "bot: detect needs at least one TEXT, e.g. bot detect \"my parcel RB004010604CN\"")
		return 2
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for _, in := range inputs {
		d := detection{Input: in, Candidates: tracker.Detect(in)}
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
