import { LOCK_HASH_LUA } from './lock-hash.lua';

/**
 * UnlockAndRelock, atomic as the spec requires. KEYS[1] lock key;
 * ARGV oldLockId, newLockId, lockTtlMs, userId, clientProfile, access, fence.
 * Returns {1} | {0, currentLock or '' when unlocked}.
 */
export const UNLOCK_AND_RELOCK_LUA = `${LOCK_HASH_LUA}
local current = redis.call('HGET', KEYS[1], 'lock')
if current == ARGV[1] then
  -- A new lock: new holder, acquiredAt and refresh count, and a full expiry.
  set_new_lock(KEYS[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
  return {1}
end
return {0, current or ''}
`;
