export * from './invalid-lock-id.error';
export * from './lock-id';
export * from './lock-key';
export * from './lock-results';
export * from './lock-store-unavailable.error';
export * from './lock-store.module';
export * from './lock-ttl';
export * from './lock.store';
