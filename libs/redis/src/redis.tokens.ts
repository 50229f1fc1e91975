/** Injection token of the process's shared ioredis client (locks, tickets, caches). */
export const REDIS = Symbol('REDIS');

/** Prefix of the deployment's pub/sub channels (QUEUE_PREFIX), so deployments can share a Redis. */
export const REDIS_CHANNEL_PREFIX = Symbol('REDIS_CHANNEL_PREFIX');
