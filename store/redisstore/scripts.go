package redisstore

import "github.com/redis/go-redis/v9"

// leaseEnd is shared by the scripts that read claims: it returns the lease
// end (Unix ms) carried in a claim token, or nil for no claim.
const leaseEnd = `
local function leaseEnd(token)
  if not token then return nil end
  return tonumber(string.match(token, '%.(%-?%d+)$'))
end
`

// claimDueScript leases up to max due numbers, earliest first. A number held
// by an unexpired ClaimNumber lease is moved to that lease's end instead.
// One INCRBY reserves the sequence numbers of every claim of the call.
//
//	KEYS: schedule, claims, claimseq
//	ARGV: now ms, max, lease end ms
//	returns: flat list number, token, number, token, ...
var claimDueScript = redis.NewScript(leaseEnd + `
local now, max = tonumber(ARGV[1]), tonumber(ARGV[2])
local out, n = {}, 0
local first = redis.call('INCRBY', KEYS[3], max) - max -- one seq per claim
while n < max do
  local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, max - n)
  if #due == 0 then break end
  local held = redis.call('HMGET', KEYS[2], unpack(due))
  local sets, adds = {}, {}
  for i, number in ipairs(due) do
    local until_ = leaseEnd(held[i])
    if until_ and until_ > now then
      redis.call('ZADD', KEYS[1], until_, number)
    else
      n = n + 1
      local token = (first + n) .. '.' .. ARGV[3]
      sets[#sets + 1] = number
      sets[#sets + 1] = token
      adds[#adds + 1] = ARGV[3]
      adds[#adds + 1] = number
      out[#out + 1] = number
      out[#out + 1] = token
    end
  end
  if #sets > 0 then
    redis.call('HSET', KEYS[2], unpack(sets))
    redis.call('ZADD', KEYS[1], unpack(adds))
  end
end
return out
`)

// claimNumberScript leases one number unless an unexpired claim holds it. A
// scheduled number is kept off ClaimDue until the lease ends.
//
//	KEYS: schedule, claims, claimseq
//	ARGV: number, now ms, lease end ms
//	returns: the token, or nil when leased
var claimNumberScript = redis.NewScript(leaseEnd + `
local held = leaseEnd(redis.call('HGET', KEYS[2], ARGV[1]))
if held and held > tonumber(ARGV[2]) then return false end
local token = redis.call('INCR', KEYS[3]) .. '.' .. ARGV[3]
redis.call('HSET', KEYS[2], ARGV[1], token)
local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
if due and tonumber(due) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
end
return token
`)

// commitManyScript commits checks, each as one Commit: when its claim is
// current it stores the snapshot (whole, or only its checked-at), writes
// one outbox entry per subscriber (in chat-key order) when the stage
// changed, releases the claim and reschedules the number.
//
//	KEYS: claims, schedule, outbox, then per check shipment:<number>,
//	      subscribers:<number>
//	ARGV: per check number, token, snapshot ("" to touch), header (the
//	      snapshot's leading bytes up to its checked-at, for a touch),
//	      checked-at bytes (for a touch), "1" if the stage changed,
//	      notification JSON after its chat field (starting with ","),
//	      next check ms or "" for none
//	returns: per check 1, 0 when the claim is not current, or 2 when a
//	         touch found the stored value in another form (nothing written)
var commitManyScript = redis.NewScript(`
local out, done, release, adds, rems = {}, {}, {}, {}, {}
local per = 8
for i = 0, #ARGV / per - 1 do
  local a = i * per
  local number, token, snap, header = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  local shipment, subscribers = KEYS[4 + 2 * i], KEYS[5 + 2 * i]
  local code = 1
  if done[number] or redis.call('HGET', KEYS[1], number) ~= token then
    code = 0
  elseif snap == '' then
    if redis.call('GETRANGE', shipment, 0, #header - 1) == header then
      redis.call('SETRANGE', shipment, #header, ARGV[a + 5])
    else
      code = 2
    end
  else
    redis.call('SET', shipment, snap)
  end
  if code == 1 then
    done[number] = true
    local any
    if ARGV[a + 6] == '1' then
      local subs = redis.call('SMEMBERS', subscribers)
      any = #subs > 0
      table.sort(subs)
      for _, chat in ipairs(subs) do
        local sep = string.find(chat, ':', 1, true)
        local head = cjson.encode({platform = string.sub(chat, 1, sep - 1), id = string.sub(chat, sep + 1)})
        redis.call('XADD', KEYS[3], '*', 'n', '{"chat":' .. head .. ARGV[a + 7])
      end
    else
      any = redis.call('EXISTS', subscribers) == 1
    end
    release[#release + 1] = number
    if ARGV[a + 8] == '' or not any then
      rems[#rems + 1] = number
    else
      adds[#adds + 1] = ARGV[a + 8]
      adds[#adds + 1] = number
    end
  end
  out[#out + 1] = code
end
if #release > 0 then redis.call('HDEL', KEYS[1], unpack(release)) end
if #rems > 0 then redis.call('ZREM', KEYS[2], unpack(rems)) end
if #adds > 0 then redis.call('ZADD', KEYS[2], unpack(adds)) end
return out
`)

// subscribeScript stores the stub unless a shipment exists, schedules the
// number (NX, and not while leased) unless its stage is final, and adds the
// subscription unless it exists.
//
//	KEYS: subs:<chat>, subscribers:<number>, shipment:<number>, schedule, claims
//	ARGV: number, chat key, subscription JSON, stub (store.EncodeShipment), created ms,
//	      final stage IDs as ",id,id,"
//	returns: {1 if created, subscription JSON, stored shipment}
var subscribeScript = redis.NewScript(leaseEnd + `
local sh = redis.call('GET', KEYS[3])
if not sh then
  sh = ARGV[4]
  redis.call('SET', KEYS[3], sh)
end
local stage
if string.byte(sh, 1) == 1 then
  stage = string.match(sh, '^\1([%l_]*)%z') or ''
else
  stage = cjson.decode(sh).stage -- JSON written by older versions
  if type(stage) ~= 'string' then stage = '' end
end
if not string.find(ARGV[6], ',' .. stage .. ',', 1, true) and not redis.call('ZSCORE', KEYS[4], ARGV[1]) then
  local held = leaseEnd(redis.call('HGET', KEYS[5], ARGV[1]))
  if not (held and held > tonumber(ARGV[5])) then
    redis.call('ZADD', KEYS[4], ARGV[5], ARGV[1])
  end
end
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return {0, existing, sh} end
local sub = cjson.decode(ARGV[3])
sub.last_stage = stage
local enc = cjson.encode(sub)
redis.call('HSET', KEYS[1], ARGV[1], enc)
redis.call('SADD', KEYS[2], ARGV[2])
return {1, enc, sh}
`)

// unsubscribeScript removes a subscription and, with the last subscriber,
// the number's schedule entry.
//
//	KEYS: subs:<chat>, subscribers:<number>, schedule
//	ARGV: number, chat key
//	returns: 1, or 0 when there was no such subscription
var unsubscribeScript = redis.NewScript(`
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('SREM', KEYS[2], ARGV[2])
if redis.call('SCARD', KEYS[2]) == 0 then
  redis.call('ZREM', KEYS[3], ARGV[1])
end
return 1
`)

// ackScript removes an outbox entry and, when delivered, records its stage
// on the subscription if that still exists.
//
//	KEYS: outbox, subs:<chat>
//	ARGV: group, entry id, "1" if delivered, number, stage ID
//	returns: 1
var ackScript = redis.NewScript(`
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
if ARGV[3] == '1' then
  local raw = redis.call('HGET', KEYS[2], ARGV[4])
  if raw then
    local sub = cjson.decode(raw)
    sub.last_stage = ARGV[5]
    redis.call('HSET', KEYS[2], ARGV[4], cjson.encode(sub))
  end
end
return 1
`)

// updateSubScript sets label, muted and archived of an existing
// subscription (each only when its flag is "1") and returns the new JSON.
//
//	KEYS[1] subs:<chat>
//	ARGV    number, setLabel, label, setMuted, muted, setArchived, archived,
//	        setProtection, protection (RFC 3339, "" to forget)
var updateSubScript = redis.NewScript(`
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
local sub = cjson.decode(raw)
if ARGV[2] == '1' then
  if ARGV[3] == '' then sub.label = nil else sub.label = ARGV[3] end
end
if ARGV[4] == '1' then
  if ARGV[5] == '1' then sub.muted = true else sub.muted = nil end
end
if ARGV[6] == '1' then
  if ARGV[7] == '1' then sub.archived = true else sub.archived = nil end
end
if ARGV[8] == '1' then
  if ARGV[9] == '' then sub.protection = nil else sub.protection = ARGV[9] end
end
local enc = cjson.encode(sub)
redis.call('HSET', KEYS[1], ARGV[1], enc)
return enc
`)

// setReminderScript replaces the reminder of one kind, chat and number.
//
//	KEYS: reminders, reminderkeys
//	ARGV: reminder key, member (notification JSON, "" to cancel), due ms
var setReminderScript = redis.NewScript(`
local old = redis.call('HGET', KEYS[2], ARGV[1])
if old then redis.call('ZREM', KEYS[1], old) end
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[2], ARGV[1])
else
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
end
return 1
`)

// queueRemindersScript moves due reminders into the outbox.
//
//	KEYS: reminders, reminderkeys, outbox
//	ARGV: now ms, max
//	returns: how many it moved
var queueRemindersScript = redis.NewScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, m in ipairs(due) do
  redis.call('XADD', KEYS[3], '*', 'n', m)
  redis.call('ZREM', KEYS[1], m)
  local n = cjson.decode(m)
  local key = n.kind .. '|' .. n.chat.platform .. ':' .. n.chat.id .. '|' .. n.number
  if redis.call('HGET', KEYS[2], key) == m then redis.call('HDEL', KEYS[2], key) end
end
return #due
`)

// paceScript reserves the next slot of a rate limit.
//
//	KEYS: pace:<key>
//	ARGV: now µs, interval µs
//	returns: µs to wait
var paceScript = redis.NewScript(`
local now, iv = tonumber(ARGV[1]), tonumber(ARGV[2])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now then slot = now end
local nextSlot = slot + iv
redis.call('SET', KEYS[1], string.format('%d', nextSlot), 'PX', math.max(1, math.ceil((nextSlot - now) / 1000)))
return slot - now
`)
