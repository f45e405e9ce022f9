package poller

import (
	"context"
	"log/slog"

	"time"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// SourceDownAfter is how long the checks of a parcel must have failed
// before the chats that follow it are told that its carrier cannot be
// reached.
const SourceDownAfter = time.Hour

// failingCrossed reports whether the check that turned old into snap is the
// first to find its failures lasting SourceDownAfter: the moment to tell,
// once per outage.
func failingCrossed(old, snap tracker.Shipment) bool {
	if snap.FailingSince.IsZero() || snap.CheckedAt.Sub(snap.FailingSince) < SourceDownAfter {
		return false
	}
	return !old.FailingSince.Equal(snap.FailingSince) || old.CheckedAt.Sub(old.FailingSince) < SourceDownAfter
}

// tellSourceDown queues a source-down notice to every chat that follows
// snap, through the reminders, which the dispatcher moves into the outbox;
// the dispatcher tells each chat once however many of its parcels wait on
// the same source.
func (p *Poller) tellSourceDown(ctx context.Context, snap tracker.Shipment) {
	chats, err := p.cfg.Store.Subscribers(ctx, snap.Number)
	if err != nil {
		p.log.Warn("Could not list who to tell that a source is down.", slog.String("number", snap.Number), slog.Any("error", err))
		return
	}
	for _, chat := range chats {
		if err := p.cfg.Store.SetReminder(ctx, store.KindSourceDown, chat, snap.Number, snap.CheckedAt); err != nil {
			p.log.Warn("Could not queue a source-down notice.", slog.String("number", snap.Number), slog.Any("error", err))
		}
	}
}
