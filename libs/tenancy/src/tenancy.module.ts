import { type DynamicModule, Module } from '@nestjs/common';
import { ApiKeyUsage } from './api-key-usage';
import { AuditLogRepository } from './audit-log.repository';
import { SecretBox } from './secret-box';
import { TENANT_CACHE_OPTIONS, TenantCache, type TenantCacheOptions } from './tenant-cache';
import { SECRET_BOX, TenantRepository } from './tenant.repository';
import { UserInfoRepository } from './user-info.repository';

export interface TenancyCacheSettings {
  /** TENANT_CACHE_TTL_MS. */
  lifetimeMs: number;
}

@Module({})
export class TenancyModule {
  static forRoot(secretsEncryptionKey: string, cache: TenancyCacheSettings): DynamicModule {
    const cacheOptions: TenantCacheOptions = { lifetimeMs: cache.lifetimeMs };
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
