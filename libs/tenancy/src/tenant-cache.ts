import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { REDIS } from '@wopi/redis';
import type Redis from 'ioredis';
import { type TenantConfig, TenantRepository } from './tenant.repository';

export const TENANT_CACHE_OPTIONS = Symbol('TENANT_CACHE_OPTIONS');

export interface TenantCacheOptions {
  /** Redis pub/sub channel of tenant changes; prefixed with QUEUE_PREFIX so deployments and test runs stay apart. */
  channel: string;
  /** How long a tenant is reused while change notices arrive. */
  lifetimeMs: number;
  /** How long it is reused while the subscription is down (notices may be missed meanwhile). */
  fallbackLifetimeMs: number;
}

/** The channel name for a QUEUE_PREFIX. */
export function tenantChangesChannel(queuePrefix: string): string {
  return `${queuePrefix}:tenancy:changed`;
}

/** A change notice: one tenant, or every tenant ('*') after a change that may touch several. */
const EVERY_TENANT = '*';
// Cached session keys are bounded: a flood of distinct keys (valid ones only are cached) must not grow the heap.
const MAX_CACHED_SESSION_KEYS = 10_000;

interface Entry<T> {
  value: T;
  tenantId: string | null;
  createdAtMs: number;
  expiresAtMs: number;
}

/**
 * The tenants of this process, so that the WOPI and session hot paths do not read PostgreSQL and
 * decrypt a credential on every request (DESIGN.md, "hot path"). Each entry lives `lifetimeMs`;
 * every admin write calls `changed(tenantId)`, which drops the tenant here and, through Redis
 * pub/sub, in every other api and worker process within moments. While the subscription is not
 * ready (Redis down, reconnecting) entries live only `fallbackLifetimeMs`, and everything is
 * dropped when it is ready again, since notices sent meanwhile are lost.
 */
@Injectable()
export class TenantCache implements OnApplicationShutdown {
  private readonly logger = new Logger(TenantCache.name);
  private readonly byId = new Map<string, Entry<TenantConfig | null>>();
  private readonly bySessionKey = new Map<string, Entry<TenantConfig>>();
  private subscriber: Redis | undefined;

  constructor(
    private readonly tenants: TenantRepository,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(TENANT_CACHE_OPTIONS) private readonly options: TenantCacheOptions,
  ) {}

  /** The live tenant with this id (null when unknown, suspended or deleted). */
  async findById(id: string): Promise<TenantConfig | null> {
    this.subscribe();
    const cached = this.fresh(this.byId.get(id));
    if (cached) return cached.value;
    const tenant = await this.tenants.findById(id);
    this.byId.set(id, this.entry(tenant, id));
    return tenant;
  }

  /** The live tenant of a session API key; unknown or revoked keys are never cached. */
  async findBySessionApiKey(apiKey: string): Promise<TenantConfig | null> {
    this.subscribe();
    // The map is keyed by a digest, so the process never holds a key in plain text longer than the request.
    const digest = createHash('sha256').update(apiKey).digest('base64url');
    const cached = this.fresh(this.bySessionKey.get(digest));
    if (cached) return cached.value;
    const grant = await this.tenants.findSessionKeyGrant(apiKey);
    if (!grant) return null;
    if (this.bySessionKey.size >= MAX_CACHED_SESSION_KEYS) this.bySessionKey.clear();
    const entry = this.entry(grant.tenant, grant.tenant.id);
    // A key that expires (the overlap of a rotation) stops working then, cached or not.
    if (grant.keyExpiresAtMs !== undefined) entry.expiresAtMs = Math.min(entry.expiresAtMs, grant.keyExpiresAtMs);
    this.bySessionKey.set(digest, entry);
    return grant.tenant;
  }

  /** Call after every write to a tenant, its keys or profiles: drops it here and in every other process. */
  async changed(tenantId: string | typeof EVERY_TENANT): Promise<void> {
    this.forget(tenantId);
    try {
      await this.redis.publish(this.options.channel, tenantId);
    } catch (error) {
      // The write is committed; other processes pick it up within the fallback lifetime at worst.
      this.logger.warn({ err: error, tenantId }, 'could not publish a tenant change');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // A connection that ended already (Redis gone, no more retries) has nothing to close.
    if (this.subscriber && this.subscriber.status !== 'end') this.subscriber.disconnect();
    this.subscriber = undefined;
  }

  /** Lazily: processes that never read a tenant through the cache hold no subscriber connection. */
  private subscribe(): void {
    if (this.subscriber) return;
    const subscriber = this.redis.duplicate({
      lazyConnect: false,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
    this.subscriber = subscriber;
    subscriber.on('ready', () => {
      // Notices sent while we were not subscribed are lost: start afresh.
      this.forget(EVERY_TENANT);
      subscriber.subscribe(this.options.channel).catch((error: unknown) => {
        this.logger.warn({ err: error }, 'tenant change subscription failed');
      });
    });
    subscriber.on('message', (_channel: string, tenantId: string) => this.forget(tenantId));
    subscriber.on('error', () => {
      // ioredis reconnects on its own; while it does, entries live only the fallback lifetime.
    });
  }

  private get subscribed(): boolean {
    return this.subscriber?.status === 'ready';
  }

  private forget(tenantId: string): void {
    if (tenantId === EVERY_TENANT) {
      this.byId.clear();
      this.bySessionKey.clear();
      return;
    }
    this.byId.delete(tenantId);
    for (const [digest, entry] of this.bySessionKey) if (entry.tenantId === tenantId) this.bySessionKey.delete(digest);
  }

  private entry<T extends TenantConfig | null>(value: T, tenantId: string | null): Entry<T> {
    const lifetimeMs = this.subscribed ? this.options.lifetimeMs : this.options.fallbackLifetimeMs;
    const createdAtMs = Date.now();
    let expiresAtMs = createdAtMs + lifetimeMs;
    // A scheduled secret rotation changes the credential at a known time: the entry ends then.
    const changesAtMs = value?.coreApp.credentialChangesAtMs;
    if (changesAtMs !== undefined) expiresAtMs = Math.min(expiresAtMs, changesAtMs);
    return { value, tenantId, createdAtMs, expiresAtMs };
  }

  private fresh<T>(entry: Entry<T> | undefined): Entry<T> | undefined {
    if (!entry) return undefined;
    const now = Date.now();
    // An entry made while subscribed may outlive a later disconnect: it then counts only for the fallback lifetime.
    const limit = this.subscribed
      ? entry.expiresAtMs
      : Math.min(entry.expiresAtMs, entry.createdAtMs + this.options.fallbackLifetimeMs);
    return limit > now ? entry : undefined;
  }
}
