package bot

import (
	"cmp"
	"context"
	"time"

	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/store"
)

// sourceDownOnce is how long a chat told that a source is down is not told
// again about the same source, whichever of its parcels waits on it.
const sourceDownOnce = 24 * time.Hour

// prepareSourceDown renders the notice that a parcel's source has failed
// for a while, unless the source answers again, the parcel is muted or
// done, or the chat was already told about that source within a day. The
// chat counts as told once the notice has gone (see remember): one whose
// send failed goes again.
func (d *Dispatcher) prepareSourceDown(ctx context.Context, chat store.Chat, sub store.Subscription, platform Platform, n store.Notification) (*outgoing, error) {
	sh, err := d.cfg.Store.Shipment(ctx, n.Number)
	if err != nil {
		return nil, d.drop(ctx, n, "parcel is gone")
	}
	switch {
	case sub.Muted:
		return nil, d.drop(ctx, n, "muted")
	case sh.FailingSince.IsZero() || sh.Stage.Final():
		return nil, d.drop(ctx, n, "source answers again")
	}
	source := cmp.Or(sh.Source, sh.Carrier)
	now, loc := d.cfg.Now(), chatLocation(chat)
	if told, ok := chat.SourceDown[source]; ok && now.Sub(told) < sourceDownOnce {
		return nil, d.drop(ctx, n, "chat already told this source is down")
	}
	p := i18n.For(chat.Lang)
	name := cmp.Or(sub.Label, DisplayNumber(sub.Number))
	return &outgoing{n: n, chat: chat, platform: platform, sourceDown: source, msgs: []Message{{
		Text: p.T("notify.source_down", name, CarrierName(p, source), p.Time(sh.FailingSince, now, loc)),
		Card: ShipmentCard(p, sh, sub.Label, now, loc, d.cfg.Durations),
	}}}, nil // tells no stage: acked as not delivered
}
