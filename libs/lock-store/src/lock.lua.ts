import { LOCK_HASH_LUA } from './lock-hash.lua';

/**
 * Lock. KEYS[1] lock key; ARGV lockId, lockTtlMs, userId, clientProfile, access ('view'|'edit'), fence.
 * Returns {1, 'acquired'} | {1, 'refreshed'} | {1, 'replaced-view-lock', viewLockId} | {0, currentLock}.
 */
export const LOCK_LUA = `${LOCK_HASH_LUA}
local key = KEYS[1]
local current = redis.call('HGET', key, 'lock')
if not current then
  set_new_lock(key, ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
  return {1, 'acquired'}
end
-- Same lock ID: treat as RefreshLock and succeed (Lock spec). The holder stays who acquired it;
-- an editor joining a lock a viewer took makes it an edit lock.
if current == ARGV[1] then
  refresh_lock(key, ARGV[2])
  if ARGV[5] == 'edit' then
    redis.call('HSET', key, 'access', 'edit')
  end
  return {1, 'refreshed'}
end
-- A lock taken by a view-only session protects nothing (it cannot save), so it never keeps an
-- editor out: the editor's lock replaces it (docs/adr/0016-save-integrity.md).
if ARGV[5] == 'edit' and redis.call('HGET', key, 'access') == 'view' then
  set_new_lock(key, ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
  return {1, 'replaced-view-lock', current}
end
return {0, current}
`;
