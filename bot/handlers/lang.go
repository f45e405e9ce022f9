package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/i18n"
)

// lang switches the chat's language: /lang ja|en|th (or a language name
// such as "日本語" or "ไทย", matched like a locale hint).
func (h *Handlers) lang(ctx context.Context, c *bot.Context) ([]bot.Message, error) {
	want := strings.ToLower(strings.TrimSpace(c.Args))
	if !i18n.Supported(want) {
		want = aliasLang(want)
	}
	if want == "" {
		return []bot.Message{{Text: c.P.T("lang.usage"), Buttons: langButtons()}}, nil
	}
	c.Chat.Lang = want
	if c.Chat.TimeZone == "" {
		c.Chat.TimeZone = i18n.DefaultZone(want)
	}
	if err := h.Store.SaveChat(ctx, c.Chat); err != nil {
		return nil, fmt.Errorf("handlers: unable to save language: %w", err)
	}
	c.P = i18n.For(want)
	return []bot.Message{{Text: c.P.T("lang.set"), Buttons: menu(c)}}, nil
}

func aliasLang(s string) string {
	switch s {
	case "日本語", "にほんご", "japanese", "jp":
		return i18n.Japanese
	case "english", "英語", "อังกฤษ", "ภาษาอังกฤษ":
		return i18n.English
	case "ไทย", "ภาษาไทย", "thai", "タイ語":
		return i18n.Thai
	}
	return ""
}

// langButtons name each language in itself, so anyone can find theirs.
func langButtons() []bot.Button {
	return []bot.Button{
		{Label: "日本語", Data: "lang ja"},
		{Label: "English", Data: "lang en"},
		{Label: "ไทย", Data: "lang th"},
	}
}
