package sim

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/todoku/todoku/bot"
	"github.com/todoku/todoku/i18n"
	"github.com/todoku/todoku/poller"
	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/sandbox"
)

// Config configures a simulation. Zero values take the documented defaults.
type Config struct {
	// Journeys is the number of sandbox parcels, alternately on the Japan
	// (SBXJP…) and Thailand (SBXTH…) routes; default 1000.
	Journeys int
	// Start is the virtual start; parcels are subscribed evenly over the
	// Spread that follows it. Default 2 March 2026, 00:00 UTC.
	Start time.Time
	// Spread is how long subscribing all parcels takes; default 3 days.
	Spread time.Duration
	// Step is the virtual clock's step; default 1 minute.
	Step time.Duration
	// Limit is how long the simulation may run in virtual time before it
	// gives up on the parcels still moving; default Spread + 40 days.
	Limit time.Duration
	// Store is a real, empty store; required. Run does not close it.
	Store store.Store
	// Hints keeps the sandbox's hint of when its next scripted step is due.
	// A real carrier gives no such hint, so false measures honestly.
	Hints bool
	// Interval decides each next check; default poller.NextCheck.
	Interval func(stage tracker.Stage, sinceLastEvent time.Duration, errKind string, hint time.Duration) time.Duration
	// Level is every chat's notification level; default store.LevelAll.
	Level string
}

// Report is what a simulation measured.
type Report struct {
	Journeys, Delivered int
	// Requests counts the numbers asked of the carrier, over all Fetch
	// calls (a batch of 50 numbers counts 50); FetchCalls counts the calls.
	Requests, FetchCalls int
	RequestsPerDelivered float64
	// OFDEvents counts the "out for delivery" events that happened; those
	// never pushed (the parcel moved on before a check saw them) are
	// OFDMissed and count as never reaching the chat in the percentiles.
	OFDEvents, OFDMissed int
	// OFDDelayP50 and OFDDelayP95 run from each "out for delivery" event's
	// time to the virtual time of the push that told it; Never when more
	// than half (or 5%) of them were missed.
	OFDDelayP50, OFDDelayP95 time.Duration
	// OFDWithin30 is the share of "out for delivery" events told within 30
	// minutes.
	OFDWithin30 float64
	// Pushes counts the pushes sent at the chats' notification level:
	// what LINE counts against its monthly quota (one per push request).
	Pushes          int
	PushesPerParcel float64
	// Virtual is how much virtual time the simulation covered.
	Virtual time.Duration
}

// Never is the delay of an event that never reached the chat.
const Never = time.Duration(1<<63 - 1)

func (r Report) String() string {
	return fmt.Sprintf("journeys=%d delivered=%d requests=%d fetch_calls=%d requests_per_delivered=%.1f "+
		"ofd_events=%d ofd_missed=%d ofd_p50=%s ofd_p95=%s ofd_within_30m=%.1f%% pushes=%d pushes_per_parcel=%.2f virtual=%s",
		r.Journeys, r.Delivered, r.Requests, r.FetchCalls, r.RequestsPerDelivered,
		r.OFDEvents, r.OFDMissed, fmtDelay(r.OFDDelayP50), fmtDelay(r.OFDDelayP95), 100*r.OFDWithin30,
		r.Pushes, r.PushesPerParcel, r.Virtual)
}

func fmtDelay(d time.Duration) string {
	if d == Never {
		return "never"
	}
	return d.String()
}

// Every is a fixed polling policy: check every d until the parcel's stage
// is final, whatever the stage, the silence or the source says.
func Every(d time.Duration) func(tracker.Stage, time.Duration, string, time.Duration) time.Duration {
	return func(stage tracker.Stage, _ time.Duration, _ string, _ time.Duration) time.Duration {
		if stage.Final() {
			return 0
		}
		return d
	}
}

// Number is the sandbox number of the i-th parcel of a simulation.
func Number(i int) string {
	if i%2 == 0 {
		return fmt.Sprintf("SBXJP%06d", i/2)
	}
	return fmt.Sprintf("SBXTH%06d", i/2)
}

// platformName is the recording platform's name: pushes are counted as
// LINE would count them.
const platformName = "line"

// Run simulates cfg.Journeys parcels from subscription to delivery, or
// until cfg.Limit passes. Each virtual step subscribes the parcels due to
// be, then runs poller rounds while numbers are due and dispatcher rounds
// while notifications wait, as the bot's loops would within that minute.
// Steps in which nothing is due are skipped: they would claim nothing.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.Store == nil {
		return Report{}, errors.New("sim: a store is required")
	}
	if cfg.Journeys <= 0 {
		cfg.Journeys = 1000
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	}
	if cfg.Spread <= 0 {
		cfg.Spread = 3 * 24 * time.Hour
	}
	if cfg.Step <= 0 {
		cfg.Step = time.Minute
	}
	if cfg.Limit <= 0 {
		cfg.Limit = cfg.Spread + 40*24*time.Hour
	}
	if cfg.Interval == nil {
		cfg.Interval = poller.NextCheck
	}
	if cfg.Level == "" {
		cfg.Level = store.LevelAll
	}

	clk := &clock{}
	clk.set(cfg.Start)
	src := &counting{src: sandbox.New(sandbox.Options{Now: clk.now}), hints: cfg.Hints}
	st := &watched{Store: cfg.Store, now: clk.now, due: map[string]time.Time{}, delivered: map[string]bool{}}
	rec := &recorder{}
	const batch = 200
	p := poller.New(poller.Config{Store: st, Sources: []tracker.Source{src}, Now: clk.now, Batch: batch, Interval: cfg.Interval})
	d := bot.NewDispatcher(bot.DispatcherConfig{Store: st, Platforms: []bot.Platform{rec}, Now: clk.now})

	langs := i18n.Langs()
	since := make([]time.Time, cfg.Journeys) // when each parcel is subscribed
	for i := range since {
		since[i] = grid(cfg.Start, cfg.Start.Add(cfg.Spread*time.Duration(i)/time.Duration(cfg.Journeys)), cfg.Step)
	}
	subscribed := 0
	end := cfg.Start.Add(cfg.Limit)
	now := cfg.Start
	for ; !now.After(end); now = next(now, cfg, st, since, subscribed) {
		if err := ctx.Err(); err != nil {
			return Report{}, fmt.Errorf("sim: stopped: %w", err)
		}
		clk.set(now)
		for ; subscribed < cfg.Journeys && !since[subscribed].After(now); subscribed++ {
			if err := subscribe(ctx, st, p, Number(subscribed), langs[subscribed%len(langs)], cfg.Level, now); err != nil {
				return Report{}, err
			}
		}
		for st.dueBy(now) {
			n, err := p.Tick(ctx)
			if err != nil {
				return Report{}, fmt.Errorf("sim: poll round at %s failed: %w", now, err)
			}
			if n < batch {
				st.pruneBy(now) // whatever was due got claimed; the rest left the schedule
				break
			}
		}
		for written := st.outboxWritten(); written; {
			n, err := d.Drain(ctx)
			if err != nil {
				return Report{}, fmt.Errorf("sim: dispatch round at %s failed: %w", now, err)
			}
			written = n > 0
		}
		if subscribed == cfg.Journeys && st.deliveredCount() == cfg.Journeys {
			break
		}
	}
	if now.After(end) {
		now = end
	}
	return report(cfg, src, st, rec, since, now), nil
}

// next is the first step after now at which something can happen: a
// subscription or a due number.
func next(now time.Time, cfg Config, st *watched, since []time.Time, subscribed int) time.Time {
	step := now.Add(cfg.Step)
	at, ok := st.earliest()
	if subscribed < len(since) && (!ok || since[subscribed].Before(at)) {
		at, ok = since[subscribed], true
	}
	if !ok {
		return cfg.Start.Add(cfg.Limit).Add(cfg.Step) // nothing left: end
	}
	if at.After(step) {
		return grid(cfg.Start, at, cfg.Step)
	}
	return step
}

// grid rounds t up to the next step of the virtual clock.
func grid(start, t time.Time, step time.Duration) time.Time {
	n := (t.Sub(start) + step - 1) / step
	return start.Add(n * step)
}

// subscribe follows one parcel from a new chat the way the track command
// does: an immediate check, then the subscription.
func subscribe(ctx context.Context, st *watched, p *poller.Poller, number, lang, level string, now time.Time) error {
	chat := store.Chat{Key: store.ChatKey{Platform: platformName, ID: "sim-" + number}, Lang: lang, Level: level, CreatedAt: now}
	if err := st.SaveChat(ctx, chat); err != nil {
		return fmt.Errorf("sim: unable to save chat: %w", err)
	}
	stub := tracker.Shipment{Number: number, Carrier: sandbox.Name, Since: now, Sandbox: true}
	if sh, err := p.Check(ctx, stub); err != nil {
		return fmt.Errorf("sim: unable to check %s: %w", number, err)
	} else if sh.Number != "" {
		stub = sh
	}
	sub := store.Subscription{Chat: chat.Key, Number: number, CreatedAt: now}
	if _, _, _, err := st.Subscribe(ctx, sub, stub); err != nil {
		return fmt.Errorf("sim: unable to subscribe %s: %w", number, err)
	}
	return nil
}

func report(cfg Config, src *counting, st *watched, rec *recorder, since []time.Time, end time.Time) Report {
	r := Report{
		Journeys:   cfg.Journeys,
		Delivered:  st.deliveredCount(),
		Requests:   int(src.numbers.Load()),
		FetchCalls: int(src.calls.Load()),
		Pushes:     rec.count(),
		Virtual:    end.Sub(cfg.Start),
	}
	if r.Delivered > 0 {
		r.RequestsPerDelivered = float64(r.Requests) / float64(r.Delivered)
	}
	r.PushesPerParcel = float64(r.Pushes) / float64(r.Journeys)

	told := st.toldOFD()
	var delays []time.Duration
	for i, at := range since {
		number := Number(i)
		for _, s := range sandbox.Journey(number) {
			t := at.Add(s.Offset)
			if s.Stage != tracker.StageOutForDelivery || t.After(end) {
				continue
			}
			r.OFDEvents++
			pushed, ok := told[ofdKey{number, t.UnixNano()}]
			if !ok {
				r.OFDMissed++
				delays = append(delays, Never)
				continue
			}
			delays = append(delays, pushed.Sub(t))
		}
	}
	if len(delays) > 0 {
		slices.Sort(delays)
		r.OFDDelayP50 = percentile(delays, 50)
		r.OFDDelayP95 = percentile(delays, 95)
		within := 0
		for _, d := range delays {
			if d <= 30*time.Minute {
				within++
			}
		}
		r.OFDWithin30 = float64(within) / float64(len(delays))
	}
	return r
}

// percentile is the nearest-rank percentile of sorted delays.
func percentile(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i, 1)-1]
}

// clock is the virtual clock every part reads.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time  { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) set(t time.Time) { c.ns.Store(t.UnixNano()) }

// counting is the sandbox as a carrier: it counts the numbers asked and,
// unless hints are kept, answers without the sandbox's next-step hint.
type counting struct {
	src     *sandbox.Source
	hints   bool
	calls   atomic.Int64
	numbers atomic.Int64
}

func (c *counting) Name() string              { return c.src.Name() }
func (c *counting) BatchSize() int            { return c.src.BatchSize() }
func (c *counting) Serves(number string) bool { return c.src.Serves(number) }

func (c *counting) Fetch(ctx context.Context, qs []tracker.Query) ([]tracker.Result, error) {
	c.calls.Add(1)
	c.numbers.Add(int64(len(qs)))
	rs, err := c.src.Fetch(ctx, qs)
	if !c.hints {
		for i := range rs {
			rs[i].NextCheck = 0
		}
	}
	return rs, err
}

// recorder is a platform that accepts every push and counts it.
type recorder struct{ n atomic.Int64 }

func (r *recorder) Name() string { return platformName }

func (r *recorder) Send(context.Context, string, []bot.Message, string) error {
	r.n.Add(1)
	return nil
}

func (r *recorder) count() int { return int(r.n.Load()) }

type ofdKey struct {
	number string
	at     int64 // event time, Unix nanoseconds
}

// watched is the store as the poller and dispatcher see it, watched on the
// way: it mirrors when each number is due (so steps with nothing due can be
// skipped), which parcels were delivered, and when each "out for delivery"
// was acknowledged as told.
type watched struct {
	store.Store
	now func() time.Time

	mu        sync.Mutex
	due       map[string]time.Time // number -> next check, as the store holds it
	queue     dueQueue             // the same, earliest first; stale entries are skipped
	delivered map[string]bool
	told      map[ofdKey]time.Time
	written   bool // a commit wrote notifications since the last look
}

// outboxWritten reports whether a commit may have written notifications
// since the last call: only stage changes write to the outbox.
func (w *watched) outboxWritten() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	was := w.written
	w.written = false
	return was
}

// pruneBy forgets numbers mirrored as due by now after a round that claimed
// every due number: the store took them off the schedule (a commit without
// subscribers does).
func (w *watched) pruneBy(now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.queue.Len() > 0 && !w.queue[0].at.After(now) {
		e := heap.Pop(&w.queue).(dueEntry)
		if at, ok := w.due[e.number]; ok && at.Equal(e.at) {
			delete(w.due, e.number)
		}
	}
}

func (w *watched) schedule(number string, at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if at.IsZero() {
		delete(w.due, number)
		return
	}
	w.due[number] = at
	heap.Push(&w.queue, dueEntry{at: at, number: number})
}

// earliest is when the first scheduled number is due.
func (w *watched) earliest() (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.queue.Len() > 0 {
		e := w.queue[0]
		if at, ok := w.due[e.number]; ok && at.Equal(e.at) {
			return e.at, true
		}
		heap.Pop(&w.queue)
	}
	return time.Time{}, false
}

func (w *watched) dueBy(now time.Time) bool {
	at, ok := w.earliest()
	return ok && !at.After(now)
}

func (w *watched) deliveredCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.delivered)
}

func (w *watched) toldOFD() map[ofdKey]time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.told
}

func (w *watched) Subscribe(ctx context.Context, sub store.Subscription, stub tracker.Shipment) (store.Subscription, tracker.Shipment, bool, error) {
	s, sh, created, err := w.Store.Subscribe(ctx, sub, stub)
	if err == nil && !sh.Stage.Final() {
		w.schedule(sub.Number, sub.CreatedAt)
	}
	return s, sh, created, err
}

func (w *watched) ClaimDue(ctx context.Context, now time.Time, max int, lease time.Duration) ([]store.Claim, error) {
	cs, err := w.Store.ClaimDue(ctx, now, max, lease)
	for _, c := range cs {
		w.schedule(c.Number, now.Add(lease)) // due again if never committed
	}
	return cs, err
}

func (w *watched) Commit(ctx context.Context, c store.Claim, snap tracker.Shipment, change tracker.Change, next, now time.Time) error {
	if err := w.Store.Commit(ctx, c, snap, change, next, now); err != nil {
		return err
	}
	w.schedule(c.Number, next)
	w.mu.Lock()
	defer w.mu.Unlock()
	if change.StageChanged() {
		w.written = true
	}
	if snap.Stage == tracker.StageDelivered {
		w.delivered[c.Number] = true
	}
	return nil
}

func (w *watched) Ack(ctx context.Context, n store.Notification, delivered bool) error {
	if err := w.Store.Ack(ctx, n, delivered); err != nil {
		return err
	}
	if delivered && n.Kind == "" && n.To == tracker.StageOutForDelivery {
		w.mu.Lock()
		if w.told == nil {
			w.told = map[ofdKey]time.Time{}
		}
		k := ofdKey{n.Number, n.Event.Time.UnixNano()}
		if _, ok := w.told[k]; !ok {
			w.told[k] = w.now()
		}
		w.mu.Unlock()
	}
	return nil
}

type dueEntry struct {
	at     time.Time
	number string
}

// dueQueue is a min-heap of due times.
type dueQueue []dueEntry

func (q dueQueue) Len() int           { return len(q) }
func (q dueQueue) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q dueQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *dueQueue) Push(x any)        { *q = append(*q, x.(dueEntry)) }
func (q *dueQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}
