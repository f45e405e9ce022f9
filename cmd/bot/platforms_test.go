package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServeMountsPlatformWebhooks runs the server with Telegram (webhook
// mode) and LINE configured against fakes, and checks that both webhooks
// are mounted, refuse unsigned requests, accept signed ones, and that the
// Telegram webhook and command menus are registered at start.
func TestServeMountsPlatformWebhooks(t *testing.T) {
	var mu sync.Mutex
	var calls []string
	tgAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls = append(calls, r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:])
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true,"result":true}`))
	}))
	defer tgAPI.Close()
	lineAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	defer lineAPI.Close()

	const lineSecret = "line-channel-secret"
	cfg, err := loadConfig(env(map[string]string{
		envDBPath:          filepath.Join(t.TempDir(), "todoku.db"),
		envSources:         "none",
		envTelegramToken:   "123456:TEST-token-for-the-fake",
		envTelegramAPI:     tgAPI.URL,
		envTelegramWebhook: "https://bot.example/telegram/webhook",
		envTelegramSecret:  "s3cret-header",
		envLineSecret:      lineSecret,
		envLineToken:       "line-channel-token",
		envLineAPI:         lineAPI.URL,
	}))
	if err != nil {
		t.Fatal(err)
	}
	base := strings.TrimSuffix(serveApp(t, cfg, time.Now), "/")

	post := func(path, body string, hdr map[string]string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	lineBody := `{"destination":"Uxxx","events":[]}`
	mac := hmac.New(sha256.New, []byte(lineSecret))
	mac.Write([]byte(lineBody))
	sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if code := post("/line/webhook", lineBody, nil); code != http.StatusUnauthorized {
		t.Errorf("unsigned LINE webhook: %d, want 401", code)
	}
	if code := post("/line/webhook", lineBody, map[string]string{"X-Line-Signature": sig}); code != http.StatusOK {
		t.Errorf("signed LINE webhook: %d, want 200", code)
	}
	if code := post("/telegram/webhook", `{"update_id":1}`, map[string]string{"X-Telegram-Bot-Api-Secret-Token": "wrong"}); code != http.StatusUnauthorized {
		t.Errorf("Telegram webhook with a wrong secret: %d, want 401", code)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		got := strings.Join(calls, ",")
		mu.Unlock()
		if strings.Contains(got, "setWebhook") && strings.Contains(got, "setMyCommands") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Telegram API saw only %q", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code := post("/telegram/webhook", `{"update_id":2}`, map[string]string{"X-Telegram-Bot-Api-Secret-Token": "s3cret-header"}); code != http.StatusOK {
		t.Errorf("Telegram webhook with the secret: %d, want 200", code)
	}
}
