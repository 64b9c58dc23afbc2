import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The Lua scripts that make each live-state write atomic in Redis: compare, write, and publish the result
 * in one step, so the order of messages on the channel is the order of the writes.
 */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      // A Redis that restarted has an empty script cache.
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/** Byte-wise `a > b`: Lua's own string comparison follows the server's locale, JavaScript's does not. */
const GREATER = `
local function greater(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return #a > #b
end
`;

/**
 * Write one record. KEYS: record, index set. ARGV: channel, record id, expected version ('' = any), lowest
 * acceptable version, now, instance id, mode (patch | replace | active), field/value pairs.
 * Replies {'ok', fields} or {'conflict', current version}.
 */
export const WRITE_RECORD = new LuaScript(`
local current = tonumber(redis.call('HGET', KEYS[1], 'version')) or 0
if ARGV[3] ~= '' and tonumber(ARGV[3]) ~= current then
  return {'conflict', string.format('%d', current)}
end
local version = math.max(current + 1, tonumber(ARGV[4]))
local mode = ARGV[7]
local kv = {}
for i = 8, #ARGV do kv[#kv + 1] = ARGV[i] end
local keepSince = false
if mode == 'active' then
  local name = false
  for i = 1, #kv, 2 do if kv[i] == 'name' then name = kv[i + 1] end end
  if name and redis.call('HGET', KEYS[1], 'name') == name then
    keepSince = redis.call('HGET', KEYS[1], 'activeSince')
  end
end
if mode ~= 'patch' or redis.call('HGET', KEYS[1], 'deleted') == '1' then
  redis.call('DEL', KEYS[1])
end
if #kv > 0 then redis.call('HSET', KEYS[1], unpack(kv)) end
if keepSince then redis.call('HSET', KEYS[1], 'activeSince', keepSince) end
redis.call('HSET', KEYS[1], 'version', string.format('%d', version), 'updatedAt', ARGV[5], 'updatedBy', ARGV[6])
redis.call('SADD', KEYS[2], ARGV[2])
local all = redis.call('HGETALL', KEYS[1])
redis.call('PUBLISH', ARGV[1], cjson.encode({r = ARGV[2], f = all}))
return {'ok', all}
`);

/**
 * Resync: keep whichever copy of a record is newer, Redis's or ours. KEYS: record, index set. ARGV:
 * channel, record id, version, updatedBy, all field/value pairs of our copy.
 * Replies {'pushed', fields} or {'kept', Redis's fields}.
 */
export const MERGE_RECORD = new LuaScript(`${GREATER}
local cur = redis.call('HMGET', KEYS[1], 'version', 'updatedBy')
local curv = tonumber(cur[1])
local v = tonumber(ARGV[3])
if curv and (curv > v or (curv == v and not greater(ARGV[4], cur[2] or ''))) then
  return {'kept', redis.call('HGETALL', KEYS[1])}
end
local kv = {}
for i = 5, #ARGV do kv[#kv + 1] = ARGV[i] end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(kv))
redis.call('SADD', KEYS[2], ARGV[2])
local all = redis.call('HGETALL', KEYS[1])
redis.call('PUBLISH', ARGV[1], cjson.encode({r = ARGV[2], f = all}))
return {'pushed', all}
`);

/**
 * Add to a counter. KEYS: counters hash, counter versions hash. ARGV: channel, name, by, lowest acceptable
 * version, instance id, and the local total to start from if Redis has no such counter ('' = start at 0;
 * set on resync so a Redis that lost its data does not lose the count). Replies {value, version}.
 */
export const ADD_TO_COUNTER = new LuaScript(`
local v
if ARGV[6] ~= '' and redis.call('HEXISTS', KEYS[1], ARGV[2]) == 0 then
  v = redis.call('HINCRBY', KEYS[1], ARGV[2], ARGV[6])
else
  v = redis.call('HINCRBY', KEYS[1], ARGV[2], ARGV[3])
end
local s = math.max((tonumber(redis.call('HGET', KEYS[2], ARGV[2])) or 0) + 1, tonumber(ARGV[4]))
local ss = string.format('%d', s)
redis.call('HSET', KEYS[2], ARGV[2], ss)
redis.call('PUBLISH', ARGV[1], cjson.encode({c = ARGV[2], v = v, s = ss, b = ARGV[5]}))
return {v, ss}
`);

/** Take the lock if free. KEYS: lock. ARGV: token, ttl ms. Replies 'acquired', else the holder's PTTL. */
export const ACQUIRE_LOCK = new LuaScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'acquired' end
return redis.call('PTTL', KEYS[1])
`);

/** Extend the lock only if we still hold it. KEYS: lock. ARGV: token, ttl ms. Replies 1 or 0. */
export const RENEW_LOCK = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/** Delete the lock only if we still hold it. KEYS: lock. ARGV: token. */
export const RELEASE_LOCK = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);
