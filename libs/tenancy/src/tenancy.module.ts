import { type DynamicModule, Module } from '@nestjs/common';
import { ApiKeyUsage } from './api-key-usage';
import { AuditLogRepository } from './audit-log.repository';
import { SecretBox } from './secret-box';
import { TENANT_CACHE_OPTIONS, TenantCache, type TenantCacheOptions, tenantChangesChannel } from './tenant-cache';
import { SECRET_BOX, TenantRepository } from './tenant.repository';
import { UserInfoRepository } from './user-info.repository';

export interface TenancyCacheSettings {
  /** QUEUE_PREFIX: the change channel is named after it. */
  queuePrefix: string;
  /** TENANT_CACHE_TTL_MS. */
  lifetimeMs: number;
}

/** While change notices cannot arrive, a cached tenant is trusted this long at most. */
export const TENANT_CACHE_FALLBACK_LIFETIME_MS = 2_000;

@Module({})
export class TenancyModule {
  static forRoot(secretsEncryptionKey: string, cache: TenancyCacheSettings): DynamicModule {
    const cacheOptions: TenantCacheOptions = {
      channel: tenantChangesChannel(cache.queuePrefix),
      lifetimeMs: cache.lifetimeMs,
      fallbackLifetimeMs: Math.min(cache.lifetimeMs, TENANT_CACHE_FALLBACK_LIFETIME_MS),
    };
    return {
      module: TenancyModule,
      global: true,
      providers: [
        { provide: SECRET_BOX, useValue: new SecretBox(secretsEncryptionKey) },
        { provide: TENANT_CACHE_OPTIONS, useValue: cacheOptions },
        TenantRepository,
        TenantCache,
        AuditLogRepository,
        UserInfoRepository,
        ApiKeyUsage,
      ],
      exports: [SECRET_BOX, TenantRepository, TenantCache, AuditLogRepository, UserInfoRepository, ApiKeyUsage],
    };
  }
}
