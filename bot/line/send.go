package line

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	ma "github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/todoku/todoku/bot"
)

// errReplyToken marks a reply LINE refused because of its reply token:
// used already, expired, or not valid for a redelivered event.
var errReplyToken = errors.New("line: the reply token was refused")

// Waits suggested to the dispatcher when LINE gives none.
const (
	rateLimitWait    = 10 * time.Second
	monthlyLimitWait = time.Hour
	authWait         = time.Minute
)

// apiError is a request the Messaging API answered with an error status.
type apiError struct {
	op         string
	status     int
	message    string // LINE's message, shortened
	retryAfter time.Duration
}

func (e *apiError) Error() string {
	if e.message == "" {
		return fmt.Sprintf("line: %s refused with status %d", e.op, e.status)
	}
	return fmt.Sprintf("line: %s refused with status %d: %s", e.op, e.status, e.message)
}

// monthlyLimit reports whether LINE refused a push because the month's
// message quota is used up.
func (e *apiError) monthlyLimit() bool {
	return e.status == http.StatusTooManyRequests && strings.Contains(strings.ToLower(e.message), "monthly limit")
}

// Send pushes msgs to a user, group or room as one request, with key as
// the X-Line-Retry-Key so a retried push is shown once: LINE answers a
// repeated key with 409, which counts as delivered. key should be a UUID
// (store.Notification.IdempotencyKey is one); any other non-empty key is
// turned into one by name, and an empty key gets a random one. Errors are
// *bot.SendError: permanent for a chat LINE refuses (blocked, unknown, or
// a message LINE will never take), with RetryAfter on 429.
func (l *LINE) Send(ctx context.Context, chatID string, msgs []bot.Message, key string) error {
	if chatID == "" {
		return &bot.SendError{Permanent: true, Err: errors.New("line: empty chat id")}
	}
	out := render(msgs)
	if len(out) == 0 {
		return nil
	}
	err := l.push(ctx, chatID, out, retryKey(key))
	if err == nil {
		return nil
	}
	se := &bot.SendError{Err: err}
	if ae, ok := errors.AsType[*apiError](err); ok {
		switch {
		case ae.status == http.StatusTooManyRequests:
			se.RetryAfter = ae.retryAfter
			if ae.monthlyLimit() {
				l.quota.exhausted(l.opts.Now())
				if se.RetryAfter <= 0 {
					se.RetryAfter = monthlyLimitWait
				}
			} else if se.RetryAfter <= 0 {
				se.RetryAfter = rateLimitWait
			}
		case ae.status == http.StatusUnauthorized:
			// The channel token is wrong or revoked: no chat's fault.
			l.log.Error("LINE refused the channel access token.")
			se.RetryAfter = authWait
		case ae.status == http.StatusBadRequest, ae.status == http.StatusForbidden, ae.status == http.StatusNotFound:
			se.Permanent = true
		}
	}
	return se
}

// client returns the API client bound to ctx. The SDK keeps the context
// in the client, so each call gets its own copy.
func (l *LINE) client(ctx context.Context) *ma.MessagingApiAPI {
	c := *l.api
	return c.WithContext(ctx)
}

// reply answers an event with its reply token.
func (l *LINE) reply(ctx context.Context, token string, msgs []ma.MessageInterface) error {
	res, _, err := l.client(ctx).ReplyMessageWithHttpInfo(&ma.ReplyMessageRequest{ReplyToken: token, Messages: msgs})
	err = l.check("reply", res, err)
	if ae, ok := errors.AsType[*apiError](err); ok && ae.status == http.StatusBadRequest &&
		strings.Contains(strings.ToLower(ae.message), "reply token") {
		return fmt.Errorf("%w: %w", errReplyToken, err)
	}
	return err
}

// push sends msgs with a retry key; a 409 (the key was accepted before)
// is success.
func (l *LINE) push(ctx context.Context, to string, msgs []ma.MessageInterface, key string) error {
	res, _, err := l.client(ctx).PushMessageWithHttpInfo(&ma.PushMessageRequest{To: to, Messages: msgs}, key)
	if res != nil && res.StatusCode == http.StatusConflict {
		drain(res)
		l.log.Debug("LINE had accepted this push already.", slog.String("retry_key", key))
		return nil
	}
	if err := l.check("push", res, err); err != nil {
		return err
	}
	l.quota.count(1)
	return nil
}

// profile returns the language of a user's LINE profile, "" when they do
// not share it.
func (l *LINE) profile(ctx context.Context, user string) (string, error) {
	res, p, err := l.client(ctx).GetProfileWithHttpInfo(user)
	if err := l.check("profile", res, err); err != nil {
		return "", err
	}
	if p == nil {
		return "", nil
	}
	return p.Language, nil
}

// check turns the SDK's result into nil, an *apiError for an error status,
// or a transport error, with no secret in its text. A 2xx answer counts as
// success even if its body cannot be read: LINE accepted the request.
func (l *LINE) check(op string, res *http.Response, err error) error {
	if res == nil {
		if err == nil {
			return nil
		}
		return fmt.Errorf("line: %s failed: %w", op, l.scrub(err))
	}
	if res.StatusCode/100 == 2 {
		if err != nil {
			l.log.Debug("LINE accepted a request with an unreadable answer.", slog.String("op", op), slog.Any("error", l.scrub(err)))
		}
		return nil
	}
	ae := &apiError{op: op, status: res.StatusCode, retryAfter: retryAfter(res.Header.Get("Retry-After"), l.opts.Now())}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	var er ma.ErrorResponse
	if json.Unmarshal(body, &er) == nil && er.Message != "" {
		msg := er.Message
		for _, d := range er.Details {
			msg += "; " + d.Property + ": " + d.Message
		}
		ae.message = clipRunes(l.redact.Replace(msg), 300)
	}
	return ae
}

func drain(res *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	_ = res.Body.Close()
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// retryKey makes key a valid X-Line-Retry-Key: a UUID as is (lower case),
// anything else as a name-based UUID of it, and no key a random UUID.
func retryKey(key string) string {
	if isUUID(key) {
		return strings.ToLower(key)
	}
	if key != "" {
		return nameUUID("todoku/line-retry-key\x00" + key)
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return formatUUID(b[:])
}

// nameUUID is a version 5 shaped UUID of name.
func nameUUID(name string) string {
	h := sha1.Sum([]byte(name))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return formatUUID(h[:16])
}

func formatUUID(b []byte) string {
	x := hex.EncodeToString(b)
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// isUUID reports whether s is a UUID in the 8-4-4-4-12 hex form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
