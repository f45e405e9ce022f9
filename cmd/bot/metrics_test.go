package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/todoku/todoku/bot/web"
)

// TestServeMetrics scrapes /metrics from a served bot on each backend:
// every metric but the quota (LINE only) is there from the start, and a
// parcel tracked in the playground shows up as a check of the sandbox and
// a scheduled shipment.
func TestServeMetrics(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			cfg := b.cfg(t)
			cfg.Sandbox, cfg.SandboxSpeed = true, 1
			base := strings.TrimSuffix(serveApp(t, cfg, time.Now), "/")

			body := scrapeMetrics(t, base)
			for _, line := range []string{
				`todoku_store_up 1`,
				`todoku_scheduled_shipments 0`,
				`todoku_due_backlog 0`,
				`todoku_outbox_depth 0`,
				`todoku_outbox_oldest_age_seconds 0`,
				`todoku_polls_total{result="ok",source="sandbox"} 0`,
				`todoku_source_errors_total{kind="unavailable",source="sandbox"} 0`,
				`todoku_sends_total{platform="` + web.Platform + `",result="ok"} 0`,
			} {
				if !hasLine(body, line) {
					t.Errorf("first scrape lacks %q", line)
				}
			}
			for _, name := range []string{"\ngo_goroutines ", "\nprocess_resident_memory_bytes "} {
				if !strings.Contains(body, name) {
					t.Errorf("first scrape lacks %q", name)
				}
			}
			if t.Failed() {
				t.Fatalf("scrape:\n%s", body)
			}

			res, err := http.Post(base+"/api/messages", "application/json",
				strings.NewReader(`{"chat":"metrics-test-chat","lang":"en","text":"track SBXJP0001"}`))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("POST /api/messages = %d", res.StatusCode)
			}

			// The first check runs while the message is answered.
			body = scrapeMetrics(t, base)
			if n := sumSeries(body, "todoku_polls_total", `source="sandbox"`); n < 1 {
				t.Errorf("sandbox checks after tracking a parcel = %v, want at least 1\n%s", n, body)
			}
			if !hasLine(body, "todoku_scheduled_shipments 1") {
				t.Errorf("scrape after tracking a parcel lacks todoku_scheduled_shipments 1\n%s", body)
			}
		})
	}
}

// TestServeMetricsLINEQuota checks that the pushes left in LINE's monthly
// quota are read from the LINE API and reported.
func TestServeMetricsLINEQuota(t *testing.T) {
	lineAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v2/bot/message/quota":
			io.WriteString(w, `{"type":"limited","value":500}`)
		case "/v2/bot/message/quota/consumption":
			io.WriteString(w, `{"totalUsage":120}`)
		default:
			io.WriteString(w, `{}`)
		}
	}))
	defer lineAPI.Close()
	cfg, err := loadConfig(env(map[string]string{
		envDBPath:     filepath.Join(t.TempDir(), "todoku.db"),
		envSources:    "none",
		envLineSecret: "line-channel-secret",
		envLineToken:  "line-channel-token",
		envLineAPI:    lineAPI.URL,
	}))
	if err != nil {
		t.Fatal(err)
	}
	base := strings.TrimSuffix(serveApp(t, cfg, time.Now), "/")
	const want = `todoku_quota_left{platform="line"} 380`
	deadline := time.Now().Add(5 * time.Second)
	for {
		body := scrapeMetrics(t, base)
		if hasLine(body, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("scrape lacks %q after 5s:\n%s", want, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func scrapeMetrics(t *testing.T, base string) string {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics = %d:\n%s", res.StatusCode, b)
	}
	return string(b)
}

func hasLine(body, line string) bool {
	for l := range strings.Lines(body) {
		if strings.TrimSuffix(l, "\n") == line {
			return true
		}
	}
	return false
}

// sumSeries adds up the samples of metric whose labels contain label.
func sumSeries(body, metric, label string) float64 {
	var sum float64
	for l := range strings.Lines(body) {
		name, rest, ok := strings.Cut(strings.TrimSpace(l), "{")
		if !ok || name != metric || !strings.Contains(rest, label) {
			continue
		}
		_, v, _ := strings.Cut(rest, "} ")
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			sum += f
		}
	}
	return sum
}
