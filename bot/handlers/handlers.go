package handlers

import (
	"context"
	"log/slog"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// Store is what the handlers need of the store.
type Store interface {
	SaveChat(ctx context.Context, c store.Chat) error
	Subscribe(ctx context.Context, sub store.Subscription, stub tracker.Shipment) (store.Subscription, tracker.Shipment, bool, error)
	Unsubscribe(ctx context.Context, chat store.ChatKey, number string) error
	Subscription(ctx context.Context, chat store.ChatKey, number string) (store.Subscription, error)
	SetReminder(ctx context.Context, kind string, chat store.ChatKey, number string, at time.Time) error
	UpdateSubscription(ctx context.Context, chat store.ChatKey, number string, ch store.SubscriptionChange) (store.Subscription, error)
	Subscriptions(ctx context.Context, chat store.ChatKey) ([]store.Subscription, error)
	Shipment(ctx context.Context, number string) (tracker.Shipment, error)
	Resolve(ctx context.Context, number string) (string, error)
	Forget(ctx context.Context, chat store.ChatKey) error
}

// Checker fetches a number right away (the poller).
type Checker interface {
	Check(ctx context.Context, stub tracker.Shipment) (tracker.Shipment, error)
}

// Handlers holds the dependencies of every conversation feature.
type Handlers struct {
	Store   Store
	Checker Checker
	// CheckTimeout bounds the immediate check of a newly pasted number;
	// past it the user gets the stored state and pushes follow. Default 8 s.
	CheckTimeout time.Duration
	// MaxNumbers is how many numbers one message may add, default 10.
	MaxNumbers int
	// MaxParcels is how many parcels one chat may follow at once,
	// default DefaultMaxParcels.
	MaxParcels int
	// SourceDownAfter is how long a carrier must have failed before an
	// answer says so, default 1 hour.
	SourceDownAfter time.Duration
	Logger          *slog.Logger
	// Durations are the typical stage durations advice compares against;
	// nil means tracker.DefaultDurations.
	Durations tracker.Durations

	locks chatLocks // one tracking message at a time per chat
}

// Register routes every command and plain text to its handler.
func (h *Handlers) Register(r *bot.Router) {
	if h.CheckTimeout <= 0 {
		h.CheckTimeout = 8 * time.Second
	}
	if h.MaxNumbers <= 0 {
		h.MaxNumbers = 10
	}
	if h.MaxParcels <= 0 {
		h.MaxParcels = DefaultMaxParcels
	}
	if h.SourceDownAfter <= 0 {
		h.SourceDownAfter = time.Hour
	}
	if h.Logger == nil {
		h.Logger = slog.New(slog.DiscardHandler)
	}
	r.Command("start", h.start)
	r.Command("help", h.help)
	r.Command("list", h.list)
	r.Command("stop", h.stop)
	r.Command("lang", h.lang)
	r.Command("show", h.show)
	r.Command("name", h.name)
	r.Command("rename", h.rename)
	r.Command("mute", h.mute)
	r.Command("unmute", h.unmute)
	r.Command("track", h.track)
	r.Command("why", h.why)
	r.Command("protect", h.protect)
	r.Command("tz", h.tz)
	r.Command("forget", h.forget)
	r.Text(h.ask)
}

// menu is the row of buttons most answers end with.
func menu(c *bot.Context) []bot.Button {
	return []bot.Button{
		{Label: c.P.T("button.list"), Data: "list"},
		{Label: c.P.T("button.help"), Data: "help"},
	}
}
