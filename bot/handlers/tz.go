package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/todoku/todoku/bot"
)

// tz sets the chat's time zone: /tz Asia/Tokyo. Every time and date the
// bot shows is in it.
func (h *Handlers) tz(ctx context.Context, c *bot.Context) ([]bot.Message, error) {
	name := strings.TrimSpace(c.Args)
	loc, err := time.LoadLocation(name)
	if name == "" || err != nil || name == "Local" {
		return []bot.Message{{Text: c.P.T("tz.usage", c.Location().String())}}, nil
	}
	c.Chat.TimeZone = loc.String()
	if err := h.Store.SaveChat(ctx, c.Chat); err != nil {
		return nil, fmt.Errorf("handlers: unable to save time zone: %w", err)
	}
	return []bot.Message{{Text: c.P.T("tz.set", loc.String(), c.P.Time(c.Now, c.Now, loc)), Buttons: menu(c)}}, nil
}
