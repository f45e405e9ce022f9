package sim

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
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
	Interval poller.Policy
	// Level is every chat's notification level; default store.LevelAll.
	Level string
	// Rate is how many requests per second the carrier accepts, as a real
	// carrier's API limits them (17TRACK: 3); requests over it wait their
	// turn on the virtual clock, and the wait adds to the delay of what
	// they tell. Default 3; negative: unlimited.
	Rate float64
	// Outage, when set, makes the carrier fail every request for a while.
	Outage Outage
}

// Outage is a time the carrier is down: every request from From until For
// has passed fails as unavailable (a 5xx or a timeout).
type Outage struct {
	From time.Time
	For  time.Duration
}

func (o Outage) covers(t time.Time) bool {
	return o.For > 0 && !t.Before(o.From) && t.Before(o.From.Add(o.For))
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
	// International and LastMile are the delays of the other events that
	// change a parcel's stage: before the handover to the last-mile carrier,
	// and from it on ("out for delivery" aside). Such an event counts as
	// told by the first push of its parcel for it or a later event.
	International, LastMile Delays
	// Pushes counts the pushes sent at the chats' notification level:
	// what LINE counts against its monthly quota (one per push request).
	Pushes          int
	PushesPerParcel float64
	// PushesPerChatMonth and MaxPushesPerChatMonth are the mean and the
	// most pushes one chat received in one calendar month (UTC); every
	// chat of the simulation follows one parcel.
	PushesPerChatMonth    float64
	MaxPushesPerChatMonth int
	// RateWaits counts the requests that waited for the carrier's rate
	// limit; RateWaitMax is the longest wait.
	RateWaits   int
	RateWaitMax time.Duration
	// OutageCalls and OutageRequests count the fetch calls and numbers
	// sent while the carrier was down; OutageStageChanges the stage
	// changes committed then, and OutagePushes the pushes sent then.
	OutageCalls, OutageRequests, OutageStageChanges, OutagePushes int
	// FailingParcels counts the parcels whose checks failed for
	// poller.SourceDownAfter; Notices the source-down notices sent (they
	// are counted in Pushes too, not in OutagePushes); NoticesRepeated the
	// chats told more than once, NoticesUnfounded those told about a
	// parcel whose checks never failed that long.
	FailingParcels, Notices, NoticesRepeated, NoticesUnfounded int
	// Overpushed counts the chats told more often than their parcel
	// changed stage.
	Overpushed int
	// ChecksByStage counts the checks committed, by the stage the parcel
	// was in before the check: where the requests go.
	ChecksByStage map[tracker.Stage]int
	// Virtual is how much virtual time the simulation covered.
	Virtual time.Duration
}

// Delays are the delays from events to the pushes that told them.
type Delays struct {
	// Events counts the events; Missed those no push told.
	Events, Missed int
	// P50 and P95 are percentiles of the delays, Never when more than half
	// (or 5%) of the events were missed.
	P50, P95 time.Duration
	// Within30 is the share told within 30 minutes.
	Within30 float64
}

func (d Delays) String() string {
	return fmt.Sprintf("events=%d missed=%d p50=%s p95=%s within_30m=%.1f%%",
		d.Events, d.Missed, fmtDelay(d.P50), fmtDelay(d.P95), 100*d.Within30)
}

func delays(ds []time.Duration) Delays {
	out := Delays{Events: len(ds)}
	if len(ds) == 0 {
		return out
	}
	slices.Sort(ds)
	out.P50, out.P95 = percentile(ds, 50), percentile(ds, 95)
	within := 0
	for _, d := range ds {
		if d == Never {
			out.Missed++
		}
		if d <= 30*time.Minute {
			within++
		}
	}
	out.Within30 = float64(within) / float64(len(ds))
	return out
}

// Never is the delay of an event that never reached the chat.
const Never = time.Duration(1<<63 - 1)

func (r Report) String() string {
	s := fmt.Sprintf("journeys=%d delivered=%d requests=%d fetch_calls=%d requests_per_delivered=%.1f rate_waits=%d rate_wait_max=%s\n"+
		"  out_for_delivery: events=%d missed=%d p50=%s p95=%s within_30m=%.1f%%\n"+
		"  international: %s\n  last_mile: %s\n"+
		"  pushes=%d pushes_per_parcel=%.2f pushes_per_chat_month=%.2f max_pushes_per_chat_month=%d overpushed_chats=%d virtual=%s",
		r.Journeys, r.Delivered, r.Requests, r.FetchCalls, r.RequestsPerDelivered, r.RateWaits, r.RateWaitMax,
		r.OFDEvents, r.OFDMissed, fmtDelay(r.OFDDelayP50), fmtDelay(r.OFDDelayP95), 100*r.OFDWithin30,
		r.International, r.LastMile,
		r.Pushes, r.PushesPerParcel, r.PushesPerChatMonth, r.MaxPushesPerChatMonth, r.Overpushed, r.Virtual)
	var by []string
	for _, st := range tracker.Stages() {
		if n := r.ChecksByStage[st]; n > 0 {
			by = append(by, fmt.Sprintf("%s=%.1f", st, float64(n)/float64(max(r.Delivered, 1))))
		}
	}
	s += "\n  checks_per_delivered_by_stage: " + strings.Join(by, " ")
	if r.OutageCalls > 0 {
		s += fmt.Sprintf("\n  outage: calls=%d requests=%d stage_changes=%d pushes=%d failing_parcels=%d notices=%d repeated=%d unfounded=%d",
			r.OutageCalls, r.OutageRequests, r.OutageStageChanges, r.OutagePushes,
			r.FailingParcels, r.Notices, r.NoticesRepeated, r.NoticesUnfounded)
	}
	return s
}

func fmtDelay(d time.Duration) string {
	if d == Never {
		return "never"
	}
	return d.String()
}

// Every is a fixed polling policy: check every d until the parcel's stage
// is final, whatever the stage, the silence or the source says.
func Every(d time.Duration) poller.Policy {
	return func(sh tracker.Shipment, _ time.Time, _ string, _ time.Duration) time.Duration {
		if sh.Stage.Final() {
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
	if cfg.Rate == 0 {
		cfg.Rate = 3
	}

	clk := &clock{}
	clk.set(cfg.Start)
	src := &counting{src: sandbox.New(sandbox.Options{Now: clk.now}), hints: cfg.Hints, now: clk.now,
		rate: cfg.Rate, outage: cfg.Outage, lag: map[string]time.Duration{}}
	st := &watched{Store: cfg.Store, now: clk.now, due: map[string]time.Time{}, delivered: map[string]bool{},
		lag: src.lagOf, outage: cfg.Outage, told: map[string][]push{}}
	rec := &recorder{now: clk.now, outage: cfg.Outage, months: map[chatMonth]int{}}
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
		if st.takeReminded() {
			if _, err := st.QueueDueReminders(ctx, now, 1<<20); err != nil {
				return Report{}, fmt.Errorf("sim: queueing reminders at %s failed: %w", now, err)
			}
			st.mu.Lock()
			st.written = true
			st.mu.Unlock()
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
	src.mu.Lock()
	r.RateWaits, r.RateWaitMax = src.waits, src.waitMax
	src.mu.Unlock()
	r.OutageCalls, r.OutageRequests = int(src.outageCalls.Load()), int(src.outageNumbers.Load())
	st.mu.Lock()
	r.OutageStageChanges = st.outageChanges
	r.FailingParcels = len(st.failing)
	for chat, n := range st.notices {
		r.Notices += n
		if n > 1 {
			r.NoticesRepeated++
		}
		if !st.failing[strings.TrimPrefix(chat, platformName+":sim-")] {
			r.NoticesUnfounded++
		}
	}
	noticesInOutage := st.noticesInOutage
	r.ChecksByStage = maps.Clone(st.checks)
	st.mu.Unlock()
	rec.mu.Lock()
	r.OutagePushes = rec.inOutage - noticesInOutage
	for _, n := range rec.months {
		r.PushesPerChatMonth += float64(n)
		r.MaxPushesPerChatMonth = max(r.MaxPushesPerChatMonth, n)
	}
	if len(rec.months) > 0 {
		r.PushesPerChatMonth /= float64(len(rec.months))
	}
	perChat := maps.Clone(rec.chats)
	rec.mu.Unlock()
	st.mu.Lock()
	for chat, n := range st.notices { // notices tell no stage
		perChat[strings.TrimPrefix(chat, platformName+":")] -= n
	}
	st.mu.Unlock()

	told := st.pushes()
	var ofd, intl, last []time.Duration
	for i, at := range since {
		number := Number(i)
		pushes := told[number]
		prev, changes := tracker.StageNotFound, 0
		for _, s := range sandbox.Journey(number, at) {
			t := at.Add(s.Offset)
			if s.Stage == prev || t.After(end) {
				continue
			}
			prev = s.Stage
			changes++
			if s.Stage == tracker.StageOutForDelivery {
				r.OFDEvents++
				ofd = append(ofd, tellsExactly(pushes, t))
				continue
			}
			if s.Stage < tracker.StageHandedToLastMile {
				intl = append(intl, tells(pushes, t))
			} else {
				last = append(last, tells(pushes, t))
			}
		}
		if perChat["sim-"+number] > changes {
			r.Overpushed++
		}
	}
	od := delays(ofd)
	r.OFDMissed, r.OFDDelayP50, r.OFDDelayP95, r.OFDWithin30 = od.Missed, od.P50, od.P95, od.Within30
	r.International, r.LastMile = delays(intl), delays(last)
	return r
}

// tellsExactly is the delay of the push that told the event at t, or Never.
func tellsExactly(pushes []push, t time.Time) time.Duration {
	for _, p := range pushes {
		if p.event.Equal(t) {
			return p.told.Sub(t)
		}
	}
	return Never
}

// tells is the delay of the first push that told the event at t or a
// later one, or Never.
func tells(pushes []push, t time.Time) time.Duration {
	for _, p := range pushes {
		if !p.event.Before(t) {
			return p.told.Sub(t)
		}
	}
	return Never
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

// counting is the sandbox as a carrier: it counts the numbers asked,
// holds requests to the carrier's rate limit on the virtual clock, fails
// them during an outage and, unless hints are kept, answers without the
// sandbox's next-step hint.
type counting struct {
	src    *sandbox.Source
	hints  bool
	now    func() time.Time
	rate   float64 // requests per second; negative: unlimited
	outage Outage

	calls, numbers             atomic.Int64
	outageCalls, outageNumbers atomic.Int64

	mu      sync.Mutex
	free    time.Time // when the rate limit lets the next request go
	waits   int
	waitMax time.Duration
	lag     map[string]time.Duration // number -> wait of its latest request
}

func (c *counting) Name() string              { return c.src.Name() }
func (c *counting) BatchSize() int            { return c.src.BatchSize() }
func (c *counting) Serves(number string) bool { return c.src.Serves(number) }

func (c *counting) Fetch(ctx context.Context, qs []tracker.Query) ([]tracker.Result, error) {
	c.calls.Add(1)
	c.numbers.Add(int64(len(qs)))
	now := c.now()
	wait := c.take(now, qs)
	if c.outage.covers(now.Add(wait)) {
		c.outageCalls.Add(1)
		c.outageNumbers.Add(int64(len(qs)))
		return nil, &tracker.FetchError{Source: sandbox.Name, Kind: tracker.ErrKindUnavailable,
			Err: errors.New("sim: the carrier is down")}
	}
	rs, err := c.src.Fetch(ctx, qs)
	if !c.hints {
		for i := range rs {
			rs[i].NextCheck = 0
		}
	}
	return rs, err
}

// take books the request's turn under the rate limit and returns how long
// it waits for it. The answer is the one of now: what happens during the
// wait is seen by the next check, and the wait adds to the delay of what
// this one tells.
func (c *counting) take(now time.Time, qs []tracker.Query) time.Duration {
	if c.rate < 0 {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	at := now
	if c.free.After(at) {
		at = c.free
	}
	c.free = at.Add(time.Duration(float64(time.Second) / c.rate))
	wait := at.Sub(now)
	if wait > 0 {
		c.waits++
		c.waitMax = max(c.waitMax, wait)
	}
	for _, q := range qs {
		c.lag[q.Number] = wait
	}
	return wait
}

// lagOf is the rate-limit wait of the latest request about number.
func (c *counting) lagOf(number string) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lag[number]
}

// recorder is a platform that accepts every push and counts it, per chat
// and per chat and month.
type recorder struct {
	now    func() time.Time
	outage Outage

	mu       sync.Mutex
	n        int
	inOutage int // pushes sent during the outage
	chats    map[string]int
	months   map[chatMonth]int
}

type chatMonth struct{ chat, month string }

func (r *recorder) Name() string { return platformName }

func (r *recorder) Send(_ context.Context, chat string, _ []bot.Message, _ string) error {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	if r.chats == nil {
		r.chats = map[string]int{}
	}
	r.chats[chat]++
	r.months[chatMonth{chat, now.Format("2006-01")}]++
	if r.outage.covers(now) {
		r.inOutage++
	}
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// push is a stage push as the chat got it: the event it told and when.
type push struct{ event, told time.Time }

// watched is the store as the poller and dispatcher see it, watched on the
// way: it mirrors when each number is due (so steps with nothing due can be
// skipped), which parcels were delivered, when each stage push was
// acknowledged as told, and the stage changes committed during an outage.
type watched struct {
	store.Store
	now func() time.Time

	mu        sync.Mutex
	due       map[string]time.Time // number -> next check, as the store holds it
	queue     dueQueue             // the same, earliest first; stale entries are skipped
	delivered map[string]bool
	told      map[string][]push // number -> its stage pushes, oldest first
	written   bool              // a commit wrote notifications since the last look

	lag           func(number string) time.Duration // rate-limit wait of the number's latest request
	outage        Outage
	outageChanges int
	checks        map[tracker.Stage]int // commits by the stage the parcel was in

	reminded        bool            // a reminder was set since the last look
	failing         map[string]bool // numbers whose checks failed for poller.SourceDownAfter
	notices         map[string]int  // chat -> source-down notices it was sent
	noticesInOutage int
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

func (w *watched) pushes() map[string][]push {
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

// CommitMany commits one check at a time through Commit, which watches it.
func (w *watched) CommitMany(ctx context.Context, checks []store.Check, now time.Time) ([]error, error) {
	errs := make([]error, len(checks))
	for i, c := range checks {
		errs[i] = w.Commit(ctx, c.Claim, c.Snap, c.Change, c.Next, now)
	}
	return errs, nil
}

func (w *watched) Commit(ctx context.Context, c store.Claim, snap tracker.Shipment, change tracker.Change, next, now time.Time) error {
	if err := w.Store.Commit(ctx, c, snap, change, next, now); err != nil {
		return err
	}
	w.schedule(c.Number, next)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.checks == nil {
		w.checks = map[tracker.Stage]int{}
	}
	w.checks[change.From]++
	if change.StageChanged() {
		w.written = true
		if w.outage.covers(now) {
			w.outageChanges++
		}
	}
	if snap.Stage == tracker.StageDelivered {
		w.delivered[c.Number] = true
	}
	if !snap.FailingSince.IsZero() && snap.CheckedAt.Sub(snap.FailingSince) >= poller.SourceDownAfter {
		if w.failing == nil {
			w.failing = map[string]bool{}
		}
		w.failing[c.Number] = true
	}
	return nil
}

// SetReminder notes that a reminder (a source-down notice) waits to be
// queued into the outbox.
func (w *watched) SetReminder(ctx context.Context, kind string, chat store.ChatKey, number string, at time.Time) error {
	if err := w.Store.SetReminder(ctx, kind, chat, number, at); err != nil {
		return err
	}
	w.mu.Lock()
	w.reminded = true
	w.mu.Unlock()
	return nil
}

// takeReminded reports whether a reminder was set since the last call.
func (w *watched) takeReminded() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	was := w.reminded
	w.reminded = false
	return was
}

// SaveChat counts the source-down notices sent: the dispatcher records in
// the chat each source it told the chat is failing, once the notice went.
func (w *watched) SaveChat(ctx context.Context, c store.Chat) error {
	var before map[string]time.Time
	if old, err := w.Store.Chat(ctx, c.Key); err == nil {
		before = old.SourceDown
	}
	if err := w.Store.SaveChat(ctx, c); err != nil {
		return err
	}
	for source, at := range c.SourceDown {
		if !at.After(before[source]) {
			continue
		}
		w.mu.Lock()
		if w.notices == nil {
			w.notices = map[string]int{}
		}
		w.notices[c.Key.String()]++
		if w.outage.covers(w.now()) {
			w.noticesInOutage++
		}
		w.mu.Unlock()
	}
	return nil
}

func (w *watched) Ack(ctx context.Context, n store.Notification, delivered bool) error {
	if err := w.Store.Ack(ctx, n, delivered); err != nil {
		return err
	}
	if delivered && n.Kind == "" {
		// Told now, plus the wait of the request that brought the news.
		told := w.now().Add(w.lag(n.Number))
		w.mu.Lock()
		w.told[n.Number] = append(w.told[n.Number], push{event: n.Event.Time, told: told})
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
