package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// schemaVersion is written on first open and checked on every later one:
// "2" stores shipments in store.EncodeShipment's form. A file at
// schemaJSONShipments (shipments as JSON, which this code still reads) is
// upgraded on open.
const (
	schemaVersion       = "2"
	schemaJSONShipments = "1"
)

// Buckets. Composite keys join their parts with a NUL byte, so a prefix scan
// on "part\x00" never matches a longer part.
var (
	bucketMeta        = []byte("meta")        // "schema" -> schemaVersion
	bucketChats       = []byte("chats")       // chat key -> Chat JSON
	bucketSubs        = []byte("subs")        // chat key \x00 number -> Subscription JSON
	bucketSubscribers = []byte("subscribers") // number \x00 chat key -> empty
	bucketShipments   = []byte("shipments")   // number -> store.EncodeShipment (JSON when written by schema 1)
	bucketSchedule    = []byte("schedule")    // number -> due (ordered int, ms)
	bucketDue         = []byte("due")         // due (ordered int, ms) + number -> empty
	bucketClaims      = []byte("claims")      // number -> claim JSON
	bucketOutbox      = []byte("outbox")      // big-endian sequence -> outboxEntry JSON
	bucketSeen        = []byte("seen")        // event key -> expiry (ordered int, wall ns)
	bucketSeenExpiry  = []byte("seen_expiry") // expiry (ordered int, wall ns) + event key -> empty
	bucketAliases     = []byte("aliases")     // last-mile number -> the number it was linked to
	bucketDelivered   = []byte("delivered")   // big-endian sequence -> store.Timeline JSON
	bucketReminders   = []byte("reminders")   // due (ordered int, ms) + reminder key -> Notification JSON
	bucketReminderKey = []byte("reminder_at") // reminder key -> its key in reminders
)

var allBuckets = [][]byte{
	bucketMeta, bucketChats, bucketSubs, bucketSubscribers, bucketShipments,
	bucketSchedule, bucketDue, bucketClaims, bucketOutbox, bucketSeen, bucketSeenExpiry, bucketAliases,
	bucketReminders, bucketReminderKey, bucketDelivered,
}

// Store is a store.Store backed by one bbolt file.
type Store struct {
	db   *bolt.DB
	path string
	now  func() time.Time

	closeOnce sync.Once
	closeErr  error

	paceMu sync.Mutex
	pace   map[string]time.Time // rate-limit key -> next free slot
}

var _ store.Store = (*Store)(nil)

type options struct {
	now         func() time.Time
	lockTimeout time.Duration
	noSync      bool
}

// Option configures Open.
type Option func(*options)

// WithClock sets the wall clock that measures outbox leases and dedupe TTLs.
// It defaults to time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithLockTimeout sets how long Open waits for another process to release
// the file before it fails with store.ErrLocked. It defaults to 100ms.
func WithLockTimeout(d time.Duration) Option {
	return func(o *options) { o.lockTimeout = d }
}

// WithNoSync skips the file sync after each write. It is for bulk loading
// only (benchmarks, imports): a crash may lose the writes or damage the
// file, so a store that serves is opened without it.
func WithNoSync() Option {
	return func(o *options) { o.noSync = true }
}

// Open opens or creates the store file at path. If another process (or
// another Store in this one) holds the file, it fails within the lock timeout
// with an error that wraps store.ErrLocked.
func Open(path string, opts ...Option) (*Store, error) {
	o := options{now: time.Now, lockTimeout: 100 * time.Millisecond}
	for _, opt := range opts {
		opt(&o)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: o.lockTimeout, NoSync: o.noSync})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("boltstore: unable to open %s: %w", path, store.ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("boltstore: unable to open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		switch v := meta.Get([]byte("schema")); {
		case v == nil, string(v) == schemaJSONShipments:
			return meta.Put([]byte("schema"), []byte(schemaVersion))
		case string(v) != schemaVersion:
			return fmt.Errorf("unsupported schema version %q, want %q", v, schemaVersion)
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("boltstore: unable to initialise %s: %w", path, err)
	}
	return &Store{db: db, path: path, now: o.now}, nil
}

// Close releases the file. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("boltstore: unable to close %s: %w", s.path, err)
		}
	})
	return s.closeErr
}

func (s *Store) view(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(fn)
}

func (s *Store) update(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(fn)
}

// SaveChat implements store.Store.
func (s *Store) SaveChat(ctx context.Context, c store.Chat) error {
	v, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("boltstore: unable to encode chat %s: %w", c.Key, err)
	}
	err = s.update(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketChats).Put([]byte(c.Key.String()), v)
	})
	if err != nil {
		return fmt.Errorf("boltstore: unable to save chat %s: %w", c.Key, err)
	}
	return nil
}

// Chat implements store.Store.
func (s *Store) Chat(ctx context.Context, key store.ChatKey) (store.Chat, error) {
	var c store.Chat
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return get(tx.Bucket(bucketChats), []byte(key.String()), &c)
	})
	if err != nil {
		return store.Chat{}, fmt.Errorf("boltstore: unable to load chat %s: %w", key, err)
	}
	return c, nil
}

// Subscribe implements store.Store.
func (s *Store) Subscribe(ctx context.Context, sub store.Subscription, stub tracker.Shipment) (store.Subscription, tracker.Shipment, bool, error) {
	var (
		out     store.Subscription
		sh      tracker.Shipment
		created bool
	)
	err := s.update(ctx, func(tx *bolt.Tx) error {
		var err error
		out, sh, created, err = subscribe(tx, sub, stub, nil)
		return err
	})
	if err != nil {
		return store.Subscription{}, tracker.Shipment{}, false, fmt.Errorf("boltstore: unable to subscribe %s to %s: %w", sub.Chat, sub.Number, err)
	}
	return out, sh, created, nil
}

// subscribe does Subscribe in tx; encoded is the stub already encoded, or
// nil.
func subscribe(tx *bolt.Tx, sub store.Subscription, stub tracker.Shipment, encoded []byte) (out store.Subscription, sh tracker.Shipment, created bool, err error) {
	number := []byte(sub.Number)
	ships := tx.Bucket(bucketShipments)
	if err := getShipment(ships, number, &sh); errors.Is(err, store.ErrNotFound) {
		sh = stub
		if encoded == nil {
			encoded = store.EncodeShipment(sh)
		}
		if err := ships.Put(number, encoded); err != nil {
			return out, sh, false, err
		}
	} else if err != nil {
		return out, sh, false, err
	}
	if !sh.Stage.Final() {
		if err := scheduleNX(tx, sub.Number, sub.CreatedAt.UnixMilli()); err != nil {
			return out, sh, false, err
		}
	}
	subs := tx.Bucket(bucketSubs)
	key := subKey(sub.Chat, sub.Number)
	if err := get(subs, key, &out); err == nil {
		return out, sh, false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return out, sh, false, err
	}
	out = sub
	out.LastStage = sh.Stage
	if err := put(subs, key, out); err != nil {
		return out, sh, false, err
	}
	return out, sh, true, tx.Bucket(bucketSubscribers).Put(subscriberKey(sub.Number, sub.Chat), nil)
}

// Unsubscribe implements store.Store.
func (s *Store) Unsubscribe(ctx context.Context, chat store.ChatKey, number string) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		subs := tx.Bucket(bucketSubs)
		key := subKey(chat, number)
		if subs.Get(key) == nil {
			return store.ErrNotFound
		}
		if err := subs.Delete(key); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSubscribers).Delete(subscriberKey(number, chat)); err != nil {
			return err
		}
		if !hasSubscribers(tx, number) {
			return unschedule(tx, number)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("boltstore: unable to unsubscribe %s from %s: %w", chat, number, err)
	}
	return nil
}

// Subscription implements store.Store.
func (s *Store) Subscription(ctx context.Context, chat store.ChatKey, number string) (store.Subscription, error) {
	var sub store.Subscription
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return get(tx.Bucket(bucketSubs), subKey(chat, number), &sub)
	})
	if err != nil {
		return store.Subscription{}, fmt.Errorf("boltstore: unable to load subscription of %s to %s: %w", chat, number, err)
	}
	return sub, nil
}

// Subscriptions implements store.Store.
func (s *Store) Subscriptions(ctx context.Context, chat store.ChatKey) ([]store.Subscription, error) {
	var out []store.Subscription
	err := s.view(ctx, func(tx *bolt.Tx) error {
		prefix := append([]byte(chat.String()), 0)
		c := tx.Bucket(bucketSubs).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var sub store.Subscription
			if err := json.Unmarshal(v, &sub); err != nil {
				return err
			}
			out = append(out, sub)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: unable to list subscriptions of %s: %w", chat, err)
	}
	slices.SortStableFunc(out, func(a, b store.Subscription) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.Number, b.Number)
	})
	return out, nil
}

// Subscribers implements store.Store.
func (s *Store) Subscribers(ctx context.Context, number string) ([]store.ChatKey, error) {
	var out []store.ChatKey
	err := s.view(ctx, func(tx *bolt.Tx) error {
		prefix := append([]byte(number), 0)
		c := tx.Bucket(bucketSubscribers).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			key, err := store.ParseChatKey(string(k[len(prefix):]))
			if err != nil {
				return err
			}
			out = append(out, key)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: unable to list subscribers of %s: %w", number, err)
	}
	return out, nil
}

// Shipment implements store.Store.
func (s *Store) Shipment(ctx context.Context, number string) (tracker.Shipment, error) {
	var sh tracker.Shipment
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return getShipment(tx.Bucket(bucketShipments), []byte(number), &sh)
	})
	if err != nil {
		return tracker.Shipment{}, fmt.Errorf("boltstore: unable to load shipment %s: %w", number, err)
	}
	return sh, nil
}

// UpdateSubscription implements store.Store.
func (s *Store) UpdateSubscription(ctx context.Context, chat store.ChatKey, number string, ch store.SubscriptionChange) (store.Subscription, error) {
	var sub store.Subscription
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSubs)
		if err := get(b, subKey(chat, number), &sub); err != nil {
			return err
		}
		ch.Apply(&sub)
		v, err := json.Marshal(sub)
		if err != nil {
			return err
		}
		return b.Put(subKey(chat, number), v)
	})
	if err != nil {
		return store.Subscription{}, fmt.Errorf("boltstore: unable to update subscription %s of %s: %w", number, chat, err)
	}
	return sub, nil
}

// Pace implements store.Store. The embedded store serves one process, so
// the slots live in memory.
func (s *Store) Pace(ctx context.Context, key string, interval time.Duration, now time.Time) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("boltstore: unable to pace %s: %w", key, err)
	}
	s.paceMu.Lock()
	defer s.paceMu.Unlock()
	if s.pace == nil {
		s.pace = map[string]time.Time{}
	}
	if len(s.pace) > 100_000 {
		for k, v := range s.pace {
			if v.Before(now) {
				delete(s.pace, k) // a past slot limits nothing
			}
		}
	}
	slot := s.pace[key]
	if slot.Before(now) {
		slot = now
	}
	s.pace[key] = slot.Add(interval)
	return slot.Sub(now), nil
}

// RecordDelivered implements store.Store.
func (s *Store) RecordDelivered(ctx context.Context, sh tracker.Shipment) error {
	raw, err := json.Marshal(store.Timeline(sh))
	if err != nil {
		return fmt.Errorf("boltstore: unable to record delivered %s: %w", sh.Number, err)
	}
	err = s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDelivered)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		if err := b.Put(binary.BigEndian.AppendUint64(nil, seq), raw); err != nil {
			return err
		}
		if seq > store.MaxDelivered { // sequences are dense: drop the one that falls out
			return b.Delete(binary.BigEndian.AppendUint64(nil, seq-store.MaxDelivered))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("boltstore: unable to record delivered %s: %w", sh.Number, err)
	}
	return nil
}

// Delivered implements store.Store.
func (s *Store) Delivered(ctx context.Context, max int) ([]tracker.Shipment, error) {
	var out []tracker.Shipment
	err := s.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDelivered).Cursor()
		for k, v := c.Last(); k != nil && len(out) < max; k, v = c.Prev() {
			var sh tracker.Shipment
			if err := json.Unmarshal(v, &sh); err != nil {
				return err
			}
			out = append(out, sh)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: unable to read delivered timelines: %w", err)
	}
	return out, nil
}

// Link implements store.Store.
func (s *Store) Link(ctx context.Context, alias, number string) error {
	if alias == number {
		return nil
	}
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAliases)
		if b.Get([]byte(alias)) != nil {
			return nil
		}
		return b.Put([]byte(alias), []byte(number))
	})
	if err != nil {
		return fmt.Errorf("boltstore: unable to link %s to %s: %w", alias, number, err)
	}
	return nil
}

// Resolve implements store.Store.
func (s *Store) Resolve(ctx context.Context, number string) (string, error) {
	parent := number
	err := s.view(ctx, func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketAliases).Get([]byte(number)); v != nil {
			parent = string(v)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("boltstore: unable to resolve %s: %w", number, err)
	}
	return parent, nil
}

// markSeen records key as seen until exp unless it is already seen at now,
// and reports whether it was new.
func markSeen(seen, index *bolt.Bucket, key []byte, now, exp int64) (bool, error) {
	if v := seen.Get(key); v != nil {
		if decodeInt(v) > now {
			return false, nil
		}
		if err := index.Delete(append(encodeInt(decodeInt(v)), key...)); err != nil {
			return false, err
		}
	}
	if err := seen.Put(key, encodeInt(exp)); err != nil {
		return false, err
	}
	return true, index.Put(append(encodeInt(exp), key...), nil)
}

// FirstSeen implements store.Store.
func (s *Store) FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, fmt.Errorf("boltstore: unable to record event %q: ttl %s is not positive", key, ttl)
	}
	var first bool
	err := s.update(ctx, func(tx *bolt.Tx) error {
		now := s.now().UnixNano()
		seen, index := tx.Bucket(bucketSeen), tx.Bucket(bucketSeenExpiry)
		if err := pruneSeen(seen, index, now); err != nil {
			return err
		}
		var err error
		first, err = markSeen(seen, index, []byte(key), now, now+int64(ttl))
		return err
	})
	if err != nil {
		return false, fmt.Errorf("boltstore: unable to record event %q: %w", key, err)
	}
	return first, nil
}

// pruneLimit bounds the expired dedupe keys one FirstSeen call removes, so
// the cost of forgetting is spread over calls.
const pruneLimit = 64

func pruneSeen(seen, index *bolt.Bucket, now int64) error {
	var expired [][]byte
	c := index.Cursor()
	for k, _ := c.First(); k != nil && len(expired) < pruneLimit; k, _ = c.Next() {
		if decodeInt(k[:8]) > now {
			break
		}
		expired = append(expired, bytes.Clone(k))
	}
	for _, k := range expired {
		if err := index.Delete(k); err != nil {
			return err
		}
		if v := seen.Get(k[8:]); v != nil && bytes.Equal(v, k[:8]) {
			if err := seen.Delete(k[8:]); err != nil {
				return err
			}
		}
	}
	return nil
}

func subKey(chat store.ChatKey, number string) []byte {
	return []byte(chat.String() + "\x00" + number)
}

func subscriberKey(number string, chat store.ChatKey) []byte {
	return []byte(number + "\x00" + chat.String())
}

func hasSubscribers(tx *bolt.Tx, number string) bool {
	prefix := append([]byte(number), 0)
	k, _ := tx.Bucket(bucketSubscribers).Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix)
}

// getShipment decodes the shipment at key into sh, or returns
// store.ErrNotFound.
func getShipment(b *bolt.Bucket, key []byte, sh *tracker.Shipment) error {
	raw := b.Get(key)
	if raw == nil {
		return store.ErrNotFound
	}
	v, err := store.DecodeShipment(raw)
	if err != nil {
		return err
	}
	*sh = v
	return nil
}

// get decodes the JSON value at key into v, or returns store.ErrNotFound.
func get(b *bolt.Bucket, key []byte, v any) error {
	raw := b.Get(key)
	if raw == nil {
		return store.ErrNotFound
	}
	return json.Unmarshal(raw, v)
}

func put(b *bolt.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, raw)
}

// encodeInt writes v as 8 bytes whose byte order is v's numeric order, so
// negative values (times before 1970) sort first.
func encodeInt(v int64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), uint64(v)^(1<<63))
}

func decodeInt(b []byte) int64 {
	return int64(binary.BigEndian.Uint64(b) ^ (1 << 63))
}
