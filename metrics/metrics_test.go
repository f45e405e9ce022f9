package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/todoku/todoku/metrics"
	"github.com/todoku/todoku/store"
)

// fakeStats answers Stats with fixed values, an error, or by waiting for
// the context to end.
type fakeStats struct {
	st    store.Stats
	err   error
	block bool
	now   time.Time // the now it was last asked about
}

func (f *fakeStats) Stats(ctx context.Context, now time.Time) (store.Stats, error) {
	f.now = now
	if f.block {
		<-ctx.Done()
		return store.Stats{}, ctx.Err()
	}
	return f.st, f.err
}

var t0 = time.Date(2026, time.November, 25, 5, 0, 0, 0, time.UTC)

func TestCounters(t *testing.T) {
	m := metrics.New(metrics.Options{})
	m.Sources("sandbox")
	m.Platforms("line")
	m.Poll("sandbox", "ok")
	m.Poll("sandbox", "ok")
	m.Poll("cainiao", "rate_limited")
	m.SourceError("cainiao", "rate_limited")
	m.Send("line", "ok")
	m.Send("telegram", "retry")
	m.SetQuotaLeft("line", 180)

	want := `
# HELP todoku_polls_total Numbers checked, by source and result: ok, not_found, a failure kind, or held_back when the source was not asked.
# TYPE todoku_polls_total counter
todoku_polls_total{result="not_found",source="sandbox"} 0
todoku_polls_total{result="ok",source="sandbox"} 2
todoku_polls_total{result="rate_limited",source="cainiao"} 1
# HELP todoku_source_errors_total Failed requests to carrier sources, by source and failure kind.
# TYPE todoku_source_errors_total counter
todoku_source_errors_total{kind="bad_response",source="sandbox"} 0
todoku_source_errors_total{kind="rate_limited",source="cainiao"} 1
# HELP todoku_sends_total Notifications settled or attempted, by platform and result: ok, folded, retry, permanent, dropped.
# TYPE todoku_sends_total counter
todoku_sends_total{platform="line",result="dropped"} 0
todoku_sends_total{platform="line",result="folded"} 0
todoku_sends_total{platform="line",result="ok"} 1
todoku_sends_total{platform="line",result="permanent"} 0
todoku_sends_total{platform="line",result="retry"} 0
todoku_sends_total{platform="telegram",result="retry"} 1
# HELP todoku_quota_left Pushes left in the platform's monthly quota, where it has one.
# TYPE todoku_quota_left gauge
todoku_quota_left{platform="line"} 180
`
	mustHave(t, scrape(t, m), want)

	m.SetQuotaLeft("line", -1) // no quota (any more): no series
	if got := scrape(t, m); strings.Contains(got, "todoku_quota_left{") {
		t.Errorf("quota series left after a negative reading:\n%s", got)
	}
}

func TestStoreGauges(t *testing.T) {
	tests := []struct {
		name  string
		stats *fakeStats
		want  string
	}{
		{"read", &fakeStats{st: store.Stats{Scheduled: 1000, Due: 12, Outbox: 3, OldestOutbox: 90 * time.Second}}, `
# HELP todoku_store_up 1 when the last scrape could read the store's stats, else 0.
# TYPE todoku_store_up gauge
todoku_store_up 1
# HELP todoku_scheduled_shipments Numbers on the poll schedule, leased ones included.
# TYPE todoku_scheduled_shipments gauge
todoku_scheduled_shipments 1000
# HELP todoku_due_backlog Scheduled numbers whose next check is due now or overdue.
# TYPE todoku_due_backlog gauge
todoku_due_backlog 12
# HELP todoku_outbox_depth Notifications waiting in the outbox, handed out or not.
# TYPE todoku_outbox_depth gauge
todoku_outbox_depth 3
# HELP todoku_outbox_oldest_age_seconds Age of the oldest notification waiting in the outbox; 0 when empty.
# TYPE todoku_outbox_oldest_age_seconds gauge
todoku_outbox_oldest_age_seconds 90
`},
		{"unreachable", &fakeStats{err: errors.New("connection refused")}, `
# HELP todoku_store_up 1 when the last scrape could read the store's stats, else 0.
# TYPE todoku_store_up gauge
todoku_store_up 0
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := metrics.New(metrics.Options{Store: tc.stats, Now: func() time.Time { return t0 }})
			got := scrape(t, m)
			mustHave(t, got, tc.want)
			if tc.stats.err != nil && strings.Contains(got, "todoku_due_backlog") {
				t.Errorf("gauges reported although the store could not be read:\n%s", got)
			}
			if !tc.stats.now.Equal(t0) {
				t.Errorf("Stats asked about %s, want the injected clock's %s", tc.stats.now, t0)
			}
		})
	}
}

func TestStoreTimeout(t *testing.T) {
	m := metrics.New(metrics.Options{Store: &fakeStats{block: true}, Timeout: 50 * time.Millisecond})
	start := time.Now()
	mustHave(t, scrape(t, m), "todoku_store_up 0")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("scrape took %s with a 50ms store timeout", d)
	}
}

func TestHandler(t *testing.T) {
	m := metrics.New(metrics.Options{Store: &fakeStats{}, Runtime: true})
	m.Poll("sandbox", "ok")
	body := scrape(t, m)
	for _, name := range []string{"todoku_polls_total", "todoku_due_backlog", "todoku_store_up", "go_goroutines", "process_resident_memory_bytes"} {
		if !strings.Contains(body, "\n"+name) {
			t.Errorf("scrape lacks %s", name)
		}
	}
}

// scrape GETs m's handler the way Prometheus does and returns the body.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET = %d %q:\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	return string(body)
}

// mustHave fails unless every line of want is a line of got.
func mustHave(t *testing.T, got, want string) {
	t.Helper()
	lines := strings.Split(got, "\n")
	for _, w := range strings.Split(strings.TrimSpace(want), "\n") {
		if !slices.Contains(lines, w) {
			t.Errorf("scrape lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("scrape:\n%s", got)
	}
}
