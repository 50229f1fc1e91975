import { type DynamicModule, Module } from '@nestjs/common';
import { accessTokenKeyRing, AccessTokensModule } from '@wopi/access-tokens';
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
import { OpenApiModule } from './openapi/openapi.module';
import { SessionModule } from './session/session.module';
import { TenantAdminModule } from './tenant-admin/tenant-admin.module';
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
        RedisModule.forRoot(env.REDIS_URL, { channelPrefix: env.QUEUE_PREFIX }),
        JobsModule.forRoot({ redisUrl: env.REDIS_URL, prefix: env.QUEUE_PREFIX }),
        TenancyModule.forRoot(env.SECRETS_ENCRYPTION_KEY, {
          lifetimeMs: env.TENANT_CACHE_TTL_MS,
        }),
        CoreAppClientModule.forRoot(coreAppClientSettings(env)),
        AccessTokensModule.forRoot(
          accessTokenKeyRing(env.ACCESS_TOKEN_SIGNING_KEY, env.ACCESS_TOKEN_VERIFICATION_KEYS),
        ),
        HealthModule.forRoot(env.MIGRATIONS_DIR),
        SessionModule.forRoot({
          publicBaseUrl: env.PUBLIC_BASE_URL,
          launchTicketTtlSeconds: env.LAUNCH_TICKET_TTL_SECONDS,
        }),
        DiscoveryModule.forRoot({
          refreshIntervalMs: env.DISCOVERY_REFRESH_INTERVAL_MS,
          minRefreshIntervalMs: env.DISCOVERY_MIN_REFRESH_INTERVAL_MS,
          fetchTimeoutMs: env.DISCOVERY_FETCH_TIMEOUT_MS,
          egress: { allowPrivateNetworks: env.EGRESS_ALLOW_PRIVATE_NETWORKS },
        }),
        HostPageModule.forRoot({ publicBaseUrl: env.PUBLIC_BASE_URL }),
        BlobStagingModule.forRoot(env),
        FileRegistryModule.forRoot({ attempts: env.WRITE_BACK_ATTEMPTS, backoffMs: env.WRITE_BACK_BACKOFF_MS }),
        WopiModule.forRoot({ publicBaseUrl: env.PUBLIC_BASE_URL }),
        OpenApiModule,
        TenantAdminModule.forRoot({ deletionGraceDays: env.TENANT_DELETION_GRACE_DAYS }),
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
