package seventeentrack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/fetch"
)

// Name is the source ID.
const Name = "17track"

// DefaultBaseURL is 17TRACK's API v2.2 endpoint.
const DefaultBaseURL = "https://api.17track.net/track/v2.2"

// DefaultRate is 17TRACK's documented limit: 3 requests a second per key.
const DefaultRate rate.Limit = 3

// maxBatch is the most numbers 17TRACK accepts in one call.
const maxBatch = 40

// maxRegistered bounds the set of numbers known to be registered. A number
// that falls out is registered again when next fetched, which 17TRACK
// answers "already registered" at no cost.
const maxRegistered = 100_000

// Hints for the next check of a number 17TRACK has no data for yet.
const (
	freshWait        = 10 * time.Minute // just registered: 17TRACK fetches it within minutes
	unregisteredWait = 5 * time.Minute  // 17TRACK forgot it: register it again soon
)

// Options configure a Source.
type Options struct {
	// BaseURL defaults to DefaultBaseURL; tests point it at httptest.
	BaseURL string
	// Key is the 17token, the account's API key. It is a secret: it is
	// sent in a request header only and never logged or put in an error.
	Key string
	// HTTP is the client to use; nil means a fresh one.
	HTTP *http.Client
	// Rate is the most requests a second; 0 means DefaultRate.
	Rate rate.Limit
	// Timeout bounds one request; 0 means the shared client's default.
	Timeout time.Duration
	// Logger receives warnings (quota used up, unknown status codes);
	// nil discards them.
	Logger *slog.Logger
}

// Source is the 17TRACK source. It is safe for concurrent use.
type Source struct {
	key    string
	client *fetch.Client
	log    *slog.Logger
	reg    *registry

	mu      sync.Mutex
	unknown map[string]bool // status words already logged
}

var _ tracker.Source = (*Source)(nil)

// New returns a 17TRACK source. It fails when the key is missing.
func New(o Options) (*Source, error) {
	if strings.TrimSpace(o.Key) == "" {
		return nil, errors.New("seventeentrack: an API key is required")
	}
	for i := 0; i < len(o.Key); i++ {
		if c := o.Key[i]; c <= ' ' || c >= 0x7f {
			return nil, errors.New("seventeentrack: the API key holds characters an HTTP header cannot carry")
		}
	}
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	if o.Rate <= 0 {
		o.Rate = DefaultRate
	}
	hc := &http.Client{}
	if o.HTTP != nil {
		c := *o.HTTP
		hc = &c
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = statusRecorder{base: base}
	client, err := fetch.New(fetch.Config{
		Source:  Name,
		BaseURL: o.BaseURL,
		Timeout: o.Timeout,
		Rate:    o.Rate,
		Burst:   1,
		HTTP:    hc,
	})
	if err != nil {
		return nil, fmt.Errorf("seventeentrack: %w", err)
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Source{
		key:     o.Key,
		client:  client,
		log:     log.With(slog.String("component", "source"), slog.String("source", Name)),
		reg:     newRegistry(maxRegistered),
		unknown: make(map[string]bool),
	}, nil
}

// Name returns "17track".
func (s *Source) Name() string { return Name }

// BatchSize is 40, the most numbers one 17TRACK call takes.
func (s *Source) BatchSize() int { return maxBatch }

// Serves reports whether number is a canonical number whose shape Detect
// recognises, sandbox numbers aside: 17TRACK is the fallback for every
// carrier. A number whose check digit fails is left out, as registering a
// typo would spend quota on a parcel that does not exist.
func (s *Source) Serves(number string) bool {
	for _, c := range tracker.Detect(number) {
		if c.Number == number && c.Format != tracker.FormatSandbox && c.CheckDigit != tracker.CheckInvalid {
			return true
		}
	}
	return false
}

// item is one number in a request body.
type item struct {
	Number  string `json:"number"`
	Carrier int    `json:"carrier,omitempty"`
}

// refusal is why 17TRACK refused one number.
type refusal struct {
	kind string
	code int
	text string
}

// Fetch registers the numbers this source has not registered yet (once:
// 17TRACK charges quota per registration), then reads every number with
// gettrackinfo, 40 to a call. It answers one result per query, in query
// order. A number without data yet carries the not_found kind, with a hint
// to check again soon when it was just registered; a number 17TRACK would
// not register because the quota is used up carries the quota kind, and
// when that is every number, Fetch fails with a quota FetchError.
func (s *Source) Fetch(ctx context.Context, qs []tracker.Query) ([]tracker.Result, error) {
	numbers := make([]string, 0, len(qs))
	seen := make(map[string]bool, len(qs))
	for _, q := range qs {
		n := tracker.Canonical(q.Number)
		if n != "" && !seen[n] {
			seen[n] = true
			numbers = append(numbers, n)
		}
	}

	var fresh []string
	for _, n := range numbers {
		if !s.reg.has(n) {
			fresh = append(fresh, n)
		}
	}
	refused := map[string]refusal{}
	if len(fresh) > 0 {
		var err error
		if refused, err = s.register(ctx, fresh); err != nil {
			return nil, err
		}
		if q := countKind(refused, tracker.ErrKindQuota); q > 0 {
			s.log.Warn("17TRACK would not register new numbers: the account's quota or daily limit is used up.",
				slog.Int("numbers", q))
		}
	}
	justRegistered := make(map[string]bool, len(fresh))
	for _, n := range fresh {
		if _, ok := refused[n]; !ok {
			justRegistered[n] = true
		}
	}

	answers := make(map[string]tracker.Result, len(numbers))
	var ask []string
	for _, n := range numbers {
		if rf, ok := refused[n]; ok {
			answers[n] = tracker.Result{Number: n, Source: Name, Error: rf.kind}
			continue
		}
		ask = append(ask, n)
	}
	for _, chunk := range chunks(ask, maxBatch) {
		items := make([]item, len(chunk))
		for i, n := range chunk {
			items[i] = item{Number: n, Carrier: s.reg.carrier(n)}
		}
		var data batch[trackItem]
		if err := s.call(ctx, "gettrackinfo", items, &data); err != nil {
			return nil, err
		}
		for _, it := range data.Accepted {
			r := toResult(it, s.logUnknown)
			if r.Number == "" {
				continue
			}
			s.reg.add(r.Number, int(it.Carrier))
			answers[r.Number] = r
		}
		for _, rj := range data.Rejected {
			n := tracker.Canonical(rj.Number)
			r := tracker.Result{Number: n, Source: Name, Error: codeKind(rj.Error.Code)}
			if rj.Error.Code == codeNotRegistered {
				s.reg.forget(n)
				r.NextCheck = unregisteredWait
			}
			answers[n] = r
		}
	}

	out := make([]tracker.Result, 0, len(qs))
	quota := 0
	for _, q := range qs {
		n := tracker.Canonical(q.Number)
		r, ok := answers[n]
		if !ok {
			r = tracker.Result{Source: Name, Error: tracker.ErrKindNotFound}
		}
		if r.Error == tracker.ErrKindNotFound && justRegistered[n] && r.NextCheck == 0 {
			r.NextCheck = freshWait
		}
		if r.Error == tracker.ErrKindQuota {
			quota++
		}
		r.Number = q.Number
		out = append(out, r)
	}
	if quota > 0 && quota == len(out) {
		return nil, &tracker.FetchError{Source: Name, Kind: tracker.ErrKindQuota,
			Err: errors.New("17TRACK would not register the numbers: " + quotaText(refused))}
	}
	return out, nil
}

// Register registers numbers with 17TRACK so that it starts tracking them
// (and pushes their changes to the webhook). A number already registered is
// a success. It fails with a quota FetchError when the account's quota or
// daily limit is used up, and with a not_found FetchError naming the
// numbers 17TRACK found invalid.
func (s *Source) Register(ctx context.Context, numbers []string) error {
	refused, err := s.register(ctx, canonicalAll(numbers))
	if err != nil {
		return err
	}
	return refusalsError("register", refused)
}

// register registers numbers and remembers those 17TRACK accepted or
// already had. It returns the numbers 17TRACK refused, and an error when a
// call failed as a whole.
func (s *Source) register(ctx context.Context, numbers []string) (map[string]refusal, error) {
	refused := map[string]refusal{}
	for _, chunk := range chunks(numbers, maxBatch) {
		items := make([]item, len(chunk))
		for i, n := range chunk {
			items[i] = item{Number: n, Carrier: keyFor(n)}
		}
		var data batch[struct {
			Number  string  `json:"number"`
			Carrier flexInt `json:"carrier"`
		}]
		if err := s.call(ctx, "register", items, &data); err != nil {
			return refused, err
		}
		for _, a := range data.Accepted {
			s.reg.add(tracker.Canonical(a.Number), int(a.Carrier))
		}
		for _, rj := range data.Rejected {
			n := tracker.Canonical(rj.Number)
			if rj.Error.Code == codeAlreadyRegistered {
				key := int(rj.Carrier)
				if key == 0 {
					key = keyFor(n)
				}
				s.reg.add(n, key)
				continue
			}
			refused[n] = s.refusal(rj.Error)
		}
	}
	return refused, nil
}

// Stop asks 17TRACK to stop tracking numbers (stoptrack), for parcels that
// are delivered or no longer followed. A number already stopped is a
// success. A stopped number can still be read for a while, and retracked
// once.
func (s *Source) Stop(ctx context.Context, numbers []string) error {
	return s.simple(ctx, "stoptrack", canonicalAll(numbers), codeStopTracked)
}

// Retrack asks 17TRACK to resume tracking stopped numbers (retrack; 17TRACK
// allows it once per number). A number still being tracked is a success.
func (s *Source) Retrack(ctx context.Context, numbers []string) error {
	return s.simple(ctx, "retrack", canonicalAll(numbers), codeRetrackStopped)
}

// simple sends numbers to op, treating rejections with the benign code as
// success.
func (s *Source) simple(ctx context.Context, op string, numbers []string, benign int) error {
	refused := map[string]refusal{}
	for _, chunk := range chunks(numbers, maxBatch) {
		items := make([]item, len(chunk))
		for i, n := range chunk {
			items[i] = item{Number: n, Carrier: s.reg.carrier(n)}
		}
		var data batch[json.RawMessage]
		if err := s.call(ctx, op, items, &data); err != nil {
			return err
		}
		for _, rj := range data.Rejected {
			if rj.Error.Code != benign {
				refused[tracker.Canonical(rj.Number)] = s.refusal(rj.Error)
			}
		}
	}
	return refusalsError(op, refused)
}

// Quota is the account's tracking quota, as getquota reports it.
type Quota struct {
	Total         int `json:"quota_total"`
	Used          int `json:"quota_used"`
	Remaining     int `json:"quota_remain"`
	TodayUsed     int `json:"today_used"`
	MaxTrackDaily int `json:"max_track_daily"` // registrations a day; 0 means no limit
}

// Quota reads the account's quota (getquota, which costs nothing).
func (s *Source) Quota(ctx context.Context) (Quota, error) {
	var q Quota
	if err := s.call(ctx, "getquota", nil, &q); err != nil {
		return Quota{}, err
	}
	return q, nil
}

// call sends body to op and decodes the data of a successful answer into
// out. Every failure is a *tracker.FetchError whose text never holds the key.
func (s *Source) call(ctx context.Context, op string, body, out any) error {
	slot := new(statusSlot)
	ctx = context.WithValue(ctx, statusKey{}, slot)
	req, err := s.client.Request(ctx, http.MethodPost, op, nil, body)
	if err != nil {
		return s.scrub(&tracker.FetchError{Source: Name, Kind: tracker.ErrKindBadResponse, Err: err})
	}
	req.Header.Set("17token", s.key)
	var env struct {
		Code int             `json:"code"`
		Data json.RawMessage `json:"data"`
	}
	if err := s.client.JSON(req, &env); err != nil {
		var fe *tracker.FetchError
		if slot.code.Load() == http.StatusUnauthorized && errors.As(err, &fe) {
			// 17TRACK answers 401 for a wrong key, an IP off the whitelist
			// or a disabled account: nothing to retry soon.
			return s.scrub(&tracker.FetchError{Source: Name, Kind: tracker.ErrKindQuota,
				Err: fmt.Errorf("17TRACK refused the account (check the API key, the IP whitelist and that the account is enabled): %w", fe.Err)})
		}
		return s.scrub(err)
	}
	if env.Code != 0 {
		var d struct {
			Errors []apiError `json:"errors"`
		}
		_ = json.Unmarshal(env.Data, &d) // the code alone is enough
		msg := ""
		if len(d.Errors) > 0 {
			msg = d.Errors[0].Message
		}
		kind := codeKind(env.Code)
		if kind == tracker.ErrKindNotFound {
			kind = tracker.ErrKindBadResponse // a refused request, not an unknown number
		}
		return s.scrub(&tracker.FetchError{Source: Name, Kind: kind,
			Err: fmt.Errorf("%s %s: 17TRACK answered code %d: %s", req.Method, req.URL.Path, env.Code, s.explain(env.Code, msg))})
	}
	if out != nil {
		if err := json.Unmarshal(env.Data, out); err != nil {
			return s.scrub(s.client.BadResponse(req, "decoding the data: %w", err))
		}
	}
	return nil
}

// refusal turns a per-number error into a refusal.
func (s *Source) refusal(e apiError) refusal {
	return refusal{kind: codeKind(e.Code), code: e.Code, text: s.explain(e.Code, e.Message)}
}

// explain describes a 17TRACK error code, in Todoku's words for the codes
// it acts on, else in 17TRACK's (with the key removed, should 17TRACK ever
// echo it).
func (s *Source) explain(code int, msg string) string {
	if t, ok := codeText[code]; ok {
		return t
	}
	msg = s.redact(strings.TrimSpace(msg))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	if msg == "" {
		return "no message"
	}
	return msg
}

func (s *Source) redact(text string) string {
	return strings.ReplaceAll(text, s.key, "[redacted]")
}

// scrub makes sure no error leaves the source with the key in its text.
func (s *Source) scrub(err error) error {
	if err == nil || !strings.Contains(err.Error(), s.key) {
		return err
	}
	fe := &tracker.FetchError{Source: Name, Kind: tracker.ErrKindBadResponse}
	var inner *tracker.FetchError
	if errors.As(err, &inner) {
		fe.Kind, fe.RetryAfter = inner.Kind, inner.RetryAfter
		if inner.Err != nil {
			err = inner.Err
		}
	}
	fe.Err = errors.New(s.redact(err.Error()))
	return fe
}

// logUnknown logs a status word Todoku does not know, once per word.
func (s *Source) logUnknown(code string) {
	if code == "" {
		return
	}
	s.mu.Lock()
	if s.unknown[code] || len(s.unknown) >= 1000 {
		s.mu.Unlock()
		return
	}
	s.unknown[code] = true
	s.mu.Unlock()
	s.log.Warn("17TRACK sent a status Todoku does not know; it is mapped to in transit or exception.",
		slog.String("code", code))
}

// refusalsError reports the numbers op could not handle, or nil. Its kind
// is quota when any refusal was about the quota.
func refusalsError(op string, refused map[string]refusal) error {
	if len(refused) == 0 {
		return nil
	}
	numbers := make([]string, 0, len(refused))
	for n := range refused {
		numbers = append(numbers, n)
	}
	sort.Strings(numbers)
	kind := refused[numbers[0]].kind
	for _, n := range numbers {
		if refused[n].kind == tracker.ErrKindQuota {
			kind = tracker.ErrKindQuota
		}
	}
	var b strings.Builder
	for i, n := range numbers {
		if i == 5 {
			fmt.Fprintf(&b, "; and %d more", len(numbers)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		rf := refused[n]
		fmt.Fprintf(&b, "%s: code %d: %s", n, rf.code, rf.text)
	}
	return &tracker.FetchError{Source: Name, Kind: kind,
		Err: fmt.Errorf("17TRACK refused %d of the numbers sent to %s: %s", len(numbers), op, b.String())}
}

// quotaText says why the quota refused, from the first quota refusal.
func quotaText(refused map[string]refusal) string {
	texts := make([]string, 0, 2)
	for _, rf := range refused {
		if rf.kind == tracker.ErrKindQuota && !contains(texts, rf.text) {
			texts = append(texts, rf.text)
		}
	}
	sort.Strings(texts)
	return strings.Join(texts, "; ")
}

func contains(ss []string, s string) bool {
	for _, v := range ss {
		if v == s {
			return true
		}
	}
	return false
}

func countKind(refused map[string]refusal, kind string) int {
	n := 0
	for _, rf := range refused {
		if rf.kind == kind {
			n++
		}
	}
	return n
}

func canonicalAll(numbers []string) []string {
	out := make([]string, 0, len(numbers))
	seen := make(map[string]bool, len(numbers))
	for _, n := range numbers {
		if n = tracker.Canonical(n); n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

func chunks(ss []string, size int) [][]string {
	var out [][]string
	for len(ss) > 0 {
		n := min(size, len(ss))
		out = append(out, ss[:n])
		ss = ss[n:]
	}
	return out
}

// statusKey carries a *statusSlot in a request's context.
type statusKey struct{}

// statusSlot records the HTTP status of the answer to one call, which the
// shared client does not report for failures.
type statusSlot struct{ code atomic.Int32 }

// statusRecorder is a transport that fills the request's status slot.
type statusRecorder struct{ base http.RoundTripper }

func (t statusRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err == nil {
		if slot, ok := req.Context().Value(statusKey{}).(*statusSlot); ok {
			slot.code.Store(int32(resp.StatusCode))
		}
	}
	return resp, err
}

// Pushes reports that 17TRACK pushes updates to the webhook for every
// registered number, so the poller only polls them as a fallback.
func (s *Source) Pushes() bool { return true }
