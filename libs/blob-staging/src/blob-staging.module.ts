import { type DynamicModule, Module } from '@nestjs/common';
import { BLOB_STORE, type BlobStore } from './blob-store.port';
import { LocalDiskBlobStore } from './local-disk-blob.store';
import { S3BlobStore } from './s3-blob.store';

/** The staging settings of the process env (libs/tenancy's RuntimeEnv), as this module reads them. */
export interface BlobStagingSettings {
  BLOB_STAGING_DRIVER: 'local' | 's3';
  BLOB_STAGING_DIR: string;
  S3_ENDPOINT?: string;
  S3_REGION: string;
  S3_BUCKET?: string;
  S3_PREFIX: string;
  S3_ACCESS_KEY_ID?: string;
  S3_SECRET_ACCESS_KEY?: string;
  S3_FORCE_PATH_STYLE: boolean;
}

@Module({})
export class BlobStagingModule {
  static forRoot(settings: BlobStagingSettings): DynamicModule {
    return {
      module: BlobStagingModule,
      global: true,
      providers: [{ provide: BLOB_STORE, useValue: createBlobStore(settings) }],
      exports: [BLOB_STORE],
    };
  }
}

export function createBlobStore(settings: BlobStagingSettings): BlobStore {
  if (settings.BLOB_STAGING_DRIVER === 'local') return new LocalDiskBlobStore(settings.BLOB_STAGING_DIR);
  if (!settings.S3_BUCKET) throw new Error('S3_BUCKET is required when BLOB_STAGING_DRIVER=s3');
  return new S3BlobStore({
    endpoint: settings.S3_ENDPOINT,
    region: settings.S3_REGION,
    bucket: settings.S3_BUCKET,
    prefix: settings.S3_PREFIX,
    credentials:
      settings.S3_ACCESS_KEY_ID && settings.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: settings.S3_ACCESS_KEY_ID, secretAccessKey: settings.S3_SECRET_ACCESS_KEY }
        : undefined,
    forcePathStyle: settings.S3_FORCE_PATH_STYLE,
  });
}
