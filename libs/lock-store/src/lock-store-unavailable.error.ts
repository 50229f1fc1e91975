/**
 * Redis could not answer a lock operation (unreachable, timed out, or the command failed). The
 * store never turns this into "unlocked": callers fail the request (503), because Office must
 * never edit a file we could not lock (STYLE.md, "Lock store").
 */
export class LockStoreUnavailableError extends Error {
  override readonly name = 'LockStoreUnavailableError';

  constructor(
    /** The store method that failed, e.g. `lock`, `unlockAndRelock`. */
    readonly operation: string,
    readonly tenantId: string,
    readonly fileId: string,
    cause: unknown,
  ) {
    super(`Lock store unavailable during ${operation}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}
