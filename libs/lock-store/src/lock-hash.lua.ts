// Why the Lua sits in `.lua.ts` modules and not in `.lua` files: the build is `tsc` + `tsc-alias`
// into dist/, which copies no assets, so a `.lua` file read with fs next to the store would exist
// under ts-jest and be missing from dist/ at run time. A template string compiles with the code,
// cannot drift from it, and needs no build step or path arithmetic that differs between src and dist.
//
// This prelude is the one place that names the fields of a lock's hash; every script starts with it.
// Scripts read Redis server time (TIME) so that all gateway instances stamp and age locks on one
// clock; that needs script effects replication, the default since Redis 5.

/** Lua shared by the lock scripts: the hash layout, server time, and writing a new lock. */
export const LOCK_HASH_LUA = `
local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- A new lock replaces whatever the key held: a fresh hash, so no field of an older lock survives.
-- The fence is unique to this acquisition: a save that read it before streaming its body commits
-- only if the lock it saw is still the lock (fence.lua), not merely a lock with the same ID.
local function set_new_lock(key, lock_id, ttl_ms, user_id, client_profile, access, fence)
  local now = string.format('%.0f', now_ms())
  redis.call('DEL', key)
  redis.call('HSET', key, 'lock', lock_id, 'acquiredAt', now, 'refreshedAt', now, 'refreshCount', 0,
    'userId', user_id, 'clientProfile', client_profile, 'access', access, 'fence', fence)
  redis.call('PEXPIRE', key, ttl_ms)
end

-- RefreshLock semantics: reset the expiry timer (RefreshLock spec) and record when.
local function refresh_lock(key, ttl_ms)
  redis.call('HSET', key, 'refreshedAt', string.format('%.0f', now_ms()))
  redis.call('HINCRBY', key, 'refreshCount', 1)
  redis.call('PEXPIRE', key, ttl_ms)
end

-- {lock, acquiredAt, refreshedAt, refreshCount, userId, clientProfile, pttl, now}, or nil when unlocked.
local function describe(key)
  local f = redis.call('HMGET', key, 'lock', 'acquiredAt', 'refreshedAt', 'refreshCount', 'userId', 'clientProfile')
  if not f[1] then
    return nil
  end
  return {f[1], f[2] or '0', f[3] or '0', f[4] or '0', f[5] or '', f[6] or '', redis.call('PTTL', key), now_ms()}
end
`;
