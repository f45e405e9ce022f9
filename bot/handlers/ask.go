package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/bot/intent"
	"github.com/todoku/todoku/tracker"
)

// ask answers a message typed in plain words: it works out what is asked
// (intent) and about which parcel, then answers as the matching command
// would, or with advice on where the parcel is, when it will come and
// what to do.
func (h *Handlers) ask(ctx context.Context, c *bot.Context) ([]bot.Message, error) {
	r := intent.Understand(c.Args, c.Now)
	which := r.Ref
	if len(r.Numbers) > 0 {
		which = r.Numbers[0]
	}
	if len(r.Numbers) == 0 && (r.NotTracking != "" || len(r.Typos) > 0) {
		return h.track(ctx, c) // explains the order number or the typo
	}
	switch r.Intent {
	case intent.List:
		return h.list(ctx, c)
	case intent.Help, intent.Settings:
		return h.help(ctx, c)
	case intent.Language:
		return []bot.Message{{Text: c.P.T("ask.lang"), Buttons: langButtons()}}, nil
	case intent.Thanks:
		return []bot.Message{{Text: c.P.T("ask.thanks"), Buttons: menu(c)}}, nil
	case intent.Greeting:
		return []bot.Message{{Text: c.P.T("ask.greeting"), Buttons: menu(c)}}, nil
	case intent.LostNumber:
		return []bot.Message{{Text: c.P.T("advice.lost_number") + "\n\n" + c.P.T("advice.seller_intro") + "\n" + tracker.SellerAskNumber, Buttons: menu(c)}}, nil
	case intent.Forget:
		c.Args = "" // asks before it deletes anything
		return h.forget(ctx, c)
	case intent.Stop:
		if which == "" {
			return h.whichOne(ctx, c, "stop")
		}
		c.Args = which
		return h.stop(ctx, c)
	case intent.Rename:
		if which == "" && r.Label != "" {
			if sub, err := h.pick(ctx, c, ""); err == nil {
				which = sub.Number
			}
		}
		c.Args = strings.TrimSpace(which + " " + r.Label)
		return h.name(ctx, c)
	case intent.Protection:
		return h.protectWith(ctx, c, which, r.Date)
	case intent.Where, intent.ETA, intent.Delay, intent.NotFound, intent.Redelivery:
		if len(r.Numbers) > 0 {
			if _, err := h.pick(ctx, c, which); errors.Is(err, errNoSuchParcel) {
				return h.track(ctx, c) // not followed yet: follow it, the card answers
			}
		}
		return h.adviseOn(ctx, c, which)
	}
	return h.track(ctx, c) // numbers to follow, or help for anything else
}

// whichOne asks back which parcel is meant, with a button per parcel that
// runs command on it.
func (h *Handlers) whichOne(ctx context.Context, c *bot.Context, command string) ([]bot.Message, error) {
	subs, err := h.Store.Subscriptions(ctx, c.Chat.Key)
	if err != nil {
		return nil, fmt.Errorf("handlers: unable to list subscriptions: %w", err)
	}
	if len(subs) == 0 {
		return []bot.Message{{Text: c.P.T("ask.empty"), Buttons: menu(c)}}, nil
	}
	var buttons []bot.Button
	for _, s := range subs {
		if len(buttons) == 8 {
			break
		}
		buttons = append(buttons, bot.Button{Label: title(s), Data: command + " " + s.Number})
	}
	return []bot.Message{{Text: c.P.T("ask.which"), Buttons: buttons}}, nil
}

// why is the /why command (and the advice button): advice on one parcel.
func (h *Handlers) why(ctx context.Context, c *bot.Context) ([]bot.Message, error) {
	return h.adviseOn(ctx, c, c.Args)
}

// adviseOn answers with the parcel's card and advice: its verdict, why,
// how long it has been at this stage against what is typical, the ETA and
// the next step.
func (h *Handlers) adviseOn(ctx context.Context, c *bot.Context, which string) ([]bot.Message, error) {
	sub, err := h.pick(ctx, c, which)
	if errors.Is(err, errNoSuchParcel) {
		return h.whichOne(ctx, c, "why")
	}
	if err != nil {
		return nil, err
	}
	sh, err := h.latest(ctx, c, sub)
	if err != nil {
		return nil, err
	}
	a := tracker.Advise(sh, c.Now, h.durations(), sub.Protection)
	card := bot.ShipmentCard(c.P, sh, sub.Label, c.Now, c.Location(), h.durations())
	return []bot.Message{
		{Card: card, Buttons: cardButtons(c, sub)},
		{Text: adviceText(c, a) + h.trouble(c, sh), Buttons: menu(c)},
	}, nil
}

func (h *Handlers) durations() tracker.Durations {
	if h.Durations != nil {
		return h.Durations
	}
	return tracker.DefaultDurations()
}

// adviceText renders advice in the chat's language, one idea a line.
func adviceText(c *bot.Context, a tracker.Advice) string {
	p, loc := c.P, c.Location()
	date := func(t time.Time) string { return p.Date(t, c.Now, loc) }
	lines := []string{"【" + p.T("advice.verdict."+string(a.Verdict)) + "】"}
	for _, r := range a.Reasons {
		lines = append(lines, p.T("advice.reason."+r))
	}
	switch {
	case a.Typical.P90 > 0:
		lines = append(lines, p.T("advice.in_stage", p.Duration(a.InStage), p.Duration(a.Typical.P50), p.Duration(a.Typical.P90)))
	case a.InStage > 0 && a.Verdict != tracker.VerdictDelivered:
		lines = append(lines, p.T("advice.in_stage_only", p.Duration(a.InStage)))
	}
	switch {
	case !a.ETA.From.IsZero() && !a.ETA.To.IsZero() && date(a.ETA.From) != date(a.ETA.To):
		lines = append(lines, p.T("advice.eta", date(a.ETA.From), date(a.ETA.To)))
	case !a.ETA.To.IsZero():
		lines = append(lines, p.T("advice.eta_by", date(a.ETA.To)))
	}
	lines = append(lines, "👉 "+stepText(c, a, date))
	if a.SellerMessage != "" {
		lines = append(lines, p.T("advice.seller_intro"), a.SellerMessage)
	}
	if !a.DisputeBy.IsZero() && a.Next != tracker.StepOpenDispute {
		lines = append(lines, p.T("advice.dispute_by", date(a.DisputeBy)))
	}
	return strings.Join(lines, "\n")
}

func stepText(c *bot.Context, a tracker.Advice, date func(time.Time) string) string {
	p := c.P
	key := "advice.step." + string(a.Next)
	switch a.Next {
	case tracker.StepWaitUntil:
		return p.T(key, date(a.WaitUntil))
	case tracker.StepCheckDomesticNumber:
		switch {
		case a.DomesticNumber == "":
			return p.T(key + ".number_unknown")
		case a.DomesticCarrier == "":
			return p.T(key+".carrier_unknown", bot.DisplayNumber(a.DomesticNumber))
		}
		return p.T(key, bot.DisplayNumber(a.DomesticNumber), bot.CarrierName(p, a.DomesticCarrier))
	case tracker.StepOpenDispute:
		if a.DisputeBy.IsZero() {
			return p.T(key + ".no_deadline")
		}
		return p.T(key, date(a.DisputeBy))
	case tracker.StepRequestRedelivery:
		carrier := bot.CarrierName(p, a.DomesticCarrier)
		if a.RedeliveryURL == "" {
			return p.T(key+".no_url", carrier, date(a.HoldUntil))
		}
		return p.T(key, carrier, date(a.HoldUntil), a.RedeliveryURL)
	case tracker.StepPickUp:
		return p.T(key, date(a.HoldUntil))
	}
	return p.T(key) // contact_seller, none
}
