package sandbox_test

import (
	"context"
	"fmt"
	"time"

	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/sandbox"
)

// A demo at speed 5760: the whole journey plays out within five minutes.
func Example() {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	now := start
	src := sandbox.New(sandbox.Options{Now: func() time.Time { return now }, Speed: 5760})
	q := []tracker.Query{{Number: "SBXJP0001", Since: start}}

	for _, after := range []time.Duration{0, 2 * time.Minute, 5 * time.Minute} {
		now = start.Add(after)
		rs, err := src.Fetch(context.Background(), q)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%v: %s\n", after, tracker.StageOf(rs[0].Events))
	}
	// Output:
	// 0s: not_found
	// 2m0s: in_transit
	// 5m0s: delivered
}
