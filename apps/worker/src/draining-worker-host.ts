import { WorkerHost } from '@nestjs/bullmq';
import type { BeforeApplicationShutdown } from '@nestjs/common';

/**
 * A BullMQ processor whose jobs in progress finish before anything they use shuts down.
 * @nestjs/bullmq closes its workers in onApplicationShutdown, the same phase in which the Prisma,
 * core-app and Redis clients close, in an order that follows module depth; closing here, one
 * phase earlier, makes "SIGTERM finishes the jobs in flight" hold whatever that order is.
 * (BullMQ's close() is idempotent: the library's later call just waits for this one.)
 */
export abstract class DrainingWorkerHost extends WorkerHost implements BeforeApplicationShutdown {
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }
}
