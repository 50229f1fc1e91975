import { Injectable } from '@nestjs/common';
import { type FileVersion, Prisma, PrismaService } from '@wopi/db';
import { currentTraceCarrier } from '@wopi/telemetry';
import { StagedBlobs } from './staged-blobs';

/** The content of a file as the core app reports it now. */
export interface CoreContentState {
  version: string;
  sha256?: string;
  sizeBytes: number;
  lastModifiedTime: Date;
}

export interface WopiSaveInput {
  sha256: string;
  sizeBytes: number;
  blobKey: string;
  savedBy: string;
  editors: string[];
  /** For the write-back outbox row written in the same transaction. */
  tenantId: string;
  /** The core app's user the version is written back as. */
  coreUserId: string;
}

/** Versions that stand for the file's content (a failed save never does). */
const LIVE: Prisma.FileVersionWhereInput = { writeBackState: { not: 'FAILED' } };

/**
 * The file's version history, the single source of truth for WOPI Version, X-WOPI-ItemVersion,
 * SHA256, Size and LastModifiedTime (stored when content changes, never recomputed per call).
 * Version numbers come from File.currentVersion under a row lock, so they never repeat.
 */
@Injectable()
export class VersionLedger {
  constructor(
    private readonly prisma: PrismaService,
    private readonly stagedBlobs: StagedBlobs,
  ) {}

  /** The version whose content is the file's content now, or null before anything was recorded. */
  current(fileId: string): Promise<FileVersion | null> {
    return this.prisma.fileVersion.findFirst({ where: { fileId, ...LIVE }, orderBy: { number: 'desc' } });
  }

  /**
   * Brings the ledger in line with the core app: the first time a file is seen, and whenever its
   * content changed outside WOPI, it records a new version. A save still waiting for the core app
   * (PENDING) is newer than anything the core app has, so nothing is recorded then.
   */
  async reconcile(fileId: string, core: CoreContentState): Promise<FileVersion> {
    const current = await this.current(fileId);
    if (current && (current.writeBackState === 'PENDING' || current.coreVersion === core.version)) return current;
    return this.withFileLock(fileId, async (tx, nextNumber) => {
      const latest = await tx.fileVersion.findFirst({ where: { fileId, ...LIVE }, orderBy: { number: 'desc' } });
      // Another request recorded it while we waited for the lock.
      if (latest && (latest.writeBackState === 'PENDING' || latest.coreVersion === core.version)) return latest;
      return tx.fileVersion.create({
        data: {
          fileId,
          number: nextNumber,
          origin: 'CORE_APP',
          sha256: core.sha256 ?? null,
          sizeBytes: BigInt(core.sizeBytes),
          writeBackState: 'CONFIRMED',
          coreVersion: core.version,
          modifiedAt: core.lastModifiedTime,
          confirmedAt: new Date(),
        },
      });
    });
  }

  /**
   * Records a PutFile: the next version, PENDING until the core app confirms it, and its outbox
   * row, in one transaction: once this returns, the save survives any crash. Throws
   * StagedBlobGoneError (nothing recorded) if the staged bytes were released meanwhile.
   */
  recordWopiSave(fileId: string, save: WopiSaveInput): Promise<FileVersion> {
    return this.withFileLock(fileId, async (tx, nextNumber) => {
      await this.stagedBlobs.holdForSave(tx, save.blobKey);
      const version = await tx.fileVersion.create({
        data: {
          fileId,
          number: nextNumber,
          origin: 'WOPI',
          sha256: save.sha256,
          sizeBytes: BigInt(save.sizeBytes),
          blobKey: save.blobKey,
          writeBackState: 'PENDING',
          savedBy: save.savedBy,
          editors: save.editors,
        },
      });
      await tx.writeBackOutbox.create({
        data: {
          versionId: version.id,
          fileId,
          tenantId: save.tenantId,
          userId: save.coreUserId,
          // Kept with the row so a job the relay enqueues later still joins the save's trace.
          traceContext: currentTraceCarrier(),
        },
      });
      return version;
    });
  }

  findVersion(versionId: string): Promise<FileVersion | null> {
    return this.prisma.fileVersion.findUnique({ where: { id: versionId } });
  }

  /** A version newer than this one that is (or will be) the file's content, if any. */
  newerLiveVersion(version: FileVersion): Promise<FileVersion | null> {
    return this.prisma.fileVersion.findFirst({
      where: {
        fileId: version.fileId,
        number: { gt: version.number },
        writeBackState: { in: ['PENDING', 'CONFIRMED'] },
      },
      orderBy: { number: 'desc' },
    });
  }

  /**
   * The core app holds this version now: it is CONFIRMED, every older version still waiting is
   * SUPERSEDED (never written: the newer content already is), and their outbox rows go.
   */
  confirm(version: FileVersion, coreVersion: string): Promise<FileVersion> {
    return this.resolve(version, async (tx) => {
      const older = await tx.fileVersion.findMany({
        where: { fileId: version.fileId, number: { lt: version.number }, writeBackState: 'PENDING' },
        select: { id: true },
      });
      const olderIds = older.map((v) => v.id);
      await tx.fileVersion.updateMany({
        where: { id: { in: olderIds } },
        data: { writeBackState: 'SUPERSEDED', blobKey: null },
      });
      await tx.writeBackOutbox.deleteMany({ where: { versionId: { in: olderIds } } });
      return tx.fileVersion.update({
        where: { id: version.id },
        data: {
          writeBackState: 'CONFIRMED',
          coreVersion,
          confirmedAt: new Date(),
          blobKey: null,
          writeBackError: null,
        },
      });
    });
  }

  /** A newer version exists: this one is never written. */
  supersede(version: FileVersion): Promise<FileVersion> {
    return this.resolve(version, (tx) =>
      tx.fileVersion.update({ where: { id: version.id }, data: { writeBackState: 'SUPERSEDED', blobKey: null } }),
    );
  }

  /** The core app's copy had changed outside WOPI: this version went to a conflict copy instead. */
  markConflict(version: FileVersion): Promise<FileVersion> {
    return this.resolve(version, async (tx) => {
      await tx.file.update({ where: { id: version.fileId }, data: { lastConflictAt: new Date() } });
      return tx.fileVersion.update({
        where: { id: version.id },
        data: { writeBackState: 'CONFLICT', blobKey: null, writeBackError: null },
      });
    });
  }

  /** An operator gave up on this version's write-back (audited by the caller). */
  discard(version: FileVersion, reason: string): Promise<FileVersion> {
    return this.resolve(version, (tx) =>
      tx.fileVersion.update({
        where: { id: version.id },
        data: { writeBackState: 'FAILED', blobKey: null, writeBackError: reason },
      }),
    );
  }

  async recordWriteBackError(versionId: string, message: string): Promise<void> {
    await this.prisma.fileVersion.update({
      where: { id: versionId },
      data: { writeBackError: message.slice(0, 2000) },
    });
  }

  /** Whether one of our own saves of this file had this content (to recognise our write after a crash). */
  async isOwnContent(fileId: string, sha256: string): Promise<boolean> {
    return (await this.prisma.fileVersion.count({ where: { fileId, origin: 'WOPI', sha256 } })) > 0;
  }

  /**
   * One writer per file: a lease on the file row that a crashed worker's successor can take over
   * once it expires. False when another worker holds it.
   */
  async acquireWriteBackLease(fileId: string, owner: string, ttlMs: number): Promise<boolean> {
    const { count } = await this.prisma.file.updateMany({
      where: {
        id: fileId,
        OR: [
          { writeBackLeaseUntil: null },
          { writeBackLeaseUntil: { lt: new Date() } },
          { writeBackLeaseOwner: owner },
        ],
      },
      data: { writeBackLeaseOwner: owner, writeBackLeaseUntil: new Date(Date.now() + ttlMs) },
    });
    return count === 1;
  }

  async releaseWriteBackLease(fileId: string, owner: string): Promise<void> {
    await this.prisma.file.updateMany({
      where: { id: fileId, writeBackLeaseOwner: owner },
      data: { writeBackLeaseOwner: null, writeBackLeaseUntil: null },
    });
  }

  /**
   * Applies `change` to a waiting version and drops its outbox row in one transaction, then
   * releases the blobs of the versions it resolved (StagedBlobs keeps any that another waiting save
   * still needs: blobs are content-addressed).
   */
  private async resolve(
    version: FileVersion,
    change: (tx: Prisma.TransactionClient) => Promise<FileVersion>,
  ): Promise<FileVersion> {
    const { resolved, blobKeys } = await this.prisma.$transaction(async (tx) => {
      const waiting = await tx.fileVersion.findMany({
        where: {
          fileId: version.fileId,
          writeBackState: 'PENDING',
          blobKey: { not: null },
          number: { lte: version.number },
        },
        select: { blobKey: true },
      });
      const resolved = await change(tx);
      await tx.writeBackOutbox.deleteMany({ where: { versionId: version.id } });
      return { resolved, blobKeys: waiting.map((v) => v.blobKey!) };
    });
    await this.stagedBlobs.release(blobKeys);
    return resolved;
  }

  /** The version the core app last confirmed: the precondition of the next write. */
  lastConfirmed(fileId: string): Promise<FileVersion | null> {
    return this.prisma.fileVersion.findFirst({
      where: { fileId, writeBackState: 'CONFIRMED' },
      orderBy: { number: 'desc' },
    });
  }

  private withFileLock<T>(
    fileId: string,
    work: (tx: Prisma.TransactionClient, nextNumber: number) => Promise<T>,
  ): Promise<T> {
    return this.prisma.$transaction(async (tx) => {
      // The file row is the lock that orders its versions across every api and worker instance.
      const [row] = await tx.$queryRaw<{ current_version: number }[]>`
        SELECT current_version FROM files WHERE id = ${fileId} FOR UPDATE`;
      if (!row) throw new Error(`file ${fileId} is not registered`);
      const nextNumber = row.current_version + 1;
      const result = await work(tx, nextNumber);
      if ((result as { number?: number }).number === nextNumber) {
        await tx.file.update({ where: { id: fileId }, data: { currentVersion: nextNumber } });
      }
      return result;
    });
  }
}
