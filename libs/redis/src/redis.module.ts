import { Inject, type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { CacheInvalidationBus } from './cache-invalidation.bus';
import { redisOptionsFromUrl } from './redis-options';
import { REDIS, REDIS_CHANNEL_PREFIX } from './redis.tokens';

@Module({})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** `channelPrefix`: the deployment's QUEUE_PREFIX, so its cache invalidations stay its own. */
  static forRoot(url: string, { channelPrefix = 'wopi' }: { channelPrefix?: string } = {}): DynamicModule {
    return {
      module: RedisModule,
      global: true,
      providers: [
        { provide: REDIS_CHANNEL_PREFIX, useValue: channelPrefix },
        CacheInvalidationBus,
        {
          provide: REDIS,
          // Fail a command after a short queue rather than hang: callers such as the lock store must
          // fail closed quickly when Redis is down.
          useFactory: () =>
            new Redis({ ...redisOptionsFromUrl(url), maxRetriesPerRequest: 2, enableOfflineQueue: true }),
        },
      ],
      exports: [REDIS, CacheInvalidationBus],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    // quit() lets sent commands finish; a client that is not connected would queue QUIT until it
    // reconnects (maybe never), so it is disconnected instead, which also stops reconnecting.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }
}
