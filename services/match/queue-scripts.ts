// The Lua scripts of the Redis queue store (queue.store.ts): each one atomic step, sent as one
// command, so a Redis that is away or stalled fails it within the store's wait (a MULTI would
// wait for ever and run whenever Redis came back).

// KEYS: the chat tickets, the video tickets, the cards, the user's seat (what they did last:
// the joinedAt of their latest join, or "left"). ARGV: the user, which tickets hash (1 or 2)
// takes the ticket, the ticket, the card ('' keeps the one held), its joinedAt, how long a seat
// is kept (ms). A join: one ticket per user, and the seat is this join's.
export const PUT = `
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('SET', KEYS[4], ARGV[5], 'PX', ARGV[6])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[3], ARGV[1], ARGV[4]) end
redis.call('HSET', KEYS[tonumber(ARGV[2])], ARGV[1], ARGV[3])
return 1`;

// The same keys and ARGV: a ticket taken out for a while (claimed into a match, or being
// checked) going back, unless its user left or joined again since that join (the seat says
// another thing) or holds a ticket. Returns 1 if it went back.
export const PUT_BACK = `
local seat = redis.call('GET', KEYS[4])
if seat and seat ~= ARGV[5] then return 0 end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 or redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[3], ARGV[1], ARGV[4]) end
redis.call('HSET', KEYS[tonumber(ARGV[2])], ARGV[1], ARGV[3])
return 1`;

// The same keys; ARGV: the user, how long a seat is kept (ms). Returns how many tickets went
// (0 or 1); the card goes too, and the seat says "left": no ticket out for a while comes back.
export const REMOVE = `
local removed = redis.call('HDEL', KEYS[1], ARGV[1]) + redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('SET', KEYS[4], 'left', 'PX', ARGV[2])
return removed`;

// The same keys; ARGV: the user, which tickets hash (1 or 2), the ticket as PUT wrote it, its
// joinedAt, how long a seat is kept (ms). A join told it failed: takes out that ticket (and its
// card) only, a newer one of the user's stays; and if that join is still the user's latest, the
// seat says "left", so the ticket never comes back from a claim that took it meanwhile.
export const WITHDRAW = `
if redis.call('GET', KEYS[4]) == ARGV[4] then redis.call('SET', KEYS[4], 'left', 'PX', ARGV[5]) end
if redis.call('HGET', KEYS[tonumber(ARGV[2])], ARGV[1]) ~= ARGV[3] then return 0 end
redis.call('HDEL', KEYS[tonumber(ARGV[2])], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1`;

// KEYS: the cards; ARGV: the users. Their cards, handed over once.
export const TAKE_CARDS = `
local cards = redis.call('HMGET', KEYS[1], unpack(ARGV))
redis.call('HDEL', KEYS[1], unpack(ARGV))
return cards`;

// KEYS: the avoid sets of a and of b; ARGV: a, b, until (ms), how long that is from now (ms),
// now, 'later' or 'replace'. Each keeps the other until then (a later end wins, unless
// 'replace'), its passed entries dropped.
export const AVOID = `
for i = 1, 2 do
  local key = KEYS[i]
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[5])
  if ARGV[6] == 'replace' then
    redis.call('ZADD', key, ARGV[3], ARGV[3 - i])
  else
    redis.call('ZADD', key, 'GT', ARGV[3], ARGV[3 - i])
  end
  redis.call('PEXPIRE', key, ARGV[4], 'GT')
  redis.call('PEXPIRE', key, ARGV[4], 'NX')
end
return 1`;

// KEYS: the avoid sets of a and of b; ARGV: a, b.
export const FORGIVE = `
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1`;

// PUT_BACK's keys and ARGV, then KEYS[5] the user's claim mark, ARGV[7] a claim's id: a ticket
// a claim took goes back (as PUT_BACK) unless another claim has taken the user since (a mark
// of another id). A mark lapsed or lost (a Redis restart) leaves it to PUT_BACK's checks.
export const PUT_BACK_CLAIMED = `
local mark = redis.call('GET', KEYS[5])
if mark and mark ~= ARGV[7] then return 0 end
if mark then redis.call('DEL', KEYS[5]) end
${PUT_BACK}`;

// Each pair: both tickets or neither, unless the pair is avoided; one step no other
// process can interleave with. The avoid sets and claim marks are named from ARGV (one Redis,
// no cluster). ARGV: the avoid sets' prefix, now, the claim marks' prefix, this claim's id, how
// long a mark is kept (ms), then the pairs. Each user claimed is marked with the claim's id.
export const CLAIM_PAIRS = `
local now = tonumber(ARGV[2])
local out = {}
for i = 6, #ARGV, 2 do
  local a, b = ARGV[i], ARGV[i + 1]
  local result = 0
  if a ~= b and redis.call('HEXISTS', KEYS[1], a) == 1 and redis.call('HEXISTS', KEYS[1], b) == 1 then
    local untilMs = redis.call('ZSCORE', ARGV[1] .. a, b)
    if untilMs and tonumber(untilMs) > now then
      result = -1
    else
      redis.call('HDEL', KEYS[1], a, b)
      redis.call('SET', ARGV[3] .. a, ARGV[4], 'PX', ARGV[5])
      redis.call('SET', ARGV[3] .. b, ARGV[4], 'PX', ARGV[5])
      result = 1
    end
  end
  out[#out + 1] = result
end
return out`;
