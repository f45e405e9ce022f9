package line

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/store/redisstore"
)

// BenchmarkWebhookIntake posts signed webhook bodies of several events
// each, as LINE batches them, to the real handler over HTTP (a keep-alive
// client, bodies signed before the clock starts), with events
// deduplicated through the store's FirstSeenMany on Redis, as deployed;
// one body in ten is a redelivery of an earlier one. It reports the
// distinct events a second that get through verification, the queue and
// deduplication to the handler (a counter here). Bodies the handler
// answers 503 (queue full) are posted again, as LINE does.
// BenchmarkWebhookIntakeHandler does the same calling the handler's
// ServeHTTP directly, without the HTTP stack of both ends (which share
// the machine's cores with the intake).
//
//	TODOKU_TEST_REDIS_URL=redis://127.0.0.1:6379/0 go test ./bot/line -run '^$' -bench WebhookIntake -benchtime 20000x
func BenchmarkWebhookIntake(b *testing.B) { benchmarkIntake(b, false) }

// BenchmarkWebhookIntakeHandler is BenchmarkWebhookIntake without HTTP.
func BenchmarkWebhookIntakeHandler(b *testing.B) { benchmarkIntake(b, true) }

func benchmarkIntake(b *testing.B, direct bool) {
	url := os.Getenv("TODOKU_TEST_REDIS_URL")
	if url == "" {
		b.Skip("TODOKU_TEST_REDIS_URL is not set: the intake is measured with Redis deduplicating")
	}
	ctx := context.Background()
	salt := make([]byte, 6)
	_, _ = rand.Read(salt)
	st, err := redisstore.Open(ctx, url, redisstore.WithPrefix("intake-"+hex.EncodeToString(salt)+":"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	_, api := newFakeLINE(b, testToken, newClock())
	var handled atomic.Int64
	l, err := New(Options{
		ChannelSecret: testSecret, ChannelToken: testToken, APIURL: api.URL, DataAPIURL: api.URL, HTTP: api.Client(),
		Seen:     func(ctx context.Context, key string) (bool, error) { return st.FirstSeen(ctx, key, seenTTL) },
		SeenMany: func(ctx context.Context, keys []string) ([]bool, error) { return st.FirstSeenMany(ctx, keys, seenTTL) },
	}, func(context.Context, bot.Update) []bot.Message {
		handled.Add(1)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	handler := l.WebhookHandler()
	hook := httptest.NewServer(handler)
	defer hook.Close()

	const perBody = 5
	type signed struct{ body, sig []byte }
	bodies := make([]signed, b.N)
	distinct := 0
	for i := range bodies {
		redelivery := i%10 == 9
		first := i
		if redelivery {
			first = i - 5 // the same events again
		} else {
			distinct += perBody
		}
		events := make([]map[string]any, perBody)
		for j := range events {
			k := first*perBody + j
			events[j] = map[string]any{
				"type": "postback", "mode": "active", "timestamp": time.Now().UnixMilli(),
				"source":          map[string]any{"type": "group", "groupId": fmt.Sprintf("C%032d", k%500), "userId": fmt.Sprintf("U%032d", k%2000)},
				"webhookEventId":  fmt.Sprintf("01JD%s%016d", hex.EncodeToString(salt), k),
				"deliveryContext": map[string]any{"isRedelivery": redelivery},
				"replyToken":      fmt.Sprintf("rt%030d", k),
				"postback":        map[string]any{"data": "list"},
			}
		}
		body, err := json.Marshal(map[string]any{"destination": testDest, "events": events})
		if err != nil {
			b.Fatal(err)
		}
		bodies[i] = signed{body, []byte(sign(testSecret, body))}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var retries, next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range 16 { // LINE's platform posts concurrently
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(bodies) {
					return
				}
				for {
					req, _ := http.NewRequest(http.MethodPost, hook.URL+"/line/webhook", bytes.NewReader(bodies[i].body))
					req.Header.Set("Content-Type", "application/json; charset=utf-8")
					req.Header.Set(SignatureHeader, string(bodies[i].sig))
					var code int
					if direct {
						rec := httptest.NewRecorder()
						handler.ServeHTTP(rec, req)
						code = rec.Code
					} else {
						resp, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						code = resp.StatusCode
					}
					if code == http.StatusOK {
						break
					}
					if code != http.StatusServiceUnavailable {
						b.Errorf("status %d", code)
						return
					}
					retries.Add(1)
					time.Sleep(20 * time.Millisecond) // LINE redelivers later, not at once
				}
			}
		})
	}
	wg.Wait()
	deadline := time.Now().Add(time.Minute)
	for handled.Load() < int64(distinct) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if err := l.Shutdown(ctx); err != nil {
		b.Fatal(err)
	}
	if got := handled.Load(); got != int64(distinct) {
		b.Fatalf("handled %d events, want the %d distinct ones exactly once", got, distinct)
	}
	b.ReportMetric(float64(distinct)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(retries.Load()), "503s")
}
