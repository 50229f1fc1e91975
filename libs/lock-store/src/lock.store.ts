import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@wopi/redis';
import Redis from 'ioredis';
import { FENCE_LUA } from './fence.lua';
import { FORCE_UNLOCK_LUA } from './force-unlock.lua';
import { INSPECT_LOCK_LUA } from './inspect-lock.lua';
import { assertValidLockId, lockIdProblem, toWopiLockHeader } from './lock-id';
import { lockKey } from './lock-key';
import {
  type ForceUnlockResult,
  type GetLockResult,
  type LockConflict,
  LockFailureReason,
  type LockHolder,
  type LockInspection,
  type LockOptions,
  type LockResult,
  type RefreshLockResult,
  type SaveFence,
  type SaveFenceResult,
  type UnlockAndRelockResult,
  type UnlockResult,
} from './lock-results';
import { LockStoreUnavailableError } from './lock-store-unavailable.error';
import { assertLockTtlMs, LOCK_TTL_MS } from './lock-ttl';
import { LOCK_LUA } from './lock.lua';
import { REFRESH_LOCK_LUA } from './refresh-lock.lua';
import { UNLOCK_AND_RELOCK_LUA } from './unlock-and-relock.lua';
import { UNLOCK_LUA } from './unlock.lua';

// Command names on the shared client; the prefix keeps them apart from other libs' scripts.
const SCRIPTS = {
  lock: { command: 'wopiLockStoreLock', lua: LOCK_LUA },
  unlock: { command: 'wopiLockStoreUnlock', lua: UNLOCK_LUA },
  refreshLock: { command: 'wopiLockStoreRefreshLock', lua: REFRESH_LOCK_LUA },
  unlockAndRelock: { command: 'wopiLockStoreUnlockAndRelock', lua: UNLOCK_AND_RELOCK_LUA },
  inspect: { command: 'wopiLockStoreInspect', lua: INSPECT_LOCK_LUA },
  forceUnlock: { command: 'wopiLockStoreForceUnlock', lua: FORCE_UNLOCK_LUA },
  fence: { command: 'wopiLockStoreFence', lua: FENCE_LUA },
} as const;

type ScriptName = keyof typeof SCRIPTS;
type ScriptCommand = (key: string, ...args: (string | number)[]) => Promise<unknown>;

/**
 * WOPI locks in Redis, shared by every gateway instance: one hash per file, each operation one Lua
 * compare-and-set (one round trip). Mismatches come back as results carrying the current lock;
 * an unreachable or failing Redis throws LockStoreUnavailableError, never "unlocked".
 */
@Injectable()
export class LockStore {
  constructor(@Inject(REDIS) private readonly redis: Redis) {
    // defineCommand sends EVALSHA and falls back to EVAL on NOSCRIPT, so a restarted or flushed
    // Redis script cache costs one extra round trip, not an error.
    for (const { command, lua } of Object.values(SCRIPTS)) {
      this.redis.defineCommand(command, { numberOfKeys: 1, lua });
    }
  }

  /** Lock: take the lock, or refresh it when the file already has this lock ID (Lock spec). */
  async lock(
    tenantId: string,
    fileId: string,
    lockId: string,
    holder: LockHolder,
    options: LockOptions = {},
  ): Promise<LockResult> {
    assertValidLockId(lockId);
    const lockTtlMs = ttlOf(options);
    const reply = await this.run('lock', tenantId, fileId, [lockId, lockTtlMs, ...holderArgs(holder)]);
    const [applied, value] = statusReply(reply);
    if (applied) {
      if (value === 'replaced-view-lock') {
        return { ok: true, outcome: value, replacedLockId: String((reply as unknown[])[2]) };
      }
      if (value !== 'acquired' && value !== 'refreshed') throw unexpectedReply('lock', value);
      return { ok: true, outcome: value };
    }
    // The lock script only refuses a file that is locked, so `value` is never '' here.
    return conflict(value, LockFailureReason.LockMismatch);
  }

  /** UnlockAndRelock: atomically replace `oldLockId` by `newLockId`; unlocked or another lock is a conflict. */
  async unlockAndRelock(
    tenantId: string,
    fileId: string,
    oldLockId: string,
    newLockId: string,
    holder: LockHolder,
    options: LockOptions = {},
  ): Promise<UnlockAndRelockResult> {
    assertValidLockId(oldLockId, 'oldLockId');
    assertValidLockId(newLockId, 'newLockId');
    const lockTtlMs = ttlOf(options);
    const [applied, current] = statusReply(
      await this.run('unlockAndRelock', tenantId, fileId, [oldLockId, newLockId, lockTtlMs, ...holderArgs(holder)]),
    );
    return applied ? { ok: true } : conflict(current, LockFailureReason.OldLockMismatch);
  }

  /** RefreshLock: reset the expiry of the lock `lockId`; unlocked or another lock is a conflict. */
  async refreshLock(
    tenantId: string,
    fileId: string,
    lockId: string,
    options: LockOptions = {},
  ): Promise<RefreshLockResult> {
    assertValidLockId(lockId);
    const lockTtlMs = ttlOf(options);
    const [applied, current] = statusReply(await this.run('refreshLock', tenantId, fileId, [lockId, lockTtlMs]));
    return applied ? { ok: true } : conflict(current, LockFailureReason.LockMismatch);
  }

  /** Unlock: release the lock `lockId`; unlocked or another lock is a conflict (lock409 fragment). */
  async unlock(tenantId: string, fileId: string, lockId: string): Promise<UnlockResult> {
    assertValidLockId(lockId);
    const [applied, current] = statusReply(await this.run('unlock', tenantId, fileId, [lockId]));
    return applied ? { ok: true } : conflict(current, LockFailureReason.LockMismatch);
  }

  /** GetLock: the current lock, '' when unlocked; also what PutFile compares X-WOPI-Lock with. */
  async getLock(tenantId: string, fileId: string): Promise<GetLockResult> {
    const key = lockKey(tenantId, fileId);
    let current: string | null;
    try {
      // A single read is atomic on its own: no script needed for GetLock.
      current = await this.redis.hget(key, 'lock');
    } catch (error) {
      throw new LockStoreUnavailableError('getLock', tenantId, fileId, error);
    }
    if (current === null) return { ok: true, currentLock: '' };
    // A stored lock this store would not have written: 409 with an empty X-WOPI-Lock (GetLock spec).
    if (lockIdProblem(current) !== undefined) {
      return { ok: false, currentLock: '', reason: LockFailureReason.LockNotRepresentable };
    }
    return { ok: true, currentLock: current };
  }

  /**
   * The state a save starts from (PutFile reads it before streaming the body): the lock ID, ''
   * when unlocked, and the acquisition it belongs to. A lock that cannot be sent as a WOPI lock is
   * a conflict, as in getLock.
   */
  async readSaveFence(tenantId: string, fileId: string): Promise<SaveFence | LockConflict> {
    let fields: (string | null)[];
    try {
      fields = await this.redis.hmget(lockKey(tenantId, fileId), 'lock', 'fence');
    } catch (error) {
      throw new LockStoreUnavailableError('readSaveFence', tenantId, fileId, error);
    }
    const [lockId, fence] = fields;
    if (lockId === null) return { lockId: '', fence: '' };
    if (lockIdProblem(lockId) !== undefined) {
      return { ok: false, currentLock: '', reason: LockFailureReason.LockNotRepresentable };
    }
    return { lockId, fence: fence ?? '' };
  }

  /**
   * The commit fence: ok only while the file is in exactly the state `fence` describes. A save
   * calls it inside the transaction that records its version, after streaming its body, so a
   * lock lost, expired or replaced meanwhile (even by the same lock ID) records nothing.
   */
  async checkSaveFence(tenantId: string, fileId: string, fence: SaveFence): Promise<SaveFenceResult> {
    const [applied, current] = statusReply(await this.run('fence', tenantId, fileId, [fence.lockId, fence.fence]));
    if (applied) return { ok: true };
    return conflict(current, fence.lockId === '' ? LockFailureReason.LockMismatch : LockFailureReason.LockLost);
  }

  /** Support view: the lock with its holder and age, or null when the file is unlocked. */
  async inspect(tenantId: string, fileId: string): Promise<LockInspection | null> {
    const reply = await this.run('inspect', tenantId, fileId, []);
    return reply === null ? null : inspection(reply);
  }

  /**
   * Support takeover: remove the lock; with `expectedLockId`, only if it is still that lock
   * (compare-and-delete), so a takeover never removes a lock it has not seen.
   */
  async forceUnlock(tenantId: string, fileId: string, expectedLockId?: string): Promise<ForceUnlockResult> {
    if (expectedLockId !== undefined) assertValidLockId(expectedLockId, 'expectedLockId');
    const compare = expectedLockId === undefined ? '0' : '1';
    const reply = await this.run('forceUnlock', tenantId, fileId, [compare, expectedLockId ?? '']);
    if (!Array.isArray(reply) || (reply[0] !== 0 && reply[0] !== 1)) throw unexpectedReply('forceUnlock', reply);
    if (reply[0] === 0) {
      const current = String(reply[1]);
      return conflict(current, current === '' ? LockFailureReason.NotLocked : LockFailureReason.LockMismatch);
    }
    return { ok: true, released: reply.length === 1 ? null : inspection(reply.slice(1)) };
  }

  /** Runs one lock script; any Redis failure becomes LockStoreUnavailableError (fail closed). */
  private async run(script: ScriptName, tenantId: string, fileId: string, args: (string | number)[]): Promise<unknown> {
    const key = lockKey(tenantId, fileId);
    // defineCommand adds the method at run time; ioredis's types cannot know it.
    const command = (this.redis as unknown as Record<string, ScriptCommand>)[SCRIPTS[script].command];
    try {
      return await command.call(this.redis, key, ...args);
    } catch (error) {
      throw new LockStoreUnavailableError(script, tenantId, fileId, error);
    }
  }
}

/** userId, clientProfile, access, and a new fence: the Lua arguments of an acquisition. */
function holderArgs(holder: LockHolder): string[] {
  return [holder.userId, holder.clientProfile, holder.access ?? 'edit', randomBytes(12).toString('base64url')];
}

function ttlOf(options: LockOptions): number {
  const lockTtlMs = options.lockTtlMs ?? LOCK_TTL_MS;
  assertLockTtlMs(lockTtlMs);
  return lockTtlMs;
}

/** `{1, value?}` or `{0, currentLock}` from a compare-and-set script. */
function statusReply(reply: unknown): [applied: boolean, value: string] {
  if (!Array.isArray(reply) || (reply[0] !== 0 && reply[0] !== 1)) throw unexpectedReply('status', reply);
  return [reply[0] === 1, reply[1] === undefined ? '' : String(reply[1])];
}

function conflict(storedLock: string, reasonWhenLocked: LockFailureReason): LockConflict {
  // Every mismatch carries the current lock, '' when unlocked (lock409 fragment); Office relies
  // on it to decide its next call (concepts, "Lock").
  if (storedLock === '') return { ok: false, currentLock: '', reason: LockFailureReason.NotLocked };
  return { ok: false, currentLock: toWopiLockHeader(storedLock), reason: reasonWhenLocked };
}

/** describe()'s array from the Lua prelude: lock, acquiredAt, refreshedAt, refreshCount, userId, clientProfile, pttl, now. */
function inspection(reply: unknown): LockInspection {
  if (!Array.isArray(reply) || reply.length !== 8) throw unexpectedReply('inspect', reply);
  const [lockId, acquiredAt, refreshedAt, refreshCount, userId, clientProfile, pttl, now] = reply as unknown[];
  return {
    lockId: String(lockId),
    holder: { userId: String(userId), clientProfile: String(clientProfile) },
    acquiredAt: Number(acquiredAt),
    refreshedAt: Number(refreshedAt),
    refreshCount: Number(refreshCount),
    ageMs: Math.max(0, Number(now) - Number(acquiredAt)),
    expiresInMs: Number(pttl),
  };
}

function unexpectedReply(what: string, reply: unknown): Error {
  // A reply of the wrong shape is a bug in a script, not an outage: a plain Error (500), not a 503.
  return new Error(`Unexpected ${what} reply from a lock script: ${JSON.stringify(reply)}`);
}
