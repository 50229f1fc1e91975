import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { VersionLedger, type WriteBackJob } from '@wopi/file-registry';
import { QueueName } from '@wopi/jobs';
import { AuditLogRepository } from '@wopi/tenancy';
import type { Queue } from 'bullmq';
import { ApiError } from '../api-errors/api-error';
import { adminAuditEvent } from './admin-audit';
import type { AdminActor } from './admin-scope';

/**
 * Write-backs that used up their retry budget wait here for an operator: list them, retry them
 * with a fresh budget, or discard one with a reason. The saved bytes stay staged until then.
 */
@Injectable()
export class WriteBackSupportService {
  constructor(
    @InjectQueue(QueueName.WriteBack) private readonly queue: Queue<WriteBackJob>,
    private readonly ledger: VersionLedger,
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

  private async failedJob(jobId: string) {
    const job = await this.queue.getJob(jobId);
    if (!job || (await job.getState()) !== 'failed') throw ApiError.notFound('No failed write-back with that id');
    return job;
  }
}
