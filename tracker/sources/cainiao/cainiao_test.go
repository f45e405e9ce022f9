package cainiao

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/todoku/todoku/tracker"
)

// fake is a detail.json endpoint that checks every request the way the real
// one is called and answers with serve.
type fake struct {
	t     *testing.T
	serve func(w http.ResponseWriter, numbers []string)

	mu       sync.Mutex
	requests [][]string // the mailNos of every request, in order
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t := f.t
	if r.Method != http.MethodGet {
		t.Errorf("method %s, want GET", r.Method)
	}
	if r.URL.Path != "/global/detail.json" {
		t.Errorf("path %q, want /global/detail.json", r.URL.Path)
	}
	q := r.URL.Query()
	if got := q.Get("lang"); got != "en-US" {
		t.Errorf("lang = %q, want en-US", got)
	}
	if len(q["mailNos"]) != 1 {
		t.Errorf("mailNos given %d times, want once", len(q["mailNos"]))
	}
	if !strings.Contains(r.URL.RawQuery, "mailNos="+q.Get("mailNos")) {
		t.Errorf("query %q: the commas in mailNos are escaped", r.URL.RawQuery)
	}
	if ua := r.Header.Get("User-Agent"); ua == "" {
		t.Error("no User-Agent")
	}
	numbers := strings.Split(q.Get("mailNos"), ",")
	for _, n := range numbers {
		if n == "" || canonical(n) != n {
			t.Errorf("mailNos %q holds a number that is not canonical", q.Get("mailNos"))
		}
	}
	f.mu.Lock()
	f.requests = append(f.requests, numbers)
	f.mu.Unlock()
	f.serve(w, numbers)
}

func (f *fake) calls() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// start serves f and returns a source that asks it, without a rate limit.
func start(t *testing.T, serve func(w http.ResponseWriter, numbers []string)) (*Source, *fake) {
	t.Helper()
	f := &fake{t: t, serve: serve}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	s, err := New(Options{BaseURL: srv.URL, Rate: rate.Inf, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s, f
}

func serveFile(t *testing.T, path string) func(http.ResponseWriter, []string) {
	body := read(t, path)
	return func(w http.ResponseWriter, _ []string) {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.Write(body)
	}
}

func queries(numbers ...string) []tracker.Query {
	qs := make([]tracker.Query, len(numbers))
	for i, n := range numbers {
		qs[i] = tracker.Query{Number: n, Since: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	}
	return qs
}

func TestFetchJapanHandover(t *testing.T) {
	s, f := start(t, serveFile(t, "testdata/japan-handover.json"))
	rs, err := s.Fetch(context.Background(), queries("LP00812345678901"))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.calls(); len(got) != 1 || !slices.Equal(got[0], []string{"LP00812345678901"}) {
		t.Fatalf("requests %q, want one for LP00812345678901", got)
	}
	if len(rs) != 1 {
		t.Fatalf("%d results, want 1", len(rs))
	}
	checkGolden(t, rs[0], golden{
		stage: tracker.StageAwaitingPickup, events: 22,
		first: tracker.StageInfoReceived, firstAt: time.Date(2026, 3, 2, 10, 15, 0, 0, zone(8)),
		last: tracker.StageAwaitingPickup, lastAt: time.Date(2026, 3, 10, 10, 5, 0, 0, zone(9)),
		linked:   []string{"490123456782"},
		lastMile: tracker.CarrierJapanPost,
		eta:      time.Date(2026, 3, 13, 23, 59, 59, 0, zone(8)),
	})
	// The domestic number is one the Japanese sources can follow.
	cands := tracker.Detect(rs[0].Linked[0])
	if len(cands) == 0 || !slices.Contains(cands[0].Carriers, tracker.CarrierJapanPost) {
		t.Errorf("Detect(%s) = %+v, want a Japan Post candidate", rs[0].Linked[0], cands)
	}
}

func TestFetchBatchWithAnUnknownNumber(t *testing.T) {
	s, f := start(t, serveFile(t, "testdata/batch-three.json"))
	// As typed, in any case: results keep the query's spelling.
	qs := queries("LP00898765432101", "rb234567895cn", "LP00811111111111")
	rs, err := s.Fetch(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	calls := f.calls()
	if len(calls) != 1 || !slices.Equal(calls[0], []string{"LP00898765432101", "RB234567895CN", "LP00811111111111"}) {
		t.Fatalf("requests %q, want one with the three numbers", calls)
	}
	if len(rs) != 3 {
		t.Fatalf("%d results, want 3", len(rs))
	}
	for i, q := range qs {
		if rs[i].Number != q.Number {
			t.Errorf("result %d is for %q, want %q", i, rs[i].Number, q.Number)
		}
	}
	wantStage := []tracker.Stage{tracker.StageAtSortingCenter, tracker.StageDelivered, tracker.StageNotFound}
	wantErr := []string{"", "", tracker.ErrKindNotFound}
	for i, r := range rs {
		if r.Error != wantErr[i] || tracker.StageOf(r.Events) != wantStage[i] || r.Source != Name {
			t.Errorf("%s: Error %q, stage %s, source %q; want %q, %s, %q",
				r.Number, r.Error, tracker.StageOf(r.Events), r.Source, wantErr[i], wantStage[i], Name)
		}
	}
	if rs[1].LastMile != tracker.CarrierThailandPost || len(rs[1].Linked) != 0 {
		t.Errorf("RB234567895CN: LastMile %q, Linked %q", rs[1].LastMile, rs[1].Linked)
	}
}

func TestFetchNumbersLeftOutOfTheAnswer(t *testing.T) {
	s, _ := start(t, serveFile(t, "testdata/batch-three.json"))
	rs, err := s.Fetch(context.Background(), queries("LP00898765432101", "LP00822222222222", "LP00898765432101", "not a number!"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 4 {
		t.Fatalf("%d results, want one per query", len(rs))
	}
	for i, want := range []string{"", tracker.ErrKindNotFound, "", tracker.ErrKindNotFound} {
		if rs[i].Error != want {
			t.Errorf("result %d (%s): Error %q, want %q", i, rs[i].Number, rs[i].Error, want)
		}
	}
	// Results share nothing: changing one leaves its twin alone.
	rs[0].Events[0].Text = "changed"
	if rs[2].Events[0].Text == "changed" {
		t.Error("two results share their events")
	}
}

func TestFetchFailures(t *testing.T) {
	slider := read(t, "testdata/slider.html")
	tests := []struct {
		name  string
		serve func(w http.ResponseWriter, numbers []string)
		kind  string
		retry time.Duration
		api   bool // the error says what Cainiao refused
	}{
		{"429 with Retry-After", func(w http.ResponseWriter, _ []string) {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
		}, tracker.ErrKindRateLimited, 30 * time.Second, false},
		{"500", func(w http.ResponseWriter, _ []string) {
			w.WriteHeader(http.StatusInternalServerError)
		}, tracker.ErrKindUnavailable, 0, false},
		{"200 slider page", func(w http.ResponseWriter, _ []string) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(slider)
		}, tracker.ErrKindBadResponse, 0, false},
		{"200 slider page sent as JSON", func(w http.ResponseWriter, _ []string) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(slider)
		}, tracker.ErrKindBadResponse, 0, false},
		{"200 captcha instruction in JSON", func(w http.ResponseWriter, _ []string) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"action":"captcha","url":"/_____tmd_____/punish?x5secdata=redacted"}`))
		}, tracker.ErrKindBadResponse, 0, false},
		{"200 truncated JSON", func(w http.ResponseWriter, _ []string) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"module":[{"mailNo":"LP00812345678901","detailList":[{"time":17731`))
		}, tracker.ErrKindBadResponse, 0, false},
		{"200 success=false", func(w http.ResponseWriter, _ []string) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"success":false,"errorCode":"SYSTEM_ERROR","errorMsg":"system busy"}`))
		}, tracker.ErrKindBadResponse, 0, true},
		{"200 without a module list", func(w http.ResponseWriter, _ []string) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"success":true,"data":[]}`))
		}, tracker.ErrKindBadResponse, 0, false},
		{"connection dropped", func(w http.ResponseWriter, _ []string) {
			hj, ok := w.(http.Hijacker)
			if !ok {
				panic("no hijacker")
			}
			conn, _, _ := hj.Hijack()
			conn.Close()
		}, tracker.ErrKindUnavailable, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := start(t, tt.serve)
			rs, err := s.Fetch(context.Background(), queries("LP00812345678901", "RB234567895CN"))
			if rs != nil {
				t.Errorf("results %+v alongside a failure, want none", rs)
			}
			var fe *tracker.FetchError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T), want a *tracker.FetchError", err, err)
			}
			if fe.Source != Name || fe.Kind != tt.kind || fe.RetryAfter != tt.retry {
				t.Errorf("FetchError{Source %q, Kind %q, RetryAfter %v}, want {%q, %q, %v}",
					fe.Source, fe.Kind, fe.RetryAfter, Name, tt.kind, tt.retry)
			}
			var ae *APIError
			if errors.As(err, &ae) != tt.api {
				t.Errorf("error %v: wraps an *APIError = %v, want %v", err, !tt.api, tt.api)
			}
			if tt.api && (ae.Code != "SYSTEM_ERROR" || ae.Message != "system busy") {
				t.Errorf("APIError %+v", ae)
			}
			if strings.Contains(err.Error(), "mailNos") || strings.Contains(err.Error(), "LP00812345678901") {
				t.Errorf("error %q carries the query", err)
			}
		})
	}
}

// moduleFor answers number with one scan, or as unknown when the number
// ends in 0.
func moduleFor(number string) string {
	if strings.HasSuffix(number, "0") {
		return fmt.Sprintf(`{"mailNo":%q,"mailNoSource":"EXTERNAL","detailList":[]}`, number)
	}
	return fmt.Sprintf(`{"mailNo":%q,"detailList":[{"time":1773108300000,"timeStr":"2026-03-10 10:05:00","timeZone":"GMT+08:00","actionCode":"SC_INBOUND_SUCCESS","standerdDesc":"Processing at sorting center"}]}`, number)
}

func serveEach(w http.ResponseWriter, numbers []string) {
	mods := make([]string, len(numbers))
	for i, n := range numbers {
		mods[i] = moduleFor(n)
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"module":[%s],"success":true}`, strings.Join(mods, ","))
}

func TestFetchSplitsIntoBatches(t *testing.T) {
	s, f := start(t, serveEach)
	var numbers []string
	for i := range 25 {
		numbers = append(numbers, fmt.Sprintf("LP%014d", 81000000000000+i))
	}
	// Asking twice about a number costs nothing more.
	qs := queries(append(slices.Clone(numbers), numbers[3], numbers[17])...)
	rs, err := s.Fetch(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	calls := f.calls()
	if want := (25 + s.BatchSize() - 1) / s.BatchSize(); len(calls) != want {
		t.Fatalf("%d requests, want %d", len(calls), want)
	}
	var asked []string
	for _, c := range calls {
		if len(c) > s.BatchSize() {
			t.Errorf("a request carries %d numbers, more than BatchSize %d", len(c), s.BatchSize())
		}
		asked = append(asked, c...)
	}
	if !slices.Equal(asked, numbers) {
		t.Errorf("asked about %q, want each of %q once", asked, numbers)
	}
	if len(rs) != len(qs) {
		t.Fatalf("%d results, want %d", len(rs), len(qs))
	}
	for i, r := range rs {
		wantErr := ""
		if strings.HasSuffix(qs[i].Number, "0") {
			wantErr = tracker.ErrKindNotFound
		}
		if r.Number != qs[i].Number || r.Error != wantErr {
			t.Errorf("result %d: %s Error %q, want %s Error %q", i, r.Number, r.Error, qs[i].Number, wantErr)
		}
	}
}

func TestFetchHonoursTheRateLimit(t *testing.T) {
	f := &fake{t: t, serve: serveEach}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	s, err := New(Options{BaseURL: srv.URL, Rate: 20})
	if err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for i := range 3 * batchSize {
		numbers = append(numbers, fmt.Sprintf("LP%014d", 82000000000000+i))
	}
	begin := time.Now()
	if _, err := s.Fetch(context.Background(), queries(numbers...)); err != nil {
		t.Fatal(err)
	}
	// Three requests at 20 a second, burst 1: at least two gaps of 50 ms.
	if took := time.Since(begin); took < 90*time.Millisecond {
		t.Errorf("3 requests took %v, faster than the rate limit allows", took)
	}
}

func TestFetchWithNothingToAsk(t *testing.T) {
	s, f := start(t, serveEach)
	rs, err := s.Fetch(context.Background(), nil)
	if err != nil || len(rs) != 0 || len(f.calls()) != 0 {
		t.Errorf("Fetch(nil) = %v, %v after %d requests; want nothing", rs, err, len(f.calls()))
	}
}

func TestFetchCancelled(t *testing.T) {
	t.Run("before the request", func(t *testing.T) {
		s, f := start(t, serveEach)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rs, err := s.Fetch(ctx, queries("LP00812345678901"))
		if rs != nil || !errors.Is(err, context.Canceled) {
			t.Errorf("Fetch = %v, %v; want no results and context.Canceled", rs, err)
		}
		if n := len(f.calls()); n != 0 {
			t.Errorf("%d requests after cancellation", n)
		}
	})
	t.Run("during the request", func(t *testing.T) {
		arrived := make(chan struct{})
		release := make(chan struct{})
		var once sync.Once
		s, _ := start(t, func(w http.ResponseWriter, numbers []string) {
			once.Do(func() { close(arrived) })
			<-release
		})
		t.Cleanup(func() { close(release) }) // before the server closes
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-arrived
			cancel()
		}()
		rs, err := s.Fetch(ctx, queries("LP00812345678901"))
		if rs != nil || !errors.Is(err, context.Canceled) {
			t.Errorf("Fetch = %v, %v; want no results and context.Canceled", rs, err)
		}
		var fe *tracker.FetchError
		if !errors.As(err, &fe) || fe.Kind != tracker.ErrKindUnavailable {
			t.Errorf("error %v, want an unavailable FetchError", err)
		}
	})
	t.Run("between batches", func(t *testing.T) {
		var served atomic.Int32
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f := &fake{t: t, serve: func(w http.ResponseWriter, numbers []string) {
			served.Add(1)
			serveEach(w, numbers)
			cancel() // the next batch waits for the rate limit and is cancelled
		}}
		srv := httptest.NewServer(f)
		t.Cleanup(srv.Close)
		s, err := New(Options{BaseURL: srv.URL, Rate: 0.01})
		if err != nil {
			t.Fatal(err)
		}
		var numbers []string
		for i := range batchSize + 1 {
			numbers = append(numbers, fmt.Sprintf("LP%014d", 83000000000000+i))
		}
		rs, err := s.Fetch(ctx, queries(numbers...))
		if rs != nil || !errors.Is(err, context.Canceled) {
			t.Errorf("Fetch = %d results, %v; want none and context.Canceled", len(rs), err)
		}
		if n := served.Load(); n != 1 {
			t.Errorf("%d requests served, want 1", n)
		}
	})
}

func TestServes(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]bool{
		"LP00812345678901":     true,
		"lp 0081 2345 6789 01": true, // canonicalised
		"ＬＰ００８１２３４５６７８９０１": true,
		"RB123456785CN":        true,  // S10 from China
		"RB123456784CN":        false, // check digit fails
		"EE123456785JP":        false, // Japan Post's own
		"RB123456785TH":        false, // Thailand Post's own
		"490123456782":         false, // domestic Japanese
		"SBXJP0001":            false,
		"LP0081234567890":      false, // too short
		"say LP00812345678901": false, // not a number on its own
		"":                     false,
	}
	for in, want := range tests {
		if got := s.Serves(in); got != want {
			t.Errorf("Serves(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestNew(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "cainiao" || s.BatchSize() != 10 || s.lang != "en-US" {
		t.Errorf("Name %q, BatchSize %d, lang %q", s.Name(), s.BatchSize(), s.lang)
	}
	if _, err := New(Options{BaseURL: "global.cainiao.com"}); err == nil {
		t.Error("New accepted a base URL without a scheme")
	}
	var _ tracker.Source = s
}

func TestFetchSendsTheLanguage(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Query().Get("lang")
		serveEach(w, strings.Split(r.URL.Query().Get("mailNos"), ","))
	}))
	t.Cleanup(srv.Close)
	s, err := New(Options{BaseURL: srv.URL + "/", Lang: "ja-JP", Rate: rate.Inf})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Fetch(context.Background(), queries("LP00812345678901")); err != nil {
		t.Fatal(err)
	}
	if got != "ja-JP" {
		t.Errorf("lang = %q, want ja-JP", got)
	}
}
