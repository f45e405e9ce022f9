package line

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
)

const (
	testSecret = "8c5e0b6f2d1a4e7c9b3f0a2d4c6e8f1a"
	testToken  = "tok3n-S3CRET-9f8e7d6c5b4a3928172635445362718a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f"
	testDest   = "U0123456789abcdef0123456789abcdef"
)

// syncBuffer is a log sink safe for concurrent writers.
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

// harness runs the adapter against the fake Messaging API, with its
// webhook served by an httptest server.
type harness struct {
	t     *testing.T
	clock *clock
	fake  *fakeLINE
	line  *LINE
	hook  *httptest.Server
	logs  *syncBuffer
	seq   atomic.Int64
}

func newHarness(t *testing.T, h Handler, tune func(*Options)) *harness {
	t.Helper()
	c := newClock()
	fake, api := newFakeLINE(t, testToken, c)
	logs := &syncBuffer{}
	o := Options{
		ChannelSecret: testSecret,
		ChannelToken:  testToken,
		APIURL:        api.URL,
		DataAPIURL:    api.URL,
		HTTP:          api.Client(),
		Logger:        slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:           c.now,
	}
	if tune != nil {
		tune(&o)
	}
	l, err := New(o, h)
	if err != nil {
		t.Fatal(err)
	}
	hook := httptest.NewServer(l.WebhookHandler())
	t.Cleanup(hook.Close)
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	t.Cleanup(func() {
		if s := logs.String(); strings.Contains(s, testToken) || strings.Contains(s, testSecret) {
			t.Errorf("a secret reached the logs:\n%s", s)
		}
	})
	return &harness{t: t, clock: c, fake: fake, line: l, hook: hook, logs: logs}
}

// eventID returns a new ULID-shaped webhookEventId.
func (h *harness) eventID() string {
	return fmt.Sprintf("01JD%022d", h.seq.Add(1))
}

// Webhook events, shaped as line-webhook.yml describes them.

func userSource(user string) map[string]any { return map[string]any{"type": "user", "userId": user} }

func groupSource(group, user string) map[string]any {
	return map[string]any{"type": "group", "groupId": group, "userId": user}
}

func (h *harness) base(typ, id string, src map[string]any) map[string]any {
	return map[string]any{
		"type": typ, "mode": "active", "timestamp": h.clock.now().UnixMilli(),
		"source": src, "webhookEventId": id,
		"deliveryContext": map[string]any{"isRedelivery": false},
	}
}

func (h *harness) textEvent(src map[string]any, chat, text string) map[string]any {
	ev := h.base("message", h.eventID(), src)
	ev["replyToken"] = h.fake.issue(chat)
	ev["message"] = map[string]any{"type": "text", "id": fmt.Sprint(468789577898262530 + h.seq.Add(1)), "text": text, "quoteToken": "q3Plxr4AgKd"}
	return ev
}

func (h *harness) postbackEvent(src map[string]any, chat, data string) map[string]any {
	ev := h.base("postback", h.eventID(), src)
	ev["replyToken"] = h.fake.issue(chat)
	ev["postback"] = map[string]any{"data": data}
	return ev
}

func (h *harness) followEvent(user string) map[string]any {
	ev := h.base("follow", h.eventID(), userSource(user))
	ev["replyToken"] = h.fake.issue(user)
	ev["follow"] = map[string]any{"isUnblocked": false}
	return ev
}

// body builds a webhook body and checks it against the webhook spec, so
// the tests send only what LINE could.
func (h *harness) body(events ...map[string]any) []byte {
	h.t.Helper()
	if events == nil {
		events = []map[string]any{}
	}
	b, err := json.Marshal(map[string]any{"destination": testDest, "events": events})
	if err != nil {
		h.t.Fatal(err)
	}
	s := loadSpec(h.t, "line-webhook.yml")
	if errs := s.checkJSON(s.schema("CallbackRequest"), b); len(errs) > 0 {
		h.t.Fatalf("the test built a webhook body LINE would never send: %q", errs)
	}
	return b
}

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// post delivers a signed webhook and returns the status.
func (h *harness) post(events ...map[string]any) int {
	h.t.Helper()
	b := h.body(events...)
	return h.postRaw(b, sign(testSecret, b))
}

func (h *harness) postRaw(body []byte, sig string) int {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.hook.URL+"/line/webhook", bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if sig != "" {
		req.Header.Set("x-line-signature", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// drain waits for the adapter to finish every queued event.
func (h *harness) drain() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.line.Shutdown(ctx); err != nil {
		h.t.Fatal(err)
	}
}

// recorder is a Handler that remembers updates and answers with reply.
type recorder struct {
	mu      sync.Mutex
	updates []bot.Update
	reply   func(u bot.Update) []bot.Message
}

func (r *recorder) handle(_ context.Context, u bot.Update) []bot.Message {
	r.mu.Lock()
	r.updates = append(r.updates, u)
	f := r.reply
	r.mu.Unlock()
	if f == nil {
		return []bot.Message{{Text: "ok: " + u.Text + u.Button}}
	}
	return f(u)
}

func (r *recorder) got() []bot.Update {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Update(nil), r.updates...)
}

// texts lists the text of each LINE message (altText for Flex).
func texts(msgs []map[string]any) []string {
	var out []string
	for _, m := range msgs {
		if t, ok := m["text"].(string); ok {
			out = append(out, t)
		} else {
			out = append(out, fmt.Sprint(m["altText"]))
		}
	}
	return out
}

// eventually polls cond until it holds.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// gate is a channel closed once, by the test or at its cleanup, so a
// failing test never leaves handlers blocked.
func gate(t testing.TB) (ch chan struct{}, open func()) {
	ch = make(chan struct{})
	var once sync.Once
	open = func() { once.Do(func() { close(ch) }) }
	t.Cleanup(open)
	return ch, open
}
