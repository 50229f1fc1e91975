import { LOCK_HASH_LUA } from './lock-hash.lua';

/**
 * Lock. KEYS[1] lock key; ARGV lockId, lockTtlMs, userId, clientProfile.
 * Returns {1, 'acquired'} | {1, 'refreshed'} | {0, currentLock}.
 */
export const LOCK_LUA = `${LOCK_HASH_LUA}
local key = KEYS[1]
local current = redis.call('HGET', key, 'lock')
if not current then
  set_new_lock(key, ARGV[1], ARGV[2], ARGV[3], ARGV[4])
  return {1, 'acquired'}
end
-- Same lock ID: treat as RefreshLock and succeed (Lock spec). The holder stays who acquired it.
if current == ARGV[1] then
  refresh_lock(key, ARGV[2])
  return {1, 'refreshed'}
end
return {0, current}
`;
