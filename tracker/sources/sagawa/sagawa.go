package sagawa

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/fetch"
	"github.com/todoku/todoku/tracker/sources/jppage"
)

// Name is the source ID.
const Name = "sagawa"

// DefaultBaseURL is the public tracking site.
const DefaultBaseURL = "https://k2k.sagawa-exp.co.jp"

// searchPath answers ?okurijoNo=NUMBER with that number's page.
const searchPath = "/p/web/okurijosearch.do"

// Options configure a Source. Zero values take the defaults.
type Options = jppage.Options

// Source tracks numbers on Sagawa's public site. It is safe for concurrent
// use.
type Source struct {
	client *fetch.Client
}

var _ tracker.Source = (*Source)(nil)

// New returns a source, or an error for a base URL that is not absolute.
func New(o Options) (*Source, error) {
	c, err := jppage.Client(Name, DefaultBaseURL, o)
	if err != nil {
		return nil, fmt.Errorf("sagawa: %w", err)
	}
	return &Source{client: c}, nil
}

// Name returns "sagawa".
func (s *Source) Name() string { return Name }

// BatchSize is 1: the page that answers a plain GET takes one number (the
// ten-number form needs a session).
func (s *Source) BatchSize() int { return 1 }

// Serves reports whether number is a 12-digit number with a valid check
// digit, the shape Sagawa shares with Japan Post and Yamato.
func (s *Source) Serves(number string) bool {
	return jppage.ServesJP12(number, tracker.CarrierSagawa)
}

// Fetch asks for each number in turn and answers one Result per query, in
// the order of the queries. A number Sagawa does not know has the
// not_found error kind. Any other failure (network, rate limit, a page it
// cannot read) fails the whole Fetch with a *tracker.FetchError.
func (s *Source) Fetch(ctx context.Context, qs []tracker.Query) ([]tracker.Result, error) {
	out := make([]tracker.Result, 0, len(qs))
	for _, q := range qs {
		r, err := s.fetchOne(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (s *Source) fetchOne(ctx context.Context, q tracker.Query) (tracker.Result, error) {
	req, err := s.client.Request(ctx, http.MethodGet, searchPath, url.Values{"okurijoNo": {q.Number}}, nil)
	if err != nil {
		return tracker.Result{}, err
	}
	body, hdr, err := s.client.Do(req)
	if err != nil {
		return tracker.Result{}, err
	}
	since := q.Since
	if since.IsZero() {
		since = time.Now()
	}
	rs, err := parse(body, hdr.Get("Content-Type"), since)
	if err != nil {
		return tracker.Result{}, err
	}
	r := rs[0]
	switch {
	case r.Number == "" && r.Error == tracker.ErrKindNotFound:
		r.Number = q.Number // the error page did not repeat the number
	case r.Number != q.Number:
		return tracker.Result{}, s.client.BadResponse(req, "the page answers for another number")
	}
	return r, nil
}
