import { setTimeout as delay } from 'node:timers/promises';
import { WorkerHost } from '@nestjs/bullmq';
import type { BeforeApplicationShutdown } from '@nestjs/common';

/** How long shutdown waits for a worker's Redis connections to finish connecting before closing it. */
const READY_WAIT_MS = 3_000;

/**
 * A BullMQ processor whose jobs in progress finish before anything they use shuts down.
 * @nestjs/bullmq closes its workers in onApplicationShutdown, the same phase in which the Prisma,
 * core-app and Redis clients close, in an order that follows module depth; closing here, one
 * phase earlier, makes "SIGTERM finishes the jobs in flight" hold whatever that order is.
 * (BullMQ's close() is idempotent: the library's later call just waits for this one.)
 */
export abstract class DrainingWorkerHost extends WorkerHost implements BeforeApplicationShutdown {
  async beforeApplicationShutdown(): Promise<void> {
    // A worker closed while its connections are still being set up has one of them fail after the
    // close, when nothing listens any more: an unhandled 'error' that kills the process. So let
    // them settle first, but do not wait long on a Redis that cannot be reached.
    await Promise.race([
      this.worker.waitUntilReady().catch(() => undefined),
      delay(READY_WAIT_MS, undefined, { ref: false }),
    ]);
    await this.worker.close();
  }
}
