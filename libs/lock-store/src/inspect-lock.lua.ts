import { LOCK_HASH_LUA } from './lock-hash.lua';

/**
 * Support view of a lock, read in one step with the server's clock. KEYS[1] lock key.
 * Returns describe()'s array, or nil when unlocked.
 */
export const INSPECT_LOCK_LUA = `${LOCK_HASH_LUA}
return describe(KEYS[1])
`;
