package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/todoku/todoku/store"
	"github.com/todoku/todoku/tracker"
)

// commitChunk bounds the checks one commitManyScript call carries, so that
// one call never holds the server for long.
const commitChunk = 256

// Shipments implements store.Store with MGET.
func (s *Store) Shipments(ctx context.Context, numbers []string) (map[string]tracker.Shipment, error) {
	fail := func(err error) (map[string]tracker.Shipment, error) {
		return nil, fmt.Errorf("redisstore: unable to load %d shipments: %w", len(numbers), err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	out := make(map[string]tracker.Shipment, len(numbers))
	if len(numbers) == 0 {
		return out, nil
	}
	keys := make([]string, len(numbers))
	for i, n := range numbers {
		keys[i] = s.keys.shipment(n)
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return fail(err)
	}
	for i, v := range vals {
		raw, ok := v.(string)
		if !ok {
			continue // nil: no snapshot
		}
		sh, err := store.DecodeShipment([]byte(raw))
		if err != nil {
			return fail(fmt.Errorf("%s: %w", numbers[i], err))
		}
		out[numbers[i]] = sh
	}
	return out, nil
}

// CommitMany implements store.Store: one commitManyScript call per chunk of
// checks, sent in one pipeline. A touch that finds the stored value in an
// older form is committed again with the whole snapshot.
func (s *Store) CommitMany(ctx context.Context, checks []store.Check, now time.Time) ([]error, error) {
	fail := func(err error) ([]error, error) {
		return nil, fmt.Errorf("redisstore: unable to commit %d checks: %w", len(checks), err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	errs := make([]error, len(checks))
	codes, err := s.commitMany(ctx, checks, now, false)
	if err != nil {
		return fail(err)
	}
	var again []int
	for i, c := range codes {
		switch c {
		case 0:
			errs[i] = fmt.Errorf("redisstore: unable to commit %s: %w", checks[i].Claim.Number, store.ErrLeaseLost)
		case 2:
			again = append(again, i)
		}
	}
	if len(again) > 0 {
		retry := make([]store.Check, len(again))
		for j, i := range again {
			retry[j] = checks[i]
		}
		codes, err := s.commitMany(ctx, retry, now, true)
		if err != nil {
			return fail(err)
		}
		for j, c := range codes {
			if c != 1 {
				errs[again[j]] = fmt.Errorf("redisstore: unable to commit %s: %w", retry[j].Claim.Number, store.ErrLeaseLost)
			}
		}
	}
	return errs, nil
}

// commitMany runs commitManyScript over checks and returns its code per
// check; whole writes every snapshot in full.
func (s *Store) commitMany(ctx context.Context, checks []store.Check, now time.Time, whole bool) ([]int64, error) {
	k := s.keys
	var cmds []*redis.Cmd
	err := s.pipelineScript(ctx, commitManyScript, func(p redis.Pipeliner) error {
		cmds = cmds[:0]
		for start := 0; start < len(checks); start += commitChunk {
			chunk := checks[start:min(start+commitChunk, len(checks))]
			keys := make([]string, 0, 3+2*len(chunk))
			keys = append(keys, k.claims(), k.schedule(), k.outbox())
			args := make([]any, 0, 8*len(chunk))
			for _, c := range chunk {
				number := c.Claim.Number
				keys = append(keys, k.shipment(number), k.subscribers(number))
				snap, header, checkedAt := "", "", ""
				if c.Unchanged && !whole {
					header = "\x01" + c.Snap.Stage.String() + "\x00"
					checkedAt = string(store.CheckedAtBytes(c.Snap.CheckedAt))
				} else {
					snap = string(store.EncodeShipment(c.Snap))
				}
				changed, tail := "0", ""
				if c.Change.StageChanged() {
					latest, _ := c.Snap.Latest()
					raw, err := json.Marshal(notificationTail{Number: number, From: c.Change.From, To: c.Change.To, Event: latest, At: now})
					if err != nil {
						return err
					}
					changed, tail = "1", ","+string(raw[1:])
				}
				nextMs := ""
				if !c.Next.IsZero() {
					nextMs = ms(c.Next)
				}
				args = append(args, number, c.Claim.Token, snap, header, checkedAt, changed, tail, nextMs)
			}
			cmds = append(cmds, commitManyScript.EvalSha(ctx, p, keys, args...))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	codes := make([]int64, 0, len(checks))
	for _, cmd := range cmds {
		vals, err := cmd.Int64Slice()
		if err != nil {
			return nil, err
		}
		codes = append(codes, vals...)
	}
	if len(codes) != len(checks) {
		return nil, fmt.Errorf("unexpected script reply: %d codes for %d checks", len(codes), len(checks))
	}
	return codes, nil
}

// pipelineScript runs the calls fill queues, all EVALSHA of script, in one
// pipeline. When the server does not know the script (a restart or SCRIPT
// FLUSH), no call ran: it loads the script and runs them again.
func (s *Store) pipelineScript(ctx context.Context, script *redis.Script, fill func(p redis.Pipeliner) error) error {
	_, err := s.rdb.Pipelined(ctx, fill)
	if err == nil || !redis.HasErrorPrefix(err, "NOSCRIPT") {
		return err
	}
	if err := script.Load(ctx, s.rdb).Err(); err != nil {
		return err
	}
	_, err = s.rdb.Pipelined(ctx, fill)
	return err
}

// SubscribeMany does for every entry what Subscribe does, in pipelines of
// script calls, without reading back what is stored: for bulk imports and
// load tests.
func (s *Store) SubscribeMany(ctx context.Context, entries []store.Subscribing) error {
	fail := func(err error) error {
		return fmt.Errorf("redisstore: unable to subscribe %d: %w", len(entries), err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	k := s.keys
	type call struct {
		keys []string
		args []any
	}
	calls := make([]call, len(entries))
	for i, e := range entries {
		subJSON, err := json.Marshal(e.Sub)
		if err != nil {
			return fail(err)
		}
		calls[i] = call{
			keys: []string{k.subs(e.Sub.Chat), k.subscribers(e.Sub.Number), k.shipment(e.Sub.Number), k.schedule(), k.claims()},
			args: []any{e.Sub.Number, e.Sub.Chat.String(), subJSON, store.EncodeShipment(e.Stub), ms(e.Sub.CreatedAt), s.finalStages},
		}
	}
	err := s.pipelineScript(ctx, subscribeScript, func(p redis.Pipeliner) error {
		for _, c := range calls {
			subscribeScript.EvalSha(ctx, p, c.keys, c.args...)
		}
		return nil
	})
	if err != nil {
		return fail(err)
	}
	return nil
}
