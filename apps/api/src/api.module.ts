import { type DynamicModule, Module } from '@nestjs/common';
import { AccessTokensModule } from '@wopi/access-tokens';
import { BlobStagingModule } from '@wopi/blob-staging';
import { DbModule } from '@wopi/db';
import { FileRegistryModule } from '@wopi/file-registry';
import { JobsModule } from '@wopi/jobs';
import { RedisModule } from '@wopi/redis';
import { CoreAppClientModule } from '@wopi/core-app-client';
import { type ApiEnv, coreAppClientSettings, TenancyModule } from '@wopi/tenancy';
import { LoggerModule } from 'nestjs-pino';
import { ConversionModule } from './conversion/conversion.module';
import { DiscoveryModule } from './discovery/discovery.module';
import { HealthModule } from './health/health.module';
import { HostPageModule } from './host-page/host-page.module';
import { apiLoggerOptions } from './logging';
import { SessionModule } from './session/session.module';
import { SupportModule } from './support/support.module';
import { TrafficModule } from './traffic/traffic.module';
import { WopiModule } from './wopi/wopi.module';

/** The api process: one module tree, built from the parsed env (the worker shares the libs). */
@Module({})
export class ApiModule {
  static forRoot(env: ApiEnv): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        LoggerModule.forRoot(apiLoggerOptions(env)),
        DbModule.forRoot(env.DATABASE_URL),
        RedisModule.forRoot(env.REDIS_URL),
        JobsModule.forRoot({ redisUrl: env.REDIS_URL, prefix: env.QUEUE_PREFIX }),
        TenancyModule.forRoot(env.SECRETS_ENCRYPTION_KEY),
        CoreAppClientModule.forRoot(coreAppClientSettings(env)),
        AccessTokensModule.forRoot({ current: 'k1', keys: { k1: env.ACCESS_TOKEN_SIGNING_KEY } }),
        HealthModule.forRoot(env.MIGRATIONS_DIR),
        SessionModule.forRoot({
          publicBaseUrl: env.PUBLIC_BASE_URL,
          launchTicketTtlSeconds: env.LAUNCH_TICKET_TTL_SECONDS,
        }),
        DiscoveryModule.forRoot({
          refreshIntervalMs: env.DISCOVERY_REFRESH_INTERVAL_MS,
          minRefreshIntervalMs: env.DISCOVERY_MIN_REFRESH_INTERVAL_MS,
          fetchTimeoutMs: env.DISCOVERY_FETCH_TIMEOUT_MS,
        }),
        HostPageModule.forRoot({ publicBaseUrl: env.PUBLIC_BASE_URL }),
        BlobStagingModule.forRoot({ directory: env.BLOB_STAGING_DIR }),
        FileRegistryModule.forRoot({ attempts: env.WRITE_BACK_ATTEMPTS, backoffMs: env.WRITE_BACK_BACKOFF_MS }),
        WopiModule.forRoot({ publicBaseUrl: env.PUBLIC_BASE_URL }),
        SupportModule,
        TrafficModule,
        ConversionModule.forRoot({
          publicBaseUrl: env.PUBLIC_BASE_URL,
          attempts: env.CONVERSION_ATTEMPTS,
          retryDelayMs: env.CONVERSION_RETRY_DELAY_MS,
        }),
      ],
    };
  }
}
