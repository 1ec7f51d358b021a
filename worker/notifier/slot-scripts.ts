/**
 * The limiter's Redis scripts. Each bucket is a sliding log (sorted set of call times, Redis clock): at
 * most `limit` calls in any window, stricter than both Discord's fixed windows and Slack's token buckets,
 * so it satisfies either. A bucket also keeps a wait queue of claims (sorted by class, then age) with the
 * time each claimant promised to come back by.
 */

/** Redis time in ms, shared prelude. */
const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * Takes one slot in every bucket, or none; no queue. KEYS: log, blocked per bucket. ARGV: limit, window per
 * bucket, then the log member. Returns 0 or the ms to wait.
 */
export const TAKE_UNQUEUED = `${NOW}
local n = #KEYS / 2
local wait = 0
for i = 1, n do
  local log, blocked = KEYS[2 * i - 1], KEYS[2 * i]
  local limit, window = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local pttl = redis.call('PTTL', blocked)
  if pttl > wait then wait = pttl end
  redis.call('ZREMRANGEBYSCORE', log, '-inf', now - window)
  local count = redis.call('ZCARD', log)
  if count >= limit then
    local freeing = redis.call('ZRANGE', log, count - limit, count - limit, 'WITHSCORES')
    local w = tonumber(freeing[2]) + window - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
for i = 1, n do
  redis.call('ZADD', KEYS[2 * i - 1], now, ARGV[2 * n + 1] .. ':' .. i)
  redis.call('PEXPIRE', KEYS[2 * i - 1], tonumber(ARGV[2 * i]) + 1000)
end
return 0
`;

/**
 * Takes one slot in every bucket for a claim, or none. A claim is granted only when, in every bucket,
 * fewer live claims are queued ahead of it than there are free slots: the next free slot goes to the
 * most pressing class, oldest first, whoever asks first. A refused claim stays queued and learns when its
 * turn should come (the slots freeing before it, at the bucket's pace), so it comes back once instead of
 * polling; it must come back by then plus a grace, or the claims behind it stop waiting for it (coming
 * back later re-queues it at its old place: its score is its class and age, not its arrival).
 *
 * A claim refused for another bucket's sake (Discord's card edits: one channel's 5 per 5 s, while the
 * bot-wide bucket they also count against has 40 a second) is marked away in the buckets it is not
 * waiting for, until it asks again: it holds none of their slots meanwhile, so 200 queued card edits do
 * not make every thread message behind them in the bot-wide queue wait their turns too. Also once its
 * turn came and its job has yet to run (a 200-deep queue's claims are often seconds late): whether the
 * bucket it waits for grants it is decided when it asks. A claim waiting for a bucket's own slots keeps
 * its place there, so the bucket's order is kept.
 *
 * KEYS: log, blocked, queue, deadlines, away per bucket. ARGV: limit, window per bucket, then the log
 * member, the claim id, its score, the queue's lifetime (ms). Returns 0 or the ms to wait.
 */
export const TAKE_QUEUED = `${NOW}
local n = #KEYS / 5
local member, claim, score, ttl = ARGV[2 * n + 1], ARGV[2 * n + 2], tonumber(ARGV[2 * n + 3]), tonumber(ARGV[2 * n + 4])
local wait = 0
local turns = {}
for i = 1, n do
  local log, blocked, queue, deadlines, away = KEYS[5 * i - 4], KEYS[5 * i - 3], KEYS[5 * i - 2], KEYS[5 * i - 1], KEYS[5 * i]
  local limit, window = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local w = redis.call('PTTL', blocked)
  redis.call('ZREMRANGEBYSCORE', log, '-inf', now - window)
  local count = redis.call('ZCARD', log)
  redis.call('ZADD', queue, score, claim)
  local rank = redis.call('ZRANK', queue, claim)
  local ahead = 0
  if rank > 0 then
    local before = redis.call('ZRANGE', queue, 0, rank - 1)
    local due = redis.call('HMGET', deadlines, unpack(before))
    local isAway = redis.call('HMGET', away, unpack(before))
    for j = 1, #before do
      if not (due[j] and tonumber(due[j]) >= now) then
        redis.call('ZREM', queue, before[j])
        redis.call('HDEL', deadlines, before[j])
        redis.call('HDEL', away, before[j])
      elseif not isAway[j] then
        ahead = ahead + 1
      end
    end
  end
  local free = limit - count
  if free < 0 then free = 0 end
  if ahead >= free then
    -- Each of the bucket's slots frees at its own time: the free ones now, the logged calls' as they
    -- slide out (oldest first). The claims ahead take them in that order, round after round a window
    -- apart; this claim gets the slot its place in the queue lands on.
    local idx = ahead % limit
    local round = math.floor(ahead / limit)
    local at = now
    if idx >= free then
      local k = math.max(0, count - limit) + idx - free
      local freeing = redis.call('ZRANGE', log, k, k, 'WITHSCORES')
      at = tonumber(freeing[2]) + window
    end
    local turn = at + round * window - now
    turn = math.ceil(turn)
    if turn < 1 then turn = 1 end
    if turn > w then w = turn end
  end
  turns[i] = w
  if w > wait then wait = w end
end
if wait > 0 then
  local grace = 1000 + math.floor(wait / 4)
  for i = 1, n do
    redis.call('HSET', KEYS[5 * i - 1], claim, now + wait + grace)
    if wait > turns[i] + tonumber(ARGV[2 * i]) then
      redis.call('HSET', KEYS[5 * i], claim, 1)
    else
      redis.call('HDEL', KEYS[5 * i], claim)
    end
    redis.call('PEXPIRE', KEYS[5 * i - 2], ttl)
    redis.call('PEXPIRE', KEYS[5 * i - 1], ttl)
    redis.call('PEXPIRE', KEYS[5 * i], ttl)
  end
  return wait
end
for i = 1, n do
  redis.call('ZADD', KEYS[5 * i - 4], now, member .. ':' .. i)
  redis.call('PEXPIRE', KEYS[5 * i - 4], tonumber(ARGV[2 * i]) + 1000)
  redis.call('ZREM', KEYS[5 * i - 2], claim)
  redis.call('HDEL', KEYS[5 * i - 1], claim)
  redis.call('HDEL', KEYS[5 * i], claim)
end
return 0
`;

/**
 * How many live claims wait in each bucket's queue for its own slots (away claims and claimants that did
 * not come back left out). KEYS: queue, deadlines, away per bucket. Returns the counts, in bucket order.
 */
export const QUEUED = `${NOW}
local counts = {}
for i = 1, #KEYS / 3 do
  local queue, deadlines, away = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local claims = redis.call('ZRANGE', queue, 0, -1)
  local count = 0
  if #claims > 0 then
    local due = redis.call('HMGET', deadlines, unpack(claims))
    local isAway = redis.call('HMGET', away, unpack(claims))
    for j = 1, #claims do
      if due[j] and tonumber(due[j]) >= now and not isAway[j] then
        count = count + 1
      end
    end
  end
  counts[i] = count
end
return counts
`;

/** Withdraws a claim from its buckets' queues. KEYS: queue, deadlines, away per bucket. ARGV: the claim id. */
export const RELEASE = `
for i = 1, #KEYS / 3 do
  redis.call('ZREM', KEYS[3 * i - 2], ARGV[1])
  redis.call('HDEL', KEYS[3 * i - 1], ARGV[1])
  redis.call('HDEL', KEYS[3 * i], ARGV[1])
end
return 0
`;
