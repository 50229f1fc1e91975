/** 1024 ASCII characters: the longest WOPI lock ID (concepts.rst "Lock"; SupportsExtendedLockLength). */
export const WOPI_LOCK_MAX_LENGTH = 1024;

/** 30 min: WOPI locks must expire on their own after 30 minutes unless refreshed (concepts.rst "Lock"). */
export const WOPI_LOCK_TTL_MS = 30 * 60 * 1000;

/** X-WOPI-LockExpirationTimeout must lie within 1 minute and 1 hour, inclusive (learn plus/coauthoring/wopi-locks.md). */
export const WOPI_LOCK_EXPIRATION_TIMEOUT_MIN_SECONDS = 60;
export const WOPI_LOCK_EXPIRATION_TIMEOUT_MAX_SECONDS = 60 * 60;

// Tab and printable ASCII, as libs/lock-store accepts: lock IDs are ASCII (concepts.rst "Lock") and
// must travel back byte for byte in X-WOPI-Lock, where Node refuses control characters and sends
// U+0080..U+00FF as Latin-1.
const LOCK_ID_CHARACTERS = /^[\t\x20-\x7e]*$/;

export type LockIdProblem = 'empty' | 'too-long' | 'not-ascii';

/** What is wrong with a lock ID, or undefined when it is a valid WOPI lock ID. */
export function lockIdProblem(lockId: string): LockIdProblem | undefined {
  if (lockId.length === 0) return 'empty';
  if (lockId.length > WOPI_LOCK_MAX_LENGTH) return 'too-long';
  if (!LOCK_ID_CHARACTERS.test(lockId)) return 'not-ascii';
  return undefined;
}

/**
 * The value for an X-WOPI-Lock response header: the lock itself, or '' when the file is unlocked or
 * its lock is not representable as a WOPI lock ("should be set to the empty string or omitted",
 * _fragments/lock409.rst, GetLock.rst).
 */
export function toLockHeaderValue(currentLock: string): string {
  return lockIdProblem(currentLock) === undefined ? currentLock : '';
}
