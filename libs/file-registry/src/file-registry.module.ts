import { type DynamicModule, Module } from '@nestjs/common';
import { CreatedFileRegistrar } from './created-file.registrar';
import { FileRepository } from './file.repository';
import { StagedBlobs } from './staged-blobs';
import { VersionLedger } from './version-ledger.repository';
import { WRITE_BACK_SETTINGS, WriteBackScheduler, type WriteBackSettings } from './write-back.scheduler';

const DEFAULT_WRITE_BACK_SETTINGS: WriteBackSettings = { attempts: 12, backoffMs: 1_000 };

/** File identities, versions, staged blobs and the write-back outbox (global: api and worker import it once). */
@Module({})
export class FileRegistryModule {
  static forRoot(writeBack: WriteBackSettings = DEFAULT_WRITE_BACK_SETTINGS): DynamicModule {
    const providers = [
      FileRepository,
      VersionLedger,
      StagedBlobs,
      CreatedFileRegistrar,
      WriteBackScheduler,
      { provide: WRITE_BACK_SETTINGS, useValue: writeBack },
    ];
    return { module: FileRegistryModule, global: true, providers, exports: providers };
  }
}
