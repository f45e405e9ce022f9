package jppage

import (
	"net/http"
	"slices"
	"time"

	"golang.org/x/time/rate"

	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/fetch"
)

// Options configure a source that reads a carrier's public tracking site.
// Zero values take the defaults.
type Options struct {
	BaseURL string       // default: the carrier's site
	HTTP    *http.Client // default: a plain client
	Rate    rate.Limit   // requests per second, default 0.5: the sites are public, be gentle
	Timeout time.Duration
}

// Client returns the HTTP client for the source name, asking defaultURL
// unless o moves it.
func Client(name, defaultURL string, o Options) (*fetch.Client, error) {
	if o.BaseURL == "" {
		o.BaseURL = defaultURL
	}
	if o.Rate <= 0 {
		o.Rate = 0.5
	}
	return fetch.New(fetch.Config{Source: name, BaseURL: o.BaseURL, Timeout: o.Timeout, Rate: o.Rate, HTTP: o.HTTP})
}

// ServesJP12 reports whether number is a 12-digit Japanese number with a
// valid check digit that carrier may have issued.
func ServesJP12(number, carrier string) bool {
	for _, c := range tracker.Detect(number) {
		if c.Number == number && c.Format == tracker.FormatJP12 && c.CheckDigit == tracker.CheckValid &&
			slices.Contains(c.Carriers, carrier) {
			return true
		}
	}
	return false
}
