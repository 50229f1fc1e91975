import { type DynamicModule, Module } from '@nestjs/common';
import { HousekeepingProcessor } from './housekeeping.processor';
import { AUDIT_RETENTION_DAYS, HousekeepingService } from './housekeeping.service';

@Module({})
export class HousekeepingModule {
  static forRoot(auditRetentionDays: number): DynamicModule {
    return {
      module: HousekeepingModule,
      providers: [
        HousekeepingService,
        HousekeepingProcessor,
        { provide: AUDIT_RETENTION_DAYS, useValue: auditRetentionDays },
      ],
    };
  }
}
