/** Why a lock ID was refused before it reached Redis. */
export type InvalidLockIdProblem = 'empty' | 'too-long' | 'not-ascii';

/**
 * A lock ID the store will not accept or compare. The WOPI layer answers it with 400: Lock,
 * Unlock, RefreshLock and UnlockAndRelock all list "400: X-WOPI-Lock was not provided or was empty",
 * and an ID longer than 1024 characters or outside ASCII is just as malformed (concepts, "Lock").
 */
export class InvalidLockIdError extends Error {
  override readonly name = 'InvalidLockIdError';

  constructor(
    readonly problem: InvalidLockIdProblem,
    /** Which argument was refused, e.g. `lockId`, `oldLockId`. */
    readonly argument: string,
  ) {
    super(`${argument} is invalid: ${problem}`);
  }
}
