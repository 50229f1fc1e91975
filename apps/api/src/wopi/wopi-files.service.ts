import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { AccessTokenService, type FilePermissions } from '@wopi/access-tokens';
import { BLOB_STORE, type BlobStore, BlobTooLargeError, type StagedBlob } from '@wopi/blob-staging';
import { type File, type FileVersion } from '@wopi/db';
import {
  CoreAppClient,
  CoreAppError,
  CoreAppErrorKind,
  type CoreAppTarget,
  type CoreFile,
} from '@wopi/core-app-client';
import {
  CreatedFileRegistrar,
  FileRepository,
  StagedBlobs,
  VersionLedger,
  WriteBackScheduler,
} from '@wopi/file-registry';
import { type LockConflict, LockStore } from '@wopi/lock-store';
import { AuditLogRepository, UserInfoRepository } from '@wopi/tenancy';
import {
  type CheckFileInfo,
  fileNameProblem,
  isSameInstant,
  parseUserInfo,
  type PutFileRequest,
  type PutFileResponse,
  type PutRelativeFileRequest,
  type PutRelativeFileResponse,
  renamedFileName,
  type RenameFileRequest,
  type RenameFileResponse,
  splitFileName,
  suggestedTargetToName,
  toIsoRoundTrip,
  toValidFileName,
  withoutUndefined,
  WopiError,
} from '@wopi/wopi';
import { buildCheckFileInfo } from './check-file-info.builder';
import { type WopiContext, wopiUserId } from './wopi-context';
import { WOPI_SETTINGS, type WopiSettings } from './wopi-settings';

export interface FileDownload {
  stream: Readable;
  itemVersion: number;
  sizeBytes: number;
}

/**
 * The WOPI file operations, each following its spec page's decision tree. The service receives
 * a WopiContext built from the verified token and never reads headers.
 */
@Injectable()
export class WopiFilesService {
  constructor(
    private readonly files: FileRepository,
    private readonly ledger: VersionLedger,
    private readonly writeBacks: WriteBackScheduler,
    private readonly createdFiles: CreatedFileRegistrar,
    private readonly coreApps: CoreAppClient,
    private readonly locks: LockStore,
    private readonly tokens: AccessTokenService,
    private readonly userInfos: UserInfoRepository,
    private readonly audit: AuditLogRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    private readonly stagedBlobs: StagedBlobs,
    @Inject(WOPI_SETTINGS) private readonly settings: WopiSettings,
  ) {}

  async checkFileInfo(ctx: WopiContext): Promise<CheckFileInfo> {
    const file = await this.fileOf(ctx);
    const target = targetOf(ctx);
    const [core, user, userInfo] = await Promise.all([
      this.coreApps.getFile(target, file.coreRef, ctx.userId),
      this.coreApps.getUser(target, ctx.userId).catch(() => undefined),
      ctx.tenant.features.userInfo ? this.userInfos.get(ctx.tenant.id, ctx.userId) : undefined,
    ]);
    if (!core.permissions.read) throw WopiError.fileNotFound('the core app no longer lets this user read the file');
    const version = await this.reconcile(file, core);
    if (core.name !== file.name) await this.files.rename(file.id, core.name);
    return buildCheckFileInfo({
      tenant: ctx.tenant,
      userId: ctx.userId,
      permissions: intersect(ctx.permissions, core.permissions),
      core,
      user,
      userInfo,
      version,
      publicBaseUrl: this.settings.publicBaseUrl,
    });
  }

  /** GetFile: the bytes of the current version, from staging while the core app has not got them yet. */
  async getFile(ctx: WopiContext, maxExpectedSizeBytes: number): Promise<FileDownload> {
    const file = await this.fileOf(ctx);
    const target = targetOf(ctx);
    const current = await this.ledger.current(file.id);
    if (current?.writeBackState === 'PENDING' && current.blobKey) {
      assertNotLargerThan(current, maxExpectedSizeBytes);
      return {
        stream: await this.blobs.open(current.blobKey),
        itemVersion: current.number,
        sizeBytes: Number(current.sizeBytes),
      };
    }
    // Twice at most: if the core app's content changes between metadata and download, go again.
    for (let attempt = 1; ; attempt++) {
      const core = await this.coreApps.getFile(target, file.coreRef, ctx.userId, { fresh: true });
      if (!core.permissions.read) throw WopiError.fileNotFound('the core app no longer lets this user read the file');
      const version = await this.reconcile(file, core);
      assertNotLargerThan(version, maxExpectedSizeBytes);
      const download = await this.coreApps.getContent(target, file.coreRef, ctx.userId);
      if (download.version === undefined || download.version === version.coreVersion || attempt === 2) {
        return {
          stream: download.stream,
          itemVersion: version.number,
          sizeBytes: download.sizeBytes ?? Number(version.sizeBytes),
        };
      }
      download.stream.destroy();
    }
  }

  /** PutFile: lock rules, size limit, staged durably with its SHA-256; answers before the core app is asked. */
  async putFile(
    ctx: WopiContext,
    request: PutFileRequest,
    body: Readable,
    declaredSizeBytes?: number,
  ): Promise<{ itemVersion: number; body?: PutFileResponse }> {
    this.assertMayWrite(ctx);
    const file = await this.fileOf(ctx);
    const currentLock = await this.currentLock(ctx);
    const current = await this.stateForWrite(ctx, file);
    if (currentLock === '') {
      // An unlocked file may only be written while it is empty (PutFile spec; createnew.rst).
      if (Number(current.sizeBytes) !== 0) throw WopiError.lockMismatch('', 'file is not locked and not empty');
    } else if (currentLock !== request.lock) {
      throw WopiError.lockMismatch(currentLock, request.lock ? 'lock mismatch' : 'file is locked');
    }
    if (request.collaboraTimestamp !== undefined && !isSameInstant(request.collaboraTimestamp, current.modifiedAt)) {
      throw WopiError.collaboraTimestampMismatch();
    }
    const maxBytes = Number(ctx.tenant.maxFileBytes);
    if (declaredSizeBytes !== undefined && declaredSizeBytes > maxBytes) throw WopiError.fileTooLarge();
    const staged = await this.stage(body, maxBytes);

    // Durable from here on: the version and its outbox row commit together; the worker pushes it.
    const version = await this.ledger.recordWopiSave(file.id, {
      sha256: staged.sha256,
      sizeBytes: staged.sizeBytes,
      blobKey: staged.key,
      savedBy: wopiUserId(ctx.tenant.id, ctx.userId),
      editors: request.editors,
      tenantId: ctx.tenant.id,
      coreUserId: ctx.userId,
    });
    await this.writeBacks.enqueue(version.id);
    const isCollabora =
      request.collaboraTimestamp !== undefined || request.isAutosave !== undefined || request.isExitSave !== undefined;
    return {
      itemVersion: version.number,
      body: isCollabora ? { LastModifiedTime: toIsoRoundTrip(version.modifiedAt) } : undefined,
    };
  }

  /**
   * The version a save builds on, with the user's right to write asked anew (whatever the
   * permission cache holds). It is the gateway's current version, not the core app's: a change
   * made in the core app meanwhile must not become the base the editor's save is written over;
   * the write-back's precondition then fails and the save becomes a conflict copy. While the core
   * app is unreachable the save is taken on the token's permissions, so no work is lost; the
   * write-back goes to the core app as this user and is checked there (docs/adr/0009).
   */
  private async stateForWrite(ctx: WopiContext, file: File): Promise<FileVersion> {
    const known = await this.ledger.current(file.id);
    let core: CoreFile;
    try {
      core = await this.coreApps.getFile(targetOf(ctx), file.coreRef, ctx.userId, { fresh: true });
    } catch (error) {
      const outage =
        error instanceof CoreAppError &&
        (error.kind === CoreAppErrorKind.Unavailable || error.kind === CoreAppErrorKind.CircuitOpen);
      if (outage && known) return known;
      throw error;
    }
    if (!core.permissions.write) throw WopiError.invalidToken('the core app no longer lets this user write the file');
    return known ?? this.reconcile(file, core);
  }

  async lock(ctx: WopiContext, lock: string, lockTtlMs: number): Promise<number> {
    this.assertMayLock(ctx);
    const file = await this.fileOf(ctx);
    let result = await this.locks.lock(ctx.tenant.id, file.id, lock, this.holder(ctx), { lockTtlMs });
    if (!result.ok && (await this.takeOverAbandonedLock(ctx, file, result.currentLock))) {
      result = await this.locks.lock(ctx.tenant.id, file.id, lock, this.holder(ctx), { lockTtlMs });
    }
    if (!result.ok) throw lockConflict(result);
    return this.itemVersion(ctx, file);
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
    const file = await this.fileOf(ctx);
    const result = await this.locks.unlockAndRelock(ctx.tenant.id, file.id, oldLock, lock, this.holder(ctx), {
      lockTtlMs,
    });
    if (!result.ok) throw lockConflict(result);
    return this.itemVersion(ctx, file);
  }

  async refreshLock(ctx: WopiContext, lock: string, lockTtlMs: number): Promise<void> {
    this.assertMayLock(ctx);
    const file = await this.fileOf(ctx);
    const result = await this.locks.refreshLock(ctx.tenant.id, file.id, lock, { lockTtlMs });
    if (!result.ok) throw lockConflict(result);
  }

  async unlock(ctx: WopiContext, lock: string): Promise<number> {
    this.assertMayLock(ctx);
    const file = await this.fileOf(ctx);
    const result = await this.locks.unlock(ctx.tenant.id, file.id, lock);
    if (!result.ok) throw lockConflict(result);
    return this.itemVersion(ctx, file);
  }

  /** GetLock: the current lock, '' when unlocked (GetLock spec). */
  async getLock(ctx: WopiContext): Promise<string> {
    await this.fileOf(ctx);
    return this.currentLock(ctx);
  }

  /** PutRelativeFile: a new file next to this one, in suggested or specific mode. */
  async putRelativeFile(
    ctx: WopiContext,
    request: PutRelativeFileRequest,
    body: Readable,
  ): Promise<PutRelativeFileResponse> {
    if (!ctx.tenant.features.putRelativeFile || !ctx.permissions.createSibling) {
      throw WopiError.notImplemented('PutRelativeFile is not available to this user');
    }
    const file = await this.fileOf(ctx);
    const target = targetOf(ctx);
    let name: string;
    let onConflict: 'fail' | 'overwrite' | 'rename';
    if (request.target.mode === 'suggested') {
      // Suggested mode must never fail for the name: make it legal, let the core app make it unique.
      name = toValidFileName(suggestedTargetToName(file.name, request.target.suggestedTarget));
      onConflict = 'rename';
    } else {
      name = request.target.relativeTarget;
      const problem = fileNameProblem(name);
      if (problem) throw WopiError.invalidFileName(problem, toValidFileName(name));
      onConflict = request.target.overwrite ? 'overwrite' : 'fail';
      if (request.target.overwrite) await this.assertMayOverwrite(ctx, target, file, name);
    }
    const maxBytes = Number(ctx.tenant.maxFileBytes);
    if (request.sizeBytes !== undefined && request.sizeBytes > maxBytes) throw WopiError.fileTooLarge();
    const staged = await this.stage(body, maxBytes);
    try {
      let created: CoreFile;
      try {
        created = await this.coreApps.createSibling(target, file.coreRef, ctx.userId, {
          name,
          onConflict,
          body: { open: () => this.blobs.open(staged.key), sizeBytes: staged.sizeBytes, sha256: staged.sha256 },
          idempotencyKey: `${file.id}:relative:${staged.sha256}:${name}:${Date.now()}`,
        });
      } catch (error) {
        if (error instanceof CoreAppError && error.kind === CoreAppErrorKind.NameConflict) {
          const details = error.details.body?.error as { details?: { suggestedName?: unknown } } | undefined;
          const suggested = details?.details?.suggestedName;
          throw WopiError.relativeTargetExists(typeof suggested === 'string' ? suggested : undefined);
        }
        if (error instanceof CoreAppError && error.kind === CoreAppErrorKind.Rejected) {
          throw WopiError.invalidFileName('the core app refused the name', toValidFileName(name));
        }
        throw error;
      }
      const newFile = await this.createdFiles.register(ctx.tenant.id, created, staged.sha256);
      const { token } = await this.tokens.issue({
        tenantId: ctx.tenant.id,
        fileId: newFile.id,
        userId: ctx.userId,
        permissions: created.permissions,
        ttlMs: ctx.tenant.accessTokenTtlMs,
        // The client that saved the copy opens it: its proof keys sign the requests on the new file.
        ...(ctx.tenant.wopiClient ? { clientProfileId: ctx.tenant.wopiClient.id } : {}),
      });
      return withoutUndefined<PutRelativeFileResponse>({
        Name: created.name,
        Url: `${this.wopiSrc(newFile.id)}?access_token=${encodeURIComponent(token)}`,
        HostViewUrl: created.urls?.view,
        HostEditUrl: created.urls?.edit,
      });
    } finally {
      // Released, not deleted: a waiting save of the same bytes (Save As right after a save) keeps it.
      await this.stagedBlobs.release([staged.key]);
    }
  }

  /** RenameFile: the ID stays, the name changes; lock rules as the spec says. */
  async renameFile(ctx: WopiContext, request: RenameFileRequest): Promise<RenameFileResponse> {
    if (!ctx.tenant.features.rename) throw WopiError.notImplemented('RenameFile is switched off for this tenant');
    if (!ctx.permissions.rename || !ctx.permissions.write)
      throw WopiError.invalidToken('the token does not allow renaming');
    const file = await this.fileOf(ctx);
    const currentLock = await this.currentLock(ctx);
    // Unlocked: rename. Locked: only with the same lock (RenameFile spec).
    if (currentLock !== '' && currentLock !== request.lock) throw WopiError.lockMismatch(currentLock, 'lock mismatch');
    const newName = renamedFileName(file.name, request.requestedName);
    const problem = fileNameProblem(newName);
    if (problem) throw WopiError.invalidFileName(problem);
    const target = targetOf(ctx);
    let renamed: CoreFile;
    try {
      renamed = await this.coreApps.rename(target, file.coreRef, ctx.userId, newName);
    } catch (error) {
      if (!(error instanceof CoreAppError) || error.kind !== CoreAppErrorKind.NameConflict) throw error;
      // "The host should try to generate a different name based on the requested name" (RenameFile spec).
      const details = error.details.body?.error as { details?: { suggestedName?: unknown } } | undefined;
      const suggested = details?.details?.suggestedName;
      if (typeof suggested !== 'string') throw WopiError.invalidFileName('a file with that name exists');
      renamed = await this.coreApps.rename(target, file.coreRef, ctx.userId, suggested);
    }
    await this.files.rename(file.id, renamed.name);
    return { Name: splitFileName(renamed.name).baseName };
  }

  async deleteFile(ctx: WopiContext): Promise<void> {
    if (!ctx.tenant.features.deleteFile) throw WopiError.notImplemented('DeleteFile is switched off for this tenant');
    if (!ctx.permissions.delete) throw WopiError.invalidToken('the token does not allow deleting');
    const file = await this.fileOf(ctx);
    const currentLock = await this.currentLock(ctx);
    if (currentLock !== '') throw WopiError.lockMismatch(currentLock, 'file is locked');
    await this.coreApps.deleteFile(targetOf(ctx), file.coreRef, ctx.userId);
    await this.files.markDeleted(file.id);
  }

  async putUserInfo(ctx: WopiContext, body: Buffer): Promise<void> {
    if (!ctx.tenant.features.userInfo) throw WopiError.notImplemented('PutUserInfo is switched off for this tenant');
    await this.fileOf(ctx);
    await this.userInfos.put(ctx.tenant.id, ctx.userId, parseUserInfo(body));
  }

  private async fileOf(ctx: WopiContext): Promise<File> {
    const file = await this.files.findForTenant(ctx.tenant.id, ctx.fileId);
    if (!file) throw WopiError.fileNotFound();
    return file;
  }

  private reconcile(file: File, core: CoreFile): Promise<FileVersion> {
    return this.ledger.reconcile(file.id, {
      version: core.version,
      sha256: core.sha256,
      sizeBytes: core.size,
      lastModifiedTime: new Date(core.lastModifiedTime),
    });
  }

  private async itemVersion(ctx: WopiContext, file: File): Promise<number> {
    const current = await this.ledger.current(file.id);
    if (current) return current.number;
    return (await this.reconcile(file, await this.coreApps.getFile(targetOf(ctx), file.coreRef, ctx.userId))).number;
  }

  /** The file's lock, '' when unlocked (or when the stored lock cannot be sent as a WOPI lock). */
  private async currentLock(ctx: WopiContext, fileId = ctx.fileId): Promise<string> {
    return (await this.locks.getLock(ctx.tenant.id, fileId)).currentLock;
  }

  private async stage(body: Readable, maxBytes: number): Promise<StagedBlob> {
    try {
      return await this.blobs.put(body, { maxBytes });
    } catch (error) {
      if (error instanceof BlobTooLargeError) throw WopiError.fileTooLarge();
      throw error;
    }
  }

  private async assertMayOverwrite(ctx: WopiContext, target: CoreAppTarget, file: File, name: string): Promise<void> {
    const existing = await this.coreApps.findSibling(target, file.coreRef, ctx.userId, name);
    if (!existing) return;
    // "If the user is not authorized to overwrite the target file, the host must respond with a 501."
    if (!existing.permissions.write) throw WopiError.notImplemented('the user may not overwrite the target file');
    const registered = await this.files.findByCoreRef(ctx.tenant.id, existing.ref);
    if (!registered) return;
    const lock = await this.currentLock(ctx, registered.id);
    if (lock !== '') throw WopiError.lockMismatch(lock, 'the target file is locked');
  }

  private assertMayWrite(ctx: WopiContext): void {
    if (!ctx.permissions.write) throw WopiError.invalidToken('the token does not allow writing');
  }

  private assertMayLock(ctx: WopiContext): void {
    // ONLYOFFICE takes locks from view-only sessions too (its co-editing model); others lock to edit.
    if (!ctx.permissions.write && ctx.tenant.wopiClient?.kind !== 'ONLYOFFICE') {
      throw WopiError.invalidToken('the token does not allow editing');
    }
  }

  private holder(ctx: WopiContext) {
    return { userId: wopiUserId(ctx.tenant.id, ctx.userId), clientProfile: ctx.tenant.wopiClient?.name ?? 'default' };
  }

  private wopiSrc(fileId: string): string {
    return `${this.settings.publicBaseUrl}/wopi/files/${fileId}`;
  }
}

function targetOf(ctx: WopiContext): CoreAppTarget {
  return { tenantId: ctx.tenant.id, ...ctx.tenant.coreApp };
}

function intersect(token: FilePermissions, core: FilePermissions): FilePermissions {
  return {
    read: token.read && core.read,
    write: token.write && core.write,
    rename: token.rename && core.rename,
    delete: token.delete && core.delete,
    createSibling: token.createSibling && core.createSibling,
    share: token.share && core.share,
  };
}

function lockConflict(conflict: LockConflict): WopiError {
  return WopiError.lockMismatch(conflict.currentLock, conflict.reason);
}

function assertNotLargerThan(version: FileVersion, maxExpectedSizeBytes: number): void {
  if (Number(version.sizeBytes) > maxExpectedSizeBytes) {
    throw WopiError.preconditionFailed(`the file is larger than X-WOPI-MaxExpectedSize (${maxExpectedSizeBytes})`);
  }
}
