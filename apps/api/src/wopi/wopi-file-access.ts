import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import {
  BLOB_STORE,
  BlobIncompleteError,
  type BlobStore,
  BlobTooLargeError,
  type StagedBlob,
} from '@wopi/blob-staging';
import { type File, type FileVersion } from '@wopi/db';
import { CoreAppClient, type CoreAppTarget, type CoreFile } from '@wopi/core-app-client';
import { coreContentState, FileRepository, VersionLedger } from '@wopi/file-registry';
import { type LockConflict, LockStore } from '@wopi/lock-store';
import { WopiError } from '@wopi/wopi';
import { type WopiContext } from './wopi-context';

/**
 * What every WOPI operation family needs of a file: the file of the token (never another
 * tenant's), its version ledger in line with the core app, its item version, its lock as a WOPI
 * lock, and a request body staged with its length checked.
 */
@Injectable()
export class WopiFileAccess {
  constructor(
    private readonly files: FileRepository,
    private readonly ledger: VersionLedger,
    private readonly coreApps: CoreAppClient,
    private readonly locks: LockStore,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async fileOf(ctx: WopiContext): Promise<File> {
    const file = await this.files.findForTenant(ctx.tenant.id, ctx.fileId);
    if (!file) throw WopiError.fileNotFound();
    return file;
  }

  reconcile(file: File, core: CoreFile): Promise<FileVersion> {
    return this.ledger.reconcile(file.id, coreContentState(core));
  }

  async itemVersion(ctx: WopiContext, file: File): Promise<number> {
    const current = await this.ledger.current(file.id);
    if (current) return current.number;
    return (await this.reconcile(file, await this.coreApps.getFile(targetOf(ctx), file.coreRef, ctx.userId))).number;
  }

  /** The file's lock, '' when unlocked (or when the stored lock cannot be sent as a WOPI lock). */
  async currentLock(ctx: WopiContext, fileId = ctx.fileId): Promise<string> {
    return (await this.locks.getLock(ctx.tenant.id, fileId)).currentLock;
  }

  /** Streams a body into staging; a body over the limit is a 413, one cut off or of the wrong length a 400. */
  async stage(body: Readable, maxBytes: number, expectedBytes: number | undefined): Promise<StagedBlob> {
    try {
      return await this.blobs.put(body, { maxBytes, expectedBytes });
    } catch (error) {
      if (error instanceof BlobTooLargeError) throw WopiError.fileTooLarge();
      if (error instanceof BlobIncompleteError) throw WopiError.badRequest(error.message);
      if (isCutOffUpload(error)) throw WopiError.badRequest('the upload ended before its body was complete');
      throw error;
    }
  }
}

export function targetOf(ctx: WopiContext): CoreAppTarget {
  return { tenantId: ctx.tenant.id, ...ctx.tenant.coreApp };
}

/** The request stream ended early: the client or a proxy closed the connection mid-body. */
function isCutOffUpload(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'ECONNABORTED';
}

export function lockConflict(conflict: LockConflict): WopiError {
  return WopiError.lockMismatch(conflict.currentLock, conflict.reason);
}
