import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { redisOptionsFromUrl } from '@wopi/redis';
import { QueueName } from './queue-names';

export interface JobsOptions {
  redisUrl: string;
  /** Key prefix of every queue: several deployments or test runs can share one Redis. */
  prefix: string;
}

/**
 * BullMQ wiring shared by api and worker: the same connection settings and queues everywhere. The
 * api only adds jobs; the worker also registers processors (see apps/worker).
 */
@Module({})
export class JobsModule {
  static forRoot(options: JobsOptions): DynamicModule {
    const bull = BullModule.forRoot({
      prefix: options.prefix,
      // BullMQ's workers block on Redis, so commands must wait for a reconnect instead of failing
      // after a retry count (maxRetriesPerRequest: null, as BullMQ requires for workers).
      connection: { ...redisOptionsFromUrl(options.redisUrl), maxRetriesPerRequest: null },
    });
    const queues = BullModule.registerQueue(...Object.values(QueueName).map((name) => ({ name })));
    return { module: JobsModule, global: true, imports: [bull, queues], exports: [bull, queues] };
  }
}
