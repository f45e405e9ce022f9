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

// errNoSuchParcel means the words name no parcel of the chat.
var errNoSuchParcel = errors.New("handlers: no such parcel")

// pick finds the chat's parcel that which names: its position in /list,
// its tracking number in any shape (or the domestic number it continues
// under), or its name (exact, then a unique partial match, ignoring case).
func (h *Handlers) pick(ctx context.Context, c *bot.Context, which string) (store.Subscription, error) {
	which = strings.TrimSpace(which)
	subs, err := h.Store.Subscriptions(ctx, c.Chat.Key)
	if err != nil {
		return store.Subscription{}, fmt.Errorf("handlers: unable to list subscriptions: %w", err)
	}
	if which == "" {
		if len(subs) == 1 {
			return subs[0], nil // the only parcel needs no name
		}
		return store.Subscription{}, errNoSuchParcel
	}
	number := tracker.Canonical(which)
	// A position is a small positive number: "-1" or "ー1" is no position,
	// though canonical form drops the dash.
	if pos, err := strconv.Atoi(number); err == nil && pos > 0 && pos <= len(subs) && len(number) <= 3 && !strings.ContainsAny(which, "-‐‑–—−－ー") {
		return subs[pos-1], nil
	}
	if parent, err := h.Store.Resolve(ctx, number); err == nil {
		number = parent
	}
	for _, s := range subs {
		if s.Number == number {
			return s, nil
		}
	}
	var partial []store.Subscription
	for _, s := range subs {
		switch {
		case s.Label == "":
		case strings.EqualFold(s.Label, which):
			return s, nil
		case strings.Contains(strings.ToLower(s.Label), strings.ToLower(which)):
			partial = append(partial, s)
		}
	}
	if len(partial) == 1 {
		return partial[0], nil
	}
	return store.Subscription{}, errNoSuchParcel
}

// pickOrExplain is pick for a command: when no parcel matches, the answer
// says how to name one.
func (h *Handlers) pickOrExplain(ctx context.Context, c *bot.Context, which string) (store.Subscription, []bot.Message, error) {
	sub, err := h.pick(ctx, c, which)
	if errors.Is(err, errNoSuchParcel) {
		if strings.TrimSpace(which) == "" {
			return sub, []bot.Message{{Text: c.P.T("which.usage", "/"+c.Command), Buttons: menu(c)}}, nil
		}
		return sub, []bot.Message{{Text: c.P.T("which.not_found", which), Buttons: menu(c)}}, nil
	}
	return sub, nil, err
}

// title is how answers name a parcel: its name, else its number.
func title(sub store.Subscription) string {
	if sub.Label != "" {
		return sub.Label
	}
	return sub.Number
}

// cardButtons are the actions offered under a parcel's card.
func cardButtons(c *bot.Context, sub store.Subscription) []bot.Button {
	mute := bot.Button{Label: c.P.T("button.mute"), Data: "mute " + sub.Number}
	if sub.Muted {
		mute = bot.Button{Label: c.P.T("button.unmute"), Data: "unmute " + sub.Number}
	}
	return []bot.Button{
		{Label: c.P.T("button.advice"), Data: "why " + sub.Number},
		{Label: c.P.T("button.details"), Data: "show " + sub.Number},
		{Label: c.P.T("button.rename"), Data: "rename " + sub.Number},
		mute,
		{Label: c.P.T("button.stop"), Data: "stop " + sub.Number},
	}
}
