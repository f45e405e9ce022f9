package handlers

import (
	"context"
	"strings"

	"github.com/todoku/todoku/bot"
)

// showEvents is how many scans /show lists, newest first.
const showEvents = 15

// show answers with a parcel's card and its history: /show <which>.
func (h *Handlers) show(ctx context.Context, c *bot.Context) ([]bot.Message, error) {
	sub, out, err := h.pickOrExplain(ctx, c, c.Args)
	if out != nil || err != nil {
		return out, err
	}
	sh, err := h.latest(ctx, c, sub)
	if err != nil {
		return nil, err
	}
	card := bot.ShipmentCard(c.P, sh, sub.Label, c.Now, c.Location(), h.durations())
	if sub.Muted {
		card.Note = strings.TrimSpace(card.Note + "\n" + c.P.T("card.muted"))
	}
	var b strings.Builder
	b.WriteString(c.P.T("show.header", title(sub)))
	for i := len(sh.Events) - 1; i >= 0 && i >= len(sh.Events)-showEvents; i-- {
		e := sh.Events[i]
		b.WriteString("\n• " + c.P.Time(e.Time, c.Now, c.Location()) + "  " + bot.StageName(c.P, e.Stage) + " — " + e.Text)
		if e.Location != "" {
			b.WriteString(" (" + e.Location + ")")
		}
	}
	if older := len(sh.Events) - showEvents; older > 0 {
		b.WriteString("\n" + c.P.T("show.more", older))
	}
	if len(sh.Events) == 0 {
		b.WriteString("\n" + c.P.T("card.no_events"))
	}
	return []bot.Message{{Card: card, Buttons: cardButtons(c, sub)}, {Text: b.String(), Buttons: menu(c)}}, nil
}
