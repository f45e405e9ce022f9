package redisstore

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// isNoGroup reports whether err says the outbox stream or its consumer
// group is missing: Redis lost its data (a restart without persistence, a
// failover to a replica that lagged behind) while the store was open.
func isNoGroup(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOGROUP")
}

// createGroup makes the outbox stream and its consumer group, reading from
// the start of the stream, unless the group exists. Acknowledged entries
// are deleted, so a group made again hands out only undelivered ones.
func (s *Store) createGroup(ctx context.Context) error {
	err := s.rdb.XGroupCreateMkStream(ctx, s.keys.outbox(), outboxGroup, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("unable to create outbox consumer group: %w", err)
	}
	return nil
}

// Consumers of the outbox group that own no pending entry and have been
// idle for consumerIdle are removed, at most once per pruneEvery per store:
// every replica that ever started left one behind, and the group would
// otherwise keep them all.
const (
	consumerIdle = 24 * time.Hour
	pruneEvery   = 10 * time.Minute
)

// pruneConsumers removes, when due, the outbox consumers other than self
// that own no pending entry and were idle for consumerIdle. A failure is
// harmless (the consumers stay until the next try), so it is not returned.
func (s *Store) pruneConsumers(ctx context.Context, self string, now time.Time) {
	last := s.pruned.Load()
	if last != 0 && now.Sub(time.Unix(0, last)) < pruneEvery {
		return
	}
	if !s.pruned.CompareAndSwap(last, now.UnixNano()) {
		return // another goroutine of this store is at it
	}
	_, _ = s.removeIdleConsumers(ctx, self, consumerIdle)
}

// removeIdleConsumers deletes the group's consumers other than self with no
// pending entries and at least idle since their last attempt, and returns
// their names. XGROUP DELCONSUMER drops a consumer's pending entries, so
// only those without any are touched; a consumer that claims in between
// loses nothing but its name.
func (s *Store) removeIdleConsumers(ctx context.Context, self string, idle time.Duration) ([]string, error) {
	consumers, err := s.rdb.XInfoConsumers(ctx, s.keys.outbox(), outboxGroup).Result()
	if err != nil {
		return nil, fmt.Errorf("unable to list outbox consumers: %w", err)
	}
	var gone []string
	for _, c := range consumers {
		if c.Name == self || c.Pending > 0 || c.Idle < idle {
			continue
		}
		if err := s.rdb.XGroupDelConsumer(ctx, s.keys.outbox(), outboxGroup, c.Name).Err(); err != nil {
			return gone, fmt.Errorf("unable to remove outbox consumer %s: %w", c.Name, err)
		}
		gone = append(gone, c.Name)
	}
	return gone, nil
}
