package line

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	ma "github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// quotaRetry is how long a failed quota reading is not tried again.
const quotaRetry = time.Minute

// Quota reads the month's push quota: limit is the month's target limit,
// or -1 when the channel has none, and used the messages sent so far.
func (l *LINE) Quota(ctx context.Context) (limit, used int64, err error) {
	c := l.client(ctx)
	res, q, err := c.GetMessageQuotaWithHttpInfo()
	if err := l.check("quota", res, err); err != nil {
		return 0, 0, err
	}
	if q == nil {
		return 0, 0, fmt.Errorf("line: quota answer is empty")
	}
	limit = -1
	if q.Type == ma.QuotaType_LIMITED {
		limit = q.Value
	}
	res, u, err := c.GetMessageQuotaConsumptionWithHttpInfo()
	if err := l.check("quota consumption", res, err); err != nil {
		return 0, 0, err
	}
	if u == nil {
		return 0, 0, fmt.Errorf("line: quota consumption answer is empty")
	}
	return limit, u.TotalUsage, nil
}

// LowOnQuota reports whether less than Options.LowQuota of the month's
// pushes is left, so notifications should keep to the key level.
func (l *LINE) LowOnQuota(ctx context.Context) bool {
	l.refreshQuota(ctx)
	q := &l.quota
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.lowLocked(l.opts.LowQuota)
}

// QuotaLeft returns the pushes left this month, from the same reading as
// LowOnQuota: limited is false for a channel without a monthly limit, and
// known false until a reading succeeded.
func (l *LINE) QuotaLeft(ctx context.Context) (left int64, limited, known bool) {
	l.refreshQuota(ctx)
	q := &l.quota
	q.mu.Lock()
	defer q.mu.Unlock()
	return max(q.limit-q.used, 0), q.limit >= 0, q.known
}

// refreshQuota reads the quota when the cached reading is older than
// Options.QuotaEvery. While one caller refreshes, others keep the cached
// reading; a failed reading keeps the last one for a minute. Pushes sent
// in between are counted in the cache.
func (l *LINE) refreshQuota(ctx context.Context) {
	now := l.opts.Now()
	q := &l.quota
	q.mu.Lock()
	if q.refreshing || (q.known && now.Sub(q.at) < l.opts.QuotaEvery) || now.Before(q.retryAt) {
		q.mu.Unlock()
		return
	}
	q.refreshing = true
	q.mu.Unlock()

	limit, used, err := l.Quota(ctx)

	q.mu.Lock()
	defer q.mu.Unlock()
	q.refreshing = false
	if err != nil {
		q.retryAt = now.Add(quotaRetry)
		l.log.Warn("Could not read the LINE message quota.", slog.Any("error", err))
		return
	}
	q.limit, q.used, q.at, q.known = limit, used, now, true
}

// quotaCache is the last quota reading.
type quotaCache struct {
	mu         sync.Mutex
	known      bool
	limit      int64 // -1: no limit
	used       int64
	at         time.Time // when it was read
	retryAt    time.Time // no reading before this after a failure
	refreshing bool
}

func (q *quotaCache) lowLocked(share float64) bool {
	if !q.known || q.limit < 0 {
		return false
	}
	left := q.limit - q.used
	return left <= 0 || float64(left) < share*float64(q.limit)
}

// count adds pushes sent since the last reading.
func (q *quotaCache) count(n int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.used += n
}

// exhausted records that LINE refused a push for the monthly limit.
func (q *quotaCache) exhausted(now time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.known || q.limit < 0 {
		q.limit = 0
	}
	q.used = max(q.used, q.limit)
	q.known, q.at = true, now
}
