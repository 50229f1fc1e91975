/**
 * Why a lock operation did not succeed. The WOPI layer sends it in X-WOPI-LockFailureReason, a
 * header that is for logging only and has no standard format (X-WOPI-LockFailureReason fragment).
 */
export enum LockFailureReason {
  /** Unlock, RefreshLock, UnlockAndRelock or a support compare-and-delete on an unlocked file. */
  NotLocked = 'File is not locked',
  /** Lock, Unlock, RefreshLock or a support compare-and-delete against a different lock ID. */
  LockMismatch = 'File is locked with a different lock ID',
  /** UnlockAndRelock whose old lock ID is not the current lock. */
  OldLockMismatch = 'Old lock ID does not match the current lock',
  /** A save whose lock was released, expired or replaced while its body was streaming. */
  LockLost = 'The lock changed while the body was being received',
  /** GetLock found a lock that cannot be sent as a WOPI lock (GetLock, 409 case). */
  LockNotRepresentable = 'Current lock is not representable as a WOPI lock',
}

/**
 * A lock operation that did not apply: the WOPI layer answers 409 with X-WOPI-Lock set to
 * `currentLock` ('' when the file is unlocked, lock409 fragment) and X-WOPI-LockFailureReason.
 */
export interface LockConflict {
  ok: false;
  /** The lock on the file now, as X-WOPI-Lock carries it; '' when the file is unlocked. */
  currentLock: string;
  reason: LockFailureReason;
}

/** Who took a lock, kept for support ("see the holder and its age"); WOPI locks are not user-owned. */
export interface LockHolder {
  /** The tenant-prefixed user ID from the access token. */
  userId: string;
  /** The WOPI client profile the request came through. */
  clientProfile: string;
  /** 'view' for a lock taken by a view-only session (ONLYOFFICE does that); such a lock never keeps an editor out. Default 'edit'. */
  access?: LockAccess;
}

export type LockAccess = 'view' | 'edit';

/**
 * The lock state a save starts from, read before its body streams: the save commits only if the
 * file is still in exactly this state (same lock ID and same acquisition, or still unlocked).
 */
export interface SaveFence {
  /** The lock ID, '' when the file was unlocked. */
  lockId: string;
  /** Identifies the acquisition of that lock; '' when unlocked. */
  fence: string;
}

/** Per-call options of the operations that set a lock's expiry. */
export interface LockOptions {
  /** Expiry from now; LOCK_TTL_MS (30 min) unless a test or X-WOPI-LockExpirationTimeout asks otherwise. */
  lockTtlMs?: number;
}

/**
 * Lock: `acquired` on an unlocked file, `refreshed` when the file already had this lock ID (Lock
 * spec), `replaced-view-lock` when an editor's lock replaced `replacedLockId`, a view-only session's lock.
 */
export type LockResult =
  | { ok: true; outcome: 'acquired' | 'refreshed' }
  | { ok: true; outcome: 'replaced-view-lock'; replacedLockId: string }
  | LockConflict;

export type SaveFenceResult = { ok: true } | LockConflict;

export type UnlockResult = { ok: true } | LockConflict;

export type RefreshLockResult = { ok: true } | LockConflict;

export type UnlockAndRelockResult = { ok: true } | LockConflict;

/** GetLock: `currentLock` is '' when the file is unlocked (GetLock spec: 200 with an empty X-WOPI-Lock). */
export type GetLockResult = { ok: true; currentLock: string } | LockConflict;

/** A lock as support sees it. Times are Redis server time, so every instance reports the same ages. */
export interface LockInspection {
  lockId: string;
  holder: LockHolder;
  /** When the lock ID was set by Lock or UnlockAndRelock (ms since epoch). */
  acquiredAt: number;
  /** When it was last set or refreshed (ms since epoch). */
  refreshedAt: number;
  /** How many RefreshLock calls and same-ID Lock calls kept it alive. */
  refreshCount: number;
  /** Time since `acquiredAt`. */
  ageMs: number;
  /** Time until Redis expires the lock (Redis PTTL; -1 only for a key without expiry, which this store never writes). */
  expiresInMs: number;
}

/** forceUnlock: `released` is the lock that was removed, or null when the file was already unlocked. */
export type ForceUnlockResult = { ok: true; released: LockInspection | null } | LockConflict;
