import { Inject, Injectable, Logger } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import { BLOB_STORE, type BlobStore } from '@wopi/blob-staging';
import { type FileVersion } from '@wopi/db';
import {
  CoreAppClient,
  CoreAppError,
  CoreAppErrorKind,
  type CoreAppTarget,
  type ReplayableBody,
} from '@wopi/core-app-client';
import { AuditLogRepository, TenantRepository } from '@wopi/tenancy';
import { FileRepository } from './file.repository';
import { VersionLedger } from './version-ledger.repository';

/** Payload of a write-back job: one saved version (QueueName.WriteBack / JobName.WriteBackFile). */
export interface WriteBackJob {
  tenantId: string;
  fileId: string;
  versionId: string;
  versionNumber: number;
  /** The core app's user the version is written as. */
  userId: string;
  /** When the save was recorded (ms since the epoch): wopi.write_back.lag runs from here. */
  savedAtMs?: number;
  /** Trace context of the save (W3C headers): the job's spans join the PutFile's trace. */
  trace?: Record<string, string>;
}

export type WriteBackOutcome =
  | { result: 'confirmed'; versionNumber: number; coreVersion: string }
  | { result: 'superseded'; versionNumber: number }
  | { result: 'conflict-copy'; versionNumber: number; conflictCopyRef: string }
  | { result: 'already-resolved'; versionNumber: number };

/** Another worker is writing this file back right now; try again shortly (not a failure). */
export class WriteBackBusyError extends Error {
  constructor(fileId: string) {
    super(`write-back of file ${fileId} is in progress elsewhere`);
    this.name = 'WriteBackBusyError';
  }
}

const meter = metrics.getMeter('wopi-gateway');
const outcomes = meter.createCounter('wopi.write_back.outcomes', {
  description: 'Write-back results by outcome and tenant',
});
const lag = meter.createHistogram('wopi.write_back.lag', {
  description: 'From save to core-app confirmation',
  unit: 'ms',
});

/** How long one push may hold a file (uploads of large files included) before a successor may take over. */
const LEASE_TTL_MS = 15 * 60 * 1000;

/**
 * Pushes one saved version to the core app (the worker's write-back job calls it).
 *
 * - One writer per file (a lease on the file row), so versions reach the core app in order.
 * - A version with a newer one behind it is skipped (SUPERSEDED), never written over it.
 * - The core app's last confirmed version is the precondition (If-Match); the idempotency key
 *   `<fileId>:<number>` makes a retried or duplicated push write once.
 * - 412 from the core app: if its content is one of our own saves (a crash came between its
 *   write and our bookkeeping), we carry on from there; otherwise the document changed outside
 *   WOPI and the save goes next to it as a conflict copy. Nothing is ever silently overwritten.
 * - Staging blobs are deleted only once no waiting version needs them.
 */
@Injectable()
export class WriteBackService {
  private readonly logger = new Logger(WriteBackService.name);

  constructor(
    private readonly coreApps: CoreAppClient,
    private readonly ledger: VersionLedger,
    private readonly files: FileRepository,
    private readonly tenants: TenantRepository,
    private readonly audit: AuditLogRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async run(job: WriteBackJob, leaseOwner: string): Promise<WriteBackOutcome> {
    const version = await this.ledger.findVersion(job.versionId);
    if (!version || version.writeBackState !== 'PENDING')
      return { result: 'already-resolved', versionNumber: job.versionNumber };
    if (!(await this.ledger.acquireWriteBackLease(job.fileId, leaseOwner, LEASE_TTL_MS)))
      throw new WriteBackBusyError(job.fileId);
    try {
      const outcome = await this.push(job, version);
      outcomes.add(1, { tenant: job.tenantId, outcome: outcome.result });
      return outcome;
    } catch (error) {
      await this.ledger.recordWriteBackError(version.id, error instanceof Error ? error.message : String(error));
      throw error;
    } finally {
      await this.ledger.releaseWriteBackLease(job.fileId, leaseOwner);
    }
  }

  private async push(job: WriteBackJob, version: FileVersion): Promise<WriteBackOutcome> {
    if (await this.ledger.newerLiveVersion(version)) {
      await this.ledger.supersede(version);
      return { result: 'superseded', versionNumber: version.number };
    }
    const tenant = await this.tenants.findById(job.tenantId);
    const file = await this.files.findForTenant(job.tenantId, job.fileId);
    if (!tenant || !file) throw new Error(`tenant ${job.tenantId} or file ${job.fileId} is gone`);
    if (!version.blobKey || !version.sha256) throw new Error(`version ${version.id} has no staged content`);
    const target: CoreAppTarget = { tenantId: tenant.id, ...tenant.coreApp };
    const blobKey = version.blobKey;
    const body = { open: () => this.blobs.open(blobKey), sizeBytes: Number(version.sizeBytes), sha256: version.sha256 };
    const put = (ifMatch: string | undefined) =>
      this.coreApps.putContent(target, file.coreRef, job.userId, {
        body,
        idempotencyKey: `${version.fileId}:${version.number}`,
        ifMatch,
      });

    const baseline = await this.ledger.lastConfirmed(version.fileId);
    let written;
    try {
      written = await put(baseline?.coreVersion ?? undefined);
    } catch (error) {
      if (!(error instanceof CoreAppError) || error.kind !== CoreAppErrorKind.VersionMismatch) throw error;
      const now = await this.coreApps.getFile(target, file.coreRef, job.userId, { fresh: true });
      if (now.sha256 && (await this.ledger.isOwnContent(version.fileId, now.sha256))) {
        // The core app holds one of our saves whose confirmation we never recorded: build on it.
        written = await put(now.version);
      } else {
        return this.conflictCopy(job, target, file.coreRef, file.name, version, body);
      }
    }
    await this.ledger.confirm(version, written.version);
    lag.record(Date.now() - version.createdAt.getTime(), { tenant: job.tenantId });
    return { result: 'confirmed', versionNumber: version.number, coreVersion: written.version };
  }

  private async conflictCopy(
    job: WriteBackJob,
    target: CoreAppTarget,
    coreRef: string,
    name: string,
    version: FileVersion,
    body: ReplayableBody,
  ): Promise<WriteBackOutcome> {
    const copy = await this.coreApps.createSibling(target, coreRef, job.userId, {
      name: conflictCopyName(name, version.createdAt),
      onConflict: 'rename',
      body,
      idempotencyKey: `${version.fileId}:${version.number}:conflict-copy`,
    });
    await this.ledger.markConflict(version);
    await this.audit.record({
      tenantId: job.tenantId,
      actor: 'system:write-back',
      action: 'file.write_back_conflict',
      target: `file:${version.fileId}`,
      details: { versionNumber: version.number, conflictCopyRef: copy.ref, conflictCopyName: copy.name },
    });
    this.logger.warn(
      { tenantId: job.tenantId, fileId: version.fileId, version: version.number, conflictCopyRef: copy.ref },
      'core app copy changed outside WOPI: saved a conflict copy',
    );
    return { result: 'conflict-copy', versionNumber: version.number, conflictCopyRef: copy.ref };
  }
}

/** `Report.docx` saved at 2026-11-21 14:05 UTC -> `Report (conflict 2026-11-21 1405).docx`. */
export function conflictCopyName(name: string, savedAt: Date): string {
  const dot = name.lastIndexOf('.');
  const [base, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  const stamp = savedAt.toISOString().slice(0, 16).replace('T', ' ').replace(':', '');
  return `${base} (conflict ${stamp})${extension}`;
}
