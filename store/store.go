package store

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/todoku/todoku/tracker"
)

// Sentinel errors, checked with errors.Is.
var (
	// ErrNotFound: no such chat, subscription or shipment.
	ErrNotFound = errors.New("store: not found")
	// ErrLeased: the number is claimed by another poller right now.
	ErrLeased = errors.New("store: number is leased by another poller")
	// ErrLeaseLost: the claim expired and someone else claimed the number;
	// the caller's result must be discarded.
	ErrLeaseLost = errors.New("store: lease lost")
	// ErrLocked: the embedded store file is held by another process.
	ErrLocked = errors.New("store: database is in use by another process")
)

// ChatKey names one conversation on one platform.
type ChatKey struct {
	Platform string `json:"platform"` // "telegram", "line", "web", "console"
	ID       string `json:"id"`
}

// String renders "platform:id"; ParseChatKey reverses it.
func (k ChatKey) String() string { return k.Platform + ":" + k.ID }

// ParseChatKey parses "platform:id".
func ParseChatKey(s string) (ChatKey, error) {
	p, id, ok := strings.Cut(s, ":")
	if !ok || p == "" || id == "" {
		return ChatKey{}, fmt.Errorf("store: malformed chat key %q", s)
	}
	return ChatKey{Platform: p, ID: id}, nil
}

// Notification levels.
const (
	LevelAll    = "all"
	LevelStages = "stages"
	LevelKey    = "key"
)

// Chat holds one conversation's settings.
type Chat struct {
	Key      ChatKey `json:"key"`
	Lang     string  `json:"lang"`              // "ja", "en" or "th"
	TimeZone string  `json:"tz,omitempty"`      // IANA name, e.g. "Asia/Tokyo"
	Level    string  `json:"level,omitempty"`   // LevelAll, LevelStages, LevelKey
	Blocked  bool    `json:"blocked,omitempty"` // the platform refused delivery
	// QuotaNotice is the month ("2026-11") the chat was last told that
	// pushes are limited to key stages because the platform's monthly
	// quota runs low.
	QuotaNotice string `json:"quota_notice,omitempty"`
	// SourceDown holds, by carrier data source, when the chat was last
	// told that the source has been failing, so that it is told at most
	// once a day per source however many of its parcels wait on it.
	SourceDown map[string]time.Time `json:"source_down,omitempty"`
	// Awaiting is a command waiting for the user's next plain message as
	// its last argument (e.g. "name LP00123456789012" after the rename
	// button asked for the new name); any next message clears it.
	Awaiting  string    `json:"awaiting,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"` // first contact
}

// Subscription ties a chat to a number it follows.
type Subscription struct {
	Chat      ChatKey   `json:"chat"`
	Number    string    `json:"number"`
	Label     string    `json:"label,omitempty"`
	Muted     bool      `json:"muted,omitempty"`
	Archived  bool      `json:"archived,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Protection is when AliExpress buyer protection ends for this
	// parcel, when the user told us; zero when unknown.
	Protection time.Time `json:"protection,omitzero"`
	// LastStage is the stage this chat was last told about, by a reply or
	// a push. The dispatcher never pushes the same stage twice in a row.
	LastStage tracker.Stage `json:"last_stage"`
}

// SubscriptionChange names the fields UpdateSubscription sets; nil leaves
// a field as it is.
type SubscriptionChange struct {
	Label      *string
	Muted      *bool
	Archived   *bool
	Protection *time.Time // the zero time forgets it
}

// Apply sets ch's fields on sub.
func (ch SubscriptionChange) Apply(sub *Subscription) {
	if ch.Label != nil {
		sub.Label = *ch.Label
	}
	if ch.Muted != nil {
		sub.Muted = *ch.Muted
	}
	if ch.Archived != nil {
		sub.Archived = *ch.Archived
	}
	if ch.Protection != nil {
		sub.Protection = *ch.Protection
	}
}

// Claim is a poller's lease on one number. Commit succeeds only while the
// claim is current.
type Claim struct {
	Number string `json:"number"`
	Token  string `json:"token"`
}

// Notification is one outbox entry: a stage change of Number to be told to
// Chat. The store assigns ID; it is opaque to callers.
type Notification struct {
	ID string `json:"-"`
	// Kind is "" for a stage change, or the reminder kind (KindProtection)
	// for a reminder that came due; From, To and Event are then unset.
	Kind   string        `json:"kind,omitempty"`
	Chat   ChatKey       `json:"chat"`
	Number string        `json:"number"`
	From   tracker.Stage `json:"from"`
	To     tracker.Stage `json:"to"`
	Event  tracker.Event `json:"event"` // the newest event when it was written
	At     time.Time     `json:"at"`    // when the change was observed
}

// MaxDelivered is how many delivered timelines a store keeps for
// measuring durations.
const MaxDelivered = 5000

// Timeline is the part of a delivered shipment that durations are measured
// on: its number, carriers, start and each event's time and stage (no
// texts, so a timeline stays small).
func Timeline(sh tracker.Shipment) tracker.Shipment {
	t := tracker.Shipment{Number: sh.Number, Carrier: sh.Carrier, LastMile: sh.LastMile, Since: sh.Since, Stage: sh.Stage}
	t.Events = make([]tracker.Event, len(sh.Events))
	for i, e := range sh.Events {
		t.Events[i] = tracker.Event{Time: e.Time, Stage: e.Stage}
	}
	return t
}

// Reminder kinds.
const (
	// KindProtection: buyer protection for the parcel ends soon.
	KindProtection = "protection"
	// KindSourceDown: the parcel's carrier data source has failed for a
	// while; the chat is told once, and nothing is lost meanwhile.
	KindSourceDown = "source_down"
)

// IdempotencyKey is the same for every delivery attempt of one notification
// and differs between notifications: a name-based (version 5 shaped) UUID of
// chat, number, stage and event, the form LINE's X-Line-Retry-Key demands.
func (n Notification) IdempotencyKey() string {
	h := sha1.Sum([]byte("todoku/notification\x00" + n.Chat.String() + "\x00" + n.Number + "\x00" + n.To.String() + "\x00" + n.Event.Key() +
		"\x00" + n.Kind + "\x00" + reminderTime(n)))
	h[6] = h[6]&0x0f | 0x50 // version 5
	h[8] = h[8]&0x3f | 0x80 // RFC 4122 variant
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// reminderTime distinguishes two reminders of one kind for one parcel.
func reminderTime(n Notification) string {
	if n.Kind == "" {
		return ""
	}
	return n.At.UTC().Format(time.RFC3339)
}

// ReminderKey names a reminder: one per kind, chat and number.
func ReminderKey(kind string, chat ChatKey, number string) string {
	return kind + "|" + chat.String() + "|" + number
}

// Stats is a cheap summary of the store's work queues, for monitoring.
type Stats struct {
	Scheduled int64 // numbers on the schedule, leased ones included
	Due       int64 // scheduled numbers whose next check is at or before now
	Outbox    int64 // notifications not yet acknowledged
	// OldestOutbox is how long ago (now minus its At) the oldest
	// unacknowledged notification was written; 0 when the outbox is
	// empty or the age is not cheap to know.
	OldestOutbox time.Duration
}

// Store is the contract both backends implement.
//
// Times passed in (now, due) come from the caller's clock so that tests and
// simulations can run on virtual time. Outbox leases and dedupe TTLs are
// measured on the wall clock of the backend.
type Store interface {
	// SaveChat creates or replaces a chat's settings.
	SaveChat(ctx context.Context, c Chat) error
	// Chat returns a chat's settings, or ErrNotFound.
	Chat(ctx context.Context, key ChatKey) (Chat, error)

	// Subscribe makes sub.Chat follow sub.Number in one atomic step. If no
	// shipment is stored for the number, stub is stored as its snapshot.
	// Unless the shipment's stage is final, the number is put on the
	// schedule, due at sub.CreatedAt, if it is not scheduled or leased
	// already. sub.LastStage is set to the stored shipment's stage. It
	// returns the stored subscription (an existing one is left unchanged
	// and created is false) and the shipment.
	Subscribe(ctx context.Context, sub Subscription, stub tracker.Shipment) (s Subscription, sh tracker.Shipment, created bool, err error)
	// Unsubscribe removes the subscription, or returns ErrNotFound. When
	// the number has no subscribers left it leaves the schedule.
	Unsubscribe(ctx context.Context, chat ChatKey, number string) error
	// UpdateSubscription changes the fields ch sets on an existing
	// subscription, in one atomic step, and returns it; ErrNotFound when
	// there is none. LastStage is the dispatcher's and never changes here.
	UpdateSubscription(ctx context.Context, chat ChatKey, number string, ch SubscriptionChange) (Subscription, error)
	// Subscription returns one subscription, or ErrNotFound.
	Subscription(ctx context.Context, chat ChatKey, number string) (Subscription, error)
	// Subscriptions lists a chat's subscriptions, oldest first (ties by number).
	Subscriptions(ctx context.Context, chat ChatKey) ([]Subscription, error)
	// Subscribers lists the chats that follow a number, in chat-key order.
	Subscribers(ctx context.Context, number string) ([]ChatKey, error)

	// Shipment returns the latest snapshot of a number, or ErrNotFound.
	Shipment(ctx context.Context, number string) (tracker.Shipment, error)

	// Link records that alias (a last-mile number given after a handover)
	// stands for number, the shipment that tells the whole story. Linking
	// again is harmless; an alias keeps the first number it was linked to,
	// and a number is never its own alias.
	Link(ctx context.Context, alias, number string) error
	// Resolve returns the number an alias was linked to, or the number
	// itself when it is no alias.
	Resolve(ctx context.Context, number string) (string, error)

	// ClaimDue atomically leases up to max numbers whose next check is at or
	// before now, earliest first. A leased number is not due again until
	// now+lease; if its claim is not committed by then it comes back.
	ClaimDue(ctx context.Context, now time.Time, max int, lease time.Duration) ([]Claim, error)
	// ClaimNumber leases one number, scheduled or not, for an immediate
	// check. It returns ErrLeased while another unexpired claim holds it.
	ClaimNumber(ctx context.Context, number string, now time.Time, lease time.Duration) (Claim, error)
	// Commit stores snap as the number's snapshot and, in the same atomic
	// step, writes one outbox notification per subscriber when the stage
	// changed, releases the claim and reschedules the number at next (a
	// zero next, or no subscribers, takes it off the schedule). It returns
	// ErrLeaseLost, writing nothing, if the claim is no longer current.
	Commit(ctx context.Context, c Claim, snap tracker.Shipment, change tracker.Change, next, now time.Time) error

	// ClaimOutbox hands out up to max notifications for delivery: entries
	// never handed out, and entries handed out more than lease ago and not
	// acknowledged (their consumer presumably died), oldest first.
	ClaimOutbox(ctx context.Context, consumer string, max int, lease time.Duration) ([]Notification, error)
	// Ack removes a delivered (or deliberately dropped) notification and,
	// if the subscription still exists and delivered is true, records
	// n.To as its LastStage, in one atomic step.
	Ack(ctx context.Context, n Notification, delivered bool) error
	// ReleaseOutbox hands notifications that consumer claimed and did not
	// begin to deliver back to the outbox at once, so that any consumer's
	// next claim takes them without waiting out their lease. Those that
	// consumer no longer holds (acknowledged, or claimed by another after
	// the lease) are left alone.
	ReleaseOutbox(ctx context.Context, consumer string, ns []Notification) error
	// RenewOutbox starts the lease of a notification consumer holds again,
	// lease from now, and reports whether consumer still held it; false
	// means it was acknowledged or claimed by another after its lease,
	// and consumer must not send it.
	RenewOutbox(ctx context.Context, consumer string, n Notification, lease time.Duration) (bool, error)

	// RecordDelivered keeps the timeline of a delivered shipment, so that
	// typical durations can be measured; only the newest MaxDelivered are
	// kept.
	RecordDelivered(ctx context.Context, sh tracker.Shipment) error
	// Delivered returns up to max kept timelines, newest first.
	Delivered(ctx context.Context, max int) ([]tracker.Shipment, error)

	// SetReminder schedules a reminder of kind to chat about number at at,
	// replacing any earlier one of the same kind for them; a zero at
	// cancels it.
	SetReminder(ctx context.Context, kind string, chat ChatKey, number string, at time.Time) error
	// QueueDueReminders moves up to max reminders due at or before now
	// into the outbox, as notifications of their kind, in one atomic step,
	// and returns how many it moved.
	QueueDueReminders(ctx context.Context, now time.Time, max int) (int, error)

	// Pace reserves the next slot of a rate limit that lets one event
	// through every interval, and returns how long the caller must wait
	// before its event (0: go now). Every process sharing the store
	// shares the limit; the embedded store paces within its process.
	Pace(ctx context.Context, key string, interval time.Duration, now time.Time) (time.Duration, error)

	// Stats counts the schedule and the outbox as of now (the caller's
	// clock), without a full scan where the backend can avoid one.
	Stats(ctx context.Context, now time.Time) (Stats, error)

	// FirstSeen records key (a webhook event id) and reports whether it was
	// new; it is forgotten after ttl.
	FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error)

	Close() error

	// AcquireLease takes the lease called name for holder for ttl from
	// now, when no one holds it or holder holds it already (renewing it),
	// and reports whether holder holds it now. Exactly one of several
	// concurrent callers wins a free lease. The ttl is measured on the
	// backend's wall clock, not the caller's: Redis expires the key by the
	// server's clock; the embedded store, which serves one process, by
	// its own. A holder that stops renewing loses the lease when ttl runs
	// out, and the next caller takes it over.
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	// ReleaseLease ends the lease called name if holder holds it, so that
	// another holder can take it at once; a lease held by someone else, or
	// by no one, is left alone and is no error.
	ReleaseLease(ctx context.Context, name, holder string) error

	// Forget deletes everything the store holds about chat, in one atomic
	// step where the backend allows: its settings, subscriptions (and its
	// place among each number's subscribers), reminders, notifications
	// not yet delivered and rate-limit slots that name it. A number no
	// other chat follows is forgotten with it: shipment, schedule entry,
	// claim, aliases, kept timeline and any notification or reminder that
	// names it. Afterwards the chat is a stranger; forgetting a chat the
	// store does not know is no error.
	Forget(ctx context.Context, chat ChatKey) error

	// Shipments returns the latest snapshots of numbers in one round trip,
	// by number; a number without a snapshot is absent from the map.
	Shipments(ctx context.Context, numbers []string) (map[string]tracker.Shipment, error)
	// CommitMany commits many checks as Commit does each, in one round trip
	// (one transaction on the embedded store). Each check is atomic on its
	// own; errs[i] is check i's outcome (nil, or an error wrapping
	// ErrLeaseLost when its claim is no longer current, which writes
	// nothing for it). err reports a failure of the whole call, after
	// which any check may or may not be committed.
	CommitMany(ctx context.Context, checks []Check, now time.Time) (errs []error, err error)
	// FirstSeenMany records keys as FirstSeen does each, in one round trip
	// (one transaction on the embedded store), and reports for each
	// whether it was new; a key that appears twice is new at most once.
	// Each key is recorded atomically on its own.
	FirstSeenMany(ctx context.Context, keys []string, ttl time.Duration) ([]bool, error)
}

// Check is one check's result for CommitMany: the arguments of Commit.
type Check struct {
	Claim  Claim
	Snap   tracker.Shipment
	Change tracker.Change
	Next   time.Time
	// Unchanged says Snap differs from the stored snapshot, which the
	// check started from, in CheckedAt at most: a backend may then
	// rewrite only the checked-at of the stored value. Leave it false
	// when unsure; it is an optimisation, never a change of meaning.
	Unchanged bool
}

// Subscribing is one subscription to make in bulk (the backends'
// SubscribeMany, for imports and load tests), with the stub stored when the
// number has no snapshot yet: each is what Subscribe(ctx, Sub, Stub) does.
type Subscribing struct {
	Sub  Subscription
	Stub tracker.Shipment
}
