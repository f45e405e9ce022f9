package handlers

import (
	"context"
	"errors"
	"fmt"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// list shows the chat's parcels, numbered for /stop N.
func (h *Handlers) list(ctx context.Context, c *bot.Context) ([]bot.Message, error) {
	subs, err := h.Store.Subscriptions(ctx, c.Chat.Key)
	if err != nil {
		return nil, fmt.Errorf("handlers: unable to list subscriptions: %w", err)
	}
	if len(subs) == 0 {
		return []bot.Message{{Text: c.P.T("list.empty"), Buttons: menu(c)}}, nil
	}
	text := c.P.T("list.header", len(subs))
	var buttons []bot.Button
	for i, sub := range subs {
		stage := tracker.StageUnknown
		sh, err := h.Store.Shipment(ctx, sub.Number)
		switch {
		case err == nil:
			stage = sh.Stage
		case !errors.Is(err, store.ErrNotFound):
			return nil, fmt.Errorf("handlers: unable to load %s: %w", sub.Number, err)
		}
		name := sub.Number
		if sub.Label != "" {
			name = sub.Label + " (" + sub.Number + ")"
		}
		text += "\n" + c.P.T("list.item", i+1, name, bot.StageName(c.P, stage))
		if len(buttons) < 8 {
			buttons = append(buttons, bot.Button{Label: c.P.T("button.stop_n", i+1), Data: "stop " + sub.Number})
		}
	}
	return []bot.Message{{Text: text, Buttons: buttons}}, nil
}
