// Package fetch is the HTTP client every carrier source shares: requests go
// to a configurable base URL, wait for the source's rate limit, carry a
// timeout and a size cap, and every failure comes back as a
// tracker.FetchError whose kind tells the poller how to back off. Errors
// never carry request headers or query strings, where keys and tokens live.
package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/todoku/todoku/tracker"
)

// Config describes one source's HTTP use. Zero values take the defaults.
type Config struct {
	Source  string        // source name, for errors
	BaseURL string        // e.g. "https://global.cainiao.com"; tests point it at httptest
	Timeout time.Duration // per request, default 20 s
	// Rate is the most requests per second, Burst how many may go at once;
	// default 1 per second, burst 1.
	Rate      rate.Limit
	Burst     int
	MaxBody   int64 // largest answer read, default 4 MiB
	UserAgent string
	HTTP      *http.Client // default: a client with no overall timeout (Timeout applies per request)
}

// Client sends one source's requests.
type Client struct {
	cfg     Config
	base    *url.URL
	limiter *rate.Limiter
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("fetch: %s: base URL %q is not an absolute URL", cfg.Source, cfg.BaseURL)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 20 * time.Second
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 1
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 1
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 4 << 20
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "Todoku/1 (parcel tracking bot)"
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{}
	}
	return &Client{cfg: cfg, base: base, limiter: rate.NewLimiter(cfg.Rate, cfg.Burst)}, nil
}

// URL joins the base URL, a path and a query.
func (c *Client) URL(path string, q url.Values) string {
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + "/" + strings.TrimLeft(path, "/")
	u.RawQuery = q.Encode()
	return u.String()
}

// Request builds a request to path under the base URL. A non-nil body is
// sent as JSON unless it is an io.Reader or url.Values (sent as a form).
func (c *Client) Request(ctx context.Context, method, path string, q url.Values, body any) (*http.Request, error) {
	var r io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case io.Reader:
		r = b
	case url.Values:
		r, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			return nil, fmt.Errorf("fetch: %s: unable to encode the request: %w", c.cfg.Source, err)
		}
		r, ctype = bytes.NewReader(buf), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, c.URL(path, q), r)
	if err != nil {
		return nil, fmt.Errorf("fetch: %s: unable to build the request: %w", c.cfg.Source, err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return req, nil
}

// Do sends req after the rate limiter allows it and returns the body of a
// 2xx answer. Anything else is a *tracker.FetchError: timeouts and network
// failures and 5xx are "unavailable", 429 (and 503 with Retry-After) is
// "rate_limited" with the wait the source asked for, other 4xx and bodies
// larger than MaxBody are "bad_response".
func (c *Client) Do(req *http.Request) ([]byte, http.Header, error) {
	ctx := req.Context()
	if err := c.limiter.Wait(ctx); err != nil {
		return nil, nil, c.fail(tracker.ErrKindUnavailable, 0, req, fmt.Errorf("waiting for the rate limit: %w", err))
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req = req.WithContext(ctx)
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return nil, nil, c.fail(tracker.ErrKindUnavailable, 0, req, scrub(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBody+1))
	if err != nil {
		return nil, nil, c.fail(tracker.ErrKindUnavailable, 0, req, fmt.Errorf("reading the answer: %w", scrub(err)))
	}
	if int64(len(body)) > c.cfg.MaxBody {
		return nil, nil, c.fail(tracker.ErrKindBadResponse, 0, req, fmt.Errorf("answer larger than %d bytes", c.cfg.MaxBody))
	}
	retry := retryAfter(resp.Header.Get("Retry-After"), time.Now())
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, nil, c.fail(tracker.ErrKindRateLimited, retry, req, fmt.Errorf("HTTP %d", resp.StatusCode))
	case resp.StatusCode == http.StatusServiceUnavailable && retry > 0:
		return nil, nil, c.fail(tracker.ErrKindRateLimited, retry, req, fmt.Errorf("HTTP %d", resp.StatusCode))
	case resp.StatusCode >= 500:
		return nil, nil, c.fail(tracker.ErrKindUnavailable, retry, req, fmt.Errorf("HTTP %d", resp.StatusCode))
	case resp.StatusCode >= 300:
		return nil, nil, c.fail(tracker.ErrKindBadResponse, 0, req, fmt.Errorf("HTTP %d", resp.StatusCode))
	}
	return body, resp.Header, nil
}

// JSON sends req and decodes a JSON answer into v. An answer that is not
// JSON (an HTML error or challenge page, a truncated body) is a
// "bad_response" FetchError.
func (c *Client) JSON(req *http.Request, v any) error {
	req.Header.Set("Accept", "application/json")
	body, hdr, err := c.Do(req)
	if err != nil {
		return err
	}
	if looksLikeHTML(body, hdr.Get("Content-Type")) {
		return c.fail(tracker.ErrKindBadResponse, 0, req, errors.New("got an HTML page instead of JSON"))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return c.fail(tracker.ErrKindBadResponse, 0, req, fmt.Errorf("decoding JSON: %w", err))
	}
	return nil
}

// BadResponse is the error for an answer that parsed but does not say
// what the source's documentation promises (a changed layout).
func (c *Client) BadResponse(req *http.Request, format string, args ...any) error {
	return c.fail(tracker.ErrKindBadResponse, 0, req, fmt.Errorf(format, args...))
}

func (c *Client) fail(kind string, retry time.Duration, req *http.Request, err error) error {
	return &tracker.FetchError{
		Source:     c.cfg.Source,
		Kind:       kind,
		RetryAfter: retry,
		Err:        fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err),
	}
}

func looksLikeHTML(body []byte, ctype string) bool {
	if strings.HasPrefix(strings.ToLower(ctype), "text/html") {
		return true
	}
	b := bytes.TrimSpace(body)
	return len(b) > 0 && b[0] == '<'
}

// scrub removes the URL (and so any query string) from a transport error,
// keeping its cause.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err) // ue.Err never holds the URL
	}
	return err
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
