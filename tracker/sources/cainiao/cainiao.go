package cainiao

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/fetch"
)

// Name is the source ID.
const Name = "cainiao"

// Defaults for Options.
const (
	DefaultBaseURL = "https://global.cainiao.com"
	DefaultLang    = "en-US"
	// DefaultRate is one request every two seconds: Alibaba throttles and
	// blocks clients it finds too eager, and parcels crossing borders for
	// weeks gain nothing from faster polling.
	DefaultRate rate.Limit = 0.5
	// batchSize is the most numbers one request carries.
	batchSize = 10
)

// detailPath is the tracking endpoint under the base URL.
const detailPath = "/global/detail.json"

// Options configure a Source. Zero values take the defaults.
type Options struct {
	BaseURL string        // default DefaultBaseURL; tests point it at httptest
	Lang    string        // language of the scan texts, default DefaultLang
	HTTP    *http.Client  // optional
	Rate    rate.Limit    // requests per second, default DefaultRate
	Timeout time.Duration // per request, default fetch's
}

// Source asks Cainiao's global tracking endpoint. It is safe for concurrent
// use; all its requests share one rate limit.
type Source struct {
	client *fetch.Client
	lang   string
}

var _ tracker.Source = (*Source)(nil)

// New returns a Cainiao source.
func New(o Options) (*Source, error) {
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	if o.Lang == "" {
		o.Lang = DefaultLang
	}
	if o.Rate <= 0 {
		o.Rate = DefaultRate
	}
	c, err := fetch.New(fetch.Config{
		Source:  Name,
		BaseURL: o.BaseURL,
		Timeout: o.Timeout,
		Rate:    o.Rate,
		Burst:   1,
		HTTP:    o.HTTP,
	})
	if err != nil {
		return nil, fmt.Errorf("cainiao: unable to create the source: %w", err)
	}
	return &Source{client: c, lang: o.Lang}, nil
}

// Name returns "cainiao".
func (s *Source) Name() string { return Name }

// BatchSize is the most numbers one request carries. Fetch accepts more and
// splits them into requests of at most this many.
func (s *Source) BatchSize() int { return batchSize }

// Serves reports whether number, read whole, is a number Detect attributes
// to Cainiao (LP numbers, S10 numbers from China, and any other shape whose
// candidate carriers include Cainiao), with a check digit that does not
// fail.
func (s *Source) Serves(number string) bool {
	n := canonical(number)
	if n == "" {
		return false
	}
	for _, c := range tracker.Detect(n) {
		if c.Number == n && c.CheckDigit != tracker.CheckInvalid && slices.Contains(c.Carriers, tracker.CarrierCainiao) {
			return true
		}
	}
	return false
}

// Fetch asks about every query and answers one Result per query, in the
// order of the queries. Distinct numbers go in requests of at most
// BatchSize, one after the other under the rate limit. A number Cainiao
// does not know, or leaves out of its answer, gets the not_found error
// kind. If any request fails, Fetch returns no results and the
// *tracker.FetchError, so that a failure never reads as a stage change.
func (s *Source) Fetch(ctx context.Context, qs []tracker.Query) ([]tracker.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("cainiao: unable to fetch: %w", err)
	}
	var numbers []string
	for _, q := range qs {
		if n := canonical(q.Number); n != "" && !slices.Contains(numbers, n) {
			numbers = append(numbers, n)
		}
	}
	known := make(map[string]tracker.Result, len(numbers))
	for batch := range slices.Chunk(numbers, batchSize) {
		rs, err := s.fetchBatch(ctx, batch)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if slices.Contains(batch, r.Number) {
				known[r.Number] = r
			}
		}
	}
	out := make([]tracker.Result, len(qs))
	for i, q := range qs {
		r, ok := known[canonical(q.Number)]
		if !ok {
			r = tracker.Result{Source: Name, Error: tracker.ErrKindNotFound}
		}
		r.Number = q.Number
		r.Events = slices.Clone(r.Events)
		r.Linked = slices.Clone(r.Linked)
		out[i] = r
	}
	return out, nil
}

// fetchBatch sends one request for numbers.
func (s *Source) fetchBatch(ctx context.Context, numbers []string) ([]tracker.Result, error) {
	req, err := s.client.Request(ctx, http.MethodGet, detailPath, nil, nil)
	if err != nil {
		return nil, err
	}
	// The numbers are canonical (letters and digits), so the list needs no
	// escaping; the commas stay literal, as the site itself sends them.
	req.URL.RawQuery = "mailNos=" + strings.Join(numbers, ",") + "&lang=" + url.QueryEscape(s.lang)
	req.Header.Set("Accept-Language", s.lang)
	var body json.RawMessage
	if err := s.client.JSON(req, &body); err != nil {
		return nil, err
	}
	rs, err := Parse(body, time.Time{})
	if err != nil {
		return nil, s.client.BadResponse(req, "%w", err)
	}
	return rs, nil
}
