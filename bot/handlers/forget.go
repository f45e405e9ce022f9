package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/i18n"
)

// forget deletes everything the store keeps about the chat once the user
// confirms. /forget asks, with a button for each answer; the user's next
// message answers too ("yes", "はい", "ใช่"). A next message that is no
// answer deletes nothing and is handled as if no question had been asked.
func (h *Handlers) forget(ctx context.Context, c *bot.Context) ([]bot.Message, error) {
	arg := strings.TrimSpace(c.Args)
	switch answer := strings.ToLower(arg); {
	case arg == "":
		subs, err := h.Store.Subscriptions(ctx, c.Chat.Key)
		if err != nil {
			return nil, fmt.Errorf("handlers: unable to list subscriptions: %w", err)
		}
		c.Chat.Awaiting = "forget"
		if err := h.Store.SaveChat(ctx, c.Chat); err != nil {
			return nil, fmt.Errorf("handlers: unable to wait for the answer to forget: %w", err)
		}
		return []bot.Message{{Text: c.P.T("forget.confirm", len(subs)), Buttons: []bot.Button{
			{Label: c.P.T("forget.yes"), Data: "forget yes"},
			{Label: c.P.T("forget.no"), Data: "forget no"},
		}}}, nil
	case isAnswer(answer, "forget.yes", yesWords):
		if err := h.Store.Forget(ctx, c.Chat.Key); err != nil {
			return nil, fmt.Errorf("handlers: unable to forget the chat: %w", err)
		}
		return []bot.Message{{Text: c.P.T("forget.done")}}, nil
	case isAnswer(answer, "forget.no", noWords):
		return []bot.Message{{Text: c.P.T("forget.cancelled"), Buttons: menu(c)}}, nil
	}
	// Not an answer: the user moved on.
	c.Command, c.Args = "", arg
	return h.ask(ctx, c)
}

// yesWords and noWords answer the question /forget asks, besides the
// buttons' own labels in every language.
var (
	yesWords = []string{"yes", "y", "ok", "okay", "sure", "delete", "はい", "うん", "削除", "削除して", "消して",
		"ใช่", "ตกลง", "ยืนยัน", "ลบ", "ลบเลย"}
	noWords = []string{"no", "n", "cancel", "keep", "いいえ", "やめる", "やめて", "キャンセル", "削除しない",
		"ไม่", "ไม่ลบ", "ยกเลิก"}
)

// isAnswer reports whether answer (lower-case) is one of words or the
// label of the button key in any language, ignoring a final "!" or ".".
func isAnswer(answer, key string, words []string) bool {
	answer = strings.TrimRight(answer, "!.。！ ")
	for _, w := range words {
		if answer == w {
			return true
		}
	}
	for _, lang := range i18n.Langs() {
		if answer == strings.ToLower(i18n.For(lang).T(key)) {
			return true
		}
	}
	return false
}
