package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/todoku/todoku/bot"
)

// sendMessageParams is the body of sendMessage.
type sendMessageParams struct {
	ChatID             int64               `json:"chat_id"`
	Text               string              `json:"text"`
	ParseMode          string              `json:"parse_mode,omitempty"`
	LinkPreviewOptions *linkPreviewOptions `json:"link_preview_options,omitempty"`
	ReplyParameters    *replyParameters    `json:"reply_parameters,omitempty"`
	ReplyMarkup        *inlineKeyboard     `json:"reply_markup,omitempty"`
}

type linkPreviewOptions struct {
	IsDisabled bool `json:"is_disabled"`
}

type replyParameters struct {
	MessageID                int  `json:"message_id"`
	AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
}

// Send delivers msgs to the chat as one push, within the limiter's pace.
// A 429 is waited out and retried when Telegram asks for 30 seconds or
// less, else returned with its RetryAfter; a chat that blocked
// or removed the bot gives a permanent bot.SendError. When a push of several
// Telegram messages fails part way, a retry with the same key sends only
// the rest.
func (t *Telegram) Send(ctx context.Context, chatID string, msgs []bot.Message, key string) error {
	id, err := strconv.ParseInt(chatID, 10, 64)
	if err != nil || id == 0 {
		return &bot.SendError{Permanent: true, Err: fmt.Errorf("telegram: malformed chat id %q", chatID)}
	}
	parts := t.render(msgs)
	start := 0
	if key != "" {
		start, _ = t.delivered.get(key)
	}
	for i := start; i < len(parts); i++ {
		if err := t.sendPart(ctx, id, parts[i], nil); err != nil {
			return classify(err)
		}
		if key != "" {
			t.delivered.put(key, i+1)
		}
	}
	return nil
}

// Floods counts the 429 answers (flood control) Telegram gave to sends
// since the adapter was made. The limiter is meant to keep it at zero.
func (t *Telegram) Floods() int64 { return t.floods.Load() }

// classify wraps a failed send for the dispatcher.
func classify(err error) error {
	se := &bot.SendError{Err: err, Permanent: chatGone(err)}
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		se.RetryAfter = e.RetryAfter
	}
	return se
}

// sendPart sends one Telegram message within the rate limits, waiting out
// flood control, and falls back to plain text if the API refuses the HTML.
func (t *Telegram) sendPart(ctx context.Context, chatID int64, p part, reply *replyParameters) error {
	params := sendMessageParams{
		ChatID:             chatID,
		Text:               p.html,
		ParseMode:          "HTML",
		LinkPreviewOptions: &linkPreviewOptions{IsDisabled: true},
		ReplyParameters:    reply,
		ReplyMarkup:        p.keyboard,
	}
	chat := idString(chatID)
	for attempt := 1; ; attempt++ {
		if err := t.limiter.Wait(ctx, chat, chatID < 0); err != nil {
			return err
		}
		if err := bot.Confirm(ctx); err != nil {
			return err
		}
		went := t.clock.Now()
		err := t.api.call(ctx, "sendMessage", params, nil)
		if a, ok := t.limiter.(Answerer); ok {
			a.Answered(chat, t.clock.Now().Sub(went))
		}
		if err == nil {
			return nil
		}
		if attempt >= t.sendAttempts {
			return err
		}
		var e *Error
		if errors.As(err, &e) && e.Code == http.StatusTooManyRequests {
			t.floods.Add(1)
		}
		switch {
		case errors.As(err, &e) && e.Code == http.StatusTooManyRequests && e.RetryAfter <= t.maxRetryWait:
			wait := max(e.RetryAfter, time.Second)
			t.log.Warn("Telegram asked to slow down; waiting before sending again.",
				slog.String("chat", chat), slog.Duration("retry_after", wait))
			if err := t.clock.Sleep(ctx, wait); err != nil {
				return fmt.Errorf("telegram: unable to wait out flood control: %w", err)
			}
		case badEntities(err) && params.ParseMode != "":
			t.log.Error("Telegram refused a message's HTML; sending it as plain text.",
				slog.String("chat", chat), slog.Any("error", err))
			params.Text, params.ParseMode = p.plain, ""
		default:
			return err
		}
	}
}
