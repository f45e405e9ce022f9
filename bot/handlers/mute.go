package handlers

import (
	"context"
	"fmt"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/store"
)

// mute silences a parcel's pushes; unmute turns them back on.
func (h *Handlers) mute(ctx context.Context, c *bot.Context) ([]bot.Message, error) {
	return h.setMuted(ctx, c, true)
}

func (h *Handlers) unmute(ctx context.Context, c *bot.Context) ([]bot.Message, error) {
	return h.setMuted(ctx, c, false)
}

func (h *Handlers) setMuted(ctx context.Context, c *bot.Context, muted bool) ([]bot.Message, error) {
	sub, out, err := h.pickOrExplain(ctx, c, c.Args)
	if out != nil || err != nil {
		return out, err
	}
	if _, err := h.Store.UpdateSubscription(ctx, c.Chat.Key, sub.Number, store.SubscriptionChange{Muted: &muted}); err != nil {
		return nil, fmt.Errorf("handlers: unable to mute %s: %w", sub.Number, err)
	}
	key := "unmute.done"
	if muted {
		key = "mute.done"
	}
	return []bot.Message{{Text: c.P.T(key, title(sub)), Buttons: menu(c)}}, nil
}
