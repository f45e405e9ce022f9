package tracker

import (
	"context"
	"time"
)

// Query asks a source about one number.
type Query struct {
	Number string
	// Since is when Todoku began following the number. Sources use it to
	// resolve dates printed without a year; the sandbox anchors its
	// simulated journey on it.
	Since time.Time
}

// Result is what a source knows about one number.
type Result struct {
	Number  string
	Source  string
	Carrier string
	Events  []Event // in any order; Apply merges and sorts them
	ETA     time.Time
	Linked  []string // e.g. the last-mile number after a handover
	// LastMile is the carrier ID of the last-mile carrier when the source
	// names it (e.g. "japan-post"), so its number goes to the right source.
	LastMile string
	// Error is a stable failure kind ("not_found", "unavailable", ...)
	// when the source could not answer for this number; empty on success.
	Error string
	// NextCheck, when positive, is the source's hint for when new
	// information can be expected.
	NextCheck time.Duration
}

// Failure kinds carried in Result.Error and FetchError.Kind.
const (
	ErrKindNotFound    = "not_found"    // the source does not know the number (yet)
	ErrKindUnavailable = "unavailable"  // network failure, timeout or 5xx
	ErrKindRateLimited = "rate_limited" // the source asked us to slow down
	ErrKindBadResponse = "bad_response" // an answer we cannot read: HTML, truncated, changed layout
	ErrKindQuota       = "quota"        // the account's quota is used up
	ErrKindNoSource    = "no_source"    // no configured source serves the number
)

// FetchError is a failed Fetch, classified so the poller can back off.
type FetchError struct {
	Source string
	Kind   string // one of the ErrKind constants
	// RetryAfter, when positive, is how long the source asked us to wait.
	RetryAfter time.Duration
	Err        error
}

func (e *FetchError) Error() string {
	msg := "tracker: " + e.Source + " fetch failed (" + e.Kind + ")"
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *FetchError) Unwrap() error { return e.Err }

// Source fetches tracking data for a batch of numbers. Every implementation
// speaks to its service through a configurable base URL, honours ctx, and
// answers one Result per query (order not guaranteed).
type Source interface {
	// Name is the stable source ID, e.g. "cainiao" or "sandbox".
	Name() string
	// Serves reports whether the source can track the number.
	Serves(number string) bool
	// BatchSize is the most numbers one Fetch may carry.
	BatchSize() int
	Fetch(ctx context.Context, queries []Query) ([]Result, error)
}
