import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@wopi/redis';
import type Redis from 'ioredis';

/** One cached discovery document: the XML as fetched, where from and when. */
export interface CachedDiscovery {
  url: string;
  fetchedAtMs: number;
  xml: string;
}

/** Cached documents of profiles nobody used for a week are dropped; the next use fetches again. */
const ENTRY_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Discovery documents shared by every api instance, in Redis: one hash per WOPI-client profile
 * (`url`, `fetchedAtMs`, `xml`) and two claim keys that make one instance, not all, do a fetch.
 * The XML is stored rather than a parsed form, so a parser change needs no cache migration; each
 * instance parses a document once per fetch (DiscoveryService keeps the parsed copy).
 */
@Injectable()
export class DiscoveryCacheStore {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** URL and fetch time only: the cheap check whether another instance stored a newer document. */
  async readStamp(profileId: string): Promise<Omit<CachedDiscovery, 'xml'> | null> {
    const [url, fetchedAtMs] = await this.redis.hmget(this.key(profileId), 'url', 'fetchedAtMs');
    return url !== null && fetchedAtMs !== null ? { url, fetchedAtMs: Number(fetchedAtMs) } : null;
  }

  async read(profileId: string): Promise<CachedDiscovery | null> {
    const [url, fetchedAtMs, xml] = await this.redis.hmget(this.key(profileId), 'url', 'fetchedAtMs', 'xml');
    return url !== null && fetchedAtMs !== null && xml !== null ? { url, fetchedAtMs: Number(fetchedAtMs), xml } : null;
  }

  async write(profileId: string, entry: CachedDiscovery): Promise<void> {
    const key = this.key(profileId);
    await this.redis
      .multi()
      .hset(key, { url: entry.url, fetchedAtMs: String(entry.fetchedAtMs), xml: entry.xml })
      .pexpire(key, ENTRY_TTL_MS)
      .exec();
  }

  /**
   * Claims the scheduled refresh of a stale document for `ttlMs` (SET NX PX): the instance that
   * gets it fetches, the others keep serving the stale copy. The claim is left to expire, so a
   * failing client is tried again at most once per `ttlMs`.
   */
  async claimScheduledRefresh(profileId: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.key(profileId)}:scheduled-refresh`, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  /**
   * Claims the one fetch a proof-key failure may force in `intervalMs` (SET NX PX): however many
   * instances see bad proofs, one fetch per interval per profile.
   */
  async claimProofFailureRefresh(profileId: string, intervalMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.key(profileId)}:proof-refresh`, '1', 'PX', intervalMs, 'NX')) === 'OK';
  }

  private key(profileId: string): string {
    return `wopi:discovery:{${profileId}}`;
  }
}
