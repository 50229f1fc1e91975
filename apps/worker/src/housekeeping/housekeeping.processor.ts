import { Processor } from '@nestjs/bullmq';
import { JobName, QueueName } from '@wopi/jobs';
import type { Job } from 'bullmq';
import { HousekeepingService } from './housekeeping.service';
import { DrainingWorkerHost } from '../draining-worker-host';

@Processor(QueueName.Housekeeping)
export class HousekeepingProcessor extends DrainingWorkerHost {
  constructor(private readonly housekeeping: HousekeepingService) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name as JobName) {
      case JobName.PurgeAuditEvents:
        return { purged: await this.housekeeping.purgeAuditEvents() };
      case JobName.SweepStaging:
        return this.housekeeping.sweepStaging();
      case JobName.PurgeDeletedTenants:
        return { purged: await this.housekeeping.purgeDeletedTenants() };
      default:
        throw new Error(`unknown housekeeping job "${job.name}"`);
    }
  }
}
