import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { BLOB_STORE, type BlobStore } from '@wopi/blob-staging';
import { type File, type FileVersion } from '@wopi/db';
import { CoreAppClient } from '@wopi/core-app-client';
import { type RecordedSave, StagedBlobs, VersionLedger, WriteBackScheduler } from '@wopi/file-registry';
import { LockStore, type SaveFence } from '@wopi/lock-store';
import { isSameInstant, type PutFileRequest, type PutFileResponse, toIsoRoundTrip, WopiError } from '@wopi/wopi';
import { type WopiContext, wopiUserId } from './wopi-context';
import { lockConflict, targetOf, WopiFileAccess } from './wopi-file-access';

export interface FileDownload {
  stream: Readable;
  itemVersion: number;
  sizeBytes: number;
}

/** GetFile and PutFile: the file's bytes, from staging or the core app, and saves fenced by the lock. */
@Injectable()
export class WopiContentService {
  constructor(
    private readonly access: WopiFileAccess,
    private readonly ledger: VersionLedger,
    private readonly writeBacks: WriteBackScheduler,
    private readonly coreApps: CoreAppClient,
    private readonly locks: LockStore,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    private readonly stagedBlobs: StagedBlobs,
  ) {}

  /** GetFile: the bytes of the current version, from staging while the core app has not got them yet. */
  async getFile(ctx: WopiContext, maxExpectedSizeBytes: number): Promise<FileDownload> {
    const file = await this.access.fileOf(ctx);
    const target = targetOf(ctx);
    const staged = await this.stagedDownload(file, maxExpectedSizeBytes);
    if (staged) return staged;
    // Twice at most: if the core app's content changes between metadata and download, go again.
    for (let attempt = 1; ; attempt++) {
      const core = await this.coreApps.getFile(target, file.coreRef, ctx.userId, { fresh: true });
      if (!core.permissions.read) throw WopiError.fileNotFound('the core app no longer lets this user read the file');
      const version = await this.access.reconcile(file, core);
      assertNotLargerThan(version, maxExpectedSizeBytes);
      const download = await this.coreApps.getContent(target, file.coreRef, ctx.userId, {
        version: version.coreVersion,
        sizeBytes: Number(version.sizeBytes),
      });
      if (download.version === undefined || download.version === version.coreVersion || attempt === 2) {
        return {
          stream: download.stream,
          itemVersion: version.number,
          sizeBytes: download.sizeBytes,
        };
      }
      download.stream.destroy();
    }
  }

  /**
   * The current version's bytes from staging while the core app has not confirmed it, else
   * undefined. The cached current version may be a moment behind a write-back that confirmed it
   * and released its blob: then the ledger is asked afresh.
   */
  private async stagedDownload(file: File, maxExpectedSizeBytes: number): Promise<FileDownload | undefined> {
    for (const read of [() => this.ledger.current(file.id), () => this.ledger.currentFresh(file.id)]) {
      const current = await read();
      if (current?.writeBackState !== 'PENDING' || !current.blobKey) return undefined;
      assertNotLargerThan(current, maxExpectedSizeBytes);
      const stream = await this.blobs.open(current.blobKey).catch(() => undefined);
      if (stream) return { stream, itemVersion: current.number, sizeBytes: Number(current.sizeBytes) };
    }
    throw new Error(`the staged content of file ${file.id} is missing`);
  }

  /**
   * PutFile: lock rules, size limit, the body staged durably with its SHA-256 and checked against
   * its declared length, and the version recorded only while the lock is still the one the save
   * started under (the commit fence). Answers without asking the core app: write permission is the
   * token's (issued after the core app granted write; revocations are the guard's), and the
   * write-back job asks the core app again before writing (docs/adr/0016).
   */
  async putFile(
    ctx: WopiContext,
    request: PutFileRequest,
    body: Readable,
    declaredSizeBytes?: number,
  ): Promise<{ itemVersion: number; body?: PutFileResponse }> {
    this.assertMayWrite(ctx);
    const file = await this.access.fileOf(ctx);
    const fence = await this.saveFence(ctx, file);
    const base = await this.baseVersion(ctx, file);
    assertMayPut(fence, base, request.lock);
    if (request.collaboraTimestamp !== undefined && !isSameInstant(request.collaboraTimestamp, base.modifiedAt)) {
      throw WopiError.collaboraTimestampMismatch();
    }
    const maxBytes = Number(ctx.tenant.maxFileBytes);
    if (declaredSizeBytes !== undefined && declaredSizeBytes > maxBytes) throw WopiError.fileTooLarge();
    const staged = await this.access.stage(body, maxBytes, declaredSizeBytes);

    // Durable from here on: the version and its outbox row commit together; the worker pushes it.
    let version: RecordedSave;
    try {
      version = await this.ledger.recordWopiSave(
        file.id,
        {
          sha256: staged.sha256,
          sizeBytes: staged.sizeBytes,
          blobKey: staged.key,
          savedBy: wopiUserId(ctx.tenant.id, ctx.userId),
          editors: request.editors,
          tenantId: ctx.tenant.id,
          coreUserId: ctx.userId,
          // The editing session the save belongs to: its verified lock (one conflict copy per session).
          lock: fence.lockId || undefined,
        },
        async (latestVersion) => {
          const fenced = await this.locks.checkSaveFence(ctx.tenant.id, file.id, fence);
          if (!fenced.ok) throw lockConflict(fenced);
          // Two unlocked saves of an empty file: only the first finds it still empty. A locked
          // save needs no version read here: the fence above is its whole guard.
          if (fence.lockId !== '') return;
          const latest = await latestVersion();
          if (latest && Number(latest.sizeBytes) !== 0) {
            throw WopiError.lockMismatch('', 'file is not locked and not empty');
          }
        },
      );
    } catch (error) {
      // Nothing was recorded: the staged bytes go, unless a waiting save of the same bytes needs them.
      await this.stagedBlobs.release([staged.key]);
      throw error;
    }
    await this.writeBacks.enqueueRecorded(version);
    const isCollabora =
      request.collaboraTimestamp !== undefined || request.isAutosave !== undefined || request.isExitSave !== undefined;
    return {
      itemVersion: version.number,
      body: isCollabora ? { LastModifiedTime: toIsoRoundTrip(version.modifiedAt) } : undefined,
    };
  }

  /** The lock state a save starts from; a lock that cannot be sent as a WOPI lock is a 409. */
  private async saveFence(ctx: WopiContext, file: File): Promise<SaveFence> {
    const fence = await this.locks.readSaveFence(ctx.tenant.id, file.id);
    if ('ok' in fence) throw lockConflict(fence);
    return fence;
  }

  /**
   * The version a save builds on: the gateway's current version, not the core app's, so a change
   * made in the core app meanwhile never becomes the base an editor's save is written over (the
   * write-back's precondition fails and the save becomes a conflict copy). The session API records
   * it when a session opens; only a file with no version yet (a PutFile before any session or
   * CheckFileInfo) makes this ask the core app.
   */
  private async baseVersion(ctx: WopiContext, file: File): Promise<FileVersion> {
    const known = await this.ledger.current(file.id);
    if (known) return known;
    return this.access.reconcile(
      file,
      await this.coreApps.getFile(targetOf(ctx), file.coreRef, ctx.userId, { fresh: true }),
    );
  }

  private assertMayWrite(ctx: WopiContext): void {
    if (!ctx.permissions.write) throw WopiError.invalidToken('the token does not allow writing');
  }
}

/** PutFile's lock rules (PutFile spec): the file's lock, or no lock while the file is still empty (createnew). */
function assertMayPut(fence: SaveFence, base: FileVersion, requestLock: string | undefined): void {
  if (fence.lockId === '') {
    if (Number(base.sizeBytes) !== 0) throw WopiError.lockMismatch('', 'file is not locked and not empty');
  } else if (fence.lockId !== requestLock) {
    throw WopiError.lockMismatch(fence.lockId, requestLock ? 'lock mismatch' : 'file is locked');
  }
}

function assertNotLargerThan(version: FileVersion, maxExpectedSizeBytes: number): void {
  if (Number(version.sizeBytes) > maxExpectedSizeBytes) {
    throw WopiError.preconditionFailed(`the file is larger than X-WOPI-MaxExpectedSize (${maxExpectedSizeBytes})`);
  }
}
