import { Inject, Injectable, Logger } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import { BLOB_STORE, type BlobStore } from '@wopi/blob-staging';
import { type ConflictCopy, type FileVersion } from '@wopi/db';
import {
  CoreAppClient,
  CoreAppError,
  CoreAppErrorKind,
  type CoreAppTarget,
  type CoreFile,
  type ReplayableBody,
} from '@wopi/core-app-client';
import { editSessionOf, FileRepository, VersionLedger, type WriteBackJob } from '@wopi/file-registry';
import { TenantRepository } from '@wopi/tenancy';

export type WriteBackOutcome =
  | { result: 'confirmed'; versionNumber: number; coreVersion: string }
  | { result: 'superseded'; versionNumber: number }
  | { result: 'conflict-copy'; versionNumber: number; conflictCopyRef: string }
  | { result: 'held'; versionNumber: number; reason: HoldReason }
  | { result: 'already-resolved'; versionNumber: number };

/** Why the core app's refusal keeps a save for an operator (ADR 0021); stored as FileVersion.holdReason. */
export enum HoldReason {
  /** The core app says the saver may no longer write the file. */
  WritePermissionWithdrawn = 'write_permission_withdrawn',
  /** 403: the saver may not even see the file any more. */
  Forbidden = 'forbidden',
  /** 404: the file was deleted in the core app. */
  NotFound = 'not_found',
  /** 413: too large for the core app. */
  TooLarge = 'too_large',
  /** 400: the core app refused the request. */
  Rejected = 'rejected',
  /** An answer the contract does not allow (422 idempotency key reused, an unknown status). */
  BadResponse = 'bad_response',
}

const HOLD_REASON_BY_KIND: Partial<Record<CoreAppErrorKind, HoldReason>> = {
  [CoreAppErrorKind.Forbidden]: HoldReason.Forbidden,
  [CoreAppErrorKind.NotFound]: HoldReason.NotFound,
  [CoreAppErrorKind.TooLarge]: HoldReason.TooLarge,
  [CoreAppErrorKind.Rejected]: HoldReason.Rejected,
  [CoreAppErrorKind.BadResponse]: HoldReason.BadResponse,
};

/** The core app refused the write for a reason a retry cannot fix. */
class WriteBackRefusedError extends Error {
  constructor(
    readonly reason: HoldReason,
    message: string,
  ) {
    super(message);
    this.name = 'WriteBackRefusedError';
  }
}

/** What one write-back attempt came to, as the `wopi.write_back.outcome` attribute says it. */
export type WriteBackAttemptOutcome = 'confirmed' | 'retried' | 'conflict' | 'held' | 'failed';

/** Another worker is writing this file back right now; try again shortly (not a failure). */
export class WriteBackBusyError extends Error {
  constructor(fileId: string) {
    super(`write-back of file ${fileId} is in progress elsewhere`);
    this.name = 'WriteBackBusyError';
  }
}

const meter = metrics.getMeter('wopi-gateway');
const attempts = meter.createCounter('wopi.write_back.attempts', {
  description: 'Write-back attempts that wrote or tried to write, by tenant and outcome',
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
 * - One conflict copy per diverged editing session (ADR 0020): the session's later saves update
 *   it, in version order, and never the original; the conflict is audited once.
 * - The saver's write permission is asked anew before writing; a save the core app refuses for a
 *   reason no retry fixes (403, 404, 413, 400, write withdrawn) is HELD for an operator with its
 *   bytes (ADR 0021); outages are retried, then left failed for an operator.
 * - Staging blobs are deleted only once no waiting or held version needs them.
 */
@Injectable()
export class WriteBackService {
  private readonly logger = new Logger(WriteBackService.name);

  constructor(
    private readonly coreApps: CoreAppClient,
    private readonly ledger: VersionLedger,
    private readonly files: FileRepository,
    private readonly tenants: TenantRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  /**
   * One attempt at this job's version. `finalAttempt`: the queue will not run it again if it
   * throws, so an outage now leaves it failed for an operator (counted `failed`, not `retried`).
   */
  async run(job: WriteBackJob, leaseOwner: string, { finalAttempt = false } = {}): Promise<WriteBackOutcome> {
    const version = await this.ledger.findVersion(job.versionId);
    if (!version || version.writeBackState !== 'PENDING')
      return { result: 'already-resolved', versionNumber: job.versionNumber };
    if (!(await this.ledger.acquireWriteBackLease(job.fileId, leaseOwner, LEASE_TTL_MS)))
      throw new WriteBackBusyError(job.fileId);
    try {
      const outcome = await this.push(job, version);
      if (outcome.result === 'confirmed') this.count(job, 'confirmed');
      if (outcome.result === 'conflict-copy') this.count(job, 'conflict');
      return outcome;
    } catch (error) {
      const refusal = asRefusal(error);
      if (refusal) return await this.hold(job, version, refusal);
      await this.ledger.recordWriteBackError(version.id, error instanceof Error ? error.message : String(error));
      this.count(job, finalAttempt ? 'failed' : 'retried');
      throw error;
    } finally {
      await this.ledger.releaseWriteBackLease(job.fileId, leaseOwner);
    }
  }

  private async push(job: WriteBackJob, version: FileVersion): Promise<WriteBackOutcome> {
    const tenant = await this.tenants.findById(job.tenantId);
    const file = await this.files.findForTenant(job.tenantId, job.fileId);
    if (!tenant || !file) throw new Error(`tenant ${job.tenantId} or file ${job.fileId} is gone`);
    if (!version.blobKey || !version.sha256) throw new Error(`version ${version.id} has no staged content`);
    const blobKey = version.blobKey;
    const push: Push = {
      job,
      version,
      target: { tenantId: tenant.id, ...tenant.coreApp },
      coreRef: file.coreRef,
      name: file.name,
      editSession: version.editSession ?? editSessionOf(undefined, version.savedBy ?? job.userId),
      body: { open: () => this.blobs.open(blobKey), sizeBytes: Number(version.sizeBytes), sha256: version.sha256 },
    };
    const newer = await this.ledger.newerLiveVersion(version);
    if (newer && !version.heldAt) {
      await this.ledger.supersede(version);
      return { result: 'superseded', versionNumber: version.number };
    }

    // The saver's right to write, asked anew (never from the permission cache) before anything
    // is written: a save accepted before the core app withdrew it is held, not written (ADR 0021).
    const access = await this.coreApps.getFile(push.target, file.coreRef, job.userId, { fresh: true });
    if (!access.permissions.write) {
      throw new WriteBackRefusedError(
        HoldReason.WritePermissionWithdrawn,
        'the core app no longer lets the saver write',
      );
    }

    // A session that diverged from the core app's copy builds on its own lineage, not on the
    // outside change: whatever the ledger learnt since, its saves go to its copy (ADR 0020). So
    // does a save an operator released from hold after the file moved on: it is still the
    // user's work, to be put neither over the newer content nor away (ADR 0021).
    const diverged = await this.ledger.conflictCopyOf(version.fileId, push.editSession);
    if (diverged || newer) return this.intoConflictCopy(push, diverged ?? undefined);

    const put = (ifMatch: string | undefined) =>
      this.coreApps.putContent(push.target, file.coreRef, job.userId, {
        body: push.body,
        idempotencyKey: `${version.fileId}:${version.number}`,
        ifMatch,
      });
    const baseline = await this.ledger.lastConfirmed(version.fileId);
    let written;
    try {
      written = await put(baseline?.coreVersion ?? undefined);
    } catch (error) {
      if (!isCoreAppError(error, CoreAppErrorKind.VersionMismatch)) throw error;
      const now = await this.coreApps.getFile(push.target, file.coreRef, job.userId, { fresh: true });
      if (now.sha256 && (await this.ledger.isOwnContent(version.fileId, now.sha256))) {
        // The core app holds one of our saves whose confirmation we never recorded: build on it.
        written = await put(now.version);
      } else {
        return this.intoConflictCopy(push, undefined, baseline?.coreVersion ?? undefined);
      }
    }
    await this.ledger.confirm(version, written.version);
    lag.record(Date.now() - version.createdAt.getTime(), { tenant: job.tenantId });
    return { result: 'confirmed', versionNumber: version.number, coreVersion: written.version };
  }

  /**
   * Puts the save into its session's one conflict copy: updates the copy the session has (in
   * version order: an older save never goes over a newer one), or creates it on the session's
   * first conflict, which is the one that is audited. A copy someone deleted or edited in the core
   * app meanwhile is left alone, and the session starts a new one.
   */
  private async intoConflictCopy(
    push: Push,
    existing: ConflictCopy | undefined,
    divergedFrom?: string,
  ): Promise<WriteBackOutcome> {
    const { job, version, target } = push;
    if (existing && existing.versionNumber >= version.number) {
      await this.ledger.supersede(version);
      return { result: 'superseded', versionNumber: version.number };
    }
    let updated: CoreFile | undefined;
    if (existing) {
      try {
        updated = await this.coreApps.putContent(target, existing.copyRef, job.userId, {
          body: push.body,
          idempotencyKey: `${version.fileId}:${version.number}:conflict-copy-update`,
          ifMatch: existing.copyCoreVersion,
        });
      } catch (error) {
        if (!isCoreAppError(error, CoreAppErrorKind.VersionMismatch, CoreAppErrorKind.NotFound)) throw error;
      }
    }
    const copy =
      updated ??
      (await this.coreApps.createSibling(target, push.coreRef, job.userId, {
        name: conflictCopyName(push.name, version.createdAt),
        onConflict: 'rename',
        body: push.body,
        idempotencyKey: `${version.fileId}:${version.number}:conflict-copy`,
      }));
    const created = !updated;
    await this.ledger.markConflict(
      version,
      {
        editSession: push.editSession,
        divergedFrom: divergedFrom ?? existing?.divergedFrom ?? undefined,
        ref: copy.ref,
        name: copy.name,
        coreVersion: copy.version,
      },
      // Once per diverged session: when its copy is created.
      created
        ? {
            tenantId: job.tenantId,
            actor: 'system:write-back',
            action: 'file.write_back_conflict',
            target: `file:${version.fileId}`,
            details: { versionNumber: version.number, conflictCopyRef: copy.ref, conflictCopyName: copy.name },
          }
        : undefined,
    );
    if (created) {
      this.logger.warn(
        { tenantId: job.tenantId, fileId: version.fileId, version: version.number, conflictCopyRef: copy.ref },
        'core app copy changed outside WOPI: saved a conflict copy',
      );
    }
    return { result: 'conflict-copy', versionNumber: version.number, conflictCopyRef: copy.ref };
  }

  /** Keeps a refused save, with its bytes, for an operator: never dropped, never retried blindly. */
  private async hold(
    job: WriteBackJob,
    version: FileVersion,
    refusal: WriteBackRefusedError,
  ): Promise<WriteBackOutcome> {
    await this.ledger.hold(version, refusal.reason, refusal.message, {
      tenantId: job.tenantId,
      actor: 'system:write-back',
      action: 'file.write_back_held',
      target: `file:${version.fileId}`,
      details: { versionNumber: version.number, reason: refusal.reason, savedBy: version.savedBy },
    });
    this.logger.warn(
      { tenantId: job.tenantId, fileId: version.fileId, version: version.number, reason: refusal.reason },
      'core app refused the write-back: save held for an operator',
    );
    this.count(job, 'held');
    return { result: 'held', versionNumber: version.number, reason: refusal.reason };
  }

  private count(job: WriteBackJob, outcome: WriteBackAttemptOutcome): void {
    attempts.add(1, { 'wopi.tenant': job.tenantId, 'wopi.write_back.outcome': outcome });
  }
}

/** A core-app answer that no retry changes becomes a hold; anything else (outages) is retried. */
function asRefusal(error: unknown): WriteBackRefusedError | undefined {
  if (error instanceof WriteBackRefusedError) return error;
  const reason = error instanceof CoreAppError ? HOLD_REASON_BY_KIND[error.kind] : undefined;
  return reason && new WriteBackRefusedError(reason, (error as CoreAppError).message);
}

/** One version on its way to the core app, with what every step of its push needs. */
interface Push {
  job: WriteBackJob;
  version: FileVersion;
  target: CoreAppTarget;
  coreRef: string;
  name: string;
  editSession: string;
  body: ReplayableBody;
}

function isCoreAppError(error: unknown, ...kinds: CoreAppErrorKind[]): error is CoreAppError {
  return error instanceof CoreAppError && kinds.includes(error.kind);
}

/** `Report.docx` saved at 2026-11-21 14:05 UTC -> `Report (conflict 2026-11-21 1405).docx`. */
export function conflictCopyName(name: string, savedAt: Date): string {
  const dot = name.lastIndexOf('.');
  const [base, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  const stamp = savedAt.toISOString().slice(0, 16).replace('T', ' ').replace(':', '');
  return `${base} (conflict ${stamp})${extension}`;
}
