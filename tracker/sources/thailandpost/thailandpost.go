package thailandpost

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/fetch"
)

// Name is the source ID.
const Name = "thailand-post"

// DefaultBaseURL is the Track & Trace REST API.
const DefaultBaseURL = "https://trackapi.thailandpost.co.th"

// MaxBatch is the most barcodes the API accepts in one /track request.
const MaxBatch = 100

const (
	tokenPath = "/post/api/v1/authenticate/token"
	trackPath = "/post/api/v1/track"
)

// refreshMargin is how long before its expiry an access token is replaced.
const refreshMargin = 10 * time.Minute

// fallbackLifetime is how long an access token is kept when the API gives
// no readable expiry; a 401 replaces it sooner if need be.
const fallbackLifetime = time.Hour

// maxMessage caps how much of an API error message reaches an error.
const maxMessage = 200

// Options configure a Source. Zero values take the defaults.
type Options struct {
	BaseURL string // default DefaultBaseURL
	// Token is the long-lived API token from the developer portal. It is a
	// secret: it is never logged and never part of an error.
	Token string
	// Lang is the language of status descriptions: "TH" (default), "EN" or
	// "CN". Thai answers print Buddhist-era years; Parse reads both.
	Lang    string
	HTTP    *http.Client
	Rate    rate.Limit    // requests per second, default 1
	Timeout time.Duration // per request, default 20 s
	// Now is the clock for the access-token cache; nil means time.Now.
	Now func() time.Time
	// Logger receives notices such as undocumented status codes; nil means
	// slog.Default().
	Logger *slog.Logger
}

// Source tracks Thailand Post numbers through the Track & Trace API. It is
// safe for concurrent use: concurrent fetches share one access token, and
// only one of them asks for a new one at a time.
type Source struct {
	client   *fetch.Client
	apiToken string
	lang     string
	now      func() time.Time
	log      *slog.Logger

	tokenLock chan struct{} // held while the access token is read or replaced
	access    string
	refreshAt time.Time

	unknown sync.Map // status codes already logged as undocumented
}

var _ tracker.Source = (*Source)(nil)

// New checks o and returns a source.
func New(o Options) (*Source, error) {
	if strings.TrimSpace(o.Token) == "" {
		return nil, errors.New("thailandpost: an API token is required")
	}
	lang := strings.ToUpper(strings.TrimSpace(o.Lang))
	switch lang {
	case "":
		lang = "TH"
	case "TH", "EN", "CN":
	default:
		return nil, fmt.Errorf("thailandpost: language %q is not one of TH, EN, CN", o.Lang)
	}
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	hc := &http.Client{}
	if o.HTTP != nil {
		c := *o.HTTP
		hc = &c
	}
	hc.Transport = statusRecorder{base: hc.Transport}
	client, err := fetch.New(fetch.Config{
		Source:  Name,
		BaseURL: o.BaseURL,
		Timeout: o.Timeout,
		Rate:    o.Rate,
		HTTP:    hc,
	})
	if err != nil {
		return nil, fmt.Errorf("thailandpost: %w", err)
	}
	s := &Source{
		client:    client,
		apiToken:  strings.TrimSpace(o.Token),
		lang:      lang,
		now:       o.Now,
		log:       o.Logger,
		tokenLock: make(chan struct{}, 1),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = s.log.With("component", "thailandpost")
	return s, nil
}

// Name returns "thailand-post".
func (s *Source) Name() string { return Name }

// BatchSize is the most numbers one /track request carries.
func (s *Source) BatchSize() int { return MaxBatch }

// Serves reports whether number is a canonical UPU S10 number issued by
// Thailand Post (ending in TH) whose check digit holds. A number with a
// wrong check digit is a typo, not worth a request from the daily allowance.
func (s *Source) Serves(number string) bool { return serves(number) }

func serves(number string) bool {
	for _, c := range tracker.Detect(number) {
		if c.Number == number && c.Format == tracker.FormatS10 && c.Country == "TH" &&
			c.CheckDigit == tracker.CheckValid && slices.Contains(c.Carriers, tracker.CarrierThailandPost) {
			return true
		}
	}
	return false
}

// Fetch answers one Result per query, in the order of the queries. Numbers
// are asked for in requests of at most MaxBatch distinct barcodes; a number
// the API has no status for gets the not_found error kind. Any failure of a
// request fails the whole Fetch with a *tracker.FetchError; neither token
// ever appears in it.
func (s *Source) Fetch(ctx context.Context, qs []tracker.Query) ([]tracker.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, &tracker.FetchError{Source: Name, Kind: tracker.ErrKindUnavailable, Err: err}
	}
	var (
		numbers []string
		seen    = make(map[string]bool, len(qs))
		since   time.Time
	)
	for _, q := range qs {
		if since.IsZero() || (!q.Since.IsZero() && q.Since.Before(since)) {
			since = q.Since
		}
		if !seen[q.Number] {
			seen[q.Number] = true
			numbers = append(numbers, q.Number)
		}
	}
	found := make(map[string]tracker.Result, len(numbers))
	for batch := range slices.Chunk(numbers, MaxBatch) {
		rs, err := s.fetchBatch(ctx, batch, since)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			found[r.Number] = r
		}
	}
	out := make([]tracker.Result, 0, len(qs))
	for _, q := range qs {
		r, ok := found[q.Number]
		if !ok {
			r = tracker.Result{Number: q.Number, Source: Name, Carrier: tracker.CarrierThailandPost, Error: tracker.ErrKindNotFound}
		}
		out = append(out, r)
	}
	return out, nil
}

// trackRequest is the body of a /track request.
type trackRequest struct {
	Status   string   `json:"status"`
	Language string   `json:"language"`
	Barcode  []string `json:"barcode"`
}

// fetchBatch asks for one batch of barcodes, replacing the access token once
// if the API refuses it.
func (s *Source) fetchBatch(ctx context.Context, barcodes []string, since time.Time) ([]tracker.Result, error) {
	access, err := s.accessToken(ctx, "")
	if err != nil {
		return nil, err
	}
	req, body, status, err := s.track(ctx, access, barcodes)
	if status == http.StatusUnauthorized {
		if access, err = s.accessToken(ctx, access); err != nil {
			return nil, err
		}
		req, body, status, err = s.track(ctx, access, barcodes)
		if status == http.StatusUnauthorized {
			return nil, s.authError("the access token was refused even after a refresh", err, access)
		}
	}
	if err != nil {
		return nil, s.redactErr(err, access)
	}
	rs, err := Parse(body, since)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			msg := s.redact(ae.Message, access)
			if ae.Quota {
				return nil, &tracker.FetchError{
					Source:     Name,
					Kind:       tracker.ErrKindQuota,
					RetryAfter: untilMidnight(s.now()),
					Err:        fmt.Errorf("POST %s: the API refused the request: %s", trackPath, msg),
				}
			}
			return nil, s.client.BadResponse(req, "the API refused the request: %s", msg)
		}
		return nil, s.client.BadResponse(req, "%s", strings.TrimPrefix(err.Error(), "thailandpost: "))
	}
	for _, r := range rs {
		for _, e := range r.Events {
			if _, known := stage(e.Code); !known {
				if _, logged := s.unknown.LoadOrStore(e.Code, true); !logged {
					s.log.Warn("Thailand Post sent an undocumented status code.",
						slog.String("code", e.Code), slog.String("stage", e.Stage.String()), slog.String("text", e.Text))
				}
			}
		}
	}
	return rs, nil
}

// track sends one /track request and returns its raw JSON body and the HTTP
// status it got (0 when no answer came).
func (s *Source) track(ctx context.Context, access string, barcodes []string) (*http.Request, []byte, int, error) {
	var status int
	ctx = context.WithValue(ctx, statusKey{}, &status)
	req, err := s.client.Request(ctx, http.MethodPost, trackPath, nil,
		trackRequest{Status: "all", Language: s.lang, Barcode: barcodes})
	if err != nil {
		return nil, nil, 0, &tracker.FetchError{Source: Name, Kind: tracker.ErrKindBadResponse, Err: err}
	}
	req.Header.Set("Authorization", "Token "+access)
	var raw rawJSON
	err = s.client.JSON(req, &raw)
	return req, raw, status, err
}

// rawJSON keeps an answer's bytes after fetch.Client has checked that they
// are JSON.
type rawJSON []byte

func (r *rawJSON) UnmarshalJSON(b []byte) error {
	*r = append((*r)[:0], b...)
	return nil
}

// tokenAnswer is the body of an authenticate/token answer.
type tokenAnswer struct {
	Expire  string `json:"expire"`
	Token   string `json:"token"`
	Message string `json:"message"`
}

// accessToken returns a usable access token: the cached one, or a new one
// when there is none, it is about to expire, or it is stale (the API just
// refused it). Concurrent callers wait for one exchange.
func (s *Source) accessToken(ctx context.Context, stale string) (string, error) {
	select {
	case s.tokenLock <- struct{}{}:
	case <-ctx.Done():
		return "", &tracker.FetchError{Source: Name, Kind: tracker.ErrKindUnavailable,
			Err: fmt.Errorf("waiting for an access token: %w", ctx.Err())}
	}
	defer func() { <-s.tokenLock }()
	now := s.now()
	if s.access != "" && s.access != stale && now.Before(s.refreshAt) {
		return s.access, nil
	}
	s.access = ""
	tok, expire, err := s.exchange(ctx)
	if err != nil {
		return "", err
	}
	s.access = tok
	switch exp, perr := parseDate(expire); {
	case perr != nil:
		s.refreshAt = now.Add(fallbackLifetime)
		s.log.Warn("Thailand Post gave an access token expiry Todoku cannot read; keeping the token for a while.",
			slog.Duration("keep", fallbackLifetime))
	default:
		life := exp.Sub(now)
		s.refreshAt = exp.Add(-min(refreshMargin, life/2))
	}
	return tok, nil
}

// exchange trades the API token for an access token.
func (s *Source) exchange(ctx context.Context) (token, expire string, err error) {
	var status int
	ctx = context.WithValue(ctx, statusKey{}, &status)
	req, err := s.client.Request(ctx, http.MethodPost, tokenPath, nil, nil)
	if err != nil {
		return "", "", &tracker.FetchError{Source: Name, Kind: tracker.ErrKindBadResponse, Err: err}
	}
	req.Header.Set("Authorization", "Token "+s.apiToken)
	req.Header.Set("Content-Type", "application/json")
	var a tokenAnswer
	if err := s.client.JSON(req, &a); err != nil {
		if status == http.StatusUnauthorized || status == http.StatusForbidden {
			return "", "", s.authError("the API token was refused; check it on the Track & Trace dashboard", err)
		}
		return "", "", s.redactErr(err)
	}
	a.Token = strings.TrimSpace(a.Token)
	if a.Token == "" {
		msg := s.redact(strings.TrimSpace(a.Message))
		if msg == "" {
			msg = "none"
		}
		return "", "", s.client.BadResponse(req, "the token answer holds no token (message: %s)", msg)
	}
	return a.Token, a.Expire, nil
}

// authError is a refused token. It keeps the HTTP failure's description
// (method, path, status) and nothing from the request headers.
func (s *Source) authError(what string, cause error, secrets ...string) error {
	var fe *tracker.FetchError
	if errors.As(cause, &fe) && fe.Err != nil {
		return &tracker.FetchError{Source: Name, Kind: tracker.ErrKindBadResponse,
			Err: fmt.Errorf("%s: %s", what, s.redact(fe.Err.Error(), secrets...))}
	}
	return &tracker.FetchError{Source: Name, Kind: tracker.ErrKindBadResponse, Err: errors.New(what)}
}

// redactErr returns err unchanged unless its text holds a token, which it
// should never do; then it returns a copy with the tokens masked.
func (s *Source) redactErr(err error, secrets ...string) error {
	if err == nil || s.redact(err.Error(), secrets...) == err.Error() {
		return err
	}
	var fe *tracker.FetchError
	if errors.As(err, &fe) {
		inner := ""
		if fe.Err != nil {
			inner = s.redact(fe.Err.Error(), secrets...)
		}
		return &tracker.FetchError{Source: Name, Kind: fe.Kind, RetryAfter: fe.RetryAfter, Err: errors.New(inner)}
	}
	return &tracker.FetchError{Source: Name, Kind: tracker.ErrKindUnavailable, Err: errors.New(s.redact(err.Error(), secrets...))}
}

// redact masks the API token and the given access tokens in text meant for
// an error, and caps its length.
func (s *Source) redact(text string, secrets ...string) string {
	for _, secret := range append([]string{s.apiToken}, secrets...) {
		if len(secret) >= 4 {
			text = strings.ReplaceAll(text, secret, "[redacted]")
		}
	}
	if r := []rune(text); len(r) > maxMessage {
		text = string(r[:maxMessage]) + "…"
	}
	return text
}

// untilMidnight is how long until the next day begins in Bangkok, when the
// API's daily count (track_count.track_date) starts again.
func untilMidnight(now time.Time) time.Duration {
	t := now.In(bangkok)
	next := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, bangkok)
	return next.Sub(now)
}

// statusKey carries a *int in a request's context that statusRecorder
// fills with the HTTP status of the answer. fetch.Client reports failures
// by kind only, and a 401 must be told apart to refresh the access token.
type statusKey struct{}

type statusRecorder struct{ base http.RoundTripper }

func (r statusRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	base := r.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err == nil {
		if p, ok := req.Context().Value(statusKey{}).(*int); ok {
			*p = resp.StatusCode
		}
	}
	return resp, err
}
