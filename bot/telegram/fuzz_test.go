package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/todoku/todoku/bot"
)

// fuzzBot is an adapter whose Bot API answers every call with success.
func fuzzBot(tb testing.TB, secret string) *Telegram {
	tb.Helper()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true,"result":true}`))
	}))
	tb.Cleanup(api.Close)
	tg, err := New(Options{Token: testToken, APIURL: api.URL, WebhookSecret: secret, Logger: slog.New(slog.DiscardHandler)},
		func(context.Context, bot.Update) []bot.Message { return nil })
	if err != nil {
		tb.Fatal(err)
	}
	return tg
}

// FuzzUpdate decodes arbitrary update JSON as the webhook and long-poll
// do: no panic; an update that does not decode is skipped (by its
// update_id when it has one); one the bot handles names a Telegram chat by
// its numeric ID, in valid UTF-8. The webhook refuses every body without
// the secret.
func FuzzUpdate(f *testing.F) {
	for _, s := range []string{
		`{"update_id":1,"message":{"message_id":1,"date":1764040000,"chat":{"id":812345,"type":"private"},"from":{"id":812345,"is_bot":false,"first_name":"A","language_code":"ja"},"text":"SBXJP0001"}}`,
		`{"update_id":2,"message":{"message_id":2,"date":1764040000,"chat":{"id":-100123,"type":"supergroup"},"from":{"id":9,"is_bot":false,"first_name":"B"},"text":"/list@todoku_bot"}}`,
		`{"update_id":3,"callback_query":{"id":"c1","from":{"id":9,"is_bot":false,"first_name":"B"},"message":{"message_id":5,"date":1,"chat":{"id":9,"type":"private"}},"data":"stop SBXJP0001"}}`,
		`{"update_id":4,"callback_query":{"id":"c2","from":{"id":9,"is_bot":false,"first_name":"B"},"data":"~unknown"}}`,
		`{"update_id":5,"message":{"message_id":1,"date":1,"chat":{"id":1,"type":"channel"},"text":"x"}}`,
		`{"update_id":6,"message":{"message_id":1,"date":1,"chat":{"id":7,"type":"private"},"from":{"id":7,"is_bot":false,"first_name":"C"},"caption":"<b>LP00123456789012</b>","document":{"file_id":"f"}}}`,
		`{"update_id":7,"message":{"message_id":1,"date":1,"chat":{"id":-5,"type":"group"},"sender_chat":{"id":-5,"type":"group"},"text":"\u202e\u0000"}}`,
		`{"update_id":8,"message":{"chat":{"id":"x"}}}`,
		`{"update_id":"9"}`, `{"update_id":1e400}`, `{}`, `null`, `[]`, `{`, "\xff",
	} {
		f.Add([]byte(s))
	}
	const secret = "fuzz-secret_1"
	tg := fuzzBot(f, secret)
	hook := tg.WebhookHandler()
	f.Fuzz(func(t *testing.T, body []byte) {
		u, id, err := decodeUpdate(body)
		if err != nil {
			if u.ID != 0 || u.Message != nil || u.Callback != nil {
				t.Fatalf("an error (%v) came with an update %+v", err, u)
			}
			var head struct {
				ID int `json:"update_id"`
			}
			if json.Unmarshal(body, &head) == nil && head.ID != id {
				t.Fatalf("skipped update id %d, the body says %d", id, head.ID)
			}
		} else {
			if u.ID != id {
				t.Fatalf("update id %d, decodeUpdate said %d", u.ID, id)
			}
			bu, _, ok := tg.convert(context.Background(), u)
			if ok {
				if bu.Chat.Platform != Platform {
					t.Fatalf("chat %+v", bu.Chat)
				}
				if n, err := strconv.ParseInt(bu.Chat.ID, 10, 64); err != nil || strconv.FormatInt(n, 10) != bu.Chat.ID {
					t.Fatalf("chat id %q is not a Telegram chat id", bu.Chat.ID)
				}
				if !utf8.ValidString(bu.Text) || !utf8.ValidString(bu.Button) || !utf8.ValidString(bu.Lang) {
					t.Fatalf("invalid UTF-8 in %+v", bu)
				}
				if bu.Text == "" && bu.Button == "" && !bu.Group {
					// A private message without words is a file: answered.
					// A button press without data (a game's, or a forged
					// one) never reaches the bot.
					file := u.Message != nil && (u.Message.Document != nil || u.Message.Photo != nil)
					if !file {
						t.Fatalf("an empty update %+v from %s", bu, body)
					}
				}
			}
		}
		// Without the right secret nothing is even read.
		for _, s := range []string{"", "fuzz-secret_2", strings.ToUpper(secret), secret + " "} {
			req := httptest.NewRequest(http.MethodPost, "/telegram/webhook", bytes.NewReader(body))
			if s != "" {
				req.Header.Set(SecretHeader, s)
			}
			rec := httptest.NewRecorder()
			hook.ServeHTTP(rec, req)
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("secret %q answered %d, want 401", s, rec.Code)
			}
		}
	})
}

// plainOf reads Telegram HTML as Telegram would: it fails on a tag the
// renderer does not write, an unbalanced tag or an unknown entity, and
// returns the text the user sees.
func plainOf(html string) (string, error) {
	var b strings.Builder
	var open []string
	for i := 0; i < len(html); {
		switch html[i] {
		case '<':
			end := strings.IndexByte(html[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("unclosed < at %d", i)
			}
			tag := html[i+1 : i+end]
			i += end + 1
			if name, ok := strings.CutPrefix(tag, "/"); ok {
				if len(open) == 0 || open[len(open)-1] != name {
					return "", fmt.Errorf("</%s> closes %v", name, open)
				}
				open = open[:len(open)-1]
				continue
			}
			switch tag {
			case "b", "i", "u", "s", "code", "pre":
				open = append(open, tag)
			default:
				return "", fmt.Errorf("tag <%s>", tag)
			}
		case '&':
			end := strings.IndexByte(html[i:], ';')
			if end < 0 {
				return "", fmt.Errorf("bare & at %d", i)
			}
			switch html[i : i+end+1] {
			case "&lt;":
				b.WriteByte('<')
			case "&gt;":
				b.WriteByte('>')
			case "&amp;":
				b.WriteByte('&')
			case "&quot;":
				b.WriteByte('"')
			default:
				return "", fmt.Errorf("entity %s", html[i:i+end+1])
			}
			i += end + 1
		case '>':
			return "", fmt.Errorf("bare > at %d", i)
		default:
			b.WriteByte(html[i])
			i++
		}
	}
	if len(open) > 0 {
		return "", fmt.Errorf("unclosed %v", open)
	}
	return b.String(), nil
}

// checkParts asserts that rendered parts fit one Telegram message each
// and that their HTML shows exactly their plain text.
func checkParts(t *testing.T, parts []part) {
	t.Helper()
	for i, p := range parts {
		if n := units(p.plain); n > maxText {
			t.Fatalf("part %d has %d UTF-16 units, more than %d", i, n, maxText)
		}
		if strings.TrimSpace(p.plain) == "" {
			t.Fatalf("part %d is blank: %q", i, p.html)
		}
		if !utf8.ValidString(p.html) {
			t.Fatalf("part %d is not valid UTF-8", i)
		}
		got, err := plainOf(p.html)
		if err != nil {
			t.Fatalf("part %d: %v in %q", i, err, p.html)
		}
		if got != p.plain {
			t.Fatalf("part %d shows %q, its plain form is %q", i, got, p.plain)
		}
		if p.keyboard != nil {
			for _, row := range p.keyboard.Rows {
				for _, b := range row {
					if len(b.CallbackData) > maxCallbackData || b.Text == "" {
						t.Fatalf("button %+v", b)
					}
				}
			}
		}
	}
}

// FuzzRender renders a message with arbitrary text, a card with arbitrary
// fields and a button with arbitrary data: every part fits, and markup in
// the text is shown, never obeyed.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"", "hello", "<b>bold</b> </a> & &amp; `code` *x*", strings.Repeat("長", 5000), strings.Repeat("😀", 3000),
		strings.Repeat("line\n", 2000), "\x00\x1b[31m\u202e", "\xff\xfe<", strings.Repeat("<b>", 2000),
	} {
		f.Add(s, s, "stop "+s)
	}
	tg := fuzzBot(f, "")
	f.Fuzz(func(t *testing.T, text, field, data string) {
		card := &bot.Card{Number: field, Label: field, Carrier: field, Stage: "in_transit", StageName: field, StageHelp: field,
			Step: 3, Steps: 6, Event: field, EventTime: field, Location: field, ETA: field, Note: field}
		msgs := []bot.Message{
			{Text: text},
			{Text: text, Card: card, Buttons: []bot.Button{{Label: field, Data: data}, {Label: "ok", Data: "list"}}},
			{Buttons: []bot.Button{{Label: text, Data: data}}},
		}
		parts := tg.render(msgs)
		if utf8.ValidString(text) && utf8.ValidString(field) {
			checkParts(t, parts)
		}
	})
}
