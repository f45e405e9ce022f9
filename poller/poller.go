package poller

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// Store is what the poller needs of the store.
type Store interface {
	ClaimDue(ctx context.Context, now time.Time, max int, lease time.Duration) ([]store.Claim, error)
	ClaimNumber(ctx context.Context, number string, now time.Time, lease time.Duration) (store.Claim, error)
	Shipment(ctx context.Context, number string) (tracker.Shipment, error)
	Commit(ctx context.Context, c store.Claim, snap tracker.Shipment, change tracker.Change, next, now time.Time) error
	Shipments(ctx context.Context, numbers []string) (map[string]tracker.Shipment, error)
	CommitMany(ctx context.Context, checks []store.Check, now time.Time) ([]error, error)
	Link(ctx context.Context, alias, number string) error
	RecordDelivered(ctx context.Context, sh tracker.Shipment) error
	Resolve(ctx context.Context, number string) (string, error)
	Subscribers(ctx context.Context, number string) ([]store.ChatKey, error)
	SetReminder(ctx context.Context, kind string, chat store.ChatKey, number string, at time.Time) error
}

// Config configures a Poller. Zero values take the documented defaults.
type Config struct {
	Store   Store
	Sources []tracker.Source // the first that Serves a number fetches it
	Now     func() time.Time // default time.Now
	Workers int              // concurrent fetches, across all rounds, default 4
	Batch   int              // numbers claimed per round, default 200
	Rounds  int              // rounds Run keeps in flight, default 2
	Lease   time.Duration    // how long a claim holds, default 5 minutes
	Timeout time.Duration    // per fetch, default 30 seconds
	Idle    time.Duration    // wall-clock wait when nothing is due, default 1 second
	Logger  *slog.Logger

	// Interval says when to check a shipment again, or 0 to stop; default
	// NextCheck. Simulations swap it to compare polling policies.
	Interval Policy

	// Observe, when set, is told of every number the poller meant to ask
	// a source about: the source's name ("none" when no source serves the
	// number) and the result: ResultOK, tracker.ErrKindNotFound, a failure
	// kind, or ResultHeldBack when the source was not asked because it is
	// held back after failures.
	Observe func(source, result string)
	// ObserveError, when set, is told of every failed request to a source,
	// with its failure kind.
	ObserveError func(source, kind string)
}

// ResultOK and ResultHeldBack are the results Observe reports besides
// failure kinds.
const (
	ResultOK       = "ok"
	ResultHeldBack = "held_back"
)

// Poller claims due shipments and checks them.
type Poller struct {
	cfg    Config
	log    *slog.Logger
	health health
	slots  chan struct{} // one per fetch (with its commit) in flight, Workers in all
}

// New returns a poller with cfg's defaults filled in.
func New(cfg Config) *Poller {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 200
	}
	if cfg.Rounds <= 0 {
		cfg.Rounds = 2
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 5 * time.Minute
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Idle <= 0 {
		cfg.Idle = time.Second
	}
	if cfg.Interval == nil {
		cfg.Interval = NextCheck
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Observe == nil {
		cfg.Observe = func(string, string) {}
	}
	if cfg.ObserveError == nil {
		cfg.ObserveError = func(string, string) {}
	}
	p := &Poller{cfg: cfg, log: cfg.Logger.With("component", "poller"), slots: make(chan struct{}, cfg.Workers)}
	for _, src := range cfg.Sources {
		p.health.get(src.Name())
	}
	return p
}

// Health reports every source's recent state, by name.
func (p *Poller) Health() []SourceHealth { return p.health.snapshot() }

// Run polls until ctx is done. It keeps Rounds rounds in flight, so that
// one round's claim and load overlap another's fetches and commits; claims
// are atomic, so rounds never share a number, and the fetches of all rounds
// share the Workers slots. Store errors are logged and retried after the
// idle wait; they never end the loop.
func (p *Poller) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for range p.cfg.Rounds {
		wg.Go(func() { p.rounds(ctx) })
	}
	wg.Wait()
	return nil
}

// rounds runs one round after another until ctx is done, waiting Idle
// after a round that found less than a full batch due.
func (p *Poller) rounds(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := p.Tick(ctx)
		if err != nil && ctx.Err() == nil {
			p.log.Error("Poll round failed.", slog.Any("error", err))
		}
		if n < p.cfg.Batch {
			t.Reset(p.cfg.Idle)
		} else {
			t.Reset(0) // a full batch: more may be due right away
		}
	}
}

// Tick runs one round: it claims up to Batch due numbers, loads their
// snapshots, fetches them in source batches and commits each batch. It
// returns how many numbers it claimed. Ticks may run concurrently; at most
// Workers fetches (with their commits) are in flight across all of them.
func (p *Poller) Tick(ctx context.Context) (int, error) {
	now := p.cfg.Now()
	claims, err := p.cfg.Store.ClaimDue(ctx, now, p.cfg.Batch, p.cfg.Lease)
	if err != nil {
		return 0, fmt.Errorf("poller: unable to claim due shipments: %w", err)
	}
	if len(claims) == 0 {
		return 0, nil
	}
	items, err := p.load(ctx, claims, nil, now)
	if err != nil {
		return len(claims), err
	}
	var wg sync.WaitGroup
plan:
	for _, j := range p.plan(items) {
		select {
		case p.slots <- struct{}{}:
		case <-ctx.Done():
			break plan // the claims of the batches not started expire
		}
		wg.Go(func() {
			defer func() { <-p.slots }()
			p.check(ctx, j)
		})
	}
	wg.Wait()
	return len(claims), ctx.Err()
}

// Check fetches one number right away, outside the schedule, and commits
// the result; stub is its snapshot when none is stored yet. If a poller
// holds the number at this moment, the stored snapshot is returned as it is.
func (p *Poller) Check(ctx context.Context, stub tracker.Shipment) (tracker.Shipment, error) {
	now := p.cfg.Now()
	c, err := p.cfg.Store.ClaimNumber(ctx, stub.Number, now, p.cfg.Lease)
	if errors.Is(err, store.ErrLeased) {
		return p.stored(ctx, stub)
	}
	if err != nil {
		return tracker.Shipment{}, fmt.Errorf("poller: unable to claim %s: %w", stub.Number, err)
	}
	items, err := p.load(ctx, []store.Claim{c}, &stub, now)
	if err != nil {
		return tracker.Shipment{}, err
	}
	res := p.check(ctx, p.plan(items)[0])
	if res.err != nil {
		return tracker.Shipment{}, res.err
	}
	return res.snaps[0], nil
}

func (p *Poller) stored(ctx context.Context, stub tracker.Shipment) (tracker.Shipment, error) {
	sh, err := p.cfg.Store.Shipment(ctx, stub.Number)
	if errors.Is(err, store.ErrNotFound) {
		return stub, nil
	}
	return sh, err
}

// item is one claimed number with its stored snapshot (or a stub).
type item struct {
	claim  store.Claim
	old    tracker.Shipment
	stored bool // old is the stored snapshot, not a stub
}

// job is one batch of items for one source (nil: no source serves them).
type job struct {
	src   tracker.Source
	items []item
}

type outcome struct {
	snaps []tracker.Shipment
	err   error
}

// load reads the snapshot of every claimed number in one call; a number
// never checked gets stub (when given) or an empty snapshot starting now.
func (p *Poller) load(ctx context.Context, claims []store.Claim, stub *tracker.Shipment, now time.Time) ([]item, error) {
	numbers := make([]string, len(claims))
	for i, c := range claims {
		numbers[i] = c.Number
	}
	stored, err := p.cfg.Store.Shipments(ctx, numbers)
	if err != nil {
		return nil, fmt.Errorf("poller: unable to load %d shipments: %w", len(claims), err)
	}
	items := make([]item, len(claims))
	for i, c := range claims {
		sh, ok := stored[c.Number]
		if !ok {
			if stub != nil {
				sh = *stub
			}
			sh.Number = c.Number
			if sh.Since.IsZero() {
				sh.Since = now
			}
		}
		items[i] = item{claim: c, old: sh, stored: ok}
	}
	return items, nil
}

// plan groups items by the source to ask first, in batches no larger than
// the source accepts.
func (p *Poller) plan(items []item) []job {
	var jobs []job
	open := map[tracker.Source]int{} // source (nil: none) -> its batch being filled
	for _, it := range items {
		src := p.firstSource(it.old)
		size := math.MaxInt
		if src != nil {
			size = max(src.BatchSize(), 1)
		}
		i, ok := open[src]
		if !ok || len(jobs[i].items) >= size {
			jobs = append(jobs, job{src: src})
			i = len(jobs) - 1
			open[src] = i
		}
		jobs[i].items = append(jobs[i].items, it)
	}
	return jobs
}

// firstSource is the source to ask first about a shipment: the one that
// answered last time, else the one of its detected carrier, else the first
// configured source that serves the number.
func (p *Poller) firstSource(sh tracker.Shipment) tracker.Source {
	for _, name := range []string{sh.Source, sh.Carrier} {
		for _, s := range p.cfg.Sources {
			if name != "" && s.Name() == name && s.Serves(sh.Number) {
				return s
			}
		}
	}
	return p.sourceFor(sh.Number)
}

// Pusher is a source that pushes updates (a webhook) for the numbers it
// answered, so polling them is only a fallback.
type Pusher interface {
	Pushes() bool
}

// PushFallback is how often numbers of a pushing source are still polled.
const PushFallback = 12 * time.Hour

func (p *Poller) pushes(source string) bool {
	for _, s := range p.cfg.Sources {
		if ps, ok := s.(Pusher); ok && s.Name() == source {
			return ps.Pushes()
		}
	}
	return false
}

func (p *Poller) sourceFor(number string) tracker.Source {
	for _, s := range p.cfg.Sources {
		if s.Serves(number) {
			return s
		}
	}
	return nil
}

// check fetches one batch and commits every number of it. A failed commit
// is logged; its claim expires and the number comes back.
func (p *Poller) check(ctx context.Context, j job) outcome {
	now := p.cfg.Now()
	olds := make([]tracker.Shipment, len(j.items))
	queries := make([]tracker.Query, len(j.items))
	for i, it := range j.items {
		olds[i] = it.old
		queries[i] = tracker.Query{Number: it.old.Number, Since: it.old.Since}
	}

	results := p.fetch(ctx, j.src, queries, now)
	p.fallThrough(ctx, j.src, queries, results, now)
	p.followLinks(ctx, olds, results, now)
	if ctx.Err() != nil {
		// Shutting down: commit nothing half-known; the claims expire.
		return outcome{err: ctx.Err()}
	}

	out := outcome{snaps: make([]tracker.Shipment, len(j.items))}
	checks := make([]store.Check, len(j.items))
	for i, it := range j.items {
		snap, change, next := p.settle(olds[i], results[it.claim.Number], now)
		checks[i] = store.Check{Claim: it.claim, Snap: snap, Change: change, Next: next,
			Unchanged: it.stored && unchanged(olds[i], snap)}
		out.snaps[i] = snap
	}
	errs, err := p.cfg.Store.CommitMany(ctx, checks, now)
	if err != nil {
		p.log.Warn("Could not commit checks; their numbers will come back when their leases end.",
			slog.Int("numbers", len(checks)), slog.Any("error", err))
		out.err = fmt.Errorf("poller: unable to commit %d checks: %w", len(checks), err)
		return out
	}
	for i, c := range checks {
		if errs[i] != nil {
			p.log.Warn("Could not commit a check; the number will come back when its lease ends.",
				slog.String("number", c.Claim.Number), slog.Any("error", errs[i]))
			if out.err == nil {
				out.err = fmt.Errorf("poller: unable to commit %s: %w", c.Claim.Number, errs[i])
			}
			continue
		}
		p.committed(ctx, olds[i], c.Snap, c.Change)
	}
	return out
}

// unchanged reports whether snap differs from old in its checked-at at
// most, so the store may rewrite only that.
func unchanged(old, snap tracker.Shipment) bool {
	old.CheckedAt = snap.CheckedAt
	return reflect.DeepEqual(old, snap)
}

// commit applies one result to a snapshot and stores it with its next
// check, then links any new last-mile number to it (Check and Ingest; Tick
// commits a whole batch at once in check).
func (p *Poller) commit(ctx context.Context, c store.Claim, old tracker.Shipment, r tracker.Result, now time.Time) (tracker.Shipment, error) {
	snap, change, next := p.settle(old, r, now)
	if err := p.cfg.Store.Commit(ctx, c, snap, change, next, now); err != nil {
		p.log.Warn("Could not commit a check; the number will come back when its lease ends.",
			slog.String("number", c.Number), slog.Any("error", err))
		return snap, fmt.Errorf("poller: unable to commit %s: %w", c.Number, err)
	}
	p.committed(ctx, old, snap, change)
	return snap, nil
}

// settle applies one result to a snapshot and says when to check it next
// (zero: never).
func (p *Poller) settle(old tracker.Shipment, r tracker.Result, now time.Time) (tracker.Shipment, tracker.Change, time.Time) {
	snap, change := tracker.Apply(old, r, now)
	var next time.Time
	if d := p.cfg.Interval(snap, now, r.Error, r.NextCheck); d > 0 {
		if r.Error == "" && p.pushes(r.Source) {
			d = max(d, PushFallback) // news arrives by push; polling only catches lost pushes
		}
		next = now.Add(d)
	}
	return snap, change, next
}

// committed does what follows a stored check: it keeps delivered timelines
// and links last-mile numbers new to the shipment.
func (p *Poller) committed(ctx context.Context, old, snap tracker.Shipment, change tracker.Change) {
	if change.StageChanged() && snap.Stage == tracker.StageDelivered && !snap.Sandbox {
		// Real journeys teach typical durations; simulated ones must not.
		if err := p.cfg.Store.RecordDelivered(ctx, snap); err != nil {
			p.log.Warn("Could not record a delivered timeline.", slog.String("number", snap.Number), slog.Any("error", err))
		}
	}
	if failingCrossed(old, snap) {
		p.tellSourceDown(ctx, snap)
	}
	for _, l := range snap.Linked {
		if slices.Contains(old.Linked, l) {
			continue // linked when it was new
		}
		if err := p.cfg.Store.Link(ctx, l, snap.Number); err != nil {
			p.log.Warn("Could not link a last-mile number.", slog.String("number", snap.Number),
				slog.String("linked", l), slog.Any("error", err))
		}
	}
	if !change.Empty() {
		p.log.Debug("Shipment changed.", slog.String("number", snap.Number),
			slog.String("from", change.From.String()), slog.String("to", change.To.String()),
			slog.Int("new_events", len(change.NewEvents)))
	}
}

// fetch asks one source about qs and returns an answer for every query. A
// source held back after failures is not asked; its numbers get the
// failure kind and the time it is held back for, as a hint.
func (p *Poller) fetch(ctx context.Context, src tracker.Source, qs []tracker.Query, now time.Time) map[string]tracker.Result {
	out := make(map[string]tracker.Result, len(qs))
	failAll := func(kind string, wait time.Duration) map[string]tracker.Result {
		for _, q := range qs {
			out[q.Number] = tracker.Result{Number: q.Number, Error: kind, NextCheck: wait}
		}
		return out
	}
	observeAll := func(source, result string) {
		for range qs {
			p.cfg.Observe(source, result)
		}
	}
	if src == nil {
		observeAll("none", tracker.ErrKindNoSource)
		return failAll(tracker.ErrKindNoSource, 0)
	}
	name := src.Name()
	if until, kind, held := p.health.blocked(name, now); held {
		observeAll(name, ResultHeldBack)
		return failAll(kind, until.Sub(now))
	}
	fctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	rs, err := src.Fetch(fctx, qs)
	if err != nil {
		if ctx.Err() != nil {
			return failAll(tracker.ErrKindUnavailable, 0)
		}
		kind, retry := tracker.ErrKindUnavailable, time.Duration(0)
		var fe *tracker.FetchError
		if errors.As(err, &fe) {
			kind, retry = fe.Kind, fe.RetryAfter
		}
		p.cfg.ObserveError(name, kind)
		observeAll(name, kind)
		until := p.health.failure(name, kind, retry, now)
		p.log.Warn("Source fetch failed; holding it back.", slog.String("source", name),
			slog.String("kind", kind), slog.Int("numbers", len(qs)),
			slog.Time("until", until), slog.Any("error", err))
		return failAll(kind, until.Sub(now))
	}
	p.health.success(name, now)
	for _, r := range rs {
		if r.Source == "" {
			r.Source = name
		}
		out[r.Number] = r
	}
	for _, q := range qs {
		if _, ok := out[q.Number]; !ok {
			out[q.Number] = tracker.Result{Number: q.Number, Source: name, Error: tracker.ErrKindNotFound}
		}
		p.cfg.Observe(name, cmp.Or(out[q.Number].Error, ResultOK))
	}
	return out
}

// fallThrough asks the other sources that serve a number, in configured
// order, when the ones before did not know it; the first that knows it wins.
func (p *Poller) fallThrough(ctx context.Context, first tracker.Source, qs []tracker.Query, results map[string]tracker.Result, now time.Time) {
	for _, src := range p.cfg.Sources {
		if src == first {
			continue
		}
		var ask []tracker.Query
		for _, q := range qs {
			if results[q.Number].Error == tracker.ErrKindNotFound && src.Serves(q.Number) {
				ask = append(ask, q)
			}
		}
		if len(ask) == 0 {
			continue
		}
		for batch := range slices.Chunk(ask, max(src.BatchSize(), 1)) {
			for n, r := range p.fetch(ctx, src, batch, now) {
				if r.Error == "" {
					results[n] = r
				}
			}
		}
	}
}

// followLinks fetches the last-mile numbers of shipments that were handed
// over and folds their events into the shipment's result.
func (p *Poller) followLinks(ctx context.Context, olds []tracker.Shipment, results map[string]tracker.Result, now time.Time) {
	type ask struct {
		parent string
		q      tracker.Query
	}
	bySource := map[tracker.Source][]ask{}
	for _, old := range olds {
		r := results[old.Number]
		carrier := cmp.Or(r.LastMile, old.LastMile)
		for _, l := range linkedNumbers(old.Linked, r.Linked) {
			if src := p.sourceForLinked(l, carrier); src != nil {
				bySource[src] = append(bySource[src], ask{old.Number, tracker.Query{Number: l, Since: old.Since}})
			}
		}
	}
	for src, asks := range bySource {
		for batch := range slices.Chunk(asks, max(src.BatchSize(), 1)) {
			qs := make([]tracker.Query, len(batch))
			for i, a := range batch {
				qs[i] = a.q
			}
			got := p.fetch(ctx, src, qs, now)
			for _, a := range batch {
				parent := results[a.parent]
				tracker.MergeLinked(&parent, got[a.q.Number])
				parent.Linked = linkedNumbers(parent.Linked, []string{a.q.Number})
				results[a.parent] = parent
			}
		}
	}
}

// sourceForLinked picks the source for a last-mile number: the source of
// the carrier the international source named, else the first that serves it.
func (p *Poller) sourceForLinked(number, carrier string) tracker.Source {
	for _, s := range p.cfg.Sources {
		if carrier != "" && s.Name() == carrier {
			return s
		}
	}
	return p.sourceFor(number)
}

func linkedNumbers(a, b []string) []string {
	out := slices.Clone(a)
	for _, n := range b {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// Ingest applies a result a source pushed (a webhook) as if it had been
// fetched: a pushed last-mile number updates the shipment it continues. A
// number nobody follows is ignored. It fails while a poller holds the
// number, so the pusher retries later.
func (p *Poller) Ingest(ctx context.Context, r tracker.Result) error {
	number, err := p.cfg.Store.Resolve(ctx, r.Number)
	if err != nil {
		return fmt.Errorf("poller: unable to resolve %s: %w", r.Number, err)
	}
	if _, err := p.cfg.Store.Shipment(ctx, number); errors.Is(err, store.ErrNotFound) {
		return nil
	}
	now := p.cfg.Now()
	c, err := p.cfg.Store.ClaimNumber(ctx, number, now, p.cfg.Lease)
	if err != nil {
		return fmt.Errorf("poller: unable to claim %s: %w", number, err)
	}
	old, err := p.cfg.Store.Shipment(ctx, number) // again, now that it is ours
	if err != nil {
		return fmt.Errorf("poller: unable to load %s: %w", number, err)
	}
	if number != r.Number {
		parent := tracker.Result{Number: number}
		tracker.MergeLinked(&parent, r)
		r = parent
	}
	_, err = p.commit(ctx, c, old, r, now)
	return err
}
