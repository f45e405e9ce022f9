package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/todoku/todoku/bot/intent"
)

// intentLine is one line of `bot intent`: the text and what it asks for.
type intentLine struct {
	Input string `json:"input"`
	intent.Result
}

// intentCmd runs `bot intent [--json] TEXT...`: for each TEXT, one JSON
// object with the intent, the language the text is written in, the
// tracking numbers it holds, which parcel it means (ref), and why.
func intentCmd(args []string, stdout, stderr io.Writer) int {
	var inputs []string
	for _, a := range args {
		if a == "--json" {
			continue // JSON is the only output format
		}
		inputs = append(inputs, a)
	}
	if len(inputs) == 0 {
		fmt.Fprintln(stderr, `bot: intent needs at least one TEXT, e.g. bot intent "いつ届く?"`)
		return 2
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	now := time.Now()
	for _, in := range inputs {
		if err := enc.Encode(intentLine{Input: in, Result: intent.Understand(in, now)}); err != nil {
			fmt.Fprintf(stderr, "bot: %v\n", err)
			return 1
		}
	}
	return 0
}
