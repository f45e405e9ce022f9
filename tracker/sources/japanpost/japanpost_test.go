package japanpost

import (
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

// site answers like the tracking site: the page for each number it knows,
// the not-found page otherwise. It fails the test on any other request.
type site struct {
	t     *testing.T
	pages map[string][]byte
	mu    sync.Mutex
	asked []string
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case r.Method != http.MethodGet:
		s.t.Errorf("method %s, want GET", r.Method)
	case r.URL.Path != "/services/srv/search/direct":
		s.t.Errorf("path %s", r.URL.Path)
	case q.Get("searchKind") != "S002" || q.Get("locale") != "ja":
		s.t.Errorf("query %s", r.URL.RawQuery)
	case q.Has("reqCodeNo2"):
		s.t.Errorf("more than one number in a request: %s", r.URL.RawQuery)
	}
	n := q.Get("reqCodeNo1")
	s.mu.Lock()
	s.asked = append(s.asked, n)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	if p, ok := s.pages[n]; ok {
		w.Write(p)
		return
	}
	w.Write(page(s.t, "notfound.html"))
}

func TestFetch(t *testing.T) {
	st := &site{t: t, pages: map[string][]byte{
		"482153769020":  page(t, "delivered.html"),
		"RB123456785CN": page(t, "international.html"),
	}}
	s := newSource(t, st)
	qs := []tracker.Query{
		{Number: "482153769020", Since: since},
		{Number: "398701123461", Since: since},
		{Number: "RB123456785CN", Since: since},
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
	if rs[0].Error != "" || tracker.StageOf(rs[0].Events) != tracker.StageDelivered {
		t.Errorf("delivered: %+v", rs[0])
	}
	if rs[1].Error != tracker.ErrKindNotFound || len(rs[1].Events) != 0 {
		t.Errorf("unknown number: %+v", rs[1])
	}
	if rs[2].Error != "" || tracker.StageOf(rs[2].Events) != tracker.StageAwaitingPickup {
		t.Errorf("international: %+v", rs[2])
	}
	if got := strings.Join(st.asked, ","); got != "482153769020,398701123461,RB123456785CN" {
		t.Errorf("asked %s", got)
	}
}

func TestFetchFaults(t *testing.T) {
	delivered := string(page(t, "delivered.html"))
	tests := []struct {
		name  string
		serve http.HandlerFunc
		kind  string
		retry time.Duration
	}{
		{"429 with Retry-After", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
		}, tracker.ErrKindRateLimited, 30 * time.Second},
		{"500", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
		}, tracker.ErrKindUnavailable, 0},
		{"503 page", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write(page(t, "maintenance.html"))
		}, tracker.ErrKindUnavailable, 0},
		{"403", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
		}, tracker.ErrKindBadResponse, 0},
		{"maintenance page", func(w http.ResponseWriter, r *http.Request) {
			w.Write(page(t, "maintenance.html"))
		}, tracker.ErrKindUnavailable, 0},
		{"changed layout", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(strings.ReplaceAll(delivered, "summary=", "data-summary=")))
		}, tracker.ErrKindBadResponse, 0},
		{"truncated", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(delivered[:len(delivered)*2/3]))
		}, tracker.ErrKindBadResponse, 0},
		{"another number's page", func(w http.ResponseWriter, r *http.Request) {
			w.Write(page(t, "international.html"))
		}, tracker.ErrKindBadResponse, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSource(t, tt.serve)
			rs, err := s.Fetch(context.Background(), []tracker.Query{{Number: "482153769020", Since: since}})
			var fe *tracker.FetchError
			if !errors.As(err, &fe) || fe.Kind != tt.kind || fe.RetryAfter != tt.retry || fe.Source != Name {
				t.Fatalf("Fetch = %v, %v; want a %s FetchError (retry %v)", rs, err, tt.kind, tt.retry)
			}
		})
	}
}

func TestFetchCancelled(t *testing.T) {
	s := newSource(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("no request may be sent after cancellation")
	}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Fetch(ctx, []tracker.Query{{Number: "482153769020"}}); err == nil {
		t.Fatal("Fetch succeeded with a cancelled context")
	}
}

func TestSourceBasics(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "japan-post" || s.BatchSize() != 1 {
		t.Errorf("Name %q, BatchSize %d", s.Name(), s.BatchSize())
	}
	if _, err := New(Options{BaseURL: "not a url"}); err == nil {
		t.Error("New accepted a relative base URL")
	}
}

func TestServes(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for number, want := range map[string]bool{
		"482153769020":     true,  // jp-12, check digit holds
		"482153769021":     false, // jp-12, check digit fails
		"RB123456784JP":    false, // S10 JP with a failing check digit
		"EJ123456785JP":    true,  // S10 issued in Japan
		"RB123456785CN":    false, // China Post's until handed over
		"12345678901":      true,  // 11 digits
		"1234567890123":    true,  // 13 digits
		"LP00123456789012": false,
		"SBXJP0001":        false,
		"":                 false,
	} {
		if got := s.Serves(number); got != want {
			t.Errorf("Serves(%q) = %v, want %v", number, got, want)
		}
	}
}
