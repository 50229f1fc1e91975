import { type DynamicModule, Module } from '@nestjs/common';
import { LockStoreModule } from '@wopi/lock-store';
import { ProofKeysService } from './proof-keys.service';
import { WopiAuthGuard } from './wopi-auth.guard';
import { WopiFilesController } from './wopi-files.controller';
import { WopiContentService } from './wopi-content.service';
import { WopiFileAccess } from './wopi-file-access';
import { WopiFileInfoService } from './wopi-file-info.service';
import { WopiLocksService } from './wopi-locks.service';
import { WopiNamesService } from './wopi-names.service';
import { WOPI_SETTINGS, type WopiSettings } from './wopi-settings';

@Module({})
export class WopiModule {
  static forRoot(settings: WopiSettings): DynamicModule {
    return {
      module: WopiModule,
      imports: [LockStoreModule],
      controllers: [WopiFilesController],
      providers: [
        WopiFileAccess,
        WopiFileInfoService,
        WopiContentService,
        WopiLocksService,
        WopiNamesService,
        WopiAuthGuard,
        ProofKeysService,
        { provide: WOPI_SETTINGS, useValue: settings },
      ],
    };
  }
}
