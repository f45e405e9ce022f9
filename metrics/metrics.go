package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// namespace prefixes every metric name.
const namespace = "todoku"

// Stats is what the metrics need of the store.
type Stats interface {
	Stats(ctx context.Context, now time.Time) (store.Stats, error)
}

// Options configures New. Zero values take the documented defaults.
type Options struct {
	Store   Stats            // read at every scrape; nil leaves the store gauges out
	Now     func() time.Time // the clock the store's schedule is on, default time.Now
	Timeout time.Duration    // how long a scrape waits for the store, default 2 seconds
	Logger  *slog.Logger
	// Runtime adds the Go runtime and process collectors (memory, CPU,
	// goroutines, open files).
	Runtime bool
}

// Metrics is one registry and the metrics the bot reports into it. Its
// methods are safe for concurrent use.
type Metrics struct {
	reg          *prometheus.Registry
	polls        *prometheus.CounterVec
	sourceErrors *prometheus.CounterVec
	sends        *prometheus.CounterVec
	quotaLeft    *prometheus.GaugeVec
}

// New returns metrics on a fresh registry.
func New(opts Options) *Metrics {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "polls_total",
			Help: "Numbers checked, by source and result: ok, not_found, a failure kind, or held_back when the source was not asked.",
		}, []string{"source", "result"}),
		sourceErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "source_errors_total",
			Help: "Failed requests to carrier sources, by source and failure kind.",
		}, []string{"source", "kind"}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "sends_total",
			Help: "Notifications settled or attempted, by platform and result: ok, folded, retry, permanent, dropped.",
		}, []string{"platform", "result"}),
		quotaLeft: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Name: "quota_left",
			Help: "Pushes left in the platform's monthly quota, where it has one.",
		}, []string{"platform"}),
	}
	m.reg.MustRegister(m.polls, m.sourceErrors, m.sends, m.quotaLeft)
	if opts.Store != nil {
		m.reg.MustRegister(&storeCollector{opts: opts, log: opts.Logger.With("component", "metrics")})
	}
	if opts.Runtime {
		m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	return m
}

// Registry is where the metrics are registered, for tests and for more
// collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Poll counts one number checked by source with result; it fits
// poller.Config.Observe.
func (m *Metrics) Poll(source, result string) { m.polls.WithLabelValues(source, result).Inc() }

// SourceError counts one failed request to source; it fits
// poller.Config.ObserveError.
func (m *Metrics) SourceError(source, kind string) {
	m.sourceErrors.WithLabelValues(source, kind).Inc()
}

// Send counts one notification settled on platform with result; it fits
// bot.DispatcherConfig.Observe.
func (m *Metrics) Send(platform, result string) { m.sends.WithLabelValues(platform, result).Inc() }

// Sources makes each source's ok and not_found checks and its errors of
// every failure kind exist at 0 before they first happen, so rates over
// them start at once.
func (m *Metrics) Sources(names ...string) {
	for _, n := range names {
		m.polls.WithLabelValues(n, "ok")
		m.polls.WithLabelValues(n, tracker.ErrKindNotFound)
		for _, kind := range []string{tracker.ErrKindUnavailable, tracker.ErrKindRateLimited, tracker.ErrKindBadResponse, tracker.ErrKindQuota} {
			m.sourceErrors.WithLabelValues(n, kind)
		}
	}
}

// Platforms makes each platform's send series exist at 0 for every result.
func (m *Metrics) Platforms(names ...string) {
	for _, n := range names {
		for _, r := range []string{"ok", "folded", "retry", "permanent", "dropped"} {
			m.sends.WithLabelValues(n, r)
		}
	}
}

// SetQuotaLeft records how many pushes platform has left this month; a
// negative left (no quota) removes the series.
func (m *Metrics) SetQuotaLeft(platform string, left int64) {
	if left < 0 {
		m.quotaLeft.DeleteLabelValues(platform)
		return
	}
	m.quotaLeft.WithLabelValues(platform).Set(float64(left))
}

// storeCollector reads store.Stats at every scrape.
type storeCollector struct {
	opts Options
	log  *slog.Logger
}

var (
	descUp = prometheus.NewDesc(namespace+"_store_up",
		"1 when the last scrape could read the store's stats, else 0.", nil, nil)
	descScheduled = prometheus.NewDesc(namespace+"_scheduled_shipments",
		"Numbers on the poll schedule, leased ones included.", nil, nil)
	descDue = prometheus.NewDesc(namespace+"_due_backlog",
		"Scheduled numbers whose next check is due now or overdue.", nil, nil)
	descOutbox = prometheus.NewDesc(namespace+"_outbox_depth",
		"Notifications waiting in the outbox, handed out or not.", nil, nil)
	descOutboxAge = prometheus.NewDesc(namespace+"_outbox_oldest_age_seconds",
		"Age of the oldest notification waiting in the outbox; 0 when empty.", nil, nil)
)

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descUp, descScheduled, descDue, descOutbox, descOutboxAge} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.Timeout)
	defer cancel()
	st, err := c.opts.Store.Stats(ctx, c.opts.Now())
	if err != nil {
		c.log.Warn("Could not read the store's stats for metrics.", slog.Any("error", err))
		ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(descScheduled, prometheus.GaugeValue, float64(st.Scheduled))
	ch <- prometheus.MustNewConstMetric(descDue, prometheus.GaugeValue, float64(st.Due))
	ch <- prometheus.MustNewConstMetric(descOutbox, prometheus.GaugeValue, float64(st.Outbox))
	ch <- prometheus.MustNewConstMetric(descOutboxAge, prometheus.GaugeValue, st.OldestOutbox.Seconds())
}
