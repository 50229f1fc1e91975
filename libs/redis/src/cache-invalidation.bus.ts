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
  /** Set when the sender waits to hear its own message back (see `invalidate`'s `awaitDelivery`). */
  id?: string;
}

/** How long a sender waits to hear its own invalidation back before it gives up waiting. */
const DELIVERY_WAIT_MS = 1_000;

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
  private readonly awaitingEcho = new Map<string, () => void>();

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

  /**
   * Drops `key` of cache `name` in this process now and in every other one within milliseconds.
   *
   * With `awaitDelivery`, resolves only once this process's own subscription has received the
   * message (at most DELIVERY_WAIT_MS): Redis writes a published message to every subscriber's
   * socket in one step, so by then every process has it in hand, and a request that reaches any
   * process after the caller's answer finds the entry gone. Used where a stale entry would let a
   * refused user in (revocations).
   */
  async invalidate(name: string, key: string, { awaitDelivery = false } = {}): Promise<void> {
    if (!awaitDelivery || !this.live) {
      await this.send({ cache: name, key, origin: this.origin });
      return;
    }
    const id = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const echoed = new Promise<void>((resolve) => {
      this.awaitingEcho.set(id, resolve);
      timer = setTimeout(() => {
        this.logger.warn({ cache: name }, 'cache invalidation not heard back in time');
        resolve();
      }, DELIVERY_WAIT_MS);
    });
    try {
      if (await this.send({ cache: name, key, origin: this.origin, id })) await echoed;
    } finally {
      clearTimeout(timer);
      this.awaitingEcho.delete(id);
    }
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

  /** Applies the message here and publishes it; whether it was published. */
  private async send(message: InvalidationMessage): Promise<boolean> {
    this.apply(message);
    try {
      await this.redis.publish(this.channel, JSON.stringify(message));
      return true;
    } catch (error) {
      // Other processes will not hear of this write: their entries age out within their TTL.
      this.logger.warn({ err: error, cache: message.cache }, 'cache invalidation not published');
      return false;
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
    else if (message.id !== undefined) this.awaitingEcho.get(message.id)?.();
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
    // A sender waiting for its echo on a subscription that just dropped would wait in vain.
    if (!live) for (const release of this.awaitingEcho.values()) release();
    for (const cache of this.caches.values()) cache.setTrusted(live);
  }
}
