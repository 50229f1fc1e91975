import { Processor } from '@nestjs/bullmq';
import { type WriteBackJob } from '@wopi/file-registry';
import { QueueName } from '@wopi/jobs';
import { inConsumerSpan, tenantLabel, wopiMetrics } from '@wopi/telemetry';
import { DelayedError, type Job } from 'bullmq';
import { DrainingWorkerHost } from '../draining-worker-host';
import { WriteBackBusyError, WriteBackService } from './write-back.service';

/** A busy file (another worker writes it back) is looked at again after this, without using an attempt. */
const BUSY_RETRY_MS = 2_000;

@Processor(QueueName.WriteBack, { concurrency: 4 })
export class WriteBackProcessor extends DrainingWorkerHost {
  constructor(private readonly writeBack: WriteBackService) {
    super();
  }

  async process(job: Job<WriteBackJob>, token?: string): Promise<unknown> {
    try {
      // The job id owns the file's lease: the same job resumed after a crash may take it over at once.
      const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      // The span continues the save's trace, so the core-app call below shows up under the PutFile.
      return await inConsumerSpan(
        'write-back',
        job.data.trace,
        {
          'wopi.file.id': job.data.fileId,
          'wopi.write_back.version': job.data.versionNumber,
          'messaging.message.id': String(job.id),
        },
        async () => {
          const outcome = await this.writeBack.run(job.data, String(job.id), { finalAttempt });
          if (outcome.result === 'confirmed' && job.data.savedAtMs !== undefined)
            wopiMetrics.writeBackLag((Date.now() - job.data.savedAtMs) / 1000, {
              'wopi.tenant': tenantLabel(job.data.tenantId),
            });
          return outcome;
        },
      );
    } catch (error) {
      if (error instanceof WriteBackBusyError && token) {
        await job.moveToDelayed(Date.now() + BUSY_RETRY_MS, token);
        throw new DelayedError();
      }
      throw error;
    }
  }
}
