import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { AccessTokenService } from '@wopi/access-tokens';
import { BLOB_STORE, type BlobStore } from '@wopi/blob-staging';
import { type File } from '@wopi/db';
import {
  CoreAppClient,
  CoreAppError,
  CoreAppErrorKind,
  type CoreAppTarget,
  type CoreFile,
} from '@wopi/core-app-client';
import { CreatedFileRegistrar, FileRepository, StagedBlobs } from '@wopi/file-registry';
import {
  fileNameProblem,
  type PutRelativeFileRequest,
  type PutRelativeFileResponse,
  renamedFileName,
  type RenameFileRequest,
  type RenameFileResponse,
  splitFileName,
  suggestedTargetToName,
  toValidFileName,
  withoutUndefined,
  WopiError,
} from '@wopi/wopi';
import { type WopiContext } from './wopi-context';
import { WOPI_SETTINGS, type WopiSettings } from './wopi-settings';
import { targetOf, WopiFileAccess } from './wopi-file-access';

/** PutRelativeFile, RenameFile and DeleteFile: files created, renamed or deleted in the core app. */
@Injectable()
export class WopiNamesService {
  constructor(
    private readonly access: WopiFileAccess,
    private readonly files: FileRepository,
    private readonly createdFiles: CreatedFileRegistrar,
    private readonly coreApps: CoreAppClient,
    private readonly tokens: AccessTokenService,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    private readonly stagedBlobs: StagedBlobs,
    @Inject(WOPI_SETTINGS) private readonly settings: WopiSettings,
  ) {}

  /** PutRelativeFile: a new file next to this one, in suggested or specific mode. */
  async putRelativeFile(
    ctx: WopiContext,
    request: PutRelativeFileRequest,
    body: Readable,
    declaredSizeBytes?: number,
  ): Promise<PutRelativeFileResponse> {
    if (!ctx.tenant.features.putRelativeFile || !ctx.permissions.createSibling) {
      throw WopiError.notImplemented('PutRelativeFile is not available to this user');
    }
    const file = await this.access.fileOf(ctx);
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
    if (declaredSizeBytes !== undefined && declaredSizeBytes > maxBytes) throw WopiError.fileTooLarge();
    const staged = await this.access.stage(body, maxBytes, declaredSizeBytes);
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
    const file = await this.access.fileOf(ctx);
    const currentLock = await this.access.currentLock(ctx);
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
    const file = await this.access.fileOf(ctx);
    const currentLock = await this.access.currentLock(ctx);
    if (currentLock !== '') throw WopiError.lockMismatch(currentLock, 'file is locked');
    await this.coreApps.deleteFile(targetOf(ctx), file.coreRef, ctx.userId);
    await this.files.markDeleted(file.id);
  }

  private async assertMayOverwrite(ctx: WopiContext, target: CoreAppTarget, file: File, name: string): Promise<void> {
    const existing = await this.coreApps.findSibling(target, file.coreRef, ctx.userId, name);
    if (!existing) return;
    // "If the user is not authorized to overwrite the target file, the host must respond with a 501."
    if (!existing.permissions.write) throw WopiError.notImplemented('the user may not overwrite the target file');
    const registered = await this.files.findByCoreRef(ctx.tenant.id, existing.ref);
    if (!registered) return;
    const lock = await this.access.currentLock(ctx, registered.id);
    if (lock !== '') throw WopiError.lockMismatch(lock, 'the target file is locked');
  }

  private wopiSrc(fileId: string): string {
    return `${this.settings.publicBaseUrl}/wopi/files/${fileId}`;
  }
}
