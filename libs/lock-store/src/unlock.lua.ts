import { LOCK_HASH_LUA } from './lock-hash.lua';

/**
 * Unlock. KEYS[1] lock key; ARGV lockId.
 * Returns {1} | {0, currentLock or '' when unlocked} (lock409 fragment).
 */
export const UNLOCK_LUA = `${LOCK_HASH_LUA}
local current = redis.call('HGET', KEYS[1], 'lock')
if current == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return {1}
end
return {0, current or ''}
`;
