package fetch

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/todoku/todoku/tracker"
)

func TestFailuresAreClassified(t *testing.T) {
	tests := []struct {
		name  string
		serve http.HandlerFunc
		kind  string
		retry time.Duration
	}{
		{"429 with seconds", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		}, tracker.ErrKindRateLimited, 7 * time.Second},
		{"429 without a hint", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusTooManyRequests)
		}, tracker.ErrKindRateLimited, 0},
		{"503 with a hint", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusServiceUnavailable)
		}, tracker.ErrKindRateLimited, 2 * time.Minute},
		{"500", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
		}, tracker.ErrKindUnavailable, 0},
		{"502 HTML page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte("<html><body>Bad gateway</body></html>"))
		}, tracker.ErrKindUnavailable, 0},
		{"403", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
		}, tracker.ErrKindBadResponse, 0},
		{"200 challenge page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<!doctype html><title>Just a moment...</title>"))
		}, tracker.ErrKindBadResponse, 0},
		{"200 HTML without content type", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("  <html>slider captcha</html>"))
		}, tracker.ErrKindBadResponse, 0},
		{"200 truncated JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"data":[{"mailNo":"LP0`))
		}, tracker.ErrKindBadResponse, 0},
		{"200 too large", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"pad":"` + strings.Repeat("x", 2048) + `"}`))
		}, tracker.ErrKindBadResponse, 0},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, tracker.ErrKindUnavailable, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.serve)
			defer srv.Close()
			c, err := New(Config{Source: "test", BaseURL: srv.URL, Timeout: 200 * time.Millisecond, Rate: 1000, MaxBody: 1024})
			if err != nil {
				t.Fatal(err)
			}
			req, err := c.Request(context.Background(), http.MethodGet, "/track", url.Values{"token": {"s3cr3t"}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			var v map[string]any
			err = c.JSON(req, &v)
			var fe *tracker.FetchError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a FetchError", err)
			}
			if fe.Kind != tt.kind || fe.RetryAfter != tt.retry || fe.Source != "test" {
				t.Errorf("got kind %q retry %v, want %q %v (%v)", fe.Kind, fe.RetryAfter, tt.kind, tt.retry, err)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error leaks the query string: %v", err)
			}
		})
	}
}

func TestNetworkErrorHidesURL(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there any more
	c, err := New(Config{Source: "test", BaseURL: base, Rate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := c.Request(context.Background(), http.MethodGet, "/x", url.Values{"key": {"s3cr3t"}}, nil)
	_, _, err = c.Do(req)
	var fe *tracker.FetchError
	if !errors.As(err, &fe) || fe.Kind != tracker.ErrKindUnavailable {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("error leaks the query string: %v", err)
	}
}

func TestRequestShapes(t *testing.T) {
	var got *http.Request
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	c, err := New(Config{Source: "test", BaseURL: srv.URL + "/api/", Rate: 1000, UserAgent: "ua/1"})
	if err != nil {
		t.Fatal(err)
	}
	req, err := c.Request(context.Background(), http.MethodPost, "/track/v2", url.Values{"lang": {"en-US"}}, []string{"LP1", "LP2"})
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ OK bool }
	if err := c.JSON(req, &v); err != nil || !v.OK {
		t.Fatalf("JSON = %v, %+v", err, v)
	}
	if got.URL.Path != "/api/track/v2" || got.URL.Query().Get("lang") != "en-US" || got.Header.Get("User-Agent") != "ua/1" ||
		got.Header.Get("Content-Type") != "application/json" || body != `["LP1","LP2"]` {
		t.Errorf("request %s %s ua %q type %q body %q", got.Method, got.URL, got.Header.Get("User-Agent"), got.Header.Get("Content-Type"), body)
	}
	if _, err := New(Config{Source: "x", BaseURL: "global.cainiao.com"}); err == nil {
		t.Error("a base URL without scheme was accepted")
	}
}

func TestRateLimitIsObeyed(t *testing.T) {
	var times []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		times = append(times, time.Now())
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c, _ := New(Config{Source: "test", BaseURL: srv.URL, Rate: 20, Burst: 1})
	for range 5 {
		req, _ := c.Request(context.Background(), http.MethodGet, "/", nil, nil)
		if _, _, err := c.Do(req); err != nil {
			t.Fatal(err)
		}
	}
	// Five requests at 20 per second with no burst span at least 4 gaps of 50 ms.
	if span := times[4].Sub(times[0]); span < 190*time.Millisecond {
		t.Errorf("5 requests took %v; the limiter let them through too fast", span)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := c.Request(ctx, http.MethodGet, "/", nil, nil)
	if _, _, err := c.Do(req); err == nil {
		t.Error("a cancelled request went through")
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"30":                            30 * time.Second,
		"-5":                            0,
		"soon":                          0,
		"Wed, 25 Nov 2026 12:02:00 GMT": 2 * time.Minute,
		"Wed, 25 Nov 2026 11:00:00 GMT": 0,
	} {
		if got := retryAfter(in, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}
