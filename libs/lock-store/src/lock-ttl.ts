/** 30 min: WOPI locks must expire on their own after 30 minutes unless refreshed (concepts, "Lock"; RefreshLock). */
export const LOCK_TTL_MS = 30 * 60 * 1000;

/**
 * Throws a RangeError unless `lockTtlMs` is a whole, positive number of milliseconds. Callers pass
 * the default, a short TTL in tests, or a client's X-WOPI-LockExpirationTimeout (whose 1 min..1 h
 * range is the WOPI layer's 400 to give, not this store's).
 */
export function assertLockTtlMs(lockTtlMs: number): void {
  if (!Number.isSafeInteger(lockTtlMs) || lockTtlMs < 1) {
    throw new RangeError(`lockTtlMs must be a positive whole number of milliseconds, got ${lockTtlMs}`);
  }
}
