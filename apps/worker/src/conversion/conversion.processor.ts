import { Processor } from '@nestjs/bullmq';
import { Inject, type OnApplicationBootstrap } from '@nestjs/common';
import type { ConvertFileJob, ConvertFileResult } from '@wopi/conversion';
import { JobName, QueueName } from '@wopi/jobs';
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
    return this.conversions.run(job);
  }
}
