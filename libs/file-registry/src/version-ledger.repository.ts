import { createHash } from 'node:crypto';
import { Injectable, Optional } from '@nestjs/common';
import type { CoreFile } from '@wopi/core-app-client';
import { type ConflictCopy, type FileVersion, Prisma, PrismaService, type WriteBackOutbox } from '@wopi/db';
import { CacheInvalidationBus, ProcessCache } from '@wopi/redis';
import { currentTraceCarrier } from '@wopi/telemetry';
import { holdForSaveSql, StagedBlobs } from './staged-blobs';
import { uuidV7 } from './uuid-v7';

/** The content of a file as the core app reports it now. */
export interface CoreContentState {
  version: string;
  sha256?: string;
  sizeBytes: number;
  lastModifiedTime: Date;
}

/** What the ledger needs of the core app's metadata answer. */
export function coreContentState(core: CoreFile): CoreContentState {
  return {
    version: core.version,
    sha256: core.sha256,
    sizeBytes: core.size,
    lastModifiedTime: new Date(core.lastModifiedTime),
  };
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
  /** The WOPI lock the save was made under (none: an unlocked, empty file); names its editing session. */
  lock?: string;
}

/** A recorded PutFile: its version and the outbox row written with it. */
export type RecordedSave = FileVersion & { outbox: WriteBackOutbox };

/**
 * The audit event of a ledger change, written in the change's own transaction: a conflict or a
 * hold is audited exactly once, whatever crash or retry comes before or after it.
 */
export type LedgerAuditEvent = Prisma.AuditEventUncheckedCreateInput;

/** A version held for an operator, with what the support API shows of its file. */
export type HeldVersion = FileVersion & { file: { tenantId: string; name: string } };

/** Where the save of a diverged editing session went instead of the original (ADR 0020). */
export interface ConflictCopyWrite {
  editSession: string;
  /** The core version the session's saves were built on, when the copy is created. */
  divergedFrom?: string;
  ref: string;
  name: string;
  coreVersion: string;
}

/**
 * The editing session a save belongs to (ADR 0020): the WOPI lock it was made under (one editor
 * session, co-authors included, holds one lock), hashed because a lock may be 1024 characters;
 * without a lock, the saver.
 */
export function editSessionOf(lock: string | undefined, savedBy: string): string {
  return lock ? `lock:${createHash('sha256').update(lock, 'utf8').digest('hex').slice(0, 32)}` : `user:${savedBy}`;
}

const CACHE_NAME = 'current-version';
// Every change of a file's versions goes through withFileLock or resolve, which invalidate it everywhere.
const CACHE = { ttlMs: 5 * 60_000, maxEntries: 50_000 };

/** Versions that stand for the file's content (a failed save never does). */
const LIVE: Prisma.FileVersionWhereInput = { writeBackState: { not: 'FAILED' } };

/**
 * The file's version history, the single source of truth for WOPI Version, X-WOPI-ItemVersion,
 * SHA256, Size and LastModifiedTime (stored when content changes, never recomputed per call).
 * Version numbers come from File.currentVersion under a row lock, so they never repeat.
 */
@Injectable()
export class VersionLedger {
  /** current() by file, coherent across every api and worker process (CacheInvalidationBus). */
  private readonly currentVersions: ProcessCache<FileVersion | null>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly stagedBlobs: StagedBlobs,
    @Optional() private readonly invalidations?: CacheInvalidationBus,
  ) {
    this.currentVersions =
      invalidations?.cache<FileVersion | null>(CACHE_NAME, CACHE) ??
      new ProcessCache<FileVersion | null>(CACHE_NAME, CACHE);
  }

  /**
   * The version whose content is the file's content now, or null before anything was recorded.
   * From the process cache: every change of the file's versions, in any process, invalidates it.
   */
  current(fileId: string): Promise<FileVersion | null> {
    return this.currentVersions.getOrLoad(fileId, () => this.currentFromDatabase(fileId));
  }

  /** current() read from PostgreSQL, for when a cached answer proved stale (a released blob). */
  async currentFresh(fileId: string): Promise<FileVersion | null> {
    await this.versionsChanged(fileId);
    return this.current(fileId);
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
      // An answer naming a core version the ledger already moved past (a cached or delayed answer
      // from before a write-back) is stale, not a change made outside WOPI.
      if (latest && (await tx.fileVersion.count({ where: { fileId, coreVersion: core.version } })) > 0) return latest;
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
   * `commitGuard` runs inside that transaction, under the file's row lock, and may ask for the
   * version the save builds on: whatever it throws records nothing (the save's lock fence,
   * docs/adr/0016). Returns the version with its outbox row, so the caller enqueues it without
   * reading either back.
   *
   * Four round trips (docs/adr/0037-save-path-round-trips.md): BEGIN; the file's row lock and the
   * blob's shared advisory lock in one statement; the version, its outbox row and the file's
   * version counter in one statement; COMMIT. The latest version is read, in a statement of its
   * own taken after the row lock (so it sees the save that held it), only when the guard asks.
   */
  async recordWopiSave(
    fileId: string,
    save: WopiSaveInput,
    commitGuard?: (latest: () => Promise<FileVersion | null>) => Promise<void>,
  ): Promise<RecordedSave> {
    const recorded = await this.prisma.$transaction(async (tx) => {
      // The row lock first, then the blob's lock: a MATERIALIZED CTE is run before the outer
      // projection, so the advisory lock is taken once the row is locked, as two statements would.
      const [row] = await tx.$queryRaw<{ current_version: number }[]>`
        WITH file AS MATERIALIZED (SELECT current_version FROM files WHERE id = ${fileId} FOR UPDATE)
        SELECT current_version, ${holdForSaveSql(save.blobKey)}::text AS held FROM file`;
      if (!row) throw new Error(`file ${fileId} is not registered`);
      const number = row.current_version + 1;
      if (commitGuard) {
        await commitGuard(() => tx.fileVersion.findFirst({ where: { fileId, ...LIVE }, orderBy: { number: 'desc' } }));
      }
      await this.stagedBlobs.assertStillStaged(save.blobKey);
      // Times from this process's clock, as Prisma's defaults would be: a version's createdAt is
      // compared with the staged blob's stored time (StagedBlobs.release), taken on this host.
      const now = new Date();
      // Kept with the outbox row so a job the relay enqueues later still joins the save's trace.
      const trace = currentTraceCarrier() ?? null;
      const versionId = uuidV7();
      const outboxId = uuidV7();
      const [inserted] = await tx.$queryRaw<RecordedSaveRow[]>`
        WITH version AS (
          INSERT INTO file_versions (id, file_id, number, origin, sha256, size_bytes, modified_at, blob_key,
            write_back_state, saved_by, editors, created_at, edit_session)
          VALUES (${versionId}::uuid, ${fileId}, ${number}, 'WOPI'::version_origin, ${save.sha256},
            ${BigInt(save.sizeBytes)}, ${now}::timestamptz, ${save.blobKey}, 'PENDING'::write_back_state,
            ${save.savedBy}, ${save.editors}::text[], ${now}::timestamptz, ${editSessionOf(save.lock, save.savedBy)})
          RETURNING *
        ), outbox AS (
          INSERT INTO write_back_outbox (id, version_id, file_id, tenant_id, user_id, created_at, trace_context)
          SELECT ${outboxId}::uuid, id, file_id, ${save.tenantId}::uuid, ${save.coreUserId}, ${now}::timestamptz,
            ${trace === null ? null : JSON.stringify(trace)}::jsonb
          FROM version
          RETURNING created_at
        ), counter AS (
          UPDATE files SET current_version = ${number}, updated_at = ${now}::timestamptz WHERE id = ${fileId}
        )
        SELECT version.*, outbox.created_at AS outbox_created_at FROM version, outbox`;
      return fromRecordedSaveRow(inserted, { id: outboxId, tenantId: save.tenantId, userId: save.coreUserId, trace });
    });
    await this.versionsChanged(fileId);
    return recorded;
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
      await supersedeOlderWaiting(tx, version);
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

  /** The conflict copy of this editing session, if the session has diverged from the core app's copy. */
  conflictCopyOf(fileId: string, editSession: string): Promise<ConflictCopy | null> {
    return this.prisma.conflictCopy.findUnique({ where: { fileId_editSession: { fileId, editSession } } });
  }

  /**
   * The core app's copy had changed outside WOPI: this version went to its session's conflict copy
   * instead of the original. The session keeps that one copy (created now or updated), older
   * versions still waiting are SUPERSEDED (the copy holds newer content of the same lineage), and
   * an older save of the session can never be recorded over a newer one.
   */
  markConflict(version: FileVersion, copy: ConflictCopyWrite, audit?: LedgerAuditEvent): Promise<FileVersion> {
    return this.resolve(version, async (tx) => {
      if (audit) await tx.auditEvent.create({ data: audit });
      await tx.file.update({ where: { id: version.fileId }, data: { lastConflictAt: new Date() } });
      const where = { fileId_editSession: { fileId: version.fileId, editSession: copy.editSession } };
      const written = { copyRef: copy.ref, copyName: copy.name, copyCoreVersion: copy.coreVersion };
      await tx.conflictCopy.upsert({
        where,
        create: {
          fileId: version.fileId,
          editSession: copy.editSession,
          divergedFrom: copy.divergedFrom ?? null,
          versionNumber: version.number,
          ...written,
        },
        update: { versionNumber: version.number, ...written },
      });
      await supersedeOlderWaiting(tx, version);
      return tx.fileVersion.update({
        where: { id: version.id },
        data: { writeBackState: 'CONFLICT', blobKey: null, writeBackError: null },
      });
    });
  }

  /**
   * The core app refused this version at write-back for a reason a retry cannot fix: it is HELD,
   * with its bytes, for an operator (ADR 0021). It leaves the outbox and is never superseded.
   */
  hold(version: FileVersion, reason: string, detail: string, audit: LedgerAuditEvent): Promise<FileVersion> {
    return this.resolve(version, async (tx) => {
      await tx.auditEvent.create({ data: audit });
      return tx.fileVersion.update({
        where: { id: version.id },
        data: { writeBackState: 'HELD', holdReason: reason, heldAt: new Date(), writeBackError: detail.slice(0, 2000) },
      });
    });
  }

  /** Held versions, oldest first, with their file's tenant and name (the support API lists them). */
  held(limit: number): Promise<HeldVersion[]> {
    return this.prisma.fileVersion.findMany({
      where: { writeBackState: 'HELD' },
      include: { file: { select: { tenantId: true, name: true } } },
      orderBy: { heldAt: 'asc' },
      take: limit,
    });
  }

  /** The version if it is held, with its file's tenant and name. */
  findHeld(versionId: string): Promise<HeldVersion | null> {
    return this.prisma.fileVersion.findFirst({
      where: { id: versionId, writeBackState: 'HELD' },
      include: { file: { select: { tenantId: true, name: true } } },
    });
  }

  /**
   * An operator sends a held version to the core app again: PENDING with a new outbox row, in one
   * transaction. Null when the version is not held (any more).
   */
  async releaseHold(versionId: string): Promise<FileVersion | null> {
    const released = await this.prisma.$transaction(async (tx) => {
      const version = await tx.fileVersion.findUnique({ where: { id: versionId }, include: { file: true } });
      if (version?.writeBackState !== 'HELD' || !version.savedBy) return null;
      const tenantPrefix = `${version.file.tenantId}.`;
      await tx.writeBackOutbox.create({
        data: {
          versionId,
          fileId: version.fileId,
          tenantId: version.file.tenantId,
          // savedBy is the WOPI user id, `<tenantId>.<core user id>`.
          userId: version.savedBy.startsWith(tenantPrefix)
            ? version.savedBy.slice(tenantPrefix.length)
            : version.savedBy,
        },
      });
      return tx.fileVersion.update({
        where: { id: versionId },
        data: { writeBackState: 'PENDING', writeBackError: null },
      });
    });
    if (released) await this.versionsChanged(released.fileId);
    return released;
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
          writeBackState: { in: ['PENDING', 'HELD'] },
          blobKey: { not: null },
          number: { lte: version.number },
        },
        select: { blobKey: true, createdAt: true },
      });
      const resolved = await change(tx);
      await tx.writeBackOutbox.deleteMany({ where: { versionId: version.id } });
      return { resolved, blobKeys: waiting };
    });
    // Before the blobs go: a process still holding the old current version would read them.
    await this.versionsChanged(version.fileId);
    // Blobs are content-addressed: an autosave of unchanged bytes stages the very same key again,
    // and may be between staging and recording right now. A blob stored again after the version
    // that held it was recorded is therefore kept (the staging sweep takes it if nothing records it).
    const recordedAt = new Map<string, Date>();
    for (const { blobKey, createdAt } of blobKeys) {
      const known = recordedAt.get(blobKey!);
      if (!known || known < createdAt) recordedAt.set(blobKey!, createdAt);
    }
    for (const [key, storedBefore] of recordedAt) await this.stagedBlobs.release([key], { storedBefore });
    return resolved;
  }

  /** The version the core app last confirmed: the precondition of the next write. */
  lastConfirmed(fileId: string): Promise<FileVersion | null> {
    return this.prisma.fileVersion.findFirst({
      where: { fileId, writeBackState: 'CONFIRMED' },
      orderBy: { number: 'desc' },
    });
  }

  private async withFileLock<T>(
    fileId: string,
    work: (tx: Prisma.TransactionClient, nextNumber: number) => Promise<T>,
  ): Promise<T> {
    const result = await this.prisma.$transaction(async (tx) => {
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
    await this.versionsChanged(fileId);
    return result;
  }

  private currentFromDatabase(fileId: string): Promise<FileVersion | null> {
    return this.prisma.fileVersion.findFirst({ where: { fileId, ...LIVE }, orderBy: { number: 'desc' } });
  }

  /** Drops the file's current version from every process's cache. */
  private async versionsChanged(fileId: string): Promise<void> {
    if (this.invalidations) await this.invalidations.invalidate(CACHE_NAME, fileId);
    else this.currentVersions.evict(fileId);
  }
}

/** Older versions still waiting are never written once a newer one reached the core app (in the original or a copy). */
async function supersedeOlderWaiting(tx: Prisma.TransactionClient, version: FileVersion): Promise<void> {
  const older = await tx.fileVersion.findMany({
    where: { fileId: version.fileId, number: { lt: version.number }, writeBackState: 'PENDING' },
    select: { id: true },
  });
  const olderIds = older.map((v) => v.id);
  // Usually there is none (each save is written back before the next): no statements to send then.
  if (olderIds.length === 0) return;
  await tx.fileVersion.updateMany({
    where: { id: { in: olderIds } },
    data: { writeBackState: 'SUPERSEDED', blobKey: null },
  });
  await tx.writeBackOutbox.deleteMany({ where: { versionId: { in: olderIds } } });
}

/** recordWopiSave's row: the inserted file_versions row as PostgreSQL names it, and the outbox's time. */
interface RecordedSaveRow {
  id: string;
  file_id: string;
  number: number;
  origin: FileVersion['origin'];
  sha256: string | null;
  size_bytes: bigint;
  modified_at: Date;
  blob_key: string | null;
  write_back_state: FileVersion['writeBackState'];
  core_version: string | null;
  saved_by: string | null;
  editors: string[];
  created_at: Date;
  confirmed_at: Date | null;
  write_back_error: string | null;
  edit_session: string | null;
  hold_reason: string | null;
  held_at: Date | null;
  outbox_created_at: Date;
}

function fromRecordedSaveRow(
  row: RecordedSaveRow,
  outbox: { id: string; tenantId: string; userId: string; trace: Record<string, string> | null },
): RecordedSave {
  const version: FileVersion = {
    id: row.id,
    fileId: row.file_id,
    number: row.number,
    origin: row.origin,
    sha256: row.sha256,
    sizeBytes: BigInt(row.size_bytes),
    modifiedAt: row.modified_at,
    blobKey: row.blob_key,
    writeBackState: row.write_back_state,
    coreVersion: row.core_version,
    savedBy: row.saved_by,
    editors: row.editors,
    createdAt: row.created_at,
    confirmedAt: row.confirmed_at,
    writeBackError: row.write_back_error,
    editSession: row.edit_session,
    holdReason: row.hold_reason,
    heldAt: row.held_at,
  };
  return {
    ...version,
    outbox: {
      id: outbox.id,
      versionId: row.id,
      fileId: row.file_id,
      tenantId: outbox.tenantId,
      userId: outbox.userId,
      createdAt: row.outbox_created_at,
      enqueuedAt: null,
      traceContext: outbox.trace,
    },
  };
}
