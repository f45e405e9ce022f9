package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// stop ends following a parcel, named by its position in /list or by its
// number in any pasted shape.
func (h *Handlers) stop(ctx context.Context, c *bot.Context) ([]bot.Message, error) {
	arg := strings.TrimSpace(c.Args)
	if arg == "" {
		return []bot.Message{{Text: c.P.T("stop.usage"), Buttons: menu(c)}}, nil
	}
	number := tracker.Canonical(arg)
	if pos, err := strconv.Atoi(number); err == nil && pos > 0 && pos < 1000 {
		subs, err := h.Store.Subscriptions(ctx, c.Chat.Key)
		if err != nil {
			return nil, fmt.Errorf("handlers: unable to list subscriptions: %w", err)
		}
		if pos > len(subs) {
			return []bot.Message{{Text: c.P.T("stop.not_found", arg), Buttons: menu(c)}}, nil
		}
		number = subs[pos-1].Number
	}
	if parent, err := h.Store.Resolve(ctx, number); err == nil {
		number = parent
	}
	err := h.Store.Unsubscribe(ctx, c.Chat.Key, number)
	if errors.Is(err, store.ErrNotFound) {
		return []bot.Message{{Text: c.P.T("stop.not_found", arg), Buttons: menu(c)}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("handlers: unable to unsubscribe: %w", err)
	}
	return []bot.Message{{Text: c.P.T("stop.done", number), Buttons: menu(c)}}, nil
}
