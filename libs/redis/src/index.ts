export * from './cache-invalidation.bus';
export * from './process-cache';
export * from './redis-options';
export * from './redis.module';
export * from './redis.tokens';
