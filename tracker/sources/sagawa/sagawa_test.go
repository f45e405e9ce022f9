package sagawa

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
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

// site answers like the tracking site, in Windows-31J: the page for each
// number it knows, the 該当なし page otherwise.
type site struct {
	t     *testing.T
	pages map[string][]byte
	mu    sync.Mutex
	asked []string
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.Method != http.MethodGet || r.URL.Path != "/p/web/okurijosearch.do" {
		s.t.Errorf("%s %s, want GET /p/web/okurijosearch.do", r.Method, r.URL.Path)
	}
	if len(q) != 1 || len(q["okurijoNo"]) != 1 {
		s.t.Errorf("query %s, want okurijoNo alone", r.URL.RawQuery)
	}
	n := q.Get("okurijoNo")
	s.mu.Lock()
	s.asked = append(s.asked, n)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=Windows-31J")
	if p, ok := s.pages[n]; ok {
		w.Write(p)
		return
	}
	// The 該当なし page repeats the number asked for.
	w.Write(bytes.Replace(page(s.t, "notfound.html"), []byte("1234-5678-9013"), []byte(n[:4]+"-"+n[4:8]+"-"+n[8:]), 1))
}

func TestFetch(t *testing.T) {
	st := &site{t: t, pages: map[string][]byte{
		"366025888174": page(t, "delivered.html"),
		"602719483531": page(t, "pending.html"),
	}}
	s := newSource(t, st)
	qs := []tracker.Query{
		{Number: "366025888174", Since: since},
		{Number: "440177256805", Since: since},
		{Number: "602719483531", Since: since},
	}
	rs, err := s.Fetch(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
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
		t.Errorf("delivered: %v %q", got, rs[0].Error)
	}
	if rs[1].Error != tracker.ErrKindNotFound {
		t.Errorf("unknown: error %q", rs[1].Error)
	}
	if got := tracker.StageOf(rs[2].Events); got != tracker.StageAwaitingPickup {
		t.Errorf("pending: %v", got)
	}
	if got := strings.Join(st.asked, ","); got != "366025888174,440177256805,602719483531" {
		t.Errorf("asked %s: one number per request", got)
	}
}

func TestFetchFaults(t *testing.T) {
	delivered := utf8Page(t, "delivered.html")
	tests := []struct {
		name  string
		serve http.HandlerFunc
		kind  string
		retry time.Duration
	}{
		{"429 with Retry-After", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusTooManyRequests)
		}, tracker.ErrKindRateLimited, 5 * time.Second},
		{"500", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
		}, tracker.ErrKindUnavailable, 0},
		{"maintenance page", func(w http.ResponseWriter, r *http.Request) {
			w.Write(page(t, "maintenance.html"))
		}, tracker.ErrKindUnavailable, 0},
		{"changed layout", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(strings.ReplaceAll(delivered, "detail1", "detail-1")))
		}, tracker.ErrKindBadResponse, 0},
		{"truncated", func(w http.ResponseWriter, r *http.Request) {
			p := page(t, "delivered.html")
			w.Write(p[:len(p)-300])
		}, tracker.ErrKindBadResponse, 0},
		{"another number's page", func(w http.ResponseWriter, r *http.Request) {
			w.Write(page(t, "pending.html"))
		}, tracker.ErrKindBadResponse, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSource(t, tt.serve)
			rs, err := s.Fetch(context.Background(), []tracker.Query{{Number: "366025888174", Since: since}})
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
	if s.Name() != "sagawa" || s.BatchSize() != 1 {
		t.Errorf("Name %q, BatchSize %d", s.Name(), s.BatchSize())
	}
	if _, err := New(Options{BaseURL: "k2k.sagawa-exp.co.jp"}); err == nil {
		t.Error("New accepted a base URL without a scheme")
	}
	for number, want := range map[string]bool{
		"366025888174":  true,
		"366025888175":  false,
		"EJ123456785JP": false,
		"":              false,
	} {
		if got := s.Serves(number); got != want {
			t.Errorf("Serves(%q) = %v, want %v", number, got, want)
		}
	}
}
