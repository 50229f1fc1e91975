import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { ProcessCache, type ProcessCacheOptions } from './process-cache';
import { REDIS, REDIS_CHANNEL_PREFIX } from './redis.tokens';

interface InvalidationMessage {
  cache: string;
  /** A key, or a prefix when `prefix` is set. */
  key: string;
  prefix?: boolean;
  origin: string;
}

/**
 * Keeps the ProcessCaches of every api and worker process coherent: a write invalidates its keys
 * here and at once, then publishes them on one Redis pub/sub channel that every process listens to.
 * Redis pub/sub delivers at most once: while the subscription is down, the caches serve nothing,
 * and when it is back they start empty; each entry's TTL bounds what a lost message could cost.
 */
@Injectable()
export class CacheInvalidationBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CacheInvalidationBus.name);
  private readonly origin = randomUUID();
  private readonly caches = new Map<string, ProcessCache<unknown>>();
  private readonly channel: string;
  private subscriber: Redis | undefined;
  private live = false;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_CHANNEL_PREFIX) channelPrefix: string,
  ) {
    this.channel = `${channelPrefix}:cache-invalidation`;
  }

  /** A cache whose keys every process drops when one of them calls invalidate(). */
  cache<V>(name: string, options: ProcessCacheOptions): ProcessCache<V> {
    const existing = this.caches.get(name);
    if (existing) return existing as ProcessCache<V>;
    const cache = new ProcessCache<V>(name, options);
    cache.setTrusted(this.live);
    this.caches.set(name, cache as ProcessCache<unknown>);
    return cache;
  }

  /** Drops `key` of cache `name` in this process now and in every other one within milliseconds. */
  async invalidate(name: string, key: string): Promise<void> {
    await this.send({ cache: name, key, origin: this.origin });
  }

  /** Drops every key of cache `name` that starts with `prefix`, everywhere. */
  async invalidatePrefix(name: string, prefix: string): Promise<void> {
    await this.send({ cache: name, key: prefix, prefix: true, origin: this.origin });
  }

  async onModuleInit(): Promise<void> {
    const subscriber = this.redis.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true });
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, raw: string) => this.receive(raw));
    // Messages published while the subscription was down are lost: trust nothing cached until
    // it is back, and then start from empty caches.
    subscriber.on('ready', () => {
      void subscriber.subscribe(this.channel).then(
        () => this.setLive(true),
        (error: unknown) => this.logger.warn({ err: error }, 'cache invalidation subscription failed'),
      );
    });
    subscriber.on('close', () => this.setLive(false));
    subscriber.on('error', () => this.setLive(false));
    await new Promise<void>((resolve) => {
      // Start-up does not wait for Redis: caches simply stay off until the subscription is live.
      const timer = setTimeout(resolve, 2_000);
      subscriber.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (subscriber.status === 'ready') {
      await subscriber.subscribe(this.channel).catch(() => undefined);
      this.setLive(true);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.setLive(false);
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (!subscriber) return;
    if (subscriber.status === 'ready') await subscriber.quit().catch(() => subscriber.disconnect());
    else subscriber.disconnect();
  }

  private async send(message: InvalidationMessage): Promise<void> {
    this.apply(message);
    try {
      await this.redis.publish(this.channel, JSON.stringify(message));
    } catch (error) {
      // Other processes will not hear of this write: their entries age out within their TTL.
      this.logger.warn({ err: error, cache: message.cache }, 'cache invalidation not published');
    }
  }

  private receive(raw: string): void {
    let message: InvalidationMessage;
    try {
      message = JSON.parse(raw) as InvalidationMessage;
    } catch {
      return;
    }
    if (message.origin !== this.origin) this.apply(message);
  }

  private apply(message: InvalidationMessage): void {
    const cache = this.caches.get(message.cache);
    if (!cache) return;
    if (message.prefix) cache.evictPrefix(message.key);
    else cache.evict(message.key);
  }

  private setLive(live: boolean): void {
    if (this.live === live) return;
    this.live = live;
    for (const cache of this.caches.values()) cache.setTrusted(live);
  }
}
