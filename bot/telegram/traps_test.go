package telegram

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tele "gopkg.in/telebot.v3"
)

// TestTelebotTraps shows the telebot v3 behaviours this package guards
// against, on the pinned version, so that the guards are known to matter.
// The adapter's own handling of each is tested elsewhere: a proxy's HTML
// page is an error (TestSend), no error or log holds the token
// (TestTokenNeverLeaks), polling backs off (TestPollingBacksOff). The fourth
// trap, telebot's Webhook poller closing the stop channel that Bot.Stop
// closes too (a panic), is avoided by not using it: WebhookHandler and Run
// stop cleanly, twice (TestWebhook, TestRunStopsCleanly).
func TestTelebotTraps(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte(badGateway.body))
	}))
	defer srv.Close()
	b, err := tele.NewBot(tele.Settings{Token: testToken, URL: srv.URL, Offline: true})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := b.Raw("sendMessage", map[string]string{"chat_id": "1", "text": "hi"}); err != nil {
		t.Logf("telebot now treats a non-JSON 502 as an error: %v", err)
	} else {
		t.Log("trap: telebot's Raw takes a proxy's HTML 502 page as success")
	}

	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	dead, _ := tele.NewBot(tele.Settings{Token: testToken, URL: closed.URL, Offline: true})
	if _, err := dead.Raw("getMe", struct{}{}); err != nil && strings.Contains(err.Error(), tokenHalf) {
		t.Log("trap: telebot's transport errors contain the token")
	} else {
		t.Logf("telebot's transport error no longer shows the token: %v", err)
	}

	p := &tele.LongPoller{Timeout: 10 * time.Second}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { p.Poll(b, make(chan tele.Update, 1), stop); close(done) }()
	time.Sleep(100 * time.Millisecond)
	close(stop)
	<-done
	if n := calls.Load(); n > 20 {
		t.Logf("trap: telebot's LongPoller polled a failing server %d times in 100 ms", n)
	}
}
