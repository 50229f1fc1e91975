export * from './file-id';
export * from './file-registry.module';
export * from './file.repository';
export * from './version-ledger.repository';
export * from './write-back-job';
export * from './write-back.scheduler';
export * from './created-file.registrar';
export * from './staged-blobs';
