import { InjectQueue } from '@nestjs/bullmq';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { VersionLedger, type WriteBackJob } from '@wopi/file-registry';
import { QueueName } from '@wopi/jobs';
import { AuditLogRepository } from '@wopi/tenancy';
import type { Queue } from 'bullmq';
import { ApiError } from '../api-errors/api-error';
import { AdminApiKeyGuard, type RequestWithAdmin } from './admin-api-key.guard';

/**
 * Write-backs that used up their retry budget wait here for an operator: list them, retry them,
 * or discard one with a reason. The saved bytes stay in staging until one of those happens.
 */
@Controller('admin/v1/write-backs')
@UseGuards(AdminApiKeyGuard)
export class WriteBackSupportController {
  constructor(
    @InjectQueue(QueueName.WriteBack) private readonly queue: Queue<WriteBackJob>,
    private readonly ledger: VersionLedger,
    private readonly audit: AuditLogRepository,
  ) {}

  @Get('failed')
  async failed(@Query('limit') limit = '100') {
    const jobs = await this.queue.getFailed(0, Math.min(Number(limit) || 100, 1000) - 1);
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
    };
  }

  @Post(':jobId/retry')
  @HttpCode(200)
  async retry(@Req() request: RequestWithAdmin, @Param('jobId') jobId: string) {
    const job = await this.failedJob(jobId);
    // A fresh retry budget: the operator fixed (or waited out) whatever made it fail.
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    await this.audit.record({
      tenantId: job.data.tenantId,
      actor: `apikey:${request.admin!.keyId}`,
      action: 'write_back.retried',
      target: `file:${job.data.fileId}`,
      details: { versionNumber: job.data.versionNumber },
      requestId: String(request.id),
    });
    return { jobId, state: await job.getState() };
  }

  @Post(':jobId/discard')
  @HttpCode(200)
  async discard(@Req() request: RequestWithAdmin, @Param('jobId') jobId: string, @Body() body: { reason?: unknown }) {
    if (typeof body?.reason !== 'string' || body.reason.trim().length < 3)
      throw ApiError.validationFailed('reason', 'A reason (at least 3 characters) is required');
    const job = await this.failedJob(jobId);
    const version = await this.ledger.findVersion(job.data.versionId);
    if (version?.writeBackState === 'PENDING') {
      await this.ledger.discard(version, body.reason);
    }
    await job.remove();
    await this.audit.record({
      tenantId: job.data.tenantId,
      actor: `apikey:${request.admin!.keyId}`,
      action: 'write_back.discarded',
      target: `file:${job.data.fileId}`,
      details: { versionNumber: job.data.versionNumber, reason: body.reason },
      requestId: String(request.id),
    });
    return { jobId, discarded: true };
  }

  private async failedJob(jobId: string) {
    const job = await this.queue.getJob(jobId);
    if (!job || (await job.getState()) !== 'failed') throw ApiError.notFound('No failed write-back with that id');
    return job;
  }
}
