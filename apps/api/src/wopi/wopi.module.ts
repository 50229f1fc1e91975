import { type DynamicModule, Module } from '@nestjs/common';
import { LockStoreModule } from '@wopi/lock-store';
import { ProofKeysService } from './proof-keys.service';
import { WopiAuthGuard } from './wopi-auth.guard';
import { WopiFilesController } from './wopi-files.controller';
import { WopiFilesService } from './wopi-files.service';
import { WOPI_SETTINGS, type WopiSettings } from './wopi-settings';

@Module({})
export class WopiModule {
  static forRoot(settings: WopiSettings): DynamicModule {
    return {
      module: WopiModule,
      imports: [LockStoreModule],
      controllers: [WopiFilesController],
      providers: [WopiFilesService, WopiAuthGuard, ProofKeysService, { provide: WOPI_SETTINGS, useValue: settings }],
    };
  }
}
