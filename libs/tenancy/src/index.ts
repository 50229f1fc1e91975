export * from './audit-log.repository';
export * from './api-key';
export * from './env';
export * from './secret-box';
export * from './tenancy.module';
export * from './tenant-features';
export * from './tenant.repository';
export * from './user-info.repository';
