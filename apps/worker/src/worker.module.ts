import { type DynamicModule, Module } from '@nestjs/common';
import { BlobStagingModule } from '@wopi/blob-staging';
import { CoreAppClientModule } from '@wopi/core-app-client';
import { DbModule } from '@wopi/db';
import { FileRegistryModule } from '@wopi/file-registry';
import { JobsModule } from '@wopi/jobs';
import { RedisModule } from '@wopi/redis';
import { coreAppClientSettings, TenancyModule, type WorkerEnv, type WorkerJobKind } from '@wopi/tenancy';
import { baseLoggerOptions } from '@wopi/telemetry';
import { LoggerModule } from 'nestjs-pino';
import { ConversionModule } from './conversion/conversion.module';
import { WorkerHealthModule } from './health/worker-health.module';
import { HousekeepingModule } from './housekeeping/housekeeping.module';
import { WriteBackModule } from './write-back/write-back.module';

/** The processors (and their helpers) of each kind of job; a worker loads those of WORKER_JOBS. */
const jobModules = (env: WorkerEnv): Record<WorkerJobKind, DynamicModule> => ({
  'write-back': WriteBackModule.forRoot(env.WRITE_BACK_RELAY_INTERVAL_MS),
  conversion: ConversionModule.forRoot(env),
  housekeeping: HousekeepingModule.forRoot(env.AUDIT_RETENTION_DAYS),
});

/** The worker process: the same libs as the api, but BullMQ processors instead of controllers. */
@Module({})
export class WorkerModule {
  static forRoot(env: WorkerEnv): DynamicModule {
    const modules = jobModules(env);
    return {
      module: WorkerModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: baseLoggerOptions(env.LOG_LEVEL, 'wopi-worker') }),
        DbModule.forRoot(env.DATABASE_URL),
        RedisModule.forRoot(env.REDIS_URL, { channelPrefix: env.QUEUE_PREFIX }),
        JobsModule.forRoot({ redisUrl: env.REDIS_URL, prefix: env.QUEUE_PREFIX }),
        TenancyModule.forRoot(env.SECRETS_ENCRYPTION_KEY, {
          lifetimeMs: env.TENANT_CACHE_TTL_MS,
        }),
        CoreAppClientModule.forRoot(coreAppClientSettings(env)),
        BlobStagingModule.forRoot(env),
        FileRegistryModule.forRoot({ attempts: env.WRITE_BACK_ATTEMPTS, backoffMs: env.WRITE_BACK_BACKOFF_MS }),
        ...env.WORKER_JOBS.map((kind) => modules[kind]),
        ...(env.WORKER_HEALTH_PORT === undefined ? [] : [WorkerHealthModule]),
      ],
    };
  }
}
