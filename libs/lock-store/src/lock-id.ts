import { type InvalidLockIdProblem, InvalidLockIdError } from './invalid-lock-id.error';

/** Longest lock ID a WOPI client may send: 1024 ASCII characters (concepts, "Lock"; SupportsExtendedLockLength). */
export const MAX_LOCK_ID_LENGTH = 1024;

// Tab and printable ASCII. The spec says lock IDs are ASCII (concepts, "Lock"), and every stored
// lock must be echoable byte for byte in an X-WOPI-Lock response header on a 409: Node refuses
// header values above U+00FF and sends U+0080..U+00FF as Latin-1, so a non-ASCII ID would either
// break the 409 or come back to the client as different bytes. Control characters cannot travel
// in a header at all. Such IDs are refused up front instead of being stored.
const LOCK_ID_CHARACTERS = /^[\t\x20-\x7e]*$/;

/** What is wrong with a lock ID sent by a WOPI client, or undefined when the store accepts it. */
export function lockIdProblem(lockId: string): InvalidLockIdProblem | undefined {
  if (lockId.length === 0) return 'empty';
  if (lockId.length > MAX_LOCK_ID_LENGTH) return 'too-long';
  if (!LOCK_ID_CHARACTERS.test(lockId)) return 'not-ascii';
  return undefined;
}

/** Throws InvalidLockIdError unless `lockId` is a WOPI lock ID the store accepts. */
export function assertValidLockId(lockId: string, argument = 'lockId'): void {
  const problem = lockIdProblem(lockId);
  if (problem !== undefined) throw new InvalidLockIdError(problem, argument);
}

/**
 * A stored lock as the X-WOPI-Lock response header may carry it: a lock that is not representable
 * as a WOPI lock (only possible if something other than this store wrote the key) becomes ''
 * ("no_lock_id" fragment of Unlock, RefreshLock, Lock ...; GetLock).
 */
export function toWopiLockHeader(storedLock: string): string {
  return lockIdProblem(storedLock) === undefined ? storedLock : '';
}
