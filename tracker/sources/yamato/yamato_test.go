package yamato

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/todoku/todoku/tracker"
)

func newSource(t *testing.T, h http.Handler) *Source {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s, err := New(Options{BaseURL: srv.URL, HTTP: srv.Client(), Rate: rate.Inf, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// template cuts testdata/batch.html into the page around the invoice
// blocks and the blocks themselves, by number.
type template struct {
	head, tail string
	blocks     map[string]string
}

func loadTemplate(t *testing.T) template {
	t.Helper()
	p := string(page(t, "batch.html"))
	start := strings.Index(p, `<div class="tracking-anchor"`)
	end := strings.Index(p, "</form>")
	tp := template{head: p[:start], tail: p[end:], blocks: map[string]string{}}
	for _, b := range strings.SplitAfter(p[start:end], "\n</div>\n") {
		if m := regexp.MustCompile(`件目：([\d-]+)`).FindStringSubmatch(b); m != nil {
			tp.blocks[strings.ReplaceAll(m[1], "-", "")] = b
		}
	}
	return tp
}

// render answers for numbers in order: the block the template has for a
// number, the template's 伝票番号誤り block otherwise.
func (tp template) render(numbers []string) string {
	var b strings.Builder
	b.WriteString(tp.head)
	for i, n := range numbers {
		block, ok := tp.blocks[n]
		if !ok {
			block = strings.Replace(tp.blocks["440177256805"], "4401-7725-6805", n[:4]+"-"+n[4:8]+"-"+n[8:], 1)
		}
		block = regexp.MustCompile(`AA\d{3}`).ReplaceAllString(block, fmt.Sprintf("AA%03d", i))
		block = regexp.MustCompile(`\d+件目`).ReplaceAllString(block, fmt.Sprintf("%d件目", i+1))
		b.WriteString(block)
	}
	b.WriteString(tp.tail)
	return b.String()
}

// site answers the tneko form like the tracking site and records the
// numbers of each request. It fails the test on a request the site would
// not take.
type site struct {
	t        *testing.T
	tp       template
	mu       sync.Mutex
	requests [][]string
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/cgi-bin/tneko" {
		s.t.Errorf("%s %s, want POST /cgi-bin/tneko", r.Method, r.URL.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		s.t.Errorf("Content-Type %q", ct)
	}
	if err := r.ParseForm(); err != nil {
		s.t.Fatal(err)
	}
	if r.PostForm.Get("number00") != "1" {
		s.t.Errorf("number00 = %q, want 1", r.PostForm.Get("number00"))
	}
	var numbers []string
	for i := 1; i <= 10; i++ {
		key := fmt.Sprintf("number%02d", i)
		if !r.PostForm.Has(key) {
			s.t.Errorf("form lacks %s", key)
		}
		if v := r.PostForm.Get(key); v != "" {
			numbers = append(numbers, v)
		}
	}
	if r.PostForm.Has("number11") {
		s.t.Error("form has number11: the site takes ten numbers")
	}
	s.mu.Lock()
	s.requests = append(s.requests, numbers)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	fmt.Fprint(w, s.tp.render(numbers))
}

func TestFetchBatch(t *testing.T) {
	st := &site{t: t, tp: loadTemplate(t)}
	s := newSource(t, st)
	// Twelve numbers: two requests of ten and two. The last number's
	// Since is a year later, so its scans move a year on.
	var qs []tracker.Query
	for _, n := range []string{"573102291845", "602719483531", "440177256805", "100000000004", "100000000015", "100000000026",
		"100000000030", "100000000041", "100000000052", "100000000063", "100000000074", "573102291845"} {
		qs = append(qs, tracker.Query{Number: n, Since: since})
	}
	qs[11].Since = since.AddDate(1, 0, 0)
	rs, err := s.Fetch(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.requests) != 2 || len(st.requests[0]) != s.BatchSize() || len(st.requests[1]) != 2 {
		t.Fatalf("requests %v, want 10 numbers then 2", st.requests)
	}
	if len(rs) != len(qs) {
		t.Fatalf("%d results for %d queries", len(rs), len(qs))
	}
	for i, q := range qs {
		if rs[i].Number != q.Number {
			t.Errorf("result %d is for %q, want %q", i, rs[i].Number, q.Number)
		}
	}
	if got := tracker.StageOf(rs[0].Events); got != tracker.StageDelivered || rs[0].Error != "" {
		t.Errorf("first: %v %q", got, rs[0].Error)
	}
	if got := tracker.StageOf(rs[1].Events); got != tracker.StageAwaitingPickup {
		t.Errorf("second: %v", got)
	}
	for _, r := range rs[2:11] {
		if r.Error != tracker.ErrKindNotFound {
			t.Errorf("%s: error %q, want not_found", r.Number, r.Error)
		}
	}
	if a, b := rs[0].Events[0].Time, rs[11].Events[0].Time; b.Year() != a.Year()+1 {
		t.Errorf("each query's Since places its dates: %v and %v", a, b)
	}
}

func TestFetchFaults(t *testing.T) {
	tp := loadTemplate(t)
	batch := tp.render([]string{"573102291845"})
	tests := []struct {
		name  string
		serve http.HandlerFunc
		kind  string
		retry time.Duration
	}{
		{"429 with Retry-After", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		}, tracker.ErrKindRateLimited, 2 * time.Minute},
		{"502", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
		}, tracker.ErrKindUnavailable, 0},
		{"503 with Retry-After", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "60")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write(page(t, "maintenance.html"))
		}, tracker.ErrKindRateLimited, time.Minute},
		{"maintenance page", func(w http.ResponseWriter, r *http.Request) {
			w.Write(page(t, "maintenance.html"))
		}, tracker.ErrKindUnavailable, 0},
		{"changed layout", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(strings.ReplaceAll(batch, "tracking-invoice-block", "tracking-card")))
		}, tracker.ErrKindBadResponse, 0},
		{"truncated", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(batch[:len(batch)-600]))
		}, tracker.ErrKindBadResponse, 0},
		{"a number left out", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(tp.render([]string{"602719483531"})))
		}, tracker.ErrKindBadResponse, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSource(t, tt.serve)
			rs, err := s.Fetch(context.Background(), []tracker.Query{{Number: "573102291845", Since: since}})
			var fe *tracker.FetchError
			if !errors.As(err, &fe) || fe.Kind != tt.kind || fe.RetryAfter != tt.retry || fe.Source != Name {
				t.Fatalf("Fetch = %v, %v; want a %s FetchError (retry %v)", rs, err, tt.kind, tt.retry)
			}
		})
	}
}

func TestSourceBasics(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "yamato" || s.BatchSize() != 10 {
		t.Errorf("Name %q, BatchSize %d", s.Name(), s.BatchSize())
	}
	if _, err := New(Options{BaseURL: "/cgi-bin"}); err == nil {
		t.Error("New accepted a relative base URL")
	}
	for number, want := range map[string]bool{
		"573102291845":  true,
		"573102291846":  false, // check digit fails
		"12345678901":   false,
		"EJ123456785JP": false,
		"":              false,
	} {
		if got := s.Serves(number); got != want {
			t.Errorf("Serves(%q) = %v, want %v", number, got, want)
		}
	}
}
