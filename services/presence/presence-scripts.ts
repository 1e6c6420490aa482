// The Lua scripts of the Redis presence store (presence.store.ts): each one atomic step.
// User keys are built from the prefix in ARGV, as one Redis (no cluster) allows.

// Takes a dead process's sockets out of every user's set, once (whoever removes the
// process from the alive set sweeps it), if it is still past its deadline (ARGV[3]: it may
// have beaten since it was listed as dead); returns the users left with no socket. (A process
// only stalled finds itself unlisted at its next beat, which marks it swept.)
export const SWEEP = `
local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not due or tonumber(due) > tonumber(ARGV[3]) then return {} end
redis.call('ZREM', KEYS[1], ARGV[1])
local users = redis.call('SMEMBERS', KEYS[2])
local gone = {}
local mark = ARGV[1] .. '|'
for _, user in ipairs(users) do
  local key = ARGV[2] .. user
  for _, member in ipairs(redis.call('SMEMBERS', key)) do
    if string.sub(member, 1, #mark) == mark then redis.call('SREM', key, member) end
  end
  if redis.call('SCARD', key) == 0 then gone[#gone + 1] = user end
end
redis.call('DEL', KEYS[2])
return gone`;

// The people with a socket in any live process, counted once each: the union is built and
// dropped inside Redis, so no member list crosses the wire.
export const ONLINE = `
local procs = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')
if #procs == 0 then return 0 end
local keys = {}
for i, p in ipairs(procs) do keys[i] = ARGV[2] .. 'proc:' .. p end
local n = redis.call('SUNIONSTORE', KEYS[2], unpack(keys))
redis.call('DEL', KEYS[2])
return n`;

// Whether any of the users (ARGV[2..]; ARGV[1] the key prefix) has a socket: 1 at the first found.
export const ANY_ONLINE = `
for i = 2, #ARGV do
  if redis.call('SCARD', ARGV[1] .. ARGV[i]) > 0 then return 1 end
end
return 0`;

// One socket of a user comes or goes (KEYS: the user's set, this process's; ARGV: the member,
// the user); returns how many sockets the user has now.
export const ADD = `
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return redis.call('SCARD', KEYS[1])`;
export const REMOVE = `
redis.call('SREM', KEYS[1], ARGV[1])
return redis.call('SCARD', KEYS[1])`;
// The user's last socket here: the user leaves this process's set too.
export const REMOVE_LAST = `
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[2])
return redis.call('SCARD', KEYS[1])`;

// Marks the process alive until ARGV[2] and says whether it stands swept (0): unlisted (swept,
// or Redis lost its data), or marked swept (KEYS[2]) and not repaired since. The mark lives in
// Redis, so a beat whose answer is lost does not lose it. One step, so no sweep lands between
// the question and the mark.
export const BEAT = `
local known = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
if not known then redis.call('SET', KEYS[2], '1', 'EX', 86400) end
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
return 1`;

// Puts this process's part of the store back to the sockets it holds, for the users listed
// (ARGV[4..]: user, how many sockets held here, the sockets; again per user) and, with
// ARGV[3] = '1' (swept: its mark, KEYS[2], goes), for every user of its set: members no socket
// here stands for go, the held come back. Returns the users counted again after none (every
// listed one held here, when swept: the sweep left them none) and the users left with none.
export const REPAIR = `
local mark = ARGV[1] .. '|'
local prefix = ARGV[2]
local full = ARGV[3] == '1'
local function dropStale(key, sockets)
  for _, member in ipairs(redis.call('SMEMBERS', key)) do
    if string.sub(member, 1, #mark) == mark and not sockets[member] then redis.call('SREM', key, member) end
  end
end
local listed, back, gone = {}, {}, {}
local i = 4
while i <= #ARGV do
  local user, n = ARGV[i], tonumber(ARGV[i + 1])
  local key = prefix .. user
  local sockets = {}
  for k = 1, n do sockets[mark .. ARGV[i + 1 + k]] = true end
  listed[user] = true
  dropStale(key, sockets)
  if n > 0 then
    if full or redis.call('SCARD', key) == 0 then back[#back + 1] = user end
    for member in pairs(sockets) do redis.call('SADD', key, member) end
    redis.call('SADD', KEYS[1], user)
  else
    redis.call('SREM', KEYS[1], user)
    if redis.call('SCARD', key) == 0 then gone[#gone + 1] = user end
  end
  i = i + 2 + n
end
if full then
  for _, user in ipairs(redis.call('SMEMBERS', KEYS[1])) do
    if not listed[user] then
      local key = prefix .. user
      dropStale(key, {})
      redis.call('SREM', KEYS[1], user)
      if redis.call('SCARD', key) == 0 then gone[#gone + 1] = user end
    end
  end
  redis.call('DEL', KEYS[2])
end
return {back, gone}`;
