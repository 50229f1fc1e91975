import { LOCK_HASH_LUA } from './lock-hash.lua';

/**
 * RefreshLock. KEYS[1] lock key; ARGV lockId, lockTtlMs.
 * Returns {1} | {0, currentLock or '' when unlocked} (lock409 fragment).
 */
export const REFRESH_LOCK_LUA = `${LOCK_HASH_LUA}
local current = redis.call('HGET', KEYS[1], 'lock')
if current == ARGV[1] then
  refresh_lock(KEYS[1], ARGV[2])
  return {1}
end
return {0, current or ''}
`;
