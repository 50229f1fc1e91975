import { Injectable } from '@nestjs/common';
import { type File } from '@wopi/db';
import { type LockHolder, LockStore } from '@wopi/lock-store';
import { AuditLogRepository } from '@wopi/tenancy';
import { WopiError } from '@wopi/wopi';
import { type WopiContext, wopiUserId } from './wopi-context';
import { lockConflict, WopiFileAccess } from './wopi-file-access';

/** Lock, UnlockAndRelock, RefreshLock, Unlock and GetLock, each one lock-store script. */
@Injectable()
export class WopiLocksService {
  constructor(
    private readonly access: WopiFileAccess,
    private readonly locks: LockStore,
    private readonly audit: AuditLogRepository,
  ) {}

  async lock(ctx: WopiContext, lock: string, lockTtlMs: number): Promise<number> {
    this.assertMayLock(ctx);
    const file = await this.access.fileOf(ctx);
    let result = await this.locks.lock(ctx.tenant.id, file.id, lock, this.holder(ctx), { lockTtlMs });
    if (!result.ok && (await this.takeOverAbandonedLock(ctx, file, result.currentLock))) {
      result = await this.locks.lock(ctx.tenant.id, file.id, lock, this.holder(ctx), { lockTtlMs });
    }
    if (!result.ok) throw lockConflict(result);
    if (result.outcome === 'replaced-view-lock') {
      await this.audit.record({
        tenantId: ctx.tenant.id,
        actor: `user:${wopiUserId(ctx.tenant.id, ctx.userId)}`,
        action: 'lock.view_lock_replaced',
        target: `file:${file.id}`,
        details: { replacedLockId: result.replacedLockId },
      });
    }
    return this.access.itemVersion(ctx, file);
  }

  /**
   * Lock takeover policy of the client profile (docs/adr/0008-lock-takeover.md): a lock held longer
   * than `behaviour.lockTakeoverAfterMs` (a dead editor refreshing forever) may be replaced by a new
   * Lock. Off unless the profile sets it; always audited.
   */
  private async takeOverAbandonedLock(ctx: WopiContext, file: File, currentLock: string): Promise<boolean> {
    const afterMs = ctx.tenant.wopiClient?.behaviour.lockTakeoverAfterMs;
    if (typeof afterMs !== 'number' || afterMs <= 0 || currentLock === '') return false;
    const held = await this.locks.inspect(ctx.tenant.id, file.id);
    if (!held || held.lockId !== currentLock || held.ageMs < afterMs) return false;
    const released = await this.locks.forceUnlock(ctx.tenant.id, file.id, currentLock);
    if (!released.ok) return false;
    await this.audit.record({
      tenantId: ctx.tenant.id,
      actor: `user:${wopiUserId(ctx.tenant.id, ctx.userId)}`,
      action: 'lock.taken_over',
      target: `file:${file.id}`,
      details: {
        previousHolder: held.holder.userId,
        previousClient: held.holder.clientProfile,
        ageMs: held.ageMs,
        refreshCount: held.refreshCount,
      },
    });
    return true;
  }

  async unlockAndRelock(ctx: WopiContext, oldLock: string, lock: string, lockTtlMs: number): Promise<number> {
    this.assertMayLock(ctx);
    const file = await this.access.fileOf(ctx);
    const result = await this.locks.unlockAndRelock(ctx.tenant.id, file.id, oldLock, lock, this.holder(ctx), {
      lockTtlMs,
    });
    if (!result.ok) throw lockConflict(result);
    return this.access.itemVersion(ctx, file);
  }

  async refreshLock(ctx: WopiContext, lock: string, lockTtlMs: number): Promise<void> {
    this.assertMayLock(ctx);
    const file = await this.access.fileOf(ctx);
    const result = await this.locks.refreshLock(ctx.tenant.id, file.id, lock, { lockTtlMs });
    if (!result.ok) throw lockConflict(result);
  }

  async unlock(ctx: WopiContext, lock: string): Promise<number> {
    this.assertMayLock(ctx);
    const file = await this.access.fileOf(ctx);
    const result = await this.locks.unlock(ctx.tenant.id, file.id, lock);
    if (!result.ok) throw lockConflict(result);
    return this.access.itemVersion(ctx, file);
  }

  /** GetLock: the current lock, '' when unlocked (GetLock spec). */
  async getLock(ctx: WopiContext): Promise<string> {
    await this.access.fileOf(ctx);
    return this.access.currentLock(ctx);
  }

  private assertMayLock(ctx: WopiContext): void {
    // ONLYOFFICE takes locks from view-only sessions too (its co-editing model); others lock to edit.
    if (!ctx.permissions.write && ctx.tenant.wopiClient?.kind !== 'ONLYOFFICE') {
      throw WopiError.invalidToken('the token does not allow editing');
    }
  }

  /** Who takes a lock; a view-only session's lock never keeps an editor out (docs/adr/0016). */
  private holder(ctx: WopiContext): LockHolder {
    return {
      userId: wopiUserId(ctx.tenant.id, ctx.userId),
      clientProfile: ctx.tenant.wopiClient?.name ?? 'default',
      access: ctx.permissions.write ? 'edit' : 'view',
    };
  }
}
