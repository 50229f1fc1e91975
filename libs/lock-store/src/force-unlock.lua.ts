import { LOCK_HASH_LUA } from './lock-hash.lua';

/**
 * Support takeover. KEYS[1] lock key; ARGV compare ('1' or '0'), expectedLockId.
 * With compare '1' it deletes only a lock equal to expectedLockId (compare-and-delete).
 * Returns {1, describe()...} when a lock was removed | {1} when there was none and compare is '0'
 * | {0, currentLock or ''}.
 */
export const FORCE_UNLOCK_LUA = `${LOCK_HASH_LUA}
local released = describe(KEYS[1])
if ARGV[1] == '1' and (released == nil or released[1] ~= ARGV[2]) then
  return {0, released and released[1] or ''}
end
if released == nil then
  return {1}
end
redis.call('DEL', KEYS[1])
table.insert(released, 1, 1)
return released
`;
