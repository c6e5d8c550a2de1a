// Lua scripts of the Redis state store. Each runs atomically on the server. Times: ARGV carries the
// caller's `now` or '' to read the server's TIME, so every process shares the Redis clock.
// Integers that can exceed 14 digits are formatted with '%d', never tostring (which rounds).

const clock = `
local function clock(value)
  if value ~= '' then return tonumber(value) end
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
`;

const accounts = `
local function expireHeld(prefix, accountKey, heldKey, now)
  local due = redis.call('ZRANGEBYSCORE', heldKey, '-inf', now)
  for _, id in ipairs(due) do
    local recordKey = prefix .. 'r:' .. id
    local amount = redis.call('HGET', recordKey, 'amount') or '0'
    redis.call('HSET', recordKey, 'status', 'expired')
    redis.call('HINCRBY', accountKey, 'reserved', string.format('%d', -tonumber(amount)))
    redis.call('ZREM', heldKey, id)
  end
end
local function position(accountKey)
  local values = redis.call('HMGET', accountKey, 'balance', 'reserved')
  return tonumber(values[1] or '0'), tonumber(values[2] or '0')
end
`;

/** KEYS: (log zset, cost hash, total) per window. ARGV: entryId, now, then limit, windowMs, cost per window. */
export const consumeWindowsScript = `${clock}
local entryId = ARGV[1]
local now = clock(ARGV[2])
local count = #KEYS / 3
local used = {}
local duplicate = true
for i = 1, count do
  local logKey, costKey, totalKey = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local cutoff = now - tonumber(ARGV[3 * i + 1])
  local expired = redis.call('ZRANGEBYSCORE', logKey, '-inf', cutoff)
  if #expired > 0 then
    local freed = 0
    for first = 1, #expired, 1000 do
      local last = math.min(first + 999, #expired)
      local costs = redis.call('HMGET', costKey, unpack(expired, first, last))
      for _, cost in ipairs(costs) do freed = freed + (tonumber(cost) or 0) end
      redis.call('HDEL', costKey, unpack(expired, first, last))
    end
    redis.call('ZREMRANGEBYSCORE', logKey, '-inf', cutoff)
    redis.call('DECRBY', totalKey, string.format('%d', freed))
  end
  used[i] = tonumber(redis.call('GET', totalKey) or '0')
  if redis.call('HEXISTS', costKey, entryId) == 0 then duplicate = false end
end
local allowed = true
if not duplicate then
  for i = 1, count do
    if used[i] + tonumber(ARGV[3 * i + 2]) > tonumber(ARGV[3 * i]) then allowed = false end
  end
end
local out = { duplicate and 1 or 0, allowed and 1 or 0, now }
for i = 1, count do
  local logKey, costKey, totalKey = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local limit, windowMs, cost = tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1]), tonumber(ARGV[3 * i + 2])
  local fits = duplicate or used[i] + cost <= limit
  if allowed and not duplicate then
    -- An id already present in this window (but not in all) is replaced, not counted twice.
    local previous = tonumber(redis.call('HGET', costKey, entryId) or '0')
    redis.call('ZADD', logKey, now, entryId)
    redis.call('HSET', costKey, entryId, ARGV[3 * i + 2])
    redis.call('INCRBY', totalKey, string.format('%d', cost - previous))
    used[i] = used[i] + cost - previous
    local keep = windowMs + 60000
    redis.call('PEXPIRE', logKey, keep)
    redis.call('PEXPIRE', costKey, keep)
    redis.call('PEXPIRE', totalKey, keep)
  end
  local resetAt = -1
  if fits then
    local oldest = redis.call('ZRANGE', logKey, 0, 0, 'WITHSCORES')
    resetAt = (oldest[2] and tonumber(oldest[2]) or now) + windowMs
  elseif cost <= limit then
    local entries = redis.call('ZRANGE', logKey, 0, -1, 'WITHSCORES')
    local freed = 0
    local newest = now
    for j = 1, #entries, 2 do
      newest = tonumber(entries[j + 1])
      freed = freed + (tonumber(redis.call('HGET', costKey, entries[j])) or 0)
      if used[i] - freed + cost <= limit then
        resetAt = newest + windowMs
        break
      end
    end
    if resetAt == -1 then resetAt = newest + windowMs end
  end
  table.insert(out, fits and 1 or 0)
  table.insert(out, used[i])
  table.insert(out, resetAt)
end
return out
`;

/** KEYS: (log zset, cost hash, total) per window. ARGV: entryId, cost. */
export const adjustWindowsScript = `
for i = 1, #KEYS / 3 do
  local previous = redis.call('HGET', KEYS[3 * i - 1], ARGV[1])
  if previous then
    redis.call('HSET', KEYS[3 * i - 1], ARGV[1], ARGV[2])
    redis.call('INCRBY', KEYS[3 * i], string.format('%d', tonumber(ARGV[2]) - tonumber(previous)))
  end
end
return 1
`;

/** KEYS: pool zsets. ARGV: holderId, leaseMs, now, then one limit per pool. */
export const acquireSlotsScript = `${clock}
local holder = ARGV[1]
local leaseMs = tonumber(ARGV[2])
local now = clock(ARGV[3])
for i = 1, #KEYS do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now) end
for i = 1, #KEYS do
  if not redis.call('ZSCORE', KEYS[i], holder) and redis.call('ZCARD', KEYS[i]) >= tonumber(ARGV[3 + i]) then
    local first = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    return { 0, i, first[2] and tonumber(first[2]) or -1 }
  end
end
local expiresAt = now + leaseMs
local keep = math.max(leaseMs * 2, leaseMs + 60000)
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], expiresAt, holder)
  if redis.call('PTTL', KEYS[i]) < keep then redis.call('PEXPIRE', KEYS[i], keep) end
end
return { 1, 0, expiresAt }
`;

/** KEYS: pool zsets. ARGV: holderId, leaseMs, now. */
export const renewSlotsScript = `${clock}
local holder = ARGV[1]
local leaseMs = tonumber(ARGV[2])
local now = clock(ARGV[3])
for i = 1, #KEYS do
  local expiresAt = redis.call('ZSCORE', KEYS[i], holder)
  if not expiresAt or tonumber(expiresAt) <= now then return 0 end
end
local keep = math.max(leaseMs * 2, leaseMs + 60000)
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', now + leaseMs, holder)
  if redis.call('PTTL', KEYS[i]) < keep then redis.call('PEXPIRE', KEYS[i], keep) end
end
return 1
`;

/** KEYS: pool zsets. ARGV: holderId. */
export const releaseSlotsScript = `
local removed = 0
for i = 1, #KEYS do removed = removed + redis.call('ZREM', KEYS[i], ARGV[1]) end
return removed
`;

/** KEYS: account hash, held zset. ARGV: prefix, reservationId, amount, ttlMs, now, account, retentionMs. */
export const reserveScript = `${clock}${accounts}
local prefix, reservationId, amount = ARGV[1], ARGV[2], tonumber(ARGV[3])
local ttlMs = tonumber(ARGV[4])
local now = clock(ARGV[5])
local accountKey, heldKey = KEYS[1], KEYS[2]
expireHeld(prefix, accountKey, heldKey, now)
local recordKey = prefix .. 'r:' .. reservationId
local balance, reserved = position(accountKey)
if redis.call('EXISTS', recordKey) == 1 then return { 1, 1, balance, reserved } end
if balance - reserved < amount then return { 0, 0, balance, reserved } end
local expiresAt = string.format('%d', now + ttlMs)
redis.call('HSET', recordKey, 'account', ARGV[6], 'amount', ARGV[3], 'status', 'held', 'expiresAt', expiresAt, 'debited', '0')
redis.call('PEXPIRE', recordKey, ttlMs + tonumber(ARGV[7]))
redis.call('ZADD', heldKey, expiresAt, reservationId)
redis.call('HINCRBY', accountKey, 'reserved', ARGV[3])
return { 1, 0, balance, reserved + amount }
`;

/** KEYS: reservation hash. ARGV: prefix, reservationId, actualAmount ('' = release), now. */
export const finishReservationScript = `${clock}${accounts}
local prefix, reservationId, actual = ARGV[1], ARGV[2], ARGV[3]
local now = clock(ARGV[4])
local recordKey = KEYS[1]
if redis.call('EXISTS', recordKey) == 0 then return { 0 } end
local account = redis.call('HGET', recordKey, 'account')
local accountKey = prefix .. 'a:' .. account
local heldKey = accountKey .. ':held'
expireHeld(prefix, accountKey, heldKey, now)
local status = redis.call('HGET', recordKey, 'status')
if status == 'settled' or status == 'released' then
  local balance, reserved = position(accountKey)
  return { 1, 1, tonumber(redis.call('HGET', recordKey, 'debited')), status, balance, reserved, account }
end
if status == 'held' then
  redis.call('ZREM', heldKey, reservationId)
  redis.call('HINCRBY', accountKey, 'reserved', string.format('%d', -tonumber(redis.call('HGET', recordKey, 'amount'))))
end
local debited = 0
if actual == '' then
  status = 'released'
  redis.call('HSET', recordKey, 'status', status)
else
  status = 'settled'
  debited = tonumber(actual)
  redis.call('HSET', recordKey, 'status', status, 'debited', actual)
  redis.call('HINCRBY', accountKey, 'balance', string.format('%d', -debited))
  redis.call('RPUSH', accountKey .. ':journal', string.format('%d', now) .. '|' .. string.format('%d', -debited) .. '|settle|' .. reservationId)
  redis.call('SADD', accountKey .. ':ids', reservationId)
end
local balance, reserved = position(accountKey)
return { 1, 0, debited, status, balance, reserved, account }
`;

/** KEYS: account hash, held zset, journal list, applied-ids set. ARGV: prefix, entryId, amount, kind, now. */
export const creditScript = `${clock}${accounts}
local prefix, entryId, amount, kind = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now = clock(ARGV[5])
local accountKey, heldKey, journalKey, idsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
expireHeld(prefix, accountKey, heldKey, now)
if redis.call('SISMEMBER', idsKey, entryId) == 1 then
  local balance, reserved = position(accountKey)
  return { 1, balance, reserved }
end
redis.call('HINCRBY', accountKey, 'balance', amount)
redis.call('SADD', idsKey, entryId)
redis.call('RPUSH', journalKey, string.format('%d', now) .. '|' .. amount .. '|' .. kind .. '|' .. entryId)
local balance, reserved = position(accountKey)
return { 0, balance, reserved }
`;

/** KEYS: account hash, held zset. ARGV: prefix, now. */
export const balanceScript = `${clock}${accounts}
expireHeld(ARGV[1], KEYS[1], KEYS[2], clock(ARGV[2]))
local balance, reserved = position(KEYS[1])
return { balance, reserved }
`;
