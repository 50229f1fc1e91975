import { Inject, Injectable, Logger } from '@nestjs/common';
import type { TenantConfig } from '@wopi/tenancy';
import { importProofKeys, parseDiscovery, type WopiDiscovery, type WopiProofKeys } from '@wopi/wopi';
import { type CachedDiscovery, DiscoveryCacheStore } from './discovery-cache.store';
import { DiscoveryClient } from './discovery.client';
import { DiscoveryUnavailableError } from './discovery.error';
import { DISCOVERY_SETTINGS, type DiscoverySettings } from './discovery-settings';

/** A tenant's WOPI-client profile, as the tenant repository reads it. */
export type WopiClientProfile = NonNullable<TenantConfig['wopiClient']>;

/** A discovery document, parsed, with its proof keys imported. */
export interface LoadedDiscovery {
  url: string;
  fetchedAtMs: number;
  document: WopiDiscovery;
  /** Absent when the client publishes no `<proof-key>` (it does not sign its requests). */
  proofKeys?: WopiProofKeys;
}

/**
 * How long this instance trusts its parsed copy before it asks Redis whether another instance
 * stored a newer one. A proof-key failure asks at once, so this only delays other changes a little.
 */
const LOCAL_RECHECK_MS = 5_000;
/** After a failed first fetch, callers get the failure at once for this long rather than wait again. */
const FAILED_FETCH_BACKOFF_MS = 15_000;

interface LocalCopy {
  loaded: LoadedDiscovery;
  checkedAtMs: number;
}

/**
 * Discovery per WOPI-client profile (discovery.rst): fetched once, cached in Redis for every
 * instance, refreshed when older than DISCOVERY_REFRESH_INTERVAL_MS ("12-24 hours is a good
 * cadence") by the one instance that claims the refresh while the stale copy keeps serving, and
 * fetched again at most once per DISCOVERY_MIN_REFRESH_INTERVAL_MS when a proof key fails to
 * verify ("re-run discovery when proof key validation fails").
 */
@Injectable()
export class DiscoveryService {
  private readonly logger = new Logger(DiscoveryService.name);
  private readonly local = new Map<string, LocalCopy>();
  private readonly fetching = new Map<string, Promise<LoadedDiscovery>>();
  private readonly failedAt = new Map<string, { atMs: number; error: DiscoveryUnavailableError }>();

  constructor(
    private readonly cache: DiscoveryCacheStore,
    private readonly client: DiscoveryClient,
    @Inject(DISCOVERY_SETTINGS) private readonly settings: DiscoverySettings,
  ) {}

  /** The profile's discovery; throws DiscoveryUnavailableError when none can be had. */
  async get(profile: WopiClientProfile): Promise<LoadedDiscovery> {
    const now = Date.now();
    const local = this.local.get(profile.id);
    const loaded =
      local && local.loaded.url === profile.discoveryUrl && now - local.checkedAtMs < LOCAL_RECHECK_MS
        ? local.loaded
        : ((await this.readShared(profile)) ?? (await this.fetchFirst(profile)));
    if (now - loaded.fetchedAtMs >= this.settings.refreshIntervalMs) this.refreshInBackground(profile);
    return loaded;
  }

  /**
   * After a proof did not verify with `used`: a newer copy another instance stored, or else one
   * fetch if this profile's proof-failure claim is free (SET NX PX across instances); null when
   * neither gives anything newer. Never throws: the caller answers the request either way.
   */
  async refreshAfterProofFailure(profile: WopiClientProfile, used: LoadedDiscovery): Promise<LoadedDiscovery | null> {
    try {
      const shared = await this.readShared(profile);
      if (shared && shared.fetchedAtMs > used.fetchedAtMs) return shared;
      if (!(await this.cache.claimProofFailureRefresh(profile.id, this.settings.minRefreshIntervalMs))) return null;
      this.logger.log({ profileId: profile.id, profile: profile.name }, 'proof key failed: fetching discovery again');
      return await this.fetchAndStore(profile);
    } catch (error) {
      this.logger.warn({ err: error, profileId: profile.id }, 'discovery refresh after a proof-key failure failed');
      return null;
    }
  }

  /** The copy in Redis, parsed once per fetch and kept locally; null when none is stored for this URL. */
  private async readShared(profile: WopiClientProfile): Promise<LoadedDiscovery | null> {
    const stamp = await this.cache.readStamp(profile.id);
    if (!stamp || stamp.url !== profile.discoveryUrl) return null;
    const local = this.local.get(profile.id);
    if (local && local.loaded.url === stamp.url && local.loaded.fetchedAtMs === stamp.fetchedAtMs) {
      local.checkedAtMs = Date.now();
      return local.loaded;
    }
    const entry = await this.cache.read(profile.id);
    if (!entry || entry.url !== profile.discoveryUrl) return null;
    try {
      return this.remember(profile.id, load(entry));
    } catch (error) {
      // Only validated documents are stored; an unreadable one is treated as absent and replaced.
      this.logger.error({ err: error, profileId: profile.id }, 'cached discovery does not parse');
      return null;
    }
  }

  /** No copy anywhere: fetch it now (once per process at a time), or fail fast after a recent failure. */
  private fetchFirst(profile: WopiClientProfile): Promise<LoadedDiscovery> {
    const failed = this.failedAt.get(profile.id);
    if (failed && Date.now() - failed.atMs < FAILED_FETCH_BACKOFF_MS) return Promise.reject(failed.error);
    return this.fetchAndStore(profile).catch((error: unknown) => {
      const unavailable =
        error instanceof DiscoveryUnavailableError
          ? error
          : new DiscoveryUnavailableError(profile.name, (error as Error).message, { cause: error });
      this.failedAt.set(profile.id, { atMs: Date.now(), error: unavailable });
      throw unavailable;
    });
  }

  private refreshInBackground(profile: WopiClientProfile): void {
    // A claim longer than a fetch can take: one instance refreshes, and a failing client is tried
    // again once the claim lapses rather than on every request.
    const claimMs = Math.max(60_000, 2 * this.settings.fetchTimeoutMs);
    void this.cache
      .claimScheduledRefresh(profile.id, claimMs)
      .then((claimed) => (claimed ? this.fetchAndStore(profile) : undefined))
      .catch((error: unknown) =>
        this.logger.warn(
          { err: error, profileId: profile.id },
          'scheduled discovery refresh failed; the stale copy stays',
        ),
      );
  }

  /** Fetches, validates (parses, imports the keys), stores for every instance. One fetch per profile at a time here. */
  private fetchAndStore(profile: WopiClientProfile): Promise<LoadedDiscovery> {
    const running = this.fetching.get(profile.id);
    if (running) return running;
    const fetched = (async () => {
      let entry: CachedDiscovery;
      let loaded: LoadedDiscovery;
      try {
        const xml = await this.client.fetch(profile.discoveryUrl);
        entry = { url: profile.discoveryUrl, fetchedAtMs: Date.now(), xml };
        // Parse before storing: a broken document never replaces a good one.
        loaded = load(entry);
      } catch (error) {
        throw new DiscoveryUnavailableError(profile.name, (error as Error).message, { cause: error });
      }
      await this.cache.write(profile.id, entry);
      this.failedAt.delete(profile.id);
      return this.remember(profile.id, loaded);
    })();
    this.fetching.set(profile.id, fetched);
    return fetched.finally(() => this.fetching.delete(profile.id));
  }

  private remember(profileId: string, loaded: LoadedDiscovery): LoadedDiscovery {
    this.local.set(profileId, { loaded, checkedAtMs: Date.now() });
    return loaded;
  }
}

function load(entry: CachedDiscovery): LoadedDiscovery {
  const document = parseDiscovery(entry.xml);
  const proofKeys = document.proofKey ? importProofKeys(document.proofKey) : undefined;
  return { url: entry.url, fetchedAtMs: entry.fetchedAtMs, document, ...(proofKeys ? { proofKeys } : {}) };
}
