package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// OutboxStore is what the dispatcher needs of the store.
type OutboxStore interface {
	ClaimOutbox(ctx context.Context, consumer string, max int, lease time.Duration) ([]store.Notification, error)
	Ack(ctx context.Context, n store.Notification, delivered bool) error
	ReleaseOutbox(ctx context.Context, consumer string, ns []store.Notification) error
	RenewOutbox(ctx context.Context, consumer string, n store.Notification, lease time.Duration) (bool, error)
	QueueDueReminders(ctx context.Context, now time.Time, max int) (int, error)
	Chat(ctx context.Context, key store.ChatKey) (store.Chat, error)
	SaveChat(ctx context.Context, c store.Chat) error
	Subscription(ctx context.Context, chat store.ChatKey, number string) (store.Subscription, error)
	Shipment(ctx context.Context, number string) (tracker.Shipment, error)
}

// DispatcherConfig configures a Dispatcher. Zero values take defaults.
type DispatcherConfig struct {
	Store     OutboxStore
	Platforms []Platform
	Consumer  string        // this process's name in the outbox, default "dispatcher"
	Batch     int           // notifications claimed at once, default 100
	Lease     time.Duration // a claimed, unacknowledged notification returns after this, default 1 minute
	Idle      time.Duration // wait when the outbox is empty, default 250 ms
	Reminders time.Duration // how often due reminders are queued, default 1 minute
	// Workers is how many pushes are under way at once, default 16. Each
	// works on one chat at a time and no two on the same chat, so a chat
	// gets its notifications one after another, in order; the platforms'
	// limiters hold the pace.
	Workers int
	// Grace is how long a push under way when the dispatcher is told to
	// stop may still take to finish (and be acknowledged), default 10 s.
	// One cut short may have reached the chat and then goes again.
	Grace  time.Duration
	Now    func() time.Time // default time.Now
	Logger *slog.Logger
	// Durations are the typical stage durations cards estimate delivery
	// with; nil means tracker.DefaultDurations.
	Durations tracker.Durations

	// Observe, when set, is told of every notification the dispatcher
	// settles or fails to send: the chat's platform and one of the Send*
	// results.
	Observe func(platform, result string)
}

// Results Observe reports.
const (
	SendOK        = "ok"        // the platform accepted the push
	SendFolded    = "folded"    // sent within a reply (LINE)
	SendRetry     = "retry"     // the send failed for now; it stays in the outbox
	SendPermanent = "permanent" // the platform refused the chat for good
	SendDropped   = "dropped"   // no longer wanted (muted, gone, below the level)
)

// Dispatcher delivers outbox notifications through the chats' platforms and
// acknowledges each only after its platform accepted it. Claimed
// notifications wait in one lane per chat; a bounded set of workers serves
// the lanes, one worker per chat at a time, so chats are served side by
// side while each chat's notifications go out in order.
type Dispatcher struct {
	cfg       DispatcherConfig
	platforms map[string]Platform
	log       *slog.Logger
	lanes     *lanes
	running   atomic.Int32 // workers of Run serving the lanes
}

// NewDispatcher returns a dispatcher with cfg's defaults filled in.
func NewDispatcher(cfg DispatcherConfig) *Dispatcher {
	if cfg.Consumer == "" {
		cfg.Consumer = "dispatcher"
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 100
	}
	if cfg.Lease <= 0 {
		cfg.Lease = time.Minute
	}
	if cfg.Idle <= 0 {
		cfg.Idle = 250 * time.Millisecond
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 10 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 16
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Reminders <= 0 {
		cfg.Reminders = time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Observe == nil {
		cfg.Observe = func(string, string) {}
	}
	d := &Dispatcher{cfg: cfg, platforms: map[string]Platform{}, log: cfg.Logger.With("component", "dispatcher"),
		lanes: newLanes(2 * cfg.Batch)}
	for _, p := range cfg.Platforms {
		d.platforms[p.Name()] = p
	}
	return d
}

// Run delivers until ctx is done. It keeps up to two batches claimed,
// claiming more whenever the workers have sent half of them, and returns
// once the workers have finished their pushes under way (see Grace) and
// what it claimed and did not begin is handed back to the outbox, for the
// other processes to take at once.
func (d *Dispatcher) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	stop := context.AfterFunc(ctx, d.lanes.wake)
	defer stop()
	d.running.Add(int32(d.cfg.Workers))
	for range d.cfg.Workers {
		wg.Go(func() {
			defer d.running.Add(-1)
			d.serve(ctx, true)
		})
	}
	defer func() {
		wg.Wait()
		d.handBack()
	}()

	t := time.NewTimer(0)
	defer t.Stop()
	var remindedAt time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-d.lanes.low:
		}
		if time.Since(remindedAt) >= d.cfg.Reminders {
			remindedAt = time.Now()
			if _, err := d.cfg.Store.QueueDueReminders(ctx, d.cfg.Now(), d.cfg.Batch); err != nil && ctx.Err() == nil {
				d.log.Error("Could not queue due reminders.", slog.Any("error", err))
			}
		}
		room := d.lanes.cap - d.lanes.size()
		if room < d.cfg.Batch {
			t.Reset(d.cfg.Idle) // the workers tell through low when they have room
			continue
		}
		want := min(room, d.cfg.Batch)
		n, err := d.claim(ctx, want)
		if err != nil && ctx.Err() == nil {
			d.log.Error("Dispatch round failed.", slog.Any("error", err))
		}
		if n < want {
			t.Reset(d.cfg.Idle)
		} else {
			t.Reset(0)
		}
	}
}

// handBackWithin bounds how long a stopping dispatcher tries to hand its
// claimed notifications back; those it could not return after their lease.
const handBackWithin = 5 * time.Second

// handBack releases the notifications waiting in the lanes to the outbox.
func (d *Dispatcher) handBack() {
	ns := d.lanes.clear()
	if len(ns) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), handBackWithin)
	defer cancel()
	if err := d.cfg.Store.ReleaseOutbox(ctx, d.cfg.Consumer, ns); err != nil {
		d.log.Warn("Could not hand claimed notifications back; they return after their lease.",
			slog.Int("count", len(ns)), slog.Any("error", err))
		return
	}
	d.log.Info("Handed claimed notifications back to the outbox.", slog.Int("count", len(ns)))
}

// claim claims up to max notifications into the lanes.
func (d *Dispatcher) claim(ctx context.Context, max int) (int, error) {
	ns, err := d.cfg.Store.ClaimOutbox(ctx, d.cfg.Consumer, max, d.cfg.Lease)
	if err != nil {
		return 0, fmt.Errorf("bot: unable to claim notifications: %w", err)
	}
	d.lanes.add(ns, d.cfg.Now())
	return len(ns), nil
}

// Drain runs one round: it claims up to Batch notifications and delivers
// them, chats side by side and each chat's in order, before it returns.
// After a transient failure for a chat, that chat's later notifications
// wait too, so a chat never sees them out of order. It returns how many it
// claimed.
func (d *Dispatcher) Drain(ctx context.Context) (int, error) {
	n, err := d.claim(ctx, d.cfg.Batch)
	if err != nil {
		return 0, err
	}
	d.flush(ctx)
	return n, ctx.Err()
}

// flush delivers what the lanes hold, with up to Workers goroutines, and
// returns when no lane is left to serve (lanes held by a reply are left).
func (d *Dispatcher) flush(ctx context.Context) {
	var wg sync.WaitGroup
	for range d.cfg.Workers {
		wg.Go(func() { d.serve(ctx, false) })
	}
	wg.Wait()
}

// serve delivers the heads of ready lanes until ctx is done, or until no
// lane is ready when wait is false.
func (d *Dispatcher) serve(ctx context.Context, wait bool) {
	for ctx.Err() == nil {
		n, claimed, ok := d.lanes.take(ctx, wait)
		if !ok {
			return
		}
		now := d.cfg.Now()
		settled := true
		switch {
		case now.Sub(claimed) > d.cfg.Lease/2:
			// Its lease may run out mid-send and another consumer take
			// it: leave it to whoever claims it next.
			settled = false
			d.log.Warn("Notification waited too long after its claim; it goes back to the outbox.",
				slog.String("chat", n.Chat.String()), slog.String("number", n.Number))
		default:
			sendCtx, cancel := lingering(ctx, d.cfg.Grace)
			sendCtx = WithConfirm(sendCtx, d.stillHeld(n, claimed))
			err := d.deliver(sendCtx, n)
			cancel()
			if err != nil {
				settled = false
				d.log.Warn("Notification not delivered; it will be retried.", slog.String("chat", n.Chat.String()),
					slog.String("number", n.Number), slog.Any("error", err))
			}
		}
		d.lanes.done(n, settled, now.Add(d.cfg.Lease))
	}
}

// errClaimLost is a push that did not go because its notification's claim
// ran out while it waited and another process took it.
var errClaimLost = errors.New("bot: the notification's claim ran out and another process took it")

// stillHeld is the check a push of n, claimed at claimed, makes before
// its request goes out (Confirm): past half its lease, the claim is
// renewed, and the push goes only if this process still held it.
func (d *Dispatcher) stillHeld(n store.Notification, claimed time.Time) func(context.Context) error {
	return func(ctx context.Context) error {
		now := d.cfg.Now()
		if now.Sub(claimed) <= d.cfg.Lease/2 {
			return nil
		}
		held, err := d.cfg.Store.RenewOutbox(ctx, d.cfg.Consumer, n, d.cfg.Lease)
		if err != nil {
			return err
		}
		if !held {
			return errClaimLost
		}
		claimed = now
		return nil
	}
}

// lingering returns a context that ends grace after parent does: a push
// under way when the dispatcher is told to stop gets that long to finish
// and be acknowledged, rather than being cut off after it may already
// have reached the chat.
func lingering(parent context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	stop := context.AfterFunc(parent, func() {
		t := time.AfterFunc(grace, cancel)
		context.AfterFunc(ctx, func() { t.Stop() })
	})
	return ctx, func() {
		stop()
		cancel()
	}
}

// outgoing is a notification rendered for its chat, ready to be sent.
type outgoing struct {
	n         store.Notification
	chat      store.Chat
	platform  Platform
	msgs      []Message
	delivered bool   // ack as delivered: the chat now knows n.To
	notice    string // month to record as the chat's quota notice, if told
	// sourceDown is the source the chat is told is failing, to record.
	sourceDown string
}

// deliver sends one notification, or drops it when it is no longer wanted,
// and acknowledges it. An error means it stays in the outbox for a retry.
func (d *Dispatcher) deliver(ctx context.Context, n store.Notification) error {
	o, err := d.prepare(ctx, n)
	if o == nil || err != nil {
		return err
	}
	if err := o.platform.Send(ctx, n.Chat.ID, o.msgs, n.IdempotencyKey()); err != nil {
		if IsPermanent(err) {
			d.cfg.Observe(n.Chat.Platform, SendPermanent)
			o.chat.Blocked = true
			if serr := d.cfg.Store.SaveChat(ctx, o.chat); serr != nil {
				return serr
			}
			return d.ack(ctx, n, "platform refused the chat for good")
		}
		d.cfg.Observe(n.Chat.Platform, SendRetry)
		return err
	}
	d.cfg.Observe(n.Chat.Platform, SendOK)
	return d.finish(ctx, o)
}

// prepare renders a notification for its chat, or drops (and acks) it
// when it is no longer wanted, returning nil.
func (d *Dispatcher) prepare(ctx context.Context, n store.Notification) (*outgoing, error) {
	chat, err := d.cfg.Store.Chat(ctx, n.Chat)
	if errors.Is(err, store.ErrNotFound) {
		return nil, d.drop(ctx, n, "chat is gone")
	}
	if err != nil {
		return nil, err
	}
	sub, err := d.cfg.Store.Subscription(ctx, n.Chat, n.Number)
	if errors.Is(err, store.ErrNotFound) {
		return nil, d.drop(ctx, n, "subscription is gone")
	}
	if err != nil {
		return nil, err
	}
	platform, ok := d.platforms[n.Chat.Platform]
	if !ok {
		return nil, fmt.Errorf("bot: no platform %q is running", n.Chat.Platform)
	}
	if n.Kind != "" {
		return d.prepareReminder(ctx, chat, sub, platform, n)
	}
	switch {
	case sub.Muted:
		return nil, d.drop(ctx, n, "muted")
	case chat.Blocked:
		return nil, d.drop(ctx, n, "chat blocked the bot")
	case sub.LastStage == n.To:
		return nil, d.drop(ctx, n, "chat already knows this stage")
	}
	level, low := chat.Level, false
	if q, ok := platform.(QuotaAware); ok && q.LowOnQuota(ctx) {
		level, low = store.LevelKey, true
	}
	if !Wanted(level, n.To) {
		return nil, d.drop(ctx, n, "below the chat's notification level")
	}
	sh, err := d.cfg.Store.Shipment(ctx, n.Number)
	if err != nil {
		return nil, err
	}
	now := d.cfg.Now()
	p := i18n.For(chat.Lang)
	o := &outgoing{n: n, chat: chat, platform: platform, delivered: true,
		msgs: Push(p, sh, n, sub.Label, now, chatLocation(chat), d.cfg.Durations)}
	if month := now.In(chatLocation(chat)).Format("2006-01"); low && chat.QuotaNotice != month {
		o.msgs = append(o.msgs, Message{Text: p.T("notify.quota_low")})
		o.notice = month
	}
	return o, nil
}

// finish acknowledges a sent notification, once what the chat was told
// besides is recorded.
func (d *Dispatcher) finish(ctx context.Context, o *outgoing) error {
	if o.notice != "" || o.sourceDown != "" {
		if err := d.remember(ctx, o); err != nil {
			d.log.Warn("Could not record what the chat was told.", slog.String("chat", o.n.Chat.String()), slog.Any("error", err))
		}
	}
	return d.cfg.Store.Ack(ctx, o.n, o.delivered)
}

// remember records in the chat that it was told of low quota or of a
// failing source. It reads the chat afresh, so that a setting the user
// changed while the push went is kept.
func (d *Dispatcher) remember(ctx context.Context, o *outgoing) error {
	chat, err := d.cfg.Store.Chat(ctx, o.n.Chat)
	if err != nil {
		return err
	}
	if o.notice != "" {
		chat.QuotaNotice = o.notice
	}
	if o.sourceDown != "" {
		now := d.cfg.Now()
		for s, at := range chat.SourceDown {
			if now.Sub(at) >= sourceDownOnce {
				delete(chat.SourceDown, s) // told long enough ago to tell again
			}
		}
		if chat.SourceDown == nil {
			chat.SourceDown = map[string]time.Time{}
		}
		chat.SourceDown[o.sourceDown] = now
	}
	return d.cfg.Store.SaveChat(ctx, chat)
}

// Fold takes the notifications waiting for chat, up to max, so that a
// platform whose replies are free (LINE) can send them with its answer to
// the user instead of as pushes. The caller calls done(true) once the
// reply was accepted, which acknowledges them, or done(false), which
// hands them back to be pushed. Nothing is folded while a push to the
// chat is under way, since it must arrive first. Notifications of other
// chats claimed on the way are delivered as usual: by Run's workers, or
// here when Run is not running.
func (d *Dispatcher) Fold(ctx context.Context, chat store.ChatKey, max int) (msgs []Message, done func(sent bool)) {
	noop := func(bool) {}
	if max <= 0 {
		return nil, noop
	}
	if _, err := d.claim(ctx, d.cfg.Batch); err != nil {
		d.log.Warn("Could not look for notifications to fold into a reply.", slog.Any("error", err))
	}
	held := d.lanes.hold(chat, max)
	if d.running.Load() == 0 {
		d.flush(ctx)
	}
	if len(held) == 0 {
		return nil, noop
	}
	var mine []*outgoing
	var dropped []store.Notification
	var back []store.Notification
	for i, n := range held {
		o, err := d.prepare(ctx, n)
		if err != nil {
			d.log.Warn("Could not prepare a notification to fold.", slog.String("chat", n.Chat.String()), slog.Any("error", err))
			back = held[i:] // pushed later, in order
			break
		}
		if o == nil {
			dropped = append(dropped, n)
			continue
		}
		mine = append(mine, o)
		msgs = append(msgs, o.msgs...)
	}
	return msgs, func(sent bool) {
		settled := dropped
		if !sent {
			back = append(mineNotifications(mine), back...)
			d.lanes.release(chat, settled, back)
			return
		}
		for _, o := range mine {
			d.cfg.Observe(chat.Platform, SendFolded)
			if err := d.finish(ctx, o); err != nil {
				d.log.Warn("Could not acknowledge a folded notification.", slog.String("chat", chat.String()), slog.Any("error", err))
			}
			settled = append(settled, o.n)
		}
		d.lanes.release(chat, settled, back)
	}
}

func mineNotifications(os []*outgoing) []store.Notification {
	out := make([]store.Notification, len(os))
	for i, o := range os {
		out[i] = o.n
	}
	return out
}

// QuotaAware is a platform whose pushes are counted against a monthly
// quota (LINE). While it runs low, chats hear only of key stages, and each
// is told so once a month.
type QuotaAware interface {
	LowOnQuota(ctx context.Context) bool
}

// prepareReminder renders a reminder that came due, unless it no longer
// applies.
func (d *Dispatcher) prepareReminder(ctx context.Context, chat store.Chat, sub store.Subscription, platform Platform, n store.Notification) (*outgoing, error) {
	if n.Kind == store.KindSourceDown && !chat.Blocked {
		return d.prepareSourceDown(ctx, chat, sub, platform, n)
	}
	if n.Kind != store.KindProtection || chat.Blocked {
		return nil, d.drop(ctx, n, "reminder not deliverable")
	}
	sh, err := d.cfg.Store.Shipment(ctx, n.Number)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if sub.Protection.IsZero() || sh.Stage.Final() {
		return nil, d.drop(ctx, n, "protection no longer needs a reminder")
	}
	now, loc := d.cfg.Now(), chatLocation(chat)
	p := i18n.For(chat.Lang)
	name := sub.Label
	if name == "" {
		name = sub.Number
	}
	if sh.Number == "" {
		sh = tracker.Shipment{Number: sub.Number}
	}
	return &outgoing{n: n, chat: chat, platform: platform, msgs: []Message{{
		Text:    p.T("advice.protection_reminder", name, p.Date(sub.Protection, now, loc)),
		Card:    ShipmentCard(p, sh, sub.Label, now, loc, d.cfg.Durations),
		Buttons: []Button{{Label: p.T("button.advice"), Data: "why " + sub.Number}},
	}}}, nil // a reminder tells no stage: acked as not delivered
}

func (d *Dispatcher) drop(ctx context.Context, n store.Notification, why string) error {
	d.cfg.Observe(n.Chat.Platform, SendDropped)
	return d.ack(ctx, n, why)
}

// ack acknowledges a notification that is not delivered.
func (d *Dispatcher) ack(ctx context.Context, n store.Notification, why string) error {
	d.log.Debug("Notification dropped.", slog.String("chat", n.Chat.String()),
		slog.String("number", n.Number), slog.String("reason", why))
	return d.cfg.Store.Ack(ctx, n, false)
}

// Wanted reports whether a chat at a notification level hears of a move to
// stage.
func Wanted(level string, to tracker.Stage) bool {
	if level != store.LevelKey {
		return true
	}
	switch to {
	case tracker.StageExportCustoms, tracker.StageImportCustoms, tracker.StageHandedToLastMile,
		tracker.StageOutForDelivery, tracker.StageDelivered, tracker.StageAwaitingPickup:
		return true
	}
	return to.Problem()
}

// Push renders the notification of a stage change: a header line and the
// parcel's card at the new stage.
func Push(p *i18n.Printer, sh tracker.Shipment, n store.Notification, label string, now time.Time, loc *time.Location, d tracker.Durations) []Message {
	name := sh.Number
	if label != "" {
		name = label
	}
	ev := n.Event
	text := p.T("push.stage", name, StageName(p, n.To))
	if n.To == tracker.StageHandedToLastMile && len(sh.Linked) > 0 {
		text = p.T("push.handover", name, CarrierName(p, sh.LastMile), DisplayNumber(sh.Linked[len(sh.Linked)-1]))
	}
	return []Message{{
		Text: text,
		Card: NewCard(p, sh, n.To, &ev, label, now, loc, d),
		Buttons: []Button{
			{Label: p.T("button.list"), Data: "list"},
		},
	}}
}

func chatLocation(c store.Chat) *time.Location {
	if loc, err := time.LoadLocation(c.TimeZone); err == nil && c.TimeZone != "" {
		return loc
	}
	return time.UTC
}
