/**
 * The reference model of one file as WOPI clients see it: its lock and its content, and the rules
 * of the WOPI spec pages (../shared/spec/microsoft/rst/rest/files/: Lock, RefreshLock, Unlock,
 * UnlockAndRelock, GetLock, PutFile, GetFile, CheckFileInfo, and the lock409 fragment) that say
 * what each request must get. It is pure and small on purpose: it is the documentation of those
 * rules that lock-and-version.model-spec.ts checks the real gateway against.
 *
 * Out of scope: lock expiry (30 minutes, never reached by a test), empty lock IDs (a 400 by the
 * no_lock_id fragment; clients never send one), permissions (every client here may edit).
 */
import { createHash } from 'node:crypto';

export interface FileModel {
  /** The current lock ID; '' while the file is unlocked. A lock is one string, whoever set it. */
  lock: string;
  /** The bytes of the last successful PutFile; before any, what the core app holds. */
  content: Buffer;
  /**
   * The version of `content`: CheckFileInfo Version, and X-WOPI-ItemVersion, which "should be the
   * same" and which this gateway sends on every Lock, Unlock, UnlockAndRelock, PutFile and GetFile.
   */
  version: string;
  /** Every version the file has had: "version values must never repeat for a given file". */
  pastVersions: Set<string>;
}

/**
 * What the spec says a request that may change the lock or the content must get, and which case
 * of the rule applied (`because`, for counterexamples and for the test's coverage check).
 */
export type Verdict =
  | { status: 200; lockAfter: string; because: string }
  /** lock409 fragment: X-WOPI-Lock is the current lock, '' when the file is unlocked. */
  | { status: 409; currentLock: string; because: string };

const granted = (lockAfter: string, because: string): Verdict => ({ status: 200, lockAfter, because });
const lockMismatch = (file: FileModel, because: string): Verdict => ({ status: 409, currentLock: file.lock, because });

/** The one mismatch every rule tells apart: no lock at all, or another one. */
const mismatchOf = (file: FileModel): Verdict => lockMismatch(file, file.lock === '' ? 'unlocked' : 'other lock');

export const wopiRules = {
  /** Lock: an unlocked file is locked; the same lock again acts as RefreshLock; any other lock conflicts. */
  lock: (file: FileModel, lockId: string): Verdict => {
    if (file.lock === '') return granted(lockId, 'unlocked');
    return file.lock === lockId ? granted(lockId, 'same lock') : lockMismatch(file, 'other lock');
  },

  /** RefreshLock: only with the current lock; on an unlocked file it conflicts. */
  refreshLock: (file: FileModel, lockId: string): Verdict =>
    file.lock === lockId ? granted(lockId, 'same lock') : mismatchOf(file),

  /** Unlock: only with the current lock; the file is then unlocked. */
  unlock: (file: FileModel, lockId: string): Verdict =>
    file.lock === lockId ? granted('', 'same lock') : mismatchOf(file),

  /** UnlockAndRelock: atomically, only when X-WOPI-OldLock is the current lock. */
  unlockAndRelock: (file: FileModel, oldLockId: string, lockId: string): Verdict =>
    file.lock === oldLockId ? granted(lockId, 'same lock') : mismatchOf(file),

  /**
   * PutFile: a locked file takes the body only with its lock (no X-WOPI-Lock is a mismatch too);
   * an unlocked file only while it is 0 bytes long (Create New), otherwise 409 with X-WOPI-Lock
   * ''. A save never changes the lock.
   */
  putFile: (file: FileModel, lockId: string | undefined): Verdict => {
    if (file.lock === '') {
      return file.content.length === 0 ? granted('', 'unlocked, empty') : lockMismatch(file, 'unlocked, not empty');
    }
    if (file.lock === lockId) return granted(file.lock, 'same lock');
    return lockMismatch(file, lockId === undefined ? 'no lock sent' : 'other lock');
  },
};

/** A successful PutFile: its body is the file from now on, under a version the file never had. */
export function recordSave(file: FileModel, content: Buffer, newVersion: string): void {
  file.content = content;
  file.version = newVersion;
  file.pastVersions.add(newVersion);
}

/** What CheckFileInfo must say of the content: Size, Version and SHA256 (Base64) of the same bytes. */
export function expectedFileInfo(file: FileModel): { Size: number; Version: string; SHA256: string } {
  return {
    Size: file.content.length,
    Version: file.version,
    SHA256: createHash('sha256').update(file.content).digest('base64'),
  };
}
