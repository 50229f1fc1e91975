export * from './blob-staging.module';
export * from './blob-store.port';
export * from './content-meter';
export * from './local-disk-blob.store';
export * from './s3-blob.store';
