package seventeentrack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/todoku/todoku/tracker"
)

// testKey stands for the account's API key; no error or log line may hold it.
const testKey = "k3y-SECRET-17token-do-not-leak"

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func newTestSource(t *testing.T, baseURL string) *Source {
	t.Helper()
	s, err := New(Options{BaseURL: baseURL, Key: testKey, Rate: rate.Inf, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// call is one request the fake 17TRACK received.
type call struct {
	op    string
	items []item
}

// fake17 is a 17TRACK API that asserts every request is shaped as the
// documentation says and answers in the documented format. Registered
// numbers with data answer with the shared payload's tracking data.
type fake17 struct {
	t   *testing.T
	srv *httptest.Server

	mu         sync.Mutex
	calls      []call
	registered map[string]int  // number → carrier key
	withData   map[string]bool // registered numbers 17TRACK has data for
	reject     map[string]int  // register refusals: number → error code
	// fault, when set, answers instead of the fake's logic.
	fault http.HandlerFunc
}

func newFake(t *testing.T) *fake17 {
	f := &fake17{
		t:          t,
		registered: make(map[string]int),
		withData:   make(map[string]bool),
		reject:     make(map[string]int),
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// source returns a source pointed at the fake, logging into logs.
func (f *fake17) source(logs *logBuffer) *Source {
	f.t.Helper()
	o := Options{BaseURL: f.srv.URL + "/track/v2.2", Key: testKey, HTTP: f.srv.Client(), Rate: rate.Inf, Timeout: 5 * time.Second}
	if logs != nil {
		o.Logger = logs.logger()
	}
	s, err := New(o)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func (f *fake17) ops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.calls))
	for i, c := range f.calls {
		out[i] = fmt.Sprintf("%s:%d", c.op, len(c.items))
	}
	return out
}

func (f *fake17) callsTo(op string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.op == op {
			out = append(out, c)
		}
	}
	return out
}

func (f *fake17) serve(w http.ResponseWriter, r *http.Request) {
	t := f.t
	if r.Method != http.MethodPost {
		t.Errorf("%s %s: 17TRACK takes POST only", r.Method, r.URL.Path)
	}
	op, ok := strings.CutPrefix(r.URL.Path, "/track/v2.2/")
	if !ok || !slices.Contains([]string{"register", "gettrackinfo", "stoptrack", "retrack", "getquota"}, op) {
		t.Errorf("unexpected path %s", r.URL.Path)
		http.NotFound(w, r)
		return
	}
	if got := r.Header.Get("17token"); got != testKey {
		t.Errorf("%s: 17token header %q, want the key", op, got)
	}
	if r.URL.RawQuery != "" {
		t.Errorf("%s: unexpected query %q", op, r.URL.RawQuery)
	}
	body, _ := io.ReadAll(r.Body)
	var items []item
	if op == "getquota" {
		if len(body) != 0 {
			t.Errorf("getquota: body %q, want none", body)
		}
	} else {
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", op, ct)
		}
		var raw []map[string]any
		if err := json.Unmarshal(body, &raw); err != nil {
			t.Errorf("%s: body is not a JSON array of objects: %v: %s", op, err, body)
		}
		for _, m := range raw {
			for k := range m {
				if k != "number" && k != "carrier" {
					t.Errorf("%s: unexpected field %q", op, k)
				}
			}
		}
		if err := json.Unmarshal(body, &items); err != nil {
			t.Errorf("%s: %v", op, err)
		}
		if len(items) == 0 || len(items) > 40 {
			t.Errorf("%s: %d numbers in one call; 17TRACK takes 1 to 40", op, len(items))
		}
	}
	f.mu.Lock()
	f.calls = append(f.calls, call{op: op, items: items})
	fault := f.fault
	f.mu.Unlock()
	if fault != nil {
		fault(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(f.answer(op, items))
}

type rejected struct {
	Number string   `json:"number"`
	Error  apiError `json:"error"`
}

// answer is the fake's documented answer to op.
func (f *fake17) answer(op string, items []item) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	if op == "getquota" {
		return map[string]any{"code": 0, "data": map[string]any{
			"quota_total": 200, "quota_used": 42, "quota_remain": 158, "today_used": 3, "max_track_daily": 0,
			"free_email_quota": 300, "free_email_quotaused": 0,
		}}
	}
	accepted := []any{}
	rejects := []rejected{}
	for _, it := range items {
		_, reg := f.registered[it.Number]
		switch op {
		case "register":
			if code, ok := f.reject[it.Number]; ok {
				rejects = append(rejects, rejected{it.Number, apiError{code, "refused"}})
				continue
			}
			if reg {
				rejects = append(rejects, rejected{it.Number, apiError{codeAlreadyRegistered, "Tracking number " + it.Number + " is already registered."}})
				continue
			}
			key := it.Carrier
			if key == 0 {
				key = 3011 // what 17TRACK detected
			}
			f.registered[it.Number] = key
			accepted = append(accepted, map[string]any{"origin": 1, "number": it.Number, "carrier": key})
		case "gettrackinfo":
			if !reg {
				rejects = append(rejects, rejected{it.Number, apiError{codeNotRegistered, "Tracking number " + it.Number + " is not registered yet. Register first."}})
				continue
			}
			if it.Carrier != 0 && it.Carrier != f.registered[it.Number] {
				f.t.Errorf("gettrackinfo %s: carrier %d, registered with %d", it.Number, it.Carrier, f.registered[it.Number])
			}
			accepted = append(accepted, f.trackItem(it.Number))
		case "stoptrack", "retrack":
			if !reg {
				rejects = append(rejects, rejected{it.Number, apiError{codeNotRegistered, "not registered"}})
				continue
			}
			accepted = append(accepted, map[string]any{"number": it.Number, "carrier": f.registered[it.Number]})
		}
	}
	return map[string]any{"code": 0, "data": map[string]any{"accepted": accepted, "rejected": rejects}}
}

// trackItem answers for a registered number: the shared payload's data, or
// no events yet.
func (f *fake17) trackItem(number string) any {
	if !f.withData[number] {
		return map[string]any{"number": number, "carrier": f.registered[number], "tag": nil, "track_info": map[string]any{
			"latest_status": map[string]any{"status": "NotFound", "sub_status": "NotFound_Other", "sub_status_descr": nil},
			"tracking":      map[string]any{"providers_hash": 0, "providers": []any{}},
		}}
	}
	var doc struct {
		Data struct {
			Accepted []map[string]any `json:"accepted"`
		} `json:"data"`
	}
	if err := json.Unmarshal(readShared(f.t, "17track-v2.2-gettrackinfo.json"), &doc); err != nil {
		f.t.Fatal(err)
	}
	it := doc.Data.Accepted[0]
	it["number"] = number
	it["carrier"] = f.registered[number]
	return it
}

func lpNumber(i int) string { return fmt.Sprintf("LP%014d", i) }

func fetchNumbers(t *testing.T, s *Source, numbers ...string) []tracker.Result {
	t.Helper()
	qs := make([]tracker.Query, len(numbers))
	for i, n := range numbers {
		qs[i] = tracker.Query{Number: n}
	}
	rs, err := s.Fetch(context.Background(), qs)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if len(rs) != len(numbers) {
		t.Fatalf("got %d results for %d numbers", len(rs), len(numbers))
	}
	for i, r := range rs {
		if r.Number != numbers[i] {
			t.Fatalf("result %d is for %q, want %q (query order)", i, r.Number, numbers[i])
		}
	}
	return rs
}

func TestNew(t *testing.T) {
	for _, key := range []string{"", "  ", "bad key", "bad\nkey"} {
		if _, err := New(Options{Key: key}); err == nil {
			t.Errorf("New with key %q: no error", key)
		} else if key != "" && strings.Contains(err.Error(), key) {
			t.Errorf("the error holds the key: %v", err)
		}
	}
	s, err := New(Options{Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "17track" || s.BatchSize() != 40 {
		t.Errorf("Name %q, BatchSize %d", s.Name(), s.BatchSize())
	}
	var _ tracker.Source = s
}

func TestFetchRegistersOnceThenReads(t *testing.T) {
	f := newFake(t)
	s := f.source(nil)
	lp, jp := "LP00123456789012", s10("RR", "12345678", "JP")
	f.withData[lp] = true

	rs := fetchNumbers(t, s, lp, jp)
	if got, want := f.ops(), []string{"register:2", "gettrackinfo:2"}; !slices.Equal(got, want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
	reg := f.callsTo("register")[0].items
	if want := []item{{lp, 190271}, {jp, 10021}}; !slices.Equal(reg, want) {
		t.Errorf("register body %v, want %v", reg, want)
	}
	if got := f.callsTo("gettrackinfo")[0].items; !slices.Equal(got, reg) {
		t.Errorf("gettrackinfo body %v, want the registered carriers %v", got, reg)
	}
	if r := rs[0]; r.Error != "" || len(r.Events) != 5 || r.Carrier != tracker.CarrierCainiao || tracker.StageOf(r.Events) != tracker.StageDelivered {
		t.Errorf("result with data = %+v", r)
	}
	if r := rs[1]; r.Error != tracker.ErrKindNotFound || r.NextCheck != freshWait {
		t.Errorf("just registered, no data yet: %+v", r)
	}

	// Next time both are known: no registration, and no "just registered" hint.
	rs = fetchNumbers(t, s, jp, lp)
	if got, want := f.ops(), []string{"register:2", "gettrackinfo:2", "gettrackinfo:2"}; !slices.Equal(got, want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
	if r := rs[0]; r.Error != tracker.ErrKindNotFound || r.NextCheck != 0 {
		t.Errorf("still no data: %+v", r)
	}
}

func TestFetchAutoDetectedCarrierIsReused(t *testing.T) {
	f := newFake(t)
	s := f.source(nil)
	cn := s10("RB", "00401060", "CN") // China Post or Cainiao: 17TRACK decides
	fetchNumbers(t, s, cn)
	if got := f.callsTo("register")[0].items; !slices.Equal(got, []item{{cn, 0}}) {
		t.Errorf("register body %v: the carrier is left to 17TRACK", got)
	}
	if got := f.callsTo("gettrackinfo")[0].items; !slices.Equal(got, []item{{cn, 3011}}) {
		t.Errorf("gettrackinfo body %v: the carrier 17TRACK detected is sent back", got)
	}
}

func TestFetchSplitsBatches(t *testing.T) {
	f := newFake(t)
	s := f.source(nil)
	var numbers []string
	for i := range 95 {
		numbers = append(numbers, lpNumber(i))
		if i%3 == 0 {
			f.withData[lpNumber(i)] = true
		}
	}
	numbers = append(numbers, lpNumber(7)) // a duplicate query is answered, not sent twice
	rs := fetchNumbers(t, s, numbers...)
	want := []string{"register:40", "register:40", "register:15", "gettrackinfo:40", "gettrackinfo:40", "gettrackinfo:15"}
	if got := f.ops(); !slices.Equal(got, want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
	for i, r := range rs {
		withData := f.withData[r.Number]
		if withData != (r.Error == "") {
			t.Errorf("result %d (%s): error %q, has data %v", i, r.Number, r.Error, withData)
		}
	}
}

func TestFetchAlreadyRegisteredIsSuccess(t *testing.T) {
	f := newFake(t)
	lp := "LP00123456789012"
	f.registered[lp] = 190271 // registered before this process started
	f.withData[lp] = true
	var logs logBuffer
	s := f.source(&logs)
	rs := fetchNumbers(t, s, lp)
	if rs[0].Error != "" || len(rs[0].Events) == 0 {
		t.Errorf("result %+v", rs[0])
	}
	fetchNumbers(t, s, lp)
	if got, want := f.ops(), []string{"register:1", "gettrackinfo:1", "gettrackinfo:1"}; !slices.Equal(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
}

func TestFetchRejectedNumbers(t *testing.T) {
	f := newFake(t)
	s := f.source(nil)
	good, invalid, undetected := lpNumber(1), lpNumber(2), lpNumber(3)
	f.reject[invalid] = -18010012
	f.reject[undetected] = -18019903
	f.withData[good] = true
	rs := fetchNumbers(t, s, invalid, good, undetected)
	for _, i := range []int{0, 2} {
		if rs[i].Error != tracker.ErrKindNotFound || rs[i].NextCheck != 0 {
			t.Errorf("refused number: %+v", rs[i])
		}
	}
	if rs[1].Error != "" {
		t.Errorf("good number: %+v", rs[1])
	}
	if got := f.callsTo("gettrackinfo")[0].items; !slices.Equal(got, []item{{good, 190271}}) {
		t.Errorf("gettrackinfo asked for %v; refused numbers are not asked", got)
	}
	// Refused numbers are tried again next time: they may become valid.
	fetchNumbers(t, s, invalid)
	if got := len(f.callsTo("register")); got != 2 {
		t.Errorf("%d register calls, want 2", got)
	}
}

func TestFetchForgottenNumberIsRegisteredAgain(t *testing.T) {
	f := newFake(t)
	s := f.source(nil)
	lp := lpNumber(1)
	fetchNumbers(t, s, lp)
	f.mu.Lock()
	delete(f.registered, lp) // deleted on 17TRACK's side
	f.mu.Unlock()
	rs := fetchNumbers(t, s, lp)
	if rs[0].Error != tracker.ErrKindNotFound || rs[0].NextCheck != unregisteredWait {
		t.Errorf("result %+v", rs[0])
	}
	fetchNumbers(t, s, lp)
	if got, want := f.ops(), []string{"register:1", "gettrackinfo:1", "gettrackinfo:1", "register:1", "gettrackinfo:1"}; !slices.Equal(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
}

func TestFetchQuotaExhausted(t *testing.T) {
	f := newFake(t)
	var logs logBuffer
	s := f.source(&logs)
	known, fresh := lpNumber(1), lpNumber(2)
	f.withData[known] = true
	fetchNumbers(t, s, known)
	f.reject[fresh] = codeQuotaExhausted

	// Known numbers are still read; the new one carries the quota kind.
	rs := fetchNumbers(t, s, fresh, known)
	if rs[0].Error != tracker.ErrKindQuota || rs[1].Error != "" {
		t.Errorf("results %+v", rs)
	}
	if !strings.Contains(logs.String(), "quota") {
		t.Errorf("no warning logged:\n%s", logs.String())
	}

	// Only new numbers: the fetch fails as a whole.
	_, err := s.Fetch(context.Background(), []tracker.Query{{Number: fresh}})
	var fe *tracker.FetchError
	if !errors.As(err, &fe) || fe.Kind != tracker.ErrKindQuota {
		t.Fatalf("err = %v, want a quota FetchError", err)
	}
	if !strings.Contains(err.Error(), "quota is used up") {
		t.Errorf("unclear message: %v", err)
	}
}

func TestRegistryIsBounded(t *testing.T) {
	f := newFake(t)
	s := f.source(nil)
	s.reg.max = 3
	for i := range 5 {
		fetchNumbers(t, s, lpNumber(i))
	}
	if n := s.reg.len(); n != 3 {
		t.Errorf("registry holds %d numbers, want 3", n)
	}
	if s.reg.has(lpNumber(0)) || !s.reg.has(lpNumber(4)) {
		t.Error("the oldest numbers are forgotten first")
	}
	// A forgotten number is registered again; 17TRACK says it already is.
	rs := fetchNumbers(t, s, lpNumber(0))
	if rs[0].Error != tracker.ErrKindNotFound {
		t.Errorf("result %+v", rs[0])
	}
	if !s.reg.has(lpNumber(0)) {
		t.Error("an already registered number is remembered")
	}
	for range 20 { // forget and re-add churn keeps the queue bounded
		s.reg.forget(lpNumber(4))
		s.reg.add(lpNumber(4), 1)
	}
	if len(s.reg.order) > 2*s.reg.max+1 {
		t.Errorf("the queue grew to %d", len(s.reg.order))
	}
}

func TestRegisterStopRetrack(t *testing.T) {
	f := newFake(t)
	s := f.source(nil)
	ctx := context.Background()
	a, b := lpNumber(1), lpNumber(2)
	f.registered[b] = 190271
	if err := s.Register(ctx, []string{a, " lp0000-0000-0000-02 ", a}); err != nil {
		t.Fatalf("Register: %v", err)
	}
	if got := f.callsTo("register")[0].items; !slices.Equal(got, []item{{a, 190271}, {b, 190271}}) {
		t.Errorf("register body %v", got)
	}
	if err := s.Stop(ctx, []string{a, b}); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := s.Retrack(ctx, []string{a}); err != nil {
		t.Fatalf("Retrack: %v", err)
	}
	if got, want := f.ops(), []string{"register:2", "stoptrack:2", "retrack:1"}; !slices.Equal(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
	if got := f.callsTo("stoptrack")[0].items; !slices.Equal(got, []item{{a, 190271}, {b, 190271}}) {
		t.Errorf("stoptrack body %v", got)
	}

	// Benign refusals are successes; others are errors naming the number.
	f.fault = func(w http.ResponseWriter, r *http.Request) {
		code := codeStopTracked
		if strings.HasSuffix(r.URL.Path, "/retrack") {
			code = codeRetrackStopped
		}
		fmt.Fprintf(w, `{"code":0,"data":{"accepted":[],"rejected":[{"number":%q,"error":{"code":%d,"message":"no"}}]}}`, a, code)
	}
	if err := s.Stop(ctx, []string{a}); err != nil {
		t.Errorf("Stop of a stopped number: %v", err)
	}
	if err := s.Retrack(ctx, []string{a}); err != nil {
		t.Errorf("Retrack of a tracked number: %v", err)
	}
	f.fault = func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"code":0,"data":{"accepted":[],"rejected":[{"number":%q,"error":{"code":-18019905,"message":"Each number can only be retracked once."}}]}}`, a)
	}
	err := s.Retrack(ctx, []string{a})
	if err == nil || !strings.Contains(err.Error(), a) || !strings.Contains(err.Error(), "-18019905") {
		t.Errorf("Retrack refused: %v", err)
	}
	f.fault = func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"code":0,"data":{"accepted":[],"rejected":[{"number":%q,"error":{"code":-18019907,"message":"daily"}}]}}`, a)
	}
	var fe *tracker.FetchError
	if err := s.Register(ctx, []string{a}); !errors.As(err, &fe) || fe.Kind != tracker.ErrKindQuota {
		t.Errorf("Register over the daily limit: %v", err)
	}
}

func TestQuota(t *testing.T) {
	f := newFake(t)
	s := f.source(nil)
	q, err := s.Quota(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := (Quota{Total: 200, Used: 42, Remaining: 158, TodayUsed: 3}); q != want {
		t.Errorf("Quota = %+v, want %+v", q, want)
	}
	if got := f.ops(); !slices.Equal(got, []string{"getquota:0"}) {
		t.Errorf("calls %v", got)
	}
}

// TestFaults provokes every failure path and checks its kind, and that
// neither the error nor the logs hold the key, even when 17TRACK echoes it.
func TestFaults(t *testing.T) {
	echo := func(status, code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"code":%d,"data":{"errors":[{"code":%d,"message":"Security key %s refused."}]}}`, code, code, testKey)
		}
	}
	reject := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var items []item
			// The body was read by the fake; answer for a fixed number.
			_ = items
			fmt.Fprintf(w, `{"code":0,"data":{"accepted":[],"rejected":[{"number":"LP00000000000001","error":{"code":%d,"message":"number for key %s"}}]}}`, code, testKey)
		}
	}
	tests := []struct {
		name  string
		fault http.HandlerFunc
		kind  string
		retry time.Duration
	}{
		{"429 with Retry-After", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprintf(w, `{"code":429,"data":{"errors":[{"code":429,"message":"Too many requests."}]}}`)
		}, tracker.ErrKindRateLimited, 3 * time.Second},
		{"500", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
		}, tracker.ErrKindUnavailable, 0},
		{"503", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}, tracker.ErrKindUnavailable, 0},
		{"HTML page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<!doctype html><title>Maintenance</title>")
		}, tracker.ErrKindBadResponse, 0},
		{"truncated JSON", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"code":0,"data":{"accepted":[{"number":"LP0`)
		}, tracker.ErrKindBadResponse, 0},
		{"data of the wrong shape", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"code":0,"data":[1,2]}`)
		}, tracker.ErrKindBadResponse, 0},
		{"HTTP 401 wrong key", echo(http.StatusUnauthorized, codeInvalidKey), tracker.ErrKindQuota, 0},
		{"code: invalid key", echo(http.StatusOK, codeInvalidKey), tracker.ErrKindQuota, 0},
		{"code: IP not whitelisted", echo(http.StatusOK, codeIPNotAllowed), tracker.ErrKindQuota, 0},
		{"code: account disabled", echo(http.StatusOK, codeAccountDisabled), tracker.ErrKindQuota, 0},
		{"code: internal error", echo(http.StatusOK, codeInternal), tracker.ErrKindUnavailable, 0},
		{"code: invalid data", echo(http.StatusOK, -18010013), tracker.ErrKindBadResponse, 0},
		{"code: 429 in the body", echo(http.StatusOK, 429), tracker.ErrKindRateLimited, 0},
		{"quota exhausted", reject(codeQuotaExhausted), tracker.ErrKindQuota, 0},
		{"daily limit", reject(codeDailyLimit), tracker.ErrKindQuota, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.fault = tt.fault
			var logs logBuffer
			s := f.source(&logs)
			check := func(what string, err error) {
				t.Helper()
				var fe *tracker.FetchError
				if !errors.As(err, &fe) {
					t.Fatalf("%s: err = %v, want a *tracker.FetchError", what, err)
				}
				if fe.Kind != tt.kind || fe.RetryAfter != tt.retry || fe.Source != "17track" {
					t.Errorf("%s: kind %q retry %v, want %q %v (%v)", what, fe.Kind, fe.RetryAfter, tt.kind, tt.retry, err)
				}
				if strings.Contains(err.Error(), testKey) {
					t.Errorf("%s: the error holds the key: %v", what, err)
				}
			}
			_, err := s.Fetch(context.Background(), []tracker.Query{{Number: "LP00000000000001"}})
			check("Fetch", err)
			check("Register", s.Register(context.Background(), []string{"LP00000000000001"}))
			if !strings.HasPrefix(tt.name, "quota") && tt.name != "daily limit" {
				_, err = s.Quota(context.Background())
				check("Quota", err)
				check("Stop", s.Stop(context.Background(), []string{"LP00000000000001"}))
			}
			if strings.Contains(logs.String(), testKey) {
				t.Errorf("the logs hold the key:\n%s", logs.String())
			}
		})
	}
}

func TestNetworkFailureHoldsNoKey(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	url := srv.URL
	srv.Close() // nothing listens there any more
	var logs logBuffer
	s, err := New(Options{BaseURL: url, Key: testKey, Rate: rate.Inf, Logger: logs.logger()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Fetch(context.Background(), []tracker.Query{{Number: "LP00000000000001"}})
	var fe *tracker.FetchError
	if !errors.As(err, &fe) || fe.Kind != tracker.ErrKindUnavailable {
		t.Fatalf("err = %v, want unavailable", err)
	}
	if strings.Contains(err.Error(), testKey) || strings.Contains(logs.String(), testKey) {
		t.Errorf("the key leaked: %v\n%s", err, logs.String())
	}
}

func TestFetchHonoursContext(t *testing.T) {
	f := newFake(t)
	s := f.source(nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Fetch(ctx, []tracker.Query{{Number: lpNumber(1)}}); err == nil {
		t.Fatal("Fetch with a cancelled context succeeded")
	}
	if got := f.ops(); len(got) != 0 {
		t.Errorf("calls %v after cancellation", got)
	}
}

func TestUnknownStatusIsLoggedOnce(t *testing.T) {
	f := newFake(t)
	var logs logBuffer
	s := f.source(&logs)
	lp := lpNumber(1)
	f.registered[lp] = 190271
	f.fault = func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/register") {
			fmt.Fprintf(w, `{"code":0,"data":{"accepted":[{"number":%q,"carrier":190271}],"rejected":[]}}`, lp)
			return
		}
		fmt.Fprintf(w, `{"code":0,"data":{"accepted":[{"number":%q,"carrier":190271,"track_info":{"latest_status":{"status":"InTransit","sub_status":"InTransit_Hyperloop"},"tracking":{"providers":[{"provider":{"key":190271,"name":"Cainiao"},"events":[{"time_utc":"2026-03-02T00:00:00Z","description":"Boarded","stage":"InTransit_Hyperloop"}]}]}}}],"rejected":[]}}`, lp)
	}
	for range 3 {
		rs := fetchNumbers(t, s, lp)
		if rs[0].Events[0].Stage != tracker.StageInTransit || rs[0].Events[0].Code != "InTransit_Hyperloop" {
			t.Fatalf("event %+v", rs[0].Events[0])
		}
	}
	if n := strings.Count(logs.String(), "InTransit_Hyperloop"); n != 1 {
		t.Errorf("the unknown code was logged %d times, want once:\n%s", n, logs.String())
	}
}

func TestScrubKeepsKindAndDropsKey(t *testing.T) {
	s := newTestSource(t, "http://127.0.0.1:1")
	in := &tracker.FetchError{Source: Name, Kind: tracker.ErrKindRateLimited, RetryAfter: 3 * time.Second,
		Err: errors.New("upstream said: bad token " + testKey)}
	err := s.scrub(in)
	var fe *tracker.FetchError
	if !errors.As(err, &fe) || fe.Kind != tracker.ErrKindRateLimited || fe.RetryAfter != 3*time.Second {
		t.Errorf("scrub = %#v", err)
	}
	if strings.Contains(err.Error(), testKey) || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("scrub = %v", err)
	}
	if plain := errors.New("no secret here"); s.scrub(plain) != plain {
		t.Error("an error without the key is returned as is")
	}
	if got := s.explain(-1, strings.Repeat("x", 300)); len(got) > 210 {
		t.Errorf("long messages are cut: %d bytes", len(got))
	}
	if got := s.explain(-1, ""); got != "no message" {
		t.Errorf("explain of nothing = %q", got)
	}
}
