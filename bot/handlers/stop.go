package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/store"
)

// stop ends following a parcel, named by its position in /list, its
// number in any pasted shape, or its name.
func (h *Handlers) stop(ctx context.Context, c *bot.Context) ([]bot.Message, error) {
	arg := strings.TrimSpace(c.Args)
	if arg == "" {
		return []bot.Message{{Text: c.P.T("stop.usage"), Buttons: menu(c)}}, nil
	}
	sub, err := h.pick(ctx, c, arg)
	if errors.Is(err, errNoSuchParcel) {
		return []bot.Message{{Text: c.P.T("stop.not_found", arg), Buttons: menu(c)}}, nil
	}
	if err != nil {
		return nil, err
	}
	err = h.Store.Unsubscribe(ctx, c.Chat.Key, sub.Number)
	if errors.Is(err, store.ErrNotFound) {
		return []bot.Message{{Text: c.P.T("stop.not_found", arg), Buttons: menu(c)}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("handlers: unable to unsubscribe: %w", err)
	}
	return []bot.Message{{Text: c.P.T("stop.done", sub.Number), Buttons: menu(c)}}, nil
}
