package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/todoku/todoku/i18n"
)

// env is a getenv over a map.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDetectCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"detect", "--json", "my parcel RB004010604CN", "nothing here"}, nil, &out, &errOut, env(nil))
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one JSON line per input, got %q", out.String())
	}
	var got struct {
		Input      string `json:"input"`
		Candidates []struct {
			Number     string   `json:"number"`
			Format     string   `json:"format"`
			Carriers   []string `json:"carriers"`
			CheckDigit string   `json:"check_digit"`
			Country    string   `json:"country"`
		} `json:"candidates"`
		NotTracking *string `json:"not_tracking"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}
	if got.Input != "my parcel RB004010604CN" || len(got.Candidates) == 0 || got.NotTracking == nil {
		t.Fatalf("detect output = %s", lines[0])
	}
	c := got.Candidates[0]
	if c.Number != "RB004010604CN" || c.Format != "s10" || c.CheckDigit != "valid" || c.Country != "CN" || len(c.Carriers) == 0 {
		t.Errorf("best candidate = %+v", c)
	}
	if !strings.Contains(lines[1], `"candidates":[]`) {
		t.Errorf("an input without numbers must list no candidates: %s", lines[1])
	}
	if code := run(context.Background(), []string{"detect"}, nil, io.Discard, io.Discard, env(nil)); code != 2 {
		t.Errorf("detect without text exits %d, want 2", code)
	}
	if code := run(context.Background(), []string{"detect", "--lang"}, nil, io.Discard, io.Discard, env(nil)); code != 2 {
		t.Errorf("detect --lang without a value exits %d, want 2", code)
	}

	// Not a tracking number, a typo, and a number whose ranking follows the
	// chat's language.
	tests := []struct {
		args        []string
		notTracking string
		format      string // best candidate, "" for none
		check       string
	}{
		{[]string{"detect", "Order 8181234567890123"}, "order_number", "", ""},
		{[]string{"detect", "090-1234-5678"}, "phone", "", ""},
		{[]string{"detect", "RB004010605CN"}, "", "s10", "invalid"},
		{[]string{"detect", "--lang", "th", "821797074556"}, "", "jt-th", "none"},
		{[]string{"detect", "--lang=ja", "821797074556"}, "", "jp-12", "valid"},
	}
	for _, tt := range tests {
		out.Reset()
		if code := run(context.Background(), tt.args, nil, &out, &errOut, env(nil)); code != 0 {
			t.Fatalf("%q: exit %d, stderr %q", tt.args, code, errOut.String())
		}
		var got struct {
			Candidates []struct {
				Format     string `json:"format"`
				CheckDigit string `json:"check_digit"`
			} `json:"candidates"`
			NotTracking string `json:"not_tracking"`
		}
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("%q: %v in %s", tt.args, err, out.String())
		}
		var format, check string
		if len(got.Candidates) > 0 {
			format, check = got.Candidates[0].Format, got.Candidates[0].CheckDigit
		}
		if got.NotTracking != tt.notTracking || format != tt.format || check != tt.check {
			t.Errorf("%q: not_tracking %q, best %s %s; want %q, %s %s", tt.args, got.NotTracking, format, check, tt.notTracking, tt.format, tt.check)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	var errOut bytes.Buffer
	if code := run(context.Background(), []string{"frobnicate"}, nil, io.Discard, &errOut, env(nil)); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(errOut.String(), "unknown command") {
		t.Errorf("stderr %q", errOut.String())
	}
}

func TestConfig(t *testing.T) {
	c, err := loadConfig(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || c.DBPath != "todoku.db" || !c.Sandbox || c.RedisURL != "" || c.SandboxSpeed <= 1 {
		t.Errorf("defaults = %+v", c)
	}
	secretFile := filepath.Join(t.TempDir(), "redis-url")
	if err := os.WriteFile(secretFile, []byte("redis://:hunter2@127.0.0.1:6379/0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = loadConfig(env(map[string]string{envRedisURL + "_FILE": secretFile, envHTTPAddr: "127.0.0.1:0", envSandbox: "false"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.RedisURL != "redis://:hunter2@127.0.0.1:6379/0" || c.HTTPAddr != "127.0.0.1:0" || c.Sandbox {
		t.Errorf("config = %+v", c)
	}
	for _, bad := range []map[string]string{
		{envSandbox: "maybe"},
		{envSandboxSpeed: "-3"},
		{envLogLevel: "loud"},
		{envRedisURL + "_FILE": filepath.Join(t.TempDir(), "missing")},
	} {
		if _, err := loadConfig(env(bad)); err == nil {
			t.Errorf("loadConfig(%v) accepted a bad value", bad)
		}
	}
}

// TestSecondProcessGetsClearError opens the embedded store twice: the second
// opener must fail at once with a message naming the cause.
func TestSecondProcessGetsClearError(t *testing.T) {
	db := filepath.Join(t.TempDir(), "todoku.db")
	a, err := newApp(context.Background(), config{DBPath: db, Sandbox: true, SandboxSpeed: 1}, slog.New(slog.DiscardHandler), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	var errOut bytes.Buffer
	start := time.Now()
	code := run(context.Background(), []string{"chat"}, strings.NewReader(""), io.Discard, &errOut, env(map[string]string{envDBPath: db}))
	if code == 0 {
		t.Fatal("a second bot on the same store started")
	}
	if !strings.Contains(errOut.String(), "in use") {
		t.Errorf("stderr %q does not say the store is in use", errOut.String())
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("the second open hung for %v", waited)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestConsoleChat runs `bot chat` on the real clock with a journey so fast
// that it ends within a few poll rounds: the paste is answered and the
// delivery is pushed to the terminal.
func TestConsoleChat(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in, inw := io.Pipe()
	out := &syncBuffer{}
	var errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"chat"}, in, out, &errOut, env(map[string]string{
			envDBPath:       filepath.Join(t.TempDir(), "todoku.db"),
			envSandboxSpeed: "10000000", // a 20-day journey in 0.2 s
			"LANG":          "en_US.UTF-8",
		}))
	}()
	p := i18n.For(i18n.English)
	waitFor := func(what string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(out.String(), what) {
			if time.Now().After(deadline) {
				t.Fatalf("the console never showed %q; it showed:\n%s\nstderr: %s", what, out.String(), errOut.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if _, err := io.WriteString(inw, "track SBXJP0001 please\n"); err != nil {
		t.Fatal(err)
	}
	waitFor(p.T("track.subscribed", "SBXJP0001", p.T("carrier.sandbox")))
	waitFor(p.T("push.stage", "SBXJP0001", p.T("stage.delivered.name")))
	if _, err := io.WriteString(inw, "/list\n"); err != nil {
		t.Fatal(err)
	}
	waitFor(p.T("list.header", 1))
	inw.Close()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("bot chat exited %d: %s", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("bot chat did not end when its input ended")
	}
}

func TestHealthz(t *testing.T) {
	a, err := newApp(context.Background(), config{DBPath: filepath.Join(t.TempDir(), "todoku.db"), Sandbox: true, SandboxSpeed: 1},
		slog.New(slog.DiscardHandler), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	get := func() (int, health) {
		rec := httptest.NewRecorder()
		a.healthz(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		var h health
		if err := json.Unmarshal(rec.Body.Bytes(), &h); err != nil {
			t.Fatalf("healthz body %q: %v", rec.Body.String(), err)
		}
		return rec.Code, h
	}
	code, h := get()
	if code != http.StatusOK || h.Status != "ok" || h.Store != "ok" || len(h.Sources) == 0 {
		t.Errorf("healthy: %d %+v", code, h)
	}
	a.close()
	if code, h := get(); code != http.StatusServiceUnavailable || h.Store != "unreachable" || h.Status != "down" {
		t.Errorf("store closed: %d %+v", code, h)
	}
}

func TestConfigCommandRedactsSecrets(t *testing.T) {
	var out bytes.Buffer
	code := run(context.Background(), []string{"config"}, nil, &out, io.Discard, env(map[string]string{
		envRedisURL: "redis://:hunter2@10.0.0.1:6379/0", envTelegramToken: "123:SECRET-token",
		envLineSecret: "line-secret", envLineToken: "line-token", "TODOKU_17TRACK_KEY": "17-key",
	}))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, secret := range []string{"hunter2", "SECRET-token", "line-secret", "line-token", "17-key"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("bot config prints the secret %q:\n%s", secret, out.String())
		}
	}
	for _, want := range []string{envTelegramToken + "=(set)", "TODOKU_17TRACK_KEY=(set)", envSources + "=cainiao,japan-post,yamato,sagawa,17track"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("bot config lacks %q:\n%s", want, out.String())
		}
	}
	if code := run(context.Background(), []string{"config"}, nil, io.Discard, io.Discard, env(map[string]string{envLineSecret: "x"})); code != 2 {
		t.Errorf("half a LINE configuration exits %d, want 2", code)
	}
}
