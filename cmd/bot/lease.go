package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"
)

// pollLease names the lease that lets one replica at a time long-poll
// Telegram: the Bot API serves a single getUpdates caller per bot.
const pollLease = "telegram-poll"

// defaultPollLease is how long the poll lease lasts unless renewed; a
// replica that dies unannounced is replaced within about this long.
const defaultPollLease = 10 * time.Second

// leaser is the part of the store a leased loop needs.
type leaser interface {
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
}

// leased runs a loop in one replica at a time: the one that holds the
// lease called name. The holder renews it every ttl/3; the others ask for
// it every retry, so a holder that dies without releasing it is replaced
// within ttl+retry.
type leased struct {
	store  leaser
	name   string
	holder string // this replica
	ttl    time.Duration
	retry  time.Duration
	log    *slog.Logger
}

// newLeased returns a leased loop with retry derived from ttl: a fifth of
// it, between 100 ms and 2 s. A ttl under 100 ms means defaultPollLease.
func newLeased(st leaser, name, holder string, ttl time.Duration, log *slog.Logger) leased {
	if ttl < 100*time.Millisecond {
		ttl = defaultPollLease
	}
	return leased{store: st, name: name, holder: holder, ttl: ttl, retry: min(max(ttl/5, 100*time.Millisecond), 2*time.Second),
		log: log.With(slog.String("lease", name), slog.String("replica", holder))}
}

// run calls fn whenever this replica holds the lease, until ctx is done.
// fn's context ends when the lease is lost or ctx is done; the lease is
// released once fn has returned, so two replicas never run fn at once
// while the lease is honoured.
func (l leased) run(ctx context.Context, fn func(ctx context.Context)) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ok, err := l.acquire(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			l.log.Warn("Could not ask for the lease; asking again later.", slog.Any("error", err))
		case ok:
			l.log.Info("This replica took the lease.")
			l.hold(ctx, fn)
		}
		t.Reset(l.retry)
	}
}

// hold runs fn while the lease is renewed. A refused renewal stops fn at
// once; failed ones (the store unreachable) stop it before the lease can
// run out unnoticed.
func (l leased) hold(ctx context.Context, fn func(ctx context.Context)) {
	held, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(held)
	}()
	defer func() {
		cancel()
		<-done
		rctx, stop := context.WithTimeout(context.WithoutCancel(ctx), l.retry)
		defer stop()
		if err := l.store.ReleaseLease(rctx, l.name, l.holder); err != nil {
			l.log.Warn("Could not release the lease; it ends by itself.", slog.Any("error", err))
		}
	}()

	every := l.ttl / 3
	until := time.Now().Add(l.ttl) // the lease surely lasts until then
	t := time.NewTimer(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-done:
			return
		case <-t.C:
		}
		asked := time.Now()
		ok, err := l.acquire(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err == nil && !ok:
			l.log.Warn("This replica lost the lease; stopping.")
			return
		case err == nil:
			until = asked.Add(l.ttl)
		case time.Now().Add(every).After(until.Add(-every / 2)):
			l.log.Warn("Could not renew the lease; stopping before it runs out.", slog.Any("error", err))
			return
		default:
			l.log.Warn("Could not renew the lease; trying again.", slog.Any("error", err))
		}
		t.Reset(every)
	}
}

// acquire asks for (or renews) the lease, giving up before a third of
// its ttl passes.
func (l leased) acquire(ctx context.Context) (bool, error) {
	actx, cancel := context.WithTimeout(ctx, l.ttl/3)
	defer cancel()
	return l.store.AcquireLease(actx, l.name, l.holder, l.ttl)
}

// replicaID names this process among the replicas sharing a store: host,
// process id and a random part, so a restarted process is a new replica.
func replicaID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "host"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}
