import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { VersionLedger, type WriteBackJob, WriteBackScheduler } from '@wopi/file-registry';
import { QueueName } from '@wopi/jobs';
import { AuditLogRepository } from '@wopi/tenancy';
import type { Queue } from 'bullmq';
import { ApiError } from '../api-errors/api-error';
import { adminAuditEvent } from './admin-audit';
import type { AdminActor } from './admin-scope';

/**
 * Write-backs that wait for an operator, with their saved bytes staged until then:
 * - failed: they used up their retry budget (an outage): list, retry with a fresh budget, discard;
 * - held: the core app refused them (permission withdrawn, file gone, too large: ADR 0021): list,
 *   send again once the cause is fixed, discard. They live in PostgreSQL, so a Redis loss does not
 *   hide them.
 */
@Injectable()
export class WriteBackSupportService {
  constructor(
    @InjectQueue(QueueName.WriteBack) private readonly queue: Queue<WriteBackJob>,
    private readonly ledger: VersionLedger,
    private readonly scheduler: WriteBackScheduler,
    private readonly audit: AuditLogRepository,
  ) {}

  async failed(limit: number, offset: number) {
    const jobs = await this.queue.getFailed(offset, offset + limit - 1);
    return {
      failed: jobs.map((job) => ({
        jobId: job.id,
        tenantId: job.data.tenantId,
        fileId: job.data.fileId,
        versionNumber: job.data.versionNumber,
        attempts: job.attemptsMade,
        failedReason: job.failedReason,
        failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : undefined,
      })),
      // BullMQ lists by position: the next page starts where this one ended.
      nextOffset: jobs.length === limit ? offset + limit : null,
    };
  }

  async retry(jobId: string, by: AdminActor) {
    const job = await this.failedJob(jobId);
    // A fresh retry budget: the operator fixed (or waited out) whatever made it fail.
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    await this.audit.record(
      adminAuditEvent(by, 'write_back.retried', `file:${job.data.fileId}`, {
        tenantId: job.data.tenantId,
        before: { state: 'failed' },
        after: { state: 'waiting' },
        details: { versionNumber: job.data.versionNumber },
      }),
    );
    return { jobId, state: await job.getState() };
  }

  async discard(jobId: string, reason: string, by: AdminActor) {
    const job = await this.failedJob(jobId);
    const version = await this.ledger.findVersion(job.data.versionId);
    if (version?.writeBackState === 'PENDING') await this.ledger.discard(version, reason);
    await job.remove();
    await this.audit.record(
      adminAuditEvent(by, 'write_back.discarded', `file:${job.data.fileId}`, {
        tenantId: job.data.tenantId,
        before: { state: 'failed' },
        after: { state: 'discarded' },
        details: { versionNumber: job.data.versionNumber, reason },
      }),
    );
    return { jobId, discarded: true };
  }

  async held(limit: number) {
    const held = await this.ledger.held(limit);
    return {
      held: held.map((version) => ({
        versionId: version.id,
        tenantId: version.file.tenantId,
        fileId: version.fileId,
        fileName: version.file.name,
        versionNumber: version.number,
        savedBy: version.savedBy,
        sizeBytes: Number(version.sizeBytes),
        reason: version.holdReason,
        detail: version.writeBackError,
        heldAt: version.heldAt?.toISOString(),
      })),
    };
  }

  async retryHeld(versionId: string, by: AdminActor) {
    const held = await this.heldVersion(versionId);
    const version = await this.ledger.releaseHold(versionId);
    if (!version) throw ApiError.notFound('No held write-back with that version id');
    await this.scheduler.requeue(version.id);
    await this.audit.record(
      adminAuditEvent(by, 'write_back.retried', `file:${held.fileId}`, {
        tenantId: held.file.tenantId,
        before: { state: 'held', reason: held.holdReason },
        after: { state: version.writeBackState },
        details: { versionNumber: held.number },
      }),
    );
    return { versionId, state: version.writeBackState };
  }

  async discardHeld(versionId: string, reason: string, by: AdminActor) {
    const held = await this.heldVersion(versionId);
    await this.ledger.discard(held, reason);
    await this.audit.record(
      adminAuditEvent(by, 'write_back.discarded', `file:${held.fileId}`, {
        tenantId: held.file.tenantId,
        before: { state: 'held', reason: held.holdReason },
        after: { state: 'discarded' },
        details: { versionNumber: held.number, reason },
      }),
    );
    return { versionId, discarded: true };
  }

  private async heldVersion(versionId: string) {
    const held = await this.ledger.findHeld(versionId);
    if (!held) throw ApiError.notFound('No held write-back with that version id');
    return held;
  }

  private async failedJob(jobId: string) {
    const job = await this.queue.getJob(jobId);
    if (!job || (await job.getState()) !== 'failed') throw ApiError.notFound('No failed write-back with that id');
    return job;
  }
}
