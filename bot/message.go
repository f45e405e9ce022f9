package bot

import (
	"context"
	"errors"
	"time"

	"github.com/todoku/todoku/store"
)

// Update is one thing a user did in a chat.
type Update struct {
	Chat store.ChatKey
	// User is the sender's platform ID; in a group chat it differs from
	// Chat.ID. Group is true for group chats, where anyone may add parcels
	// and pushes go to the group.
	User  string
	Group bool
	// Lang is the platform's hint of the user's language (e.g. Telegram's
	// language_code), used when the chat has no language yet.
	Lang   string
	Text   string // a typed message
	Button string // data of a pressed button, instead of Text
}

// Message is one platform-neutral message. Adapters render Text as plain
// text, Card as their richest card format, and Buttons as inline or quick
// reply buttons.
type Message struct {
	Text    string   `json:"text,omitempty"`
	Card    *Card    `json:"card,omitempty"`
	Buttons []Button `json:"buttons,omitempty"`
}

// Card shows one parcel's stage. All strings are already localized.
type Card struct {
	Number    string `json:"number"`
	Label     string `json:"label,omitempty"`
	Carrier   string `json:"carrier,omitempty"`
	Stage     string `json:"stage"`      // stable stage ID, for styling
	StageName string `json:"stage_name"` // localized
	StageHelp string `json:"stage_help"` // one line: what it means, what to do
	Step      int    `json:"step"`       // progress on the happy path
	Steps     int    `json:"steps"`
	Event     string `json:"event,omitempty"`      // newest event, raw text
	EventTime string `json:"event_time,omitempty"` // localized
	Location  string `json:"location,omitempty"`
	ETA       string `json:"eta,omitempty"`  // localized estimate, e.g. "Expected between Mon 1 Dec and Fri 5 Dec."
	Note      string `json:"note,omitempty"` // e.g. "simulation" for sandbox parcels
}

// Button is a pressable choice. Data is sent back as Update.Button.
type Button struct {
	Label string `json:"label"`
	Data  string `json:"data"`
}

// Platform delivers messages to chats of one platform.
type Platform interface {
	// Name is the platform ID used in store.ChatKey.Platform.
	Name() string
	// Send delivers msgs to the chat as one push. key is the same for
	// every attempt of one notification, so platforms that support retry
	// keys can drop duplicates. A nil error means the platform accepted.
	// A platform that may wait before its request goes out (for its rate
	// limits) calls Confirm(ctx) after the wait and sends only if it
	// succeeds.
	Send(ctx context.Context, chatID string, msgs []Message, key string) error
}

type confirmKey struct{}

// WithConfirm gives a push the check its platform makes just before the
// request goes out (see Confirm).
func WithConfirm(ctx context.Context, check func(context.Context) error) context.Context {
	return context.WithValue(ctx, confirmKey{}, check)
}

// Confirm makes the check WithConfirm gave the push, if any: the
// dispatcher's, that it still holds the notification (its claim may have
// run out while the push waited, and another process taken it). A push
// whose check fails must not go.
func Confirm(ctx context.Context) error {
	if check, ok := ctx.Value(confirmKey{}).(func(context.Context) error); ok {
		return check(ctx)
	}
	return nil
}

// SendError is a failed delivery, classified for the dispatcher.
type SendError struct {
	// Permanent errors (blocked by the user, chat gone) are not retried.
	Permanent bool
	// RetryAfter, when positive, is the platform's requested wait.
	RetryAfter time.Duration
	Err        error
}

func (e *SendError) Error() string { return "bot: send failed: " + e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a SendError marked permanent.
func IsPermanent(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Permanent
}
