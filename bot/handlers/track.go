package handlers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// track follows every tracking number found in the message. Each one is
// checked right away so the answer names its current stage; a number with a
// wrong check digit is not followed but pointed out as a likely typo.
func (h *Handlers) track(ctx context.Context, c *bot.Context) ([]bot.Message, error) {
	a := tracker.Analyze(c.Args, tracker.Hint{Lang: c.Chat.Lang})
	numbers := a.Numbers()
	if len(numbers) == 0 && len(a.Typos) == 0 {
		if c.Command == "track" && c.Args == "" {
			return h.help(ctx, c)
		}
		why := c.P.T("unknown.text")
		if a.NotTracking != "" {
			why = c.P.T("detect." + a.NotTracking)
		}
		return []bot.Message{{Text: why + "\n\n" + c.P.T("help.text"), Buttons: menu(c)}}, nil
	}
	var out []bot.Message
	if len(numbers) > h.MaxNumbers {
		numbers = numbers[:h.MaxNumbers]
		out = append(out, bot.Message{Text: c.P.T("track.too_many", h.MaxNumbers)})
	}
	defer h.locks.lock(c.Chat.Key)()
	room, err := h.room(ctx, c.Chat.Key)
	if err != nil {
		return out, err
	}
	var refused []string
	for _, cand := range numbers {
		msg, err := h.follow(ctx, c, cand, &room)
		if errors.Is(err, errLimit) {
			refused = append(refused, cand.Number)
			continue
		}
		if err != nil {
			return out, err
		}
		out = append(out, msg)
	}
	if len(refused) > 0 {
		out = append(out, bot.Message{Text: c.P.T("limit.reached", h.MaxParcels, strings.Join(refused, ", "))})
	}
	for _, typo := range a.Typos {
		out = append(out, bot.Message{Text: c.P.T("track.typo", typo.Number, carrierNames(c, typo.Carriers))})
	}
	if n := len(out); n > 0 {
		out[n-1].Buttons = append(out[n-1].Buttons, menu(c)...)
	}
	return out, nil
}

// carrierNames joins carriers' localized names, e.g. "Japan Post / Yamato".
func carrierNames(c *bot.Context, ids []string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = bot.CarrierName(c.P, id)
	}
	return strings.Join(names, " / ")
}

// follow subscribes the chat to one number and renders its card. A
// last-mile number that continues a followed shipment stands for it. A
// number new to the chat takes one of room's places; with none left it
// fails with errLimit.
func (h *Handlers) follow(ctx context.Context, c *bot.Context, cand tracker.Candidate, room *int) (bot.Message, error) {
	number, err := h.Store.Resolve(ctx, cand.Number)
	if err != nil {
		return bot.Message{}, fmt.Errorf("handlers: unable to resolve %s: %w", cand.Number, err)
	}
	if number != cand.Number {
		cand = tracker.Candidate{Number: number}
	}
	if sub, err := h.Store.Subscription(ctx, c.Chat.Key, cand.Number); err == nil {
		sh, err := h.Store.Shipment(ctx, cand.Number)
		if err != nil {
			return bot.Message{}, fmt.Errorf("handlers: unable to load %s: %w", cand.Number, err)
		}
		return bot.Message{
			Text:    c.P.T("track.already", cand.Number) + h.trouble(c, sh),
			Card:    bot.ShipmentCard(c.P, sh, sub.Label, c.Now, c.Location(), h.durations()),
			Buttons: cardButtons(c, sub),
		}, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return bot.Message{}, fmt.Errorf("handlers: unable to look up subscription: %w", err)
	}

	if *room <= 0 {
		return bot.Message{}, errLimit
	}
	stub := tracker.Shipment{Number: cand.Number, Since: c.Now, Sandbox: cand.Format == tracker.FormatSandbox}
	if len(cand.Carriers) > 0 {
		stub.Carrier = cand.Carriers[0]
	}
	checkCtx, cancel := context.WithTimeout(ctx, h.CheckTimeout)
	if sh, err := h.Checker.Check(checkCtx, stub); err != nil {
		h.Logger.Warn("Immediate check failed; the poller will retry.", slog.String("number", cand.Number), slog.Any("error", err))
	} else if sh.Number != "" {
		stub = sh
	}
	cancel()

	sub := store.Subscription{Chat: c.Chat.Key, Number: cand.Number, CreatedAt: c.Now}
	sub, sh, created, err := h.Store.Subscribe(ctx, sub, stub)
	if err != nil {
		return bot.Message{}, fmt.Errorf("handlers: unable to subscribe: %w", err)
	}
	if created {
		*room--
	}
	text := c.P.T("track.subscribed", sh.Number, bot.CarrierName(c.P, sh.Carrier))
	text += h.trouble(c, sh)
	return bot.Message{Text: text, Card: bot.ShipmentCard(c.P, sh, sub.Label, c.Now, c.Location(), h.durations()), Buttons: cardButtons(c, sub)}, nil
}

// trouble explains, on a line of its own, why a shipment's data may be
// stale: no source for its carrier, or a source that fails.
func (h *Handlers) trouble(c *bot.Context, sh tracker.Shipment) string {
	switch sh.Error {
	case "", tracker.ErrKindNotFound:
		return ""
	case tracker.ErrKindNoSource:
		return "\n" + c.P.T("track.no_source")
	}
	if !sh.FailingSince.IsZero() && c.Now.Sub(sh.FailingSince) >= h.SourceDownAfter {
		who := bot.CarrierName(c.P, cmp.Or(sh.Source, sh.Carrier))
		return "\n" + c.P.T("track.source_down", who, c.P.Time(sh.FailingSince, c.Now, c.Location()))
	}
	return "\n" + c.P.T("track.fetch_failed")
}
