package handlers

import (
	"context"

	"github.com/todoku/todoku/bot"
)

func (h *Handlers) help(_ context.Context, c *bot.Context) ([]bot.Message, error) {
	return []bot.Message{{Text: c.P.T("help.text"), Buttons: menu(c)}}, nil
}

// start greets a new chat. A deep-link payload after /start (a tracking
// number) is followed right away.
func (h *Handlers) start(ctx context.Context, c *bot.Context) ([]bot.Message, error) {
	out := []bot.Message{{Text: c.P.T("welcome")}}
	if c.Args == "" {
		out[0].Buttons = menu(c)
		return out, nil
	}
	more, err := h.track(ctx, c)
	return append(out, more...), err
}
