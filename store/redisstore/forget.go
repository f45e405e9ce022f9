package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/todoku/todoku/store"
)

// forgetScript deletes a chat and every number only it follows. The caller
// reads the chat's numbers first and passes their keys; when the
// subscriptions changed in between (a number pasted meanwhile) the script
// changes nothing and returns -1, and the caller reads them again.
//
//	KEYS: chat:<chat>, subs:<chat>, schedule, claims, outbox, aliases,
//	      reminders, reminderkeys, delivered, then per number
//	      subscribers:<number>, shipment:<number>
//	ARGV: chat key, platform, id, outbox group, count, numbers...
//	returns: how many numbers were forgotten with the chat, or -1
var forgetScript = redis.NewScript(`
local chat, platform, id, group = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local n = tonumber(ARGV[5])
local given = {}
for i = 1, n do given[ARGV[5 + i]] = true end
local fields = redis.call('HKEYS', KEYS[2])
if #fields ~= n then return -1 end
for _, f in ipairs(fields) do
  if not given[f] then return -1 end
end

local solo, forgotten = {}, 0
for i = 1, n do
  local number = ARGV[5 + i]
  local subscribers, shipment = KEYS[8 + 2 * i], KEYS[9 + 2 * i]
  redis.call('SREM', subscribers, chat)
  if redis.call('SCARD', subscribers) == 0 then
    solo[number] = true
    forgotten = forgotten + 1
    redis.call('DEL', shipment)
    redis.call('ZREM', KEYS[3], number)
    redis.call('HDEL', KEYS[4], number)
    redis.call('HDEL', KEYS[6], number)
  end
end
redis.call('DEL', KEYS[1], KEYS[2])

local function names(raw)
  local ok, v = pcall(cjson.decode, raw)
  if not ok or type(v) ~= 'table' then return false end
  if solo[v.number] then return true end
  return type(v.chat) == 'table' and v.chat.platform == platform and v.chat.id == id
end

if forgotten > 0 then
  local aliases = redis.call('HGETALL', KEYS[6])
  for i = 1, #aliases, 2 do
    if solo[aliases[i + 1]] then redis.call('HDEL', KEYS[6], aliases[i]) end
  end
  for _, raw in ipairs(redis.call('LRANGE', KEYS[9], 0, -1)) do
    if names(raw) then redis.call('LREM', KEYS[9], 0, raw) end
  end
end

for _, m in ipairs(redis.call('ZRANGE', KEYS[7], 0, -1)) do
  if names(m) then redis.call('ZREM', KEYS[7], m) end
end
local index = redis.call('HGETALL', KEYS[8])
for i = 1, #index, 2 do
  if names(index[i + 1]) or redis.call('ZSCORE', KEYS[7], index[i + 1]) == false then
    redis.call('HDEL', KEYS[8], index[i])
  end
end

for _, e in ipairs(redis.call('XRANGE', KEYS[5], '-', '+')) do
  local fv = e[2]
  for j = 1, #fv, 2 do
    if fv[j] == 'n' and names(fv[j + 1]) then
      redis.call('XACK', KEYS[5], group, e[1])
      redis.call('XDEL', KEYS[5], e[1])
      break
    end
  end
end
return forgotten
`)

// forgetAttempts bounds how often Forget reads the chat's numbers again
// because the chat followed a new one in the meantime.
const forgetAttempts = 10

// Forget implements store.Store. The chat's numbers are read first and
// handed to one script that deletes everything in one atomic step (it
// refuses, and Forget reads again, when the chat's numbers changed in
// between). Rate-limit slots naming the chat ("<platform>:<kind>:<id>")
// expire within their interval anyway; they are deleted after the script.
func (s *Store) Forget(ctx context.Context, chat store.ChatKey) error {
	fail := func(err error) error {
		return fmt.Errorf("redisstore: unable to forget chat %s: %w", chat, err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	k := s.keys
	done := false
	for range forgetAttempts {
		numbers, err := s.rdb.HKeys(ctx, k.subs(chat)).Result()
		if err != nil {
			return fail(err)
		}
		keys := []string{k.chat(chat), k.subs(chat), k.schedule(), k.claims(), k.outbox(), k.aliases(),
			k.reminders(), k.reminderKeys(), k.delivered()}
		args := []any{chat.String(), chat.Platform, chat.ID, outboxGroup, len(numbers)}
		for _, n := range numbers {
			keys = append(keys, k.subscribers(n), k.shipment(n))
			args = append(args, n)
		}
		res, err := forgetScript.Run(ctx, s.rdb, keys, args...).Int()
		if err != nil {
			return fail(err)
		}
		if res >= 0 {
			done = true
			break
		}
	}
	if !done {
		return fail(errors.New("the chat's subscriptions kept changing"))
	}
	if err := s.forgetPace(ctx, chat); err != nil {
		return fail(err)
	}
	return nil
}

// forgetPace deletes the rate-limit slots whose key names the chat as
// "<platform>:<kind>:<id>" (e.g. "telegram:chat:812345"). On a cluster
// every primary is scanned.
func (s *Store) forgetPace(ctx context.Context, chat store.ChatKey) error {
	if cc, ok := any(s.rdb).(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			return s.forgetPaceOn(ctx, node, chat)
		})
	}
	return s.forgetPaceOn(ctx, s.rdb, chat)
}

func (s *Store) forgetPaceOn(ctx context.Context, c redis.Cmdable, chat store.ChatKey) error {
	match := s.keys.pace(globEscape(chat.Platform) + ":*:" + globEscape(chat.ID))
	iter := c.Scan(ctx, 0, match, 500).Iterator()
	var found []string
	for iter.Next(ctx) {
		// The glob's * may span colons; keep only "<platform>:<kind>:<id>".
		rest := strings.TrimPrefix(iter.Val(), s.keys.pace(chat.Platform+":"))
		if kind, ok := strings.CutSuffix(rest, ":"+chat.ID); ok && !strings.Contains(kind, ":") {
			found = append(found, iter.Val())
		}
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("unable to scan rate-limit slots: %w", err)
	}
	// One DEL per key: without a hash tag in the prefix the keys may live
	// in different slots.
	for _, key := range found {
		if err := c.Del(ctx, key).Err(); err != nil {
			return fmt.Errorf("unable to delete rate-limit slot: %w", err)
		}
	}
	return nil
}

// globEscape quotes the characters SCAN MATCH treats as pattern syntax.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', ']', '\\', '^':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
