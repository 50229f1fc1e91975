import { type DynamicModule, Module } from '@nestjs/common';
import { BLOB_STORE } from './blob-store.port';
import { LocalDiskBlobStore } from './local-disk-blob.store';

@Module({})
export class BlobStagingModule {
  static forRoot(options: { directory: string }): DynamicModule {
    return {
      module: BlobStagingModule,
      global: true,
      providers: [{ provide: BLOB_STORE, useValue: new LocalDiskBlobStore(options.directory) }],
      exports: [BLOB_STORE],
    };
  }
}
