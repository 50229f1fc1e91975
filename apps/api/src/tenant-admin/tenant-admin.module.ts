import { type DynamicModule, Module } from '@nestjs/common';
import { LockStoreModule } from '@wopi/lock-store';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminKeysController } from './admin-keys.controller';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { ClientProfilesController } from './client-profiles.controller';
import { ClientProfilesService } from './client-profiles.service';
import { FileSupportController } from './file-support.controller';
import { FileSupportService } from './file-support.service';
import { TENANT_ADMIN_SETTINGS, type TenantAdminSettings } from './tenant-admin-settings';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';
import { WriteBackSupportController } from './write-back-support.controller';
import { WriteBackSupportService } from './write-back-support.service';

/** The admin API under /admin/v1: tenants, client profiles, keys, audit, file and write-back support. */
@Module({})
export class TenantAdminModule {
  static forRoot(settings: TenantAdminSettings): DynamicModule {
    return {
      module: TenantAdminModule,
      imports: [LockStoreModule],
      controllers: [
        TenantsController,
        ClientProfilesController,
        ApiKeysController,
        AdminKeysController,
        AuditController,
        FileSupportController,
        WriteBackSupportController,
      ],
      providers: [
        AdminAuthGuard,
        TenantsService,
        ClientProfilesService,
        ApiKeysService,
        AuditService,
        FileSupportService,
        WriteBackSupportService,
        { provide: TENANT_ADMIN_SETTINGS, useValue: settings },
      ],
    };
  }
}
