package line

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/todoku/todoku/bot"
)

// FuzzWebhook posts arbitrary bodies to the webhook: with a forged or
// missing signature it must answer 401 and hand nothing to the bot; signed,
// it must answer 200 for a JSON envelope (400 otherwise), never panic, and
// hand the bot only updates of a LINE chat, in valid UTF-8.
func FuzzWebhook(f *testing.F) {
	ev := func(typ, extra string) string {
		return `{"type":"` + typ + `","mode":"active","timestamp":1764040000000,"webhookEventId":"01JDFUZZ` + typ +
			`","deliveryContext":{"isRedelivery":false},"replyToken":"r1","source":{"type":"user","userId":"U1"}` + extra + `}`
	}
	for _, s := range []string{
		`{"destination":"Ux","events":[]}`,
		`{"destination":"Ux","events":[` + ev("message", `,"message":{"type":"text","id":"1","text":"SBXJP0001","quoteToken":"q"}`) + `]}`,
		`{"destination":"Ux","events":[` + ev("postback", `,"postback":{"data":"stop SBXJP0001"}`) + `]}`,
		`{"destination":"Ux","events":[` + ev("follow", `,"follow":{"isUnblocked":false}`) + `,` + ev("unfollow", ``) + `]}`,
		`{"destination":"Ux","events":[` + ev("message", `,"message":{"type":"sticker","id":"2","packageId":"1","stickerId":"1"}`) + `]}`,
		`{"destination":"Ux","events":[{"type":"message","source":{"type":"group","groupId":"G1"},"message":{"type":"text","text":"@Todoku <b>x</b>"}}]}`,
		`{"destination":"Ux","events":[{"type":"nonsense"},null,1,"x",[]]}`,
		`{"events":{"type":"message"}}`,
		`{"destination":"Ux","events":[` + ev("message", `,"message":{"type":"text","id":"3","text":"\ud800\udfff\u0000\u202e"}`) + `]}`,
		``, `null`, `[]`, `{`, "\xff\xfe",
	} {
		f.Add([]byte(s))
	}

	const secret = "fuzz-secret"
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	f.Cleanup(api.Close)
	var (
		mu      sync.Mutex
		problem string
	)
	report := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if problem == "" {
			problem = fmt.Sprintf(format, args...)
		}
	}
	options := Options{
		ChannelSecret: secret, ChannelToken: "fuzz-token", APIURL: api.URL, DataAPIURL: api.URL,
		HTTP: api.Client(), Logger: slog.New(slog.DiscardHandler), Workers: 2, Queue: 4096,
	}
	// signed gets only signed requests; forged only forged ones, so any
	// update it hands on is a forgery that got through.
	signed, err := New(options, func(_ context.Context, u bot.Update) []bot.Message {
		switch {
		case u.Chat.Platform != Platform || u.Chat.ID == "":
			report("update for chat %+v", u.Chat)
		case !utf8.ValidString(u.Text) || !utf8.ValidString(u.Button) || !utf8.ValidString(u.Lang):
			report("update with invalid UTF-8: %+v", u)
		}
		return []bot.Message{{Text: "ok"}}
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = signed.Close() })
	forged, err := New(options, func(_ context.Context, u bot.Update) []bot.Message {
		report("a forged request reached the bot: %+v", u)
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = forged.Close() })
	post := func(l *LINE, body []byte, sig string, set bool) int {
		req := httptest.NewRequest(http.MethodPost, "/line/webhook", bytes.NewReader(body))
		if set {
			req.Header.Set(SignatureHeader, sig)
		}
		rec := httptest.NewRecorder()
		l.WebhookHandler().ServeHTTP(rec, req)
		return rec.Code
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		mu.Lock()
		if problem != "" {
			mu.Unlock()
			t.Fatal(problem)
		}
		mu.Unlock()
		good := sign(secret, body)
		flipped := []byte(good)
		flipped[0] ^= 1
		for _, c := range []struct {
			sig string
			set bool
		}{
			{"", false}, {"", true}, {sign("not-the-secret", body), true}, {string(flipped), true},
			{strings.ToLower(good), good != strings.ToLower(good)}, {good + "=", true}, {"  " + good, true},
		} {
			if !c.set && c.sig != "" {
				continue
			}
			if code := post(forged, body, c.sig, c.set); code != http.StatusUnauthorized && !(len(body) > MaxBodyBytes && code == http.StatusRequestEntityTooLarge) {
				t.Fatalf("signature %q answered %d, want 401", c.sig, code)
			}
		}
		code := post(signed, body, good, true)
		var env envelope
		isJSON := json.Unmarshal(body, &env) == nil
		switch {
		case len(body) > MaxBodyBytes:
			if code != http.StatusRequestEntityTooLarge {
				t.Fatalf("a %d-byte body answered %d", len(body), code)
			}
		case isJSON && code != http.StatusOK && code != http.StatusServiceUnavailable:
			t.Fatalf("a signed JSON envelope answered %d", code)
		case !isJSON && code != http.StatusBadRequest:
			t.Fatalf("a signed body that is no envelope answered %d", code)
		}
	})
}

// TestWebhookOversizedBodyIsRejectedUnread: a body over the limit is
// refused before its signature is even checked.
func TestWebhookOversizedBodyIsRejectedUnread(t *testing.T) {
	l, err := New(Options{ChannelSecret: "s", ChannelToken: "t", Logger: slog.New(slog.DiscardHandler)},
		func(context.Context, bot.Update) []bot.Message { t.Error("the bot was called"); return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	body := bytes.Repeat([]byte("x"), MaxBodyBytes+1)
	for _, sig := range []string{sign("s", body), "forged"} {
		req := httptest.NewRequest(http.MethodPost, "/line/webhook", bytes.NewReader(body))
		req.Header.Set(SignatureHeader, sig)
		rec := httptest.NewRecorder()
		l.WebhookHandler().ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("an oversized body signed %q answered %d, want 413", sig, rec.Code)
		}
	}
}
