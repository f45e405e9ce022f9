package thailandpost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/todoku/todoku/tracker"
)

// apiToken is the long-lived token the fake accepts. Access tokens it issues
// start with accessPrefix. Both are checked against every error text.
const (
	apiToken     = "API-SECRET-X5RcT/DOF@ESK_RxMICNP8PTW=Dm"
	accessPrefix = "ACCESS-eyJ0eXAiOiJKV1Qi-"
)

// s10 returns a Thailand Post number with a valid check digit.
func s10(prefix string, serial int) string {
	digits := fmt.Sprintf("%08d", serial)
	weights := []int{8, 6, 4, 2, 3, 5, 9, 7}
	sum := 0
	for i := range 8 {
		sum += int(digits[i]-'0') * weights[i]
	}
	check := 11 - sum%11
	switch check {
	case 10:
		check = 0
	case 11:
		check = 5
	}
	return fmt.Sprintf("%s%s%dTH", prefix, digits, check)
}

// clock is a settable time source safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fake is the Track & Trace API. It asserts on every request the way the
// documentation describes it and answers in the documented shape: status
// lines in Thai with Buddhist-era dates for barcodes it knows, an empty list
// for the others.
type fake struct {
	t        *testing.T
	clock    *clock
	lifetime time.Duration // of issued access tokens
	lang     string        // expected in track requests
	known    map[string]bool
	// wrongTokenExpected turns off the assertion on the token request's
	// Authorization header; the fake still refuses a wrong token.
	wrongTokenExpected bool

	// Faults, when set, answer instead of the fake.
	tokenFault http.HandlerFunc
	trackFault http.HandlerFunc

	mu      sync.Mutex
	issued  []string        // access tokens, in order
	revoked map[string]bool // access tokens answered with 401
	batches [][]string      // barcodes of each track request
}

func newFake(t *testing.T, c *clock) (*fake, *httptest.Server) {
	f := &fake{t: t, clock: c, lifetime: 24 * time.Hour, lang: "TH", known: map[string]bool{}, revoked: map[string]bool{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fake) tokens() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.issued)
}

func (f *fake) tracks() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]string(nil), f.batches...)
}

func (f *fake) revoke(tok string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revoked[tok] = true
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		f.t.Errorf("%s %s, want POST", r.Method, r.URL.Path)
	}
	switch r.URL.Path {
	case "/post/api/v1/authenticate/token":
		f.token(w, r)
	case "/post/api/v1/track":
		f.track(w, r)
	default:
		f.t.Errorf("unexpected path %s", r.URL.Path)
		http.NotFound(w, r)
	}
}

func (f *fake) token(w http.ResponseWriter, r *http.Request) {
	if got := r.Header.Get("Authorization"); got != "Token "+apiToken {
		if !f.wrongTokenExpected {
			f.t.Errorf("token request Authorization = %q, want the API token", got)
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, "<html><body><h1>Unauthorized</h1></body></html>")
		return
	}
	if f.tokenFault != nil {
		f.tokenFault(w, r)
		return
	}
	f.mu.Lock()
	tok := fmt.Sprintf("%s%d", accessPrefix, len(f.issued)+1)
	f.issued = append(f.issued, tok)
	f.mu.Unlock()
	expire := f.clock.Now().Add(f.lifetime).In(bangkok).Format("2006-01-02 15:04:05-07:00")
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"expire": expire, "token": tok})
}

func (f *fake) track(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(auth, "Token ")
	f.mu.Lock()
	valid := ok && strings.HasPrefix(tok, accessPrefix) && !f.revoked[tok]
	issued := false
	for _, t := range f.issued {
		issued = issued || t == tok
	}
	f.mu.Unlock()
	if tok == apiToken {
		f.t.Errorf("track request sent the API token instead of an access token")
	}
	if !valid || !issued {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"detail":"Invalid token."}`)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.t.Errorf("track request Content-Type = %q", ct)
	}
	var req struct {
		Status   string   `json:"status"`
		Language string   `json:"language"`
		Barcode  []string `json:"barcode"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		f.t.Errorf("track request body: %v", err)
	}
	if req.Status != "all" || req.Language != f.lang || len(req.Barcode) == 0 || len(req.Barcode) > 100 {
		f.t.Errorf("track request = %+v, want status all, language %s, 1 to 100 barcodes", req, f.lang)
	}
	f.mu.Lock()
	f.batches = append(f.batches, req.Barcode)
	count := len(f.batches)
	f.mu.Unlock()
	if f.trackFault != nil {
		f.trackFault(w, r)
		return
	}
	items := make(map[string][]map[string]any, len(req.Barcode))
	for _, n := range req.Barcode {
		items[n] = []map[string]any{}
		if f.known[n] {
			items[n] = []map[string]any{
				line(n, "103", "รับฝาก", "19/07/2562 18:12:26+07:00"),
				line(n, "501", "นำจ่ายสำเร็จ", "22/07/2562 10:05:00+07:00"),
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"response": map[string]any{
			"items":       items,
			"track_count": map[string]any{"track_date": "19/07/2562", "count_number": count, "track_count_limit": 1500},
		},
		"message": "successful",
		"status":  true,
	})
}

func line(barcode, status, desc, date string) map[string]any {
	return map[string]any{
		"barcode": barcode, "status": status, "status_description": desc, "status_date": date,
		"location": "คต.กาดสวนแก้ว", "postcode": "00131",
		"delivery_status": nil, "delivery_description": nil, "delivery_datetime": nil,
		"receiver_name": nil, "signature": nil,
	}
}

var quiet = slog.New(slog.DiscardHandler)

func newSource(t *testing.T, url string, c *clock) *Source {
	t.Helper()
	s, err := New(Options{BaseURL: url, Token: apiToken, Rate: 1000, Timeout: 2 * time.Second, Now: c.Now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func queries(numbers ...string) []tracker.Query {
	qs := make([]tracker.Query, len(numbers))
	for i, n := range numbers {
		qs[i] = tracker.Query{Number: n}
	}
	return qs
}

// noSecrets fails the test if an error text holds the API token or any
// access token the fake issued.
func noSecrets(t *testing.T, f *fake, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	if strings.Contains(msg, apiToken) || strings.Contains(msg, accessPrefix) {
		t.Errorf("error leaks a token: %s", msg)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, tok := range f.issued {
		if strings.Contains(msg, tok) {
			t.Errorf("error leaks access token: %s", msg)
		}
	}
}

func fetchError(t *testing.T, err error, kind string) *tracker.FetchError {
	t.Helper()
	var fe *tracker.FetchError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a *tracker.FetchError", err)
	}
	if fe.Kind != kind || fe.Source != Name {
		t.Errorf("err = %v (kind %s), want kind %s from %s", err, fe.Kind, kind, Name)
	}
	return fe
}

func TestNew(t *testing.T) {
	if _, err := New(Options{Token: "  "}); err == nil {
		t.Error("New without a token succeeded")
	}
	if _, err := New(Options{Token: apiToken, Lang: "JP"}); err == nil {
		t.Error("New with language JP succeeded")
	} else if strings.Contains(err.Error(), apiToken) {
		t.Errorf("error leaks the token: %v", err)
	}
	if _, err := New(Options{Token: apiToken, BaseURL: "not a url"}); err == nil {
		t.Error("New with a relative base URL succeeded")
	}
	s, err := New(Options{Token: apiToken, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "thailand-post" || s.BatchSize() != 100 || s.lang != "EN" {
		t.Errorf("Name %q BatchSize %d lang %q", s.Name(), s.BatchSize(), s.lang)
	}
}

func TestServes(t *testing.T) {
	tests := []struct {
		number string
		want   bool
	}{
		{"ED852942182TH", true},
		{"EF123456785TH", true},
		{"RB234567895TH", true},
		{"EF123456784TH", false},    // wrong check digit
		{"ed852942182th", false},    // not canonical
		{"ED 852942182TH", false},   // not canonical
		{"RB123456785CN", false},    // China Post
		{"RX046927842JP", false},    // Japan Post
		{"LP00123456789012", false}, // Cainiao
		{"SBXTH0001", false},        // sandbox
		{"", false},
	}
	s, err := New(Options{Token: apiToken})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		if got := s.Serves(tt.number); got != tt.want {
			t.Errorf("Serves(%q) = %v, want %v", tt.number, got, tt.want)
		}
	}
}

func TestFetch(t *testing.T) {
	c := &clock{t: time.Date(2019, 7, 25, 9, 0, 0, 0, bangkok)}
	f, srv := newFake(t, c)
	delivered, unknown := s10("EF", 12345678), s10("RB", 23456789)
	f.known[delivered] = true
	s := newSource(t, srv.URL, c)

	rs, err := s.Fetch(context.Background(), queries(unknown, delivered, unknown))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || rs[0].Number != unknown || rs[1].Number != delivered || rs[2].Number != unknown {
		t.Fatalf("results are not one per query in order: %+v", rs)
	}
	if rs[0].Error != tracker.ErrKindNotFound || rs[2].Error != tracker.ErrKindNotFound {
		t.Errorf("unknown number = %+v, want not_found", rs[0])
	}
	r := rs[1]
	if r.Error != "" || r.Source != Name || r.Carrier != tracker.CarrierThailandPost || len(r.Events) != 2 {
		t.Fatalf("delivered number = %+v", r)
	}
	if got := tracker.StageOf(r.Events); got != tracker.StageDelivered {
		t.Errorf("stage = %s, want delivered", got)
	}
	if want := time.Date(2019, 7, 22, 3, 5, 0, 0, time.UTC); !r.Events[1].Time.Equal(want) {
		t.Errorf("delivery time = %v, want %v", r.Events[1].Time, want)
	}
	if got := f.tracks(); len(got) != 1 || len(got[0]) != 2 {
		t.Errorf("track requests = %v, want one with the two distinct barcodes", got)
	}
}

func TestFetchInEnglish(t *testing.T) {
	c := &clock{t: time.Now()}
	f, srv := newFake(t, c)
	f.lang = "EN"
	s, err := New(Options{BaseURL: srv.URL, Token: apiToken, Lang: "EN", Rate: 1000, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Fetch(context.Background(), queries(s10("EF", 1))); err != nil {
		t.Fatal(err)
	}
}

func TestTokenIsCachedUntilShortlyBeforeExpiry(t *testing.T) {
	c := &clock{t: time.Date(2024, 4, 1, 12, 0, 0, 0, bangkok)}
	f, srv := newFake(t, c)
	f.lifetime = time.Hour
	s := newSource(t, srv.URL, c)
	q := queries(s10("EF", 1))

	for range 3 {
		if _, err := s.Fetch(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.tokens(); n != 1 {
		t.Fatalf("%d token exchanges for three fetches, want 1", n)
	}

	c.Add(45 * time.Minute) // 15 minutes left: still good
	if _, err := s.Fetch(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	if n := f.tokens(); n != 1 {
		t.Fatalf("%d token exchanges with 15 minutes left, want 1", n)
	}

	c.Add(6 * time.Minute) // 9 minutes left: replace it
	if _, err := s.Fetch(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	if n := f.tokens(); n != 2 {
		t.Fatalf("%d token exchanges with 9 minutes left, want 2", n)
	}

	c.Add(2 * time.Hour) // long expired
	if _, err := s.Fetch(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	if n := f.tokens(); n != 3 {
		t.Fatalf("%d token exchanges after expiry, want 3", n)
	}
}

func TestShortLivedTokenIsStillCached(t *testing.T) {
	c := &clock{t: time.Date(2024, 4, 1, 12, 0, 0, 0, bangkok)}
	f, srv := newFake(t, c)
	f.lifetime = 4 * time.Minute // shorter than the refresh margin
	s := newSource(t, srv.URL, c)
	q := queries(s10("EF", 1))
	for range 2 {
		if _, err := s.Fetch(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.tokens(); n != 1 {
		t.Errorf("%d token exchanges, want 1", n)
	}
	c.Add(3 * time.Minute)
	if _, err := s.Fetch(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	if n := f.tokens(); n != 2 {
		t.Errorf("%d token exchanges past half the lifetime, want 2", n)
	}
}

func TestRefreshAfter401(t *testing.T) {
	c := &clock{t: time.Date(2024, 4, 1, 12, 0, 0, 0, bangkok)}
	f, srv := newFake(t, c)
	s := newSource(t, srv.URL, c)
	q := queries(s10("EF", 1))
	if _, err := s.Fetch(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	f.revoke(accessPrefix + "1") // the API forgets the token before its expiry

	rs, err := s.Fetch(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Error != tracker.ErrKindNotFound {
		t.Errorf("results = %+v", rs)
	}
	if n := f.tokens(); n != 2 {
		t.Errorf("%d token exchanges, want 2", n)
	}
	if n := len(f.tracks()); n != 2 {
		t.Errorf("%d track requests, want 2 (the refused one is not counted by the fake)", n)
	}
	if _, err := s.Fetch(context.Background(), q); err != nil || f.tokens() != 2 {
		t.Errorf("the new token was not kept: err %v, %d exchanges", err, f.tokens())
	}
}

func TestRefusedAfterRefresh(t *testing.T) {
	c := &clock{t: time.Date(2024, 4, 1, 12, 0, 0, 0, bangkok)}
	f, srv := newFake(t, c)
	f.trackFault = func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	}
	s := newSource(t, srv.URL, c)
	_, err := s.Fetch(context.Background(), queries(s10("EF", 1)))
	fetchError(t, err, tracker.ErrKindBadResponse)
	noSecrets(t, f, err)
	if n := f.tokens(); n != 2 {
		t.Errorf("%d token exchanges, want 2 (one refresh only)", n)
	}
	if n := len(f.tracks()); n != 2 {
		t.Errorf("%d track requests, want 2", n)
	}
}

func TestAPITokenRefused(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			c := &clock{t: time.Now()}
			f, srv := newFake(t, c)
			f.tokenFault = func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(status)
				fmt.Fprint(w, "<html><body><h1>Unauthorized</h1></body></html>")
			}
			s := newSource(t, srv.URL, c)
			_, err := s.Fetch(context.Background(), queries(s10("EF", 1)))
			fe := fetchError(t, err, tracker.ErrKindBadResponse)
			noSecrets(t, f, err)
			if !strings.Contains(err.Error(), "API token was refused") {
				t.Errorf("err = %v, want it to say the API token was refused", err)
			}
			if fe.RetryAfter != 0 {
				t.Errorf("RetryAfter = %v", fe.RetryAfter)
			}
			if n := len(f.tracks()); n != 0 {
				t.Errorf("%d track requests without an access token", n)
			}
		})
	}
}

func TestWrongAPITokenIsNeverEchoed(t *testing.T) {
	c := &clock{t: time.Now()}
	f, srv := newFake(t, c)
	f.wrongTokenExpected = true
	s, err := New(Options{BaseURL: srv.URL, Token: "WRONG-" + apiToken, Rate: 1000, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Fetch(context.Background(), queries(s10("EF", 1)))
	fetchError(t, err, tracker.ErrKindBadResponse)
	if strings.Contains(err.Error(), "WRONG-") || strings.Contains(err.Error(), apiToken) {
		t.Errorf("error leaks the token: %v", err)
	}
}

func TestBatches(t *testing.T) {
	c := &clock{t: time.Now()}
	f, srv := newFake(t, c)
	var numbers []string
	for i := range 250 {
		numbers = append(numbers, s10("EF", 10000000+i))
	}
	f.known[numbers[0]], f.known[numbers[249]] = true, true
	s := newSource(t, srv.URL, c)

	rs, err := s.Fetch(context.Background(), queries(numbers...))
	if err != nil {
		t.Fatal(err)
	}
	batches := f.tracks()
	if len(batches) != 3 || len(batches[0]) != 100 || len(batches[1]) != 100 || len(batches[2]) != 50 {
		t.Fatalf("batch sizes = %d requests, want 100+100+50", len(batches))
	}
	if batches[0][0] != numbers[0] || batches[2][49] != numbers[249] {
		t.Errorf("batches are not in query order")
	}
	if len(rs) != 250 {
		t.Fatalf("%d results, want 250", len(rs))
	}
	for i, r := range rs {
		if r.Number != numbers[i] {
			t.Fatalf("result %d is %s, want %s", i, r.Number, numbers[i])
		}
		found := r.Error == ""
		if found != f.known[r.Number] {
			t.Errorf("%s: error %q, known %v", r.Number, r.Error, f.known[r.Number])
		}
	}
	if n := f.tokens(); n != 1 {
		t.Errorf("%d token exchanges, want 1", n)
	}
}

func TestConcurrentFetchesShareOneToken(t *testing.T) {
	c := &clock{t: time.Now()}
	f, srv := newFake(t, c)
	s := newSource(t, srv.URL, c)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if _, err := s.Fetch(context.Background(), queries(s10("EF", i))); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := f.tokens(); n != 1 {
		t.Errorf("%d token exchanges, want 1", n)
	}
}

func TestFaults(t *testing.T) {
	html := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(status)
			fmt.Fprint(w, "<!doctype html><title>Maintenance</title>")
		}
	}
	body := func(status int, s string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprint(w, s)
		}
	}
	echo := func(w http.ResponseWriter, r *http.Request) {
		// A refusal that quotes the request's own header back.
		w.Header().Set("Content-Type", "application/json")
		msg, _ := json.Marshal("invalid request, header was " + r.Header.Get("Authorization"))
		fmt.Fprintf(w, `{"status":false,"message":%s}`, msg)
	}
	tests := []struct {
		name       string
		token      http.HandlerFunc
		track      http.HandlerFunc
		kind       string
		retry      time.Duration
		retryAtAll bool
	}{
		{name: "429 with Retry-After", track: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
		}, kind: tracker.ErrKindRateLimited, retry: 30 * time.Second},
		{name: "500", track: body(http.StatusInternalServerError, `{"detail":"error"}`), kind: tracker.ErrKindUnavailable},
		{name: "502 HTML", track: html(http.StatusBadGateway), kind: tracker.ErrKindUnavailable},
		{name: "200 HTML page", track: html(http.StatusOK), kind: tracker.ErrKindBadResponse},
		{name: "truncated JSON", track: body(http.StatusOK, `{"response":{"items":{"EF10000001`), kind: tracker.ErrKindBadResponse},
		{name: "JSON of another shape", track: body(http.StatusOK, `{"data":[]}`), kind: tracker.ErrKindBadResponse},
		{name: "status false", track: body(http.StatusOK, `{"response":null,"message":"Invalid barcode format","status":false}`), kind: tracker.ErrKindBadResponse},
		{name: "status false echoing the token", track: echo, kind: tracker.ErrKindBadResponse},
		{name: "status false, limit reached", track: body(http.StatusOK,
			`{"response":{"items":{},"track_count":{"track_date":"19/07/2562","count_number":1500,"track_count_limit":1500}},"message":"unsuccessful","status":false}`),
			kind: tracker.ErrKindQuota, retryAtAll: true},
		{name: "status false, limit message", track: body(http.StatusOK, `{"message":"Track count limit exceeded","status":false}`),
			kind: tracker.ErrKindQuota, retryAtAll: true},
		{name: "400", track: body(http.StatusBadRequest, `{"status":false,"message":"bad request"}`), kind: tracker.ErrKindBadResponse},
		{name: "token 500", token: body(http.StatusInternalServerError, ""), kind: tracker.ErrKindUnavailable},
		{name: "token 429", token: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusTooManyRequests)
		}, kind: tracker.ErrKindRateLimited, retry: 5 * time.Second},
		{name: "token HTML page", token: html(http.StatusOK), kind: tracker.ErrKindBadResponse},
		{name: "token truncated", token: body(http.StatusOK, `{"expire":"2019-09-28 10:18:20+07:00","tok`), kind: tracker.ErrKindBadResponse},
		{name: "token answer without token", token: body(http.StatusOK, `{"status":false,"message":"no token for you"}`), kind: tracker.ErrKindBadResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{t: time.Date(2019, 7, 19, 12, 0, 0, 0, bangkok)}
			f, srv := newFake(t, c)
			f.tokenFault, f.trackFault = tt.token, tt.track
			s := newSource(t, srv.URL, c)
			rs, err := s.Fetch(context.Background(), queries(s10("EF", 10000001)))
			if rs != nil {
				t.Errorf("results %+v along with an error", rs)
			}
			fe := fetchError(t, err, tt.kind)
			noSecrets(t, f, err)
			switch {
			case tt.retryAtAll:
				if want := 12 * time.Hour; fe.RetryAfter != want {
					t.Errorf("RetryAfter = %v, want %v (until midnight in Bangkok)", fe.RetryAfter, want)
				}
			case fe.RetryAfter != tt.retry:
				t.Errorf("RetryAfter = %v, want %v", fe.RetryAfter, tt.retry)
			}
		})
	}
}

func TestCanceledContext(t *testing.T) {
	c := &clock{t: time.Now()}
	f, srv := newFake(t, c)
	s := newSource(t, srv.URL, c)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Fetch(ctx, queries(s10("EF", 1)))
	fetchError(t, err, tracker.ErrKindUnavailable)
	if f.tokens() != 0 || len(f.tracks()) != 0 {
		t.Error("a canceled fetch sent requests")
	}
}

func TestUnreadableExpiryKeepsTokenForAWhile(t *testing.T) {
	c := &clock{t: time.Date(2024, 4, 1, 12, 0, 0, 0, bangkok)}
	f, srv := newFake(t, c)
	var n int
	f.tokenFault = func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		n++
		tok := fmt.Sprintf("%s%d", accessPrefix, n)
		f.issued = append(f.issued, tok)
		f.mu.Unlock()
		fmt.Fprintf(w, `{"expire":"next month","token":%q}`, tok)
	}
	s := newSource(t, srv.URL, c)
	q := queries(s10("EF", 1))
	for range 2 {
		if _, err := s.Fetch(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.tokens(); got != 1 {
		t.Errorf("%d exchanges, want 1", got)
	}
	c.Add(fallbackLifetime + time.Second)
	if _, err := s.Fetch(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	if got := f.tokens(); got != 2 {
		t.Errorf("%d exchanges after the fallback lifetime, want 2", got)
	}
}

func TestUntilMidnight(t *testing.T) {
	tests := []struct {
		now  time.Time
		want time.Duration
	}{
		{time.Date(2024, 4, 1, 12, 0, 0, 0, bangkok), 12 * time.Hour},
		{time.Date(2024, 4, 1, 23, 59, 0, 0, bangkok), time.Minute},
		{time.Date(2024, 4, 1, 17, 30, 0, 0, time.UTC), 23*time.Hour + 30*time.Minute}, // 00:30 on the 2nd in Bangkok
	}
	for _, tt := range tests {
		if got := untilMidnight(tt.now); got != tt.want {
			t.Errorf("untilMidnight(%v) = %v, want %v", tt.now, got, tt.want)
		}
	}
}

func TestUndocumentedCodeIsLoggedOnce(t *testing.T) {
	c := &clock{t: time.Now()}
	f, srv := newFake(t, c)
	f.trackFault = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"response":{"items":{"EF100000017TH":[
			{"barcode":"EF100000017TH","status":"777","status_description":"ใหม่","status_date":"19/07/2562 18:12:26+07:00","location":"x","postcode":"10000"}
		]}},"message":"successful","status":true}`)
	}
	var buf strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), nil))
	s, err := New(Options{BaseURL: srv.URL, Token: apiToken, Rate: 1000, Now: c.Now, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		rs, err := s.Fetch(context.Background(), queries("EF100000017TH"))
		if err != nil {
			t.Fatal(err)
		}
		if e := rs[0].Events[0]; e.Code != "777" || e.Stage != tracker.StageInTransit {
			t.Errorf("undocumented code event = %+v, want code kept and in_transit", e)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(buf.String(), "code=777"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, buf.String())
	}
	if strings.Contains(buf.String(), apiToken) || strings.Contains(buf.String(), accessPrefix) {
		t.Errorf("log leaks a token:\n%s", buf.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
