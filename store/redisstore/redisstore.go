package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// Store is a store.Store backed by Redis.
type Store struct {
	rdb  redis.UniversalClient // *redis.Client, or *redis.ClusterClient on a cluster
	keys keys

	// finalStages lists the final stage IDs as ",id,id," for subscribeScript.
	finalStages string

	// pruned is when (Unix ns, wall clock) ClaimOutbox last removed the
	// outbox consumers of replicas gone for good.
	pruned atomic.Int64

	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*Store)(nil)

type options struct {
	prefix string
}

// Option configures Open.
type Option func(*options)

// WithPrefix sets the prefix of every key, "todoku:" by default and
// "{todoku}:" on a Redis Cluster, where the prefix must carry a hash tag (see
// cluster.go); an empty prefix means the default. Stores with different
// prefixes share a server without seeing each other's data.
func WithPrefix(prefix string) Option {
	return func(o *options) { o.prefix = prefix }
}

// Open connects to the server at url ("redis://[user:password@]host:port/db"
// or "rediss://...") or to the Redis Cluster it names (see cluster.go),
// checks the schema version (writing it on first use) and makes sure the
// outbox consumer group exists.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	rdb, cluster, err := dial(ctx, url)
	if err != nil {
		return nil, err
	}
	prefix, err := prefixFor(o.prefix, cluster)
	if err != nil {
		_ = rdb.Close()
		return nil, err
	}
	s := &Store{rdb: rdb, keys: keys{prefix: prefix}}
	var final []string
	for _, st := range tracker.Stages() {
		if st.Final() {
			final = append(final, st.String())
		}
	}
	s.finalStages = "," + strings.Join(final, ",") + ","
	if err := s.init(ctx); err != nil {
		_ = s.rdb.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init(ctx context.Context) error {
	if err := s.rdb.SetNX(ctx, s.keys.schema(), schemaVersion, 0).Err(); err != nil {
		return fmt.Errorf("redisstore: unable to write schema version: %w", err)
	}
	v, err := s.rdb.Get(ctx, s.keys.schema()).Result()
	if err != nil {
		return fmt.Errorf("redisstore: unable to read schema version: %w", err)
	}
	if v == schemaJSONShipments {
		// This build reads JSON shipments too; from now on it writes the
		// compact form, which older builds cannot read.
		if err := s.rdb.Set(ctx, s.keys.schema(), schemaVersion, 0).Err(); err != nil {
			return fmt.Errorf("redisstore: unable to upgrade schema version: %w", err)
		}
		v = schemaVersion
	}
	if v != schemaVersion {
		return fmt.Errorf("redisstore: unable to use schema version %q: this build reads %q", v, schemaVersion)
	}
	err = s.rdb.XGroupCreateMkStream(ctx, s.keys.outbox(), outboxGroup, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("redisstore: unable to create outbox consumer group: %w", err)
	}
	return nil
}

// Close closes the connection pool. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if err := s.rdb.Close(); err != nil {
			s.closeErr = fmt.Errorf("redisstore: unable to close: %w", err)
		}
	})
	return s.closeErr
}

// SaveChat implements store.Store.
func (s *Store) SaveChat(ctx context.Context, c store.Chat) error {
	v, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("redisstore: unable to encode chat %s: %w", c.Key, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: unable to save chat %s: %w", c.Key, err)
	}
	if err := s.rdb.Set(ctx, s.keys.chat(c.Key), v, 0).Err(); err != nil {
		return fmt.Errorf("redisstore: unable to save chat %s: %w", c.Key, err)
	}
	return nil
}

// Chat implements store.Store.
func (s *Store) Chat(ctx context.Context, key store.ChatKey) (store.Chat, error) {
	var c store.Chat
	if err := s.getJSON(ctx, s.keys.chat(key), &c); err != nil {
		return store.Chat{}, fmt.Errorf("redisstore: unable to load chat %s: %w", key, err)
	}
	return c, nil
}

// Subscribe implements store.Store.
func (s *Store) Subscribe(ctx context.Context, sub store.Subscription, stub tracker.Shipment) (store.Subscription, tracker.Shipment, bool, error) {
	fail := func(err error) (store.Subscription, tracker.Shipment, bool, error) {
		return store.Subscription{}, tracker.Shipment{}, false, fmt.Errorf("redisstore: unable to subscribe %s to %s: %w", sub.Chat, sub.Number, err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	subJSON, err := json.Marshal(sub)
	if err != nil {
		return fail(err)
	}
	k := s.keys
	res, err := subscribeScript.Run(ctx, s.rdb,
		[]string{k.subs(sub.Chat), k.subscribers(sub.Number), k.shipment(sub.Number), k.schedule(), k.claims()},
		sub.Number, sub.Chat.String(), subJSON, store.EncodeShipment(stub), ms(sub.CreatedAt), s.finalStages,
	).Slice()
	if err != nil {
		return fail(err)
	}
	if len(res) != 3 {
		return fail(fmt.Errorf("unexpected script reply %v", res))
	}
	created, _ := res[0].(int64)
	subRaw, _ := res[1].(string)
	shRaw, _ := res[2].(string)
	var out store.Subscription
	if err := json.Unmarshal([]byte(subRaw), &out); err != nil {
		return fail(err)
	}
	sh, err := store.DecodeShipment([]byte(shRaw))
	if err != nil {
		return fail(err)
	}
	return out, sh, created == 1, nil
}

// Unsubscribe implements store.Store.
func (s *Store) Unsubscribe(ctx context.Context, chat store.ChatKey, number string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: unable to unsubscribe %s from %s: %w", chat, number, err)
	}
	k := s.keys
	n, err := unsubscribeScript.Run(ctx, s.rdb,
		[]string{k.subs(chat), k.subscribers(number), k.schedule()},
		number, chat.String(),
	).Int()
	if err != nil {
		return fmt.Errorf("redisstore: unable to unsubscribe %s from %s: %w", chat, number, err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: unable to unsubscribe %s from %s: %w", chat, number, store.ErrNotFound)
	}
	return nil
}

// Subscription implements store.Store.
func (s *Store) Subscription(ctx context.Context, chat store.ChatKey, number string) (store.Subscription, error) {
	fail := func(err error) (store.Subscription, error) {
		return store.Subscription{}, fmt.Errorf("redisstore: unable to load subscription of %s to %s: %w", chat, number, err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	raw, err := s.rdb.HGet(ctx, s.keys.subs(chat), number).Bytes()
	if errors.Is(err, redis.Nil) {
		return fail(store.ErrNotFound)
	}
	if err != nil {
		return fail(err)
	}
	var sub store.Subscription
	if err := json.Unmarshal(raw, &sub); err != nil {
		return fail(err)
	}
	return sub, nil
}

// Subscriptions implements store.Store.
func (s *Store) Subscriptions(ctx context.Context, chat store.ChatKey) ([]store.Subscription, error) {
	fail := func(err error) ([]store.Subscription, error) {
		return nil, fmt.Errorf("redisstore: unable to list subscriptions of %s: %w", chat, err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	vals, err := s.rdb.HVals(ctx, s.keys.subs(chat)).Result()
	if err != nil {
		return fail(err)
	}
	out := make([]store.Subscription, 0, len(vals))
	for _, v := range vals {
		var sub store.Subscription
		if err := json.Unmarshal([]byte(v), &sub); err != nil {
			return fail(err)
		}
		out = append(out, sub)
	}
	slices.SortFunc(out, func(a, b store.Subscription) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.Number, b.Number)
	})
	return out, nil
}

// Subscribers implements store.Store.
func (s *Store) Subscribers(ctx context.Context, number string) ([]store.ChatKey, error) {
	fail := func(err error) ([]store.ChatKey, error) {
		return nil, fmt.Errorf("redisstore: unable to list subscribers of %s: %w", number, err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	members, err := s.rdb.SMembers(ctx, s.keys.subscribers(number)).Result()
	if err != nil {
		return fail(err)
	}
	slices.Sort(members)
	out := make([]store.ChatKey, 0, len(members))
	for _, m := range members {
		key, err := store.ParseChatKey(m)
		if err != nil {
			return fail(err)
		}
		out = append(out, key)
	}
	return out, nil
}

// Shipment implements store.Store.
func (s *Store) Shipment(ctx context.Context, number string) (tracker.Shipment, error) {
	fail := func(err error) (tracker.Shipment, error) {
		return tracker.Shipment{}, fmt.Errorf("redisstore: unable to load shipment %s: %w", number, err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	raw, err := s.rdb.Get(ctx, s.keys.shipment(number)).Bytes()
	if errors.Is(err, redis.Nil) {
		return fail(store.ErrNotFound)
	}
	if err != nil {
		return fail(err)
	}
	sh, err := store.DecodeShipment(raw)
	if err != nil {
		return fail(err)
	}
	return sh, nil
}

// UpdateSubscription implements store.Store.
func (s *Store) UpdateSubscription(ctx context.Context, chat store.ChatKey, number string, ch store.SubscriptionChange) (store.Subscription, error) {
	flag := func(set bool) string {
		if set {
			return "1"
		}
		return "0"
	}
	var label string
	var muted, archived bool
	if ch.Label != nil {
		label = *ch.Label
	}
	if ch.Muted != nil {
		muted = *ch.Muted
	}
	if ch.Archived != nil {
		archived = *ch.Archived
	}
	var protection string
	if ch.Protection != nil && !ch.Protection.IsZero() {
		protection = ch.Protection.Format(time.RFC3339Nano)
	}
	raw, err := updateSubScript.Run(ctx, s.rdb, []string{s.keys.subs(chat)}, number,
		flag(ch.Label != nil), label, flag(ch.Muted != nil), flag(muted), flag(ch.Archived != nil), flag(archived),
		flag(ch.Protection != nil), protection).Text()
	if errors.Is(err, redis.Nil) {
		return store.Subscription{}, fmt.Errorf("redisstore: unable to update subscription %s of %s: %w", number, chat, store.ErrNotFound)
	}
	if err != nil {
		return store.Subscription{}, fmt.Errorf("redisstore: unable to update subscription %s of %s: %w", number, chat, err)
	}
	var sub store.Subscription
	if err := json.Unmarshal([]byte(raw), &sub); err != nil {
		return store.Subscription{}, fmt.Errorf("redisstore: unable to decode subscription %s of %s: %w", number, chat, err)
	}
	return sub, nil
}

// Pace implements store.Store.
func (s *Store) Pace(ctx context.Context, key string, interval time.Duration, now time.Time) (time.Duration, error) {
	wait, err := paceScript.Run(ctx, s.rdb, []string{s.keys.pace(key)}, now.UnixMicro(), interval.Microseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("redisstore: unable to pace %s: %w", key, err)
	}
	return time.Duration(wait) * time.Microsecond, nil
}

// RecordDelivered implements store.Store.
func (s *Store) RecordDelivered(ctx context.Context, sh tracker.Shipment) error {
	raw, err := json.Marshal(store.Timeline(sh))
	if err != nil {
		return fmt.Errorf("redisstore: unable to record delivered %s: %w", sh.Number, err)
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.LPush(ctx, s.keys.delivered(), raw)
		p.LTrim(ctx, s.keys.delivered(), 0, store.MaxDelivered-1)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redisstore: unable to record delivered %s: %w", sh.Number, err)
	}
	return nil
}

// Delivered implements store.Store.
func (s *Store) Delivered(ctx context.Context, max int) ([]tracker.Shipment, error) {
	if max <= 0 {
		return nil, nil
	}
	raws, err := s.rdb.LRange(ctx, s.keys.delivered(), 0, int64(max-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: unable to read delivered timelines: %w", err)
	}
	out := make([]tracker.Shipment, 0, len(raws))
	for _, r := range raws {
		var sh tracker.Shipment
		if err := json.Unmarshal([]byte(r), &sh); err != nil {
			return nil, fmt.Errorf("redisstore: unable to decode a delivered timeline: %w", err)
		}
		out = append(out, sh)
	}
	return out, nil
}

// Link implements store.Store.
func (s *Store) Link(ctx context.Context, alias, number string) error {
	if alias == number {
		return nil
	}
	if err := s.rdb.HSetNX(ctx, s.keys.aliases(), alias, number).Err(); err != nil {
		return fmt.Errorf("redisstore: unable to link %s to %s: %w", alias, number, err)
	}
	return nil
}

// Resolve implements store.Store.
func (s *Store) Resolve(ctx context.Context, number string) (string, error) {
	parent, err := s.rdb.HGet(ctx, s.keys.aliases(), number).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return number, nil
	case err != nil:
		return "", fmt.Errorf("redisstore: unable to resolve %s: %w", number, err)
	}
	return parent, nil
}

// FirstSeen implements store.Store.
func (s *Store) FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if ttl < time.Millisecond {
		return false, fmt.Errorf("redisstore: unable to record event %q: ttl %s is under a millisecond", key, ttl)
	}
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("redisstore: unable to record event %q: %w", key, err)
	}
	first, err := s.rdb.SetNX(ctx, s.keys.seen(key), "1", ttl).Result()
	if err != nil {
		return false, fmt.Errorf("redisstore: unable to record event %q: %w", key, err)
	}
	return first, nil
}

// getJSON decodes the string at key into v, or returns store.ErrNotFound.
func (s *Store) getJSON(ctx context.Context, key string, v any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	raw, err := s.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return store.ErrNotFound
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// ms renders t as Unix milliseconds, the unit of every score and lease end.
func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
