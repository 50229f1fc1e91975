import { type DynamicModule, Module } from '@nestjs/common';
import { AuditLogRepository } from './audit-log.repository';
import { SecretBox } from './secret-box';
import { SECRET_BOX, TenantRepository } from './tenant.repository';
import { UserInfoRepository } from './user-info.repository';

@Module({})
export class TenancyModule {
  static forRoot(secretsEncryptionKey: string): DynamicModule {
    return {
      module: TenancyModule,
      global: true,
      providers: [
        { provide: SECRET_BOX, useValue: new SecretBox(secretsEncryptionKey) },
        TenantRepository,
        AuditLogRepository,
        UserInfoRepository,
      ],
      exports: [SECRET_BOX, TenantRepository, AuditLogRepository, UserInfoRepository],
    };
  }
}
