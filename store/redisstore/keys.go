package redisstore

import "github.com/todoku/todoku/store"

// keys derives every key name the store uses from the prefix (default
// "todoku:"); no key name is built anywhere else.
//
//	key                        type        TTL   holds
//	schema                     string      none  schema version, written on open
//	chat:<platform:id>         string      none  store.Chat JSON
//	subs:<platform:id>         hash        none  number -> store.Subscription JSON
//	subscribers:<number>       set         none  chat keys "platform:id"
//	shipment:<number>          string      none  tracker.Shipment as store.EncodeShipment writes it
//	                                             (JSON when an older version wrote it)
//	schedule                   sorted set  none  number scored by next check (Unix ms, caller's clock)
//	claims                     hash        none  number -> claim token "<seq>.<lease end Unix ms>"
//	claimseq                   string      none  counter that makes claim tokens unique (ClaimDue
//	                                             reserves max at once with INCRBY)
//	outbox                     stream      none  entries with field "n" = store.Notification JSON;
//	                                             consumer group "dispatch"
//	seen:<event id>            string      ttl   "1"; the TTL is FirstSeen's ttl
//	aliases                    hash        none  last-mile number -> the number it was linked to
//	reminders                  sorted set  none  store.Notification JSON (the reminder as it will be
//	                                             queued) scored by due time (Unix ms, caller's clock)
//	reminderkeys               hash        none  store.ReminderKey -> its member in reminders
//	pace:<key>                 string      ttl   next free slot of a rate limit (Unix µs); the TTL
//	                                             ends when the slot is in the past
//	delivered                  list        none  store.Timeline JSON of delivered shipments, newest
//	                                             first, trimmed to store.MaxDelivered
//	lease:<name>               string      ttl   the holder of a lease (AcquireLease); the TTL, on
//	                                             the server's clock, ends it unless renewed
//
// A claim's lease end is in the caller's (virtual) time; it is compared only
// with the now passed to ClaimDue and ClaimNumber and with Subscribe's
// sub.CreatedAt. Claims are removed by Commit and overwritten by the next
// claim, never expired by Redis. Outbox leases are the stream's idle times,
// measured by the server clock.
//
// Every script receives all the keys it touches in KEYS, each derived from
// the prefix and the call's arguments. For Redis Cluster, a prefix carrying
// a hash tag (e.g. "{todoku}:") puts every key in one slot.
type keys struct{ prefix string }

// schemaVersion is the value of the schema key this code reads and writes:
// "2" stores shipments in store.EncodeShipment's form. A store at
// schemaJSONShipments (shipments as JSON, which this code still reads) is
// upgraded on open.
const (
	schemaVersion       = "2"
	schemaJSONShipments = "1"
)

// outboxGroup is the consumer group every dispatcher reads the outbox with.
const outboxGroup = "dispatch"

func (k keys) schema() string                   { return k.prefix + "schema" }
func (k keys) chat(c store.ChatKey) string      { return k.prefix + "chat:" + c.String() }
func (k keys) subs(c store.ChatKey) string      { return k.prefix + "subs:" + c.String() }
func (k keys) subscribers(number string) string { return k.prefix + "subscribers:" + number }
func (k keys) shipment(number string) string    { return k.prefix + "shipment:" + number }
func (k keys) schedule() string                 { return k.prefix + "schedule" }
func (k keys) claims() string                   { return k.prefix + "claims" }
func (k keys) claimSeq() string                 { return k.prefix + "claimseq" }
func (k keys) outbox() string                   { return k.prefix + "outbox" }
func (k keys) seen(event string) string         { return k.prefix + "seen:" + event }
func (k keys) aliases() string                  { return k.prefix + "aliases" }
func (k keys) pace(key string) string           { return k.prefix + "pace:" + key }
func (k keys) delivered() string                { return k.prefix + "delivered" }
func (k keys) reminders() string                { return k.prefix + "reminders" }
func (k keys) reminderKeys() string             { return k.prefix + "reminderkeys" }
func (k keys) lease(name string) string         { return k.prefix + "lease:" + name }
