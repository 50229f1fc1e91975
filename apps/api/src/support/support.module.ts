import { Module } from '@nestjs/common';
import { LockStoreModule } from '@wopi/lock-store';
import { AdminApiKeyGuard } from './admin-api-key.guard';
import { HeldWriteBacksController } from './held-write-backs.controller';
import { LockSupportController } from './lock-support.controller';
import { WriteBackSupportController } from './write-back-support.controller';

/** Operator support endpoints; the full admin API (tenants, keys, audit) builds on the same guard. */
@Module({
  imports: [LockStoreModule],
  controllers: [LockSupportController, WriteBackSupportController, HeldWriteBacksController],
  providers: [AdminApiKeyGuard],
})
export class SupportModule {}
