package yamato

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
const Name = "yamato"

// DefaultBaseURL is the public tracking site.
const DefaultBaseURL = "https://toi.kuronekoyamato.co.jp"

// formPath takes the form: number00=1 and number01..number10.
const formPath = "/cgi-bin/tneko"

// maxBatch is how many numbers the form takes.
const maxBatch = 10

// Options configure a Source. Zero values take the defaults.
type Options = jppage.Options

// Source tracks numbers on Yamato's public site. It is safe for concurrent
// use.
type Source struct {
	client *fetch.Client
}

var _ tracker.Source = (*Source)(nil)

// New returns a source, or an error for a base URL that is not absolute.
func New(o Options) (*Source, error) {
	c, err := jppage.Client(Name, DefaultBaseURL, o)
	if err != nil {
		return nil, fmt.Errorf("yamato: %w", err)
	}
	return &Source{client: c}, nil
}

// Name returns "yamato".
func (s *Source) Name() string { return Name }

// BatchSize is 10, the numbers the public form takes at once.
func (s *Source) BatchSize() int { return maxBatch }

// Serves reports whether number is a 12-digit number with a valid check
// digit, the shape Yamato shares with Japan Post and Sagawa.
func (s *Source) Serves(number string) bool {
	return jppage.ServesJP12(number, tracker.CarrierYamato)
}

// Fetch posts the numbers in groups of BatchSize and answers one Result per
// query, in the order of the queries. A number Yamato does not know has
// the not_found error kind. Any other failure (network, rate limit, a page
// it cannot read, a page missing a number asked for) fails the whole Fetch
// with a *tracker.FetchError.
func (s *Source) Fetch(ctx context.Context, qs []tracker.Query) ([]tracker.Result, error) {
	out := make([]tracker.Result, 0, len(qs))
	for batch := range slices.Chunk(qs, maxBatch) {
		rs, err := s.fetchBatch(ctx, batch)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

func (s *Source) fetchBatch(ctx context.Context, qs []tracker.Query) ([]tracker.Result, error) {
	form := url.Values{"number00": {"1"}}
	since := make(map[string]time.Time, len(qs))
	now := time.Now()
	for i := range maxBatch {
		v := ""
		if i < len(qs) {
			v = qs[i].Number
			since[v] = qs[i].Since
			if since[v].IsZero() {
				since[v] = now
			}
		}
		form.Set(fmt.Sprintf("number%02d", i+1), v)
	}
	req, err := s.client.Request(ctx, http.MethodPost, formPath, nil, form)
	if err != nil {
		return nil, err
	}
	body, hdr, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	rs, err := parse(body, hdr.Get("Content-Type"), func(n string) time.Time {
		if t, ok := since[n]; ok {
			return t
		}
		return now
	})
	if err != nil {
		return nil, err
	}
	out := make([]tracker.Result, 0, len(qs))
	for _, q := range qs {
		i := slices.IndexFunc(rs, func(r tracker.Result) bool { return r.Number == q.Number })
		if i < 0 {
			return nil, s.client.BadResponse(req, "the page has no answer for one of the numbers asked for")
		}
		out = append(out, rs[i])
	}
	return out, nil
}
