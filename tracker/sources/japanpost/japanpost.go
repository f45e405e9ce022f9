package japanpost

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/fetch"
	"github.com/todoku/todoku/tracker/sources/jppage"
)

// Name is the source ID.
const Name = "japan-post"

// DefaultBaseURL is the public tracking site.
const DefaultBaseURL = "https://trackings.post.japanpost.jp"

// searchPath answers a search for up to ten numbers; with one number it
// shows the detail page with the full history, which is what Fetch wants.
const searchPath = "/services/srv/search/direct"

// Options configure a Source. Zero values take the defaults.
type Options = jppage.Options

// Source tracks numbers on Japan Post's public site. It is safe for
// concurrent use.
type Source struct {
	client *fetch.Client
}

var _ tracker.Source = (*Source)(nil)

// New returns a source, or an error for a base URL that is not absolute.
func New(o Options) (*Source, error) {
	c, err := jppage.Client(Name, DefaultBaseURL, o)
	if err != nil {
		return nil, fmt.Errorf("japanpost: %w", err)
	}
	return &Source{client: c}, nil
}

// Name returns "japan-post".
func (s *Source) Name() string { return Name }

// BatchSize is 1: the site takes up to ten numbers at once, but then lists
// only each number's latest state, without a time; the full history needs
// the detail page, one number per request.
func (s *Source) BatchSize() int { return 1 }

// Serves reports whether number is one Japan Post carries: a 12-digit
// domestic number with a valid check digit (shared with Yamato and Sagawa),
// a UPU S10 number issued in Japan, or an 11- or 13-digit domestic number
// (the site accepts 11 to 13 digits).
func (s *Source) Serves(number string) bool {
	if (len(number) == 11 || len(number) == 13) && allDigits(number) {
		return true
	}
	for _, c := range tracker.Detect(number) {
		if c.Number == number && c.CheckDigit != tracker.CheckInvalid && slices.Contains(c.Carriers, tracker.CarrierJapanPost) {
			return true
		}
	}
	return false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Fetch asks for each number in turn and answers one Result per query, in
// the order of the queries. A number the site does not know has the
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
	form := url.Values{
		"reqCodeNo1": {q.Number},
		"searchKind": {"S002"},
		"locale":     {"ja"},
	}
	req, err := s.client.Request(ctx, http.MethodGet, searchPath, form, nil)
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
