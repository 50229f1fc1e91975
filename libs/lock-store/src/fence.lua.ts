/**
 * Commit fence of a save. KEYS[1] lock key; ARGV expectedLockId ('' = the save found the file
 * unlocked), expectedFence (the acquisition the save saw; '' when unlocked).
 * Returns {1} when the file is still in exactly that state, else {0, currentLock or ''}.
 */
export const FENCE_LUA = `
local f = redis.call('HMGET', KEYS[1], 'lock', 'fence')
local current = f[1] or ''
if current == ARGV[1] and (f[2] or '') == ARGV[2] then
  return {1}
end
return {0, current}
`;
