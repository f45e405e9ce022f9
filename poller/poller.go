package poller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
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
}

// Config configures a Poller. Zero values take the documented defaults.
type Config struct {
	Store   Store
	Sources []tracker.Source // the first that Serves a number fetches it
	Now     func() time.Time // default time.Now
	Workers int              // concurrent fetches, default 4
	Batch   int              // numbers claimed per round, default 200
	Lease   time.Duration    // how long a claim holds, default 5 minutes
	Timeout time.Duration    // per fetch, default 30 seconds
	Idle    time.Duration    // wall-clock wait when nothing is due, default 1 second
	Logger  *slog.Logger
}

// Poller claims due shipments and checks them.
type Poller struct {
	cfg Config
	log *slog.Logger
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
	if cfg.Lease <= 0 {
		cfg.Lease = 5 * time.Minute
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Idle <= 0 {
		cfg.Idle = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Poller{cfg: cfg, log: cfg.Logger.With("component", "poller")}
}

// Run polls until ctx is done. Store errors are logged and retried after
// the idle wait; they never end the loop.
func (p *Poller) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
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

// Tick runs one round: it claims up to Batch due numbers, fetches them with
// at most Workers fetches in flight and commits each. It returns how many
// numbers it claimed.
func (p *Poller) Tick(ctx context.Context) (int, error) {
	now := p.cfg.Now()
	claims, err := p.cfg.Store.ClaimDue(ctx, now, p.cfg.Batch, p.cfg.Lease)
	if err != nil {
		return 0, fmt.Errorf("poller: unable to claim due shipments: %w", err)
	}
	if len(claims) == 0 {
		return 0, nil
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range min(p.cfg.Workers, len(claims)) {
		wg.Go(func() {
			for j := range jobs {
				p.check(ctx, j)
			}
		})
	}
	for _, j := range p.plan(claims) {
		select {
		case jobs <- j:
		case <-ctx.Done():
		}
	}
	close(jobs)
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
	j := p.plan([]store.Claim{c})[0]
	j.stubs = map[string]tracker.Shipment{stub.Number: stub}
	res := p.check(ctx, j)
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

// job is one batch of claims for one source (nil: no source serves them).
type job struct {
	src    tracker.Source
	claims []store.Claim
	stubs  map[string]tracker.Shipment
}

type outcome struct {
	snaps []tracker.Shipment
	err   error
}

// plan groups claims by the source that serves them, in batches no larger
// than the source accepts.
func (p *Poller) plan(claims []store.Claim) []job {
	var jobs []job
	open := map[tracker.Source]int{} // source (nil: none) -> its batch being filled
	for _, c := range claims {
		src := p.sourceFor(c.Number)
		size := math.MaxInt
		if src != nil {
			size = max(src.BatchSize(), 1)
		}
		i, ok := open[src]
		if !ok || len(jobs[i].claims) >= size {
			jobs = append(jobs, job{src: src})
			i = len(jobs) - 1
			open[src] = i
		}
		jobs[i].claims = append(jobs[i].claims, c)
	}
	return jobs
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
	olds := make([]tracker.Shipment, len(j.claims))
	queries := make([]tracker.Query, len(j.claims))
	for i, c := range j.claims {
		sh, err := p.cfg.Store.Shipment(ctx, c.Number)
		switch {
		case errors.Is(err, store.ErrNotFound):
			sh = j.stubs[c.Number]
			sh.Number = c.Number
			if sh.Since.IsZero() {
				sh.Since = now
			}
		case err != nil:
			return outcome{err: fmt.Errorf("poller: unable to load %s: %w", c.Number, err)}
		}
		olds[i] = sh
		queries[i] = tracker.Query{Number: c.Number, Since: sh.Since}
	}

	results := p.fetch(ctx, j.src, queries)

	out := outcome{snaps: make([]tracker.Shipment, len(j.claims))}
	for i, c := range j.claims {
		r, ok := results[c.Number]
		if !ok {
			r = tracker.Result{Number: c.Number, Error: tracker.ErrKindUnavailable}
		}
		snap, change := tracker.Apply(olds[i], r, now)
		var since time.Duration
		if last, ok := snap.Latest(); ok {
			since = now.Sub(last.Time)
		}
		var next time.Time
		if d := NextCheck(snap.Stage, since, r.Error, r.NextCheck); d > 0 {
			next = now.Add(d)
		}
		if err := p.cfg.Store.Commit(ctx, c, snap, change, next, now); err != nil {
			p.log.Warn("Could not commit a check; the number will come back when its lease ends.",
				slog.String("number", c.Number), slog.Any("error", err))
			if out.err == nil {
				out.err = fmt.Errorf("poller: unable to commit %s: %w", c.Number, err)
			}
		}
		if !change.Empty() {
			p.log.Debug("Shipment changed.", slog.String("number", c.Number),
				slog.String("from", change.From.String()), slog.String("to", change.To.String()),
				slog.Int("new_events", len(change.NewEvents)))
		}
		out.snaps[i] = snap
	}
	return out
}

// fetch asks the source and indexes its answers by number. A failed fetch
// yields no answers, which check records as the source being unavailable.
func (p *Poller) fetch(ctx context.Context, src tracker.Source, qs []tracker.Query) map[string]tracker.Result {
	out := make(map[string]tracker.Result, len(qs))
	if src == nil {
		for _, q := range qs {
			out[q.Number] = tracker.Result{Number: q.Number, Error: tracker.ErrKindNoSource}
		}
		return out
	}
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	rs, err := src.Fetch(ctx, qs)
	if err != nil {
		p.log.Warn("Source fetch failed.", slog.String("source", src.Name()),
			slog.Int("numbers", len(qs)), slog.Any("error", err))
		return out
	}
	for _, r := range rs {
		if r.Source == "" {
			r.Source = src.Name()
		}
		out[r.Number] = r
	}
	return out
}
