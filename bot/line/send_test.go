package line

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

func push(text string) []bot.Message {
	return []bot.Message{{Text: text, Card: sampleCard(), Buttons: []bot.Button{{Label: "My parcels", Data: "list"}}}}
}

func TestSendWithTheSameKeyIsShownOnce(t *testing.T) {
	h := newHarness(t, (&recorder{}).handle, nil)
	key := store.Notification{Chat: store.ChatKey{Platform: "line", ID: "U20"}, Number: "SBXJP0001", To: tracker.StageInTransit}.IdempotencyKey()
	for i := range 3 {
		if err := h.line.Send(context.Background(), "U20", push("📦 SBXJP0001 is now: In transit"), key); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	_, pushes, reqs := h.fake.snapshot()
	if len(pushes) != 1 {
		t.Fatalf("shown %d times, want once", len(pushes))
	}
	if n := strings.Count(strings.Join(reqs, "\n"), "POST /v2/bot/message/push"); n != 3 {
		t.Errorf("%d push requests, want 3 (two answered 409)", n)
	}
	if pushes[0].key != key {
		t.Errorf("retry key %q, want the notification's %q", pushes[0].key, key)
	}
	if pushes[0].messages[0]["type"] != "flex" {
		t.Errorf("push = %v", pushes[0].messages)
	}
}

func TestSendKeys(t *testing.T) {
	h := newHarness(t, (&recorder{}).handle, nil)
	ctx := context.Background()
	// A key that is not a UUID becomes one, the same each time.
	for range 2 {
		if err := h.line.Send(ctx, "U21", push("a"), "outbox-entry-17"); err != nil {
			t.Fatal(err)
		}
	}
	// No key: each push is its own.
	for range 2 {
		if err := h.line.Send(ctx, "U21", push("b"), ""); err != nil {
			t.Fatal(err)
		}
	}
	_, pushes, _ := h.fake.snapshot()
	if len(pushes) != 3 {
		t.Fatalf("%d pushes shown, want 3", len(pushes))
	}
	// Nothing to show: nothing sent.
	if err := h.line.Send(ctx, "U21", nil, ""); err != nil {
		t.Error(err)
	}
}

func TestSendErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("blocked user is permanent", func(t *testing.T) {
		h := newHarness(t, (&recorder{}).handle, nil)
		h.fake.blocked["U22"] = true
		err := h.line.Send(ctx, "U22", push("x"), "")
		if !bot.IsPermanent(err) {
			t.Fatalf("err = %v, want permanent", err)
		}
		if !strings.Contains(err.Error(), "403") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("rate limit", func(t *testing.T) {
		h := newHarness(t, (&recorder{}).handle, nil)
		h.fake.rateLimit = 1
		err := h.line.Send(ctx, "U23", push("x"), "")
		var se *bot.SendError
		if !errors.As(err, &se) || se.Permanent || se.RetryAfter <= 0 {
			t.Fatalf("err = %#v, want a transient SendError with RetryAfter", err)
		}
		if err := h.line.Send(ctx, "U23", push("x"), ""); err != nil {
			t.Errorf("after the wait: %v", err)
		}
	})
	t.Run("monthly limit", func(t *testing.T) {
		h := newHarness(t, (&recorder{}).handle, nil)
		h.fake.monthly = true
		err := h.line.Send(ctx, "U24", push("x"), "")
		var se *bot.SendError
		if !errors.As(err, &se) || se.Permanent || se.RetryAfter < time.Minute {
			t.Fatalf("err = %#v, want a long wait", err)
		}
		if !h.line.LowOnQuota(ctx) {
			t.Error("LowOnQuota is false after LINE said the monthly limit is reached")
		}
	})
	t.Run("server error is transient", func(t *testing.T) {
		h := newHarness(t, (&recorder{}).handle, nil)
		h.fake.fail = http.StatusInternalServerError
		err := h.line.Send(ctx, "U25", push("x"), "")
		if err == nil || bot.IsPermanent(err) {
			t.Fatalf("err = %v, want transient", err)
		}
	})
	t.Run("bad token is not the chat's fault", func(t *testing.T) {
		h := newHarness(t, (&recorder{}).handle, nil)
		h.fake.token = "another"
		err := h.line.Send(ctx, "U26", push("x"), "")
		var se *bot.SendError
		if !errors.As(err, &se) || se.Permanent {
			t.Fatalf("err = %v, want transient", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		h := newHarness(t, (&recorder{}).handle, nil)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := h.line.Send(cctx, "U27", push("x"), "")
		if !errors.Is(err, context.Canceled) || bot.IsPermanent(err) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("empty chat", func(t *testing.T) {
		h := newHarness(t, (&recorder{}).handle, nil)
		if err := h.line.Send(ctx, "", push("x"), ""); !bot.IsPermanent(err) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestQuota(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, (&recorder{}).handle, nil)
	h.fake.limit, h.fake.used = 200, 150
	limit, used, err := h.line.Quota(ctx)
	if err != nil || limit != 200 || used != 150 {
		t.Fatalf("Quota = %d, %d, %v", limit, used, err)
	}
	if h.line.LowOnQuota(ctx) {
		t.Error("50 of 200 left is not low")
	}
	// Cached: LINE is not asked again within QuotaEvery, but our own
	// pushes count.
	h.fake.used = 185
	for range 2 {
		if err := h.line.Send(ctx, "U30", push("x"), ""); err != nil {
			t.Fatal(err)
		}
	}
	if h.line.LowOnQuota(ctx) { // 150+2 used as far as the cache knows
		t.Error("low before the cache expired")
	}
	h.clock.advance(6 * time.Minute)
	if !h.line.LowOnQuota(ctx) { // 187 of 200 used
		t.Error("13 of 200 left is low")
	}
	_, _, reqs := h.fake.snapshot()
	if n := strings.Count(strings.Join(reqs, "\n"), "GET /v2/bot/message/quota/consumption"); n != 3 {
		t.Errorf("read consumption %d times, want 3", n)
	}

	// No limit set on the channel.
	h.fake.limit = -1
	h.clock.advance(6 * time.Minute)
	if limit, _, _ := h.line.Quota(ctx); limit != -1 {
		t.Errorf("limit = %d, want -1 for none", limit)
	}
	if h.line.LowOnQuota(ctx) {
		t.Error("an unlimited channel is low")
	}

	// A failed reading keeps the last answer.
	h.fake.limit, h.fake.used = 200, 199
	h.clock.advance(6 * time.Minute)
	h.fake.fail = http.StatusInternalServerError
	if h.line.LowOnQuota(ctx) {
		t.Error("a failed reading changed the answer")
	}
	h.fake.fail = 0
	if h.line.LowOnQuota(ctx) {
		t.Error("a failed reading is retried at once")
	}
	h.clock.advance(time.Minute)
	if !h.line.LowOnQuota(ctx) {
		t.Error("not read again a minute after a failure")
	}
}

// TestSecretsStayOut provokes every error path with a fake that echoes the
// bearer token in its error answers, and checks that neither the token nor
// the channel secret shows in an error or a log line.
func TestSecretsStayOut(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, (&recorder{}).handle, nil)
	h.fake.leak = true
	h.fake.expect = true
	var errs []error
	check := func(what string, err error) {
		if err == nil {
			t.Errorf("%s: no error", what)
			return
		}
		errs = append(errs, err)
	}
	h.fake.blocked["U40"] = true
	check("blocked", h.line.Send(ctx, "U40", push("x"), ""))
	h.fake.rateLimit = 1
	check("429", h.line.Send(ctx, "U41", push("x"), ""))
	h.fake.fail = http.StatusInternalServerError
	check("500", h.line.Send(ctx, "U41", push("x"), ""))
	_, _, err := h.line.Quota(ctx)
	check("quota", err)
	_, err = h.line.profile(ctx, "U41")
	check("profile", err)
	check("reply", h.line.reply(ctx, "t", render([]bot.Message{{Text: "x"}})))
	h.line.LowOnQuota(ctx)
	h.fake.fail = 0
	h.fake.token = "rotated"
	check("401", h.line.Send(ctx, "U41", push("x"), ""))

	// Webhook paths: a reply refused, a forged request.
	h.fake.fail = http.StatusBadRequest
	h.post(h.textEvent(userSource("U42"), "U42", "hi"))
	h.postRaw([]byte(`{"events":[]}`), sign(testToken, []byte(`{"events":[]}`)))

	// Transport failures: a host that is not there.
	dead, err := New(Options{ChannelSecret: testSecret, ChannelToken: testToken, APIURL: "http://127.0.0.1:1",
		HTTP: &http.Client{Timeout: time.Second}, Logger: h.line.opts.Logger}, (&recorder{}).handle)
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	check("dial", dead.Send(ctx, "U43", push("x"), ""))
	_, _, err = dead.Quota(ctx)
	check("dial quota", err)
	_, err = New(Options{ChannelSecret: testSecret, ChannelToken: testToken, APIURL: "::" + testToken}, (&recorder{}).handle)
	check("bad URL", err)
	h.drain()

	for _, err := range errs {
		if s := err.Error(); strings.Contains(s, testToken) || strings.Contains(s, testSecret) {
			t.Errorf("error shows a secret: %s", s)
		}
	}
	if !strings.Contains(h.logs.String(), "[redacted]") {
		t.Error("the leaking fake was never quoted; the test does not test anything")
	}
}

func TestRetryKey(t *testing.T) {
	k := "123E4567-E89B-12D3-A456-426614174000"
	if got := retryKey(k); got != strings.ToLower(k) {
		t.Errorf("retryKey(uuid) = %q", got)
	}
	if a, b := retryKey("x"), retryKey("x"); a != b || !isUUID(a) {
		t.Errorf("retryKey(x) = %q, %q", a, b)
	}
	if a, b := retryKey(""), retryKey(""); a == b || !isUUID(a) {
		t.Errorf("retryKey() = %q, %q", a, b)
	}
	for _, s := range []string{"", "123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400g"} {
		if isUUID(s) {
			t.Errorf("isUUID(%q) = true", s)
		}
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"": 0, "7": 7 * time.Second, "-1": 0, "soon": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
	} {
		if got := retryAfter(v, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestNewChecksOptions(t *testing.T) {
	h := (&recorder{}).handle
	for name, o := range map[string]Options{
		"no secret": {ChannelToken: "t"},
		"no token":  {ChannelSecret: "s"},
	} {
		if _, err := New(o, h); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := New(Options{ChannelSecret: "s", ChannelToken: "t"}, nil); err == nil {
		t.Error("nil handler: no error")
	}
	l, err := New(Options{ChannelSecret: "s", ChannelToken: "t"}, h)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Name() != "line" || l.opts.APIURL != "https://api.line.me" {
		t.Errorf("defaults: %q %q", l.Name(), l.opts.APIURL)
	}
	var _ bot.Platform = l
}
