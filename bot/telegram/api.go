package telegram

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	tele "gopkg.in/telebot.v3"
)

const (
	// maxAnswerBytes bounds one Bot API answer (100 updates of getUpdates
	// fit well below it).
	maxAnswerBytes = 16 << 20
	// defaultCallTimeout bounds a call whose context has no deadline.
	defaultCallTimeout = 30 * time.Second
)

// Error is a failed Bot API call. Its text never contains the bot token.
type Error struct {
	Method string
	// Status is the HTTP status of the answer, 0 when none arrived.
	Status int
	// Code and Description are the API's error_code and description; Code
	// is 0 when the answer was not a Bot API answer at all (a proxy's HTML
	// error page, a cut connection).
	Code        int
	Description string
	// RetryAfter is the flood-control wait the API asked for (429).
	RetryAfter time.Duration
	// MigrateTo is the new ID of a group upgraded to a supergroup.
	MigrateTo int64

	msg   string // for failures without an API answer, already scrubbed
	cause error  // a telebot sentinel or a context error; never a URL
}

func (e *Error) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("telegram: %s failed: %d %s", e.Method, e.Code, e.Description)
	}
	return fmt.Sprintf("telegram: %s failed: %s", e.Method, e.msg)
}

// Unwrap gives the matching telebot error (tele.ErrBlockedByUser, ...) for
// API errors, and context.Canceled or DeadlineExceeded for calls cut short.
func (e *Error) Unwrap() error { return e.cause }

// Timeout reports whether the call failed on a timeout.
func (e *Error) Timeout() bool {
	return errors.Is(e.cause, context.DeadlineExceeded)
}

// client calls Bot API methods with JSON bodies.
type client struct {
	base   string // API URL + "/bot" + token: secret, never printed
	http   *http.Client
	redact *strings.Replacer
}

func newClient(apiURL, token string, hc *http.Client) *client {
	if hc == nil {
		hc = &http.Client{}
	}
	// The token may show up raw or escaped in a URL inside an error, or
	// its secret half alone.
	const hidden = "<token>"
	_, half, _ := strings.Cut(token, ":")
	return &client{
		base: strings.TrimRight(apiURL, "/") + "/bot" + token,
		http: hc,
		redact: strings.NewReplacer(token, hidden,
			url.PathEscape(token), hidden, url.QueryEscape(token), hidden, half, hidden),
	}
}

// envelope is every Bot API answer.
type envelope struct {
	OK          *bool           `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// call invokes method with params (encoded as JSON) and decodes the result
// into result unless it is nil. An answer that is not a Bot API answer
// (a proxy's HTML error page, even with a 2xx status) is an error, and every
// error is scrubbed of the token.
func (c *client) call(ctx context.Context, method string, params, result any) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultCallTimeout)
		defer cancel()
	}
	body, err := json.Marshal(params)
	if err != nil {
		return &Error{Method: method, msg: "unable to encode the request: " + c.redact.Replace(err.Error())}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/"+method, bytes.NewReader(body))
	if err != nil {
		return c.transport(method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return c.transport(method, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return c.transport(method, err)
	}
	if len(data) > maxAnswerBytes {
		return &Error{Method: method, Status: resp.StatusCode, msg: "the answer is larger than 16 MiB"}
	}
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil || env.OK == nil {
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		return &Error{Method: method, Status: resp.StatusCode,
			msg: fmt.Sprintf("HTTP %d with a body that is not a Bot API answer (%s)", resp.StatusCode, cmp.Or(ct, "no content type"))}
	}
	if !*env.OK {
		e := &Error{Method: method, Status: resp.StatusCode, Code: env.ErrorCode,
			Description: c.redact.Replace(env.Description)}
		if e.Code == 0 {
			e.Code = cmp.Or(resp.StatusCode, http.StatusInternalServerError)
		}
		if e.Description == "" {
			e.Description = http.StatusText(e.Code)
		}
		if p := env.Parameters; p != nil {
			e.RetryAfter = time.Duration(p.RetryAfter) * time.Second
			e.MigrateTo = p.MigrateToChatID
		}
		if te := tele.Err(env.Description); te != nil {
			e.cause = te
		}
		return e
	}
	if resp.StatusCode/100 != 2 {
		return &Error{Method: method, Status: resp.StatusCode,
			msg: fmt.Sprintf("HTTP %d with an answer that claims success", resp.StatusCode)}
	}
	if result != nil {
		if err := json.Unmarshal(env.Result, result); err != nil {
			return &Error{Method: method, Status: resp.StatusCode, msg: "unable to decode the result: " + c.redact.Replace(err.Error())}
		}
	}
	return nil
}

// transport turns a failed exchange into an Error without the request URL:
// net/http puts the whole URL, token included, into its errors.
func (c *client) transport(method string, err error) *Error {
	e := &Error{Method: method, msg: c.redact.Replace(err.Error())}
	var ue *url.Error
	if errors.As(err, &ue) {
		// Keep the cause, drop "Post \"https://…/bot<token>/method\": ".
		e.msg = c.redact.Replace(ue.Err.Error())
	}
	switch {
	case errors.Is(err, context.Canceled):
		e.cause = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		e.cause = context.DeadlineExceeded
	default:
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			e.cause = context.DeadlineExceeded
		}
	}
	return e
}

// retryable reports whether a call that failed with err may succeed when
// repeated: flood control, server errors, no answer at all.
func retryable(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch {
	case e.Code == http.StatusTooManyRequests, e.Code >= 500:
		return true
	case e.Code != 0:
		return false
	case errors.Is(e.cause, context.Canceled):
		return false
	}
	return true // no API answer: a transport failure or a proxy's page
}

// chatGone reports whether err says the bot can no longer write to the
// chat: blocked, kicked, the chat deleted, or upgraded to a supergroup
// under a new ID.
func chatGone(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	if e.Code == http.StatusForbidden || e.MigrateTo != 0 {
		return true
	}
	if e.Code != http.StatusBadRequest {
		return false
	}
	if errors.Is(err, tele.ErrChatNotFound) || errors.Is(err, tele.ErrGroupMigrated) || errors.Is(err, tele.ErrNoRightsToSend) {
		return true
	}
	d := strings.ToLower(e.Description)
	for _, s := range []string{"chat not found", "upgraded to a supergroup", "rights to send", "peer_id_invalid", "user is deactivated"} {
		if strings.Contains(d, s) {
			return true
		}
	}
	return false
}

// badEntities reports whether the API refused a message's HTML.
func badEntities(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == http.StatusBadRequest &&
		strings.Contains(strings.ToLower(e.Description), "can't parse entities")
}

// idString formats a chat or user ID.
func idString(id int64) string { return strconv.FormatInt(id, 10) }
