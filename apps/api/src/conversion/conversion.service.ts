import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import {
  ConversionError,
  CONVERSION_ID_PATTERN,
  type ConvertFileJob,
  type ConvertFileResult,
  formatOfFileName,
  newConversionId,
  planConversion,
} from '@wopi/conversion';
import { CoreAppClient } from '@wopi/core-app-client';
import { JobName, QueueName } from '@wopi/jobs';
import type { TenantConfig } from '@wopi/tenancy';
import type { JobsOptions, Queue } from 'bullmq';
import { type ConversionStatus, toConversionStatus } from './conversion-status';
import { ApiError } from '../api-errors/api-error';
import type { ConversionAccepted, CreateConversionDto } from './create-conversion.dto';
import { currentTraceCarrier } from '@wopi/telemetry';

export const CONVERSION_SETTINGS = Symbol('CONVERSION_SETTINGS');

export interface ConversionSettings {
  publicBaseUrl: string;
  /** Attempts of a job; the worker fails a job at once unless the core app was out. */
  attempts: number;
  /** First wait before another attempt; doubles each time. */
  retryDelayMs: number;
}

// 7 days: long enough for a core app to pick a result up after its own outage; BullMQ then
// removes the record and the status answers 404. The converted file itself stays, of course.
const JOB_RECORD_RETENTION_SECONDS = 7 * 24 * 60 * 60;

/** Conversion requests of core apps: checked against the core app, then queued for the worker. */
@Injectable()
export class ConversionService {
  private readonly jobOptions: JobsOptions;

  constructor(
    private readonly coreApps: CoreAppClient,
    @InjectQueue(QueueName.Conversion) private readonly queue: Queue<ConvertFileJob, ConvertFileResult>,
    @Inject(CONVERSION_SETTINGS) private readonly settings: ConversionSettings,
  ) {
    this.jobOptions = {
      attempts: settings.attempts,
      backoff: { type: 'exponential', delay: settings.retryDelayMs },
      removeOnComplete: { age: JOB_RECORD_RETENTION_SECONDS },
      removeOnFail: { age: JOB_RECORD_RETENTION_SECONDS },
    };
  }

  async request(tenant: TenantConfig, request: CreateConversionDto): Promise<ConversionAccepted> {
    const target = { tenantId: tenant.id, ...tenant.coreApp };
    // Not from the permission cache: the job will create a file in this user's name.
    const source = await this.coreApps.getFile(target, request.fileRef, request.userId, { fresh: true });
    if (!source.permissions.read) throw ApiError.permissionDenied('the user may not read this file');
    if (!source.permissions.createSibling) {
      throw ApiError.permissionDenied('the user may not create files next to this one');
    }
    planConversion(formatOfFileName(source.name), request.targetFormat);
    if (BigInt(source.size) > tenant.maxFileBytes) {
      throw ConversionError.tooLarge(`the file is larger than the tenant's limit of ${tenant.maxFileBytes} bytes`);
    }
    const conversionId = newConversionId();
    await this.queue.add(
      JobName.ConvertFile,
      {
        tenantId: tenant.id,
        sourceRef: source.ref,
        userId: request.userId,
        targetFormat: request.targetFormat,
        trace: currentTraceCarrier(),
      },
      { ...this.jobOptions, jobId: conversionId },
    );
    return { conversionId, statusUrl: `${this.settings.publicBaseUrl}/api/v1/conversions/${conversionId}` };
  }

  async status(tenant: TenantConfig, conversionId: string): Promise<ConversionStatus> {
    if (!CONVERSION_ID_PATTERN.test(conversionId)) throw ApiError.notFound('No such conversion');
    // The state is read before the job's record: BullMQ stores the result and the finished state
    // in one step, so a record read after "completed" always holds the result. Read the other
    // way round, a job finishing between the reads would show as succeeded without its file.
    const state = await this.queue.getJobState(conversionId);
    if (state === 'unknown') throw ApiError.notFound('No such conversion');
    const job = await this.queue.getJob(conversionId);
    // Another tenant's conversion is not found, never shown; nor one removed (retention) meanwhile.
    if (!job || job.data.tenantId !== tenant.id) throw ApiError.notFound('No such conversion');
    return toConversionStatus(
      {
        id: conversionId,
        state,
        data: job.data,
        progress: job.progress,
        returnvalue: job.returnvalue,
        failedReason: job.failedReason,
      },
      this.settings.publicBaseUrl,
    );
  }
}
