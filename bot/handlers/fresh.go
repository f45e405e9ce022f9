package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// staleAfter is how old a snapshot may be before a question about it asks
// the carrier again. Polling is sparse where nothing is urgent (a check a
// day on the international leg), but whoever asks gets the latest.
const staleAfter = 30 * time.Minute

// latest returns the snapshot of a followed number, checked again first
// when it is older than staleAfter and still moving. A failed check is
// logged and answered with the stored snapshot, which says how old it is.
func (h *Handlers) latest(ctx context.Context, c *bot.Context, sub store.Subscription) (tracker.Shipment, error) {
	sh, err := h.Store.Shipment(ctx, sub.Number)
	if errors.Is(err, store.ErrNotFound) {
		sh = tracker.Shipment{Number: sub.Number, Since: sub.CreatedAt}
	} else if err != nil {
		return tracker.Shipment{}, fmt.Errorf("handlers: unable to load %s: %w", sub.Number, err)
	}
	if h.Checker == nil || sh.Stage.Final() || c.Now.Sub(sh.CheckedAt) < staleAfter {
		return sh, nil
	}
	checkCtx, cancel := context.WithTimeout(ctx, h.CheckTimeout)
	defer cancel()
	fresh, err := h.Checker.Check(checkCtx, sh)
	if err != nil || fresh.Number == "" {
		h.Logger.Warn("Check on request failed; answering with the stored snapshot.",
			slog.String("number", sub.Number), slog.Any("error", err))
		return sh, nil
	}
	return fresh, nil
}
