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
  /** Set when the sender waits for every process to confirm (see `invalidate`'s `confirm`). */
  id?: string;
}

/** A process's confirmation that it applied invalidation `id`, sent to the sender's own channel. */
interface Acknowledgement {
  ack: string;
  from: string;
}

/** The subscription is pinged this often, on its own connection. */
const LIVENESS_PING_MS = 500;
/**
 * A subscription whose ping has not been answered for this long is taken for dead (a connection
 * that died without closing, which Redis would still count as delivered to): caches stop being
 * trusted and the connection is made anew.
 */
const LIVENESS_TIMEOUT_MS = 1_000;
/** Each process says it is listening this often, and counts as a member this long after. */
const MEMBERSHIP_REFRESH_MS = 1_000;
const MEMBERSHIP_LIFETIME_MS = 3_000;
/**
 * How long a confirmed invalidation waits for the members' acknowledgements. Longer than a missed
 * ping takes to be noticed (LIVENESS_PING_MS + LIVENESS_TIMEOUT_MS): a member that has not
 * confirmed by then is gone, or has stopped trusting its caches.
 */
const CONFIRM_WAIT_MS = 2_000;

/** A confirmed invalidation could not be sent: other processes may still hold the entry. */
export class InvalidationNotConfirmedError extends Error {
  constructor(reason: string) {
    super(`cache invalidation not confirmed: ${reason}`);
    this.name = 'InvalidationNotConfirmedError';
  }
}

/**
 * Keeps the ProcessCaches of every api and worker process coherent: a write invalidates its keys
 * here and at once, then publishes them on one Redis pub/sub channel that every process listens to.
 * Redis pub/sub delivers at most once: while the subscription is down, or its liveness ping goes
 * unanswered, the caches serve nothing, and when it is back they start empty; each entry's TTL
 * bounds what a loss the bus could not notice would cost.
 *
 * Every process registers itself as a member (a sorted set, refreshed every second), so that an
 * invalidation that must hold everywhere before its caller answers (`confirm`) can wait for each
 * member's acknowledgement.
 */
@Injectable()
export class CacheInvalidationBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CacheInvalidationBus.name);
  private readonly origin = randomUUID();
  private readonly caches = new Map<string, ProcessCache<unknown>>();
  private readonly channel: string;
  private readonly ackChannel: string;
  private readonly membersKey: string;
  private subscriber: Redis | undefined;
  private live = false;
  private timers: NodeJS.Timeout[] = [];
  private lastPongAtMs = 0;
  /** Confirmed invalidations of this process: id → members yet to acknowledge, and the release. */
  private readonly awaitingAcks = new Map<string, { missing: Set<string>; release(): void }>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_CHANNEL_PREFIX) channelPrefix: string,
  ) {
    this.channel = `${channelPrefix}:cache-invalidation`;
    this.ackChannel = `${this.channel}:ack:${this.origin}`;
    this.membersKey = `${this.channel}:members`;
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
   * With `confirm`, resolves only once every member process has acknowledged that it dropped the
   * key, or CONFIRM_WAIT_MS have passed, after which a member that has not is gone or no longer
   * trusts its caches: either way, a request that reaches any process after the caller answers
   * finds no copy of the entry. Throws InvalidationNotConfirmedError when that cannot be
   * established (this process's subscription is down, or Redis refused the message): the caller's
   * write stands, and its caller should retry. Used where a stale entry would let a refused user in
   * (revocations, tenant suspensions).
   */
  async invalidate(name: string, key: string, { confirm = false } = {}): Promise<void> {
    if (!confirm) {
      await this.send({ cache: name, key, origin: this.origin });
      return;
    }
    this.apply({ cache: name, key, origin: this.origin });
    if (!this.live) throw new InvalidationNotConfirmedError('this process is not listening to the bus');
    const now = Date.now();
    let members: string[];
    try {
      await this.redis.zremrangebyscore(this.membersKey, '-inf', now);
      members = await this.redis.zrangebyscore(this.membersKey, now, '+inf');
    } catch (error) {
      throw new InvalidationNotConfirmedError(`the members could not be read (${(error as Error).message})`);
    }
    const id = randomUUID();
    const missing = new Set(members.filter((member) => member !== this.origin));
    let timer: NodeJS.Timeout | undefined;
    const acknowledged = new Promise<void>((resolve) => {
      this.awaitingAcks.set(id, { missing, release: resolve });
      if (missing.size === 0) resolve();
      timer = setTimeout(() => {
        this.logger.warn(
          { cache: name, unconfirmed: missing.size },
          'cache invalidation not confirmed by every member in time; they no longer trust their caches',
        );
        resolve();
      }, CONFIRM_WAIT_MS);
    });
    try {
      try {
        await this.redis.publish(this.channel, JSON.stringify({ cache: name, key, origin: this.origin, id }));
      } catch (error) {
        throw new InvalidationNotConfirmedError(`Redis refused the message (${(error as Error).message})`);
      }
      await acknowledged;
    } finally {
      clearTimeout(timer);
      this.awaitingAcks.delete(id);
    }
  }

  /** Drops every key of cache `name` that starts with `prefix`, everywhere. */
  async invalidatePrefix(name: string, prefix: string): Promise<void> {
    await this.send({ cache: name, key: prefix, prefix: true, origin: this.origin });
  }

  async onModuleInit(): Promise<void> {
    const subscriber = this.redis.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true });
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, raw: string) => this.receive(channel, raw));
    // Messages published while the subscription was down are lost: trust nothing cached until
    // it is back, and then start from empty caches.
    let subscribed: Promise<void> | undefined;
    subscriber.on('ready', () => (subscribed = this.subscribe(subscriber)));
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
    // The first subscription, started by the 'ready' handler, is live before start-up goes on.
    await subscribed;
    this.timers = [
      setInterval(() => this.checkLiveness(subscriber), LIVENESS_PING_MS),
      setInterval(() => void this.register(), MEMBERSHIP_REFRESH_MS),
    ];
    for (const timer of this.timers) timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.setLive(false);
    await this.redis.zrem(this.membersKey, this.origin).catch(() => undefined);
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (!subscriber) return;
    if (subscriber.status === 'ready') await subscriber.quit().catch(() => subscriber.disconnect());
    else subscriber.disconnect();
  }

  private async subscribe(subscriber: Redis): Promise<void> {
    try {
      await subscriber.subscribe(this.channel, this.ackChannel);
      this.lastPongAtMs = Date.now();
      // A member before it trusts its caches: a confirmed invalidation from then on waits for it.
      await this.register(true);
      this.setLive(true);
    } catch (error) {
      this.logger.warn({ err: error }, 'cache invalidation subscription failed');
    }
  }

  /** Says this process listens, for MEMBERSHIP_LIFETIME_MS (only while it does, or is about to). */
  private async register(subscribing = false): Promise<void> {
    if (!this.live && !subscribing) return;
    await this.redis.zadd(this.membersKey, Date.now() + MEMBERSHIP_LIFETIME_MS, this.origin).catch(() => undefined);
  }

  /**
   * Pings the subscription's own connection: one that stopped answering without closing (a
   * partition, a failover) would otherwise look live while no invalidation reaches it.
   */
  private checkLiveness(subscriber: Redis): void {
    if (subscriber.status !== 'ready') return;
    if (this.live && Date.now() - this.lastPongAtMs > LIVENESS_TIMEOUT_MS) {
      this.logger.warn('cache invalidation subscription unanswered: caches off, reconnecting');
      this.setLive(false);
      subscriber.disconnect(true);
      return;
    }
    subscriber.ping().then(
      () => (this.lastPongAtMs = Date.now()),
      () => undefined,
    );
  }

  /** Applies the message here and publishes it (best effort: entries elsewhere age out by their TTL). */
  private async send(message: InvalidationMessage): Promise<void> {
    this.apply(message);
    try {
      await this.redis.publish(this.channel, JSON.stringify(message));
    } catch (error) {
      this.logger.warn({ err: error, cache: message.cache }, 'cache invalidation not published');
    }
  }

  private receive(channel: string, raw: string): void {
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    if (channel === this.ackChannel) {
      const { ack, from } = message as Acknowledgement;
      const waiting = this.awaitingAcks.get(ack);
      if (!waiting) return;
      waiting.missing.delete(from);
      if (waiting.missing.size === 0) waiting.release();
      return;
    }
    const invalidation = message as InvalidationMessage;
    if (invalidation.origin === this.origin) return;
    this.apply(invalidation);
    if (invalidation.id !== undefined) {
      const ack: Acknowledgement = { ack: invalidation.id, from: this.origin };
      this.redis.publish(`${this.channel}:ack:${invalidation.origin}`, JSON.stringify(ack)).catch(() => undefined);
    }
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
