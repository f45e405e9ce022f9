package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/bot/intent"
	"github.com/todoku/todoku/store"
)

// protectRemindBefore is how long before buyer protection ends the advice
// starts urging a dispute.
const protectRemindBefore = 3 * 24 * time.Hour

// protect records when buyer protection ends: /protect [which] DATE, in
// any form the intent reader understands ("12/20", "2026-12-20", "12月20日").
func (h *Handlers) protect(ctx context.Context, c *bot.Context) ([]bot.Message, error) {
	r := intent.Understand("/protect "+c.Args, c.Now)
	which := r.Ref
	if len(r.Numbers) > 0 {
		which = r.Numbers[0]
	}
	if which == "" {
		which = withoutDate(c.Args)
	}
	return h.protectWith(ctx, c, which, r.Date)
}

// withoutDate drops the words of args that write a date ("12/20",
// "2026-12-20", "12月20日"), leaving the words that name the parcel.
func withoutDate(args string) string {
	var keep []string
	for _, w := range strings.Fields(args) {
		if strings.ContainsAny(w, "/-.年月日") && strings.ContainsAny(w, "0123456789０１２３４５６７８９") {
			continue
		}
		keep = append(keep, w)
	}
	return strings.Join(keep, " ")
}

func (h *Handlers) protectWith(ctx context.Context, c *bot.Context, which, date string) ([]bot.Message, error) {
	end, err := time.ParseInLocation(time.DateOnly, date, c.Location())
	if err != nil {
		return []bot.Message{{Text: c.P.T("advice.protection_usage"), Buttons: menu(c)}}, nil
	}
	end = end.Add(24*time.Hour - time.Second) // protection lasts through that day
	sub, err := h.pick(ctx, c, strings.TrimSpace(which))
	if err != nil {
		if which == "" {
			return h.whichOne(ctx, c, "protect "+date)
		}
		_, out, err := h.pickOrExplain(ctx, c, which)
		return out, err
	}
	if _, err := h.Store.UpdateSubscription(ctx, c.Chat.Key, sub.Number, store.SubscriptionChange{Protection: &end}); err != nil {
		return nil, fmt.Errorf("handlers: unable to save protection of %s: %w", sub.Number, err)
	}
	remind := end.Add(-protectRemindBefore)
	if remind.Before(c.Now) {
		remind = c.Now.Add(end.Sub(c.Now) / 2) // little time left: remind halfway
	}
	if end.Before(c.Now) {
		remind = time.Time{} // over already: the advice says what to do
	}
	if err := h.Store.SetReminder(ctx, store.KindProtection, c.Chat.Key, sub.Number, remind); err != nil {
		return nil, fmt.Errorf("handlers: unable to schedule the protection reminder of %s: %w", sub.Number, err)
	}
	return []bot.Message{{Text: c.P.T("advice.protection_set", c.P.Date(remind, c.Now, c.Location()), title(sub)), Buttons: menu(c)}}, nil
}
