import { Processor } from '@nestjs/bullmq';
import { Inject, type OnApplicationBootstrap } from '@nestjs/common';
import type { ConvertFileJob, ConvertFileResult } from '@wopi/conversion';
import { JobName, QueueName } from '@wopi/jobs';
import { errorTypeOf, inConsumerSpan, wopiMetrics } from '@wopi/telemetry';
import { type Job, UnrecoverableError } from 'bullmq';
import { CONVERSION_WORKER_SETTINGS, ConversionService, type ConversionWorkerSettings } from './conversion.service';
import { DrainingWorkerHost } from '../draining-worker-host';

@Processor(QueueName.Conversion)
export class ConversionProcessor extends DrainingWorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly conversions: ConversionService,
    @Inject(CONVERSION_WORKER_SETTINGS) private readonly settings: ConversionWorkerSettings,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    // From the env (CONVERSION_CONCURRENCY), which the decorator above cannot read.
    this.worker.concurrency = this.settings.concurrency;
  }

  process(job: Job<ConvertFileJob, ConvertFileResult>): Promise<ConvertFileResult> {
    if (job.name !== JobName.ConvertFile) throw new UnrecoverableError(`unknown conversion job "${job.name}"`);
    return this.timed(job);
  }

  /** wopi.conversion.duration, failures with their error.type (a retried outage counts each try). */
  private async timed(job: Job<ConvertFileJob, ConvertFileResult>): Promise<ConvertFileResult> {
    const started = performance.now();
    let errorType: string | undefined;
    try {
      // Continues the trace of the conversion request: its core-app calls show up under it.
      return await inConsumerSpan('conversion', job.data.trace, { 'messaging.message.id': String(job.id) }, () =>
        this.conversions.run(job),
      );
    } catch (error) {
      errorType = errorTypeOf(error);
      throw error;
    } finally {
      wopiMetrics.conversion((performance.now() - started) / 1000, { 'error.type': errorType });
    }
  }
}
