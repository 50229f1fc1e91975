import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CacheInvalidationBus, type ProcessCache } from '@wopi/redis';
import { type TenantConfig, TenantRepository } from './tenant.repository';

export const TENANT_CACHE_OPTIONS = Symbol('TENANT_CACHE_OPTIONS');

export interface TenantCacheOptions {
  /** How long a tenant is reused between changes (TENANT_CACHE_TTL_MS). */
  lifetimeMs: number;
}

/** A change that may touch several tenants: every cached tenant is dropped. */
const EVERY_TENANT = '*';
const TENANTS = 'tenants';
const SESSION_KEYS = 'tenant-session-keys';
// Bounded: a flood of distinct keys (valid ones only are cached) must not grow the heap.
const MAX_CACHED_TENANTS = 10_000;
const MAX_CACHED_SESSION_KEYS = 10_000;

type SessionKeyGrant = Awaited<ReturnType<TenantRepository['findSessionKeyGrant']>>;

/**
 * The tenants of this process, so that the WOPI and session hot paths do not read PostgreSQL and
 * decrypt a credential on every request (DESIGN.md, "hot path"). Two ProcessCaches on the
 * CacheInvalidationBus, like every other hot-path cache (ADR 0017, ADR 0027): tenants by id, and
 * the tenant of each session API key (by the key's digest). Every admin write calls
 * `changed(tenantId)`, which drops the tenant in every api and worker process before it returns,
 * and every cached session key with it (admin writes are rare; keys are found again at once).
 * While the bus's subscription is down nothing is served from memory; a lookup that raced a
 * change never stores what it read before it.
 */
@Injectable()
export class TenantCache {
  private readonly byId: ProcessCache<TenantConfig | null>;
  private readonly bySessionKey: ProcessCache<SessionKeyGrant>;

  constructor(
    private readonly tenants: TenantRepository,
    private readonly invalidations: CacheInvalidationBus,
    @Inject(TENANT_CACHE_OPTIONS) private readonly options: TenantCacheOptions,
  ) {
    this.byId = invalidations.cache(TENANTS, { ttlMs: options.lifetimeMs, maxEntries: MAX_CACHED_TENANTS });
    this.bySessionKey = invalidations.cache(SESSION_KEYS, {
      ttlMs: options.lifetimeMs,
      maxEntries: MAX_CACHED_SESSION_KEYS,
    });
  }

  /** The live tenant with this id (null when unknown, suspended or deleted). */
  findById(id: string): Promise<TenantConfig | null> {
    return this.byId.getOrLoad(
      id,
      () => this.tenants.findById(id),
      (tenant) => this.lifetimeOf(tenant),
    );
  }

  /** The live tenant of a session API key; unknown or revoked keys are never cached. */
  async findBySessionApiKey(apiKey: string): Promise<TenantConfig | null> {
    // Keyed by a digest, so the process never holds a key in plain text longer than the request.
    const digest = createHash('sha256').update(apiKey).digest('base64url');
    const grant = await this.bySessionKey.getOrLoad(
      digest,
      () => this.tenants.findSessionKeyGrant(apiKey),
      (found) => {
        if (!found) return 0;
        // A key that expires (the overlap of a rotation) stops working then, cached or not.
        const untilKeyExpiresMs =
          found.keyExpiresAtMs === undefined ? Number.POSITIVE_INFINITY : found.keyExpiresAtMs - Date.now();
        return Math.min(this.lifetimeOf(found.tenant), untilKeyExpiresMs);
      },
    );
    return grant?.tenant ?? null;
  }

  /**
   * Call after every write to a tenant, its keys or profiles: drops it here at once and in every
   * other process before returning (a suspension holds everywhere as soon as the API answered).
   */
  async changed(tenantId: string | typeof EVERY_TENANT): Promise<void> {
    await Promise.all([
      tenantId === EVERY_TENANT
        ? this.invalidations.invalidatePrefix(TENANTS, '')
        : this.invalidations.invalidate(TENANTS, tenantId, { confirm: true }),
      this.invalidations.invalidatePrefix(SESSION_KEYS, ''),
    ]);
  }

  /** The configured lifetime, cut short when a scheduled core-app secret rotation takes effect. */
  private lifetimeOf(tenant: TenantConfig | null): number {
    const changesAtMs = tenant?.coreApp.credentialChangesAtMs;
    return changesAtMs === undefined
      ? this.options.lifetimeMs
      : Math.min(this.options.lifetimeMs, changesAtMs - Date.now());
  }
}
